//! ComplyCube's part of the QA console: its pages (clients, a client, the
//! checks, a check; the tenant's webhooks on the webhooks page) in
//! `console.js`, drawn from the sandbox-only JSON routes below, under
//! `/__admin/complycube/`. They read the store directly: no journal entry,
//! no fault, no scenario use, so looking never changes what is looked at.

mod checks;
mod clients;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::api::Api;
use super::model::Side;
use crate::admin::{Admin, AdminError};
use crate::console::Part;
use crate::ids::ObjectId;

pub(crate) static PART: Part = Part {
    nav: &[("Clients", "clients"), ("Checks", "checks")],
    script: include_str!("console.js"),
    files: &[("complycube-flow.js", include_str!("../flow_page.js"))],
};

pub(crate) fn admin_routes() -> Router<Api> {
    Router::new()
        .route("/complycube/clients", get(clients::list))
        .route("/complycube/clients/{id}", get(clients::detail))
        .route("/complycube/checks", get(checks::list))
        .route("/complycube/checks/{id}", get(checks::detail))
        .route(
            "/complycube/checks/complete-pending",
            post(checks::complete_pending),
        )
        .route("/complycube/webhooks", get(webhooks))
        .route(
            "/complycube/documents/{id}/images/{side}",
            get(document_image),
        )
        .route("/complycube/livePhotos/{id}/image", get(live_photo_image))
}

/// The id as sent, parsed, or the admin 404 naming it.
pub(super) fn id(resource: &str, raw: &str) -> Result<ObjectId, AdminError> {
    ObjectId::parse(raw).ok_or_else(|| missing(resource, raw))
}

pub(super) fn missing(resource: &str, raw: &str) -> AdminError {
    AdminError::not_found(format!("No {resource} '{raw}' for this tenant"))
}

async fn webhooks(admin: Admin, State(api): State<Api>) -> Result<axum::Json<Value>, AdminError> {
    let items: Vec<Value> = api.store.read(admin.tenant()?, |t| {
        t.webhooks
            .iter_newest()
            .map(|w| serde_json::to_value(w).unwrap_or_default())
            .collect()
    });
    Ok(axum::Json(json!({"count": items.len(), "items": items})))
}

/// The media type of stored image bytes, from their first bytes.
fn sniff(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(b"\xFF\xD8") {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF8") {
        "image/gif"
    } else if bytes.starts_with(b"%PDF") {
        "application/pdf"
    } else {
        "application/octet-stream"
    }
}

/// Stored bytes as a download that can never run as a page.
fn image(bytes: Bytes) -> Response {
    let kind = sniff(&bytes);
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    res
}

async fn document_image(
    admin: Admin,
    State(api): State<Api>,
    Path((raw, side)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let oid = id("document", &raw)?;
    let side = Side::parse(&side).ok_or_else(|| missing("image side", &side))?;
    api.store
        .read(admin.tenant()?, |t| {
            let doc = t.documents.get(&oid)?;
            doc.image(side).map(|i| i.blob.bytes.clone())
        })
        .map(image)
        .ok_or_else(|| missing("document image", &raw))
}

async fn live_photo_image(
    admin: Admin,
    State(api): State<Api>,
    Path(raw): Path<String>,
) -> Result<Response, AdminError> {
    let oid = id("live photo", &raw)?;
    api.store
        .read(admin.tenant()?, |t| {
            t.live_photos.get(&oid).map(|p| p.blob.bytes.clone())
        })
        .map(image)
        .ok_or_else(|| missing("live photo", &raw))
}
