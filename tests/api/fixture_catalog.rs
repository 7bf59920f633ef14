//! Every shipped fixture file loads, reads well and only patches breakdown
//! keys the vendor documents for its check type. The catalog is read the way
//! a user reads it: from a running sandbox's `GET /__admin/scenarios`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

use crate::complycube_check_keys::documented;
use crate::helpers::spawn_app;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Documented `result.breakdown` paths per ComplyCube check type (`[]` marks
/// the objects inside an array): every type's list in
/// `complycube_check_keys`, with the page it comes from.
fn known_breakdown_paths() -> BTreeMap<&'static str, BTreeSet<String>> {
    documented()
        .into_iter()
        .map(|d| (d.kind, d.always.into_iter().chain(d.sometimes).collect()))
        .collect()
}

/// Documented numbers a failure mode may set instead of a leaf: the email
/// and mobile `riskLevel` (0–100; "0–50: no indication" of fraud).
fn numeric_failure(path: &str, value: &Value) -> bool {
    path == "riskAnalysis.riskLevel" && value.as_f64().is_some_and(|v| v > 50.0 && v <= 100.0)
}

/// Leaf paths of a breakdown patch; arrays of objects contribute `path[].key`.
fn leaf_paths(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaf_paths(&p, child, out);
            }
        }
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            for item in items {
                leaf_paths(&format!("{prefix}[]"), item, out);
            }
        }
        other => out.push((prefix.to_owned(), other.clone())),
    }
}

/// The shipped catalog as the admin API lists it, in catalog order.
async fn catalog() -> Vec<Value> {
    let app = spawn_app().await;
    let (status, v) = app.get("/__admin/scenarios").await;
    assert_eq!(status, 200, "{v}");
    let list = v["scenarios"].as_array().expect("scenarios").clone();
    assert!(!list.is_empty(), "no fixtures shipped");
    list
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// A string-or-list rule as a list.
fn values(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn every_fixture_file_loads_and_names_are_unique_across_the_catalog() {
    let list = catalog().await;
    let shipped: BTreeSet<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures directory lists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let loaded: BTreeSet<String> = list
        .iter()
        .filter_map(|s| text(s, "/file"))
        .map(|f| {
            PathBuf::from(f)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(loaded, shipped, "every shipped file contributes scenarios");
    let mut seen = BTreeSet::new();
    for s in &list {
        let name = text(s, "/name").expect("name");
        assert!(seen.insert(name.to_ascii_lowercase()), "duplicate {name}");
    }
}

#[tokio::test]
async fn every_scenario_says_what_it_does_and_how_to_trigger_it() {
    for s in catalog().await {
        let name = text(&s, "/name").unwrap_or("?");
        let file = text(&s, "/file").unwrap_or("?");
        assert!(
            text(&s, "/description").is_some_and(|d| d.trim().len() >= 20),
            "{file}: '{name}' needs a real description"
        );
        let has_rules = s["match"].as_object().is_some_and(|m| !m.is_empty());
        let trigger = text(&s, "/trigger").unwrap_or("");
        assert!(
            has_rules || !trigger.starts_with("no match rules"),
            "{file}: '{name}' has no trigger"
        );
        assert!(!trigger.is_empty(), "{file}: '{name}'");
    }
}

#[tokio::test]
async fn complycube_check_scenarios_patch_only_documented_breakdown_keys() {
    let known = known_breakdown_paths();
    let tri_state = ["clear", "attention", "not_processed"];
    let mut magic: BTreeSet<(String, String)> = BTreeSet::new();
    let mut checked = 0;
    for s in catalog().await {
        let name = text(&s, "/name").unwrap_or("?").to_owned();
        let file = text(&s, "/file").unwrap_or("?").to_owned();
        if text(&s, "/match/vendor") != Some("complycube") {
            continue;
        }
        let outcome = text(&s, "/effect/outcome");
        if let Some(outcome) = outcome {
            assert!(tri_state.contains(&outcome), "{file}: '{name}'");
        }
        let types = values(s.pointer("/match/checkType"));
        if types.is_empty() {
            continue;
        }
        checked += 1;
        assert_eq!(
            outcome,
            Some("attention"),
            "{file}: '{name}' is a failure mode, so its outcome is attention"
        );
        let last = text(&s, "/match/client/lastName")
            .unwrap_or_else(|| panic!("{file}: '{name}' needs a magic last name"));
        let breakdown = s
            .pointer("/effect/breakdown")
            .unwrap_or_else(|| panic!("{file}: '{name}' patches no breakdown"));
        let mut leaves = Vec::new();
        leaf_paths("", breakdown, &mut leaves);
        assert!(
            leaves
                .iter()
                .any(|(p, v)| v == "attention" || v == "not_processed" || numeric_failure(p, v)),
            "{file}: '{name}' sets no failing leaf"
        );
        for check_type in &types {
            assert!(
                magic.insert((check_type.clone(), last.to_ascii_lowercase())),
                "{file}: last name '{last}' is used twice for {check_type}"
            );
            let allowed = known
                .get(check_type.as_str())
                .unwrap_or_else(|| panic!("{file}: no key table for {check_type}"));
            for (path, value) in &leaves {
                assert!(
                    allowed.contains(path),
                    "{file}: '{name}' patches undocumented {check_type} key '{path}'"
                );
                let is_status = !path.contains("[]")
                    && !path.contains(".breakdown.")
                    && path.split('.').count() == 2;
                if is_status && !numeric_failure(path, value) {
                    assert!(
                        value.as_str().is_some_and(|v| tri_state.contains(&v)),
                        "{file}: '{name}': {path} = {value} is not clear/attention/not_processed"
                    );
                }
            }
        }
    }
    assert!(
        checked >= 100,
        "only {checked} ComplyCube check scenarios found"
    );
}

#[tokio::test]
async fn complycube_documented_triggers_are_shipped() {
    let list = catalog().await;
    let by_last = |last: &str| {
        list.iter()
            .find(|s| {
                s.pointer("/match/checkType").is_none()
                    && text(s, "/match/client/lastName") == Some(last)
            })
            .unwrap_or_else(|| panic!("no scenario for last name {last}"))
    };
    assert_eq!(
        text(by_last("attention"), "/effect/outcome"),
        Some("attention")
    );
    assert_eq!(
        text(by_last("failed"), "/effect/outcome"),
        Some("not_processed")
    );
    for (middle, risk) in [("medium-risk", "medium"), ("high-risk", "high")] {
        let s = list
            .iter()
            .find(|s| text(s, "/match/client/middleName") == Some(middle))
            .unwrap_or_else(|| panic!("no scenario for middle name {middle}"));
        assert_eq!(text(s, "/effect/risk"), Some(risk));
        assert_eq!(values(s.pointer("/match/endpoint")), vec!["riskProfile"]);
    }
}
