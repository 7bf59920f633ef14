//! The vendor-neutral scenario engine: which outcome a request gets.
//!
//! Four layers decide, first hit wins:
//! 1. a scenario an admin armed for the tenant (optionally for the next N matching requests);
//! 2. the `X-Sandbox-Scenario: <name>` request header;
//! 3. fixture match rules, in catalog order (file name, then position in the file);
//! 4. the default: no effect, which every vendor renders as clear / pass.
//!
//! Vendors describe a request as a [`Request`] and get back a [`Selected`]
//! carrying an [`Effect`] they apply when rendering. This module knows no
//! vendor's JSON, routes or types; it never imports a vendor module.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The header that picks a scenario for one request.
pub const SCENARIO_HEADER: &str = "x-sandbox-scenario";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Complycube,
    Verifik,
}

/// Facts about the ComplyCube-style client a request concerns.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientFacts<'a> {
    pub first_name: Option<&'a str>,
    pub middle_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub metadata: Option<&'a BTreeMap<String, String>>,
}

/// A request as the engine sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub vendor: Vendor,
    /// The operation, e.g. `checks`, `riskProfile`, `compare-with-liveness`.
    pub endpoint: &'a str,
    /// ComplyCube check type, when the request creates a check.
    pub check_type: Option<&'a str>,
    pub client: Option<ClientFacts<'a>>,
    pub headers: &'a HeaderMap,
    /// SHA-256 of every decoded image in the request (Verifik probe and gallery).
    pub image_sha256: &'a [[u8; 32]],
}

/// Scores a scenario can set. ComplyCube scores are 0–100, Verifik's 0–1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scores {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facial_similarity_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_check_score: Option<f64>,
    /// Verifik comparison score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<f64>,
    /// Verifik liveness score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<f64>,
}

impl Scores {
    pub fn is_empty(&self) -> bool {
        *self == Scores::default()
    }
}

/// An HTTP error sent instead of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorReply {
    pub status: u16,
    /// The vendor-shaped body. When absent the vendor renders its own
    /// standard body for `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The terminal status a scenario forces on a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FinalStatus {
    Complete,
    Failed,
}

/// What a scenario does to a response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Effect {
    /// Overall outcome (`clear`, `attention`, `not_processed`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Deep-merged over the rendered `result.breakdown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Value>,
    #[serde(default, skip_serializing_if = "Scores::is_empty")]
    pub scores: Scores,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FinalStatus>,
    /// Client risk level for the risk profile (`low`, `medium`, `high`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReply>,
    /// Added before the response is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Sandbox-time delay before a check leaves `pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_delay_ms: Option<u64>,
}

/// Match rules: every rule present must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MatchRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<Vendor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_type: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientRule>,
    /// Header name → exact value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<BTreeMap<String, String>>,
    /// Lowercase hex SHA-256 of any image in the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_sha256: Option<OneOrMany>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn contains(&self, v: &str) -> bool {
        match self {
            OneOrMany::One(s) => s == v,
            OneOrMany::Many(list) => list.iter().any(|s| s == v),
        }
    }

    pub fn values(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(list) => list.iter().map(String::as_str).collect(),
        }
    }
}

/// Client field rules; names and email compare case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// One scenario: a name, what it is for, when it applies and what it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// How a user triggers it, in words; derived from `match` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(rename = "match", default)]
    pub rules: MatchRules,
    #[serde(default)]
    pub effect: Effect,
}

impl Scenario {
    /// Whether the fixture rules hold for `req`. A scenario with no rules at
    /// all never matches by rules (it can still be armed or named).
    pub fn matches(&self, req: &Request<'_>) -> bool {
        let r = &self.rules;
        if *r == MatchRules::default() {
            return false;
        }
        if r.vendor.is_some_and(|v| v != req.vendor) {
            return false;
        }
        if r.endpoint
            .as_ref()
            .is_some_and(|e| !e.contains(req.endpoint))
        {
            return false;
        }
        if let Some(types) = &r.check_type {
            match req.check_type {
                Some(t) if types.contains(t) => {}
                _ => return false,
            }
        }
        if let Some(rule) = &r.client {
            let Some(c) = req.client else { return false };
            if !client_matches(rule, &c) {
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
                wanted
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(&hex::encode(h)))
            });
            if !any {
                return false;
            }
        }
        true
    }
}

fn client_matches(rule: &ClientRule, c: &ClientFacts<'_>) -> bool {
    fn eq(want: &Option<String>, got: Option<&str>) -> bool {
        match want {
            None => true,
            Some(w) => got.is_some_and(|g| g.trim().eq_ignore_ascii_case(w)),
        }
    }
    if !(eq(&rule.first_name, c.first_name)
        && eq(&rule.middle_name, c.middle_name)
        && eq(&rule.last_name, c.last_name)
        && eq(&rule.email, c.email))
    {
        return false;
    }
    if let Some(want) = &rule.external_id {
        if c.external_id != Some(want.as_str()) {
            return false;
        }
    }
    if let Some(meta) = &rule.metadata {
        let Some(have) = c.metadata else { return false };
        if !meta.iter().all(|(k, v)| have.get(k) == Some(v)) {
            return false;
        }
    }
    true
}

/// The engine's answer for one request.
#[derive(Debug, Clone)]
pub struct Selected {
    /// `None` for the default.
    pub scenario: Option<Arc<Scenario>>,
    /// Which layer chose it.
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Armed,
    Header,
    Fixture,
    Default,
}

static NO_EFFECT: Effect = Effect {
    outcome: None,
    breakdown: None,
    scores: Scores {
        facial_similarity_score: None,
        liveness_check_score: None,
        comparison: None,
        liveness: None,
    },
    status: None,
    risk: None,
    error: None,
    latency_ms: None,
    completion_delay_ms: None,
};

impl Selected {
    pub fn default_choice() -> Self {
        Selected {
            scenario: None,
            source: Source::Default,
        }
    }

    pub fn effect(&self) -> &Effect {
        self.scenario.as_ref().map_or(&NO_EFFECT, |s| &s.effect)
    }

    /// The name the journal records: the scenario's, or `default`.
    pub fn name(&self) -> &str {
        self.scenario
            .as_ref()
            .map_or("default", |s| s.name.as_str())
    }
}

/// The header named a scenario that does not exist.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownScenario {
    pub name: String,
    /// Close names, best first.
    pub suggestions: Vec<String>,
}

impl UnknownScenario {
    pub fn message(&self) -> String {
        if self.suggestions.is_empty() {
            format!(
                "Unknown sandbox scenario '{}' in the X-Sandbox-Scenario header",
                self.name
            )
        } else {
            format!(
                "Unknown sandbox scenario '{}' in the X-Sandbox-Scenario header; did you mean: {}",
                self.name,
                self.suggestions.join(", ")
            )
        }
    }
}

/// A scenario armed for one tenant.
#[derive(Debug, Clone)]
struct Armed {
    scenario: Arc<Scenario>,
    /// Only requests these rules match consume it (empty: every request of the vendor).
    remaining: Option<u32>,
}

/// The loaded fixtures: an immutable, ordered catalog swapped whole on reload.
#[derive(Debug, Default)]
pub struct Catalog {
    pub scenarios: Vec<Arc<Scenario>>,
    by_name: HashMap<String, usize>,
}

impl Catalog {
    pub fn new(scenarios: Vec<Scenario>) -> Result<Self, String> {
        let mut by_name = HashMap::new();
        let mut list = Vec::with_capacity(scenarios.len());
        for (i, s) in scenarios.into_iter().enumerate() {
            if by_name.insert(s.name.clone(), i).is_some() {
                return Err(format!("scenario name '{}' is defined twice", s.name));
            }
            list.push(Arc::new(s));
        }
        Ok(Catalog {
            scenarios: list,
            by_name,
        })
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Scenario>> {
        self.by_name.get(name).map(|&i| &self.scenarios[i])
    }
}

/// Holds the fixture catalog and per-tenant armed scenarios.
#[derive(Default)]
pub struct Engine {
    catalog: RwLock<Arc<Catalog>>,
    armed: Mutex<HashMap<String, Vec<Armed>>>,
}

impl Engine {
    pub fn new(catalog: Catalog) -> Self {
        Engine {
            catalog: RwLock::new(Arc::new(catalog)),
            armed: Mutex::default(),
        }
    }

    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the whole catalog at once (hot reload).
    pub fn replace_catalog(&self, catalog: Catalog) {
        *self.catalog.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(catalog);
    }

    /// Arms `scenario` for `tenant`, for the next `times` matching requests or until removed.
    pub fn arm(&self, tenant: &str, scenario: Scenario, times: Option<u32>) {
        let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        let list = armed.entry(tenant.to_owned()).or_default();
        list.retain(|a| a.scenario.name != scenario.name);
        list.push(Armed {
            scenario: Arc::new(scenario),
            remaining: times,
        });
    }

    /// Removes an armed scenario; `false` when none by that name was armed.
    pub fn disarm(&self, tenant: &str, name: &str) -> bool {
        let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        let Some(list) = armed.get_mut(tenant) else {
            return false;
        };
        let before = list.len();
        list.retain(|a| a.scenario.name != name);
        before != list.len()
    }

    /// The tenant's armed scenarios with their remaining uses.
    pub fn armed(&self, tenant: &str) -> Vec<(Arc<Scenario>, Option<u32>)> {
        let armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        armed
            .get(tenant)
            .map(|l| {
                l.iter()
                    .map(|a| (a.scenario.clone(), a.remaining))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn reset(&self, tenant: &str) {
        self.armed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant);
    }

    pub fn reset_all(&self) {
        self.armed.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Picks the scenario for a request. Armed scenarios apply to requests
    /// their own match rules accept (no rules: every request of any vendor)
    /// and count down their uses.
    pub fn select(&self, tenant: &str, req: &Request<'_>) -> Result<Selected, UnknownScenario> {
        {
            let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(list) = armed.get_mut(tenant) {
                let hit = list.iter().position(|a| {
                    a.scenario.rules == MatchRules::default() || a.scenario.matches(req)
                });
                if let Some(i) = hit {
                    let scenario = list[i].scenario.clone();
                    if let Some(n) = list[i].remaining.as_mut() {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            list.remove(i);
                        }
                    }
                    return Ok(Selected {
                        scenario: Some(scenario),
                        source: Source::Armed,
                    });
                }
            }
        }
        let catalog = self.catalog();
        if let Some(name) = req.headers.get(SCENARIO_HEADER) {
            let name = name.to_str().unwrap_or("").trim();
            return match catalog.get(name) {
                Some(s) => Ok(Selected {
                    scenario: Some(s.clone()),
                    source: Source::Header,
                }),
                None => Err(UnknownScenario {
                    name: name.to_owned(),
                    suggestions: suggest(name, catalog.scenarios.iter().map(|s| s.name.as_str())),
                }),
            };
        }
        Ok(catalog
            .scenarios
            .iter()
            .find(|s| s.matches(req))
            .map_or_else(Selected::default_choice, |s| Selected {
                scenario: Some(s.clone()),
                source: Source::Fixture,
            }))
    }
}

/// Up to three names within a small edit distance, or containing the input.
pub fn suggest<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|n| {
            let d = levenshtein(&lower, &n.to_ascii_lowercase());
            let close = d <= 3.max(lower.len() / 3) || (!lower.is_empty() && n.contains(&lower));
            close.then_some((d, n))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_owned())
        .collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Deep-merges `patch` into `target`: objects merge key by key, anything else replaces.
pub fn deep_merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scenario(v: Value) -> Scenario {
        serde_json::from_value(v).unwrap()
    }

    fn req<'a>(headers: &'a HeaderMap, last: Option<&'a str>) -> Request<'a> {
        Request {
            vendor: Vendor::Complycube,
            endpoint: "checks",
            check_type: Some("identity_check"),
            client: Some(ClientFacts {
                last_name: last,
                ..Default::default()
            }),
            headers,
            image_sha256: &[],
        }
    }

    fn engine() -> Engine {
        Engine::new(
            Catalog::new(vec![
                scenario(json!({"name":"attention","description":"d",
                    "match":{"client":{"lastName":"attention"}},"effect":{"outcome":"attention"}})),
                scenario(json!({"name":"face-mismatch","description":"d",
                    "match":{"client":{"lastName":"face-mismatch"}},"effect":{"outcome":"attention"}})),
            ])
            .unwrap(),
        )
    }

    #[test]
    fn precedence_is_armed_then_header_then_fixture_then_default() {
        let e = engine();
        let none = HeaderMap::new();
        assert_eq!(
            e.select("t", &req(&none, Some("Doe"))).unwrap().source,
            Source::Default
        );
        let s = e.select("t", &req(&none, Some("ATTENTION"))).unwrap();
        assert_eq!((s.source, s.name()), (Source::Fixture, "attention"));
        let mut h = HeaderMap::new();
        h.insert(SCENARIO_HEADER, "face-mismatch".parse().unwrap());
        let s = e.select("t", &req(&h, Some("attention"))).unwrap();
        assert_eq!((s.source, s.name()), (Source::Header, "face-mismatch"));
        e.arm(
            "t",
            scenario(json!({"name":"armed","description":"d"})),
            Some(1),
        );
        let s = e.select("t", &req(&h, Some("attention"))).unwrap();
        assert_eq!((s.source, s.name()), (Source::Armed, "armed"));
        // Used up after one request; another tenant never saw it.
        assert_eq!(
            e.select("t", &req(&h, None)).unwrap().source,
            Source::Header
        );
        assert_eq!(
            e.select("u", &req(&none, None)).unwrap().source,
            Source::Default
        );
    }

    #[test]
    fn unknown_header_names_close_scenarios() {
        let e = engine();
        let mut h = HeaderMap::new();
        h.insert(SCENARIO_HEADER, "face-mismatc".parse().unwrap());
        let err = e.select("t", &req(&h, None)).unwrap_err();
        assert_eq!(err.suggestions, vec!["face-mismatch".to_owned()]);
    }

    #[test]
    fn deep_merge_replaces_leaves_and_keeps_siblings() {
        let mut v =
            json!({"faceAnalysis":{"facialSimilarity":"clear","previouslyEnrolledFace":"clear"}});
        deep_merge(
            &mut v,
            &json!({"faceAnalysis":{"facialSimilarity":"attention"}}),
        );
        assert_eq!(
            v,
            json!({"faceAnalysis":{"facialSimilarity":"attention","previouslyEnrolledFace":"clear"}})
        );
    }
}
