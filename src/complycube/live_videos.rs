//! `/v1/liveVideos`: get, list by client, redact, delete. ComplyCube has no
//! public create endpoint (its Web/Mobile SDKs record them), so the sandbox
//! seeds them through `POST /__admin/complycube/liveVideos`.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use super::api::Api;
use super::api::Key;
use super::audit::{self, Action, Change};
use super::client_lists::list_by_client;
use super::error::ApiResult;
use super::error::{ApiError, Json};
use super::list::ListResponse;
use super::model::{Challenge, LiveVideo};
use super::validate;
use crate::admin::Admin;
use crate::ids::ObjectId;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/liveVideos", get(list_live_videos))
        .route(
            "/liveVideos/{id}",
            get(get_live_video).delete(delete_live_video),
        )
        .route("/liveVideos/{id}/redact", post(redact_live_video))
}

/// Sandbox-only: `POST /__admin/complycube/liveVideos`.
pub(crate) fn admin_routes() -> Router<Api> {
    Router::new().route("/complycube/liveVideos", post(seed_live_video))
}

pub(crate) const CHALLENGE_TYPES: &[&str] = &["voice", "actions"];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LiveVideoInput {
    client_id: Option<String>,
    language: Option<String>,
    challenges: Option<Vec<Challenge>>,
}

/// The challenges of ComplyCube's live video example.
pub(crate) fn default_challenges() -> Vec<Challenge> {
    vec![
        Challenge {
            kind: "voice".into(),
            value: ["7", "9", "1", "7"].map(String::from).to_vec(),
        },
        Challenge {
            kind: "actions".into(),
            value: vec!["turnHeadLeft".into()],
        },
    ]
}

async fn seed_live_video(
    _admin: Admin,
    State(api): State<Api>,
    Key(key): Key,
    Json(input): Json<LiveVideoInput>,
) -> ApiResult<LiveVideo> {
    let raw_client = validate::required("clientId", &input.client_id)?.to_owned();
    validate::non_blank("language", &input.language)?;
    let challenges = input.challenges.unwrap_or_else(default_challenges);
    for (i, c) in challenges.iter().enumerate() {
        validate::one_of(
            &format!("challenges.{i}.type"),
            &Some(c.kind.clone()),
            CHALLENGE_TYPES,
        )?;
        if c.value.is_empty() {
            return Err(ApiError::invalid(
                &format!("challenges.{i}.value"),
                format!("'challenges.{i}.value' must contain at least one item"),
            ));
        }
    }
    let client_id = validate::id("client", &raw_client)?;
    let now = api.core.clocks.now(&key);
    let video = LiveVideo {
        id: ObjectId::new(now),
        client_id,
        language: Some(input.language.unwrap_or_else(|| "en-GB".into())),
        challenges,
        created_at: now,
        updated_at: now,
    };
    api.store
        .write(&key, |t, _| {
            if !t.clients.contains(&client_id) {
                return Err(ApiError::not_found("client", &raw_client));
            }
            t.live_videos
                .insert(video.id, Some(client_id), video.clone());
            Ok(())
        })
        .await?;
    Ok(axum::Json(video))
}

fn find(api: &Api, key: &str, id: &str) -> Result<LiveVideo, ApiError> {
    let oid = validate::id("live video", id)?;
    api.store
        .read(key, |t| t.live_videos.get(&oid).cloned())
        .ok_or_else(|| ApiError::not_found("live video", id))
}

async fn get_live_video(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<LiveVideo> {
    find(&api, &key, &id).map(axum::Json)
}

/// Redaction is acknowledged and the live video returned unchanged.
async fn redact_live_video(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<LiveVideo> {
    find(&api, &key, &id).map(axum::Json)
}

async fn delete_live_video(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let oid = validate::id("live video", &id)?;
    let now = api.core.clocks.now(&key);
    api.store
        .write(&key, |t, _| {
            if !t.live_videos.contains(&oid) {
                return Err(ApiError::not_found("live video", &id));
            }
            if t.is_used_by_check(t.live_videos.owner_of(&oid), &oid) {
                return Err(ApiError::in_use("live video", &id));
            }
            if let Some(v) = t.live_videos.remove(&oid) {
                let change = Change::new(
                    "liveVideo",
                    oid,
                    Some(v.client_id),
                    "deleteLiveVideo",
                    Action::Delete,
                );
                t.audit(now, change, audit::snapshot(&v), None);
            }
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}

async fn list_live_videos(
    State(api): State<Api>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<ListResponse<LiveVideo>> {
    list_by_client(&api.store, &key, &raw, |t| &t.live_videos).map(axum::Json)
}
