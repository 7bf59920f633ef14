//! ComplyCube `/v1` emulation, as a vendor plug-in.
//!
//! Every resource a check refers to, the checks themselves, webhooks and
//! ComplyCube's exact error envelope. Each resource file contributes its
//! routes; this module merges them, adds the JSON 404/405 fallbacks and
//! describes the vendor to the core ([`plugin`]).
//!
//! Tenancy: the raw `Authorization` value (or `Bearer <key>`) is the tenant.

mod account;
mod addresses;
mod api;
mod audit;
mod audit_log;
mod autofill;
mod capture;
mod check;
mod check_options;
mod check_type;
mod checks;
mod client_lists;
mod clients;
mod console;
mod document_images;
mod documents;
mod error;
mod events;
mod facts;
mod flow;
mod flow_complete;
mod flow_html;
mod flow_page;
mod flow_session;
mod images;
mod list;
mod live_photos;
mod live_videos;
mod lookup;
mod model;
mod openapi;
mod persist;
mod persist_activity;
mod preconditions;
mod render;
mod rendered;
mod reports;
mod results;
mod risk;
mod sample_image;
mod static_lists;
mod store;
mod team;
mod tenant;
mod tokens;
mod validate;
mod webhook;
mod webhooks;
mod workflow_run;
mod workflow_session;
mod workflow_sessions;
mod workflow_view;

use std::sync::Arc;

use axum::Router;
use axum::extract::{OriginalUri, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::task::JoinSet;

use self::api::Api;
use self::error::ApiError;
use self::store::Store;
use crate::config::Config;
use crate::core::Core;
use crate::delivery::{Directory, Timers};
use crate::journal::UnknownRoute;
use crate::persist::Durable;
use crate::reply::Replies;
use crate::scenario::Vocabulary;
use crate::tenant::TenantData;
use crate::vendor::Vendor;

/// The ComplyCube plug-in: its store and lifecycle timers live here so the
/// core can be built before the routes.
struct ComplyCube {
    store: Arc<Store>,
    lifecycle: Arc<Timers<crate::ids::ObjectId>>,
}

/// The ComplyCube vendor, ready to register.
pub(crate) fn plugin(_config: &Config, durable: &Arc<Durable>) -> Arc<dyn Vendor> {
    Arc::new(ComplyCube {
        store: Arc::new(Store::new(durable.clone())),
        lifecycle: Arc::new(Timers::default()),
    })
}

impl ComplyCube {
    fn api(&self, core: &Arc<Core>) -> Api {
        Api {
            core: core.clone(),
            store: self.store.clone(),
            lifecycle: self.lifecycle.clone(),
        }
    }
}

impl Vendor for ComplyCube {
    fn name(&self) -> &'static str {
        "complycube"
    }

    fn prefix(&self) -> &'static str {
        "/v1"
    }

    fn vocabulary(&self) -> &'static Vocabulary {
        &facts::VOCABULARY
    }

    fn replies(&self) -> Arc<dyn Replies> {
        Arc::new(error::CcReplies)
    }

    /// Image uploads take one base64 image of at most 4 MB (any size with
    /// `--relax-image-size`); every other route plain JSON.
    fn body_limit(&self, _method: &axum::http::Method, path: &str, config: &Config) -> usize {
        let image = path == "/livePhotos"
            || path == "/autofill"
            || (path.starts_with("/documents/") && path.contains("/upload/"));
        match (image, config.relax_image_size) {
            (true, true) => usize::MAX,
            (true, false) => crate::body::IMAGE_BODY_BYTES,
            (false, _) => crate::body::JSON_BODY_BYTES,
        }
    }

    fn documents_rate_limit(&self) -> bool {
        true
    }

    fn tenant_data(&self) -> Arc<dyn TenantData> {
        self.store.clone()
    }

    fn router(&self, core: &Arc<Core>) -> Router {
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
            .merge(flow::routes())
            .merge(workflow_sessions::routes())
            .merge(static_lists::routes())
            .merge(lookup::routes())
            .merge(autofill::routes())
            .merge(account::routes())
            .merge(team::routes())
            .merge(audit_log::routes())
            .fallback(unknown_route)
            .method_not_allowed_fallback(method_not_allowed)
            .with_state(self.api(core))
    }

    fn admin_router(&self, core: &Arc<Core>) -> Router {
        live_videos::admin_routes()
            .merge(checks::admin_routes())
            .merge(console::admin_routes())
            .merge(workflow_sessions::admin_routes())
            .merge(flow_complete::admin_routes())
            .merge(flow_page::admin_routes())
            .with_state(self.api(core))
    }

    fn openapi(&self) -> &'static crate::openapi::Part {
        &openapi::PART
    }

    fn console(&self) -> &'static crate::console::Part {
        &console::PART
    }

    fn start(&self, core: &Arc<Core>, set: &mut JoinSet<()>) {
        let api = self.api(core);
        if core.durable.leads() {
            events::resume(&api);
        }
        if core.durable.shared() {
            // Replicas: the leader raises what is due, wherever the check
            // was created, every second and as soon as it takes over.
            let api = api.clone();
            set.spawn(async move {
                loop {
                    let _ = tokio::time::timeout(
                        std::time::Duration::from_secs(1),
                        api.core.durable.promoted(),
                    )
                    .await;
                    if api.core.durable.leads() {
                        events::raise_due(&api);
                    }
                }
            });
        }
        set.spawn(async move {
            api.lifecycle
                .run(&api.core.clocks, |tenant, id| {
                    if api.core.durable.leads() {
                        // Background work: queued in order, not waited for.
                        let _ = events::check_due(&api, tenant, id);
                    }
                })
                .await
        });
    }

    fn directory(&self) -> Option<Arc<dyn Directory>> {
        Some(self.store.clone())
    }
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
