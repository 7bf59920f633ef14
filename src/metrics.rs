//! Prometheus metrics at `GET /metrics`, in the text exposition format.
//!
//! Counting is cheap: one short mutex-protected map update per request (the
//! route string is borrowed for the lookup, nothing is allocated once a
//! series exists) and plain atomics for webhook outcomes. The text is
//! rendered on scrape.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The route label for a request no route matched.
pub(crate) const UNMATCHED: &str = "unmatched";

/// One route's series: (vendor, status, count); a route has very few.
type RouteSeries = Vec<(&'static str, u16, u64)>;

/// Counters shared by the whole process; lives in [`crate::core::Core`].
pub(crate) struct Metrics {
    started: Instant,
    /// route → its series.
    requests: Mutex<HashMap<Box<str>, RouteSeries>>,
    scenarios: Mutex<HashMap<Box<str>, u64>>,
    webhooks_delivered: AtomicU64,
    webhooks_failed: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            requests: Mutex::default(),
            scenarios: Mutex::default(),
            webhooks_delivered: AtomicU64::new(0),
            webhooks_failed: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Counts one answered request. `vendor` is the plug-in that answered
    /// (`admin` for the admin API, `sandbox` otherwise); `route` is the
    /// matched route pattern (e.g. `/v1/clients/{id}`) or [`UNMATCHED`].
    pub(crate) fn request(&self, vendor: &'static str, route: &str, status: u16) {
        let mut map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let series = match map.get_mut(route) {
            Some(s) => s,
            None => map.entry(route.into()).or_default(),
        };
        match series
            .iter_mut()
            .find(|(v, s, _)| *s == status && *v == vendor)
        {
            Some(entry) => entry.2 += 1,
            None => series.push((vendor, status, 1)),
        }
    }

    /// Counts a request whose response was decided by the named scenario.
    pub(crate) fn scenario_matched(&self, name: &str) {
        let mut map = self.scenarios.lock().unwrap_or_else(|e| e.into_inner());
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
            let map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            let mut rows: Vec<(&str, &str, u16, u64)> = map
                .iter()
                .flat_map(|(route, series)| {
                    series
                        .iter()
                        .map(move |(v, s, n)| (*v, route.as_ref(), *s, *n))
                })
                .collect();
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
    fn counts_render_sorted_and_escaped() {
        let m = Metrics::default();
        m.request("complycube", "/v1/clients/{id}", 200);
        m.request("complycube", "/v1/clients/{id}", 200);
        m.request("complycube", UNMATCHED, 404);
        m.request("verifik", UNMATCHED, 404);
        m.scenario_matched("a \"quoted\"\\name\nline");
        m.webhook_delivered();
        m.webhook_failed();
        m.webhook_failed();
        let text = m.render(7);
        assert!(text.contains(
            "kyc_sandbox_requests_total{vendor=\"complycube\",route=\"/v1/clients/{id}\",status=\"200\"} 2\n"
        ));
        assert!(text.contains(
            "kyc_sandbox_requests_total{vendor=\"verifik\",route=\"unmatched\",status=\"404\"} 1\n"
        ));
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
