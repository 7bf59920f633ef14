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
    r("POST", "/v2/face-recognition/search", TAG, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/search-live-face", TAG, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/search-active-user", TAG, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/search/crops", TAG, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/detect", TAG, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/verify", TAG, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
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
    m.insert(
        "VerifikError".into(),
        open(json!({"code": string, "message": string}), &["message"]),
    );
    m
}
