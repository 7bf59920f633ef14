//! Who may use `/__admin`, and from where.
//!
//! With `--admin-token`, a call proves itself with the `X-Admin-Token`
//! header (scripts, CI) or with the console's session cookie, which the
//! console sets once the token was typed into its login form. The cookie is
//! `HttpOnly` and `SameSite=Strict` and holds a MAC of the token, never the
//! token itself; the token never appears in a URL.
//!
//! Cross-site requests: a state-changing call (anything but GET/HEAD) that a
//! browser marks as coming from another site (`Sec-Fetch-Site`, or an
//! `Origin` that is not this host) is refused, token or not, so a web page
//! cannot drive the sandbox through a tester's browser. A call authenticated
//! by the cookie must also carry `X-Sandbox-Console: 1`, a header plain
//! cross-site forms cannot send.

use axum::http::{HeaderMap, Method, StatusCode, header};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::AdminError;

/// The console's session cookie.
pub(crate) const SESSION_COOKIE: &str = "kyc_sandbox_console";
/// The header the console's own state-changing calls carry.
pub(crate) const CONSOLE_HEADER: &str = "x-sandbox-console";

/// The cookie value for `token`: a MAC of it, so the cookie never holds
/// the token and changing the token ends every session.
pub(crate) fn session_value(token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(b"kyc-sandbox console session v1");
    hex::encode(mac.finalize().into_bytes())
}

/// `a == b` in time that does not depend on where they differ.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The value of cookie `name`, if sent.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// Whether the request carries a valid console session for `token`.
pub(crate) fn has_session(headers: &HeaderMap, token: &str) -> bool {
    cookie(headers, SESSION_COOKIE)
        .is_some_and(|v| same(v.as_bytes(), session_value(token).as_bytes()))
}

/// Whether a browser says the request comes from another site.
pub(crate) fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (text("origin"), text("host")) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_none_or(|(_, authority)| !authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn refuse(status: StatusCode, error: &'static str, message: &str) -> AdminError {
    AdminError {
        status,
        error,
        message: message.to_owned(),
    }
}

/// Admits an admin call, or says why not.
pub(crate) fn check(
    token: Option<&str>,
    method: &Method,
    headers: &HeaderMap,
) -> Result<(), AdminError> {
    let changes_state = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && cross_site(headers) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Cross-site requests may not change the sandbox",
        ));
    }
    let Some(token) = token else {
        return Ok(());
    };
    let sent = headers.get("x-admin-token").map(|v| v.as_bytes());
    if sent.is_some_and(|s| same(s, token.as_bytes())) {
        return Ok(());
    }
    if has_session(headers, token) {
        let from_console = headers.get(CONSOLE_HEADER).is_some_and(|v| v == "1");
        if changes_state && !from_console {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "forbidden",
                "A console session changes the sandbox only from the console (X-Sandbox-Console: 1)",
            ));
        }
        return Ok(());
    }
    Err(refuse(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "This sandbox requires 'X-Admin-Token' on /__admin calls",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn cross_site_is_read_from_fetch_metadata_then_origin() {
        let cases: &[(&[(&'static str, &str)], bool)] = &[
            (&[], false),
            (&[("sec-fetch-site", "same-origin")], false),
            (&[("sec-fetch-site", "none")], false),
            (&[("sec-fetch-site", "same-site")], true),
            (&[("sec-fetch-site", "cross-site")], true),
            (
                &[
                    ("origin", "http://localhost:8080"),
                    ("host", "localhost:8080"),
                ],
                false,
            ),
            (
                &[
                    ("origin", "http://evil.example"),
                    ("host", "localhost:8080"),
                ],
                true,
            ),
            (&[("origin", "null"), ("host", "localhost:8080")], true),
        ];
        for (pairs, want) in cases {
            assert_eq!(cross_site(&headers(pairs)), *want, "{pairs:?}");
        }
    }

    #[test]
    fn the_session_cookie_is_found_among_others_and_compared_whole() {
        let good = session_value("s3cret");
        let h = headers(&[("cookie", &format!("a=1; {SESSION_COOKIE}={good}; b=2"))]);
        assert!(has_session(&h, "s3cret"));
        assert!(!has_session(&h, "other"));
        let h = headers(&[("cookie", &format!("{SESSION_COOKIE}={}", &good[..10]))]);
        assert!(!has_session(&h, "s3cret"));
        assert_ne!(good, "s3cret");
    }
}
