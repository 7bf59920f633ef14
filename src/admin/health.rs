//! `GET /__admin/health`: liveness, readiness and fixture status.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::core::Core;

/// Always 200 while the process serves (a broken fixture change keeps the
/// previous catalog, so the sandbox stays usable): `status` says `degraded`
/// and `fixtures.lastError` says why. Needs no tenant.
pub(super) async fn health(State(core): State<Arc<Core>>) -> Json<Value> {
    let fixtures = core.fixtures.view();
    let store = core.durable.status();
    let limits = core.journal.limits();
    Json(json!({
        "status": if fixtures.last_error.is_none() && store.last_error.is_none() { "ok" } else { "degraded" },
        "live": true,
        "ready": true,
        "version": env!("CARGO_PKG_VERSION"),
        "fixtures": fixtures,
        "store": store,
        "journal": {
            "maxEntries": limits.max_entries,
            "maxBytes": limits.max_bytes,
            "bodyBytes": limits.body_bytes,
            "evicted": core.journal.evicted_total(),
        },
    }))
}
