//! Deliveries as durable records, so pending ones and their retry schedule
//! continue after a restart and finished ones keep their history (up to the
//! outbox bound). Each record carries its event whole; deliveries of one
//! event share it again once restored.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::model::{Attempt, Delivery, DeliveryState, Event};
use crate::ids::{Millis, ObjectId};
use crate::persist::Record;

/// The record kind of a delivery.
pub(crate) const KIND: &str = "delivery";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StoredDelivery {
    id: ObjectId,
    event_id: String,
    event_type: String,
    /// The resource the event is about, when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    /// The signed body, as sent.
    event: String,
    vendor: String,
    webhook_id: String,
    url: String,
    created_at: Millis,
    attempts: Vec<Attempt>,
    attempt_count: u32,
    failures: u32,
    state: DeliveryState,
    next_attempt_at: Option<Millis>,
}

impl StoredDelivery {
    pub(super) fn of(d: &Delivery) -> Self {
        StoredDelivery {
            id: d.id,
            event_id: d.event.id.clone(),
            event_type: d.event.kind.clone(),
            subject: d.event.subject.clone(),
            event: String::from_utf8_lossy(&d.event.body).into_owned(),
            vendor: d.event.vendor.to_owned(),
            webhook_id: d.webhook_id.clone(),
            url: d.url.clone(),
            created_at: d.created_at,
            attempts: d.attempts.iter().cloned().collect(),
            attempt_count: d.attempt_count,
            failures: d.failures,
            state: d.state,
            next_attempt_at: d.next_attempt_at,
        }
    }

    pub(super) fn record(&self, tenant: &str) -> Record {
        Record {
            tenant: tenant.to_owned(),
            kind: KIND.to_owned(),
            id: self.id.to_string(),
            owner: None,
            body: serde_json::to_vec(self).unwrap_or_default(),
            data: None,
        }
    }
}

/// Rebuilds deliveries from records; `vendor` maps a stored vendor name to
/// the one registered now (a delivery of an unknown vendor is skipped).
pub(super) fn restore(
    r: &Record,
    events: &mut HashMap<String, Arc<Event>>,
    vendor: impl Fn(&str) -> Option<&'static str>,
) -> Result<Option<Delivery>, String> {
    let s: StoredDelivery =
        serde_json::from_slice(&r.body).map_err(|e| format!("delivery {}: {e}", r.id))?;
    let Some(vendor) = vendor(&s.vendor) else {
        return Ok(None);
    };
    let event = events
        .entry(s.event_id.clone())
        .or_insert_with(|| {
            Arc::new(Event {
                id: s.event_id.clone(),
                kind: s.event_type.clone(),
                subject: s.subject.clone(),
                body: s.event.clone().into_bytes().into(),
                vendor,
            })
        })
        .clone();
    Ok(Some(Delivery {
        id: s.id,
        event,
        webhook_id: s.webhook_id,
        url: s.url,
        created_at: s.created_at,
        attempts: VecDeque::from(s.attempts),
        attempt_count: s.attempt_count,
        failures: s.failures,
        state: s.state,
        next_attempt_at: s.next_attempt_at,
        busy: false,
        manual: false,
        generation: 0,
    }))
}
