//! The middleware every request passes, in two hand-written services so a
//! request costs no more than it must:
//!
//! - [`Record`], around the whole router: marks credentials sensitive, sets
//!   the route's body limit, reserves room in the body budget and buffers
//!   the body when there is one (a body announced larger than the limit is
//!   read and forgotten, never kept), and journals the answer. Requests
//!   without a body pass straight through.
//! - [`RouteService`], around each route (one layer, not one per concern):
//!   the request span (only built when its level is on), catching up with
//!   other replicas (shared stores only), the vendor's faults,
//!   panic catching in the answering plug-in's envelope, request and scenario
//!   metrics (counters found once per route, then one atomic add), and the
//!   per-request log lines at debug (and warn for server errors).

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use tower::{Layer, Service};

use crate::body::{BodyLimit, BodyTooLarge, JSON_BODY_BYTES};
use crate::budget::BodyBudget;
use crate::core::Core;
use crate::faults::{Action, FAULT_HEADER};
use crate::journal::{self, MatchedScenario, UnknownRoute};
use crate::metrics::{Answerer, Answerers, RouteCounters, UNMATCHED};
use crate::reply::{Replies, dropped_connection};
use crate::tenant::{key_of, tenant_key};
use crate::vendor::Vendor;

/// The path prefix of the admin API: not journaled.
const ADMIN_PREFIX: &str = "/__admin";

/// Whether `path` is `prefix` or under it (`/v1`, `/v1/…`, not `/v1x`).
pub(crate) fn is_under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

// --- Around each route ---------------------------------------------------------

/// Who answers a group of routes, and what that changes.
struct Who {
    answerer: Answerer,
    /// Whether memory catches up with other replicas before answering
    /// (vendor and admin routes on a shared store; never health).
    catch_up: bool,
    /// A vendor's routes: faults apply and errors use its envelope.
    vendor: Option<(Arc<dyn Replies>, bool)>,
}

/// Wraps each route of a group (a vendor's, the admin API's, the core's own).
#[derive(Clone)]
pub(crate) struct RouteLayer {
    core: Arc<Core>,
    who: Arc<Who>,
}

impl RouteLayer {
    /// A vendor's routes: faults in its envelope, `rate_limited` when its
    /// API documents the sandbox rate limit.
    pub(crate) fn vendor(
        core: &Arc<Core>,
        name: &'static str,
        replies: Arc<dyn Replies>,
        rate_limited: bool,
    ) -> Self {
        let answerer = core.metrics.answerers().vendor(name);
        RouteLayer {
            core: core.clone(),
            who: Arc::new(Who {
                answerer,
                catch_up: core.durable.shared(),
                vendor: Some((replies, rate_limited)),
            }),
        }
    }

    /// The admin API's routes.
    pub(crate) fn admin(core: &Arc<Core>) -> Self {
        Self::plain(core, Answerers::ADMIN, core.durable.shared())
    }

    /// The core's own routes (`/metrics`, `/openapi.json`, unknown paths).
    pub(crate) fn sandbox(core: &Arc<Core>) -> Self {
        Self::plain(core, Answerers::SANDBOX, false)
    }

    fn plain(core: &Arc<Core>, answerer: Answerer, catch_up: bool) -> Self {
        RouteLayer {
            core: core.clone(),
            who: Arc::new(Who {
                answerer,
                catch_up,
                vendor: None,
            }),
        }
    }
}

/// What every clone of one route's service shares.
struct Shared {
    core: Arc<Core>,
    who: Arc<Who>,
    /// The route's counters, found on its first request.
    counters: OnceLock<Arc<RouteCounters>>,
}

impl Shared {
    fn counters(&self, matched: Option<&MatchedPath>) -> Arc<RouteCounters> {
        let pattern = matched.map_or(UNMATCHED, MatchedPath::as_str);
        let found = self
            .counters
            .get_or_init(|| self.core.metrics.route(pattern));
        if found.route() == pattern {
            found.clone()
        } else {
            // One service answering several patterns (never seen in
            // practice): still counted right, just looked up.
            self.core.metrics.route(pattern)
        }
    }

    /// A rejection the web framework answered in plain text (an extractor
    /// refusing a path segment that is not UTF-8 after percent-decoding, a
    /// query it cannot decode), answered instead in the answering plug-in's
    /// JSON envelope with the framework's sentence as the message. Every other
    /// answer passes unchanged.
    fn as_json(&self, res: Response) -> Response {
        let status = res.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return res;
        }
        let plain = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/plain"));
        if !plain {
            return res;
        }
        let (parts, body) = res.into_parts();
        // The framework's rejections are one in-memory chunk: ready at once.
        let message = axum::body::to_bytes(body, 4096)
            .now_or_never()
            .and_then(Result::ok)
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned());
        let mut out = match &self.who.vendor {
            Some((replies, _)) => replies.rejected(status.as_u16(), message),
            None => {
                let error = status
                    .canonical_reason()
                    .unwrap_or("error")
                    .to_ascii_lowercase()
                    .replace(' ', "_");
                (
                    status,
                    axum::Json(serde_json::json!({"error": error, "message": message})),
                )
                    .into_response()
            }
        };
        out.extensions_mut().extend(parts.extensions);
        out
    }

    /// The answering plug-in's 503 when the shared store cannot be read.
    fn unavailable(&self) -> Response {
        match &self.who.vendor {
            Some((replies, _)) => replies.status(503),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({
                    "error": "store_unavailable",
                    "message": "the sandbox cannot reach its database",
                })),
            )
                .into_response(),
        }
    }

    /// The answering plug-in's 500 for a panic.
    fn internal_error(&self) -> Response {
        match &self.who.vendor {
            Some((replies, _)) => replies.status(500),
            None => (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(serde_json::json!({
                    "error": "internal_error",
                    "message": "the sandbox failed to answer this request",
                })),
            )
                .into_response(),
        }
    }
}

impl<S> Layer<S> for RouteLayer {
    type Service = RouteService<S>;

    fn layer(&self, inner: S) -> RouteService<S> {
        RouteService {
            inner,
            shared: Arc::new(Shared {
                core: self.core.clone(),
                who: self.who.clone(),
                counters: OnceLock::new(),
            }),
        }
    }
}

#[derive(Clone)]
pub(crate) struct RouteService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request> for RouteService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Unpin + Send + 'static,
    S::Future: Unpin + Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = RouteFuture<S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> RouteFuture<S> {
        let shared = self.shared.clone();
        let counters = shared.counters(req.extensions().get::<MatchedPath>());
        let span = tracing::info_span!(
            "request",
            method = %req.method(),
            route = %counters.route(),
            path = %req.uri().path(),
        );
        // Only needed for the log lines.
        let started = tracing::enabled!(tracing::Level::WARN).then(Instant::now);
        // A write keeps its tenant from expiring once it succeeds.
        let writer = (shared.core.idle.enabled()
            && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS))
        .then(|| tenant_key(req.headers()).map(Box::<str>::from))
        .flatten();
        let mut fut = RouteFuture {
            shared,
            counters,
            span,
            started,
            writer,
            state: State::Done,
        };
        if fut.shared.who.catch_up && !req.uri().path().ends_with("/health") {
            let core = fut.shared.core.clone();
            fut.state = State::CatchingUp {
                sync: Box::pin(async move { core.catch_up().await }),
                next: Some((self.inner.clone(), req)),
            };
            return fut;
        }
        fut.state = fut.begin(&mut self.inner, req);
        fut
    }
}

impl<S> RouteFuture<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone,
    S::Future: Unpin,
{
    /// The vendor's faults: latency, then the action.
    fn begin(&self, inner: &mut S, req: Request) -> State<S> {
        let (latency, action) = match &self.shared.who.vendor {
            Some((_, rate_limited)) => {
                let headers = req.headers();
                let header = headers.get(FAULT_HEADER).and_then(|h| h.to_str().ok());
                let tenant = tenant_key(headers).unwrap_or("");
                let plan = self
                    .shared
                    .core
                    .faults
                    .decide(tenant, header, *rate_limited);
                (plan.latency, plan.action)
            }
            None => (None, Action::Pass),
        };
        match latency {
            Some(d) => State::Waiting {
                sleep: Box::pin(tokio::time::sleep(d)),
                action,
                next: Some((inner.clone(), req)),
            },
            None => self.act(action, inner, req),
        }
    }
}

type CatchUp = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

enum State<S: Service<Request>> {
    /// Applying what other replicas changed, then [`RouteFuture::begin`].
    CatchingUp {
        sync: CatchUp,
        next: Option<(S, Request)>,
    },
    /// The fault's latency, then its action.
    Waiting {
        sleep: Pin<Box<tokio::time::Sleep>>,
        action: Action,
        next: Option<(S, Request)>,
    },
    Running(S::Future),
    Answered(Response),
    Done,
}

pub(crate) struct RouteFuture<S: Service<Request>> {
    shared: Arc<Shared>,
    counters: Arc<RouteCounters>,
    span: tracing::Span,
    started: Option<Instant>,
    /// The tenant a write request works in.
    writer: Option<Box<str>>,
    state: State<S>,
}

impl<S> RouteFuture<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    fn act(&self, action: Action, inner: &mut S, req: Request) -> State<S> {
        let replies = self.shared.who.vendor.as_ref().map(|v| &v.0);
        match (action, replies) {
            (Action::Pass, _) | (_, None) => {
                let _entered = self.span.enter();
                match std::panic::catch_unwind(AssertUnwindSafe(|| inner.call(req))) {
                    Ok(fut) => State::Running(fut),
                    Err(_) => State::Answered(self.shared.internal_error()),
                }
            }
            (Action::Drop, Some(_)) => State::Answered(dropped_connection()),
            (Action::RateLimited, Some(r)) => State::Answered(r.status(429)),
            (Action::Error(status), Some(r)) => State::Answered(r.status(status)),
        }
    }

    /// Counts and logs the answer.
    fn finish(&self, res: &Response) {
        let status = res.status();
        if let Some(tenant) = self.writer.as_deref().filter(|_| status.is_success()) {
            self.shared.core.idle.wrote(tenant);
        }
        let by = self.shared.who.answerer;
        if res.extensions().get::<UnknownRoute>().is_some() {
            self.shared
                .core
                .metrics
                .unmatched()
                .count(by, status.as_u16());
        } else {
            self.counters.count(by, status.as_u16());
        }
        if let Some(m) = res.extensions().get::<MatchedScenario>() {
            let name = m.scenario.as_ref().map(|s| s.name.as_str());
            self.shared.core.metrics.scenario_matched(name);
        }
        let Some(started) = self.started else {
            return;
        };
        let latency = started.elapsed();
        if status.is_server_error() {
            tracing::warn!(
                target: "tower_http::trace::on_failure",
                parent: &self.span,
                classification = %format_args!("Status code: {status}"),
                latency = %format_args!("{} ms", latency.as_millis()),
                "response failed"
            );
        }
        tracing::debug!(
            target: "tower_http::trace::on_response",
            parent: &self.span,
            latency = %format_args!("{} μs", latency.as_micros()),
            status = status.as_u16(),
            "finished processing request"
        );
    }
}

impl<S> Future for RouteFuture<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Unpin,
    S::Future: Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Every field is Unpin (the sleep is boxed, the inner future Unpin).
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::CatchingUp { sync, next } => {
                    let synced = match sync.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(r) => r,
                    };
                    let Some((mut inner, req)) = next.take() else {
                        this.state = State::Done;
                        continue;
                    };
                    this.state = match synced {
                        Ok(()) => this.begin(&mut inner, req),
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot catch up with the shared store");
                            State::Answered(this.shared.unavailable())
                        }
                    };
                }
                State::Waiting {
                    sleep,
                    action,
                    next,
                } => {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    let action = *action;
                    let Some((mut inner, req)) = next.take() else {
                        this.state = State::Done;
                        continue;
                    };
                    this.state = this.act(action, &mut inner, req);
                }
                State::Running(fut) => {
                    let polled = {
                        let _entered = this.span.enter();
                        std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(&mut *fut).poll(cx)))
                    };
                    let res = match polled {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(Ok(res))) => this.shared.as_json(res),
                        Ok(Poll::Ready(Err(never))) => match never {},
                        Err(_) => this.shared.internal_error(),
                    };
                    this.state = State::Done;
                    this.finish(&res);
                    return Poll::Ready(Ok(res));
                }
                State::Answered(_) => {
                    let State::Answered(res) = std::mem::replace(&mut this.state, State::Done)
                    else {
                        continue;
                    };
                    this.finish(&res);
                    return Poll::Ready(Ok(res));
                }
                State::Done => {
                    // Polled after completion: never by hyper.
                    return Poll::Ready(Ok(this.shared.internal_error()));
                }
            }
        }
    }
}

// --- Around the whole router ----------------------------------------------------

/// Headers never written to logs.
fn mark_sensitive(headers: &mut HeaderMap) {
    static ADMIN_TOKEN: HeaderName = HeaderName::from_static("x-admin-token");
    for name in [&header::AUTHORIZATION, &ADMIN_TOKEN] {
        if let header::Entry::Occupied(mut e) = headers.entry(name) {
            for v in e.iter_mut() {
                v.set_sensitive(true);
            }
        }
    }
}

/// Sizes, reserves and buffers bodies, journals answers; the outermost
/// service of the router.
#[derive(Clone)]
pub(crate) struct Record {
    core: Arc<Core>,
    router: Router,
    /// Who answers under which prefix, and each route's body limit.
    vendors: Arc<[Arc<dyn Vendor>]>,
    budget: Arc<BodyBudget>,
}

impl Record {
    pub(crate) fn new(core: Arc<Core>, router: Router, vendors: Arc<[Arc<dyn Vendor>]>) -> Self {
        let budget = Arc::new(BodyBudget::new(core.config.body_budget_bytes));
        Record {
            core,
            router,
            vendors,
            budget,
        }
    }
}

/// The announced body length, when there is one.
fn content_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Reads and forgets a body the route refuses for its size, up to `cap`
/// bytes; nothing of it is kept.
async fn drain(mut body: Body, cap: usize) {
    use http_body_util::BodyExt;
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        seen = seen.saturating_add(frame.data_ref().map_or(0, Bytes::len));
        if seen > cap {
            break;
        }
    }
}

/// The answer when the body budget had no room for a request in time: the
/// vendor's 503, or the admin API's.
fn busy(vendor: Option<&Arc<dyn Vendor>>) -> Response {
    let mut res = match vendor {
        Some(v) => v.replies().status(503),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({
                "error": "busy",
                "message": "too many request bodies are being read; try again",
            })),
        )
            .into_response(),
    };
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

/// What the journal needs once the answer is known.
pub(crate) struct Pending {
    started: Instant,
    method: Method,
    uri: Uri,
    authorization: Option<HeaderValue>,
}

impl Pending {
    fn of(req: &Request) -> Self {
        Pending {
            started: Instant::now(),
            method: req.method().clone(),
            uri: req.uri().clone(),
            authorization: req.headers().get(header::AUTHORIZATION).cloned(),
        }
    }

    fn journal(self, core: &Core, res: &Response, body: &[u8], body_bytes: usize, too_large: bool) {
        let tenant = self.authorization.as_ref().and_then(key_of).unwrap_or("");
        core.journal.record(
            tenant,
            &journal::Request {
                at_ms: core.clocks.now(tenant),
                method: &self.method,
                path: self.uri.path(),
                query: self.uri.query(),
                body,
                body_bytes,
                too_large,
                status: res.status().as_u16(),
                matched: res.extensions().get::<MatchedScenario>(),
                unknown_route: res.extensions().get::<UnknownRoute>().is_some(),
                duration_ms: self.started.elapsed().as_secs_f64() * 1000.0,
            },
        );
    }
}

impl Service<Request> for Record {
    type Response = Response;
    type Error = Infallible;
    type Future = RecordFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request) -> RecordFuture {
        mark_sensitive(req.headers_mut());
        let config = &self.core.config;
        let path = req.uri().path();
        let admin = is_under(path, ADMIN_PREFIX);
        let vendor = self
            .vendors
            .iter()
            .find(|v| is_under(path, v.prefix()))
            .cloned();
        let limit = match &vendor {
            Some(v) => v.body_limit(req.method(), &path[v.prefix().len()..], config),
            None if admin => config.max_body_bytes,
            None => JSON_BODY_BYTES,
        }
        .min(config.max_body_bytes);
        req.extensions_mut().insert(BodyLimit(limit));
        let journaled = self.core.journal.enabled() && !admin;
        if req.body().is_end_stream() {
            return RecordFuture::Direct {
                pending: journaled.then(|| Pending::of(&req)),
                fut: self.router.call(req),
                core: journaled.then(|| self.core.clone()),
            };
        }
        let pending = journaled.then(|| Pending::of(&req));
        let announced = content_length(req.headers());
        let core = self.core.clone();
        let budget = self.budget.clone();
        let mut router = self.router.clone();
        RecordFuture::Buffered(Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            // Held until the answer is ready: the handler works on the body.
            let mut _room = None;
            let mut too_large = announced.is_some_and(|n| n > limit);
            let bytes = if too_large {
                // A body a little over the limit is read and forgotten, so
                // the client reads the 413 rather than a reset connection;
                // one far over it (a hostile one) is not read at all, so it
                // costs no read buffers, and the connection closes after it.
                if announced.is_some_and(|n| n <= limit.saturating_mul(2)) {
                    drain(body, limit.saturating_mul(2)).await;
                }
                Bytes::new()
            } else {
                _room = budget.reserve(announced.unwrap_or(limit)).await;
                if _room.is_none() {
                    // Read and forgotten (never held), so the client reads
                    // the 503 and its Retry-After rather than a reset.
                    drain(body, limit).await;
                    let res = busy(vendor.as_ref());
                    if let Some(p) = pending {
                        p.journal(&core, &res, &[], announced.unwrap_or(0), false);
                    }
                    return res;
                }
                match axum::body::to_bytes(body, limit).await {
                    Ok(bytes) => bytes,
                    Err(_) => {
                        too_large = true;
                        Bytes::new()
                    }
                }
            };
            if too_large {
                parts.extensions.insert(BodyTooLarge);
            }
            let res = match router
                .call(Request::from_parts(parts, Body::from(bytes.clone())))
                .await
            {
                Ok(res) => res,
                Err(never) => match never {},
            };
            if let Some(p) = pending {
                let n = if too_large {
                    announced.unwrap_or(limit)
                } else {
                    bytes.len()
                };
                p.journal(&core, &res, &bytes, n, too_large);
            }
            res
        }))
    }
}

#[expect(
    clippy::large_enum_variant,
    reason = "the unboxed variant is the common one (no body): boxing it would cost an allocation per request"
)]
pub(crate) enum RecordFuture {
    /// No body to buffer.
    Direct {
        fut: <Router as Service<Request>>::Future,
        pending: Option<Pending>,
        core: Option<Arc<Core>>,
    },
    Buffered(Pin<Box<dyn Future<Output = Response> + Send>>),
}

impl Future for RecordFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            RecordFuture::Direct { fut, pending, core } => {
                let res = match Pin::new(fut).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(res)) => res,
                    Poll::Ready(Err(never)) => match never {},
                };
                if let (Some(p), Some(core)) = (pending.take(), core.as_ref()) {
                    p.journal(core, &res, &[], 0, false);
                }
                Poll::Ready(Ok(res))
            }
            RecordFuture::Buffered(fut) => fut.as_mut().poll(cx).map(Ok),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_whole_segments() {
        assert!(is_under("/__admin", "/__admin"));
        assert!(is_under("/__admin/health", "/__admin"));
        assert!(!is_under("/__adminx", "/__admin"));
        assert!(!is_under("/v1/__admin", "/__admin"));
    }
}
