//! How the core answers on a vendor's behalf: every vendor plug-in says how
//! its errors look, so an injected fault, a scenario's error and a framework
//! rejection all answer in the vendor's own envelope.

use axum::body::{Body, Bytes};
use axum::response::Response;

/// A vendor's error replies.
pub(crate) trait Replies: Send + Sync {
    /// The vendor's standard error for `status` (injected faults, scenario
    /// errors without a body, the rate limit's 429).
    fn status(&self, status: u16) -> Response;
    /// 400 for an `X-Sandbox-Scenario` header that names no scenario.
    fn unknown_scenario(&self, message: String) -> Response;
    /// A request the web framework refused before a handler ran (a path
    /// segment that is not UTF-8, an undecodable query): `status` with the
    /// framework's own sentence as the message.
    fn rejected(&self, status: u16, message: String) -> Response;
}

/// A response hyper refuses to write: its `Content-Length` is not a number
/// and its body's length is unknown, so hyper must parse the header to
/// frame the body, cannot, and closes the connection with nothing sent. The client
/// sees the connection closed with no answer at all, as when a load balancer
/// or a crashed upstream drops it.
pub(crate) fn dropped_connection() -> Response {
    // With a body of known length hyper would send the header as given.
    let body = Body::from_stream(futures_util::stream::once(async {
        Ok::<_, std::convert::Infallible>(Bytes::from_static(b"dropped"))
    }));
    let mut res = Response::new(body);
    // Never sent; what the request journal records.
    *res.status_mut() = axum::http::StatusCode::BAD_GATEWAY;
    res.headers_mut().insert(
        axum::http::header::CONTENT_LENGTH,
        axum::http::HeaderValue::from_static("dropped"),
    );
    res
}
