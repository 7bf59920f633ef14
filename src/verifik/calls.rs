//! The recent face-recognition calls of each tenant, with their scores and
//! pass/fail decisions, for the QA console: at most [`KEPT`] per tenant,
//! the oldest forgotten first. `GET /__admin/verifik/calls` lists them
//! ([`super::console`]).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

use crate::ids::{Millis, iso_millis};

/// Calls kept per tenant.
pub(crate) const KEPT: usize = 100;

/// One score and what it decided.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Decision {
    pub(crate) score: f64,
    /// The threshold it was held against (none sent: no decision).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) passed: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Call {
    pub(crate) at: String,
    pub(crate) endpoint: &'static str,
    pub(crate) status: u16,
    pub(crate) scenario: String,
    pub(crate) scenario_source: &'static str,
    pub(crate) images: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) comparison: Option<Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) liveness: Option<Decision>,
}

impl Call {
    /// A call answered `status`, decided by `scenario` (name, layer).
    pub(crate) fn new(
        at: Millis,
        endpoint: &'static str,
        status: u16,
        scenario: (&str, &'static str),
        images: usize,
    ) -> Call {
        Call {
            at: iso_millis(at),
            endpoint,
            status,
            scenario: scenario.0.to_owned(),
            scenario_source: scenario.1,
            images,
            comparison: None,
            liveness: None,
        }
    }

    /// Reads the decisions out of the `data` an endpoint answered, in any
    /// of the shapes (record or simple) the endpoints render.
    pub(crate) fn with_decisions(mut self, data: &Value, compare_min: Option<f64>) -> Call {
        let num = |p: &str| data.pointer(p).and_then(Value::as_f64);
        let score = [
            "/comparison/result/score",
            "/comparison/score",
            "/result/score",
            "/score",
        ]
        .into_iter()
        .find_map(num);
        self.comparison = score.map(|score| {
            let min = num("/result/compare_min_score").or(compare_min);
            Decision {
                score,
                min_score: min,
                passed: data
                    .pointer("/result/passed")
                    .and_then(Value::as_bool)
                    .or(min.map(|m| score >= m)),
            }
        });
        let live = ["/liveness/result", "/liveness", ""]
            .into_iter()
            .filter_map(|p| data.pointer(p))
            .find(|v| v.get("liveness_score").is_some());
        self.liveness = live.and_then(|l| {
            Some(Decision {
                score: l.get("liveness_score")?.as_f64()?,
                min_score: l.get("min_score").and_then(Value::as_f64),
                passed: l.get("passed").and_then(Value::as_bool),
            })
        });
        self
    }
}

/// Tokens with calls kept at once; past it the token seen first goes.
const TOKENS: usize = 1024;

/// Every tenant's recent calls, newest last.
#[derive(Default)]
pub(crate) struct CallLog {
    tenants: Mutex<Logs>,
}

#[derive(Default)]
struct Logs {
    map: HashMap<String, VecDeque<Call>>,
    /// Tokens in the order they were first logged (some may be gone).
    order: VecDeque<String>,
}

impl CallLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Logs> {
        self.tenants.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn record(&self, tenant: &str, call: Call) {
        let mut logs = self.lock();
        if !logs.map.contains_key(tenant) {
            while logs.map.len() >= TOKENS {
                let Some(first) = logs.order.pop_front() else {
                    break;
                };
                logs.map.remove(&first);
            }
            // Forgotten tokens leave stale names behind; keep the order short.
            if logs.order.len() >= 2 * TOKENS {
                let Logs { map, order } = &mut *logs;
                order.retain(|t| map.contains_key(t));
            }
            logs.order.push_back(tenant.to_owned());
        }
        let log = logs.map.entry(tenant.to_owned()).or_default();
        if log.len() >= KEPT {
            log.pop_front();
        }
        log.push_back(call);
    }

    /// The tenant's calls, newest first.
    pub(crate) fn list(&self, tenant: &str) -> Vec<Call> {
        self.lock()
            .map
            .get(tenant)
            .map(|l| l.iter().rev().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn forget(&self, tenant: &str) {
        self.lock().map.remove(tenant);
    }

    pub(crate) fn forget_all(&self) {
        let mut logs = self.lock();
        logs.map.clear();
        logs.order.clear();
    }

    /// Tenants with calls kept, and how many.
    pub(crate) fn counts(&self) -> Vec<(String, usize)> {
        self.lock()
            .map
            .iter()
            .filter(|(_, l)| !l.is_empty())
            .map(|(t, l)| (t.clone(), l.len()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn call() -> Call {
        Call::new(0, "compare", 200, ("default", "default"), 2)
    }

    #[test]
    fn the_log_keeps_the_newest_calls_only() {
        let log = CallLog::default();
        for i in 0..KEPT + 5 {
            let mut c = call();
            c.images = i;
            log.record("t", c);
        }
        let kept = log.list("t");
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept[0].images, KEPT + 4);
        assert!(log.list("other").is_empty());
    }

    #[test]
    fn the_log_keeps_a_bounded_number_of_tokens() {
        let log = CallLog::default();
        for i in 0..3 * TOKENS {
            log.record(&format!("token{i}"), call());
            if i % 7 == 0 {
                log.forget(&format!("token{i}"));
            }
        }
        assert!(log.counts().len() <= TOKENS);
        assert!(log.lock().order.len() <= 2 * TOKENS);
        assert_eq!(log.list(&format!("token{}", 3 * TOKENS - 1)).len(), 1);
        assert!(log.list("token1").is_empty());
    }

    #[test]
    fn decisions_are_read_from_record_and_simple_shapes() {
        let record = json!({
            "comparison": {"result": {"score": 0.42}},
            "liveness": {"result": {"liveness_score": 0.9, "min_score": 0.6, "passed": true}},
        });
        let c = call().with_decisions(&record, Some(0.85));
        assert_eq!(
            c.comparison,
            Some(Decision {
                score: 0.42,
                min_score: Some(0.85),
                passed: Some(false)
            })
        );
        assert_eq!(c.liveness.map(|l| l.passed), Some(Some(true)));
        let simple = json!({"passed": false, "min_score": 0.6, "liveness_score": 0.31});
        let c = call().with_decisions(&simple, None);
        assert!(c.comparison.is_none());
        assert_eq!(c.liveness.map(|l| l.score), Some(0.31));
        let compare = json!({"result": {"score": 0.9, "compare_min_score": 0.85, "passed": true}});
        let c = call().with_decisions(&compare, None);
        assert_eq!(c.comparison.and_then(|d| d.passed), Some(true));
    }
}
