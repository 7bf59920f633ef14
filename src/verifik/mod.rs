//! Verifik `/v2/face-recognition` emulation, as a vendor plug-in.
//!
//! Emulated: `compare-with-liveness` (the primary target), `compare`,
//! `compare-live`, `liveness` and `liveness-score` ([`biometrics`]); the
//! face gallery — collections ([`collections`]), persons ([`enroll`],
//! [`persons`]) — with 1:N search and verify ([`search`]) and face
//! detection ([`detect`]). Any other path under `/v2`, a wrong method, bad
//! JSON, an oversized body or a panic answers Verifik's flat JSON too.
//!
//! Tenancy: the token (`Bearer <t>`, `JWT <t>` or a bare `<t>`) is the tenant.

mod api;
mod biometrics;
mod calls;
mod collections;
mod console;
mod detect;
mod endpoint;
mod enroll;
mod error;
mod gallery;
mod image;
mod openapi;
mod persons;
mod render;
mod request;
mod score;
mod search;
mod store;
mod tokens;
mod validate;
mod wire;

use std::sync::Arc;

use axum::Router;
use axum::extract::{OriginalUri, Request};
use axum::response::{IntoResponse, Response};
use tokio::task::JoinSet;

use self::api::Api;
use self::error::{VerifikError, VerifikReplies};
use self::store::Store;
use crate::config::Config;
use crate::core::Core;
use crate::delivery::Directory;
use crate::journal::UnknownRoute;
use crate::persist::Durable;
use crate::reply::Replies;
use crate::scenario::{Key, Kind, Vocabulary};
use crate::tenant::TenantData;
use crate::vendor::Vendor;

/// Every endpoint scenarios may name in `match.endpoint`.
const ENDPOINTS: [&str; 14] = [
    endpoint::ENDPOINTS[0],
    endpoint::ENDPOINTS[1],
    endpoint::ENDPOINTS[2],
    endpoint::ENDPOINTS[3],
    endpoint::ENDPOINTS[4],
    "search",
    "search/crops",
    "search-live-face",
    "search-active-user",
    "verify",
    "detect",
    "persons",
    "persons/search-live-face",
    "collections",
];

/// What Verifik scenarios may match on and set.
static VOCABULARY: Vocabulary = Vocabulary {
    vendor: "verifik",
    endpoints: &ENDPOINTS,
    facts: &[],
    effects: &[
        Key::effect("scores.comparison", Kind::Number { min: 0.0, max: 1.0 }),
        Key::effect("scores.liveness", Kind::Number { min: 0.0, max: 1.0 }),
        Key::effect(
            "faceCount",
            Kind::Number {
                min: 0.0,
                max: detect::MAX_FACES,
            },
        ),
    ],
};

/// The body limit of every Verifik route.
const BODY_BYTES: usize = 16 * 1024 * 1024;

struct Verifik {
    store: Arc<Store>,
    expired_body: crate::config::VerifikExpiredBody,
}

/// The Verifik vendor, ready to register.
pub(crate) fn plugin(config: &Config, durable: &Arc<Durable>) -> Arc<dyn Vendor> {
    Arc::new(Verifik {
        store: Arc::new(Store::new(durable.clone())),
        expired_body: config.verifik_expired_body,
    })
}

impl Verifik {
    fn api(&self, core: &Arc<Core>) -> Api {
        Api {
            core: core.clone(),
            store: self.store.clone(),
        }
    }
}

impl Vendor for Verifik {
    fn name(&self) -> &'static str {
        "verifik"
    }

    fn prefix(&self) -> &'static str {
        "/v2"
    }

    fn vocabulary(&self) -> &'static Vocabulary {
        &VOCABULARY
    }

    fn replies(&self) -> Arc<dyn Replies> {
        Arc::new(VerifikReplies {
            expired: self.expired_body,
        })
    }

    /// A comparison carries a probe and a gallery of base64 images, a
    /// search up to a few: a few megabytes, never more than this.
    fn body_limit(&self, _method: &axum::http::Method, _path: &str, _config: &Config) -> usize {
        BODY_BYTES
    }

    fn documents_rate_limit(&self) -> bool {
        false
    }

    fn tenant_data(&self) -> Arc<dyn TenantData> {
        self.store.clone()
    }

    fn router(&self, core: &Arc<Core>) -> Router {
        biometrics::routes()
            .merge(collections::routes())
            .merge(enroll::routes())
            .merge(persons::routes())
            .merge(search::routes())
            .merge(detect::routes())
            .fallback(unknown_route)
            .method_not_allowed_fallback(method_not_allowed)
            .with_state(self.api(core))
    }

    fn admin_router(&self, core: &Arc<Core>) -> Router {
        tokens::admin_routes()
            .merge(console::admin_routes())
            .with_state(self.api(core))
    }

    fn openapi(&self) -> &'static crate::openapi::Part {
        &openapi::PART
    }

    fn console(&self) -> &'static crate::console::Part {
        &console::PART
    }

    fn start(&self, _core: &Arc<Core>, _set: &mut JoinSet<()>) {}

    fn directory(&self) -> Option<Arc<dyn Directory>> {
        None
    }
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
