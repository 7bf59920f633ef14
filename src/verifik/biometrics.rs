//! The emulated `/v2/face-recognition` endpoints: `compare-with-liveness`,
//! `compare`, `compare-live`, `liveness` and `liveness-score`.
//!
//! One flow serves them all: validate the body (409), hash every image once
//! (412), pick the scenario, wait its latency, then answer its error or the
//! endpoint's result in the success envelope.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use chrono::Timelike;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::error::{VJson, VerifikError};
use super::validate::{self, Field, Kind, OS, SEARCH_MODE};
use super::{Token, image, score};
use crate::app::AppState;
use crate::config::{Config, VerifikShape};
use crate::ids::{self, Millis, ObjectId};
use crate::journal::MatchedScenario;
use crate::scenario::{self, Effect, Vendor};

/// `liveness_min_score` when the request sends none.
pub const DEFAULT_LIVENESS_MIN: f64 = 0.6;
/// `compare_min_score` `/compare` reports `passed` against when none is sent.
pub const DEFAULT_COMPARE_MIN: f64 = 0.85;

const COMPARE_MIN: Kind = Kind::Num {
    min: 0.67,
    max: 0.95,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/face-recognition/compare-with-liveness",
            endpoint(Endpoint::CompareWithLiveness),
        )
        .route("/face-recognition/compare", endpoint(Endpoint::Compare))
        .route(
            "/face-recognition/compare-live",
            endpoint(Endpoint::CompareLive),
        )
        .route("/face-recognition/liveness", endpoint(Endpoint::Liveness))
        .route(
            "/face-recognition/liveness-score",
            endpoint(Endpoint::LivenessScore),
        )
}

/// The POST handler of one endpoint: every endpoint shares [`handle`].
fn endpoint(ep: Endpoint) -> MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              token: Token,
              headers: HeaderMap,
              VJson(body): VJson| { handle(ep, state, token, headers, body) },
    )
}

/// SHA-256 of each image of one request field.
type Hashes = Vec<[u8; 32]>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    CompareWithLiveness,
    Compare,
    CompareLive,
    Liveness,
    LivenessScore,
}

impl Endpoint {
    /// The name scenarios match on (`match.endpoint`).
    fn name(self) -> &'static str {
        match self {
            Endpoint::CompareWithLiveness => "compare-with-liveness",
            Endpoint::Compare => "compare",
            Endpoint::CompareLive => "compare-live",
            Endpoint::Liveness => "liveness",
            Endpoint::LivenessScore => "liveness-score",
        }
    }

    /// The Joi schema, in the order Verifik reports problems.
    fn fields(self, cfg: &Config) -> Vec<Field> {
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
    fn images(self, body: &Value) -> Result<(Hashes, Hashes), VerifikError> {
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

async fn handle(
    ep: Endpoint,
    state: AppState,
    Token(token): Token,
    headers: HeaderMap,
    body: Value,
) -> Response {
    let cfg = &state.core.config;
    if let Err(e) = validate::check(&body, &ep.fields(cfg), cfg.verifik_messages) {
        return e.into_response();
    }
    let (probes, gallery) = match ep.images(&body) {
        Ok(hashes) => hashes,
        Err(e) => return e.into_response(),
    };
    let all: Vec<[u8; 32]> = probes.iter().chain(gallery.iter()).copied().collect();
    let req = scenario::Request {
        vendor: Vendor::Verifik,
        endpoint: ep.name(),
        check_type: None,
        client: None,
        headers: &headers,
        image_sha256: &all,
    };
    let selected = match state.core.scenarios.select(&token, &req) {
        Ok(s) => s,
        Err(e) => return VerifikError::unknown_scenario(&e).into_response(),
    };
    let effect = selected.effect();
    if let Some(ms) = effect.latency_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let mut res = if effect.drop_connection {
        crate::faults::dropped_connection()
    } else {
        match &effect.error {
            Some(err) => match &err.body {
                Some(b) => (
                    StatusCode::from_u16(err.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    axum::Json(b.clone()),
                )
                    .into_response(),
                None => {
                    VerifikError::for_status(err.status, cfg.verifik_expired_body).into_response()
                }
            },
            None => {
                let now = state.core.clocks.now(&token);
                let ctx = Ctx {
                    now,
                    client: client_id(&token),
                    shape: cfg.verifik_shape,
                    null_liveness: cfg.verifik_null_liveness,
                };
                let data = render(ep, &ctx, &body, &probes, &gallery, effect);
                (StatusCode::OK, axum::Json(envelope(now, data))).into_response()
            }
        }
    };
    res.extensions_mut()
        .insert(MatchedScenario(selected.name().to_owned()));
    res
}

/// What rendering needs besides the request.
struct Ctx {
    now: Millis,
    client: ObjectId,
    shape: VerifikShape,
    null_liveness: bool,
}

/// The record owner Verifik reports: a stable ObjectId per token.
pub fn client_id(token: &str) -> ObjectId {
    let h = Sha256::digest(token.as_bytes());
    let mut b = [0u8; 12];
    b.copy_from_slice(&h[..12]);
    // Cannot fail: 12 bytes are exactly 24 hex characters.
    ObjectId::parse(&hex::encode(b)).unwrap_or_else(|| ObjectId::new(0))
}

/// `{id, data, signature: {dateTime, message}}`.
pub fn envelope(now: Millis, data: Value) -> Value {
    json!({
        "id": ids::short_id(),
        "data": data,
        "signature": {
            "dateTime": signature_time(now),
            "message": "Certified by Verifik.co",
        },
    })
}

/// `September 15, 2024 3:13 AM`, in UTC.
pub fn signature_time(ms: Millis) -> String {
    let t = ids::to_datetime(ms);
    let (pm, hour) = t.hour12();
    format!(
        "{} {hour}:{:02} {}",
        t.format("%B %-d, %Y"),
        t.minute(),
        if pm { "PM" } else { "AM" }
    )
}

/// A score as JSON: whole numbers without a fraction (`1`, not `1.0`).
fn num(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

struct Liveness {
    score: f64,
    min: f64,
    passed: bool,
}

fn run_liveness(probe: Option<&[u8; 32]>, min: f64, effect: &Effect) -> Liveness {
    let score = effect
        .scores
        .liveness
        .unwrap_or_else(|| probe.map_or(LIVENESS_FALLBACK, score::liveness));
    Liveness {
        score,
        min,
        passed: score > min,
    }
}

const LIVENESS_FALLBACK: f64 = 0.9;

fn render(
    ep: Endpoint,
    ctx: &Ctx,
    body: &Value,
    probes: &[[u8; 32]],
    gallery: &[[u8; 32]],
    effect: &Effect,
) -> Value {
    let field = |name: &str| body.get(name).and_then(validate::number);
    let text = |name: &str, default: &'static str| -> String {
        body.get(name)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    let liveness_min = field("liveness_min_score").unwrap_or(DEFAULT_LIVENESS_MIN);
    let compare_min = field("compare_min_score");
    let comparison = || {
        effect
            .scores
            .comparison
            .unwrap_or_else(|| score::comparison(probes, gallery))
    };
    match ep {
        Endpoint::CompareWithLiveness => {
            let score = comparison();
            let gate = compare_min.is_none_or(|m| score >= m);
            let live = gate.then(|| run_liveness(probes.first(), liveness_min, effect));
            let mut data = Map::new();
            match ctx.shape {
                VerifikShape::Record => {
                    data.insert(
                        "comparison".into(),
                        comparison_record(ctx, &text("search_mode", "FAST"), score),
                    );
                    if let Some(l) = &live {
                        data.insert(
                            "liveness".into(),
                            liveness_record(ctx, &text("os", "DESKTOP"), l),
                        );
                    }
                }
                VerifikShape::Simple => {
                    data.insert("comparison".into(), json!({"score": num(score)}));
                    if let Some(l) = &live {
                        data.insert("liveness".into(), liveness_simple(l));
                    }
                }
            }
            if live.is_none() && ctx.null_liveness {
                data.insert("liveness".into(), Value::Null);
            }
            Value::Object(data)
        }
        Endpoint::Compare => {
            let score = comparison();
            match ctx.shape {
                VerifikShape::Simple => json!({"score": num(score)}),
                VerifikShape::Record => {
                    let min = compare_min.unwrap_or(DEFAULT_COMPARE_MIN);
                    let at = ids::iso_millis(ctx.now);
                    json!({
                        "_id": ObjectId::new(ctx.now),
                        "type": "compare",
                        "probe": [],
                        "gallery": [],
                        "client": ctx.client,
                        "result": {
                            "score": num(score),
                            "compare_min_score": num(min),
                            "passed": score >= min,
                        },
                        "compare_min_score": num(min),
                        "search_mode": text("search_mode", "FAST"),
                        "deleted": false,
                        "comparedAt": at,
                        "createdAt": at,
                        "updatedAt": at,
                        "__v": 0,
                    })
                }
            }
        }
        Endpoint::CompareLive => {
            let score = comparison();
            let gate = compare_min.is_none_or(|m| score >= m);
            let mut data = Map::new();
            data.insert("score".into(), num(score));
            if gate {
                let l = run_liveness(probes.first(), liveness_min, effect);
                data.insert("liveness".into(), liveness_simple(&l));
            } else if ctx.null_liveness {
                data.insert("liveness".into(), Value::Null);
            }
            Value::Object(data)
        }
        Endpoint::Liveness | Endpoint::LivenessScore => {
            let l = run_liveness(probes.first(), liveness_min, effect);
            json!({
                "passed": l.passed,
                "min_score": num(l.min),
                "liveness_score": num(l.score),
            })
        }
    }
}

fn liveness_simple(l: &Liveness) -> Value {
    json!({
        "liveness_score": num(l.score),
        "min_score": num(l.min),
        "passed": l.passed,
    })
}

/// The stored comparison record of the seed response (`type: compareLive`).
fn comparison_record(ctx: &Ctx, search_mode: &str, score: f64) -> Value {
    let at = ids::iso_millis(ctx.now);
    json!({
        "client": ctx.client,
        "type": "compareLive",
        "search_mode": search_mode,
        "gallery": [],
        "probe": [],
        "status": "success",
        "_id": ObjectId::new(ctx.now),
        "comparedAt": at,
        "result": {"score": num(score)},
        "updatedAt": at,
        "createdAt": at,
        "__v": 0,
    })
}

/// The stored liveness record of the seed response (`type: liveness`).
fn liveness_record(ctx: &Ctx, os: &str, l: &Liveness) -> Value {
    let at = ids::iso_millis(ctx.now);
    json!({
        "client": ctx.client,
        "type": "liveness",
        "status": "success",
        "search_mode": "FAST",
        "os": os,
        "liveness_min_score": num(l.min),
        "_id": ObjectId::new(ctx.now),
        "result": {
            "liveness_score": num(l.score),
            "passed": l.passed,
            "min_score": num(l.min),
        },
        "updatedAt": at,
        "createdAt": at,
        "__v": 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_time_is_verifik_style_utc() {
        let ms = ids::parse_time("2024-09-15T03:13:26.392Z").unwrap();
        assert_eq!(signature_time(ms), "September 15, 2024 3:13 AM");
        let ms = ids::parse_time("2023-09-29T18:57:00Z").unwrap();
        assert_eq!(signature_time(ms), "September 29, 2023 6:57 PM");
        let ms = ids::parse_time("2024-01-16T00:05:00Z").unwrap();
        assert_eq!(signature_time(ms), "January 16, 2024 12:05 AM");
    }

    #[test]
    fn client_ids_are_stable_per_token() {
        assert_eq!(client_id("a"), client_id("a"));
        assert_ne!(client_id("a"), client_id("b"));
    }

    #[test]
    fn whole_scores_have_no_fraction() {
        assert_eq!(num(1.0).to_string(), "1");
        assert_eq!(num(0.77).to_string(), "0.77");
    }
}
