//! `/__admin/webhooks/deliveries`: the tenant's webhook deliveries (with
//! long-poll) and redelivery.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, AdminError, AdminQuery};
use crate::core::Core;
use crate::delivery::{DeliveryFilter, DeliveryState};
use crate::ids::ObjectId;

/// The longest long-poll.
const MAX_WAIT_SECS: f64 = 300.0;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ListParams {
    event_type: Option<String>,
    event_id: Option<String>,
    state: Option<DeliveryState>,
    webhook_id: Option<String>,
    min_attempts: Option<u32>,
    resource_id: Option<String>,
    /// Long-poll: seconds to wait for a match.
    wait: Option<f64>,
    /// Long-poll: how many matches to wait for (default 1).
    min: Option<usize>,
}

impl ListParams {
    fn filter(&self) -> DeliveryFilter {
        DeliveryFilter {
            event_type: self.event_type.clone(),
            event_id: self.event_id.clone(),
            state: self.state,
            webhook_id: self.webhook_id.clone(),
            min_attempts: self.min_attempts,
            resource_id: self.resource_id.clone(),
        }
    }
}

pub(super) async fn list_deliveries(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminQuery(p): AdminQuery<ListParams>,
) -> Result<axum::Json<Value>, AdminError> {
    let tenant = admin.tenant()?.to_owned();
    let filter = p.filter();
    let (items, dropped) = match p.wait {
        Some(w) if w.is_finite() && w > 0.0 => {
            let timeout = Duration::from_secs_f64(w.min(MAX_WAIT_SECS));
            core.outbox
                .wait_for(&tenant, &filter, p.min.unwrap_or(1), timeout)
                .await
        }
        Some(w) if !w.is_finite() || w < 0.0 => {
            return Err(AdminError::bad_request(
                "'wait' must be a number of seconds >= 0",
            ));
        }
        _ => core.outbox.list(&tenant, &filter),
    };
    Ok(axum::Json(json!({
        "total": items.len(),
        "dropped": dropped,
        "items": items,
    })))
}

/// One delivery with the raw signed body and its signature header.
pub(super) async fn get_delivery(
    admin: Admin,
    State(core): State<Arc<Core>>,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, AdminError> {
    let tenant = admin.tenant()?;
    let missing = || AdminError::not_found(format!("No delivery '{id}' for this tenant"));
    let oid = ObjectId::parse(&id).ok_or_else(missing)?;
    core.outbox
        .signed(tenant, &oid)
        .map(axum::Json)
        .ok_or_else(missing)
}

pub(super) async fn redeliver_delivery(
    admin: Admin,
    State(core): State<Arc<Core>>,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, AdminError> {
    let tenant = admin.tenant()?;
    let missing = || AdminError::not_found(format!("No delivery '{id}' for this tenant"));
    let oid = ObjectId::parse(&id).ok_or_else(missing)?;
    core.outbox
        .redeliver(tenant, &oid)
        .map(axum::Json)
        .ok_or_else(missing)
}
