//! The request journal: what each tenant sent and what it got back.
//!
//! Bounded per tenant by entry count and by bytes; the oldest entries are
//! evicted first and counted, so memory stays flat under any load. Request
//! bodies are cut to a configured size, so large images are never kept whole.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;

use crate::ids::Millis;

/// Inserted into a response's extensions by a handler that consulted the
/// scenario engine: the journal records the name and which layer chose it.
#[derive(Debug, Clone)]
pub(crate) struct MatchedScenario {
    pub(crate) name: String,
    /// `armed`, `header`, `fixture` or `default`.
    pub(crate) source: &'static str,
}

/// Inserted into a response's extensions by a fallback: no route matched.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UnknownRoute;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_entries: usize,
    pub(crate) max_bytes: usize,
    pub(crate) body_bytes: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    pub(crate) seq: u64,
    pub(crate) at: String,
    #[serde(skip)]
    pub(crate) at_ms: Millis,
    pub(crate) method: String,
    pub(crate) path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) query: Option<String>,
    pub(crate) status: u16,
    /// The scenario that decided the response, or `default`.
    pub(crate) scenario: String,
    /// Which layer chose it (`armed`, `header`, `fixture`, `default`);
    /// absent when the request never consulted the scenario engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scenario_source: Option<&'static str>,
    pub(crate) unknown_route: bool,
    pub(crate) duration_ms: f64,
    /// The request body (UTF-8, lossy), cut to the configured size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<String>,
    pub(crate) body_bytes: usize,
    pub(crate) body_truncated: bool,
}

impl Entry {
    fn weight(&self) -> usize {
        std::mem::size_of::<Entry>()
            + self.method.len()
            + self.path.len()
            + self.query.as_ref().map_or(0, String::len)
            + self.scenario.len()
            + self.at.len()
            + self.body.as_ref().map_or(0, String::len)
    }
}

/// Filters for [`Journal::list`]; all present must hold.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Filter {
    pub(crate) method: Option<String>,
    pub(crate) path_prefix: Option<String>,
    pub(crate) status: Option<u16>,
    /// Only entries at or after this time (RFC 3339 or epoch millis).
    pub(crate) since: Option<String>,
    /// Only entries before this time.
    pub(crate) until: Option<String>,
    pub(crate) scenario: Option<String>,
    pub(crate) unknown_route: Option<bool>,
    /// Only entries recorded after this sequence number (live feeds).
    pub(crate) after_seq: Option<u64>,
    /// Only the entry with this sequence number.
    pub(crate) seq: Option<u64>,
    /// At most this many entries (newest first).
    pub(crate) limit: Option<usize>,
}

impl Filter {
    /// Rejects bounds that are not times, so a typo never silently matches everything.
    pub(crate) fn check(&self) -> Result<(), String> {
        for (key, value) in [("since", &self.since), ("until", &self.until)] {
            if let Some(v) = value {
                if parse_bound(v).is_none() {
                    return Err(format!(
                        "'{key}' must be an RFC 3339 time (2025-01-01T08:30:00Z) or epoch milliseconds, not '{v}'"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Listing {
    /// Entries returned (after filters and `limit`).
    pub(crate) count: usize,
    /// Entries the journal holds for the tenant.
    pub(crate) total_kept: usize,
    pub(crate) kept_bytes: usize,
    pub(crate) evicted: u64,
    pub(crate) items: Vec<Entry>,
}

#[derive(Default)]
struct TenantJournal {
    entries: VecDeque<Entry>,
    bytes: usize,
    evicted: u64,
    next_seq: u64,
}

pub(crate) struct Journal {
    limits: Limits,
    tenants: Mutex<HashMap<String, TenantJournal>>,
}

fn parse_bound(s: &str) -> Option<Millis> {
    s.parse::<Millis>()
        .ok()
        .or_else(|| crate::ids::parse_time(s))
}

impl Journal {
    pub(crate) fn new(limits: Limits) -> Self {
        Journal {
            limits,
            tenants: Mutex::default(),
        }
    }

    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TenantJournal>> {
        self.tenants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Cuts a body to the journal's size.
    pub(crate) fn clip_body(&self, body: &[u8]) -> (Option<String>, bool) {
        if body.is_empty() {
            return (None, false);
        }
        let cut = body.len().min(self.limits.body_bytes);
        (
            Some(String::from_utf8_lossy(&body[..cut]).into_owned()),
            cut < body.len(),
        )
    }

    pub(crate) fn record(&self, tenant: &str, mut entry: Entry) {
        if self.limits.max_entries == 0 {
            return;
        }
        let mut map = self.lock();
        let j = match map.get_mut(tenant) {
            Some(j) => j,
            None => map.entry(tenant.to_owned()).or_default(),
        };
        j.next_seq += 1;
        entry.seq = j.next_seq;
        j.bytes += entry.weight();
        j.entries.push_back(entry);
        while j.entries.len() > self.limits.max_entries
            || (j.bytes > self.limits.max_bytes && j.entries.len() > 1)
        {
            if let Some(old) = j.entries.pop_front() {
                j.bytes -= old.weight();
                j.evicted += 1;
            }
        }
    }

    /// Newest first.
    pub(crate) fn list(&self, tenant: &str, f: &Filter) -> Listing {
        let map = self.lock();
        let Some(j) = map.get(tenant) else {
            return Listing {
                count: 0,
                total_kept: 0,
                kept_bytes: 0,
                evicted: 0,
                items: Vec::new(),
            };
        };
        let since = f.since.as_deref().and_then(parse_bound);
        let until = f.until.as_deref().and_then(parse_bound);
        let items = j
            .entries
            .iter()
            .rev()
            // Newest first: everything after `after_seq` comes before the rest.
            .take_while(|e| f.after_seq.is_none_or(|a| e.seq > a))
            .filter(|e| {
                f.method
                    .as_ref()
                    .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
            })
            .filter(|e| {
                f.path_prefix
                    .as_ref()
                    .is_none_or(|p| e.path.starts_with(p.as_str()))
            })
            .filter(|e| f.status.is_none_or(|s| e.status == s))
            .filter(|e| f.scenario.as_ref().is_none_or(|s| &e.scenario == s))
            .filter(|e| f.unknown_route.is_none_or(|u| e.unknown_route == u))
            .filter(|e| f.seq.is_none_or(|s| e.seq == s))
            .filter(|e| since.is_none_or(|s| e.at_ms >= s))
            .filter(|e| until.is_none_or(|u| e.at_ms < u))
            .take(f.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect::<Vec<_>>();
        Listing {
            count: items.len(),
            total_kept: j.entries.len(),
            kept_bytes: j.bytes,
            evicted: j.evicted,
            items,
        }
    }

    /// The sequence number of the tenant's newest entry (0: none yet).
    pub(crate) fn last_seq(&self, tenant: &str) -> u64 {
        self.lock().get(tenant).map_or(0, |j| j.next_seq)
    }

    /// Every tenant with entries kept, and how many.
    pub(crate) fn census(&self) -> Vec<(String, usize)> {
        self.lock()
            .iter()
            .filter(|(t, j)| !t.is_empty() && !j.entries.is_empty())
            .map(|(t, j)| (t.clone(), j.entries.len()))
            .collect()
    }

    /// Evictions over all tenants (for metrics).
    pub(crate) fn evicted_total(&self) -> u64 {
        self.lock().values().map(|j| j.evicted).sum()
    }

    pub(crate) fn reset(&self, tenant: &str) {
        self.lock().remove(tenant);
    }

    pub(crate) fn reset_all(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, body: Option<String>) -> Entry {
        Entry {
            seq: 0,
            at: String::new(),
            at_ms: 0,
            method: "GET".into(),
            path: path.into(),
            query: None,
            status: 200,
            scenario: "default".into(),
            scenario_source: None,
            unknown_route: false,
            duration_ms: 0.0,
            body,
            body_bytes: 0,
            body_truncated: false,
        }
    }

    #[test]
    fn count_bound_evicts_oldest_and_counts() {
        let j = Journal::new(Limits {
            max_entries: 3,
            max_bytes: usize::MAX,
            body_bytes: 10,
        });
        for i in 0..5 {
            j.record("t", entry(&format!("/v1/x/{i}"), None));
        }
        let l = j.list("t", &Filter::default());
        assert_eq!(l.items.len(), 3);
        assert_eq!(l.evicted, 2);
        assert_eq!(l.items[0].path, "/v1/x/4");
        assert_eq!(j.list("other", &Filter::default()).items.len(), 0);
    }

    #[test]
    fn byte_bound_holds() {
        let j = Journal::new(Limits {
            max_entries: 1000,
            max_bytes: 4096,
            body_bytes: 1000,
        });
        for _ in 0..100 {
            j.record("t", entry("/v1/y", Some("x".repeat(1000))));
        }
        let l = j.list("t", &Filter::default());
        assert!(l.kept_bytes <= 4096, "{}", l.kept_bytes);
        assert_eq!(l.evicted as usize + l.items.len(), 100);
    }
}
