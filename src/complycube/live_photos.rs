//! `/v1/livePhotos`: upload (create), get, download, redact, delete, list by client.

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
use super::images::Download;
use super::list::ListResponse;
use super::model::LivePhoto;
use super::tenant::FaceSighting;
use super::validate;
use crate::ids::ObjectId;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/livePhotos", post(create_live_photo).get(list_live_photos))
        .route(
            "/livePhotos/{id}",
            get(get_live_photo).delete(delete_live_photo),
        )
        .route("/livePhotos/{id}/download", get(download_live_photo))
        .route("/livePhotos/{id}/redact", post(redact_live_photo))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LivePhotoInput {
    client_id: Option<String>,
    data: Option<String>,
    perform_liveness_check: Option<bool>,
}

/// The content type of a live photo: `image/png` for a PNG (recognised by
/// its signature), `image/jpg` otherwise, as for document images. The
/// live-photo example's `images/jpg` is the same placeholder the report
/// example shows for what its own object table calls `application/pdf`, so
/// it is not taken literally.
pub(crate) fn content_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else {
        "image/jpg"
    }
}

async fn create_live_photo(
    State(api): State<Api>,
    Key(key): Key,
    Json(input): Json<LivePhotoInput>,
) -> ApiResult<LivePhoto> {
    let raw_client = validate::required("clientId", &input.client_id)?.to_owned();
    let blob = validate::image("data", &input.data, api.core.config.relax_image_size)?;
    let client_id = validate::id("client", &raw_client)?;
    let now = api.core.clocks.now(&key);
    let id = ObjectId::new(now);
    let photo = LivePhoto {
        id,
        client_id,
        download_link: format!("/livePhotos/{id}/download"),
        content_type: content_type(&blob.bytes).to_owned(),
        size: blob.bytes.len(),
        perform_liveness_check: input.perform_liveness_check.unwrap_or(true),
        created_at: now,
        updated_at: now,
        blob,
    };
    api.store
        .write(&key, |t, _| {
            if !t.clients.contains(&client_id) {
                return Err(ApiError::not_found("client", &raw_client));
            }
            t.live_photos.insert(id, Some(client_id), photo.clone());
            let change = Change::new(
                "livePhoto",
                id,
                Some(client_id),
                "createLivePhoto",
                Action::Create,
            );
            t.audit(now, change, None, audit::snapshot(&photo));
            t.record_face(
                photo.blob.sha256,
                FaceSighting {
                    client_id,
                    live_photo_id: Some(id),
                    document_id: None,
                },
            );
            Ok(())
        })
        .await?;
    Ok(axum::Json(photo))
}

fn find(api: &Api, key: &str, id: &str) -> Result<LivePhoto, ApiError> {
    let oid = validate::id("live photo", id)?;
    api.store
        .read(key, |t| t.live_photos.get(&oid).cloned())
        .ok_or_else(|| ApiError::not_found("live photo", id))
}

async fn get_live_photo(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<LivePhoto> {
    find(&api, &key, &id).map(axum::Json)
}

async fn download_live_photo(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<Download> {
    let photo = find(&api, &key, &id)?;
    Ok(axum::Json(Download::of_blob(
        &photo.content_type,
        &photo.blob,
    )))
}

/// Redaction is acknowledged and the live photo returned unchanged.
async fn redact_live_photo(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<LivePhoto> {
    find(&api, &key, &id).map(axum::Json)
}

async fn delete_live_photo(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let oid = validate::id("live photo", &id)?;
    let now = api.core.clocks.now(&key);
    api.store
        .write(&key, |t, _| {
            if !t.live_photos.contains(&oid) {
                return Err(ApiError::not_found("live photo", &id));
            }
            if t.is_used_by_check(t.live_photos.owner_of(&oid), &oid) {
                return Err(ApiError::in_use("live photo", &id));
            }
            if let Some(p) = t.live_photos.remove(&oid) {
                let change = Change::new(
                    "livePhoto",
                    oid,
                    Some(p.client_id),
                    "deleteLivePhoto",
                    Action::Delete,
                );
                t.audit(now, change, audit::snapshot(&p), None);
            }
            t.forget_faces(|s| s.live_photo_id == Some(oid));
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_live_photos(
    State(api): State<Api>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<ListResponse<LivePhoto>> {
    list_by_client(&api.store, &key, &raw, |t| &t.live_photos).map(axum::Json)
}
