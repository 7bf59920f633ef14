//! ComplyCube's scenario vocabulary (what fixtures may match on and set) and
//! the facts a request offers the engine.

use super::check_type::CheckType;
use super::model::Client;
use crate::scenario::{Facts, Key, Kind, Vocabulary};

/// Every check type's name, for `match.checkType`.
const CHECK_TYPES: &[&str] = &CheckType::NAMES;

pub(crate) static VOCABULARY: Vocabulary = Vocabulary {
    vendor: "complycube",
    endpoints: &[
        "checks",
        "riskProfile",
        "workflowSessions",
        "lookup",
        "autofill",
    ],
    facts: &[
        Key {
            path: "checkType",
            kind: Kind::OneOf(CHECK_TYPES),
            label: "check type",
            scope: true,
        },
        Key::fact_ignoring_case("client.firstName", "client first name"),
        Key::fact_ignoring_case("client.middleName", "client middle name"),
        Key::fact_ignoring_case("client.lastName", "client last name"),
        Key::fact_ignoring_case("client.email", "client email"),
        Key::fact("client.externalId", "client externalId", false),
        Key::fact("client.metadata.*", "client metadata", false),
    ],
    effects: &[
        Key::effect("outcome", Kind::Text),
        Key::effect("breakdown", Kind::Object),
        Key::effect("status", Kind::OneOf(&["complete", "failed"])),
        Key::effect("risk", Kind::OneOf(&["low", "medium", "high"])),
        Key::effect("completionDelayMs", Kind::Millis),
        Key::effect(
            "scores.facialSimilarityScore",
            Kind::Number {
                min: 0.0,
                max: 100.0,
            },
        ),
        Key::effect(
            "scores.livenessCheckScore",
            Kind::Number {
                min: 0.0,
                max: 100.0,
            },
        ),
    ],
};

/// A ComplyCube request's facts: the check type (when creating a check)
/// and the client it concerns.
pub(crate) struct RequestFacts<'a> {
    pub(crate) check_type: Option<CheckType>,
    pub(crate) client: &'a Client,
}

impl Facts for RequestFacts<'_> {
    fn fact(&self, path: &str) -> Option<&str> {
        let c = self.client;
        let p = c.person_details.as_ref();
        match path {
            "checkType" => self.check_type.map(CheckType::as_str),
            "client.firstName" => p.and_then(|p| p.first_name.as_deref()),
            "client.middleName" => p.and_then(|p| p.middle_name.as_deref()),
            "client.lastName" => p.and_then(|p| p.last_name.as_deref()),
            "client.email" => Some(&c.email),
            "client.externalId" => c.external_id.as_deref(),
            other => {
                let key = other.strip_prefix("client.metadata.")?;
                c.metadata.as_ref()?.get(key).map(String::as_str)
            }
        }
    }
}
