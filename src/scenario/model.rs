//! The scenario schema: a name, what it is for, when it applies and what it
//! does. The core knows the generic parts (vendor, endpoint, headers, image
//! hashes; latency, dropped connection, error); every other match key and
//! effect belongs to a vendor, whose [`Vocabulary`](super::Vocabulary)
//! validates it when the scenario is compiled.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The header that picks a scenario for one request.
pub(crate) const SCENARIO_HEADER: &str = "x-sandbox-scenario";

/// The name the journal records when no scenario applied. As a header value
/// it forces the default even when a fixture rule would match; no scenario
/// may take this name.
pub(crate) const DEFAULT_NAME: &str = "default";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn contains(&self, v: &str) -> bool {
        match self {
            OneOrMany::One(s) => s == v,
            OneOrMany::Many(list) => list.iter().any(|s| s == v),
        }
    }

    pub(crate) fn values(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(list) => list.iter().map(String::as_str).collect(),
        }
    }
}

/// An HTTP error sent instead of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErrorReply {
    pub(crate) status: u16,
    /// The vendor-shaped body. When absent the vendor renders its own
    /// standard body for `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<Value>,
}

/// What a scenario does to a response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Effect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<ErrorReply>,
    /// Added before the response is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) latency_ms: Option<u64>,
    /// Close the connection without answering (after any latency).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) drop_connection: bool,
    /// Vendor effects (`outcome`, `breakdown`, `scores`, …), as written.
    #[serde(flatten)]
    pub(crate) vendor: Map<String, Value>,
    /// The vendor effects by dotted path (`scores.comparison`), filled when
    /// the scenario is compiled.
    #[serde(skip)]
    pub(crate) values: BTreeMap<String, Value>,
}

impl Effect {
    /// A vendor effect by its dotted path.
    pub(crate) fn get(&self, path: &str) -> Option<&Value> {
        self.values.get(path)
    }

    pub(crate) fn text(&self, path: &str) -> Option<&str> {
        self.get(path).and_then(Value::as_str)
    }

    pub(crate) fn number(&self, path: &str) -> Option<f64> {
        self.get(path).and_then(Value::as_f64)
    }

    pub(crate) fn millis(&self, path: &str) -> Option<u64> {
        self.get(path).and_then(Value::as_u64)
    }
}

/// Match rules: every rule present must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MatchRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) endpoint: Option<OneOrMany>,
    /// Header name → exact value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) header: Option<BTreeMap<String, String>>,
    /// Lowercase hex SHA-256 of any image in the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) image_sha256: Option<OneOrMany>,
    /// Vendor facts (`checkType`, `client.lastName`, …), as written.
    #[serde(flatten)]
    pub(crate) facts: Map<String, Value>,
    /// The vendor facts by dotted path, filled when the scenario is compiled.
    #[serde(skip)]
    pub(crate) compiled: Vec<FactRule>,
}

impl MatchRules {
    /// No rules at all: such a scenario never matches by rules (it can still
    /// be armed or named in the header).
    pub(crate) fn is_empty(&self) -> bool {
        self.vendor.is_none()
            && self.endpoint.is_none()
            && self.header.is_none()
            && self.image_sha256.is_none()
            && self.facts.is_empty()
    }
}

/// One compiled vendor fact rule: the fact at `path` must equal one of `values`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FactRule {
    pub(crate) path: String,
    pub(crate) values: Vec<String>,
    /// Compare trimmed and ignoring ASCII case (names, emails).
    pub(crate) ignore_case: bool,
    /// A scope rule (which requests) stays when a scenario is armed; a
    /// trigger rule (which data) goes.
    pub(crate) scope: bool,
    /// How the rule reads in a trigger sentence (`client last name`).
    pub(crate) label: String,
}

/// One scenario: a name, what it is for, when it applies and what it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Scenario {
    pub(crate) name: String,
    pub(crate) description: String,
    /// How a user triggers it, in words; derived from `match` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) trigger: Option<String>,
    #[serde(rename = "match", default)]
    pub(crate) rules: MatchRules,
    #[serde(default)]
    pub(crate) effect: Effect,
    /// The fixture file it came from (`None` for one defined through the admin API).
    #[serde(skip)]
    pub(crate) file: Option<String>,
    /// A digest of its content, filled when compiled: the id of its stored
    /// record, which the checks it decided refer to.
    #[serde(skip)]
    pub(crate) digest: String,
}

impl Scenario {
    /// The form a catalog scenario takes when an admin arms it by name: the
    /// scope rules (vendor, endpoint, scope facts such as the check type)
    /// stay, the trigger rules (data facts, headers, images) go, so it
    /// applies to the next requests of its kind whatever their data.
    pub(crate) fn armed_form(&self) -> Scenario {
        let mut s = self.clone();
        s.rules.header = None;
        s.rules.image_sha256 = None;
        s.rules.compiled.retain(|r| r.scope);
        let kept: Vec<&str> = s
            .rules
            .compiled
            .iter()
            .map(|r| r.path.split('.').next().unwrap_or(""))
            .collect();
        let facts = std::mem::take(&mut s.rules.facts);
        s.rules.facts = facts
            .into_iter()
            .filter(|(k, _)| kept.contains(&k.as_str()))
            .collect();
        s.digest = s.content_digest();
        s
    }

    /// 32 hex characters of the SHA-256 of the scenario as written.
    pub(crate) fn content_digest(&self) -> String {
        use sha2::Digest as _;
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(&sha2::Sha256::digest(&bytes)[..16])
    }
}
