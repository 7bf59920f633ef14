//! `/v1/documents`: create, get, update (POST), delete, list by client, and
//! the per-side image attachments (upload, download, delete) plus redaction.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::list::ListResponse;
use super::model::{Document, DocumentImage, Side};
use super::store::{FaceSighting, Tenant, list_by_client};
use super::validate;
use super::{ApiError, Json, Key};
use crate::app::AppState;
use crate::ids::ObjectId;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/documents", post(create_document).get(list_documents))
        .route(
            "/documents/{id}",
            get(get_document)
                .post(update_document)
                .put(update_document)
                .patch(update_document)
                .delete(delete_document),
        )
        .route("/documents/{id}/upload/{side}", post(upload_image))
        .route("/documents/{id}/download/{side}", get(download_side))
        .route(
            "/documents/{id}/images/{image_id}/download",
            get(download_image),
        )
        .route("/documents/{id}/redact", post(redact_document))
        .route("/documents/{id}/{side}", delete(delete_image))
}

pub const DOCUMENT_TYPES: &[&str] = &[
    "passport",
    "driving_license",
    "national_insurance_number",
    "social_security_number",
    "tax_identification_number",
    "utility_bill",
    "national_identity_card",
    "visa",
    "polling_card",
    "residence_permit",
    "birth_certificate",
    "bank_statement",
    "change_of_name",
    "tax_document",
    "company_confirmation_statement",
    "company_annual_accounts",
    "company_statement_of_capital",
    "company_change_of_address",
    "company_incorporation",
    "company_change_of_officers",
    "company_change_of_beneficial_owners",
    "unknown",
    "other",
];

pub const CLASSIFICATIONS: &[&str] = &[
    "proof_of_identity",
    "source_of_wealth",
    "source_of_funds",
    "proof_of_address",
    "company_filing",
    "other",
];

const SIDES: &[&str] = &["front", "back"];

/// The refusal to delete something a check has used. ComplyCube documents
/// the rule ("not possible") but no status; this answers 422 like its other
/// processing errors.
pub fn in_use(resource: &str, id: &str) -> ApiError {
    ApiError::processing(
        "resource_in_use",
        format!("The {resource} '{id}' has been used by a check and cannot be deleted"),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentInput {
    client_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    classification: Option<String>,
    issuing_country: Option<String>,
}

fn validate_optional(input: &DocumentInput) -> Result<(), ApiError> {
    validate::one_of("type", &input.kind, DOCUMENT_TYPES)?;
    validate::one_of("classification", &input.classification, CLASSIFICATIONS)?;
    validate::alpha2("issuingCountry", &input.issuing_country)
}

fn parse_side(raw: &str) -> Result<Side, ApiError> {
    Side::parse(raw).ok_or_else(|| ApiError::not_allowed("side", SIDES))
}

async fn create_document(
    State(state): State<AppState>,
    Key(key): Key,
    Json(input): Json<DocumentInput>,
) -> ApiResult<Document> {
    let raw_client = validate::required("clientId", &input.client_id)?.to_owned();
    let kind = validate::required("type", &input.kind)?.to_owned();
    validate_optional(&input)?;
    let client_id = validate::id("client", &raw_client)?;
    let now = state.core.clocks.now(&key);
    let doc = Document {
        id: ObjectId::new(now),
        client_id,
        kind,
        classification: input.classification,
        issuing_country: input.issuing_country,
        images: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    state.complycube.with(&key, |t| {
        if !t.clients.contains(&client_id) {
            return Err(ApiError::not_found("client", &raw_client));
        }
        t.documents.insert(doc.id, Some(client_id), doc.clone());
        Ok(())
    })?;
    super::events::emit(
        &state,
        &key,
        "document.created",
        super::events::document_payload(&doc),
    );
    Ok(axum::Json(doc))
}

async fn get_document(
    State(state): State<AppState>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<Document> {
    let oid = validate::id("document", &id)?;
    state
        .complycube
        .with(&key, |t| t.documents.get(&oid).cloned())
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("document", &id))
}

async fn update_document(
    State(state): State<AppState>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<DocumentInput>,
) -> ApiResult<Document> {
    let oid = validate::id("document", &id)?;
    validate::non_blank("type", &input.kind)?;
    validate_optional(&input)?;
    let now = state.core.clocks.now(&key);
    let updated = state.complycube.with(&key, |t| {
        let doc = t
            .documents
            .get_mut(&oid)
            .ok_or_else(|| ApiError::not_found("document", &id))?;
        if let Some(c) = &input.client_id {
            if *c != doc.client_id.to_string() {
                return Err(ApiError::invalid(
                    "clientId",
                    "'clientId' cannot be changed once a document is created",
                ));
            }
        }
        if let Some(k) = &input.kind {
            doc.kind.clone_from(k);
        }
        if input.classification.is_some() {
            doc.classification.clone_from(&input.classification);
        }
        if input.issuing_country.is_some() {
            doc.issuing_country.clone_from(&input.issuing_country);
        }
        doc.updated_at = now;
        Ok(doc.clone())
    })?;
    super::events::emit(
        &state,
        &key,
        "document.updated",
        super::events::document_payload(&updated),
    );
    Ok(axum::Json(updated))
}

async fn delete_document(
    State(state): State<AppState>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let oid = validate::id("document", &id)?;
    let removed = state.complycube.with(&key, |t| {
        if !t.documents.contains(&oid) {
            return Err(ApiError::not_found("document", &id));
        }
        if t.is_used_by_check(&oid) {
            return Err(in_use("document", &id));
        }
        let doc = t
            .documents
            .remove(&oid)
            .ok_or_else(|| ApiError::not_found("document", &id))?;
        t.forget_faces(|s| s.document_id == Some(oid));
        Ok(doc)
    })?;
    super::events::emit(
        &state,
        &key,
        "document.deleted",
        super::events::document_payload(&removed),
    );
    Ok(StatusCode::NO_CONTENT)
}

async fn list_documents(
    State(state): State<AppState>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<ListResponse<Document>> {
    list_by_client(&state.complycube, &key, &raw, |t| &t.documents).map(axum::Json)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadInput {
    file_name: Option<String>,
    data: Option<String>,
}

/// The content type ComplyCube reports for an attachment name: `image/jpg`
/// for both `.jpg` and `.jpeg`, as in its examples.
fn content_type(file_name: &str) -> Option<&'static str> {
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
    State(state): State<AppState>,
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
    let blob = validate::image("data", &input.data, state.core.config.relax_image_size)?;
    let now = state.core.clocks.now(&key);
    let (image, doc) = state.complycube.with(&key, |t| {
        let doc = t
            .documents
            .get_mut(&oid)
            .ok_or_else(|| ApiError::not_found("document", &id))?;
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
        doc.images.retain(|i| i.document_side != side);
        doc.images.push(image.clone());
        doc.images.sort_by_key(|i| i.document_side != Side::Front);
        doc.updated_at = now;
        let doc = doc.clone();
        refresh_faces(t, oid);
        Ok::<_, ApiError>((image, doc))
    })?;
    super::events::emit(
        &state,
        &key,
        "document.updated.image_uploaded",
        super::events::document_payload(&doc),
    );
    Ok(axum::Json(image))
}

/// An attachment download: the stored bytes, base64-encoded.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Download {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub content_type: String,
    pub data: String,
}

impl Download {
    fn of(image: &DocumentImage) -> Self {
        Download {
            file_name: Some(image.file_name.clone()),
            content_type: image.content_type.clone(),
            data: base64::engine::general_purpose::STANDARD.encode(&image.blob.bytes),
        }
    }
}

async fn download_side(
    State(state): State<AppState>,
    Key(key): Key,
    Path((id, side)): Path<(String, String)>,
) -> ApiResult<Download> {
    let oid = validate::id("document", &id)?;
    let side = parse_side(&side)?;
    state.complycube.with(&key, |t| {
        let doc = t
            .documents
            .get(&oid)
            .ok_or_else(|| ApiError::not_found("document", &id))?;
        let image = doc.image(side).ok_or_else(|| no_image(&id, side))?;
        Ok(axum::Json(Download::of(image)))
    })
}

async fn download_image(
    State(state): State<AppState>,
    Key(key): Key,
    Path((id, image_id)): Path<(String, String)>,
) -> ApiResult<Download> {
    let oid = validate::id("document", &id)?;
    let iid = validate::id("image", &image_id)?;
    state.complycube.with(&key, |t| {
        let doc = t
            .documents
            .get(&oid)
            .ok_or_else(|| ApiError::not_found("document", &id))?;
        let image = doc
            .images
            .iter()
            .find(|i| i.id == iid)
            .ok_or_else(|| ApiError::not_found("image", &image_id))?;
        Ok(axum::Json(Download::of(image)))
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
    State(state): State<AppState>,
    Key(key): Key,
    Path((id, side)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let oid = validate::id("document", &id)?;
    let side = parse_side(&side)?;
    let now = state.core.clocks.now(&key);
    let doc = state.complycube.with(&key, |t| {
        let used = t.is_used_by_check(&oid);
        let doc = t
            .documents
            .get_mut(&oid)
            .ok_or_else(|| ApiError::not_found("document", &id))?;
        if doc.image(side).is_none() {
            return Err(no_image(&id, side));
        }
        if used {
            return Err(in_use("document", &id));
        }
        doc.images.retain(|i| i.document_side != side);
        doc.updated_at = now;
        let doc = doc.clone();
        refresh_faces(t, oid);
        Ok(doc)
    })?;
    super::events::emit(
        &state,
        &key,
        "document.updated.image_deleted",
        super::events::document_payload(&doc),
    );
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize)]
pub struct RedactInput {
    #[serde(default)]
    #[allow(dead_code)]
    attributes: Option<Vec<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    images: Option<Vec<String>>,
}

/// Redaction is acknowledged (the request is type-checked) and the document
/// returned; the sandbox keeps no extracted data to erase.
async fn redact_document(
    State(state): State<AppState>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(_input): Json<RedactInput>,
) -> ApiResult<Document> {
    let oid = validate::id("document", &id)?;
    state
        .complycube
        .with(&key, |t| t.documents.get(&oid).cloned())
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("document", &id))
}
