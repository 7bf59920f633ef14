//! The console's files, embedded in the binary at build time: its scripts
//! (the framework, the core pages, the activity pages), stylesheet and icon, and each vendor's page script. They are served with
//! an `ETag` of their content, so a browser revalidates cheaply and never
//! keeps a stale copy across sandbox versions.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::Console;
use super::html::secure;

const SCRIPT: &str = include_str!("assets/console.js");
const PAGES: &str = include_str!("assets/pages.js");
const ACTIVITY: &str = include_str!("assets/activity.js");
const STYLE: &str = include_str!("assets/console.css");
const ICON: &str = include_str!("assets/favicon.svg");

/// The content and its type, by file name.
fn find(console: &Console, name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        "console.js" => Some((SCRIPT, "text/javascript; charset=utf-8")),
        "pages.js" => Some((PAGES, "text/javascript; charset=utf-8")),
        "activity.js" => Some((ACTIVITY, "text/javascript; charset=utf-8")),
        "console.css" => Some((STYLE, "text/css; charset=utf-8")),
        "favicon.svg" => Some((ICON, "image/svg+xml")),
        other => {
            let file = console
                .parts
                .iter()
                .flat_map(|(_, p)| p.files.iter())
                .find(|(n, _)| *n == other);
            if let Some((n, body)) = file {
                let kind = if n.ends_with(".css") {
                    "text/css; charset=utf-8"
                } else {
                    "text/javascript; charset=utf-8"
                };
                return Some((body, kind));
            }
            let vendor = other.strip_suffix(".js")?;
            console
                .parts
                .iter()
                .find(|(n, _)| *n == vendor)
                .map(|(_, p)| (p.script, "text/javascript; charset=utf-8"))
        }
    }
}

pub(super) async fn asset(
    State(console): State<Console>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some((body, kind)) = find(&console, &name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let digest = Sha256::digest(body.as_bytes());
    let etag = format!("\"{}\"", hex::encode(&digest[..8]));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    secure(h);
    res
}
