//! `/v1/documents`: create, get, update (POST), delete, list by client and
//! redaction. The per-side images are [`super::document_images`].

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use super::api::{Api, Key};
use super::audit::{self, Action, Change};
use super::client_lists::list_by_client;
use super::document_images;
use super::error::ApiResult;
use super::error::{ApiError, Json};
use super::list::ListResponse;
use super::model::Document;
use super::validate;
use crate::ids::ObjectId;

pub(crate) fn routes() -> Router<Api> {
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
        .route("/documents/{id}/redact", post(redact_document))
        .merge(document_images::routes())
}

pub(crate) const DOCUMENT_TYPES: &[&str] = &[
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

pub(crate) const CLASSIFICATIONS: &[&str] = &[
    "proof_of_identity",
    "source_of_wealth",
    "source_of_funds",
    "proof_of_address",
    "company_filing",
    "other",
];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DocumentInput {
    client_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    classification: Option<String>,
    issuing_country: Option<String>,
    document_number: Option<String>,
}

fn validate_optional(input: &DocumentInput) -> Result<(), ApiError> {
    validate::one_of("type", &input.kind, DOCUMENT_TYPES)?;
    validate::one_of("classification", &input.classification, CLASSIFICATIONS)?;
    validate::alpha2("issuingCountry", &input.issuing_country)?;
    validate::non_blank("documentNumber", &input.document_number)
}

async fn create_document(
    State(api): State<Api>,
    Key(key): Key,
    Json(input): Json<DocumentInput>,
) -> ApiResult<Document> {
    let raw_client = validate::required("clientId", &input.client_id)?.to_owned();
    let kind = validate::required("type", &input.kind)?.to_owned();
    validate_optional(&input)?;
    let client_id = validate::id("client", &raw_client)?;
    let now = api.core.clocks.now(&key);
    let doc = Document {
        id: ObjectId::new(now),
        client_id,
        kind,
        classification: input.classification,
        issuing_country: input.issuing_country,
        document_number: input.document_number,
        images: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    api.store
        .write(&key, |t, _| {
            if !t.clients.contains(&client_id) {
                return Err(ApiError::not_found("client", &raw_client));
            }
            t.documents.insert(doc.id, Some(client_id), doc.clone());
            let change = Change::new(
                "document",
                doc.id,
                Some(client_id),
                "createDocument",
                Action::Create,
            );
            t.audit(now, change, None, audit::snapshot(&doc));
            Ok(())
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "document.created",
        super::events::document_payload(&doc),
    )
    .await?;
    Ok(axum::Json(doc))
}

async fn get_document(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<Document> {
    let oid = validate::id("document", &id)?;
    api.store
        .read(&key, |t| t.documents.get(&oid).cloned())
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("document", &id))
}

async fn update_document(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<DocumentInput>,
) -> ApiResult<Document> {
    let oid = validate::id("document", &id)?;
    validate::non_blank("type", &input.kind)?;
    validate_optional(&input)?;
    let now = api.core.clocks.now(&key);
    let updated = api
        .store
        .write(&key, |t, _| {
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
            let before = audit::snapshot(&*doc);
            if let Some(k) = &input.kind {
                doc.kind.clone_from(k);
            }
            if input.classification.is_some() {
                doc.classification.clone_from(&input.classification);
            }
            if input.issuing_country.is_some() {
                doc.issuing_country.clone_from(&input.issuing_country);
            }
            if input.document_number.is_some() {
                doc.document_number.clone_from(&input.document_number);
            }
            doc.updated_at = now;
            let doc = doc.clone();
            let change = Change::new(
                "document",
                oid,
                Some(doc.client_id),
                "updateDocument",
                Action::Update,
            );
            t.audit(now, change, before, audit::snapshot(&doc));
            Ok(doc)
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "document.updated",
        super::events::document_payload(&updated),
    )
    .await?;
    Ok(axum::Json(updated))
}

async fn delete_document(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let oid = validate::id("document", &id)?;
    let now = api.core.clocks.now(&key);
    let removed = api
        .store
        .write(&key, |t, _| {
            if !t.documents.contains(&oid) {
                return Err(ApiError::not_found("document", &id));
            }
            if t.is_used_by_check(t.documents.owner_of(&oid), &oid) {
                return Err(ApiError::in_use("document", &id));
            }
            let doc = t
                .documents
                .remove(&oid)
                .ok_or_else(|| ApiError::not_found("document", &id))?;
            t.forget_faces(|s| s.document_id == Some(oid));
            let change = Change::new(
                "document",
                oid,
                Some(doc.client_id),
                "deleteDocument",
                Action::Delete,
            );
            t.audit(now, change, audit::snapshot(&doc), None);
            Ok(doc)
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "document.deleted",
        super::events::document_payload(&removed),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_documents(
    State(api): State<Api>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<ListResponse<Document>> {
    list_by_client(&api.store, &key, &raw, |t| &t.documents).map(axum::Json)
}

/// The documented redaction request: its fields are type-checked (a
/// mistyped one is a 400 naming it) though nothing is stored to erase.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RedactInput {
    #[serde(default, rename = "attributes")]
    _attributes: Option<Vec<String>>,
    #[serde(default, rename = "images")]
    _images: Option<Vec<String>>,
}

/// Redaction is acknowledged (the request is type-checked) and the document
/// returned; the sandbox keeps no extracted data to erase.
async fn redact_document(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(_input): Json<RedactInput>,
) -> ApiResult<Document> {
    let oid = validate::id("document", &id)?;
    api.store
        .read(&key, |t| t.documents.get(&oid).cloned())
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("document", &id))
}
