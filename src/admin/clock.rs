//! `/__admin/clock`: read, advance, freeze and unfreeze the tenant's clock.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, AdminError, AdminJson};
use crate::clock::ClockView;
use crate::core::Core;

/// The furthest one call may move a clock: a hundred years.
const MAX_ADVANCE_MS: i64 = 100 * 366 * 86_400_000;

pub(super) async fn get_clock(
    admin: Admin,
    State(core): State<Arc<Core>>,
) -> Result<Json<Value>, AdminError> {
    Ok(Json(clock_json(core.clocks.view(admin.tenant()?))))
}

fn clock_json(v: ClockView) -> Value {
    json!({
        "now": crate::ids::iso_millis(v.now_ms),
        "nowMs": v.now_ms,
        "offsetMs": v.offset_ms,
        "frozen": v.frozen,
        "scale": v.scale,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct Advance {
    ms: Option<i64>,
    seconds: Option<f64>,
}

pub(super) async fn advance_clock(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminJson(a): AdminJson<Advance>,
) -> Result<Json<Value>, AdminError> {
    let ms = match (a.ms, a.seconds) {
        (Some(ms), None) => ms,
        (None, Some(s)) if s.is_finite() && s.abs() * 1000.0 <= MAX_ADVANCE_MS as f64 => {
            (s * 1000.0) as i64
        }
        (None, Some(s)) if s.is_finite() => MAX_ADVANCE_MS.saturating_add(1),
        _ => {
            return Err(AdminError::bad_request(
                "Send exactly one of 'ms' or 'seconds'",
            ));
        }
    };
    if ms < 0 {
        return Err(AdminError::bad_request("The clock only moves forward"));
    }
    if ms > MAX_ADVANCE_MS {
        return Err(AdminError::bad_request(
            "One advance moves the clock at most 100 years",
        ));
    }
    let tenant = admin.tenant()?;
    let view = core
        .clocks
        .advance(tenant, ms)
        .ok_or_else(|| AdminError::bad_request("The tenant's clock cannot move that far"))?;
    core.clocks.save(tenant).wait().await?;
    Ok(Json(clock_json(view)))
}

pub(super) async fn freeze_clock(
    admin: Admin,
    State(core): State<Arc<Core>>,
) -> Result<Json<Value>, AdminError> {
    let tenant = admin.tenant()?;
    let view = core.clocks.freeze(tenant);
    core.clocks.save(tenant).wait().await?;
    Ok(Json(clock_json(view)))
}

pub(super) async fn unfreeze_clock(
    admin: Admin,
    State(core): State<Arc<Core>>,
) -> Result<Json<Value>, AdminError> {
    let tenant = admin.tenant()?;
    let view = core.clocks.unfreeze(tenant);
    core.clocks.save(tenant).wait().await?;
    Ok(Json(clock_json(view)))
}
