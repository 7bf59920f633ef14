//! Verifik's rows and schemas in `GET /openapi.json`.

use serde_json::{Map, Value, json};

use crate::openapi::{ADMIN, Part, Reply, Route, open, r};

const TAG: &str = "Verifik";

use Reply::Json as J;

/// Every route of the Verifik plug-in. Keep in router order.
#[rustfmt::skip]
const ROUTES: &[Route] = &[
    r("POST", "/v2/face-recognition/compare-with-liveness", TAG, "Compare a probe with a gallery, then check the probe's liveness", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/compare", TAG, "Compare faces 1:N", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/compare-live", TAG, "Compare and check liveness in one call", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/liveness", TAG, "Passive liveness", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/liveness-score", TAG, "Passive liveness score", Some("Object"), J(200, "VerifikEnvelope")),
    r("GET", "/v2/face-recognition/collections", TAG, "List collections (optional like_name) → {data: [...]}", None, J(200, "VerifikData")),
    r("POST", "/v2/face-recognition/collections", TAG, "Create a collection (name, description?) → {data}", Some("Object"), J(200, "VerifikData")),
    r("GET", "/v2/face-recognition/collections/{id}", TAG, "Get a collection → {data}", None, J(200, "VerifikData")),
    r("PUT", "/v2/face-recognition/collections/{id}", TAG, "Update a collection (name required; people reconciles members) → {data}", Some("Object"), J(200, "VerifikData")),
    r("DELETE", "/v2/face-recognition/collections/{id}", TAG, "Delete a collection → {data: the deleted collection}", None, J(200, "VerifikData")),
    r("POST", "/v2/face-recognition/persons", TAG, "Enrol a person (name, 1–3 images, details, collections)", Some("Object"), J(200, "VerifikEnvelope")),
    r("GET", "/v2/face-recognition/persons", TAG, "List persons (page, limit ≤ 100, collection, status, populates[])", None, J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/persons/search-live-face", TAG, "Enrol a person after liveness and a duplicate search of the collection", Some("Object"), J(200, "VerifikEnvelope")),
    r("GET", "/v2/face-recognition/persons/lookup", TAG, "Look persons up by name and date of birth → {data, total}", None, J(200, "Object")),
    r("GET", "/v2/face-recognition/persons/{id}", TAG, "Get a person", None, J(200, "VerifikEnvelope")),
    r("PUT", "/v2/face-recognition/persons/{id}", TAG, "Update a person (images replace its faces; collections adds it to them)", Some("Object"), J(200, "VerifikEnvelope")),
    r("DELETE", "/v2/face-recognition/persons/{id}", TAG, "Delete a person, or take it out of ?collection=", None, J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/search", TAG, "1:N search of enrolled persons (images, min_score 0.2–1, search_mode)", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/search/crops", TAG, "1:N search with face crops (base64 or https URLs)", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/search-live-face", TAG, "Liveness on the probe, then 1:N search", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/search-active-user", TAG, "1:N search for an active user", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/verify", TAG, "1:1 verify against an enrolled person → {match}", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/detect", TAG, "Detect faces → {faces, face_count} (or the legacy array)", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/__admin/verifik/tokens/expire", ADMIN, "Make a Verifik token answer 403", Some("Object"), J(200, "Object")),
    r("GET", "/__admin/verifik/calls", ADMIN, "The token's recent face-recognition calls with scores and decisions", None, J(200, "Object")),
    r("POST", "/__admin/verifik/tokens/unexpire", ADMIN, "Lift a Verifik token's expiry", Some("Object"), J(200, "Object")),
];

pub(crate) static PART: Part = Part {
    tag: TAG,
    description: "Verifik face-recognition emulation; the token in 'Authorization' is the tenant.",
    error_schema: "VerifikError",
    security: (
        "verifikToken",
        || json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}),
    ),
    routes: ROUTES,
    schemas,
};

fn schemas() -> Map<String, Value> {
    let string = json!({"type": "string"});
    let mut m = Map::new();
    m.insert(
        "VerifikEnvelope".into(),
        open(
            json!({
                "id": string,
                "data": {"type": "object"},
                "signature": open(json!({"dateTime": string, "message": string}), &["dateTime", "message"]),
            }),
            &["id", "data", "signature"],
        ),
    );
    m.insert("VerifikData".into(), open(json!({"data": {}}), &["data"]));
    m.insert(
        "VerifikError".into(),
        open(json!({"code": string, "message": string}), &["message"]),
    );
    m
}
