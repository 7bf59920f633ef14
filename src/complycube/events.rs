//! ComplyCube webhook events raised by resource changes, and the check
//! lifecycle that raises `check.completed*` / `check.failed` when a check's
//! completion time passes on its tenant's clock.
//!
//! An event is `{id, type, resourceType, payload, createdAt}`; it is built
//! and serialised once, then handed to the outbox with every enabled webhook
//! subscribed to its type (or to `*`).

use std::sync::Arc;

use serde_json::{Value, json};

use super::api::Api;
use super::model::{Address, Client, Document};
use crate::delivery::Event;
use crate::ids::{ObjectId, iso_millis};

/// The header ComplyCube signs deliveries in.
pub(crate) const SIGNATURE_HEADER: &str = "ComplyCube-Signature";

/// Queues `event_type` with `payload` for the tenant's matching webhooks.
pub(crate) fn emit(api: &Api, key: &str, event_type: &str, payload: Value) {
    let targets = api.store.with(key, |t| t.targets(event_type));
    if targets.is_empty() {
        return;
    }
    let now = api.core.clocks.now(key);
    let id = ObjectId::new(now).to_string();
    let resource_type = event_type.split('.').next().unwrap_or(event_type);
    let subject = payload["id"].as_str().map(str::to_owned);
    let body = json!({
        "id": id,
        "type": event_type,
        "resourceType": resource_type,
        "payload": payload,
        "createdAt": iso_millis(now),
    });
    let Ok(bytes) = serde_json::to_vec(&body) else {
        return;
    };
    let event = Arc::new(Event {
        id,
        kind: event_type.to_owned(),
        subject,
        body: bytes.into(),
        signature_header: SIGNATURE_HEADER,
        directory: api.store.clone(),
    });
    api.core.outbox.enqueue(key, event, targets, now);
}

pub(crate) fn client_payload(c: &Client) -> Value {
    json!({
        "id": c.id,
        "type": c.kind,
        "entityName": c.entity_name,
        "createdAt": iso_millis(c.created_at),
        "updatedAt": iso_millis(c.updated_at),
    })
}

/// A check summary as webhook events carry it.
pub(crate) fn check_payload(check: &Value) -> Value {
    let mut p = json!({
        "id": check["id"],
        "clientId": check["clientId"],
        "type": check["type"],
        "status": check["status"],
        "createdAt": check["createdAt"],
        "updatedAt": check["updatedAt"],
    });
    if let Some(o) = check.pointer("/result/outcome") {
        p["outcome"] = o.clone();
    }
    p
}

/// A new check: `check.pending`, then its completion, now (no delay) or
/// when its tenant's clock reaches `complete_at`.
pub(crate) fn check_created(api: &Api, key: &str, check: &super::check::Check, body: &Value) {
    emit(api, key, "check.pending", check_payload(body));
    if check.complete_at <= api.core.clocks.now(key) {
        check_due(api, key, check.id);
    } else {
        api.lifecycle.schedule(key, check.complete_at, check.id);
    }
}

/// Called once a check's completion time has passed: emits `check.completed`
/// and `check.completed.<outcome>`, or `check.failed`. A check not yet due
/// (its tenant's clock was reset) is scheduled again; a deleted one is ignored.
pub(crate) fn check_due(api: &Api, key: &str, id: ObjectId) {
    let now = api.core.clocks.now(key);
    let rendered = api.store.with(key, |t| {
        // Nobody to tell: skip rendering (the check renders lazily on reads).
        if t.webhooks.is_empty() {
            return None;
        }
        let c = t.checks.get(&id)?;
        if !c.is_complete(now) {
            return Some(Err(c.complete_at));
        }
        Some(Ok(super::render::render(t, c, now)))
    });
    match rendered {
        None => {}
        Some(Err(at)) => api.lifecycle.schedule(key, at, id),
        Some(Ok(check)) => {
            let payload = check_payload(&check);
            if check["status"] == "failed" {
                emit(api, key, "check.failed", payload);
                return;
            }
            let outcome = payload["outcome"].as_str().map(str::to_owned);
            emit(api, key, "check.completed", payload.clone());
            if let Some(o) = outcome {
                emit(api, key, &format!("check.completed.{o}"), payload);
            }
        }
    }
}

/// `address.*` payload: the address as the API renders it.
pub(crate) fn address_payload(a: &Address) -> Value {
    serde_json::to_value(a).unwrap_or_default()
}

/// `document.*` payload: the document summary (no image list).
pub(crate) fn document_payload(d: &Document) -> Value {
    let mut v = json!({
        "id": d.id,
        "clientId": d.client_id,
        "type": d.kind,
        "createdAt": iso_millis(d.created_at),
        "updatedAt": iso_millis(d.updated_at),
    });
    if let (Some(c), Some(map)) = (&d.classification, v.as_object_mut()) {
        map.insert("classification".into(), json!(c));
    }
    if let (Some(c), Some(map)) = (&d.issuing_country, v.as_object_mut()) {
        map.insert("issuingCountry".into(), json!(c));
    }
    v
}
