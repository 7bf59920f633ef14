//! What a vendor plug-in is: one value describing itself, which the
//! composition root iterates over. A vendor brings its route table, its
//! sandbox-only admin routes, its error envelope, its scenario vocabulary,
//! its per-tenant data, its console pages and its background work; the core
//! brings everything else.

use std::sync::Arc;

use axum::Router;
use axum::http::Method;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::console;
use crate::core::Core;
use crate::delivery::Directory;
use crate::openapi::Part;
use crate::reply::Replies;
use crate::scenario::Vocabulary;
use crate::tenant::TenantData;

pub(crate) trait Vendor: Send + Sync {
    /// The name metrics and scenarios use (`complycube`).
    fn name(&self) -> &'static str;
    /// Where its routes are nested (`/v1`).
    fn prefix(&self) -> &'static str;
    /// Which keys scenarios may use for this vendor.
    fn vocabulary(&self) -> &'static Vocabulary;
    /// Its error envelope, for injected faults and scenario errors.
    fn replies(&self) -> Arc<dyn Replies>;
    /// The largest body the route at `path` (relative to [`Vendor::prefix`])
    /// accepts, sized to what the vendor accepts; the core caps it at
    /// `--max-body-bytes`.
    fn body_limit(&self, method: &Method, path: &str, config: &Config) -> usize;
    /// Whether the vendor documents a sandbox rate limit (`--rate-limit`).
    fn documents_rate_limit(&self) -> bool;
    /// Its per-tenant data, for resets.
    fn tenant_data(&self) -> Arc<dyn TenantData>;
    /// Its routes (relative to [`Vendor::prefix`]), state applied. The core
    /// wraps them: faults, metrics, and a panic answered with its 500.
    fn router(&self, core: &Arc<Core>) -> Router;
    /// Its sandbox-only routes, nested under `/__admin`.
    fn admin_router(&self, core: &Arc<Core>) -> Router;
    /// What it adds to `GET /openapi.json`.
    fn openapi(&self) -> &'static Part;
    /// What it adds to the QA console: navigation entries and its page
    /// script (which calls its admin routes).
    fn console(&self) -> &'static console::Part;
    /// Starts its background work (timers, resuming what a restart
    /// interrupted) on `set`.
    fn start(&self, core: &Arc<Core>, set: &mut JoinSet<()>);
    /// Its webhook registry, when it sends webhooks.
    fn directory(&self) -> Option<Arc<dyn Directory>>;
}
