//! A workflow session: one client's run of a workflow template — what it
//! captured (document, live photo, live video, address), the checks its
//! tasks ran and the scenario that decided its outcome. How it reads at a
//! tenant time is [`super::workflow_view`].
//!
//! Workflow templates are built in ComplyCube's portal, which the sandbox
//! does not have: every well-formed template id names the sandbox's one
//! template, whose active version runs a document check, an identity check
//! and an extensive screening check (the tasks of ComplyCube's example).

use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::check_type::CheckType;
use crate::ids::{Millis, ObjectId};
use crate::scenario::Scenario;

/// The template a session runs when none is named (ComplyCube's example id).
pub(crate) const DEFAULT_TEMPLATE: &str = "68566be2a37a78622f4f7be3";

/// The tasks of the sandbox's template, in order.
pub(crate) const DEFAULT_TASKS: [CheckType; 3] = [
    CheckType::Document,
    CheckType::Identity,
    CheckType::ExtensiveScreening,
];

/// Where a session stands, as stored; `complete` is derived from its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Stage {
    /// The client started it (captures are in).
    Started,
    /// Completed by the client or the API: the checks run.
    Processing,
    Cancelled,
}

/// What the client's capture produced.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Captured {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) document_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) live_photo_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) live_video_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) address_id: Option<ObjectId>,
}

#[derive(Debug, Clone)]
pub(crate) struct WorkflowSession {
    pub(crate) id: ObjectId,
    pub(crate) client_id: ObjectId,
    pub(crate) entity_name: String,
    pub(crate) template_id: ObjectId,
    /// The check each task runs, in order.
    pub(crate) tasks: Vec<CheckType>,
    pub(crate) captured: Captured,
    pub(crate) stage: Stage,
    /// The checks run so far, in task order.
    pub(crate) checks: Vec<ObjectId>,
    /// The scenario that decided the session when it was completed.
    pub(crate) scenario: Option<Arc<Scenario>>,
    /// The hosted Flow session it came from, if any.
    pub(crate) flow_session_id: Option<ObjectId>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
    /// `workflow.session.completed` was raised.
    pub(crate) events_raised: bool,
}

/// An id derived from a session and a label (task ids, version ids).
pub(crate) fn derived_id(parts: &[&[u8]]) -> ObjectId {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    let digest = h.finalize();
    ObjectId::parse(&hex::encode(&digest[..12])).unwrap_or_else(|| ObjectId::new(0))
}

impl WorkflowSession {
    /// The id of the task at `index`.
    pub(crate) fn task_id(&self, index: usize) -> ObjectId {
        derived_id(&[self.id.bytes(), b"task", &index.to_be_bytes()])
    }

    /// The workflow version the template's active version is.
    pub(crate) fn version_id(&self) -> ObjectId {
        derived_id(&[self.template_id.bytes(), b"version", b"1"])
    }
}
