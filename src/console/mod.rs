//! The QA console: a web page in the binary, at `/__admin/ui/`, where a
//! tester sees and steers the sandbox without curl.
//!
//! The server renders one page shell per URL (header, the tenant's
//! navigation, the scripts); a dependency-free script (`assets/console.js`)
//! fetches the admin API and draws the page, builds every element with DOM
//! calls (never markup from data), follows links with the History API so
//! every view keeps a linkable URL, and listens to `GET /__admin/events`
//! (Server-Sent Events) to redraw what changed. Vendors contribute their
//! pages through their plug-in ([`Part`]): navigation entries and a script
//! that registers pages drawn from their own admin routes. Everything is
//! embedded in the binary; nothing is fetched from elsewhere.

mod assets;
pub(crate) mod html;
mod login;
mod shell;

use std::sync::Arc;

use axum::Router;
use axum::http::HeaderMap;
use axum::http::header::ACCEPT;
use axum::routing::{get, post};

use crate::core::Core;

/// Where the console lives.
pub(crate) const BASE: &str = "/__admin/ui";

/// What a vendor adds to the console.
pub(crate) struct Part {
    /// Navigation entries: a label and the page's path under the tenant
    /// (`clients` → `/__admin/ui/tenants/{key}/clients`).
    pub(crate) nav: &'static [(&'static str, &'static str)],
    /// The vendor's page script, served as `assets/{vendor}.js` after the
    /// console's own; it registers pages with `window.KycConsole`.
    pub(crate) script: &'static str,
}

/// The console and the vendors' parts, as the routes need them.
#[derive(Clone)]
pub(crate) struct Console {
    core: Arc<Core>,
    parts: Arc<[(&'static str, &'static Part)]>,
}

/// The console's routes, relative to `/__admin` (the composition root nests
/// them with the admin API, so they share its tagging and are never
/// journaled). `parts` names each vendor and its contribution.
pub(crate) fn router(core: Arc<Core>, parts: Vec<(&'static str, &'static Part)>) -> Router {
    let console = Console {
        core,
        parts: parts.into(),
    };
    Router::new()
        .route("/ui", get(shell::page))
        .route("/ui/{*path}", get(shell::page))
        .route("/ui/assets/{name}", get(assets::asset))
        .route("/ui/login", get(login::form).post(login::submit))
        .route("/ui/logout", post(login::logout))
        .with_state(console)
}

/// Whether a request's `Accept` prefers an HTML page to JSON: `text/html`
/// is listed with a quality above zero and at least that of any JSON type.
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut html = 0.0_f32;
    let mut json = 0.0_f32;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let kind = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match kind.as_str() {
            "text/html" => html = html.max(q),
            "application/json" => json = json.max(q),
            _ => {}
        }
    }
    html > 0.0 && html >= json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_want_html_and_api_clients_do_not() {
        let cases = [
            (
                Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                true,
            ),
            (Some("*/*"), false),
            (Some("application/json"), false),
            (Some("application/json, text/html;q=0.5"), false),
            (Some("text/html;q=0"), false),
            (Some("text/html"), true),
            (None, false),
        ];
        for (accept, want) in cases {
            let mut h = HeaderMap::new();
            if let Some(a) = accept {
                h.insert(ACCEPT, a.parse().unwrap());
            }
            assert_eq!(wants_html(&h), want, "{accept:?}");
        }
    }
}
