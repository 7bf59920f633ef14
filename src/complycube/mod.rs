//! ComplyCube `/v1` emulation.
//!
//! Every resource a check refers to, the checks themselves, and ComplyCube's
//! exact error envelope. Each submodule contributes its routes; this module
//! merges them, adds the JSON 404/405 fallbacks and the API-key extractor.
//!
//! Tenancy: the raw `Authorization` value (or `Bearer <key>`) is the tenant.
//! Keys must start `test_` or `live_` unless `--api-keys` lists them.

mod addresses;
mod clients;
mod documents;
mod error;
mod events;
mod list;
mod live_photos;
mod live_videos;
mod model;
mod reports;
mod risk;
mod store;
mod tokens;
mod validate;
mod webhooks;

pub mod checks;
mod results;

pub use error::{ApiError, Json};
pub use events::check_due;
pub use store::Store;

use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;

use crate::app::{AppState, tenant_key};
use crate::journal::UnknownRoute;

/// The `/v1` route table.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(clients::routes())
        .merge(addresses::routes())
        .merge(documents::routes())
        .merge(live_photos::routes())
        .merge(live_videos::routes())
        .merge(risk::routes())
        .merge(reports::routes())
        .merge(tokens::routes())
        .merge(checks::routes())
        .merge(webhooks::routes())
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal().into_response()
        }))
}

/// Sandbox-only ComplyCube routes, nested under `/__admin`.
pub fn admin_router() -> Router<AppState> {
    Router::new().merge(live_videos::admin_routes())
}

async fn unknown_route(OriginalUri(uri): OriginalUri, req: Request) -> Response {
    let mut res = ApiError::new(
        StatusCode::NOT_FOUND,
        "resource_not_found",
        format!("Unknown route {} {}", req.method(), uri.path()),
    )
    .into_response();
    res.extensions_mut().insert(UnknownRoute);
    res
}

async fn method_not_allowed(req: Request) -> Response {
    let mut res = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        format!(
            "Method {} is not allowed on {}",
            req.method(),
            req.uri().path()
        ),
    )
    .into_response();
    res.extensions_mut().insert(UnknownRoute);
    res
}

/// The caller's API key: the tenant every ComplyCube call works in.
#[derive(Debug, Clone)]
pub struct Key(pub String);

impl FromRequestParts<AppState> for Key {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = tenant_key(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let allowed = &state.core.config.api_keys;
        let ok = if allowed.is_empty() {
            key.starts_with("test_") || key.starts_with("live_")
        } else {
            allowed.iter().any(|k| k == key)
        };
        if ok {
            Ok(Key(key.to_owned()))
        } else {
            Err(ApiError::unauthorized())
        }
    }
}
