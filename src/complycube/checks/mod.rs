//! `/v1/checks`: create, get, list, update, validate, redact.

mod create;
mod review;

pub(crate) use review::{REDACTABLE, REDACTABLE_IMAGES, REJECTION_REASONS};

pub(crate) use create::{CheckInput, Created, create_with};

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use super::api::{Api, Key};
use super::check::Check;
use super::error::ApiError;
use super::list::{ListQuery, ListResponse};
use super::render::{outcome, render};
use super::tenant::Tenant;
use super::validate;
use crate::ids::{Millis, ObjectId};

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/checks", post(create::create_check).get(list_checks))
        .route(
            "/checks/{id}",
            get(get_check)
                .post(review::update_check)
                .put(review::update_check)
                .patch(review::update_check),
        )
        .route("/checks/{id}/validate", post(review::validate_check))
        .route("/checks/{id}/redact", post(review::redact_check))
}

/// Sandbox-only: `POST /__admin/complycube/checks` (a workflow session's check).
pub(crate) fn admin_routes() -> Router<Api> {
    Router::new().route("/complycube/checks", post(create::seed_check))
}

/// The tenant's check by the id as sent (404 when malformed or unknown).
fn find<'a>(t: &'a Tenant, id: &str) -> Result<&'a Check, ApiError> {
    let oid = validate::id("check", id)?;
    t.checks
        .get(&oid)
        .ok_or_else(|| ApiError::not_found("check", id))
}

/// Served from the tenant's kept renderings: a poll costs a lookup.
async fn get_check(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let now = api.core.clocks.now(&key);
    let json = api.store.read(&key, |t| {
        find(t, &id).map(|c| t.rendered.json(c, now, || render(t, c, now)))
    })?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response())
}

/// Typed check filters: no rendering needed to decide (a complete check's
/// outcome is built once per change, then kept).
fn check_filter(q: &ListQuery, t: &Tenant, c: &Check, now: Millis) -> bool {
    if q.impossible || !q.in_time(c.created_at, c.updated(now)) {
        return false;
    }
    q.filters.iter().all(|(k, v)| {
        let id_eq = |id: Option<ObjectId>| id.is_some_and(|i| i.to_string() == *v);
        match k.as_str() {
            "type" => c.kind.as_str() == v,
            "status" => c.status(now) == v,
            "documentId" => id_eq(c.document_id),
            "addressId" => id_eq(c.address_id),
            "livePhotoId" => id_eq(c.live_photo_id),
            "liveVideoId" => id_eq(c.live_video_id),
            "entityName" => &*c.entity_name == v,
            "enableMonitoring" => v == if c.enable_monitoring { "true" } else { "false" },
            "result.outcome" => {
                c.status(now) == "complete" && *t.rendered.outcome(c, || outcome(t, c)) == **v
            }
            // Unsupported filters match nothing, as ComplyCube documents.
            _ => false,
        }
    })
}

async fn list_checks(
    State(api): State<Api>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<axum::Json<ListResponse<Value>>, ApiError> {
    let mut q = ListQuery::parse(&raw)?;
    let client = q.take("clientId");
    let now = api.core.clocks.now(&key);
    let (total, items) = api.store.read(&key, |t| {
        let owner = match &client {
            Some(raw) => match ObjectId::parse(raw) {
                Some(id) => Some(id),
                None => return (0, Vec::new()),
            },
            None => None,
        };
        let keep = |c: &Check| check_filter(&q, t, c, now);
        let keep_ref: &dyn Fn(&Check) -> bool = &keep;
        let p = t.checks.page(
            owner.as_ref(),
            q.has_conditions().then_some(keep_ref),
            q.page,
            q.page_size,
        );
        (
            p.total,
            p.items.into_iter().map(|c| render(t, c, now)).collect(),
        )
    });
    Ok(axum::Json(ListResponse::new(&q, total, items)))
}
