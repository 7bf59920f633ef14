//! Prometheus metrics at `GET /metrics`, in the text exposition format.
//!
//! Counting costs one relaxed atomic add per request: every route gets its
//! counters ([`RouteCounters`]) the first time it answers, and the layer in
//! front of it keeps them, so no label is ever looked up per request. A
//! route's counters hold one atomic per (answering plug-in, common status);
//! an unusual status goes to a small locked list. The text is rendered on
//! scrape.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The route label for a request no route matched.
pub(crate) const UNMATCHED: &str = "unmatched";

/// The statuses with their own counter; any other goes to the locked list.
const STATUSES: [u16; 20] = [
    200, 201, 204, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 500, 501, 502, 503, 504,
    304,
];

fn status_slot(status: u16) -> Option<usize> {
    STATUSES.iter().position(|s| *s == status)
}

/// The plug-ins that answer requests, as metrics label them: `sandbox` (the
/// core's own routes and unknown paths), `admin`, then every vendor.
#[derive(Debug, Clone)]
pub(crate) struct Answerers(Arc<[&'static str]>);

/// Index of an answering plug-in in [`Answerers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Answerer(pub(crate) usize);

impl Answerers {
    pub(crate) const SANDBOX: Answerer = Answerer(0);
    pub(crate) const ADMIN: Answerer = Answerer(1);

    pub(crate) fn new(vendors: &[&'static str]) -> Self {
        let mut names = vec!["sandbox", "admin"];
        names.extend_from_slice(vendors);
        Answerers(names.into())
    }

    /// The index of a vendor registered with [`Answerers::new`].
    pub(crate) fn vendor(&self, name: &str) -> Answerer {
        Answerer(
            self.0
                .iter()
                .position(|n| *n == name)
                .unwrap_or(Self::SANDBOX.0),
        )
    }

    fn name(&self, a: usize) -> &'static str {
        self.0.get(a).copied().unwrap_or("sandbox")
    }
}

/// One route's request counters.
pub(crate) struct RouteCounters {
    route: Box<str>,
    /// answerer × [`STATUSES`].
    counts: Box<[AtomicU64]>,
    /// (answerer, status, count) for the statuses not in [`STATUSES`].
    other: Mutex<Vec<(usize, u16, u64)>>,
}

impl RouteCounters {
    fn new(route: &str, answerers: usize) -> Self {
        RouteCounters {
            route: route.into(),
            counts: (0..answerers * STATUSES.len())
                .map(|_| AtomicU64::new(0))
                .collect(),
            other: Mutex::default(),
        }
    }

    /// The pattern these counters are for.
    pub(crate) fn route(&self) -> &str {
        &self.route
    }

    /// Counts one answered request.
    pub(crate) fn count(&self, by: Answerer, status: u16) {
        if let Some(i) = status_slot(status) {
            if let Some(c) = self.counts.get(by.0 * STATUSES.len() + i) {
                c.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        let mut other = self.other.lock().unwrap_or_else(|e| e.into_inner());
        match other
            .iter_mut()
            .find(|(a, s, _)| *a == by.0 && *s == status)
        {
            Some(entry) => entry.2 += 1,
            None => other.push((by.0, status, 1)),
        }
    }

    /// (answerer, status, count) of every non-zero series.
    fn series(&self) -> Vec<(usize, u16, u64)> {
        let mut out: Vec<(usize, u16, u64)> = self
            .counts
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let n = c.load(Ordering::Relaxed);
                (n > 0).then(|| (i / STATUSES.len(), STATUSES[i % STATUSES.len()], n))
            })
            .collect();
        out.extend(
            self.other
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .copied(),
        );
        out
    }
}

/// Counters shared by the whole process; lives in [`crate::core::Core`].
/// Distinct scenario names with their own label; later ones count as
/// [`OTHER_SCENARIOS`].
const SCENARIO_LABELS: usize = 256;
const OTHER_SCENARIOS: &str = "other";

pub(crate) struct Metrics {
    started: Instant,
    answerers: Answerers,
    /// Every route that answered, `unmatched` first.
    routes: Mutex<Vec<Arc<RouteCounters>>>,
    unmatched: Arc<RouteCounters>,
    /// Responses decided by the default (no scenario).
    default_scenario: AtomicU64,
    scenarios: Mutex<HashMap<Box<str>, u64>>,
    webhooks_delivered: AtomicU64,
    webhooks_failed: AtomicU64,
}

impl Metrics {
    pub(crate) fn new(answerers: Answerers) -> Self {
        let unmatched = Arc::new(RouteCounters::new(UNMATCHED, answerers.0.len()));
        Metrics {
            started: Instant::now(),
            routes: Mutex::new(vec![unmatched.clone()]),
            unmatched,
            answerers,
            default_scenario: AtomicU64::new(0),
            scenarios: Mutex::default(),
            webhooks_delivered: AtomicU64::new(0),
            webhooks_failed: AtomicU64::new(0),
        }
    }

    pub(crate) fn answerers(&self) -> &Answerers {
        &self.answerers
    }

    /// The counters of the route with this pattern (created on first use;
    /// callers keep them, so this runs once per route).
    pub(crate) fn route(&self, pattern: &str) -> Arc<RouteCounters> {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = routes.iter().find(|r| &*r.route == pattern) {
            return r.clone();
        }
        let r = Arc::new(RouteCounters::new(pattern, self.answerers.0.len()));
        routes.push(r.clone());
        r
    }

    /// The counters of requests no route matched.
    pub(crate) fn unmatched(&self) -> &RouteCounters {
        &self.unmatched
    }

    /// Counts a request decided by the named scenario (`None`: the default).
    pub(crate) fn scenario_matched(&self, name: Option<&str>) {
        let Some(name) = name else {
            self.default_scenario.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let mut map = self.scenarios.lock().unwrap_or_else(|e| e.into_inner());
        // Past the bound, new names are counted together: armed scenarios
        // may have any name, and the label set must stay bounded.
        let name = if map.len() >= SCENARIO_LABELS && !map.contains_key(name) {
            OTHER_SCENARIOS
        } else {
            name
        };
        match map.get_mut(name) {
            Some(n) => *n += 1,
            None => {
                map.insert(name.into(), 1);
            }
        }
    }

    /// A webhook delivery got a 2xx from the receiver.
    pub(crate) fn webhook_delivered(&self) {
        self.webhooks_delivered.fetch_add(1, Ordering::Relaxed);
    }

    /// A webhook delivery attempt failed (connection error, timeout, non-2xx).
    pub(crate) fn webhook_failed(&self) {
        self.webhooks_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// Seconds since the process started serving.
    pub(crate) fn uptime_seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Renders every metric in the Prometheus text format (version 0.0.4).
    pub(crate) fn render(&self, journal_evictions: u64) -> String {
        let mut out = String::with_capacity(4096);
        header_lines(
            &mut out,
            "kyc_sandbox_requests_total",
            "counter",
            "HTTP requests answered, by vendor, matched route and status.",
        );
        {
            let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
            let mut rows: Vec<(&str, &str, u16, u64)> = Vec::new();
            for route in routes.iter() {
                for (a, status, n) in route.series() {
                    rows.push((self.answerers.name(a), route.route(), status, n));
                }
            }
            rows.sort_unstable();
            for (vendor, route, status, n) in rows {
                let _ = writeln!(
                    out,
                    "kyc_sandbox_requests_total{{vendor=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(vendor),
                    escape(route)
                );
            }
        }
        header_lines(
            &mut out,
            "kyc_sandbox_scenario_matches_total",
            "counter",
            "Responses decided by a scenario, by scenario name.",
        );
        {
            let map = self.scenarios.lock().unwrap_or_else(|e| e.into_inner());
            let mut rows: Vec<(&str, u64)> = map.iter().map(|(k, v)| (k.as_ref(), *v)).collect();
            let default = self.default_scenario.load(Ordering::Relaxed);
            if default > 0 {
                rows.push((crate::scenario::DEFAULT_NAME, default));
            }
            rows.sort_unstable();
            for (name, n) in rows {
                let _ = writeln!(
                    out,
                    "kyc_sandbox_scenario_matches_total{{scenario=\"{}\"}} {n}",
                    escape(name)
                );
            }
        }
        let delivered = self.webhooks_delivered.load(Ordering::Relaxed);
        let failed = self.webhooks_failed.load(Ordering::Relaxed);
        header_lines(
            &mut out,
            "kyc_sandbox_webhook_deliveries_total",
            "counter",
            "Webhook delivery attempts, by result.",
        );
        let _ = writeln!(
            out,
            "kyc_sandbox_webhook_deliveries_total{{result=\"delivered\"}} {delivered}"
        );
        let _ = writeln!(
            out,
            "kyc_sandbox_webhook_deliveries_total{{result=\"failed\"}} {failed}"
        );
        header_lines(
            &mut out,
            "kyc_sandbox_webhook_failures_total",
            "counter",
            "Failed webhook delivery attempts.",
        );
        let _ = writeln!(out, "kyc_sandbox_webhook_failures_total {failed}");
        header_lines(
            &mut out,
            "kyc_sandbox_journal_evictions_total",
            "counter",
            "Journal entries evicted to respect the per-tenant bounds (since the last reset).",
        );
        let _ = writeln!(
            out,
            "kyc_sandbox_journal_evictions_total {journal_evictions}"
        );
        header_lines(
            &mut out,
            "kyc_sandbox_uptime_seconds",
            "gauge",
            "Seconds since the sandbox started.",
        );
        let _ = writeln!(
            out,
            "kyc_sandbox_uptime_seconds {:.3}",
            self.uptime_seconds()
        );
        if let Some(rss) = rss_bytes() {
            header_lines(
                &mut out,
                "process_resident_memory_bytes",
                "gauge",
                "Resident memory size in bytes.",
            );
            let _ = writeln!(out, "process_resident_memory_bytes {rss}");
        }
        out
    }
}

fn header_lines(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value: backslash, double quote and line feed.
pub(crate) fn escape(value: &str) -> std::borrow::Cow<'_, str> {
    if !value.contains(['\\', '"', '\n']) {
        return value.into();
    }
    let mut s = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s.into()
}

/// Resident set size of this process, from `/proc/self/status` (`VmRSS`,
/// in kB). `None` where /proc is missing.
fn rss_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_labels_are_bounded() {
        let m = Metrics::new(Answerers::new(&["complycube"]));
        for i in 0..2 * SCENARIO_LABELS {
            m.scenario_matched(Some(&format!("armed-{i}")));
        }
        m.scenario_matched(Some("armed-0"));
        let text = m.render(0);
        let labels = text
            .lines()
            .filter(|l| l.starts_with("kyc_sandbox_scenario_matches_total{"))
            .count();
        assert!(labels <= SCENARIO_LABELS + 2, "{labels} scenario series");
        assert!(text.contains("scenario=\"other\"} 256"), "{text}");
    }

    #[test]
    fn counts_render_sorted_and_escaped() {
        let m = Metrics::new(Answerers::new(&["complycube", "verifik"]));
        let cc = m.answerers().vendor("complycube");
        let vk = m.answerers().vendor("verifik");
        let clients = m.route("/v1/clients/{id}");
        clients.count(cc, 200);
        m.route("/v1/clients/{id}").count(cc, 200);
        clients.count(cc, 299);
        m.unmatched().count(cc, 404);
        m.unmatched().count(vk, 404);
        m.scenario_matched(Some("a \"quoted\"\\name\nline"));

        m.scenario_matched(None);
        m.webhook_delivered();
        m.webhook_failed();
        m.webhook_failed();
        let text = m.render(7);
        assert!(text.contains(
            "kyc_sandbox_requests_total{vendor=\"complycube\",route=\"/v1/clients/{id}\",status=\"200\"} 2\n"
        ));
        assert!(text.contains(
            "kyc_sandbox_requests_total{vendor=\"complycube\",route=\"/v1/clients/{id}\",status=\"299\"} 1\n"
        ));
        assert!(text.contains(
            "kyc_sandbox_requests_total{vendor=\"verifik\",route=\"unmatched\",status=\"404\"} 1\n"
        ));
        assert!(text.contains("kyc_sandbox_scenario_matches_total{scenario=\"default\"} 1\n"));
        assert!(text.contains(
            "kyc_sandbox_scenario_matches_total{scenario=\"a \\\"quoted\\\"\\\\name\\nline\"} 1\n"
        ));
        assert!(text.contains("kyc_sandbox_webhook_deliveries_total{result=\"delivered\"} 1\n"));
        assert!(text.contains("kyc_sandbox_webhook_deliveries_total{result=\"failed\"} 2\n"));
        assert!(text.contains("kyc_sandbox_webhook_failures_total 2\n"));
        assert!(text.contains("kyc_sandbox_journal_evictions_total 7\n"));
        // Every sample line belongs to a declared family.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap_or("");
            assert!(
                text.contains(&format!("# TYPE {name} ")),
                "undeclared metric in line {line}"
            );
        }
    }
}
