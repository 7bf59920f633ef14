//! Whether a scenario's rules hold for a request.

use axum::http::HeaderMap;

use super::model::Scenario;

/// The vendor facts a request offers (`checkType`, `client.lastName`, …),
/// by the dotted paths its vendor's vocabulary declares.
pub(crate) trait Facts: Sync {
    fn fact(&self, path: &str) -> Option<&str>;
}

/// A request with no vendor facts.
pub(crate) struct NoFacts;

impl Facts for NoFacts {
    fn fact(&self, _: &str) -> Option<&str> {
        None
    }
}

/// A request as the engine sees it.
#[derive(Clone, Copy)]
pub(crate) struct Request<'a> {
    /// The vendor's name (`match.vendor`).
    pub(crate) vendor: &'static str,
    /// The operation, e.g. `checks`, `riskProfile`, `compare-with-liveness`.
    pub(crate) endpoint: &'a str,
    pub(crate) facts: &'a dyn Facts,
    pub(crate) headers: &'a HeaderMap,
    /// SHA-256 of every decoded image in the request.
    pub(crate) image_sha256: &'a [[u8; 32]],
}

impl Scenario {
    /// Whether the match rules hold for `req`. A scenario with no rules at
    /// all never matches by rules (it can still be armed or named).
    pub(crate) fn matches(&self, req: &Request<'_>) -> bool {
        let r = &self.rules;
        if r.is_empty() {
            return false;
        }
        self.applies_to(req)
    }

    /// Whether every rule present holds (no rules: every request).
    pub(crate) fn applies_to(&self, req: &Request<'_>) -> bool {
        let r = &self.rules;
        if r.vendor.as_deref().is_some_and(|v| v != req.vendor) {
            return false;
        }
        if r.endpoint
            .as_ref()
            .is_some_and(|e| !e.contains(req.endpoint))
        {
            return false;
        }
        for rule in &r.compiled {
            let Some(got) = req.facts.fact(&rule.path) else {
                return false;
            };
            let hit = if rule.ignore_case {
                let got = got.trim();
                rule.values.iter().any(|w| got.eq_ignore_ascii_case(w))
            } else {
                rule.values.iter().any(|w| w == got)
            };
            if !hit {
                return false;
            }
        }
        if let Some(headers) = &r.header {
            for (name, want) in headers {
                let got = req.headers.get(name.as_str()).and_then(|v| v.to_str().ok());
                if got != Some(want.as_str()) {
                    return false;
                }
            }
        }
        if let Some(hashes) = &r.image_sha256 {
            let wanted = hashes.values();
            let any = req.image_sha256.iter().any(|h| {
                let hex = hex::encode(h);
                wanted.iter().any(|w| w.eq_ignore_ascii_case(&hex))
            });
            if !any {
                return false;
            }
        }
        true
    }
}
