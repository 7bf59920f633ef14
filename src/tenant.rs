//! Tenants: every API key (ComplyCube) or token (Verifik) is its own
//! sandbox. This module says which tenant a request works in and what every
//! holder of per-tenant data offers the rest of the sandbox: resets,
//! restoring stored records, and exporting a tenant.

use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue};

use crate::persist::Record;
use crate::scenario::stored::Restored;

/// The tenant key a request carries: its `Authorization` value without a
/// `Bearer`/`JWT` scheme. A scheme with nothing after it is no key.
pub(crate) fn tenant_key(headers: &HeaderMap) -> Option<&str> {
    key_of(headers.get(AUTHORIZATION)?)
}

/// The tenant key an `Authorization` value carries (see [`tenant_key`]).
pub(crate) fn key_of(authorization: &HeaderValue) -> Option<&str> {
    let raw = authorization.to_str().ok()?.trim();
    let (first, rest) = match raw.split_once(char::is_whitespace) {
        Some((first, rest)) => (first, rest.trim()),
        None => (raw, ""),
    };
    let scheme = first.eq_ignore_ascii_case("bearer") || first.eq_ignore_ascii_case("jwt");
    let key = if scheme { rest } else { raw };
    (!key.is_empty()).then_some(key)
}

/// What restoring records may refer to besides the record itself.
pub(crate) struct RestoreContext<'a> {
    /// Stored scenarios by digest (checks keep the one that decided them).
    pub(crate) scenarios: &'a Restored,
}

impl RestoreContext<'static> {
    /// For records that refer to no stored scenario.
    pub(crate) fn none() -> Self {
        static NONE: std::sync::LazyLock<Restored> = std::sync::LazyLock::new(Restored::default);
        RestoreContext { scenarios: &NONE }
    }
}

/// What one holder keeps for each tenant: the tenant and counts by kind
/// (`("clients", 3)`), for the console's tenant picker.
pub(crate) type Census = Vec<(String, Vec<(&'static str, usize)>)>;

/// Something holding per-tenant data: a vendor's store or a piece of the
/// core (clocks, armed scenarios, fault profiles, the outbox), which an
/// admin can reset, count, export and import, and which restarts restore.
pub(crate) trait TenantData: Send + Sync {
    /// Forgets one tenant's data (the caller deletes its durable records).
    fn reset_tenant(&self, tenant: &str);
    fn reset_all(&self);
    /// Whether records of this kind are this part's.
    fn owns(&self, kind: &str) -> bool;
    /// Puts stored records (all of this part's kinds, in the order they
    /// were first written) back into memory: at startup and on import.
    fn restore(&self, records: &[&Record], ctx: &RestoreContext<'_>) -> Result<(), String>;
    /// Forgets one record another replica deleted.
    fn forget(&self, tenant: &str, kind: &str, id: &str);
    /// Every record one tenant holds, as the durable store writes them.
    fn export(&self, tenant: &str) -> Vec<Record>;
    /// Whether the tenant already holds a record with this kind and id.
    fn contains(&self, record: &Record) -> bool;
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
