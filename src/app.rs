//! Composition root: builds the core and the registered vendor plug-ins,
//! assembles the router and serves. The only module that names every vendor.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

use crate::clock::Clocks;
use crate::config::Config;
use crate::core::Core;
use crate::delivery::{self, Outbox};
use crate::faults::{self, Faults};
use crate::journal::{self, Journal, UnknownRoute};
use crate::layers::{Record, RouteLayer};
use crate::metrics::{Answerers, Metrics};
use crate::persist::Durable;
use crate::scenario::Engine;
use crate::vendor::Vendor;
use crate::{admin, complycube, console, fixtures, openapi, transfer, verifik};

/// A built sandbox, ready to [`serve`]: the core and every vendor plug-in.
#[derive(Clone)]
pub struct AppState {
    core: Arc<Core>,
    vendors: Arc<[Arc<dyn Vendor>]>,
}

impl AppState {
    /// How many scenarios the fixture catalog holds.
    pub fn fixture_scenarios(&self) -> usize {
        self.core.fixtures.view().scenarios
    }
}

/// Every vendor this sandbox emulates.
fn vendors(config: &Config, durable: &Arc<Durable>) -> Vec<Arc<dyn Vendor>> {
    vec![
        complycube::plugin(config, durable),
        verifik::plugin(config, durable),
    ]
}

/// Builds the state from configuration: opens the durable store (when one
/// is configured) and restores what it holds, loads and validates fixtures
/// (an invalid fixture is an error naming the file), creates the stores and
/// imports `--seed` documents. Every refusal is one line naming its cause.
pub fn build(config: Config) -> Result<AppState, String> {
    let (durable, records) = Durable::open(
        &config.store,
        std::time::Duration::from_secs(config.store_wait_secs),
        i64::from(config.store_log_keep),
    )?;
    let durable = Arc::new(durable);
    let vendors = vendors(&config, &durable);
    let vocabularies: Vec<_> = vendors.iter().map(|v| v.vocabulary()).collect();
    let (catalog, fixtures) = fixtures::load(&config.fixtures, &vocabularies)?;
    let journal = Journal::new(journal::Limits {
        max_entries: config.journal_max_entries,
        max_bytes: config.journal_max_bytes,
        body_bytes: config.journal_body_bytes,
        total_bytes: config.journal_total_bytes,
        max_tenants: journal::MAX_TENANTS,
    });
    let directories = vendors
        .iter()
        .filter_map(|v| v.directory().map(|d| (v.name(), d)))
        .collect();
    let outbox = Arc::new(Outbox::new(
        delivery::Limits {
            concurrency: config.webhook_concurrency,
            max_per_tenant: config.webhook_outbox_max,
            timeout: std::time::Duration::from_millis(config.webhook_timeout_ms),
        },
        durable.clone(),
        directories,
    ));
    let core = Core {
        clocks: Clocks::durable(config.time_scale, durable.clone()),
        scenarios: Engine::new(vocabularies, catalog, Some(durable.clone())),
        journal,
        fixtures,
        vendor_data: vendors.iter().map(|v| v.tenant_data()).collect(),
        metrics: Metrics::new(Answerers::new(
            &vendors.iter().map(|v| v.name()).collect::<Vec<_>>(),
        )),
        outbox,
        faults: Faults::durable(faults::Profile::from_config(&config), durable.clone()),
        durable,
        idle: crate::idle::Idle::new(config.tenant_idle_ttl.0),
        stopping: tokio::sync::watch::channel(false).0,
        restored: std::sync::Mutex::default(),
        config,
    };
    if let Some(name) = core.durable.status().path {
        core.restore(&records)
            .map_err(|why| format!("{name}: {why}"))?;
    }
    for path in &core.config.seeds {
        // Seeds are committed before the server answers anything.
        let (tenant, _ack) = transfer::seed(&core, path)?;
        tracing::info!(seed = %path.display(), %tenant, "seeded a tenant");
    }
    // Restored and seeded tenants count as written now.
    for part in core.parts() {
        for (tenant, _) in part.census() {
            core.idle.wrote(&tenant);
        }
    }
    Ok(AppState {
        core: Arc::new(core),
        vendors: vendors.into(),
    })
}

/// The whole HTTP surface, without the outer [`Record`] service: each
/// group of routes (every vendor's, the admin API's, the core's own) gets
/// one [`RouteLayer`] saying who answers it.
fn router(state: &AppState) -> Router {
    let core = &state.core;
    let parts: Vec<&openapi::Part> = state.vendors.iter().map(|v| v.openapi()).collect();
    let document = Arc::new(openapi::document(&parts, &core.config));
    let mut app = Router::new()
        .route(
            "/metrics",
            axum::routing::get(metrics).with_state(core.clone()),
        )
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let document = document.clone();
                async move { axum::Json((*document).clone()) }
            }),
        )
        .route("/", axum::routing::get(root))
        .fallback(unknown_route)
        .layer(RouteLayer::sandbox(core));
    let mut admin_routes = admin::router(core.clone());
    for v in state.vendors.iter() {
        let layer = RouteLayer::vendor(core, v.name(), v.replies(), v.documents_rate_limit());
        app = app.nest(v.prefix(), v.router(core).layer(layer));
        admin_routes = admin_routes.merge(v.admin_router(core));
    }
    let parts = state
        .vendors
        .iter()
        .map(|v| (v.name(), v.console()))
        .collect();
    admin_routes = admin_routes.merge(console::router(core.clone(), parts));
    let admin_routes = admin::fallbacks(admin_routes).layer(RouteLayer::admin(core));
    app.nest("/__admin", admin_routes)
}

/// `GET /metrics`, Prometheus text.
async fn metrics(axum::extract::State(core): axum::extract::State<Arc<Core>>) -> Response {
    let body = core.metrics.render(core.journal.evicted_total());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// `GET /`: a browser lands on the console; API clients get the JSON 404
/// every unknown route gets.
async fn root(req: Request) -> Response {
    if console::wants_html(req.headers()) {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/__admin/ui/")]).into_response();
    }
    unknown_route(req).await
}

async fn unknown_route(req: Request) -> Response {
    let body = serde_json::json!({
        "type": "resource_not_found",
        "message": format!("Unknown route {} {}", req.method(), req.uri().path()),
    });
    let mut res = (StatusCode::NOT_FOUND, axum::Json(body)).into_response();
    res.extensions_mut().insert(UnknownRoute);
    res
}

/// Starts the background work: the shared store's connections, webhook
/// delivery workers, their retry timer and every vendor's own (check
/// lifecycles). Dropping the set stops them.
fn start_background(state: &AppState) -> tokio::task::JoinSet<()> {
    let mut set = tokio::task::JoinSet::new();
    state.core.durable.start(&mut set);
    state
        .core
        .outbox
        .spawn(&mut set, state.core.clone(), |c| (&c.clocks, &c.metrics));
    for v in state.vendors.iter() {
        v.start(&state.core, &mut set);
    }
    set.spawn(state.core.clone().sweep_idle());
    if state.core.durable.shared() {
        // A new leader delivers what the outbox holds pending.
        let core = state.core.clone();
        set.spawn(async move {
            loop {
                core.durable.promoted().await;
                if let Err(e) = core.catch_up().await {
                    tracing::warn!(error = %e, "cannot catch up with the shared store");
                }
                core.outbox.resume_pending();
            }
        });
        // Other replicas' changes reach memory between requests too: on
        // their announcement, and at least every second. Announcements
        // are left a moment for requests, which catch up anyway, so a busy
        // replica does not fetch once more per change announced.
        let core = state.core.clone();
        set.spawn(async move {
            loop {
                let announced = tokio::time::timeout(
                    std::time::Duration::from_secs(1),
                    core.durable.announced(),
                )
                .await
                .is_ok();
                if announced {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    if !core.durable.behind() {
                        continue;
                    }
                }
                if let Err(e) = core.catch_up().await {
                    tracing::debug!(error = %e, "cannot catch up with the shared store");
                }
            }
        });
    }
    set
}

/// Connections the kernel may queue before the server accepts them: a
/// burst of thousands of connections (a test suite's parallel clients)
/// queues instead of being refused or reset.
const BACKLOG: u32 = 4096;

/// Binds `addr` for [`serve`] with a deep accept queue ([`BACKLOG`]).
pub async fn listen(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Serves until `shutdown` resolves; in-flight requests finish first.
/// While serving, the fixtures directory is watched unless
/// `--fixtures-poll-ms` is 0.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let watcher = spawn_watcher(&state);
    let _background = start_background(&state);
    let app = NormalizePathLayer::trim_trailing_slash().layer(Record::new(
        state.core.clone(),
        router(&state),
        state.vendors.clone(),
    ));
    let core = state.core.clone();
    let shutdown = async move {
        shutdown.await;
        // Long-lived streams end, so in-flight requests can finish.
        core.stopping.send_replace(true);
    };
    let served = axum::serve(
        listener,
        axum::ServiceExt::<Request>::into_make_service(app),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    if let Some(w) = watcher {
        w.abort();
    }
    served
}

/// Starts the fixture watcher task; `None` when watching is off.
fn spawn_watcher(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    let every = state.core.config.fixtures_poll_ms;
    if every == 0 {
        return None;
    }
    let dir = state.core.config.fixtures.clone();
    Some(tokio::spawn(fixtures::watch(
        dir,
        std::time::Duration::from_millis(every),
        state.core.clone(),
        |c| (&c.scenarios, &c.fixtures),
    )))
}
