//! What the outbox holds: events, their deliveries and attempts, and the
//! vendor's webhook directory they are sent through.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ids::{Millis, ObjectId, iso_millis};

/// Where a delivery goes, as the vendor's webhook store knows it now.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) secret: String,
    pub(crate) enabled: bool,
}

/// A vendor's webhook registry, as the dispatcher needs it.
pub(crate) trait Directory: Send + Sync {
    /// The endpoint now, or `None` when it was deleted.
    fn target(&self, tenant: &str, webhook_id: &str) -> Option<Target>;
    /// Called after the last failed attempt.
    fn disable(&self, tenant: &str, webhook_id: &str);
    /// The header the vendor signs deliveries in.
    fn signature_header(&self) -> &'static str;
}

/// One event, serialised once and shared by all its deliveries.
pub(crate) struct Event {
    pub(crate) id: String,
    pub(crate) kind: String,
    /// The id of the resource the event is about (a check's id), so a
    /// resource's deliveries can be found.
    pub(crate) subject: Option<String>,
    pub(crate) body: Bytes,
    /// The vendor whose webhook directory its deliveries go through.
    pub(crate) vendor: &'static str,
}

/// One endpoint an event goes to. The signing secret is looked up in the
/// [`Directory`] at each attempt, so it is never copied per delivery.
#[derive(Debug, Clone)]
pub(crate) struct NewDelivery {
    pub(crate) webhook_id: String,
    pub(crate) url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DeliveryState {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Every attempt failed; the webhook was disabled.
    Failed,
    /// The webhook was disabled or deleted before delivery succeeded.
    Disabled,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Attempt {
    pub(crate) at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    pub(crate) duration_ms: f64,
}

pub(super) struct Delivery {
    pub(super) id: ObjectId,
    pub(super) event: Arc<Event>,
    pub(super) webhook_id: String,
    pub(super) url: String,
    pub(super) created_at: Millis,
    pub(super) attempts: VecDeque<Attempt>,
    pub(super) attempt_count: u32,
    pub(super) failures: u32,
    pub(super) state: DeliveryState,
    pub(super) next_attempt_at: Option<Millis>,
    /// Queued for a worker or being attempted.
    pub(super) busy: bool,
    /// The next attempt was asked for by an admin: it ignores `enabled`.
    pub(super) manual: bool,
    /// Invalidates retry timers scheduled before a redelivery.
    pub(super) generation: u64,
}

impl Delivery {
    pub(super) fn to_json(&self) -> Value {
        let mut out = self.summary();
        out["event"] = self.event.json();
        out
    }

    /// The delivery's JSON with `event` left null: what is read under the
    /// outbox's lock; the event body is parsed after it is released.
    pub(super) fn summary(&self) -> Value {
        json!({
            "id": self.id,
            "eventId": self.event.id,
            "eventType": self.event.kind,
            "webhookId": self.webhook_id,
            "url": self.url,
            "state": self.state,
            "attemptCount": self.attempt_count,
            "attempts": self.attempts,
            "nextAttemptAt": self.next_attempt_at.map(iso_millis),
            "createdAt": iso_millis(self.created_at),
            "event": null,
        })
    }
}

impl Event {
    /// The event as JSON (its body as sent).
    pub(super) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Filters for the delivery listing.
#[derive(Debug, Default, Clone)]
pub(crate) struct DeliveryFilter {
    pub(crate) event_type: Option<String>,
    pub(crate) event_id: Option<String>,
    pub(crate) state: Option<DeliveryState>,
    pub(crate) webhook_id: Option<String>,
    /// Only deliveries attempted at least this many times.
    pub(crate) min_attempts: Option<u32>,
    /// Only deliveries of events about this resource.
    pub(crate) resource_id: Option<String>,
}

impl DeliveryFilter {
    pub(super) fn matches(&self, d: &Delivery) -> bool {
        self.event_type.as_ref().is_none_or(|t| *t == d.event.kind)
            && self.event_id.as_ref().is_none_or(|t| *t == d.event.id)
            && self.state.is_none_or(|s| s == d.state)
            && self.webhook_id.as_ref().is_none_or(|w| *w == d.webhook_id)
            && self.min_attempts.is_none_or(|m| d.attempt_count >= m)
            && self
                .resource_id
                .as_ref()
                .is_none_or(|r| d.event.subject.as_ref() == Some(r))
    }
}
