//! `standard_screening_check` and `extensive_screening_check`.
//!
//! Sources: the "Get a check" sample
//! (https://docs.complycube.com/api-reference/overview/checks/get-a-check,
//! reproduced key for key), the AML screening check reference
//! (https://docs.complycube.com/documentation/api-reference/check-types/aml-screening-check:
//! `options`), its v1.7.2 version (`summary` meaning, `not_processed` for
//! Standard), and the guide's coverage table
//! (https://docs.complycube.com/documentation/checks/aml-screening-check).
//! A match's fields besides `id` are not published: approximated.

use serde_json::{Value, json};

use crate::complycube::check::Check;
use crate::complycube::check_options::{Options, SCREENING_CLASSIFICATIONS};
use crate::complycube::check_type::CheckType;

/// Standard screening covers PEP and the watchlist minus other exclusion
/// lists; adverse media and other lists are Extensive only.
fn in_coverage(kind: CheckType, group: &str, leaf: &str) -> bool {
    kind == CheckType::ExtensiveScreening
        || group == "pep"
        || (group == "watchlist" && leaf != "otherExclusionLists")
}

/// Whether the check screens a `summary` leaf (coverage and the
/// `screeningClassification` option).
fn screened(kind: CheckType, options: Options<'_>, class: &str, group: &str, leaf: &str) -> bool {
    in_coverage(kind, group, leaf) && options.screens(class)
}

pub(super) fn base() -> Value {
    let mut summary = json!({});
    for (_, group, leaf) in SCREENING_CLASSIFICATIONS {
        summary[*group][*leaf] = json!("clear");
    }
    json!({ "summary": summary })
}

/// The first screened list carries an outcome set without a breakdown.
pub(super) fn patch(kind: CheckType, options: Options<'_>, leaf: &str) -> Value {
    SCREENING_CLASSIFICATIONS
        .iter()
        .find(|(class, group, l)| screened(kind, options, class, group, l))
        .map_or_else(
            || json!({}),
            |(_, group, l)| json!({"summary": {*group: {*l: leaf}}}),
        )
}

/// Lists the check does not screen read `not_processed` ("the
/// corresponding database has not been checked").
pub(super) fn apply_options(kind: CheckType, options: Options<'_>, b: &mut Value) -> bool {
    let mut hid = false;
    for (class, group, leaf) in SCREENING_CLASSIFICATIONS {
        if screened(kind, options, class, group, leaf) {
            continue;
        }
        if let Some(v) = b
            .get_mut("summary")
            .and_then(|s| s.get_mut(*group))
            .and_then(|g| g.get_mut(*leaf))
        {
            hid |= *v == "attention";
            *v = json!("not_processed");
        }
    }
    hid
}

/// A potential match for each screened list in `attention` (fuzzy search
/// adds a near-name match); a scenario's own `matches` are kept.
pub(super) fn finish(c: &Check, options: Options<'_>, b: &mut Value) {
    let own = c.scenario.as_ref().is_some_and(|s| {
        s.effect
            .get("breakdown")
            .is_some_and(|p| p.get("matches").is_some())
    });
    if own {
        return;
    }
    let mut matches = Vec::new();
    for (class, group, leaf) in SCREENING_CLASSIFICATIONS {
        let hit = b.pointer(&format!("/summary/{group}/{leaf}")) == Some(&json!("attention"));
        if !hit || !screened(c.kind, options, class, group, leaf) {
            continue;
        }
        matches.push(one_match(c, matches.len(), &c.entity_name, 97, class));
        if !options.precise_names() {
            let near = near_name(&c.entity_name);
            matches.push(one_match(c, matches.len(), &near, 88, class));
        }
    }
    match b.as_object_mut() {
        Some(m) if matches.is_empty() => {
            m.remove("matches");
        }
        Some(m) => {
            m.insert("matches".into(), Value::Array(matches));
        }
        None => {}
    }
}

/// A stable match id derived from the check's (never equal to it).
fn one_match(c: &Check, n: usize, name: &str, score: u32, class: &str) -> Value {
    let mut id = *c.id.bytes();
    id[10] ^= 0x5a;
    id[11] ^= u8::try_from(n + 1).unwrap_or(u8::MAX);
    json!({
        "id": hex::encode(id),
        "entityName": name,
        "score": score,
        "classifications": [class]
    })
}

/// "John Doe" → "Joh Doe": what a fuzzy search also finds.
fn near_name(name: &str) -> String {
    let mut words: Vec<String> = name.split(' ').map(str::to_owned).collect();
    if let Some(first) = words.first_mut().filter(|w| w.chars().count() > 2) {
        first.pop();
    }
    words.join(" ")
}
