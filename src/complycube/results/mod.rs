//! Rendering a check's `result`: `{outcome, breakdown}` in the shape
//! ComplyCube documents for each check type.
//!
//! Order of work: the type's all-clear breakdown → derived facts (a face
//! enrolled under another client) → the outcome's default explanation when a
//! scenario sets only an outcome → the scenario's breakdown patch
//! (deep-merged) → the scenario's scores → the outcome. Shapes for
//! `enhanced_identity_check`, `identity_check` and `identity_fraud_check`
//! follow ComplyCube's samples key for key; the others are documented as
//! approximated in the README.

use chrono::Datelike;
use serde_json::{Value, json};

use super::check::Check;
use super::check_type::CheckType;
use super::model::{Address, Client, Document, Side};
use crate::ids::{Millis, ObjectId, iso_millis, to_datetime};
use crate::number::js_value;
use crate::scenario::deep_merge;

/// What a result may draw on besides the check.
pub(crate) struct RenderContext<'a> {
    pub(crate) client: Option<&'a Client>,
    pub(crate) document: Option<&'a Document>,
    pub(crate) address: Option<&'a Address>,
    /// All of the client's live photos (face authentication).
    pub(crate) client_live_photos: Vec<ObjectId>,
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
    if let Some(o) = c
        .scenario
        .as_ref()
        .and_then(|s| s.effect.text("outcome").map(str::to_owned))
    {
        return o;
    }
    if c.scenario.is_none() && c.enrolled.is_none() && c.kind != CheckType::FaceAuthentication {
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
    let mut b = base(c, ctx);
    if let Some(matches) = &c.enrolled {
        if let Some(face) = b.get_mut("faceAnalysis") {
            face["previouslyEnrolledFace"] = json!("attention");
            face["breakdown"]["enrolledFacesMatches"] = Value::Array(
                matches
                    .iter()
                    .map(|m| {
                        let mut v = json!({"clientId": m.client_id, "entityName": m.entity_name});
                        if let Some(p) = m.live_photo_id {
                            v["livePhotoId"] = json!(p);
                        }
                        v["facialSimilarityScore"] = json!(100);
                        v
                    })
                    .collect(),
            );
        }
    }
    let explicit = effect.and_then(|e| e.text("outcome").map(str::to_owned));
    if let Some(o) = explicit.as_deref() {
        if effect.is_some_and(|e| e.get("breakdown").is_none()) && o != "clear" {
            let leaf = if o == "not_processed" {
                "not_processed"
            } else {
                "attention"
            };
            deep_merge(&mut b, &default_patch(c, leaf));
        }
    }
    if let Some(patch) = effect.and_then(|e| e.get("breakdown")) {
        deep_merge(&mut b, patch);
    }
    if let Some(e) = effect {
        if let Some(s) = e.number("scores.facialSimilarityScore") {
            set_if_present(
                &mut b,
                &["faceAnalysis", "breakdown"],
                "facialSimilarityScore",
                js_value(s),
            );
        }
        if let Some(s) = e.number("scores.livenessCheckScore") {
            set_if_present(
                &mut b,
                &["authenticityAnalysis", "breakdown"],
                "livenessCheckScore",
                js_value(s),
            );
            set_if_present(
                &mut b,
                &["ageEstimationAnalysis", "breakdown"],
                "livenessCheckScore",
                js_value(s),
            );
        }
    }
    if c.kind == CheckType::Document
        && b.pointer("/contentAnalysis/expirationDate")
            .and_then(Value::as_str)
            == Some("attention")
    {
        // An expired document reads an expiry date in the past.
        let expired = &iso_millis(c.created_at - 45 * 86_400_000)[..10];
        set_if_present(
            &mut b,
            &["extractedData", "documentDetails"],
            "expirationDate",
            date_parts(expired),
        );
    }
    if let (Some(data), Some(extracted)) = (&c.user_supplied, b.get_mut("extractedData")) {
        deep_merge(extracted, data);
    }
    if let Some(r) = &c.redacted {
        redact(&mut b, &r.attributes);
    }
    let outcome = if let Some(v) = &c.validated_outcome {
        v.to_string()
    } else if let Some(o) = explicit {
        o
    } else if has_leaf(&b, "attention") {
        "attention".to_owned()
    } else if c.kind == CheckType::FaceAuthentication && has_leaf(&b, "not_processed") {
        "not_processed".to_owned()
    } else {
        "clear".to_owned()
    };
    (outcome, b)
}

fn set_if_present(b: &mut Value, path: &[&str], key: &str, v: Value) {
    let mut cur = b;
    for p in path {
        match cur.get_mut(*p) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(obj) = cur.as_object_mut() {
        obj.insert(key.to_owned(), v);
    }
}

fn has_leaf(v: &Value, want: &str) -> bool {
    match v {
        Value::String(s) => s == want,
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k != "extractedData" && has_leaf(v, want)),
        Value::Array(items) => items.iter().any(|i| has_leaf(i, want)),
        _ => false,
    }
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

fn person<'a>(ctx: &'a RenderContext<'_>) -> Option<&'a super::model::PersonDetails> {
    ctx.client.and_then(|c| c.person_details.as_ref())
}

fn date_parts(s: &str) -> Value {
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => json!({"day": d.day(), "month": d.month(), "year": d.year()}),
        Err(_) => Value::Null,
    }
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

/// A stable pseudo-random number from the check id (same check, same value).
fn stable(c: &Check, salt: u8, modulo: u32) -> u32 {
    let b = c.id.bytes();
    let mut h: u32 = 2_166_136_261;
    for x in b.iter().chain(std::iter::once(&salt)) {
        h = (h ^ u32::from(*x)).wrapping_mul(16_777_619);
    }
    h % modulo.max(1)
}

/// Where an outcome that a scenario sets without a breakdown shows up.
fn default_patch(c: &Check, leaf: &str) -> Value {
    let score = if leaf == "attention" {
        json!(23)
    } else {
        json!(0)
    };
    match c.kind {
        CheckType::EnhancedIdentity | CheckType::Identity => {
            json!({"faceAnalysis": {"facialSimilarity": leaf, "breakdown": {"facialSimilarityScore": score}}})
        }
        CheckType::IdentityFraud => {
            json!({"identityVerification": {"name": leaf, "address": leaf}})
        }
        CheckType::Document => {
            json!({"contentAnalysis": {"dataIntegrity": leaf}, "forensicAnalysis": {"tamperingDetected": leaf}})
        }
        CheckType::StandardScreening | CheckType::ExtensiveScreening => {
            json!({"summary": {"watchlist": {"sanctionsLists": leaf}}})
        }
        CheckType::ProofOfAddress => json!({"clientValidation": {"address": leaf}}),
        CheckType::MultiBureau | CheckType::Eid => json!({"identityVerification": {"name": leaf}}),
        CheckType::Ssn => json!({"ssnVerification": {"ssn": leaf}}),
        CheckType::AgeEstimation => json!({"ageEstimationAnalysis": {"ageValidation": leaf}}),
        CheckType::DrivingLicense => json!({"drivingLicenseVerification": {"licenseStatus": leaf}}),
        CheckType::DeviceIntelligence => json!({"deviceAnalysis": {"deviceReputation": leaf}}),
        CheckType::EmailIntelligence => json!({"emailAnalysis": {"emailReputation": leaf}}),
        CheckType::MobileIntelligence => json!({"mobileAnalysis": {"carrierRisk": leaf}}),
        CheckType::FaceAuthentication => json!({"faceAuthentication": {"facialSimilarity": leaf}}),
    }
}

/// The all-clear breakdown for the check's type.
fn base(c: &Check, ctx: &RenderContext<'_>) -> Value {
    match c.kind {
        CheckType::EnhancedIdentity => json!({
            "faceAnalysis": {
                "facialSimilarity": "clear",
                "previouslyEnrolledFace": "clear",
                "breakdown": {"facialSimilarityScore": 100}
            },
            "authenticityAnalysis": {
                "spoofedImageAnalysis": "clear",
                "livenessCheck": "clear",
                "livenessVoiceChallengeAnalysis": "clear",
                "livenessActionChallengeAnalysis": "clear",
                "breakdown": {"livenessCheckScore": 100}
            },
            "integrityAnalysis": {"faceDetection": "clear", "vpnDetected": "clear"}
        }),
        CheckType::Identity => json!({
            "faceAnalysis": {
                "faceDetection": "clear",
                "facialSimilarity": "clear",
                "previouslyEnrolledFace": "clear",
                "breakdown": {"facialSimilarityScore": 100}
            },
            "authenticityAnalysis": {
                "spoofedImageAnalysis": "clear",
                "livenessCheck": "clear",
                "breakdown": {"livenessCheckScore": 100}
            },
            "integrityAnalysis": {"faceDetection": "clear", "vpnDetected": "clear"}
        }),
        CheckType::IdentityFraud => {
            let mut sources = vec![
                json!({"status": "clear", "field": "name", "source": "credit_agency"}),
                json!({"status": "clear", "field": "dob", "source": "telecom_agency"}),
                json!({"status": "clear", "field": "address", "source": "postal_authority"}),
            ];
            if ctx.client.is_some_and(|c| c.mobile.is_some()) {
                sources.push(
                    json!({"status": "clear", "field": "mobile", "source": "telecom_agency"}),
                );
            }
            json!({
                "identityVerification": {
                    "name": "clear", "dob": "clear", "address": "clear", "telephone": "clear",
                    "mobile": "clear", "email": "clear", "activity": "clear",
                    "breakdown": sources
                },
                "databaseAnalysis": {
                    "mortality": "clear", "fraud": "clear", "fakeProfile": "clear", "police": "clear",
                    "breakdown": [
                        {"status": "clear", "field": "police", "sourceDescription": "Amberhill"},
                        {"status": "clear", "field": "fraud", "sourceDescription": "SIRA Checks - Private Sector"},
                        {"status": "clear", "field": "mortality", "sourceDescription": "Deceased Register"}
                    ]
                }
            })
        }
        CheckType::Document => document(c, ctx),
        CheckType::StandardScreening | CheckType::ExtensiveScreening => screening(c),
        CheckType::ProofOfAddress => {
            let p = person(ctx);
            let mut extracted = json!({
                "documentType": ctx.document.map(|d| d.kind.clone()),
                "holderDetails": {
                    "firstName": p.and_then(|p| p.first_name.clone()),
                    "lastName": p.and_then(|p| p.last_name.clone())
                },
                "issuingDate": date_parts(&iso_millis(c.created_at - 30 * 86_400_000)[..10])
            });
            if let Some(a) = ctx.address {
                extracted["address"] = json!({"line": a.line, "city": a.city, "postalCode": a.postal_code, "country": a.country});
            }
            json!({
                "extractedData": extracted,
                "contentAnalysis": {"issuingDate": "clear", "documentType": "clear"},
                "geolocationAnalysis": {"ipAddressLocation": "clear"},
                "clientValidation": {"firstName": "clear", "lastName": "clear", "address": "clear"}
            })
        }
        CheckType::MultiBureau => json!({
            "identityVerification": {
                "name": "clear", "dob": "clear", "address": "clear",
                "breakdown": [
                    {"status": "clear", "field": "name", "source": "credit_agency"},
                    {"status": "clear", "field": "dob", "source": "government_authority"},
                    {"status": "clear", "field": "address", "source": "postal_authority"},
                    {"status": "clear", "field": "address", "source": "utility_authority"}
                ]
            }
        }),
        CheckType::Eid => json!({
            "identityVerification": {
                "name": "clear", "dob": "clear", "nationalIdentityNumber": "clear",
                "breakdown": [{"status": "clear", "field": "nationalIdentityNumber", "source": "government_authority"}]
            }
        }),
        CheckType::Ssn => json!({
            "ssnVerification": {"ssn": "clear", "name": "clear", "dob": "clear", "deathIndex": "clear"}
        }),
        CheckType::AgeEstimation => {
            let age = person(ctx)
                .and_then(|p| p.dob.as_deref())
                .and_then(|d| age_at(d, c.created_at))
                .unwrap_or(25 + stable(c, 1, 20) as i32);
            json!({
                "ageEstimationAnalysis": {
                    "ageValidation": "clear",
                    "breakdown": {"estimatedAge": age, "estimatedAgeRange": {"min": (age - 4).max(0), "max": age + 4}}
                },
                "authenticityAnalysis": {"livenessCheck": "clear", "breakdown": {"livenessCheckScore": 100}}
            })
        }
        CheckType::DrivingLicense => json!({
            "drivingLicenseVerification": {
                "documentNumber": "clear", "name": "clear", "dob": "clear",
                "expirationDate": "clear", "licenseStatus": "clear"
            }
        }),
        CheckType::DeviceIntelligence => json!({
            "deviceAnalysis": {
                "vpnDetected": "clear", "proxyDetected": "clear", "emulatorDetected": "clear",
                "deviceReputation": "clear", "breakdown": {"riskScore": 5 + stable(c, 2, 10)}
            }
        }),
        CheckType::EmailIntelligence => json!({
            "emailAnalysis": {
                "deliverability": "clear", "disposableDomain": "clear", "domainAge": "clear",
                "breachHistory": "clear", "emailReputation": "clear",
                "breakdown": {"riskScore": 5 + stable(c, 3, 10)}
            }
        }),
        CheckType::MobileIntelligence => json!({
            "mobileAnalysis": {
                "lineType": "clear", "simSwap": "clear", "carrierRisk": "clear",
                "breakdown": {"riskScore": 5 + stable(c, 4, 10)}
            }
        }),
        CheckType::FaceAuthentication => {
            let enrolled: Vec<&ObjectId> = ctx
                .client_live_photos
                .iter()
                .filter(|p| Some(**p) != c.live_photo_id)
                .collect();
            let (similarity, matched) = if enrolled.is_empty() {
                ("not_processed", json!([]))
            } else {
                (
                    "clear",
                    json!([{"livePhotoId": enrolled[0], "facialSimilarityScore": 100}]),
                )
            };
            json!({
                "faceAuthentication": {
                    "facialSimilarity": similarity,
                    "breakdown": {"facesMatched": matched, "enrolledFaces": {"livePhotoIds": enrolled}}
                }
            })
        }
    }
}

fn screening(c: &Check) -> Value {
    let adverse = if c.kind == CheckType::StandardScreening {
        "not_processed"
    } else {
        "clear"
    };
    let attention = c.scenario.as_ref().is_some_and(|s| {
        s.effect.text("outcome") == Some("attention")
            || s.effect
                .get("breakdown")
                .is_some_and(|b| has_leaf(b, "attention"))
    });
    let mut b = json!({
        "summary": {
            "pep": {"level1": "clear", "level2": "clear", "level3": "clear", "level4": "clear"},
            "watchlist": {
                "sanctionsLists": "clear", "otherOfficialLists": "clear", "warCrimes": "clear",
                "terror": "clear", "otherExclusionLists": "clear", "sanctionsControlAndOwnership": "clear"
            },
            "adverseMedia": {
                "environmentProduction": adverse, "socialLabour": adverse,
                "competitiveFinancial": adverse, "regulatory": adverse
            },
            "otherLists": {
                "associatedEntity": "clear", "organisedCrime": "clear", "financialCrime": "clear",
                "taxCrime": "clear", "corruption": "clear", "trafficking": "clear"
            }
        }
    });
    if attention {
        let mut id = *c.id.bytes();
        let matches: Vec<Value> = (0..2u8)
            .map(|i| {
                id[11] ^= 0x5a ^ i;
                json!({
                    "id": hex::encode(id),
                    "entityName": c.entity_name,
                    "score": 97 - 9 * u32::from(i),
                    "listTypes": ["sanctionsLists"]
                })
            })
            .collect();
        b["matches"] = Value::Array(matches);
    }
    b
}

fn document(c: &Check, ctx: &RenderContext<'_>) -> Value {
    let doc = ctx.document;
    let p = person(ctx);
    let two_sides = doc.is_some_and(|d| d.image(Side::Back).is_some());
    let issued = &iso_millis(c.created_at - 3 * 365 * 86_400_000)[..10];
    let expires = &iso_millis(c.created_at + 7 * 365 * 86_400_000)[..10];
    let number = format!("{:09}", stable(c, 7, 1_000_000_000));
    let names = |v: Option<&String>| v.map(|s| vec![s.to_uppercase()]).unwrap_or_default();
    let dob = p.and_then(|p| p.dob.as_deref());
    let mut b = json!({
        "extractedData": {
            "documentDetails": {
                "documentType": doc.map(|d| d.kind.clone()),
                "documentSubtypes": [],
                "hasTwoSides": two_sides,
                "issuingCountry": doc.and_then(|d| d.issuing_country.clone()),
                "issuingDate": date_parts(issued),
                "expirationDate": date_parts(expires),
                "documentNumber": number
            },
            "holderDetails": {
                "lastName": names(p.and_then(|p| p.last_name.as_ref())),
                "firstName": names(p.and_then(|p| p.first_name.as_ref())),
                "gender": p.and_then(|p| p.gender.clone()),
                "dob": dob.map(date_parts),
                "age": dob.and_then(|d| age_at(d, c.created_at)),
                "nationality": p.and_then(|p| p.nationality.clone())
            }
        },
        "mrzAnalysis": {"mrzFormat": "clear", "mrzChecksum": "clear"},
        "consistencyAnalysis": {
            "lastName": "clear", "firstName": "clear", "dob": "clear", "documentNumber": "clear",
            "personalNumber": "clear", "expirationDate": "clear", "issuingDate": "clear"
        },
        "contentAnalysis": {
            "dataIntegrity": "clear", "issuingDate": "clear", "expirationDate": "clear",
            "specimenCheck": "clear", "blackListCheck": "clear"
        },
        "formatAnalysis": {
            "modelIdentification": "clear", "countryModelValidity": "clear",
            "documentModelValidity": "clear", "photocopyDetected": "clear"
        },
        "forensicAnalysis": {
            "mrzVisualPlacement": "clear", "securityElements": "clear", "photoLocation": "clear",
            "mrzClassification": "clear", "documentLivenessCheck": "clear", "tamperingDetected": "clear",
            "breakdown": {"documentFrontLivenessScore": 100}
        },
        "clientValidation": {"ageVerification": "clear", "clientDataConsistency": "clear"}
    });
    strip_nulls(&mut b);
    if two_sides {
        b["frontAndBackAnalysis"] = json!({"formatAnalysis": "clear", "dataConsistency": "clear"});
    }
    b
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
