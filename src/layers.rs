//! The middleware every request passes: the journal and metrics recorder
//! (outermost) and, per vendor, fault injection and the vendor tag.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::body::{BodyLimit, BodyTooLarge};
use crate::core::Core;
use crate::faults::{Action, FAULT_HEADER};
use crate::journal::{self, MatchedScenario, UnknownRoute};
use crate::metrics::UNMATCHED;
use crate::reply::{Replies, dropped_connection};
use crate::tenant::tenant_key;

/// Marks a response with the plug-in that answered it (`complycube`,
/// `verifik`, `admin`); metrics label requests with it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnsweredBy(pub(crate) &'static str);

/// What the vendor layer needs to know about its vendor.
#[derive(Clone)]
pub(crate) struct VendorLayer {
    pub(crate) core: Arc<Core>,
    pub(crate) name: &'static str,
    pub(crate) replies: Arc<dyn Replies>,
    pub(crate) rate_limited: bool,
}

/// Applies configured faults to the vendor's routes, answering injected
/// errors in the vendor's own error shape, and tags the response.
pub(crate) async fn vendor(State(v): State<VendorLayer>, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(FAULT_HEADER)
        .and_then(|h| h.to_str().ok());
    let tenant = tenant_key(req.headers()).unwrap_or("");
    let plan = v.core.faults.decide(tenant, header, v.rate_limited);
    if let Some(d) = plan.latency {
        tokio::time::sleep(d).await;
    }
    let mut res = match plan.action {
        Action::Pass => next.run(req).await,
        Action::Drop => dropped_connection(),
        Action::RateLimited => v.replies.status(429),
        Action::Error(status) => v.replies.status(status),
    };
    res.extensions_mut().insert(AnsweredBy(v.name));
    res
}

/// Tags admin responses for metrics.
pub(crate) async fn admin(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    res.extensions_mut().insert(AnsweredBy("admin"));
    res
}

/// Buffers the body (bounded), runs the request, counts it and journals it.
pub(crate) async fn record(State(core): State<Arc<Core>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
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
    let route = parts.extensions.get::<MatchedPath>().cloned();
    let res = next.run(Request::from_parts(parts, body)).await;
    let unknown = res.extensions().get::<UnknownRoute>().is_some();
    let route = match (&route, unknown) {
        (Some(m), false) => m.as_str(),
        _ => UNMATCHED,
    };
    let answered_by = res
        .extensions()
        .get::<AnsweredBy>()
        .map_or("sandbox", |a| a.0);
    core.metrics
        .request(answered_by, route, res.status().as_u16());
    let matched = res.extensions().get::<MatchedScenario>();
    if let Some(m) = matched {
        core.metrics.scenario_matched(&m.name);
    }
    if answered_by == "admin" {
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
            scenario: matched.map_or_else(|| "default".to_owned(), |m| m.name.clone()),
            scenario_source: matched.map(|m| m.source),
            unknown_route: unknown,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            body: clipped.0,
            body_bytes,
            body_truncated: clipped.1,
        },
    );
    res
}
