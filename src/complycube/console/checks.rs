//! The console's check pages: the tenant's recent checks; one check with
//! its result, which scenario decided it and why, and its timeline
//! (created, completed, events raised, webhook deliveries); and "complete
//! pending checks now".

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use serde_json::{Value, json};

use super::{id, missing};
use crate::admin::{Admin, AdminError};
use crate::complycube::api::Api;
use crate::complycube::check::{Check, FinalStatus};
use crate::complycube::render::{outcome, render};
use crate::complycube::tenant::Tenant;
use crate::delivery::DeliveryFilter;
use crate::fixtures::describe_trigger;
use crate::ids::{Millis, iso_millis};
use crate::scenario::Source;

/// The most checks the list returns.
const MAX_RESULTS: usize = 200;

/// One line of a check list.
pub(super) fn summary(t: &Tenant, c: &Check, now: Millis) -> Value {
    let status = c.status(now);
    json!({
        "id": c.id,
        "type": c.kind.as_str(),
        "clientId": c.client_id,
        "entityName": &*c.entity_name,
        "status": status,
        "outcome": (status == "complete").then(|| outcome(t, c)),
        "scenario": c.scenario.as_ref().map(|s| s.name.clone()),
        "scenarioSource": c.scenario_source.as_str(),
        "createdAt": iso_millis(c.created_at),
    })
}

/// `GET /__admin/complycube/checks?status=&outcome=`: newest first.
pub(super) async fn list(
    admin: Admin,
    State(api): State<Api>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<axum::Json<Value>, AdminError> {
    let tenant = admin.tenant()?;
    let now = api.core.clocks.now(tenant);
    let want = |k: &str, v: &Value| q.get(k).is_none_or(|w| w.is_empty() || v == w.as_str());
    let (total, items) = api.store.read(tenant, |t| {
        let rows: Vec<Value> = t
            .checks
            .iter_newest()
            .map(|c| summary(t, c, now))
            .filter(|r| want("status", &r["status"]) && want("outcome", &r["outcome"]))
            .collect();
        let total = rows.len();
        (
            total,
            rows.into_iter().take(MAX_RESULTS).collect::<Vec<_>>(),
        )
    });
    Ok(axum::Json(json!({"total": total, "items": items})))
}

/// Why this scenario decided the check, in words.
fn decided_by(c: &Check) -> Value {
    let why = match (c.scenario_source, &c.scenario) {
        (Source::Armed, _) => "Armed for this tenant from the admin API or the console".to_owned(),
        (Source::Header, Some(_)) => "Named in the request's X-Sandbox-Scenario header".to_owned(),
        (Source::Header, None) => "X-Sandbox-Scenario: default forced the default".to_owned(),
        (Source::Fixture, Some(s)) => format!(
            "A fixture rule matched: {}",
            s.trigger.clone().unwrap_or_else(|| describe_trigger(s))
        ),
        _ => "No scenario applied: the default result".to_owned(),
    };
    json!({
        "name": c.scenario.as_ref().map_or("default", |s| s.name.as_str()),
        "source": c.scenario_source.as_str(),
        "description": c.scenario.as_ref().map(|s| s.description.clone()),
        // The fixture file's name, not where this machine keeps it.
        "file": c.scenario.as_ref().and_then(|s| s.file.as_deref()).map(|f| {
            std::path::Path::new(f)
                .file_name()
                .map_or_else(|| f.to_owned(), |n| n.to_string_lossy().into_owned())
        }),
        "why": why,
        "effect": c.scenario.as_ref().map(|s| &s.effect),
    })
}

/// `GET /__admin/complycube/checks/{id}`.
pub(super) async fn detail(
    admin: Admin,
    State(api): State<Api>,
    Path(raw): Path<String>,
) -> Result<axum::Json<Value>, AdminError> {
    let oid = id("check", &raw)?;
    let tenant = admin.tenant()?;
    let now = api.core.clocks.now(tenant);
    let (check, rendered, outcome) = api
        .store
        .read(tenant, |t| {
            let c = t.checks.get(&oid)?;
            let done = c.is_complete(now);
            Some((c.clone(), render(t, c, now), done.then(|| outcome(t, c))))
        })
        .ok_or_else(|| missing("check", &raw))?;
    let filter = DeliveryFilter {
        resource_id: Some(check.id.to_string()),
        ..DeliveryFilter::default()
    };
    let (deliveries, _) = api.core.outbox.list(tenant, &filter);
    let mut timeline = vec![json!({
        "at": iso_millis(check.created_at),
        "what": "created",
        "detail": "Created pending",
        "events": ["check.pending"],
    })];
    match (&outcome, check.final_status) {
        (Some(_), FinalStatus::Failed) => timeline.push(json!({
            "at": iso_millis(check.complete_at),
            "what": "completed",
            "detail": "Failed",
            "events": ["check.failed"],
        })),
        (Some(o), FinalStatus::Complete) => timeline.push(json!({
            "at": iso_millis(check.complete_at),
            "what": "completed",
            "detail": format!("Completed: {o}"),
            "events": ["check.completed", format!("check.completed.{o}")],
        })),
        (None, _) => timeline.push(json!({
            "at": iso_millis(check.complete_at),
            "what": "due",
            "detail": "Completes when the tenant's clock reaches this time",
            "events": [],
        })),
    }
    if check.validated_outcome.is_some() || check.match_validations.is_some() {
        timeline.push(json!({
            "at": iso_millis(check.updated_at),
            "what": "validated",
            "detail": "Validated",
            "events": [],
        }));
    }
    Ok(axum::Json(json!({
        "check": rendered,
        "completeAt": iso_millis(check.complete_at),
        "now": iso_millis(now),
        "decidedBy": decided_by(&check),
        "timeline": timeline,
        "deliveries": deliveries,
    })))
}

/// `POST /__admin/complycube/checks/complete-pending`: moves the tenant's
/// clock to the moment its last pending check completes, so every pending
/// check completes now and raises its events once, as time passing would
/// (webhook retries due by then fire too).
pub(super) async fn complete_pending(
    admin: Admin,
    State(api): State<Api>,
) -> Result<axum::Json<Value>, AdminError> {
    let tenant = admin.tenant()?;
    let now = api.core.clocks.now(tenant);
    let (pending, last) = api.store.read(tenant, |t| {
        let due: Vec<Millis> = t
            .checks
            .iter_newest()
            .filter(|c| !c.is_complete(now))
            .map(|c| c.complete_at)
            .collect();
        (due.len(), due.into_iter().max())
    });
    let advanced = match last {
        Some(at) => {
            let ms = at.saturating_sub(now);
            api.core.clocks.advance(tenant, ms).ok_or_else(|| {
                AdminError::bad_request("The tenant's clock cannot move that far")
            })?;
            api.core.clocks.save(tenant).wait().await?;
            ms
        }
        None => 0,
    };
    Ok(axum::Json(
        json!({"completed": pending, "advancedMs": advanced}),
    ))
}
