//! ComplyCube webhook events raised by resource changes.

use serde_json::{Value, json};

use super::model::Client;
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
