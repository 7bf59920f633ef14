//! A stored check. Small on purpose: the benchmark stores a million. Its
//! `result` is rendered when read ([`super::render`]), from the check type,
//! the outcome and the scenario that decided it.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::check_type::CheckType;
use crate::ids::{Millis, ObjectId};
use crate::scenario::{Scenario, Source};

/// The terminal status a check reaches (a scenario's `status` effect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FinalStatus {
    Complete,
    Failed,
}

/// A previously enrolled face found for a check.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnrolledMatch {
    pub(crate) client_id: ObjectId,
    pub(crate) entity_name: String,
    pub(crate) live_photo_id: Option<ObjectId>,
}

/// A stored check. Small on purpose: the benchmark stores a million.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub(crate) id: ObjectId,
    pub(crate) client_id: ObjectId,
    pub(crate) kind: CheckType,
    pub(crate) entity_name: Box<str>,
    pub(crate) document_id: Option<ObjectId>,
    pub(crate) address_id: Option<ObjectId>,
    pub(crate) live_photo_id: Option<ObjectId>,
    pub(crate) live_video_id: Option<ObjectId>,
    pub(crate) enable_monitoring: bool,
    pub(crate) client_consent: Option<bool>,
    pub(crate) options: Option<Box<Value>>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
    /// When the check leaves `pending` (tenant clock).
    pub(crate) complete_at: Millis,
    pub(crate) final_status: FinalStatus,
    /// The scenario that decided the result (`None`: default clear).
    pub(crate) scenario: Option<Arc<Scenario>>,
    /// Which layer chose it: armed, header, fixture rule or default.
    pub(crate) scenario_source: Source,
    /// Derived from image reuse across clients.
    pub(crate) enrolled: Option<Box<[EnrolledMatch]>>,
    /// Set by validation: the outcome the check now carries.
    pub(crate) validated_outcome: Option<Box<str>>,
    /// Screening match validations: match id → confirmed?
    #[expect(
        clippy::box_collection,
        reason = "one pointer instead of an inline map: most checks never have validations"
    )]
    pub(crate) match_validations: Option<Box<HashMap<String, bool>>>,
    /// `userSuppliedData` sent with `/validate`: it overrides the document
    /// check's `extractedData`.
    pub(crate) user_supplied: Option<Box<Value>>,
    /// Attributes and images removed by `/redact`.
    pub(crate) redacted: Option<Box<Redaction>>,
    /// Its completion events were raised (and their deliveries queued).
    pub(crate) events_raised: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Redaction {
    pub(crate) attributes: Vec<String>,
    pub(crate) images: Vec<String>,
}

impl Check {
    pub(crate) fn is_complete(&self, now: Millis) -> bool {
        now >= self.complete_at
    }

    /// `pending`, `complete` or `failed` at `now`.
    pub(crate) fn status(&self, now: Millis) -> &'static str {
        if !self.is_complete(now) {
            "pending"
        } else {
            match self.final_status {
                FinalStatus::Complete => "complete",
                FinalStatus::Failed => "failed",
            }
        }
    }

    pub(crate) fn updated(&self, now: Millis) -> Millis {
        if self.is_complete(now) {
            self.updated_at.max(self.complete_at)
        } else {
            self.updated_at
        }
    }

    /// Whether the check uses `id` as its document, address, live photo or live video.
    pub(crate) fn references(&self, id: &ObjectId) -> bool {
        [
            self.document_id,
            self.address_id,
            self.live_photo_id,
            self.live_video_id,
        ]
        .contains(&Some(*id))
    }
}
