//! The console's client pages: search the tenant's clients by name, email,
//! external id or id; one client with everything it owns.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::checks::summary;
use super::{id, missing};
use crate::admin::{Admin, AdminError};
use crate::complycube::api::Api;
use crate::complycube::facts::RequestFacts;
use crate::complycube::model::Client;
use crate::complycube::risk;
use crate::complycube::tenant::Tenant;
use crate::scenario;

/// The most clients one search returns.
const MAX_RESULTS: usize = 200;

fn matches(c: &Client, needle: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(needle);
    needle.is_empty()
        || has(&c.entity_name)
        || has(&c.email)
        || c.external_id.as_deref().is_some_and(has)
        || c.id.to_string() == needle
}

fn row(t: &Tenant, c: &Client) -> Value {
    json!({
        "id": c.id,
        "type": c.kind,
        "entityName": c.entity_name,
        "email": c.email,
        "externalId": c.external_id,
        "checks": t.checks.of_owner(&c.id).count(),
        "createdAt": crate::ids::iso_millis(c.created_at),
    })
}

/// `GET /__admin/complycube/clients?q=`: newest first.
pub(super) async fn list(
    admin: Admin,
    State(api): State<Api>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<axum::Json<Value>, AdminError> {
    let needle = q
        .get("q")
        .map_or(String::new(), |s| s.trim().to_lowercase());
    let (total, items) = api.store.read(admin.tenant()?, |t| {
        let found: Vec<&Client> = t
            .clients
            .iter_newest()
            .filter(|c| matches(c, &needle))
            .collect();
        let items: Vec<Value> = found.iter().take(MAX_RESULTS).map(|c| row(t, c)).collect();
        (found.len(), items)
    });
    Ok(axum::Json(json!({"total": total, "items": items})))
}

/// The risk profile the API would answer now, by the fixture rules (an
/// armed scenario or a header could still change it; looking uses none).
fn risk_profile(api: &Api, t: &Tenant, c: &Client) -> Value {
    let newest = t
        .addresses
        .page(Some(&c.id), None, 1, 1)
        .items
        .first()
        .map(|a| (a.country.clone(), a.updated_at));
    let facts = RequestFacts {
        check_type: None,
        client: c,
    };
    let headers = HeaderMap::new();
    let req = scenario::Request {
        vendor: "complycube",
        endpoint: "riskProfile",
        facts: &facts,
        headers: &headers,
        image_sha256: &[],
    };
    let catalog = api.core.scenarios.catalog();
    let rule = catalog.scenarios.iter().find(|s| s.matches(&req));
    let forced = rule.and_then(|s| s.effect.text("risk"));
    let updated = newest
        .as_ref()
        .map_or(c.updated_at, |a| a.1.max(c.updated_at));
    let has_address = newest.is_some();
    let country = risk::risk_country(c, newest.map(|a| a.0));
    let mut v = serde_json::to_value(risk::profile(country, has_address, forced, updated))
        .unwrap_or_default();
    v["scenario"] = json!(rule.map(|s| s.name.clone()));
    v
}

fn all<T: serde::Serialize>(items: impl Iterator<Item = T>) -> Vec<Value> {
    let mut v: Vec<Value> = items
        .map(|i| serde_json::to_value(i).unwrap_or_default())
        .collect();
    v.reverse();
    v
}

/// `GET /__admin/complycube/clients/{id}`: the client and everything it owns.
pub(super) async fn detail(
    admin: Admin,
    State(api): State<Api>,
    Path(raw): Path<String>,
) -> Result<axum::Json<Value>, AdminError> {
    let oid = id("client", &raw)?;
    let tenant = admin.tenant()?;
    let now = api.core.clocks.now(tenant);
    api.store
        .read(tenant, |t| {
            let c = t.clients.get(&oid)?;
            let mut checks: Vec<Value> = t
                .checks
                .of_owner(&oid)
                .map(|k| summary(t, k, now))
                .collect();
            checks.reverse();
            Some(json!({
                "client": c,
                "addresses": all(t.addresses.of_owner(&oid)),
                "documents": all(t.documents.of_owner(&oid)),
                "livePhotos": all(t.live_photos.of_owner(&oid)),
                "liveVideos": all(t.live_videos.of_owner(&oid)),
                "riskProfile": risk_profile(&api, t, c),
                "checks": checks,
            }))
        })
        .map(axum::Json)
        .ok_or_else(|| missing("client", &raw))
}
