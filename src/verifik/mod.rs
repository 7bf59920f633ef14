//! Verifik `/v2/face-recognition` emulation.
//!
//! Emulated: `compare-with-liveness` (the primary target), `compare`,
//! `compare-live`, `liveness` and `liveness-score` ([`biometrics`]). The
//! search, detect and verify endpoints answer 501 in Verifik's shape; any
//! other path under `/v2`, a wrong method, bad JSON, an oversized body or a
//! panic also answers Verifik's flat `{code, message}` JSON.
//!
//! Tenancy: the token (`Bearer <t>`, `JWT <t>` or a bare `<t>`) is the tenant.
//! Any token is accepted unless `--api-keys` lists the valid ones. A token an
//! admin marked expired gets Verifik's 403.

mod biometrics;
mod error;
mod image;
mod score;
mod validate;

pub use biometrics::{client_id, envelope, signature_time};
pub use error::{VJson, VerifikError};
pub use image::MIN_BASE64_CHARS;

use std::collections::HashSet;
use std::sync::Mutex;

use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::catch_panic::CatchPanicLayer;

use crate::admin::{Admin, AdminError, AdminJson};
use crate::app::{AppState, tenant_key};
use crate::journal::UnknownRoute;

/// Per-tenant Verifik state: which tokens are marked expired. A token is its
/// own tenant, so the mark lives under the token it concerns.
#[derive(Default)]
pub struct Store {
    expired: Mutex<HashSet<String>>,
}

impl Store {
    pub fn expire(&self, token: &str) {
        self.lock().insert(token.to_owned());
    }

    /// `false` when the token was not marked.
    pub fn unexpire(&self, token: &str) -> bool {
        self.lock().remove(token)
    }

    pub fn is_expired(&self, token: &str) -> bool {
        self.lock().contains(token)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.expired.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl crate::store::TenantData for Store {
    fn reset_tenant(&self, tenant: &str) {
        self.lock().remove(tenant);
    }

    fn reset_all(&self) {
        self.lock().clear();
    }
}

/// Verifik endpoints this sandbox knows but does not emulate (501).
pub const NOT_EMULATED: &[&str] = &[
    "/face-recognition/search",
    "/face-recognition/search-live-face",
    "/face-recognition/search-active-user",
    "/face-recognition/search/crops",
    "/face-recognition/detect",
    "/face-recognition/verify",
];

/// The `/v2` route table.
pub fn router() -> Router<AppState> {
    let mut r = biometrics::routes();
    for path in NOT_EMULATED {
        r = r.route(path, post(not_emulated));
    }
    r.fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(|_| {
            VerifikError::internal().into_response()
        }))
}

/// Sandbox-only Verifik routes, nested under `/__admin`:
/// `POST /verifik/tokens/expire` and `POST /verifik/tokens/unexpire`, body
/// `{"token": "..."}` (optional; defaults to the caller's `Authorization` token).
pub fn admin_router() -> Router<AppState> {
    Router::new()
        .route("/verifik/tokens/expire", post(expire_token))
        .route("/verifik/tokens/unexpire", post(unexpire_token))
}

/// The path as the client sent it (nesting under `/v2` strips the prefix).
fn full_path(req: &Request) -> String {
    req.extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path().to_owned(), |u| u.path().to_owned())
}

async fn unknown_route(req: Request) -> Response {
    let mut res = VerifikError::unknown_route(&full_path(&req)).into_response();
    res.extensions_mut().insert(UnknownRoute);
    res
}

async fn method_not_allowed(req: Request) -> Response {
    let mut res = VerifikError::method_not_allowed(req.method().as_str()).into_response();
    res.extensions_mut().insert(UnknownRoute);
    res
}

async fn not_emulated(req: Request) -> Response {
    VerifikError::not_emulated(req.method().as_str(), &full_path(&req)).into_response()
}

/// The caller's token: the tenant every Verifik call works in.
#[derive(Debug, Clone)]
pub struct Token(pub String);

impl FromRequestParts<AppState> for Token {
    type Rejection = VerifikError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, VerifikError> {
        let token = tenant_key(&parts.headers).ok_or_else(VerifikError::unauthorized)?;
        let allowed = &state.core.config.api_keys;
        if !allowed.is_empty() && !allowed.iter().any(|k| k == token) {
            return Err(VerifikError::unauthorized());
        }
        if state.verifik.is_expired(token) {
            return Err(VerifikError::expired(
                state.core.config.verifik_expired_body,
            ));
        }
        Ok(Token(token.to_owned()))
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    token: Option<String>,
}

fn target(admin: &Admin, body: TokenBody) -> Result<String, AdminError> {
    match body.token.map(|t| t.trim().to_owned()) {
        Some(t) if !t.is_empty() => Ok(t),
        Some(_) => Err(AdminError::bad_request("'token' must not be empty")),
        None => Ok(admin.tenant()?.to_owned()),
    }
}

async fn expire_token(
    admin: Admin,
    State(state): State<AppState>,
    AdminJson(body): AdminJson<TokenBody>,
) -> Result<axum::Json<Value>, AdminError> {
    let token = target(&admin, body)?;
    state.verifik.expire(&token);
    Ok(axum::Json(json!({"token": token, "expired": true})))
}

async fn unexpire_token(
    admin: Admin,
    State(state): State<AppState>,
    AdminJson(body): AdminJson<TokenBody>,
) -> Result<axum::Json<Value>, AdminError> {
    let token = target(&admin, body)?;
    let was = state.verifik.unexpire(&token);
    Ok(axum::Json(
        json!({"token": token, "expired": false, "wasExpired": was}),
    ))
}
