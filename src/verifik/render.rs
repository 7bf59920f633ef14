//! The data each biometrics endpoint answers, in Verifik's record shapes,
//! and the `{id, data, signature}` envelope around it.

use chrono::Timelike;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::endpoint::{DEFAULT_COMPARE_MIN, DEFAULT_LIVENESS_MIN, Endpoint};
use super::wire::{Fields, Val};
use super::{score, validate};
use crate::config::VerifikShape;
use crate::ids::{self, Millis, ObjectId};
use crate::number::js_value;
use crate::scenario::Effect;

/// What rendering needs besides the request.
pub(super) struct Ctx {
    pub(super) now: Millis,
    pub(super) client: ObjectId,
    pub(super) shape: VerifikShape,
    pub(super) null_liveness: bool,
}

/// The record owner Verifik reports: a stable ObjectId per token.
pub(crate) fn client_id(token: &str) -> ObjectId {
    let h = Sha256::digest(token.as_bytes());
    let mut b = [0u8; 12];
    b.copy_from_slice(&h[..12]);
    // Cannot fail: 12 bytes are exactly 24 hex characters.
    ObjectId::parse(&hex::encode(b)).unwrap_or_else(|| ObjectId::new(0))
}

/// `{id, data, signature: {dateTime, message}}`.
pub(crate) fn envelope(now: Millis, data: Value) -> Value {
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
pub(crate) fn signature_time(ms: Millis) -> String {
    let t = ids::to_datetime(ms);
    let (pm, hour) = t.hour12();
    format!(
        "{} {hour}:{:02} {}",
        t.format("%B %-d, %Y"),
        t.minute(),
        if pm { "PM" } else { "AM" }
    )
}

struct Liveness {
    score: f64,
    min: f64,
    passed: bool,
}

fn run_liveness(probe: Option<&[u8; 32]>, min: f64, effect: &Effect) -> Liveness {
    let score = effect
        .number("scores.liveness")
        .unwrap_or_else(|| probe.map_or(LIVENESS_FALLBACK, score::liveness));
    Liveness {
        score,
        min,
        passed: score > min,
    }
}

const LIVENESS_FALLBACK: f64 = 0.9;

pub(super) fn render(
    ep: Endpoint,
    ctx: &Ctx,
    body: &Fields<'_>,
    probes: &[[u8; 32]],
    gallery: &[[u8; 32]],
    effect: &Effect,
) -> Value {
    let field = |name: &str| body.get(name).and_then(validate::number);
    let text = |name: &str, default: &'static str| -> String {
        body.get(name)
            .and_then(Val::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    let liveness_min = field("liveness_min_score").unwrap_or(DEFAULT_LIVENESS_MIN);
    let compare_min = field("compare_min_score");
    let comparison = || {
        effect
            .number("scores.comparison")
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
                    data.insert("comparison".into(), json!({"score": js_value(score)}));
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
                VerifikShape::Simple => json!({"score": js_value(score)}),
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
                            "score": js_value(score),
                            "compare_min_score": js_value(min),
                            "passed": score >= min,
                        },
                        "compare_min_score": js_value(min),
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
            data.insert("score".into(), js_value(score));
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
                "min_score": js_value(l.min),
                "liveness_score": js_value(l.score),
            })
        }
    }
}

fn liveness_simple(l: &Liveness) -> Value {
    json!({
        "liveness_score": js_value(l.score),
        "min_score": js_value(l.min),
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
        "result": {"score": js_value(score)},
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
        "liveness_min_score": js_value(l.min),
        "_id": ObjectId::new(ctx.now),
        "result": {
            "liveness_score": js_value(l.score),
            "passed": l.passed,
            "min_score": js_value(l.min),
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
}
