//! Rendering a check's `result`: `{outcome, breakdown}` in the shape
//! ComplyCube documents for each check type (one file per type or family;
//! the README's check-type table names each file's sources).
//!
//! Order of work: the type's all-clear breakdown (from the client, document
//! and address) → derived facts (a face enrolled under another client) →
//! the outcome's default explanation when a scenario sets only an outcome →
//! the scenario's breakdown patch (deep-merged) → the scenario's scores →
//! the type's finishing rules (e.g. screening matches follow the summary) →
//! the check's `options` (a disabled analysis is removed or reported
//! `not_processed`, after the scenario so options always win) → validation
//! and redaction → the outcome.

mod address;
mod bureau;
mod digital;
mod document;
mod eid;
mod face;
mod licence;
mod mrz;
mod screening;

use chrono::Datelike;
use serde_json::{Value, json};

use super::check::Check;
use super::check_options::Options;
use super::check_type::CheckType;
use super::model::{Address, Client, Document, PersonDetails};
use crate::ids::{Millis, ObjectId, to_datetime};
use crate::number::js_value;
use crate::scenario::deep_merge;

/// What a result may draw on besides the check.
pub(crate) struct RenderContext<'a> {
    pub(crate) client: Option<&'a Client>,
    pub(crate) document: Option<&'a Document>,
    /// The check's address, or (proof of address) the client's latest one.
    pub(crate) address: Option<&'a Address>,
    /// Face authentication: the faces the client had enrolled.
    pub(crate) enrolled: EnrolledFaces,
}

/// Faces enrolled by a client's successful identity checks.
#[derive(Debug, Default)]
pub(crate) struct EnrolledFaces {
    pub(crate) live_photos: Vec<ObjectId>,
    pub(crate) live_videos: Vec<ObjectId>,
}

impl EnrolledFaces {
    pub(crate) fn is_empty(&self) -> bool {
        self.live_photos.is_empty() && self.live_videos.is_empty()
    }
}

/// `{outcome, breakdown}`.
pub(crate) fn render(c: &Check, ctx: &RenderContext<'_>) -> Value {
    let (outcome, breakdown) = build(c, ctx);
    json!({ "outcome": outcome, "breakdown": breakdown })
}

/// The outcome alone; without rendering the breakdown when nothing but the
/// default could change it (list filters on `result.outcome` scan many checks).
pub(crate) fn outcome(c: &Check, ctx: &RenderContext<'_>) -> String {
    if let Some(v) = &c.validated_outcome {
        return v.to_string();
    }
    let derived = matches!(
        c.kind,
        CheckType::Document | CheckType::AgeEstimation | CheckType::FaceAuthentication
    );
    if c.scenario.is_none() && c.enrolled.is_none() && !derived {
        return "clear".to_owned();
    }
    build(c, ctx).0
}

/// Ids of the potential matches a screening check reports.
pub(crate) fn screening_match_ids(c: &Check, ctx: &RenderContext<'_>) -> Vec<String> {
    let (_, b) = build(c, ctx);
    b.get("matches")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter_map(|x| x.get("id")?.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn build(c: &Check, ctx: &RenderContext<'_>) -> (String, Value) {
    let effect = c.scenario.as_ref().map(|s| &s.effect);
    let options = Options::of(c.options.as_deref());
    let mut b = base(c, ctx, options);
    if let Some(matches) = &c.enrolled {
        face::previously_enrolled(&mut b, matches);
    }
    let explicit = effect.and_then(|e| e.text("outcome").map(str::to_owned));
    if let Some(o) = explicit.as_deref() {
        if effect.is_some_and(|e| e.get("breakdown").is_none()) && o != "clear" {
            let leaf = if o == "not_processed" {
                "not_processed"
            } else {
                "attention"
            };
            deep_merge(&mut b, &default_patch(c, options, leaf));
        }
    }
    if let Some(patch) = effect.and_then(|e| e.get("breakdown")) {
        deep_merge(&mut b, patch);
    }
    if let Some(e) = effect {
        if let Some(s) = e.number("scores.facialSimilarityScore") {
            for path in [
                &["faceAnalysis", "breakdown"][..],
                &["faceAuthentication", "breakdown", "facesMatched", "0"][..],
            ] {
                set_if_present(&mut b, path, "facialSimilarityScore", js_value(s));
            }
        }
        if let Some(s) = e.number("scores.livenessCheckScore") {
            set_if_present(
                &mut b,
                &["authenticityAnalysis", "breakdown"],
                "livenessCheckScore",
                js_value(s),
            );
        }
    }
    finish(c, ctx, options, &mut b);
    let suppressed = apply_options(c.kind, options, &mut b);
    if let (Some(data), Some(extracted)) = (&c.user_supplied, b.get_mut("extractedData")) {
        deep_merge(extracted, data);
    }
    if let Some(r) = &c.redacted {
        redact(&mut b, &r.attributes);
    }
    let attention = has_leaf(&b, "attention");
    let outcome = if let Some(v) = &c.validated_outcome {
        v.to_string()
    } else if let Some(o) = explicit {
        // Attention only on analyses the options switched off: nothing left
        // to report.
        if o == "attention" && suppressed && !attention {
            "clear".to_owned()
        } else {
            o
        }
    } else if attention {
        "attention".to_owned()
    } else {
        "clear".to_owned()
    };
    (outcome, b)
}

/// The all-clear breakdown for the check's type.
fn base(c: &Check, ctx: &RenderContext<'_>, options: Options<'_>) -> Value {
    match c.kind {
        CheckType::EnhancedIdentity => face::enhanced_identity(),
        CheckType::Identity => face::identity(),
        CheckType::FaceAuthentication => face::face_authentication(ctx),
        CheckType::AgeEstimation => face::age_estimation(c, ctx),
        CheckType::Document => document::base(c, ctx, options),
        CheckType::StandardScreening | CheckType::ExtensiveScreening => screening::base(),
        CheckType::IdentityFraud => bureau::identity_fraud(),
        CheckType::MultiBureau => bureau::multi_bureau(ctx, options),
        CheckType::Ssn => bureau::ssn(),
        CheckType::ProofOfAddress => address::base(c, ctx),
        CheckType::DrivingLicense => licence::base(c, ctx),
        CheckType::Eid => eid::base(ctx),
        CheckType::DeviceIntelligence => digital::device(c),
        CheckType::EmailIntelligence => digital::email(ctx),
        CheckType::MobileIntelligence => digital::mobile(ctx),
    }
}

/// Where an outcome that a scenario sets without a breakdown shows up.
fn default_patch(c: &Check, options: Options<'_>, leaf: &str) -> Value {
    match c.kind {
        CheckType::EnhancedIdentity | CheckType::Identity => face::identity_patch(leaf),
        CheckType::FaceAuthentication => {
            json!({"faceAuthentication": {"facialSimilarity": leaf}})
        }
        CheckType::AgeEstimation => json!({"ageEstimationAnalysis": {"ageValidation": leaf}}),
        CheckType::Document => document::patch(leaf),
        CheckType::StandardScreening | CheckType::ExtensiveScreening => {
            screening::patch(c.kind, options, leaf)
        }
        CheckType::IdentityFraud => {
            json!({"identityVerification": {"name": leaf, "address": leaf}})
        }
        CheckType::MultiBureau => bureau::multi_bureau_patch(leaf),
        CheckType::Ssn => json!({"dataVerification": {"ssn": leaf}}),
        CheckType::ProofOfAddress => json!({"clientValidation": {"address": leaf}}),
        CheckType::DrivingLicense => json!({"licenseAnalysis": {"documentNumber": leaf}}),
        CheckType::Eid => json!({"clientValidation": {"lastName": leaf}}),
        CheckType::DeviceIntelligence => json!({"networkAnalysis": {"vpnDetection": leaf}}),
        CheckType::EmailIntelligence => {
            json!({"riskAnalysis": {"disposableEmailAnalysis": leaf}})
        }
        CheckType::MobileIntelligence => {
            json!({"riskAnalysis": {"recentAbuseAnalysis": leaf}})
        }
    }
}

/// Rules that keep a patched breakdown consistent with itself.
fn finish(c: &Check, ctx: &RenderContext<'_>, options: Options<'_>, b: &mut Value) {
    match c.kind {
        CheckType::Document => document::finish(c, ctx, options, b),
        CheckType::FaceAuthentication => face::finish_face_authentication(b),
        CheckType::StandardScreening | CheckType::ExtensiveScreening => {
            screening::finish(c, options, b);
        }
        CheckType::MultiBureau => bureau::finish_multi_bureau(b),
        CheckType::DrivingLicense => licence::finish(c, b),
        CheckType::Ssn => bureau::finish_ssn(b),
        _ => {}
    }
}

/// Applies the check's `options`; true when that hid an `attention`.
fn apply_options(kind: CheckType, options: Options<'_>, b: &mut Value) -> bool {
    match kind {
        CheckType::Identity => face::apply_identity_options(options, b),
        CheckType::Document => document::apply_options(options, b),
        CheckType::StandardScreening | CheckType::ExtensiveScreening => {
            screening::apply_options(kind, options, b)
        }
        _ => false,
    }
}

/// Keys holding data read from a source rather than analysis results: a
/// value there (a name, a scheme) never decides the outcome.
const DATA_KEYS: &[&str] = &["extractedData", "eIDInformation", "documentData"];

pub(super) fn has_leaf(v: &Value, want: &str) -> bool {
    match v {
        Value::String(s) => s == want,
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| !DATA_KEYS.contains(&k.as_str()) && has_leaf(v, want)),
        Value::Array(items) => items.iter().any(|i| has_leaf(i, want)),
        _ => false,
    }
}

fn set_if_present(b: &mut Value, path: &[&str], key: &str, v: Value) {
    let mut cur = b;
    for p in path {
        let next = match cur {
            Value::Array(items) => p.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            other => other.get_mut(*p),
        };
        match next {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(obj) = cur.as_object_mut() {
        obj.insert(key.to_owned(), v);
    }
}

/// Sets every string leaf under `v` to `leaf`; true when one was `attention`.
pub(super) fn set_leaves(v: &mut Value, leaf: &str) -> bool {
    match v {
        Value::String(s) => {
            let was = s == "attention";
            *s = leaf.to_owned();
            was
        }
        Value::Object(m) => m
            .iter_mut()
            .filter(|(k, _)| k.as_str() != "breakdown")
            .fold(false, |acc, (_, v)| set_leaves(v, leaf) | acc),
        _ => false,
    }
}

/// Removes `key` from the object at `path`; true when it held `attention`.
pub(super) fn remove_key(b: &mut Value, path: &[&str], key: &str) -> bool {
    let mut cur = b;
    for p in path {
        match cur.get_mut(*p) {
            Some(next) => cur = next,
            None => return false,
        }
    }
    cur.as_object_mut()
        .and_then(|m| m.remove(key))
        .is_some_and(|v| has_leaf(&v, "attention"))
}

/// Removes redacted attributes from extracted data.
fn redact(b: &mut Value, attributes: &[String]) {
    fn strip(v: &mut Value, attributes: &[String]) {
        match v {
            Value::Object(m) => {
                m.retain(|k, _| !attributes.iter().any(|a| a == k));
                for v in m.values_mut() {
                    strip(v, attributes);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| strip(i, attributes)),
            _ => {}
        }
    }
    if let Some(d) = b.get_mut("extractedData") {
        strip(d, attributes);
    }
}

fn person<'a>(ctx: &'a RenderContext<'_>) -> Option<&'a PersonDetails> {
    ctx.client.and_then(|c| c.person_details.as_ref())
}

/// A `YYYY-MM-DD` date as ComplyCube's structured date.
fn date_parts(s: &str) -> Value {
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => json!({"day": d.day(), "month": d.month(), "year": d.year()}),
        Err(_) => Value::Null,
    }
}

/// The structured date `days` after `at` (negative: before).
fn date_from(at: Millis, days: i64) -> Value {
    let d = to_datetime(at + days * 86_400_000).date_naive();
    json!({"day": d.day(), "month": d.month(), "year": d.year()})
}

fn age_at(dob: &str, now: Millis) -> Option<i32> {
    let d = chrono::NaiveDate::parse_from_str(dob, "%Y-%m-%d").ok()?;
    let today = to_datetime(now).date_naive();
    let mut age = today.year() - d.year();
    if (today.month(), today.day()) < (d.month(), d.day()) {
        age -= 1;
    }
    Some(age)
}

/// A stable pseudo-random number from `seed` (same input, same value).
fn stable(seed: &[u8], salt: u8, modulo: u32) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for x in seed.iter().chain(std::iter::once(&salt)) {
        h = (h ^ u32::from(*x)).wrapping_mul(16_777_619);
    }
    h % modulo.max(1)
}

/// ComplyCube drops null properties.
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
