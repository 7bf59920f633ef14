//! Signing in to the console when the sandbox has an admin token: the
//! tester types the token once into a form (it is posted, never put in a
//! URL) and gets the `HttpOnly`, `SameSite=Strict` session cookie that the
//! admin API accepts ([`access`]). Without an admin token there is nothing
//! to sign in to.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

use super::html::{escape, page, redirect};
use super::shell::head;
use super::{BASE, Console};
use crate::admin::access::{self, SESSION_COOKIE};

#[derive(Deserialize, Default)]
pub(super) struct Next {
    next: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct SignIn {
    #[serde(default)]
    token: String,
    next: Option<String>,
}

/// Where to go after signing in: a console page, never another site.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with(BASE)
                && !n.contains("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n
        }
        _ => "/__admin/ui/",
    }
}

fn form_page(status: StatusCode, next: &str, problem: Option<&str>) -> Response {
    let mut out = head("Sign in · kyc-sandbox console", &[]);
    out.push_str(&format!(
        "<body class=\"narrow\">\n<main id=\"main\">\n<h1>kyc-sandbox console</h1>\n\
         <p>This sandbox was started with an admin token. Type it once; the browser keeps \
         a session cookie for this sandbox only.</p>\n{}\
         <form method=\"post\" action=\"{BASE}/login\" class=\"stack\">\n\
         <label for=\"token\">Admin token</label>\n\
         <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required autofocus>\n\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\n\
         <button type=\"submit\" class=\"primary\">Sign in</button>\n</form>\n</main>\n</body>\n</html>\n",
        problem.map_or(String::new(), |p| format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n",
            escape(p)
        )),
        escape(next)
    ));
    page(status, out)
}

pub(super) async fn form(State(console): State<Console>, Query(q): Query<Next>) -> Response {
    let next = safe_next(q.next.as_deref());
    if console.core.config.admin_token.is_none() {
        return redirect(next);
    }
    form_page(StatusCode::OK, next, None)
}

pub(super) async fn submit(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(f): Form<SignIn>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let Some(token) = console.core.config.admin_token.as_deref() else {
        return redirect(next);
    };
    if access::cross_site(&headers) {
        return form_page(
            StatusCode::FORBIDDEN,
            next,
            Some("Signing in from another site is not allowed."),
        );
    }
    if !access::same(f.token.as_bytes(), token.as_bytes()) {
        return form_page(
            StatusCode::UNAUTHORIZED,
            next,
            Some("That is not this sandbox's admin token."),
        );
    }
    let mut res = redirect(next);
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/__admin; HttpOnly; SameSite=Strict",
        access::session_value(token)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

pub(super) async fn logout(headers: HeaderMap) -> Response {
    if access::cross_site(&headers) {
        return form_page(
            StatusCode::FORBIDDEN,
            BASE,
            Some("Signing out from another site is not allowed."),
        );
    }
    let mut res = redirect(&format!("{BASE}/login"));
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "kyc_sandbox_console=; Path=/__admin; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_in_the_console() {
        let cases = [
            (
                Some("/__admin/ui/tenants/k/checks/1"),
                "/__admin/ui/tenants/k/checks/1",
            ),
            (Some("https://evil.example/"), "/__admin/ui/"),
            (Some("/__admin/ui//evil.example"), "/__admin/ui/"),
            (Some("/__admin/ui/\\evil"), "/__admin/ui/"),
            (Some("/v1/clients"), "/__admin/ui/"),
            (None, "/__admin/ui/"),
        ];
        for (next, want) in cases {
            assert_eq!(safe_next(next), want, "{next:?}");
        }
    }
}
