//! `POST /v2/face-recognition/detect`: how many faces an image holds.
//!
//! Verifik documents two contracts. The request accepts the union: `image`
//! (base64, a `data:` URI or an `https://` URL) with the newest page's
//! `return_landmarks`/`return_attributes`, and the legacy page's
//! `min_score`, `search_mode`, `collection_id`, `max_results` (validated
//! when sent, required by neither). The answer is the newest page's
//! `{faces, face_count}` or, with `--verifik-detect-shape legacy`, the
//! legacy array with the persons each face matches. An image holds one face
//! unless a scenario's `faceCount` says otherwise (the shipped magic images
//! for no face and several faces).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::api::{Api, Token};
use super::error::{VJson, VerifikError};
use super::gallery::hit_json;
use super::render::envelope;
use super::request::{Images, number, prepare, text};
use super::score;
use super::validate::{Field, Kind, SEARCH_MODE};
use crate::config::VerifikDetectShape;
use crate::scenario;

/// A 1×1 PNG standing in for each face's thumbnail.
const PIXEL: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// Most faces a scenario may ask for.
pub(crate) const MAX_FACES: f64 = 20.0;

pub(crate) fn routes() -> Router<Api> {
    Router::new().route("/face-recognition/detect", post(detect))
}

pub(super) fn fields() -> Vec<Field> {
    vec![
        Field::required("image", Kind::Str),
        Field::optional("return_landmarks", Kind::Bool),
        Field::optional("return_attributes", Kind::Bool),
        Field::optional("min_score", Kind::Num { min: 0.0, max: 1.0 }),
        Field::optional("search_mode", Kind::Enum(SEARCH_MODE)),
        Field::optional("collection_id", Kind::Str),
        Field::optional(
            "max_results",
            Kind::Num {
                min: 1.0,
                max: 100.0,
            },
        ),
    ]
}

fn flag(body: &Value, name: &str) -> bool {
    match body.get(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}

async fn detect(
    State(api): State<Api>,
    Token(token): Token,
    headers: HeaderMap,
    VJson(body): VJson,
) -> Response {
    let images = [Images {
        field: "image",
        urls: true,
    }];
    let p = match prepare(&api, &token, "detect", &headers, &body, &fields(), &images).await {
        Ok(p) => p,
        Err(answered) => return answered,
    };
    let effect = p.selected.effect();
    let count = effect
        .number("faceCount")
        .map_or(1, |n| n.clamp(0.0, MAX_FACES) as usize);
    let seed = p.hashes.first().copied().unwrap_or_default();
    let now = api.core.clocks.now(&token);
    // Face i sits to the right of face i-1; sizes vary a little per image.
    let boxes: Vec<(u32, u32, u32, u32)> = (0..count)
        .map(|i| {
            let i = i as u32;
            let w = 180 + u32::from(seed[0] % 40);
            let h = 220 + u32::from(seed[1] % 40);
            (100 + i * (w + 40), 150 + u32::from(seed[2] % 30), w, h)
        })
        .collect();
    let confidence = crate::number::js_value(0.95 + f64::from(seed[3] % 5) / 100.0);
    let data: Result<Value, VerifikError> = match api.core.config.verifik_detect_shape {
        VerifikDetectShape::Faces => {
            let (landmarks, attributes) = (
                flag(&body, "return_landmarks"),
                flag(&body, "return_attributes"),
            );
            let faces: Vec<Value> = boxes
                .iter()
                .map(|&(x, y, w, h)| {
                    let mut f = json!({
                        "bounding_box": {"x": x, "y": y, "width": w, "height": h},
                        "confidence": confidence,
                    });
                    if landmarks {
                        f["landmarks"] = json!({
                            "left_eye": {"x": x + w / 4, "y": y + h / 5},
                            "right_eye": {"x": x + 3 * w / 4, "y": y + h / 5},
                            "nose": {"x": x + w / 2, "y": y + h / 2 - 10},
                            "mouth": {"x": x + w / 2, "y": y + 3 * h / 5},
                        });
                    }
                    if attributes {
                        f["attributes"] = json!({"age": 25 + u32::from(seed[4] % 30), "gender": if seed[5] % 2 == 0 { "male" } else { "female" }});
                    }
                    f
                })
                .collect();
            Ok(json!({"faces": faces, "face_count": count}))
        }
        VerifikDetectShape::Legacy => {
            let min = number(&body, "min_score").unwrap_or(0.8);
            let max = number(&body, "max_results").map_or(99, |n| n as usize);
            api.store.read(&token, |g| {
                let collection = match text(&body, "collection_id") {
                    Some(raw) => Some(
                        g.collection(raw)
                            .ok_or_else(VerifikError::invalid_collection)?
                            .id,
                    ),
                    None => None,
                };
                let mut persons: Vec<(f64, Value)> = g
                    .candidates(collection)
                    .into_iter()
                    .filter_map(|person| {
                        let enrolled: Vec<[u8; 32]> =
                            person.faces.iter().map(|f| f.sha256).collect();
                        let s = score::similarity(&p.hashes, &enrolled);
                        (s >= min).then(|| (s, hit_json(g, person, s)))
                    })
                    .collect();
                persons.sort_by(|a, b| b.0.total_cmp(&a.0));
                persons.truncate(max);
                let persons: Vec<Value> = persons.into_iter().map(|(_, v)| v).collect();
                let faces: Vec<Value> = boxes
                    .iter()
                    .enumerate()
                    .map(|(i, &(x, y, w, h))| {
                        json!({
                            "box": {"top": y, "left": x, "right": x + w, "bottom": y + h},
                            "persons": if i == 0 { persons.clone() } else { Vec::new() },
                            "landmarks": {
                                "nose": [x + w / 2, y + h / 2 - 10],
                                "left_eye": [x + w / 4, y + h / 5],
                                "right_eye": [x + 3 * w / 4, y + h / 5],
                                "left_mouth": [x + w / 3, y + 3 * h / 5],
                                "right_mouth": [x + 2 * w / 3, y + 3 * h / 5],
                            },
                            "thumbnail": PIXEL,
                            "detection_score": confidence,
                        })
                    })
                    .collect();
                Ok(Value::Array(faces))
            })
        }
    };
    match data {
        Ok(d) => scenario::tag(
            (StatusCode::OK, axum::Json(envelope(now, d))).into_response(),
            &p.selected,
        ),
        Err(e) => e.into_response(),
    }
}
