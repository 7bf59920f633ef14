//! A stored webhook: where events go, which ones, and the secret that signs them.

use serde::{Deserialize, Serialize};

use super::model::{ts, ts_back};
use crate::ids::{Millis, ObjectId};

/// The header ComplyCube signs deliveries in.
pub(crate) const SIGNATURE_HEADER: &str = "ComplyCube-Signature";

/// Most webhooks one account may have.
pub(crate) const MAX_WEBHOOKS: usize = 20;

/// Every event a webhook may subscribe to (`*` means all).
pub(crate) const EVENTS: &[&str] = &[
    "check.pending",
    "check.completed",
    "check.completed.clear",
    "check.completed.attention",
    "check.completed.rejected",
    "check.completed.match_confirmed",
    "check.completed.not_processed",
    "check.monitoring.attention",
    "check.failed",
    "check.updated",
    "client.created",
    "client.updated",
    "client.deleted",
    "document.created",
    "document.updated",
    "document.updated.image_uploaded",
    "document.updated.image_deleted",
    "document.deleted",
    "address.created",
    "address.updated",
    "address.deleted",
    "workflow.session.started",
    "workflow.session.cancelled",
    "workflow.session.processing",
    "workflow.session.completed",
    "workflow.session.updated",
    "*",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Webhook {
    pub(crate) id: ObjectId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    pub(crate) url: String,
    pub(crate) enabled: bool,
    pub(crate) events: Vec<String>,
    #[serde(skip)]
    pub(crate) secret: String,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) created_at: Millis,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) updated_at: Millis,
}

impl Webhook {
    pub(crate) fn wants(&self, event_type: &str) -> bool {
        self.enabled && self.events.iter().any(|e| e == "*" || e == event_type)
    }
}
