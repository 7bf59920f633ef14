//! `GET /__admin/docs`: `/openapi.json` rendered for reading, from the
//! binary. A dependency-free script (no Swagger UI bundle: a few kilobytes
//! instead of a megabyte, nothing to keep patched) fetches the document and
//! lists every operation by tag with its parameters, body schema, responses
//! and links. It builds the page with DOM calls and sets text only, under
//! the console's strict `Content-Security-Policy`, so it works offline.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::console::html::secure;

const PAGE: &str = include_str!("docs/docs.html");
const SCRIPT: &str = include_str!("docs/docs.js");
const STYLE: &str = include_str!("docs/docs.css");

/// The page and its two files, to be nested under `/__admin`.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/docs",
            get(|| async { file(PAGE, "text/html; charset=utf-8") }),
        )
        .route(
            "/docs/docs.js",
            get(|| async { file(SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/docs/docs.css",
            get(|| async { file(STYLE, "text/css; charset=utf-8") }),
        )
}

fn file(body: &'static str, kind: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    secure(h);
    res
}
