//! The `options` object each check type documents: validated when a check
//! is created (400 naming `options.<key>`), read back with its defaults when
//! the result is rendered. Options a type does not document are stored and
//! echoed, never interpreted.

use serde_json::{Map, Value};

use super::check_type::CheckType;
use super::error::ApiError;

/// Document check `options.analysisCoverage` values.
pub(crate) const ANALYSIS_COVERAGE: &[&str] = &[
    "consistency_analysis",
    "forensic_analysis",
    "content_analysis",
    "format_analysis",
    "front_back_analysis",
    "mrz_analysis",
];

/// Screening `options.screeningClassification` values, each paired with the
/// `summary` leaf it screens (`pepLevel1` → `pep.level1`).
pub(crate) const SCREENING_CLASSIFICATIONS: &[(&str, &str, &str)] = &[
    ("pepLevel1", "pep", "level1"),
    ("pepLevel2", "pep", "level2"),
    ("pepLevel3", "pep", "level3"),
    ("pepLevel4", "pep", "level4"),
    ("watchlistSanctionsLists", "watchlist", "sanctionsLists"),
    (
        "watchlistOtherOfficialLists",
        "watchlist",
        "otherOfficialLists",
    ),
    ("watchlistWarCrimes", "watchlist", "warCrimes"),
    ("watchlistTerror", "watchlist", "terror"),
    (
        "watchlistOtherExclusionLists",
        "watchlist",
        "otherExclusionLists",
    ),
    (
        "watchlistSanctionsControlAndOwnership",
        "watchlist",
        "sanctionsControlAndOwnership",
    ),
    (
        "adverseMediaEnvironmentProduction",
        "adverseMedia",
        "environmentProduction",
    ),
    ("adverseMediaSocialLabour", "adverseMedia", "socialLabour"),
    (
        "adverseMediaCompetitiveFinancial",
        "adverseMedia",
        "competitiveFinancial",
    ),
    ("adverseMediaRegulatory", "adverseMedia", "regulatory"),
    (
        "otherListsAssociatedEntity",
        "otherLists",
        "associatedEntity",
    ),
    ("otherListsOrganisedCrime", "otherLists", "organisedCrime"),
    ("otherListsFinancialCrime", "otherLists", "financialCrime"),
    ("otherListsTaxCrime", "otherLists", "taxCrime"),
    ("otherListsCorruption", "otherLists", "corruption"),
    ("otherListsTrafficking", "otherLists", "trafficking"),
];

const NAME_SEARCH_MODES: &[&str] = &["fuzzy", "precise"];

/// A check's stored options, read with their documented defaults.
#[derive(Clone, Copy)]
pub(crate) struct Options<'a>(Option<&'a Map<String, Value>>);

impl<'a> Options<'a> {
    pub(crate) fn of(v: Option<&'a Value>) -> Self {
        Options(v.and_then(Value::as_object))
    }

    pub(crate) fn of_map(m: Option<&'a Map<String, Value>>) -> Self {
        Options(m)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.and_then(|m| m.get(key))
    }

    fn flag(&self, key: &str, default: bool) -> bool {
        self.get(key).and_then(Value::as_bool).unwrap_or(default)
    }

    fn strings(&self, key: &str) -> Option<Vec<&'a str>> {
        self.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
    }

    /// Identity check: enrolled-face matching (default true).
    pub(crate) fn enrolled_faces(&self) -> bool {
        self.flag("enableEnrolledFaces", true)
    }

    /// Identity check: specimen (internet image) matching (default true).
    pub(crate) fn specimen_matching(&self) -> bool {
        self.flag("enableSpecimenMatching", true)
    }

    /// Identity check: VPN detection (default true).
    pub(crate) fn vpn_detection(&self) -> bool {
        self.flag("enableVpnDetection", true)
    }

    /// Document check: whether `analysis` (an `analysisCoverage` value) runs;
    /// every analysis runs when the option is absent.
    pub(crate) fn covers(&self, analysis: &str) -> bool {
        self.strings("analysisCoverage")
            .is_none_or(|list| list.contains(&analysis))
    }

    /// Document check: the minimum permitted age (default 18).
    pub(crate) fn minimum_age(&self) -> f64 {
        self.get("minimumPermittedAge")
            .and_then(Value::as_f64)
            .unwrap_or(18.0)
    }

    /// Document check: compare the client's names with the document
    /// (`clientDataValidation`; the docs leave the default open: true).
    pub(crate) fn client_data_validation(&self) -> bool {
        self.flag("clientDataValidation", true)
    }

    /// Screening: whether a classification (`pepLevel1`, …) is screened;
    /// all are when the option is absent.
    pub(crate) fn screens(&self, classification: &str) -> bool {
        self.strings("screeningClassification")
            .is_none_or(|list| list.contains(&classification))
    }

    /// Screening: `screeningNameSearchMode` is `precise` (default `fuzzy`).
    pub(crate) fn precise_names(&self) -> bool {
        self.get("screeningNameSearchMode").and_then(Value::as_str) == Some("precise")
    }

    /// Multi-bureau: the 2+2 variant (default false).
    pub(crate) fn two_plus_two(&self) -> bool {
        self.flag("twoPlusTwo", false)
    }
}

fn param(key: &str) -> String {
    format!("options.{key}")
}

fn boolean(options: &Map<String, Value>, key: &str) -> Result<(), ApiError> {
    match options.get(key) {
        None | Some(Value::Bool(_)) => Ok(()),
        Some(_) => Err(ApiError::invalid(
            &param(key),
            format!("'{}' must be a boolean", param(key)),
        )),
    }
}

/// An array whose every item is one of `allowed`.
fn list_of(options: &Map<String, Value>, key: &str, allowed: &[&str]) -> Result<(), ApiError> {
    let Some(v) = options.get(key) else {
        return Ok(());
    };
    let Some(items) = v.as_array() else {
        return Err(ApiError::invalid(
            &param(key),
            format!("'{}' must be an array", param(key)),
        ));
    };
    for (i, item) in items.iter().enumerate() {
        if !item.as_str().is_some_and(|s| allowed.contains(&s)) {
            return Err(ApiError::not_allowed(
                &format!("{}.{i}", param(key)),
                allowed,
            ));
        }
    }
    Ok(())
}

fn screening_lists_scope(options: &Map<String, Value>) -> Result<(), ApiError> {
    let Some(scope) = options.get("screeningListsScope") else {
        return Ok(());
    };
    let key = param("screeningListsScope");
    let Some(scope) = scope.as_object() else {
        return Err(ApiError::invalid(
            &key,
            format!("'{key}' must be an object"),
        ));
    };
    if scope.get("mode").is_some_and(|m| !m.is_string()) {
        let p = format!("{key}.mode");
        return Err(ApiError::invalid(&p, format!("'{p}' must be a string")));
    }
    if let Some(lists) = scope.get("lists") {
        let ok = lists
            .as_array()
            .is_some_and(|l| l.iter().all(Value::is_string));
        if !ok {
            let p = format!("{key}.lists");
            return Err(ApiError::invalid(
                &p,
                format!("'{p}' must be an array of strings"),
            ));
        }
    }
    Ok(())
}

/// Validates the options `kind` documents; others pass untouched.
pub(crate) fn validate(kind: CheckType, options: &Map<String, Value>) -> Result<(), ApiError> {
    match kind {
        CheckType::Identity => {
            for key in [
                "enableEnrolledFaces",
                "enableSpecimenMatching",
                "enableVpnDetection",
            ] {
                boolean(options, key)?;
            }
        }
        CheckType::Document => {
            list_of(options, "analysisCoverage", ANALYSIS_COVERAGE)?;
            if let Some(age) = options.get("minimumPermittedAge") {
                if !age.as_f64().is_some_and(|a| (0.0..=150.0).contains(&a)) {
                    let p = param("minimumPermittedAge");
                    return Err(ApiError::invalid(
                        &p,
                        format!("'{p}' must be a number between 0 and 150"),
                    ));
                }
            }
            boolean(options, "clientDataValidation")?;
        }
        CheckType::StandardScreening | CheckType::ExtensiveScreening => {
            let names: Vec<&str> = SCREENING_CLASSIFICATIONS.iter().map(|c| c.0).collect();
            list_of(options, "screeningClassification", &names)?;
            if let Some(mode) = options.get("screeningNameSearchMode") {
                let mode = mode.as_str().map(str::to_owned);
                super::validate::one_of(
                    &param("screeningNameSearchMode"),
                    &mode.or(Some(String::new())),
                    NAME_SEARCH_MODES,
                )?;
            }
            screening_lists_scope(options)?;
        }
        CheckType::MultiBureau => boolean(options, "twoPlusTwo")?,
        _ => {}
    }
    Ok(())
}

/// The JSON Schema of the `options` [`validate`] enforces for `kind`: what
/// `/openapi.json` says each check type accepts. Undocumented keys stay open.
pub(crate) fn schema(kind: CheckType) -> Value {
    use serde_json::json;
    let boolean = json!({"type": "boolean"});
    let list =
        |allowed: Vec<&str>| json!({"type": "array", "items": {"type": "string", "enum": allowed}});
    let props = match kind {
        CheckType::Identity => json!({
            "enableEnrolledFaces": boolean,
            "enableSpecimenMatching": boolean,
            "enableVpnDetection": boolean,
        }),
        CheckType::Document => json!({
            "analysisCoverage": list(ANALYSIS_COVERAGE.to_vec()),
            "minimumPermittedAge": {"type": "number", "minimum": 0, "maximum": 150},
            "clientDataValidation": boolean,
        }),
        CheckType::StandardScreening | CheckType::ExtensiveScreening => json!({
            "screeningClassification": list(SCREENING_CLASSIFICATIONS.iter().map(|c| c.0).collect()),
            "screeningNameSearchMode": {"type": "string", "enum": NAME_SEARCH_MODES},
            "screeningListsScope": {"type": "object", "properties": {
                "mode": {"type": "string"},
                "lists": {"type": "array", "items": {"type": "string"}},
            }},
        }),
        CheckType::MultiBureau => json!({"twoPlusTwo": boolean}),
        _ => json!({}),
    };
    json!({"type": "object", "properties": props})
}
