//! The emulated biometrics endpoints: their names, their Joi schemas and
//! which fields carry images.

use super::error::VerifikError;
use super::image;
use super::validate::{self, Field, Kind, OS, SEARCH_MODE};
use super::wire::Fields;
use crate::config::Config;

/// `liveness_min_score` when the request sends none.
pub(crate) const DEFAULT_LIVENESS_MIN: f64 = 0.6;
/// `compare_min_score` `/compare` reports `passed` against when none is sent.
pub(crate) const DEFAULT_COMPARE_MIN: f64 = 0.85;

const COMPARE_MIN: Kind = Kind::Num {
    min: 0.67,
    max: 0.95,
};

/// SHA-256 of each image of one request field.
type Hashes = Vec<[u8; 32]>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endpoint {
    CompareWithLiveness,
    Compare,
    CompareLive,
    Liveness,
    LivenessScore,
}

/// Every endpoint's name, for `match.endpoint`.
pub(crate) const ENDPOINTS: [&str; 5] = [
    "compare-with-liveness",
    "compare",
    "compare-live",
    "liveness",
    "liveness-score",
];

impl Endpoint {
    /// The name scenarios match on (`match.endpoint`).
    pub(super) fn name(self) -> &'static str {
        match self {
            Endpoint::CompareWithLiveness => "compare-with-liveness",
            Endpoint::Compare => "compare",
            Endpoint::CompareLive => "compare-live",
            Endpoint::Liveness => "liveness",
            Endpoint::LivenessScore => "liveness-score",
        }
    }

    /// The Joi schema, in the order Verifik reports problems.
    pub(super) fn fields(self, cfg: &Config) -> Vec<Field> {
        let search_mode = Field {
            name: "search_mode",
            kind: Kind::Enum(SEARCH_MODE),
            required: cfg.verifik_require_search_mode,
        };
        match self {
            Endpoint::CompareWithLiveness => vec![
                Field::required("probe", Kind::Str),
                Field::required("gallery", Kind::StrArray),
                search_mode,
                Field::optional("compare_min_score", COMPARE_MIN),
                Field::optional(
                    "liveness_min_score",
                    Kind::Num {
                        min: 0.52,
                        max: 1.0,
                    },
                ),
                Field::optional("os", Kind::Enum(OS)),
                Field::optional("cropFace", Kind::Bool),
            ],
            Endpoint::Compare => vec![
                Field::required("probe", Kind::StrOrArray),
                Field::required("gallery", Kind::StrArray),
                search_mode,
                Field::optional("compare_min_score", COMPARE_MIN),
                Field::optional("os", Kind::Enum(OS)),
            ],
            Endpoint::CompareLive => vec![
                Field::required("probe", Kind::Str),
                Field::required("gallery", Kind::StrArray),
                Field::required("os", Kind::Enum(OS)),
                search_mode,
                Field::required(
                    "liveness_min_score",
                    Kind::Num {
                        min: 0.52,
                        max: 1.0,
                    },
                ),
                Field::optional("compare_min_score", COMPARE_MIN),
            ],
            Endpoint::Liveness | Endpoint::LivenessScore => vec![
                Field::required("os", Kind::Enum(OS)),
                Field::required("image", Kind::Str),
                Field::optional("collection_id", Kind::Str),
                Field::optional("liveness_min_score", Kind::Num { min: 0.5, max: 1.0 }),
            ],
        }
    }

    /// Hashes of the probe images (liveness runs on the first) and the gallery.
    pub(super) fn images(self, body: &Fields<'_>) -> Result<(Hashes, Hashes), VerifikError> {
        let hash_all = |name: &str, urls: bool| -> Result<Hashes, VerifikError> {
            validate::strings(body, name)
                .into_iter()
                .map(|s| image::sha256(s, urls))
                .collect()
        };
        match self {
            Endpoint::Liveness | Endpoint::LivenessScore => Ok((hash_all("image", true)?, vec![])),
            _ => Ok((hash_all("probe", false)?, hash_all("gallery", true)?)),
        }
    }
}
