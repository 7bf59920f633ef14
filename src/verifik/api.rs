//! What every Verifik handler is given (the core and this vendor's store),
//! the token extractor that picks the tenant, and the per-tenant store.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::Response;

use super::calls::CallLog;
use super::error::{VerifikError, VerifikReplies};
use crate::core::Core;
use crate::persist::{Ack, Durable, Record};
use crate::scenario::{self, NoFacts, Selected};
use crate::tenant::{RestoreContext, TenantData, tenant_key};

/// The record kind of a token marked expired.
const EXPIRED: &str = "verifik.expired";

/// Per-tenant Verifik state: which tokens are marked expired (a token is
/// its own tenant, so the mark lives under the token it concerns) and each
/// token's recent calls (in memory only, bounded, like the journal).
pub(crate) struct Store {
    expired: Mutex<HashSet<String>>,
    durable: Arc<Durable>,
    pub(crate) calls: CallLog,
}

impl Store {
    pub(crate) fn new(durable: Arc<Durable>) -> Self {
        Store {
            expired: Mutex::default(),
            durable,
            calls: CallLog::default(),
        }
    }

    /// Marks the token expired; returns the commit to wait for.
    pub(crate) fn expire(&self, token: &str) -> Ack {
        let mut set = self.lock();
        set.insert(token.to_owned());
        let mut batch = self.durable.batch();
        batch.put(token, EXPIRED, token, None, &true, None);
        self.durable.submit(batch)
    }

    /// Lifts the mark: whether the token was marked, and the commit.
    pub(crate) fn unexpire(&self, token: &str) -> (bool, Ack) {
        let mut set = self.lock();
        let was = set.remove(token);
        let mut batch = self.durable.batch();
        batch.delete(token, EXPIRED, token);
        (was, self.durable.submit(batch))
    }

    pub(crate) fn is_expired(&self, token: &str) -> bool {
        self.lock().contains(token)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.expired.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl TenantData for Store {
    fn reset_tenant(&self, tenant: &str) {
        self.lock().remove(tenant);
        self.calls.forget(tenant);
    }

    fn reset_all(&self) {
        self.lock().clear();
        self.calls.forget_all();
    }

    fn census(&self) -> crate::tenant::Census {
        let mut out: crate::tenant::Census = self
            .calls
            .counts()
            .into_iter()
            .map(|(t, n)| (t, vec![("face-recognition calls", n)]))
            .collect();
        for token in self.lock().iter() {
            match out.iter_mut().find(|(t, _)| t == token) {
                Some((_, counts)) => counts.push(("expired token", 1)),
                None => out.push((token.clone(), vec![("expired token", 1)])),
            }
        }
        out
    }

    fn owns(&self, kind: &str) -> bool {
        kind == EXPIRED
    }

    fn restore(&self, records: &[&Record], _: &RestoreContext<'_>) -> Result<(), String> {
        let mut set = self.lock();
        for r in records {
            set.insert(r.id.clone());
        }
        Ok(())
    }

    fn export(&self, tenant: &str) -> Vec<Record> {
        if !self.is_expired(tenant) {
            return Vec::new();
        }
        vec![Record {
            tenant: tenant.to_owned(),
            kind: EXPIRED.to_owned(),
            id: tenant.to_owned(),
            owner: None,
            body: b"true".to_vec(),
            data: None,
        }]
    }

    fn contains(&self, r: &Record) -> bool {
        r.kind == EXPIRED && self.is_expired(&r.id)
    }
}

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
