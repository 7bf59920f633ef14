//! What every Verifik handler is given (the core and this vendor's
//! store) and the token extractor that picks the tenant.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::Response;

use super::error::{VerifikError, VerifikReplies};
use super::store::Store;
use crate::core::Core;
use crate::scenario::{self, NoFacts, Selected};
use crate::tenant::tenant_key;

/// The Verifik emulation's shared state; cheap to clone.
#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) core: Arc<Core>,
    pub(crate) store: Arc<Store>,
}

impl FromRef<Api> for Arc<Core> {
    fn from_ref(api: &Api) -> Self {
        api.core.clone()
    }
}

impl Api {
    /// The scenario step for one Verifik request (images only; Verifik
    /// requests carry no other facts).
    pub(crate) async fn decide(
        &self,
        token: &str,
        endpoint: &str,
        headers: &HeaderMap,
        image_sha256: &[[u8; 32]],
    ) -> Result<Selected, Response> {
        let replies = VerifikReplies {
            expired: self.core.config.verifik_expired_body,
        };
        let req = scenario::Request {
            vendor: "verifik",
            endpoint,
            facts: &NoFacts,
            headers,
            image_sha256,
        };
        scenario::decide(&self.core.scenarios, &replies, token, &req).await
    }
}

/// The caller's token: the tenant every Verifik call works in. Any token is
/// accepted unless `--api-keys` lists the valid ones; a token an admin
/// marked expired gets Verifik's 403.
#[derive(Debug, Clone)]
pub(crate) struct Token(pub(crate) String);

impl FromRequestParts<Api> for Token {
    type Rejection = VerifikError;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Self, VerifikError> {
        let token = tenant_key(&parts.headers).ok_or_else(VerifikError::unauthorized)?;
        let allowed = &api.core.config.api_keys;
        if !allowed.is_empty() && !allowed.iter().any(|k| k == token) {
            return Err(VerifikError::unauthorized());
        }
        if api.store.is_expired(token) {
            return Err(VerifikError::expired(api.core.config.verifik_expired_body));
        }
        Ok(Token(token.to_owned()))
    }
}
