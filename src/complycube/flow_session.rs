//! A hosted Flow session as the sandbox keeps it (times in epoch
//! milliseconds) and as its page and admin routes show it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::check_type::CheckType;
use crate::ids::{Millis, ObjectId, iso_millis};

/// How long a Flow session stays open: 14 days.
pub(crate) const LIFETIME_MS: Millis = 14 * 24 * 60 * 60 * 1000;

/// Where a Flow session stands, as stored (`expired` is derived).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FlowState {
    Open,
    Completed,
    Cancelled,
}

/// A stored Flow session (times in epoch milliseconds).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FlowSession {
    pub(crate) id: ObjectId,
    pub(crate) client_id: ObjectId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) workflow_template_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) check_types: Vec<String>,
    pub(crate) success_url: String,
    pub(crate) cancel_url: String,
    pub(crate) redirect_url: String,
    /// The presentation options as sent (`theme`, `language`, …).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub(crate) options: Map<String, Value>,
    pub(crate) state: FlowState,
    pub(crate) created_at: Millis,
    pub(crate) expires_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) finished_at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) workflow_session_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) check_ids: Vec<ObjectId>,
    /// A random secret the page's forms carry, so a form posted from
    /// another site (which cannot read the page) is refused. Never shown in
    /// the session's JSON; empty for sessions stored before it existed
    /// (the page then sets one).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) page_token: String,
}

/// A fresh page token: 128 random bits, hex.
pub(crate) fn page_token() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

impl FlowSession {
    /// `open`, `completed`, `cancelled` or `expired`.
    pub(crate) fn status(&self, now: Millis) -> &'static str {
        match self.state {
            FlowState::Open if now >= self.expires_at => "expired",
            FlowState::Open => "open",
            FlowState::Completed => "completed",
            FlowState::Cancelled => "cancelled",
        }
    }

    /// The check types it runs (a workflow session's when it names a template).
    pub(crate) fn kinds(&self) -> Vec<CheckType> {
        self.check_types
            .iter()
            .filter_map(|k| CheckType::parse(k))
            .collect()
    }
}

/// The session as the sandbox's admin routes and page show it.
pub(crate) fn view(s: &FlowSession, now: Millis) -> Value {
    let mut v = json!({
        "id": s.id,
        "clientId": s.client_id,
        "status": s.status(now),
        "successUrl": s.success_url,
        "cancelUrl": s.cancel_url,
        "redirectUrl": s.redirect_url,
        "createdAt": iso_millis(s.created_at),
        "expiresAt": iso_millis(s.expires_at),
        "actions": {
            "complete": format!("POST /__admin/complycube/flow/sessions/{}/complete", s.id),
            "cancel": format!("POST /__admin/complycube/flow/sessions/{}/cancel", s.id),
        },
    });
    let Some(m) = v.as_object_mut() else {
        return v;
    };
    if let Some(t) = s.workflow_template_id {
        m.insert("workflowTemplateId".into(), json!(t));
    }
    if !s.check_types.is_empty() {
        m.insert("checkTypes".into(), json!(s.check_types));
    }
    for (k, val) in &s.options {
        m.insert(k.clone(), val.clone());
    }
    if let Some(at) = s.finished_at {
        m.insert("finishedAt".into(), json!(iso_millis(at)));
    }
    if let Some(w) = s.workflow_session_id {
        m.insert("workflowSessionId".into(), json!(w));
    }
    if !s.check_ids.is_empty() {
        m.insert("checkIds".into(), json!(s.check_ids));
    }
    v
}
