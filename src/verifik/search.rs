//! 1:N search and 1:1 verify against enrolled persons: `search`,
//! `search/crops` (images may be `https://` URLs), `search-live-face`
//! (liveness on the probe first), `search-active-user` and `verify`.
//!
//! A person scores 1 when a probe is byte for byte one of its enrolled
//! images — the compare endpoints' image identity — and a stable score
//! below every accepted `min_score` otherwise, so searching with an
//! enrolled image finds that person and an unknown face finds nobody (200
//! with an empty list). A scenario's `scores.comparison` replaces a
//! match's score. Results are ranked by score, at least `min_score`, at
//! most `max_results` (default 10).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use serde_json::{Value, json};

use super::api::{Api, Token};
use super::error::{VJson, VerifikError};
use super::gallery::{Gallery, Person, hit_json};
use super::render::{client_id, envelope};
use super::request::{Images, number, prepare, text};
use super::score;
use super::validate::{Field, Kind, OS, SEARCH_MODE};
use crate::config::VerifikSearchShape;
use crate::ids::{Millis, ObjectId, iso_millis};
use crate::number::js_value;
use crate::scenario::{self, Effect};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Search {
    Faces,
    Crops,
    LiveFace,
    ActiveUser,
    Verify,
}

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/face-recognition/search", endpoint(Search::Faces))
        .route("/face-recognition/search/crops", endpoint(Search::Crops))
        .route(
            "/face-recognition/search-live-face",
            endpoint(Search::LiveFace),
        )
        .route(
            "/face-recognition/search-active-user",
            endpoint(Search::ActiveUser),
        )
        .route("/face-recognition/verify", endpoint(Search::Verify))
}

fn endpoint(kind: Search) -> MethodRouter<Api> {
    post(
        move |State(api): State<Api>, token: Token, headers: HeaderMap, VJson(body): VJson| {
            handle(kind, api, token, headers, body)
        },
    )
}

const MIN_SCORE_HIGH: Kind = Kind::Num { min: 0.5, max: 1.0 };

impl Search {
    fn name(self) -> &'static str {
        match self {
            Search::Faces => "search",
            Search::Crops => "search/crops",
            Search::LiveFace => "search-live-face",
            Search::ActiveUser => "search-active-user",
            Search::Verify => "verify",
        }
    }

    pub(super) fn fields(self) -> Vec<Field> {
        let search_mode = Field::required("search_mode", Kind::Enum(SEARCH_MODE));
        let collection = Field::optional("collection_id", Kind::Str);
        let max_results = Field::optional(
            "max_results",
            Kind::Num {
                min: 1.0,
                max: 100.0,
            },
        );
        match self {
            Search::Faces => vec![
                Field::required("images", Kind::StrArray),
                collection,
                max_results,
                Field::required("min_score", Kind::Num { min: 0.2, max: 1.0 }),
                search_mode,
            ],
            Search::Crops => vec![
                Field::required("images", Kind::StrArray),
                collection,
                max_results,
                Field::required("min_score", MIN_SCORE_HIGH),
                search_mode,
            ],
            Search::LiveFace => vec![
                Field::required("image", Kind::Str),
                collection,
                Field::required("os", Kind::Enum(OS)),
                Field::required("liveness_min_score", MIN_SCORE_HIGH),
                Field::required("min_score", MIN_SCORE_HIGH),
                search_mode,
            ],
            Search::ActiveUser => vec![
                Field::required("image", Kind::Str),
                collection,
                Field::required("os", Kind::Enum(OS)),
                Field::required("min_score", MIN_SCORE_HIGH),
                search_mode,
                Field::optional("liveness_min_score", MIN_SCORE_HIGH),
            ],
            Search::Verify => vec![
                Field::required("id", Kind::Str),
                Field::required("images", Kind::StrArray),
                Field::required("min_score", MIN_SCORE_HIGH),
                search_mode,
                collection,
            ],
        }
    }

    fn images(self) -> Images {
        match self {
            Search::Faces | Search::Verify => Images {
                field: "images",
                urls: false,
            },
            Search::Crops => Images {
                field: "images",
                urls: true,
            },
            Search::LiveFace | Search::ActiveUser => Images {
                field: "image",
                urls: false,
            },
        }
    }
}

/// A person's score against the probes, a scenario's `scores.comparison`
/// standing in for a match's.
fn score_of(p: &Person, probes: &[[u8; 32]], effect: &Effect) -> f64 {
    let enrolled: Vec<[u8; 32]> = p.faces.iter().map(|f| f.sha256).collect();
    let s = score::similarity(probes, &enrolled);
    match effect.number("scores.comparison") {
        Some(forced) if s >= 1.0 => forced,
        _ => s,
    }
}

/// The persons at or above `min`, best first, at most `max`.
fn rank<'a>(
    g: &'a Gallery,
    collection: Option<ObjectId>,
    probes: &[[u8; 32]],
    min: f64,
    max: usize,
    effect: &Effect,
) -> Vec<(&'a Person, f64)> {
    let mut hits: Vec<(&Person, f64)> = g
        .candidates(collection)
        .into_iter()
        .map(|p| (p, score_of(p, probes, effect)))
        .filter(|(_, s)| *s >= min)
        .collect();
    hits.sort_by(|a, b| b.1.total_cmp(&a.1));
    hits.truncate(max);
    hits
}

/// The liveness record Verifik's demo app reads.
fn liveness_record(token: &str, now: Millis, body: &Value, score: f64, min: f64) -> Value {
    let at = iso_millis(now);
    json!({
        "_id": ObjectId::new(now),
        "client": client_id(token),
        "type": "liveness",
        "status": "success",
        "search_mode": text(body, "search_mode").unwrap_or("FAST"),
        "os": text(body, "os").unwrap_or("DESKTOP"),
        "result": {"liveness_score": js_value(score), "passed": score > min, "min_score": js_value(min)},
        "createdAt": at,
        "updatedAt": at,
    })
}

async fn handle(
    kind: Search,
    api: Api,
    Token(token): Token,
    headers: HeaderMap,
    body: Value,
) -> Response {
    let p = match prepare(
        &api,
        &token,
        kind.name(),
        &headers,
        &body,
        &kind.fields(),
        &[kind.images()],
    )
    .await
    {
        Ok(p) => p,
        Err(answered) => return answered,
    };
    let effect = p.selected.effect();
    let now = api.core.clocks.now(&token);
    let min = number(&body, "min_score").unwrap_or(1.0);
    let max = number(&body, "max_results").map_or(10, |n| n as usize);
    let shape = api.core.config.verifik_search_shape;
    let data = api.store.read(&token, |g| {
        let collection = match text(&body, "collection_id") {
            Some(raw) => Some(
                g.collection(raw)
                    .ok_or_else(VerifikError::invalid_collection)?
                    .id,
            ),
            None => None,
        };
        let hits = |max: usize| -> Vec<Value> {
            rank(g, collection, &p.hashes, min, max, effect)
                .into_iter()
                .map(|(person, s)| hit_json(g, person, s))
                .collect()
        };
        match kind {
            Search::Faces | Search::Crops => Ok(Value::Array(hits(max))),
            Search::ActiveUser => {
                let found = hits(max);
                Ok(match shape {
                    VerifikSearchShape::Docs => Value::Array(found),
                    VerifikSearchShape::Demo => {
                        let live = effect
                            .number("scores.liveness")
                            .unwrap_or_else(|| p.hashes.first().map_or(0.9, score::liveness));
                        let lmin = number(&body, "liveness_min_score").unwrap_or(0.6);
                        json!({"persons": found, "liveness": {"score": js_value(live), "passed": live > lmin, "status": "success"}})
                    }
                })
            }
            Search::LiveFace => {
                let live = effect
                    .number("scores.liveness")
                    .unwrap_or_else(|| p.hashes.first().map_or(0.9, score::liveness));
                let lmin = number(&body, "liveness_min_score").unwrap_or(0.6);
                if live <= lmin {
                    return Err(VerifikError::engine("liveness_failed"));
                }
                let found = hits(max);
                Ok(match shape {
                    VerifikSearchShape::Docs => {
                        json!({"persons": found, "liveness_score": js_value(live)})
                    }
                    VerifikSearchShape::Demo => json!({
                        "search": found,
                        "liveness": liveness_record(&token, now, &body, live, lmin),
                    }),
                })
            }
            Search::Verify => {
                let raw = text(&body, "id").unwrap_or_default();
                let person = ObjectId::parse(raw.trim())
                    .and_then(|id| g.persons.get(&id))
                    .filter(|p| collection.is_none_or(|c| p.collections.contains(&c)))
                    .ok_or_else(VerifikError::person_not_found)?;
                let s = score_of(person, &p.hashes, effect);
                Ok(if s >= min {
                    let mut m = hit_json(g, person, s);
                    if let Some(o) = m.as_object_mut() {
                        for k in ["notes", "create_date", "modified_date", "nationality"] {
                            o.remove(k);
                        }
                    }
                    json!({"match": m})
                } else {
                    json!({"match": null})
                })
            }
        }
    });
    match data {
        Ok(d) => scenario::tag(
            (StatusCode::OK, axum::Json(envelope(now, d))).into_response(),
            &p.selected,
        ),
        Err(e) => e.into_response(),
    }
}
