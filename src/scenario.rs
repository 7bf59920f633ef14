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

/// The name the journal records when no scenario applied. As a header value
/// it forces the default even when a fixture rule would match; no scenario
/// may take this name.
pub const DEFAULT_NAME: &str = "default";

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
    /// Close the connection without answering (after any latency).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop_connection: bool,
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
    /// The fixture file it came from (`None` for one defined through the admin API).
    #[serde(skip)]
    pub file: Option<String>,
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

impl Scenario {
    /// The form a catalog scenario takes when an admin arms it by name: the
    /// scope rules (vendor, endpoint, check type) stay, the trigger rules
    /// (client fields, headers, images) go, so it applies to the next
    /// requests of its kind whatever their data.
    pub fn armed_form(&self) -> Scenario {
        let mut s = self.clone();
        s.rules.client = None;
        s.rules.header = None;
        s.rules.image_sha256 = None;
        s
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
    drop_connection: false,
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
                "Unknown sandbox scenario '{}' in the X-Sandbox-Scenario header; GET /__admin/scenarios lists them",
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
    /// An ordered catalog; names are unique ignoring ASCII case.
    pub fn new(scenarios: Vec<Scenario>) -> Result<Self, String> {
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut list: Vec<Arc<Scenario>> = Vec::with_capacity(scenarios.len());
        for (i, s) in scenarios.into_iter().enumerate() {
            if let Some(&first) = by_name.get(&s.name.to_ascii_lowercase()) {
                let where_ =
                    |f: &Option<String>| f.clone().unwrap_or_else(|| "the admin API".into());
                return Err(format!(
                    "{}: scenario name '{}' is already defined in {}",
                    where_(&s.file),
                    s.name,
                    where_(&list[first].file)
                ));
            }
            by_name.insert(s.name.to_ascii_lowercase(), i);
            list.push(Arc::new(s));
        }
        Ok(Catalog {
            scenarios: list,
            by_name,
        })
    }

    /// Looks a scenario up by name, ignoring ASCII case.
    pub fn get(&self, name: &str) -> Option<&Arc<Scenario>> {
        self.by_name
            .get(&name.to_ascii_lowercase())
            .map(|&i| &self.scenarios[i])
    }

    /// Close catalog names for a name that does not exist.
    pub fn suggest(&self, name: &str) -> Vec<String> {
        suggest(name, self.scenarios.iter().map(|s| s.name.as_str()))
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
        list.retain(|a| !a.scenario.name.eq_ignore_ascii_case(&scenario.name));
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
        list.retain(|a| !a.scenario.name.eq_ignore_ascii_case(name));
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
        let named = req
            .headers
            .get(SCENARIO_HEADER)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
            .filter(|n| !n.is_empty());
        if let Some(name) = named {
            if name.eq_ignore_ascii_case(DEFAULT_NAME) {
                return Ok(Selected {
                    scenario: None,
                    source: Source::Header,
                });
            }
            return match catalog.get(&name) {
                Some(s) => Ok(Selected {
                    scenario: Some(s.clone()),
                    source: Source::Header,
                }),
                None => Err(UnknownScenario {
                    suggestions: catalog.suggest(&name),
                    name,
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
            let close = d <= 3.max(lower.len() / 3)
                || (lower.len() >= 3 && n.to_ascii_lowercase().contains(&lower));
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

    /// Every combination of the three layers: the first present one wins.
    #[test]
    fn precedence_matrix() {
        for armed in [false, true] {
            for header in [false, true] {
                for fixture in [false, true] {
                    let e = engine();
                    if armed {
                        e.arm(
                            "t",
                            scenario(json!({"name":"armed","description":"d"})),
                            None,
                        );
                    }
                    let mut h = HeaderMap::new();
                    if header {
                        h.insert(SCENARIO_HEADER, "face-mismatch".parse().unwrap());
                    }
                    let last = if fixture { "Attention" } else { "Doe" };
                    let got = e.select("t", &req(&h, Some(last))).unwrap();
                    let want = if armed {
                        (Source::Armed, "armed")
                    } else if header {
                        (Source::Header, "face-mismatch")
                    } else if fixture {
                        (Source::Fixture, "attention")
                    } else {
                        (Source::Default, "default")
                    };
                    assert_eq!(
                        (got.source, got.name()),
                        want,
                        "armed={armed} header={header} fixture={fixture}"
                    );
                }
            }
        }
    }

    #[test]
    fn armed_rules_limit_which_requests_consume_it() {
        let e = engine();
        e.arm(
            "t",
            scenario(json!({"name":"only-docs","description":"d",
                "match":{"checkType":"document_check"},"effect":{"outcome":"attention"}})),
            Some(2),
        );
        let none = HeaderMap::new();
        // identity_check requests pass it by and leave its uses alone.
        for _ in 0..3 {
            assert_eq!(
                e.select("t", &req(&none, None)).unwrap().source,
                Source::Default
            );
        }
        assert_eq!(e.armed("t")[0].1, Some(2));
        let mut doc = req(&none, None);
        doc.check_type = Some("document_check");
        for _ in 0..2 {
            assert_eq!(e.select("t", &doc).unwrap().name(), "only-docs");
        }
        assert!(e.armed("t").is_empty(), "used up after two");
        assert_eq!(e.select("t", &doc).unwrap().source, Source::Default);
    }

    #[test]
    fn armed_without_times_stays_until_disarmed_and_is_per_tenant() {
        let e = engine();
        e.arm(
            "t",
            scenario(json!({"name":"sticky","description":"d"})),
            None,
        );
        let none = HeaderMap::new();
        for _ in 0..5 {
            assert_eq!(e.select("t", &req(&none, None)).unwrap().name(), "sticky");
        }
        assert_eq!(e.select("u", &req(&none, None)).unwrap().name(), "default");
        assert!(!e.disarm("u", "sticky"));
        assert!(e.disarm("t", "STICKY"));
        assert_eq!(e.select("t", &req(&none, None)).unwrap().name(), "default");
    }

    #[test]
    fn rearming_a_name_replaces_it_and_resets_clear_tenants() {
        let e = engine();
        e.arm(
            "t",
            scenario(json!({"name":"x","description":"one"})),
            Some(1),
        );
        e.arm(
            "t",
            scenario(json!({"name":"x","description":"two"})),
            Some(3),
        );
        e.arm("u", scenario(json!({"name":"y","description":"d"})), None);
        let armed = e.armed("t");
        assert_eq!(armed.len(), 1);
        assert_eq!(
            (armed[0].0.description.as_str(), armed[0].1),
            ("two", Some(3))
        );
        e.reset("t");
        assert!(e.armed("t").is_empty());
        assert_eq!(e.armed("u").len(), 1);
        e.reset_all();
        assert!(e.armed("u").is_empty());
    }

    #[test]
    fn armed_beats_an_unknown_header_but_unknown_header_beats_fixtures() {
        let e = engine();
        let mut h = HeaderMap::new();
        h.insert(SCENARIO_HEADER, "no-such".parse().unwrap());
        assert!(e.select("t", &req(&h, Some("attention"))).is_err());
        e.arm(
            "t",
            scenario(json!({"name":"armed","description":"d"})),
            None,
        );
        assert_eq!(e.select("t", &req(&h, None)).unwrap().name(), "armed");
    }

    #[test]
    fn header_is_trimmed_case_insensitive_and_can_force_the_default() {
        let e = engine();
        let mut h = HeaderMap::new();
        h.insert(SCENARIO_HEADER, "  Face-Mismatch ".parse().unwrap());
        assert_eq!(
            e.select("t", &req(&h, None)).unwrap().name(),
            "face-mismatch"
        );
        h.insert(SCENARIO_HEADER, "default".parse().unwrap());
        let s = e.select("t", &req(&h, Some("attention"))).unwrap();
        assert_eq!((s.source, s.name()), (Source::Header, "default"));
        assert_eq!(s.effect(), &Effect::default());
        h.insert(SCENARIO_HEADER, "".parse().unwrap());
        let s = e.select("t", &req(&h, Some("attention"))).unwrap();
        assert_eq!(s.source, Source::Fixture, "an empty header is no header");
    }

    #[test]
    fn replacing_the_catalog_is_seen_at_once_and_keeps_armed_ones() {
        let e = engine();
        e.arm(
            "t",
            scenario(json!({"name":"armed","description":"d",
            "match":{"checkType":"document_check"}})),
            None,
        );
        e.replace_catalog(
            Catalog::new(vec![scenario(
                json!({"name":"brand-new","description":"d"}),
            )])
            .unwrap(),
        );
        let mut h = HeaderMap::new();
        h.insert(SCENARIO_HEADER, "brand-new".parse().unwrap());
        assert_eq!(e.select("t", &req(&h, None)).unwrap().name(), "brand-new");
        h.insert(SCENARIO_HEADER, "attention".parse().unwrap());
        assert!(e.select("t", &req(&h, None)).is_err(), "old names are gone");
        assert_eq!(e.armed("t").len(), 1);
    }

    #[test]
    fn duplicate_names_are_rejected_ignoring_case_naming_both_files() {
        let mut a = scenario(json!({"name":"dup","description":"d"}));
        a.file = Some("a.json".into());
        let mut b = scenario(json!({"name":"DUP","description":"d"}));
        b.file = Some("b.json".into());
        let err = Catalog::new(vec![a, b]).unwrap_err();
        assert_eq!(
            err,
            "b.json: scenario name 'DUP' is already defined in a.json"
        );
    }

    #[test]
    fn match_rules_all_must_hold() {
        let h = HeaderMap::new();
        let meta: BTreeMap<String, String> = [("plan".to_owned(), "gold".to_owned())].into();
        let sha = [7u8; 32];
        let base = Request {
            vendor: Vendor::Complycube,
            endpoint: "checks",
            check_type: Some("document_check"),
            client: Some(ClientFacts {
                first_name: Some("Ann"),
                email: Some("ANN@example.com"),
                metadata: Some(&meta),
                ..Default::default()
            }),
            headers: &h,
            image_sha256: std::slice::from_ref(&sha),
        };
        let cases = [
            (json!({}), false),
            (json!({"vendor":"complycube"}), true),
            (json!({"vendor":"verifik"}), false),
            (json!({"endpoint":["riskProfile","checks"]}), true),
            (json!({"endpoint":"riskProfile"}), false),
            (json!({"checkType":"identity_check"}), false),
            (
                json!({"client":{"firstName":"ann","email":"ann@example.com"}}),
                true,
            ),
            (json!({"client":{"lastName":"x"}}), false),
            (json!({"client":{"metadata":{"plan":"gold"}}}), true),
            (json!({"client":{"metadata":{"plan":"free"}}}), false),
            (json!({"header":{"x-test":"1"}}), false),
            (
                json!({"imageSha256": hex::encode(sha).to_uppercase()}),
                true,
            ),
            (json!({"imageSha256": hex::encode([8u8; 32])}), false),
            (
                json!({"vendor":"complycube","checkType":"document_check","client":{"lastName":"x"}}),
                false,
            ),
        ];
        for (rules, want) in cases {
            let s = scenario(json!({"name":"s","description":"d","match":rules}));
            assert_eq!(s.matches(&base), want, "{rules}");
        }
        let mut no_client = base;
        no_client.client = None;
        let s =
            scenario(json!({"name":"s","description":"d","match":{"client":{"firstName":"Ann"}}}));
        assert!(!s.matches(&no_client), "client rules need a client");
    }

    #[test]
    fn unknown_scenario_message_lists_close_names_or_points_to_the_catalog() {
        let e = engine();
        let mut h = HeaderMap::new();
        h.insert(SCENARIO_HEADER, "FACE_MISMATCH".parse().unwrap());
        let err = e.select("t", &req(&h, None)).unwrap_err();
        assert_eq!(
            err.message(),
            "Unknown sandbox scenario 'FACE_MISMATCH' in the X-Sandbox-Scenario header; did you mean: face-mismatch"
        );
        h.insert(SCENARIO_HEADER, "zzzzzzzzzzzzzzzzzz".parse().unwrap());
        let err = e.select("t", &req(&h, None)).unwrap_err();
        assert!(err.suggestions.is_empty());
        assert!(
            err.message().ends_with("GET /__admin/scenarios lists them"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn suggestions_are_best_first_and_at_most_three() {
        let names = [
            "document-expired",
            "document-specimen",
            "document-tampered",
            "document-blacklisted",
            "attention",
        ];
        let got = suggest("document", names.iter().copied());
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|n| n.starts_with("document-")));
        assert_eq!(
            suggest("atention", names.iter().copied()),
            vec!["attention"]
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
