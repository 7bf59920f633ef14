//! `GET /__admin/tenants`: every tenant (API key or token) the sandbox holds
//! something for, with counts by kind, for the console's tenant picker.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

use super::{Admin, AdminError};
use crate::core::Core;

pub(super) async fn list_tenants(
    _admin: Admin,
    State(core): State<Arc<Core>>,
) -> Result<Json<Value>, AdminError> {
    let mut tenants: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut add = |tenant: String, kind: &str, n: usize| {
        if !tenant.is_empty() && n > 0 {
            tenants
                .entry(tenant)
                .or_default()
                .insert(kind.into(), json!(n));
        }
    };
    for d in core.parts() {
        for (tenant, counts) in d.census() {
            for (kind, n) in counts {
                add(tenant.clone(), kind, n);
            }
        }
    }
    for (tenant, n) in core.journal.census() {
        add(tenant, "requests", n);
    }
    let items: Vec<Value> = tenants
        .into_iter()
        .map(|(tenant, counts)| json!({"tenant": tenant, "counts": counts}))
        .collect();
    Ok(Json(json!({"count": items.len(), "items": items})))
}
