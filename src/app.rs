//! Composition root: the shared state, the router and `serve`.
//!
//! This is the only module that names every vendor module; it nests each
//! vendor's route table under its prefix, wraps everything in the journal
//! middleware and hands the result to hyper.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

use crate::body::{BodyLimit, BodyTooLarge};
use crate::clock::Clocks;
use crate::config::Config;
use crate::delivery::{self, Outbox, Timers};
use crate::faults::{self, Action, Faults};
use crate::ids::ObjectId;
use crate::journal::{self, Journal, MatchedScenario, UnknownRoute};
use crate::scenario::Engine;
use crate::store::TenantData;
use crate::{admin, complycube, verifik};

/// The vendor-neutral core every module may use.
pub struct Core {
    pub config: Config,
    pub clocks: Clocks,
    pub scenarios: Engine,
    pub journal: Journal,
    pub fixtures: crate::fixtures::Status,
    /// Every vendor store, for tenant resets.
    pub tenant_data: Vec<Arc<dyn TenantData>>,
    /// Prometheus counters (`GET /metrics`).
    pub metrics: crate::metrics::Metrics,
    /// Webhook deliveries waiting, in flight and done.
    pub outbox: Arc<Outbox>,
    /// Resources due to change state at a tenant time (checks completing).
    pub lifecycle: Timers<ObjectId>,
    pub faults: Faults,
}

/// Cheap to clone; handed to every handler.
#[derive(Clone)]
pub struct AppState {
    pub core: Arc<Core>,
    pub complycube: Arc<complycube::Store>,
    pub verifik: Arc<verifik::Store>,
}

impl FromRef<AppState> for Arc<Core> {
    fn from_ref(s: &AppState) -> Self {
        s.core.clone()
    }
}

/// The tenant key a request carries: its `Authorization` value without a
/// `Bearer`/`JWT` scheme. ComplyCube keys and Verifik tokens alike.
pub fn tenant_key(headers: &HeaderMap) -> Option<&str> {
    let raw = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let key = ["Bearer ", "bearer ", "JWT ", "jwt ", "Jwt "]
        .iter()
        .find_map(|p| raw.strip_prefix(p))
        .unwrap_or(raw)
        .trim();
    (!key.is_empty()).then_some(key)
}

/// Builds the state from configuration: loads and validates fixtures (an
/// invalid fixture is an error naming the file), creates the stores.
pub fn build(config: Config) -> Result<AppState, String> {
    let (catalog, fixtures) = crate::fixtures::load(&config.fixtures)?;
    let complycube = Arc::new(complycube::Store::default());
    let verifik = Arc::new(verifik::Store::default());
    let journal = Journal::new(journal::Limits {
        max_entries: config.journal_max_entries,
        max_bytes: config.journal_max_bytes,
        body_bytes: config.journal_body_bytes,
    });
    let outbox = Arc::new(Outbox::new(
        delivery::Limits {
            concurrency: config.webhook_concurrency,
            max_per_tenant: config.webhook_outbox_max,
            timeout: std::time::Duration::from_millis(config.webhook_timeout_ms),
        },
        complycube.clone(),
    ));
    let core = Core {
        clocks: Clocks::new(config.time_scale),
        scenarios: Engine::new(catalog),
        journal,
        fixtures,
        tenant_data: vec![complycube.clone(), verifik.clone(), outbox.clone()],
        metrics: crate::metrics::Metrics::default(),
        outbox,
        lifecycle: Timers::default(),
        faults: Faults::new(faults::Profile::from_config(&config)),
        config,
    };
    Ok(AppState {
        core: Arc::new(core),
        complycube,
        verifik,
    })
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/v1", complycube::router())
        .nest("/v2", verifik::router())
        .nest(
            "/__admin",
            admin::router()
                .merge(complycube::admin_router())
                .merge(verifik::admin_router())
                .merge(delivery::router())
                .merge(faults::router()),
        )
        .route("/metrics", axum::routing::get(crate::metrics::handler))
        .route("/openapi.json", axum::routing::get(crate::openapi::handler))
        .fallback(unknown_route)
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::DEBUG)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                )
                .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .layer(
            tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer::new([
                axum::http::header::AUTHORIZATION,
                axum::http::HeaderName::from_static("x-admin-token"),
            ]),
        )
        .with_state(state)
}

/// The span every request runs in: method, matched route (never the raw
/// headers, so the `Authorization` key is never logged) and path.
fn request_span(req: &Request) -> tracing::Span {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or(crate::metrics::UNMATCHED, |m| m.as_str());
    tracing::info_span!(
        "request",
        method = %req.method(),
        route = %route,
        path = %req.uri().path(),
    )
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

/// Buffers the body (bounded), runs the request and journals it.
async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let core = &state.core;
    let limit = core.config.max_body_bytes;
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(BodyLimit(limit));
    let (body, clipped, body_bytes) = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            let clipped = core.journal.clip_body(&bytes);
            let n = bytes.len();
            (Body::from(bytes), clipped, n)
        }
        Err(_) => {
            parts.extensions.insert(BodyTooLarge);
            (Body::empty(), (None, true), limit)
        }
    };
    let tenant = tenant_key(&parts.headers).unwrap_or("").to_owned();
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let route = parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .cloned();
    let res = next.run(Request::from_parts(parts, body)).await;
    let route = match (&route, res.extensions().get::<UnknownRoute>()) {
        (Some(m), None) => m.as_str(),
        _ => crate::metrics::UNMATCHED,
    };
    core.metrics.request(&path, route, res.status().as_u16());
    if let Some(m) = res.extensions().get::<MatchedScenario>() {
        core.metrics.scenario_matched(&m.0);
    }
    if path.starts_with("/__admin") {
        return res;
    }
    let at_ms = core.clocks.now(&tenant);
    core.journal.record(
        &tenant,
        journal::Entry {
            seq: 0,
            at: crate::ids::iso_millis(at_ms),
            at_ms,
            method,
            path,
            query,
            status: res.status().as_u16(),
            scenario: res
                .extensions()
                .get::<MatchedScenario>()
                .map_or_else(|| "default".to_owned(), |m| m.0.clone()),
            unknown_route: res.extensions().get::<UnknownRoute>().is_some(),
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            body: clipped.0,
            body_bytes,
            body_truncated: clipped.1,
        },
    );
    res
}

/// Applies configured faults to vendor routes (`/v1`, `/v2`), answering
/// injected errors in the vendor's own error shape.
async fn inject_faults(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let complycube = path == "/v1" || path.starts_with("/v1/");
    let verifik = path == "/v2" || path.starts_with("/v2/");
    if !complycube && !verifik {
        return next.run(req).await;
    }
    let header = req
        .headers()
        .get(faults::FAULT_HEADER)
        .and_then(|v| v.to_str().ok());
    let tenant = tenant_key(req.headers()).unwrap_or("");
    // Only ComplyCube documents a rate limit.
    let plan = state.core.faults.decide(tenant, header, complycube);
    if let Some(d) = plan.latency {
        tokio::time::sleep(d).await;
    }
    match plan.action {
        Action::Pass => next.run(req).await,
        Action::Drop => faults::dropped_connection(),
        Action::RateLimited if complycube => complycube::ApiError::rate_limited().into_response(),
        Action::RateLimited => verifik_error(429),
        Action::Error(status) if complycube => {
            complycube::ApiError::for_status(status).into_response()
        }
        Action::Error(status) => verifik_error(status),
    }
}

/// Verifik's error body for an injected status: `{"message","code":"ERROR"}`.
fn verifik_error(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = if code.is_server_error() {
        "internal_error".to_owned()
    } else {
        code.canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
    };
    let body = serde_json::json!({"message": message, "code": "ERROR"});
    (code, axum::Json(body)).into_response()
}

/// Starts the background work: webhook delivery workers, their retry timer
/// and the check lifecycle timer. Dropping the set stops them.
pub fn start_background(state: &AppState) -> tokio::task::JoinSet<()> {
    let mut set = tokio::task::JoinSet::new();
    state.core.outbox.spawn(&mut set, state.core.clone());
    let st = state.clone();
    set.spawn(async move {
        st.core
            .lifecycle
            .run(&st.core.clocks, |tenant, id| {
                complycube::check_due(&st, tenant, id)
            })
            .await
    });
    set
}

/// Serves until `shutdown` resolves; in-flight requests finish first.
/// While serving, the fixtures directory is watched (see
/// [`crate::fixtures::watch`]) unless `--fixtures-poll-ms` is 0.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let watcher = spawn_watcher(&state);
    let _background = start_background(&state);
    let app = NormalizePathLayer::trim_trailing_slash().layer(router(state));
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
pub fn spawn_watcher(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    let every = state.core.config.fixtures_poll_ms;
    if every == 0 {
        return None;
    }
    let dir = state.core.config.fixtures.clone();
    Some(tokio::spawn(crate::fixtures::watch(
        dir,
        std::time::Duration::from_millis(every),
        state.core.clone(),
    )))
}
