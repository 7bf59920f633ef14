//! `/v1/teamMembers`: the account's team. Members are managed in
//! ComplyCube's portal only, so every sandbox account has the same shipped
//! team (`data/team_members.json`), one member per documented role, with
//! ComplyCube's 17-character member ids.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, Query};
use axum::routing::get;
use serde_json::Value;

use super::api::{Api, Key};
use super::error::{ApiError, ApiResult};
use super::list::{ListQuery, ListResponse, json_matches};
use crate::ids::parse_time;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/teamMembers", get(list_members))
        .route("/teamMembers/{id}", get(get_member))
}

/// The shipped team, newest first.
static MEMBERS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let mut list: Vec<Value> =
        serde_json::from_str(include_str!("data/team_members.json")).unwrap_or_default();
    list.sort_by(|a, b| b["createdAt"].as_str().cmp(&a["createdAt"].as_str()));
    list
});

async fn get_member(Key(_key): Key, Path(id): Path<String>) -> ApiResult<Value> {
    MEMBERS
        .iter()
        .find(|m| m["id"] == id.as_str())
        .cloned()
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("team member", &id))
}

async fn list_members(
    Key(_key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<ListResponse<Value>> {
    let q = ListQuery::parse(&raw)?;
    let kept: Vec<&Value> = MEMBERS
        .iter()
        .filter(|m| {
            let created = m["createdAt"].as_str().and_then(parse_time).unwrap_or(0);
            !q.impossible
                && q.in_time(created, created)
                && q.filters.iter().all(|(k, v)| json_matches(m, k, v))
        })
        .collect();
    let items = kept
        .iter()
        .skip((q.page - 1).saturating_mul(q.page_size))
        .take(q.page_size)
        .map(|m| (*m).clone())
        .collect();
    Ok(axum::Json(ListResponse::new(&q, kept.len(), items)))
}
