//! The request journal: what each tenant sent and what it got back.
//!
//! Bounded per tenant by entry count and by bytes, and in total by bytes and
//! by the number of tenants (any key that calls gets a journal, even one the
//! API refuses): the oldest entries are evicted first and counted, and past
//! the total bounds the journal of the tenant written least recently goes
//! whole, so memory stays flat under any load. Request
//! bodies are cut to a configured size, so large images are never kept whole.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::http::Method;
use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::ids::Millis;
use crate::scenario::{DEFAULT_NAME, Scenario};

/// Inserted into a response's extensions by a handler that consulted the
/// scenario engine: the journal records the name and which layer chose it.
#[derive(Debug, Clone)]
pub(crate) struct MatchedScenario {
    /// `None`: the default.
    pub(crate) scenario: Option<Arc<Scenario>>,
    /// `armed`, `header`, `fixture` or `default`.
    pub(crate) source: &'static str,
}

/// Inserted into a response's extensions by a fallback: no route matched.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UnknownRoute;

/// Tenants with a journal at once.
pub(crate) const MAX_TENANTS: usize = 1024;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_entries: usize,
    pub(crate) max_bytes: usize,
    pub(crate) body_bytes: usize,
    /// Bytes kept over all tenants.
    pub(crate) total_bytes: usize,
    /// Tenants with a journal at once.
    pub(crate) max_tenants: usize,
}

/// What the request layer knows about one answered request.
pub(crate) struct Request<'a> {
    pub(crate) at_ms: Millis,
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    /// The whole request body (the journal keeps its first bytes).
    pub(crate) body: &'a [u8],
    /// The body's length (the limit when it was too large to read).
    pub(crate) body_bytes: usize,
    pub(crate) too_large: bool,
    pub(crate) status: u16,
    pub(crate) matched: Option<&'a MatchedScenario>,
    pub(crate) unknown_route: bool,
    pub(crate) duration_ms: f64,
}

/// One journal entry. Its strings share one allocation: the path, then the
/// query, then the request body cut to the configured size.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    seq: u64,
    at_ms: Millis,
    method: Method,
    status: u16,
    /// The scenario that decided the response (`None`: the default).
    scenario: Option<Arc<Scenario>>,
    /// Which layer chose it (`armed`, `header`, `fixture`, `default`);
    /// absent when the request never consulted the scenario engine.
    scenario_source: Option<&'static str>,
    unknown_route: bool,
    duration_ms: f64,
    body_bytes: usize,
    body_truncated: bool,
    text: Box<str>,
    path_end: u32,
    /// Where the query ends (equal to `path_end` when there is none).
    query_end: u32,
    has_query: bool,
    has_body: bool,
}

/// The length an ISO-8601 millisecond timestamp takes (`at`).
const AT_LEN: usize = "2024-01-01T00:00:00.000Z".len();

impl Entry {
    fn new(r: &Request<'_>, body_limit: usize) -> Self {
        let query = r.query.unwrap_or("");
        let cut = if r.too_large {
            &[][..]
        } else {
            &r.body[..r.body.len().min(body_limit)]
        };
        let body = String::from_utf8_lossy(cut);
        let mut text = String::with_capacity(r.path.len() + query.len() + body.len());
        text.push_str(r.path);
        text.push_str(query);
        text.push_str(&body);
        let path_end = r.path.len();
        let query_end = path_end + query.len();
        Entry {
            seq: 0,
            at_ms: r.at_ms,
            method: r.method.clone(),
            status: r.status,
            scenario: r.matched.and_then(|m| m.scenario.clone()),
            scenario_source: r.matched.map(|m| m.source),
            unknown_route: r.unknown_route,
            duration_ms: r.duration_ms,
            body_bytes: r.body_bytes,
            body_truncated: r.too_large || cut.len() < r.body.len(),
            text: text.into_boxed_str(),
            path_end: u32::try_from(path_end).unwrap_or(u32::MAX),
            query_end: u32::try_from(query_end).unwrap_or(u32::MAX),
            has_query: r.query.is_some(),
            has_body: !r.too_large && !r.body.is_empty(),
        }
    }

    fn path(&self) -> &str {
        self.text.get(..self.path_end as usize).unwrap_or("")
    }

    fn query(&self) -> Option<&str> {
        self.has_query.then(|| {
            self.text
                .get(self.path_end as usize..self.query_end as usize)
                .unwrap_or("")
        })
    }

    fn body(&self) -> Option<&str> {
        self.has_body
            .then(|| self.text.get(self.query_end as usize..).unwrap_or(""))
    }

    fn scenario(&self) -> &str {
        self.scenario
            .as_ref()
            .map_or(DEFAULT_NAME, |s| s.name.as_str())
    }

    fn weight(&self) -> usize {
        std::mem::size_of::<Entry>()
            + self.text.len()
            + self.method.as_str().len()
            + self.scenario().len()
            + AT_LEN
    }
}

/// The entry as `GET /__admin/requests` shows it.
impl Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Entry", 13)?;
        s.serialize_field("seq", &self.seq)?;
        s.serialize_field("at", &crate::ids::iso_millis(self.at_ms))?;
        s.serialize_field("method", self.method.as_str())?;
        s.serialize_field("path", self.path())?;
        if let Some(q) = self.query() {
            s.serialize_field("query", q)?;
        }
        s.serialize_field("status", &self.status)?;
        s.serialize_field("scenario", self.scenario())?;
        if let Some(src) = self.scenario_source {
            s.serialize_field("scenarioSource", src)?;
        }
        s.serialize_field("unknownRoute", &self.unknown_route)?;
        s.serialize_field("durationMs", &self.duration_ms)?;
        if let Some(b) = self.body() {
            s.serialize_field("body", b)?;
        }
        s.serialize_field("bodyBytes", &self.body_bytes)?;
        s.serialize_field("bodyTruncated", &self.body_truncated)?;
        s.end()
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
    /// When it was last written, on the journal's own counter.
    written: u64,
}

#[derive(Default)]
struct Tenants {
    map: HashMap<String, TenantJournal, foldhash::fast::RandomState>,
    /// Bytes kept over all tenants.
    bytes: usize,
    /// Counts writes, to tell which tenant was written least recently.
    writes: u64,
    /// Entries evicted with the journals of tenants dropped whole.
    evicted_gone: u64,
}

impl Tenants {
    /// Drops the journal of the tenant written least recently, other than
    /// `keep`; false when there is none.
    fn drop_stalest(&mut self, keep: &str) -> bool {
        let stalest = self
            .map
            .iter()
            .filter(|(t, _)| t.as_str() != keep)
            .min_by_key(|(_, j)| j.written)
            .map(|(t, _)| t.clone());
        let Some(gone) = stalest.and_then(|t| self.map.remove(&t)) else {
            return false;
        };
        self.bytes -= gone.bytes;
        self.evicted_gone += gone.evicted + gone.entries.len() as u64;
        true
    }
}

pub(crate) struct Journal {
    limits: Limits,
    tenants: Mutex<Tenants>,
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Tenants> {
        self.tenants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether requests are journaled at all (`--journal-max-entries 0`: no).
    pub(crate) fn enabled(&self) -> bool {
        self.limits.max_entries > 0
    }

    /// Appends an answered request to the tenant's journal: one allocation
    /// for its strings, built before the lock is taken.
    pub(crate) fn record(&self, tenant: &str, request: &Request<'_>) {
        if !self.enabled() {
            return;
        }
        let mut entry = Entry::new(request, self.limits.body_bytes);
        let weight = entry.weight();
        let mut all = self.lock();
        if !all.map.contains_key(tenant) {
            while all.map.len() >= self.limits.max_tenants.max(1) && all.drop_stalest(tenant) {}
        }
        while all.bytes + weight > self.limits.total_bytes && all.drop_stalest(tenant) {}
        all.writes += 1;
        let written = all.writes;
        let before = all.map.get(tenant).map_or(0, |j| j.bytes);
        let j = match all.map.get_mut(tenant) {
            Some(j) => j,
            None => all.map.entry(tenant.to_owned()).or_default(),
        };
        j.written = written;
        j.next_seq += 1;
        entry.seq = j.next_seq;
        j.bytes += weight;
        j.entries.push_back(entry);
        let max_bytes = self.limits.max_bytes.min(self.limits.total_bytes);
        while j.entries.len() > self.limits.max_entries
            || (j.bytes > max_bytes && j.entries.len() > 1)
        {
            if let Some(old) = j.entries.pop_front() {
                j.bytes -= old.weight();
                j.evicted += 1;
            }
        }
        let after = j.bytes;
        all.bytes = all.bytes + after - before;
    }

    /// Newest first.
    pub(crate) fn list(&self, tenant: &str, f: &Filter) -> Listing {
        let all = self.lock();
        let Some(j) = all.map.get(tenant) else {
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
                    .is_none_or(|m| e.method.as_str().eq_ignore_ascii_case(m))
            })
            .filter(|e| {
                f.path_prefix
                    .as_ref()
                    .is_none_or(|p| e.path().starts_with(p.as_str()))
            })
            .filter(|e| f.status.is_none_or(|s| e.status == s))
            .filter(|e| f.scenario.as_ref().is_none_or(|s| e.scenario() == s))
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
        self.lock().map.get(tenant).map_or(0, |j| j.next_seq)
    }

    /// Every tenant with entries kept, and how many.
    pub(crate) fn census(&self) -> Vec<(String, usize)> {
        self.lock()
            .map
            .iter()
            .filter(|(t, j)| !t.is_empty() && !j.entries.is_empty())
            .map(|(t, j)| (t.clone(), j.entries.len()))
            .collect()
    }

    /// Evictions over all tenants (for metrics).
    pub(crate) fn evicted_total(&self) -> u64 {
        let all = self.lock();
        all.evicted_gone + all.map.values().map(|j| j.evicted).sum::<u64>()
    }

    /// Bytes kept over all tenants.
    #[cfg(test)]
    fn kept_bytes(&self) -> usize {
        self.lock().bytes
    }

    pub(crate) fn reset(&self, tenant: &str) {
        let mut all = self.lock();
        if let Some(gone) = all.map.remove(tenant) {
            all.bytes -= gone.bytes;
        }
    }

    pub(crate) fn reset_all(&self) {
        let mut all = self.lock();
        all.map.clear();
        all.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(j: &Journal, path: &str, body: &[u8]) {
        record_as(j, "t", path, body);
    }

    fn record_as(j: &Journal, tenant: &str, path: &str, body: &[u8]) {
        j.record(
            tenant,
            &Request {
                at_ms: 0,
                method: &Method::GET,
                path,
                query: None,
                body,
                body_bytes: body.len(),
                too_large: false,
                status: 200,
                matched: None,
                unknown_route: false,
                duration_ms: 0.0,
            },
        );
    }

    #[test]
    fn count_bound_evicts_oldest_and_counts() {
        let j = Journal::new(Limits {
            max_entries: 3,
            max_bytes: usize::MAX,
            body_bytes: 10,
            total_bytes: usize::MAX,
            max_tenants: 10,
        });
        for i in 0..5 {
            record(&j, &format!("/v1/x/{i}"), b"");
        }
        let l = j.list("t", &Filter::default());
        assert_eq!(l.items.len(), 3);
        assert_eq!(l.evicted, 2);
        assert_eq!(l.items[0].path(), "/v1/x/4");
        assert_eq!(j.list("other", &Filter::default()).items.len(), 0);
    }

    #[test]
    fn byte_bound_holds() {
        let j = Journal::new(Limits {
            max_entries: 1000,
            max_bytes: 4096,
            body_bytes: 1000,
            total_bytes: usize::MAX,
            max_tenants: 10,
        });
        for _ in 0..100 {
            record(&j, "/v1/y", "x".repeat(1000).as_bytes());
        }
        let l = j.list("t", &Filter::default());
        assert!(l.kept_bytes <= 4096, "{}", l.kept_bytes);
        assert_eq!(l.evicted as usize + l.items.len(), 100);
    }

    #[test]
    fn totals_hold_over_any_number_of_tenants() {
        let j = Journal::new(Limits {
            max_entries: 1000,
            max_bytes: 64 * 1024,
            body_bytes: 1000,
            total_bytes: 16 * 1024,
            max_tenants: 8,
        });
        for i in 0..500 {
            record_as(&j, &format!("key{i}"), "/v1/y", "x".repeat(900).as_bytes());
            assert!(j.kept_bytes() <= 16 * 1024, "{}", j.kept_bytes());
            assert!(j.census().len() <= 8);
        }
        // The newest tenant keeps its entry; the stalest went whole.
        assert_eq!(j.list("key499", &Filter::default()).items.len(), 1);
        assert_eq!(j.list("key0", &Filter::default()).items.len(), 0);
        let kept: usize = j.census().iter().map(|(_, n)| n).sum();
        assert_eq!(j.evicted_total() as usize + kept, 500);
    }

    #[test]
    fn strings_share_one_buffer_and_serialise_apart() {
        let j = Journal::new(Limits {
            max_entries: 10,
            max_bytes: usize::MAX,
            body_bytes: 3,
            total_bytes: usize::MAX,
            max_tenants: 10,
        });
        j.record(
            "t",
            &Request {
                at_ms: 0,
                method: &Method::POST,
                path: "/v1/clients",
                query: Some("page=2"),
                body: "{\"é\":1}".as_bytes(),
                body_bytes: 8,
                too_large: false,
                status: 201,
                matched: None,
                unknown_route: false,
                duration_ms: 1.5,
            },
        );
        let l = j.list("t", &Filter::default());
        let v = serde_json::to_value(&l.items[0]).unwrap();
        assert_eq!(v["path"], "/v1/clients");
        assert_eq!(v["query"], "page=2");
        // Three bytes cut inside the two-byte é: replaced, as before.
        assert_eq!(v["body"], "{\"\u{fffd}");
        assert_eq!(v["bodyTruncated"], true);
        assert_eq!(v["scenario"], "default");
        assert_eq!(v["at"], "1970-01-01T00:00:00.000Z");
        assert!(v.get("scenarioSource").is_none());
    }
}
