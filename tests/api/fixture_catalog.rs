//! Every shipped fixture file loads, reads well and only patches breakdown
//! keys the vendor documents for its check type.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use kyc_sandbox::fixtures;
use kyc_sandbox::scenario::{MatchRules, Scenario, Vendor};
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Documented `result.breakdown` paths per ComplyCube check type (`[]` marks
/// the objects inside an array). Sources: the enhanced identity check
/// reference page and sample, the identity check output (which adds
/// `faceAnalysis.faceDetection`), the identity fraud check sample, and the
/// document check breakdown captured from the real sandbox.
fn known_breakdown_paths() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let face = [
        "faceAnalysis.facialSimilarity",
        "faceAnalysis.previouslyEnrolledFace",
        "faceAnalysis.breakdown.facialSimilarityScore",
        "faceAnalysis.breakdown.enrolledFacesMatches[].clientId",
        "faceAnalysis.breakdown.enrolledFacesMatches[].entityName",
        "faceAnalysis.breakdown.enrolledFacesMatches[].livePhotoId",
        "faceAnalysis.breakdown.enrolledFacesMatches[].liveVideoId",
        "faceAnalysis.breakdown.enrolledFacesMatches[].facialSimilarityScore",
        "authenticityAnalysis.spoofedImageAnalysis",
        "authenticityAnalysis.livenessCheck",
        "authenticityAnalysis.breakdown.specimenCheckMatches",
        "authenticityAnalysis.breakdown.livenessCheckScore",
        "integrityAnalysis.faceDetection",
        "integrityAnalysis.vpnDetected",
    ];
    let mut enhanced: BTreeSet<&str> = face.into_iter().collect();
    enhanced.extend([
        "authenticityAnalysis.livenessVoiceChallengeAnalysis",
        "authenticityAnalysis.livenessActionChallengeAnalysis",
    ]);
    let mut identity: BTreeSet<&str> = face.into_iter().collect();
    identity.insert("faceAnalysis.faceDetection");
    let fraud = [
        "identityVerification.name",
        "identityVerification.dob",
        "identityVerification.address",
        "identityVerification.telephone",
        "identityVerification.mobile",
        "identityVerification.email",
        "identityVerification.activity",
        "identityVerification.breakdown[].field",
        "identityVerification.breakdown[].source",
        "identityVerification.breakdown[].status",
        "databaseAnalysis.mortality",
        "databaseAnalysis.fraud",
        "databaseAnalysis.fakeProfile",
        "databaseAnalysis.police",
        "databaseAnalysis.breakdown[].field",
        "databaseAnalysis.breakdown[].sourceDescription",
        "databaseAnalysis.breakdown[].status",
    ];
    let document = [
        "mrzAnalysis.mrzFormat",
        "mrzAnalysis.mrzChecksum",
        "consistencyAnalysis.lastName",
        "consistencyAnalysis.firstName",
        "consistencyAnalysis.dob",
        "consistencyAnalysis.documentNumber",
        "consistencyAnalysis.personalNumber",
        "consistencyAnalysis.expirationDate",
        "consistencyAnalysis.issuingDate",
        "contentAnalysis.dataIntegrity",
        "contentAnalysis.issuingDate",
        "contentAnalysis.expirationDate",
        "contentAnalysis.specimenCheck",
        "contentAnalysis.blackListCheck",
        "formatAnalysis.modelIdentification",
        "formatAnalysis.countryModelValidity",
        "formatAnalysis.documentModelValidity",
        "formatAnalysis.photocopyDetected",
        "forensicAnalysis.mrzVisualPlacement",
        "forensicAnalysis.securityElements",
        "forensicAnalysis.photoLocation",
        "forensicAnalysis.mrzClassification",
        "forensicAnalysis.documentLivenessCheck",
        "forensicAnalysis.tamperingDetected",
        "forensicAnalysis.breakdown.documentFrontLivenessScore",
        "frontAndBackAnalysis.formatAnalysis",
        "frontAndBackAnalysis.dataConsistency",
        "clientValidation.ageVerification",
        "clientValidation.clientDataConsistency",
    ];
    BTreeMap::from([
        ("enhanced_identity_check", enhanced),
        ("identity_check", identity),
        ("identity_fraud_check", fraud.into_iter().collect()),
        ("document_check", document.into_iter().collect()),
    ])
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

fn load_every_file() -> Vec<(String, Vec<Scenario>)> {
    let files = fixtures::files(&fixtures_dir()).expect("fixtures directory lists");
    assert!(!files.is_empty(), "no fixtures shipped");
    files
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).expect("fixture readable");
            let list = fixtures::parse_file(&name, &text).unwrap_or_else(|e| panic!("{e}"));
            assert!(!list.is_empty(), "{name} defines no scenario");
            (name, list)
        })
        .collect()
}

#[test]
fn every_fixture_file_loads_and_names_are_unique_across_the_catalog() {
    let (catalog, count) =
        fixtures::load_catalog(&fixtures_dir()).unwrap_or_else(|e| panic!("{e}"));
    let per_file: usize = load_every_file().iter().map(|(_, l)| l.len()).sum();
    assert_eq!(catalog.scenarios.len(), per_file);
    assert_eq!(count, load_every_file().len());
    let mut seen = BTreeSet::new();
    for s in &catalog.scenarios {
        assert!(
            seen.insert(s.name.to_ascii_lowercase()),
            "duplicate {}",
            s.name
        );
    }
}

#[test]
fn every_scenario_says_what_it_does_and_how_to_trigger_it() {
    for (file, list) in load_every_file() {
        for s in list {
            assert!(
                s.description.trim().len() >= 20,
                "{file}: '{}' needs a real description",
                s.name
            );
            let has_rules = s.rules != MatchRules::default();
            let explicit = s.trigger.as_deref().is_some_and(|t| !t.trim().is_empty());
            assert!(has_rules || explicit, "{file}: '{}' has no trigger", s.name);
            assert!(
                !fixtures::describe_trigger(&s).is_empty(),
                "{file}: '{}'",
                s.name
            );
        }
    }
}

#[test]
fn complycube_check_scenarios_patch_only_documented_breakdown_keys() {
    let known = known_breakdown_paths();
    let tri_state = ["clear", "attention", "not_processed"];
    let mut magic: BTreeSet<(String, String)> = BTreeSet::new();
    let mut checked = 0;
    for (file, list) in load_every_file() {
        for s in list {
            if s.rules.vendor != Some(Vendor::Complycube) {
                continue;
            }
            if let Some(outcome) = &s.effect.outcome {
                assert!(
                    tri_state.contains(&outcome.as_str()),
                    "{file}: '{}'",
                    s.name
                );
            }
            let Some(types) = &s.rules.check_type else {
                continue;
            };
            checked += 1;
            assert_eq!(
                s.effect.outcome.as_deref(),
                Some("attention"),
                "{file}: '{}' is a failure mode, so its outcome is attention",
                s.name
            );
            let last = s
                .rules
                .client
                .as_ref()
                .and_then(|c| c.last_name.clone())
                .unwrap_or_else(|| panic!("{file}: '{}' needs a magic last name", s.name));
            let breakdown = s
                .effect
                .breakdown
                .as_ref()
                .unwrap_or_else(|| panic!("{file}: '{}' patches no breakdown", s.name));
            let mut leaves = Vec::new();
            leaf_paths("", breakdown, &mut leaves);
            assert!(
                leaves.iter().any(|(_, v)| v == "attention"),
                "{file}: '{}'",
                s.name
            );
            for check_type in types.values() {
                assert!(
                    magic.insert((check_type.to_owned(), last.to_ascii_lowercase())),
                    "{file}: last name '{last}' is used twice for {check_type}"
                );
                let allowed = known
                    .get(check_type)
                    .unwrap_or_else(|| panic!("{file}: no key table for {check_type}"));
                for (path, value) in &leaves {
                    assert!(
                        allowed.contains(path.as_str()),
                        "{file}: '{}' patches undocumented {check_type} key '{path}'",
                        s.name
                    );
                    let is_status = !path.contains("[]")
                        && !path.contains(".breakdown.")
                        && path.split('.').count() == 2;
                    if is_status {
                        assert!(
                            value.as_str().is_some_and(|v| tri_state.contains(&v)),
                            "{file}: '{}': {path} = {value} is not clear/attention/not_processed",
                            s.name
                        );
                    }
                }
            }
        }
    }
    assert!(
        checked >= 20,
        "only {checked} ComplyCube check scenarios found"
    );
}

#[test]
fn complycube_documented_triggers_are_shipped() {
    let (catalog, _) = fixtures::load_catalog(&fixtures_dir()).unwrap_or_else(|e| panic!("{e}"));
    let by_last = |last: &str| {
        catalog
            .scenarios
            .iter()
            .find(|s| {
                s.rules.check_type.is_none()
                    && s.rules.client.as_ref().and_then(|c| c.last_name.as_deref()) == Some(last)
            })
            .unwrap_or_else(|| panic!("no scenario for last name {last}"))
    };
    assert_eq!(
        by_last("attention").effect.outcome.as_deref(),
        Some("attention")
    );
    assert_eq!(
        by_last("failed").effect.outcome.as_deref(),
        Some("not_processed")
    );
    for (middle, risk) in [("medium-risk", "medium"), ("high-risk", "high")] {
        let s = catalog
            .scenarios
            .iter()
            .find(|s| {
                s.rules
                    .client
                    .as_ref()
                    .and_then(|c| c.middle_name.as_deref())
                    == Some(middle)
            })
            .unwrap_or_else(|| panic!("no scenario for middle name {middle}"));
        assert_eq!(s.effect.risk.as_deref(), Some(risk));
        assert_eq!(
            s.rules.endpoint.as_ref().map(|e| e.values()),
            Some(vec!["riskProfile"])
        );
    }
}
