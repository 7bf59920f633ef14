//! Tenants: every API key (ComplyCube) or token (Verifik) is its own
//! sandbox. This module says which tenant a request works in and what every
//! holder of per-tenant data must offer the admin API.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

/// The tenant key a request carries: its `Authorization` value without a
/// `Bearer`/`JWT` scheme. A scheme with nothing after it is no key.
pub(crate) fn tenant_key(headers: &HeaderMap) -> Option<&str> {
    let raw = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (first, rest) = match raw.split_once(char::is_whitespace) {
        Some((first, rest)) => (first, rest.trim()),
        None => (raw, ""),
    };
    let scheme = first.eq_ignore_ascii_case("bearer") || first.eq_ignore_ascii_case("jwt");
    let key = if scheme { rest } else { raw };
    (!key.is_empty()).then_some(key)
}

/// What one holder keeps for each tenant: the tenant and counts by kind
/// (`("clients", 3)`), for the console's tenant picker.
pub(crate) type Census = Vec<(String, Vec<(&'static str, usize)>)>;

/// Something holding per-tenant data that an admin can reset and count.
pub(crate) trait TenantData: Send + Sync {
    fn reset_tenant(&self, tenant: &str);
    fn reset_all(&self);
    /// Every tenant holding data here, with what it holds.
    fn census(&self) -> Census;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(v: &str) -> Option<String> {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, v.parse().unwrap());
        tenant_key(&h).map(str::to_owned)
    }

    #[test]
    fn schemes_are_stripped_and_a_bare_scheme_is_no_key() {
        let cases = [
            ("test_abc", Some("test_abc")),
            ("Bearer test_abc", Some("test_abc")),
            ("bearer   test_abc ", Some("test_abc")),
            ("JWT eyJ.x.y", Some("eyJ.x.y")),
            ("Bearer", None),
            ("Bearer   ", None),
            ("jwt", None),
            ("", None),
            ("   ", None),
        ];
        for (header, want) in cases {
            assert_eq!(key(header).as_deref(), want, "{header:?}");
        }
    }
}
