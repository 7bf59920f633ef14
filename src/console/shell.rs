//! The page shell every console URL answers with: the header, the tenant's
//! navigation (the core's pages and every vendor's), the scripts, and a
//! `main` the script draws into. Only the tenant key comes from the
//! request, and it is escaped.

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::html::{self, decode, encode, escape, redirect};
use super::{BASE, Console};
use crate::admin::access;

/// The core's pages in a tenant's navigation, around the vendors' own.
const FIRST: &[(&str, &str)] = &[("Overview", "")];
const LAST: &[(&str, &str)] = &[
    ("Scenarios", "scenarios"),
    ("Clock & faults", "clock"),
    ("Webhooks", "webhooks"),
    ("Journal", "requests"),
];

/// The tenant a console path is about, and whether the path is a page at
/// all: `/__admin/ui` (the tenant picker) or `/__admin/ui/tenants/{key}/…`.
fn route(path: &str) -> Option<Option<String>> {
    let rest = path.strip_prefix(BASE)?.trim_matches('/');
    if rest.is_empty() {
        return Some(None);
    }
    let mut segments = rest.split('/');
    match (segments.next(), segments.next()) {
        (Some("tenants"), Some(key)) if !key.is_empty() => Some(Some(decode(key))),
        _ => None,
    }
}

pub(super) async fn page(
    State(console): State<Console>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let token = console.core.config.admin_token.as_deref();
    if let Some(t) = token {
        if !access::has_session(&headers, t) {
            let next = uri.path_and_query().map_or(BASE, |p| p.as_str());
            return redirect(&format!("{BASE}/login?next={}", encode(next)));
        }
    }
    let (status, tenant) = match route(uri.path()) {
        Some(t) => (StatusCode::OK, t),
        None => (StatusCode::NOT_FOUND, None),
    };
    html::page(status, render(&console, tenant.as_deref(), token.is_some()))
}

/// The `<head>` and the top of `<body>` every console page shares (the
/// login page too).
pub(super) fn head(title: &str, scripts: &[String]) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n\
         <link rel=\"icon\" href=\"{BASE}/assets/favicon.svg\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"{BASE}/assets/console.css\">\n",
        escape(title)
    );
    for s in scripts {
        out.push_str(&format!(
            "<script src=\"{BASE}/assets/{}\" defer></script>\n",
            escape(s)
        ));
    }
    out.push_str("</head>\n");
    out
}

fn render(console: &Console, tenant: Option<&str>, signed_in: bool) -> String {
    let mut scripts: Vec<String> = ["console.js", "pages.js", "activity.js"]
        .map(str::to_owned)
        .to_vec();
    scripts.extend(console.parts.iter().map(|(name, _)| format!("{name}.js")));
    let mut out = head("kyc-sandbox console", &scripts);
    out.push_str(&format!(
        "<body data-base=\"{BASE}\" data-tenant=\"{}\">\n\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\n\
         <header class=\"top\">\n<a class=\"brand\" href=\"{BASE}/\">kyc-sandbox <span>console</span></a>\n",
        escape(tenant.unwrap_or(""))
    ));
    if let Some(key) = tenant {
        out.push_str(&format!(
            "<p class=\"tenant\">Tenant <a href=\"{BASE}/tenants/{}\"><code>{}</code></a> \
             <a class=\"switch\" href=\"{BASE}/\">switch</a></p>\n\
             <div id=\"clockbar\" class=\"clockbar\" aria-live=\"polite\"></div>\n",
            escape(&encode(key)),
            escape(key)
        ));
    }
    if signed_in {
        out.push_str(&format!(
            "<form class=\"signout\" method=\"post\" action=\"{BASE}/logout\">\
             <button type=\"submit\" class=\"quiet\">Sign out</button></form>\n"
        ));
    }
    out.push_str("</header>\n<div class=\"layout\">\n");
    if let Some(key) = tenant {
        out.push_str("<nav class=\"side\" aria-label=\"Tenant pages\">\n<ul>\n");
        let vendor = console.parts.iter().flat_map(|(_, p)| p.nav.iter());
        for (label, path) in FIRST.iter().chain(vendor).chain(LAST) {
            let href = if path.is_empty() {
                format!("{BASE}/tenants/{}", encode(key))
            } else {
                format!("{BASE}/tenants/{}/{path}", encode(key))
            };
            out.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>\n",
                escape(&href),
                escape(label)
            ));
        }
        out.push_str("</ul>\n</nav>\n");
    }
    out.push_str(
        "<main id=\"main\" tabindex=\"-1\">\n\
         <noscript><p>The console draws its pages with JavaScript; please enable it.</p></noscript>\n\
         <p class=\"loading\">Loading…</p>\n</main>\n</div>\n</body>\n</html>\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_picker_and_tenant_pages_are_pages() {
        assert_eq!(route("/__admin/ui"), Some(None));
        assert_eq!(route("/__admin/ui/"), Some(None));
        assert_eq!(
            route("/__admin/ui/tenants/test_a%20b/checks/1"),
            Some(Some("test_a b".into()))
        );
        assert_eq!(route("/__admin/ui/tenants/"), None);
        assert_eq!(route("/__admin/ui/other"), None);
    }
}
