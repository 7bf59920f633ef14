//! Data-source checks: `identity_fraud_check`, `multi_bureau_check`,
//! `ssn_check`.
//!
//! Sources: https://docs.complycube.com/api-reference/check-types/identity-fraud-check
//! (sample response, reproduced key for key),
//! https://docs.complycube.com/documentation/api-reference/check-types/multi-bureau-check
//! (one object per attribute with its `outcome` and sources; `twoPlusTwo`),
//! https://docs.complycube.com/documentation/api-reference/check-types/ssn-check
//! (`dataVerification`, `databaseAnalyss` as the page spells it, match codes).

use serde_json::{Value, json};

use super::RenderContext;
use crate::complycube::check_options::Options;

/// The identity fraud check sample's breakdown.
pub(super) fn identity_fraud() -> Value {
    json!({
        "identityVerification": {
            "name": "clear", "dob": "clear", "address": "clear", "telephone": "clear",
            "mobile": "clear", "email": "clear", "activity": "clear",
            "breakdown": [{"status": "clear", "field": "dob", "source": "telecom_agency"}]
        },
        "databaseAnalysis": {
            "mortality": "clear", "fraud": "clear", "fakeProfile": "clear", "police": "clear",
            "breakdown": [
                {"status": "clear", "field": "police", "sourceDescription": "Amberhill"},
                {"status": "clear", "field": "fraud", "sourceDescription": "SIRA Checks - Private Sector"}
            ]
        }
    })
}

/// The bureaus matching each attribute: the first alone, both under 2+2
/// ("at least two identity attributes with two or more separate bureaus").
const BUREAUS: &[(&str, [&str; 2])] = &[
    ("name", ["government_authority", "consumer_database"]),
    ("dob", ["consumer_database", "commercial_database"]),
    ("address", ["postal_authority", "utility_authority"]),
    ("idNumber", ["government_authority", "proprietary_database"]),
];

/// One object per verified attribute; `idNumber` only when the client has
/// an SSN, social insurance, national identity or tax number.
pub(super) fn multi_bureau(ctx: &RenderContext<'_>, options: Options<'_>) -> Value {
    let country = ctx.address.map_or("GB", |a| a.country.as_str());
    let has_id_number = ctx
        .client
        .and_then(|c| c.person_details.as_ref())
        .is_some_and(|p| {
            p.ssn.is_some()
                || p.social_insurance_number.is_some()
                || p.national_identity_number.is_some()
                || p.tax_identification_number.is_some()
        });
    let count = if options.two_plus_two() { 2 } else { 1 };
    let mut b = json!({});
    for (attribute, sources) in BUREAUS {
        if *attribute == "idNumber" && !has_id_number {
            continue;
        }
        let matched: Vec<Value> = sources[..count]
            .iter()
            .map(|s| json!({"status": "clear", "source": s, "country": country}))
            .collect();
        b[*attribute] = json!({"outcome": "clear", "breakdown": matched});
    }
    b
}

pub(super) fn multi_bureau_patch(leaf: &str) -> Value {
    json!({"name": {"outcome": leaf}})
}

/// Sources agree with their attribute: one not found by bureaus has none,
/// a partial match has a partially matching source.
pub(super) fn finish_multi_bureau(b: &mut Value) {
    let Some(attributes) = b.as_object_mut() else {
        return;
    };
    for attribute in attributes.values_mut() {
        let outcome = attribute.get("outcome").and_then(Value::as_str);
        match outcome {
            Some("not_processed") => attribute["breakdown"] = json!([]),
            Some("attention") => {
                if let Some(sources) = attribute.get_mut("breakdown").and_then(Value::as_array_mut)
                {
                    let partial = sources.iter().any(|s| s["status"] == "attention");
                    if let (false, Some(first)) = (partial, sources.first_mut()) {
                        first["status"] = json!("attention");
                    }
                }
            }
            _ => {}
        }
    }
}

pub(super) fn ssn() -> Value {
    json!({
        "dataVerification": {
            "firstName": "clear",
            "lastName": "clear",
            "ssn": "clear",
            "breakdown": {"matchCode": "full_name_match"}
        },
        "databaseAnalyss": {"governmentDatabase": "clear", "mortalityDatabase": "clear"}
    })
}

/// The match code follows the names unless a scenario chose one.
pub(super) fn finish_ssn(b: &mut Value) {
    let Some(v) = b.get_mut("dataVerification") else {
        return;
    };
    let ok = |k: &str| v.get(k) == Some(&json!("clear"));
    let code = match (ok("firstName"), ok("lastName")) {
        (true, true) => return,
        (true, false) => "first_name_match",
        (false, true) => "last_name_match",
        (false, false) => "name_mismatch",
    };
    if v.pointer("/breakdown/matchCode") == Some(&json!("full_name_match")) {
        v["breakdown"]["matchCode"] = json!(code);
    }
}
