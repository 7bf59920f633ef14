//! What every ComplyCube handler is given: the core, this vendor's store and
//! its check-lifecycle timers; and the API-key extractor that picks the
//! tenant.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::Response;

use super::error::{ApiError, CcReplies};
use super::store::Store;
use crate::core::Core;
use crate::delivery::Timers;
use crate::ids::ObjectId;
use crate::scenario::{self, Facts, Selected};
use crate::tenant::tenant_key;

/// The ComplyCube emulation's shared state; cheap to clone.
#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) core: Arc<Core>,
    pub(crate) store: Arc<Store>,
    /// Checks due to leave `pending` at a tenant time.
    pub(crate) lifecycle: Arc<Timers<ObjectId>>,
}

impl Api {
    /// The scenario step for one ComplyCube request: `Err` is the answer
    /// already decided (unknown scenario header, dropped connection or the
    /// scenario's error), tagged for the journal.
    pub(crate) async fn decide(
        &self,
        key: &str,
        endpoint: &str,
        facts: &dyn Facts,
        headers: &HeaderMap,
        image_sha256: &[[u8; 32]],
    ) -> Result<Selected, Response> {
        let req = scenario::Request {
            vendor: "complycube",
            endpoint,
            facts,
            headers,
            image_sha256,
        };
        scenario::decide(&self.core.scenarios, &CcReplies, key, &req).await
    }

    /// The scenario step for a request that concerns no client (lookups,
    /// autofill): only armed scenarios and the header can apply.
    pub(crate) async fn decide_plain(
        &self,
        key: &str,
        endpoint: &str,
        headers: &HeaderMap,
    ) -> Result<Selected, Response> {
        self.decide(key, endpoint, &scenario::NoFacts, headers, &[])
            .await
    }
}

impl FromRef<Api> for Arc<Core> {
    fn from_ref(api: &Api) -> Self {
        api.core.clone()
    }
}

/// The caller's API key: the tenant every ComplyCube call works in. Keys
/// must start `test_` or `live_` unless `--api-keys` lists them.
#[derive(Debug, Clone)]
pub(crate) struct Key(pub(crate) String);

impl FromRequestParts<Api> for Key {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Self, ApiError> {
        let key = tenant_key(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let allowed = &api.core.config.api_keys;
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
