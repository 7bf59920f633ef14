//! A document's per-side images: upload, download (by side or image id)
//! and delete. Uploads record the face bytes for `previouslyEnrolledFace`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;

use super::api::{Api, Key};
use super::audit::{self, Action, Change};
use super::error::{ApiError, ApiResult, Json};
use super::images::Download;
use super::model::{DocumentImage, Side};
use super::persist;
use super::tenant::{FaceSighting, Tenant};
use super::validate;
use crate::ids::ObjectId;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/documents/{id}/upload/{side}", post(upload_image))
        .route("/documents/{id}/download/{side}", get(download_side))
        .route(
            "/documents/{id}/images/{image_id}/download",
            get(download_image),
        )
        .route("/documents/{id}/{side}", delete(delete_image))
}

const SIDES: &[&str] = &["front", "back"];

fn parse_side(raw: &str) -> Result<Side, ApiError> {
    Side::parse(raw).ok_or_else(|| ApiError::not_allowed("side", SIDES))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UploadInput {
    file_name: Option<String>,
    data: Option<String>,
}

/// The content type ComplyCube reports for an attachment name: `image/jpg`
/// for both `.jpg` and `.jpeg`, as in its examples.
pub(crate) fn content_type(file_name: &str) -> Option<&'static str> {
    let (_, ext) = file_name.rsplit_once('.')?;
    match ext.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => Some("image/jpg"),
        "png" => Some("image/png"),
        "pdf" => Some("application/pdf"),
        _ => None,
    }
}

/// Re-derives a document's face sightings from its current images.
fn refresh_faces(t: &mut Tenant, doc_id: ObjectId) {
    t.forget_faces(|s| s.document_id == Some(doc_id));
    let Some(doc) = t.documents.get(&doc_id) else {
        return;
    };
    let seen: Vec<_> = doc
        .images
        .iter()
        .map(|i| {
            (
                i.blob.sha256,
                FaceSighting {
                    client_id: doc.client_id,
                    document_id: Some(doc_id),
                    live_photo_id: None,
                },
            )
        })
        .collect();
    for (sha, s) in seen {
        t.record_face(sha, s);
    }
}

async fn upload_image(
    State(api): State<Api>,
    Key(key): Key,
    Path((id, side)): Path<(String, String)>,
    Json(input): Json<UploadInput>,
) -> ApiResult<DocumentImage> {
    let oid = validate::id("document", &id)?;
    let side = parse_side(&side)?;
    let file_name = validate::required("fileName", &input.file_name)?.to_owned();
    let ctype = content_type(&file_name).ok_or_else(|| {
        ApiError::invalid(
            "fileName",
            "'fileName' must have one of the extensions: .jpg, .jpeg, .png, .pdf",
        )
    })?;
    let blob = validate::image("data", &input.data, api.core.config.relax_image_size)?;
    let now = api.core.clocks.now(&key);
    let (image, doc) = api
        .store
        .write(&key, |t, batch| {
            let doc = t
                .documents
                .get_mut(&oid)
                .ok_or_else(|| ApiError::not_found("document", &id))?;
            let before = audit::snapshot(&*doc);
            let image_id = ObjectId::new(now);
            let image = DocumentImage {
                id: image_id,
                download_link: format!("/documents/{oid}/images/{image_id}/download"),
                file_name,
                document_side: side,
                content_type: ctype.to_owned(),
                size: blob.bytes.len(),
                created_at: now,
                updated_at: now,
                blob,
            };
            for old in doc.images.iter().filter(|i| i.document_side == side) {
                persist::delete_image(batch, &key, old.id);
            }
            persist::put_image(batch, &key, oid, &image);
            doc.images.retain(|i| i.document_side != side);
            doc.images.push(image.clone());
            doc.images.sort_by_key(|i| i.document_side != Side::Front);
            doc.updated_at = now;
            let doc = doc.clone();
            refresh_faces(t, oid);
            let change = Change::new(
                "document",
                oid,
                Some(doc.client_id),
                "uploadDocumentImage",
                Action::Update,
            );
            t.audit(now, change, before, audit::snapshot(&doc));
            Ok::<_, ApiError>((image, doc))
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "document.updated.image_uploaded",
        super::events::document_payload(&doc),
    )
    .await?;
    Ok(axum::Json(image))
}

async fn download_side(
    State(api): State<Api>,
    Key(key): Key,
    Path((id, side)): Path<(String, String)>,
) -> ApiResult<Download> {
    let oid = validate::id("document", &id)?;
    let side = parse_side(&side)?;
    api.store.read(&key, |t| {
        let doc = t
            .documents
            .get(&oid)
            .ok_or_else(|| ApiError::not_found("document", &id))?;
        let image = doc.image(side).ok_or_else(|| no_image(&id, side))?;
        Ok(axum::Json(Download::of_image(image)))
    })
}

async fn download_image(
    State(api): State<Api>,
    Key(key): Key,
    Path((id, image_id)): Path<(String, String)>,
) -> ApiResult<Download> {
    let oid = validate::id("document", &id)?;
    let iid = validate::id("image", &image_id)?;
    api.store.read(&key, |t| {
        let doc = t
            .documents
            .get(&oid)
            .ok_or_else(|| ApiError::not_found("document", &id))?;
        let image = doc
            .images
            .iter()
            .find(|i| i.id == iid)
            .ok_or_else(|| ApiError::not_found("image", &image_id))?;
        Ok(axum::Json(Download::of_image(image)))
    })
}

fn no_image(id: &str, side: Side) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "resource_not_found",
        format!("The document '{id}' has no {} image", side.as_str()),
    )
}

async fn delete_image(
    State(api): State<Api>,
    Key(key): Key,
    Path((id, side)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let oid = validate::id("document", &id)?;
    let side = parse_side(&side)?;
    let now = api.core.clocks.now(&key);
    let doc = api
        .store
        .write(&key, |t, batch| {
            let used = t.is_used_by_check(t.documents.owner_of(&oid), &oid);
            let doc = t
                .documents
                .get_mut(&oid)
                .ok_or_else(|| ApiError::not_found("document", &id))?;
            if doc.image(side).is_none() {
                return Err(no_image(&id, side));
            }
            if used {
                return Err(ApiError::in_use("document", &id));
            }
            let before = audit::snapshot(&*doc);
            for old in doc.images.iter().filter(|i| i.document_side == side) {
                persist::delete_image(batch, &key, old.id);
            }
            doc.images.retain(|i| i.document_side != side);
            doc.updated_at = now;
            let doc = doc.clone();
            refresh_faces(t, oid);
            let change = Change::new(
                "document",
                oid,
                Some(doc.client_id),
                "deleteDocumentImage",
                Action::Update,
            );
            t.audit(now, change, before, audit::snapshot(&doc));
            Ok(doc)
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "document.updated.image_deleted",
        super::events::document_payload(&doc),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
