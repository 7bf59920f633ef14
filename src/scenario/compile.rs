//! Compiling a scenario: every vendor key checked against the registered
//! vocabularies and flattened to dotted paths, so matching and applying
//! never re-parse JSON. Fixture files and scenarios defined through the
//! admin API go through the same checks.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::model::{FactRule, OneOrMany, Scenario};
use super::vocabulary::{Key, Kind, MAX_DELAY_MS, Vocabulary, check_kind};

/// The keys of `vocabularies` that `path` may use, per side.
fn keys<'a>(
    vocabularies: &'a [&'static Vocabulary],
    effects: bool,
) -> impl Iterator<Item = &'a Key> + Clone {
    vocabularies.iter().flat_map(move |v| {
        if effects {
            v.effects.iter()
        } else {
            v.facts.iter()
        }
    })
}

/// Walks a vendor map into `(dotted path, key, value)` leaves.
fn flatten<'a>(
    side: &str,
    map: &'a Map<String, Value>,
    prefix: &str,
    keys: impl Iterator<Item = &'a Key> + Clone,
    out: &mut Vec<(String, &'a Key, &'a Value)>,
) -> Result<(), String> {
    for (k, v) in map {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if let Some(key) = keys.clone().find(|key| key.covers(&path)) {
            out.push((path, key, v));
        } else if keys.clone().any(|key| key.below(&path)) {
            match v {
                Value::Object(inner) if inner.is_empty() => {
                    return Err(format!("{side}.{path} must name at least one field"));
                }
                Value::Object(inner) => flatten(side, inner, &path, keys.clone(), out)?,
                _ => return Err(format!("{side}.{path} must be an object")),
            }
        } else {
            let mut known: Vec<&str> = keys
                .clone()
                .map(|key| key.path.split('.').next().unwrap_or(key.path))
                .collect();
            known.sort_unstable();
            known.dedup();
            let where_ = if prefix.is_empty() {
                side.to_owned()
            } else {
                format!("{side}.{prefix}")
            };
            return Err(format!(
                "unknown key '{k}' in {where_}{}",
                if prefix.is_empty() && !known.is_empty() {
                    format!(
                        " (besides the generic keys, these vendors know: {})",
                        known.join(", ")
                    )
                } else {
                    String::new()
                }
            ));
        }
    }
    Ok(())
}

/// Validates a scenario against the registered vocabularies and fills its
/// compiled rules and effect values. Fixture files and scenarios defined
/// through the admin API go through the same checks.
pub(crate) fn compile(mut s: Scenario, all: &[&'static Vocabulary]) -> Result<Scenario, String> {
    check_names(&s)?;
    let scoped: Vec<&'static Vocabulary> = match &s.rules.vendor {
        Some(v) => match all.iter().find(|voc| voc.vendor == v) {
            Some(voc) => vec![*voc],
            None => {
                let names: Vec<&str> = all.iter().map(|v| v.vendor).collect();
                return Err(format!(
                    "match.vendor '{v}' must be one of {}",
                    names.join(", ")
                ));
            }
        },
        None => all.to_vec(),
    };
    check_generic_rules(&s, &scoped)?;

    let mut leaves = Vec::new();
    flatten(
        "match",
        &s.rules.facts,
        "",
        keys(&scoped, false),
        &mut leaves,
    )?;
    let mut compiled = Vec::with_capacity(leaves.len());
    for (path, key, value) in leaves {
        check_kind(&format!("match.{path}"), key.kind, value, true)?;
        let values = match value {
            Value::Array(list) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            other => other.as_str().map(str::to_owned).into_iter().collect(),
        };
        let label = match key.path.strip_suffix('*') {
            Some(prefix) => format!("{} {}", key.label, &path[prefix.len()..]),
            None => key.label.to_owned(),
        };
        compiled.push(FactRule {
            path,
            values,
            ignore_case: matches!(key.kind, Kind::TextIgnoreCase),
            scope: key.scope,
            label,
        });
    }
    s.rules.compiled = compiled;

    let mut leaves = Vec::new();
    flatten(
        "effect",
        &s.effect.vendor,
        "",
        keys(&scoped, true),
        &mut leaves,
    )?;
    let mut values = BTreeMap::new();
    for (path, key, value) in leaves {
        check_kind(&format!("effect.{path}"), key.kind, value, false)?;
        values.insert(path, value.clone());
    }
    s.effect.values = values;
    check_generic_effect(&s)?;
    s.digest = s.content_digest();
    Ok(s)
}

fn check_names(s: &Scenario) -> Result<(), String> {
    if s.name.trim().is_empty() {
        return Err("'name' must not be empty".into());
    }
    if s.name.len() > 100 {
        return Err("'name' must be at most 100 characters".into());
    }
    if !s
        .name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err("'name' may only contain letters, digits, '-', '_' and '.'".into());
    }
    if s.name.eq_ignore_ascii_case(super::model::DEFAULT_NAME) {
        return Err(format!(
            "'name' must not be '{}': it stands for \"no scenario\"",
            super::model::DEFAULT_NAME
        ));
    }
    if s.description.trim().is_empty() {
        return Err("'description' must say what the scenario is for".into());
    }
    if s.description.len() > 2000 {
        return Err("'description' must be at most 2000 characters".into());
    }
    if s.trigger.as_ref().is_some_and(|t| t.trim().is_empty()) {
        return Err("'trigger' must not be empty when present".into());
    }
    Ok(())
}

fn check_generic_rules(s: &Scenario, scoped: &[&'static Vocabulary]) -> Result<(), String> {
    let r = &s.rules;
    for (key, list) in [("endpoint", &r.endpoint), ("imageSha256", &r.image_sha256)] {
        if let Some(list) = list {
            if matches!(list, OneOrMany::Many(v) if v.is_empty())
                || list.values().iter().any(|v| v.trim().is_empty())
            {
                return Err(format!("match.{key} must not be empty"));
            }
        }
    }
    if let Some(list) = &r.endpoint {
        for e in list.values() {
            if !scoped.iter().any(|v| v.endpoints.contains(&e)) {
                let mut known: Vec<&str> =
                    scoped.iter().flat_map(|v| v.endpoints).copied().collect();
                known.sort_unstable();
                known.dedup();
                return Err(format!(
                    "match.endpoint '{e}' must be one of {}",
                    known.join(", ")
                ));
            }
        }
    }
    if let Some(headers) = &r.header {
        for name in headers.keys() {
            if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(format!("match.header '{name}' is not a valid header name"));
            }
        }
    }
    if let Some(hashes) = &r.image_sha256 {
        for h in hashes.values() {
            if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(format!("match.imageSha256 '{h}' is not 64 hex characters"));
            }
        }
    }
    Ok(())
}

fn check_generic_effect(s: &Scenario) -> Result<(), String> {
    let e = &s.effect;
    if let Some(err) = &e.error {
        if !(400..=599).contains(&err.status) {
            return Err(format!(
                "effect.error.status {} is not a 4xx or 5xx status",
                err.status
            ));
        }
    }
    if e.latency_ms.is_some_and(|v| v > MAX_DELAY_MS) {
        return Err(format!(
            "effect.latencyMs must be at most {MAX_DELAY_MS} (one hour)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::vocabulary::{Key, Kind};
    use serde_json::json;

    static A: Vocabulary = Vocabulary {
        vendor: "a",
        endpoints: &["things", "other"],
        facts: &[
            Key::fact("kind", "kind", true),
            Key::fact_ignoring_case("person.name", "person name"),
            Key::fact("person.tags.*", "person tag", false),
        ],
        effects: &[
            Key::effect("outcome", Kind::Text),
            Key::effect("level", Kind::OneOf(&["low", "high"])),
            Key::effect("scores.x", Kind::Number { min: 0.0, max: 1.0 }),
            Key::effect("breakdown", Kind::Object),
            Key::effect("delayMs", Kind::Millis),
        ],
    };
    static B: Vocabulary = Vocabulary {
        vendor: "b",
        endpoints: &["compare"],
        facts: &[],
        effects: &[Key::effect(
            "scores.y",
            Kind::Number {
                min: 0.0,
                max: 100.0,
            },
        )],
    };

    fn compile_json(v: Value) -> Result<Scenario, String> {
        let s: Scenario = serde_json::from_value(v).map_err(|e| e.to_string())?;
        compile(s, &[&A, &B])
    }

    #[test]
    fn facts_flatten_to_dotted_rules() {
        let s = compile_json(json!({"name":"s","description":"d",
            "match":{"kind":["x","y"],"person":{"name":"Ann","tags":{"team":"qa"}}}}))
        .unwrap();
        let rules: Vec<(&str, Vec<&str>, bool, &str)> = s
            .rules
            .compiled
            .iter()
            .map(|r| {
                (
                    r.path.as_str(),
                    r.values.iter().map(String::as_str).collect(),
                    r.ignore_case,
                    r.label.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rules,
            vec![
                ("kind", vec!["x", "y"], false, "kind"),
                ("person.name", vec!["Ann"], true, "person name"),
                ("person.tags.team", vec!["qa"], false, "person tag team"),
            ]
        );
    }

    #[test]
    fn effects_flatten_and_are_checked_by_kind() {
        let s = compile_json(json!({"name":"s","description":"d",
            "effect":{"level":"high","scores":{"x":0.5,"y":80},"breakdown":{"a":{"b":1}}}}))
        .unwrap();
        assert_eq!(s.effect.text("level"), Some("high"));
        assert_eq!(s.effect.number("scores.x"), Some(0.5));
        assert_eq!(s.effect.number("scores.y"), Some(80.0));
        assert_eq!(s.effect.get("breakdown"), Some(&json!({"a":{"b":1}})));
    }

    #[test]
    fn bad_scenarios_name_the_key() {
        let cases = [
            (
                json!({"match":{"vendor":"c"}}),
                "match.vendor 'c' must be one of a, b",
            ),
            (
                json!({"match":{"endpoint":"nope"}}),
                "match.endpoint 'nope' must be one of compare, other, things",
            ),
            (
                json!({"match":{"vendor":"b","endpoint":"things"}}),
                "match.endpoint 'things' must be one of compare",
            ),
            (
                json!({"match":{"person":{}}}),
                "match.person must name at least one field",
            ),
            (
                json!({"match":{"person":"x"}}),
                "match.person must be an object",
            ),
            (
                json!({"match":{"persn":{"name":"x"}}}),
                "unknown key 'persn' in match",
            ),
            (
                json!({"match":{"person":{"nam":"x"}}}),
                "unknown key 'nam' in match.person",
            ),
            (
                json!({"match":{"kind":""}}),
                "match.kind must be a non-empty string",
            ),
            (
                json!({"match":{"kind":[]}}),
                "match.kind must be a non-empty string",
            ),
            (
                json!({"effect":{"level":"extreme"}}),
                "effect.level 'extreme' must be one of low, high",
            ),
            (
                json!({"effect":{"scores":{"x":2}}}),
                "effect.scores.x 2 must be between 0 and 1",
            ),
            (
                json!({"match":{"vendor":"a"},"effect":{"scores":{"y":2}}}),
                "unknown key 'y' in effect.scores",
            ),
            (
                json!({"effect":{"breakdown":[]}}),
                "effect.breakdown must be an object",
            ),
            (
                json!({"effect":{"delayMs":3_600_001}}),
                "effect.delayMs must be at most 3600000 (one hour)",
            ),
            (
                json!({"effect":{"latencyMs":3_600_001}}),
                "effect.latencyMs must be at most 3600000 (one hour)",
            ),
            (
                json!({"effect":{"error":{"status":200}}}),
                "effect.error.status 200 is not a 4xx or 5xx status",
            ),
            (
                json!({"match":{"imageSha256":"abc"}}),
                "match.imageSha256 'abc' is not 64 hex characters",
            ),
        ];
        for (extra, want) in cases {
            let mut v = json!({"name":"s","description":"d"});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            let err = compile_json(v).unwrap_err();
            assert!(err.starts_with(want), "{extra}: got {err}");
        }
    }

    #[test]
    fn names_are_checked() {
        for (name, want) in [
            ("", "'name' must not be empty"),
            ("a b", "'name' may only contain"),
            ("Default", "'name' must not be 'default'"),
        ] {
            let err = compile_json(json!({"name":name,"description":"d"})).unwrap_err();
            assert!(err.starts_with(want), "{name}: {err}");
        }
    }

    #[test]
    fn armed_form_keeps_scope_facts_only() {
        let s = compile_json(json!({"name":"s","description":"d",
            "match":{"vendor":"a","endpoint":"things","kind":"x","person":{"name":"Ann"},"header":{"x-a":"1"}}}))
        .unwrap();
        let armed = s.armed_form();
        assert_eq!(armed.rules.compiled.len(), 1);
        assert_eq!(armed.rules.compiled[0].path, "kind");
        assert_eq!(
            serde_json::to_value(&armed.rules).unwrap(),
            json!({"vendor":"a","endpoint":"things","kind":"x"})
        );
    }
}
