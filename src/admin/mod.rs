//! The sandbox's own API under `/__admin`, in our own JSON.
//!
//! The tenant is chosen by the same `Authorization` value as the vendor APIs.
//! When `--admin-token` is set, every call must also send
//! `X-Admin-Token: <token>` or the console's session cookie ([`access`]).
//! Browsers' cross-site calls never change anything. This module is vendor-neutral: it sees the
//! [`Core`] only, never a vendor module; vendors add their own sandbox-only
//! routes through their plug-in.

pub(crate) mod access;
mod clock;
mod deliveries;
mod events;
mod faults;
mod health;
mod requests;
mod reset;
mod scenarios;
mod tenants;
mod transfer;

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::core::Core;
use crate::tenant::tenant_key;

/// An admin error: `{"error": "...", "message": "..."}`.
#[derive(Debug)]
pub(crate) struct AdminError {
    pub(crate) status: StatusCode,
    pub(crate) error: &'static str,
    pub(crate) message: String,
}

impl AdminError {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        AdminError {
            status: StatusCode::BAD_REQUEST,
            error: "bad_request",
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        AdminError {
            status: StatusCode::NOT_FOUND,
            error: "not_found",
            message: message.into(),
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": self.error, "message": self.message})),
        )
            .into_response()
    }
}

impl From<crate::body::BodyError> for AdminError {
    fn from(e: crate::body::BodyError) -> Self {
        let status = match e {
            crate::body::BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        AdminError {
            status,
            error: "bad_request",
            message: e.describe(),
        }
    }
}

impl From<crate::persist::CommitError> for AdminError {
    fn from(e: crate::persist::CommitError) -> Self {
        AdminError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "store_unavailable",
            message: e.to_string(),
        }
    }
}

/// A JSON body with admin-shaped errors.
pub(crate) struct AdminJson<T>(pub(crate) T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S>
    for AdminJson<T>
{
    type Rejection = AdminError;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, AdminError> {
        Ok(AdminJson(crate::body::read_json(req).await?))
    }
}

/// Query parameters with admin-shaped errors (axum's own rejection is plain text).
pub(crate) struct AdminQuery<T>(pub(crate) T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for AdminQuery<T> {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AdminError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| AdminQuery(q))
            .map_err(|e| AdminError::bad_request(format!("Bad query string: {}", e.body_text())))
    }
}

/// Admin access: checks the admin token and yields the tenant (if any).
pub(crate) struct Admin {
    pub(crate) tenant: Option<String>,
}

impl Admin {
    pub(crate) fn tenant(&self) -> Result<&str, AdminError> {
        self.tenant.as_deref().ok_or_else(|| {
            AdminError::bad_request(
                "Send the tenant's API key or token in 'Authorization' to choose the tenant",
            )
        })
    }
}

impl<S> FromRequestParts<S> for Admin
where
    S: Send + Sync,
    Arc<Core>: FromRef<S>,
{
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AdminError> {
        let core = Arc::<Core>::from_ref(state);
        access::check(
            core.config.admin_token.as_deref(),
            &parts.method,
            &parts.headers,
        )?;
        Ok(Admin {
            tenant: tenant_key(&parts.headers).map(str::to_owned),
        })
    }
}

/// The core admin API, state applied. Vendors' admin routes are merged in
/// by the composition root.
pub(crate) fn router(core: Arc<Core>) -> Router {
    Router::new()
        .route("/health", get(health::health))
        .route(
            "/scenarios",
            get(scenarios::list_scenarios).post(scenarios::add_scenario),
        )
        .route("/scenarios/{name}", delete(scenarios::remove_scenario))
        .route("/reset", post(reset::reset))
        .route("/requests", get(requests::list_requests))
        .route("/clock", get(clock::get_clock))
        .route("/clock/advance", post(clock::advance_clock))
        .route("/clock/freeze", post(clock::freeze_clock))
        .route("/clock/unfreeze", post(clock::unfreeze_clock))
        .route("/export", get(transfer::export))
        .route("/import", post(transfer::import))
        .route("/tenants", get(tenants::list_tenants))
        .route("/events", get(events::events))
        .route("/webhooks/deliveries", get(deliveries::list_deliveries))
        .route("/webhooks/deliveries/{id}", get(deliveries::get_delivery))
        .route(
            "/webhooks/deliveries/{id}/redeliver",
            post(deliveries::redeliver_delivery),
        )
        .route(
            "/faults",
            get(faults::get_faults)
                .put(faults::put_faults)
                .post(faults::put_faults)
                .delete(faults::clear_faults),
        )
        .merge(crate::docs::routes())
        .with_state(core)
}

/// The admin API's answers for unknown routes and wrong methods, added once
/// the vendors' admin routes are merged.
pub(crate) fn fallbacks(router: Router) -> Router {
    router
        .fallback(admin_unknown)
        .method_not_allowed_fallback(admin_method_not_allowed)
}

async fn admin_method_not_allowed(req: axum::extract::Request) -> AdminError {
    AdminError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        error: "method_not_allowed",
        message: format!("{} is not allowed on {}", req.method(), req.uri().path()),
    }
}

async fn admin_unknown(req: axum::extract::Request) -> AdminError {
    AdminError::not_found(format!(
        "Unknown admin route {} {}",
        req.method(),
        req.uri().path()
    ))
}
