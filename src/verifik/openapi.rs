//! Verifik's rows and schemas in `GET /openapi.json`.

use serde_json::{Map, Value, json};

use super::endpoint::Endpoint;
use super::search::Search;
use super::validate::{image_schema, schema};
use super::{collections, detect, enroll, persons};
use crate::config::Config;
use crate::openapi::{ADMIN, Extra, Part, Reply, Route, extra, links, open, query, r, response};

const TAG: &str = "Verifik";

use Reply::Json as J;

/// Every route of the Verifik plug-in. Keep in router order.
#[rustfmt::skip]
const ROUTES: &[Route] = &[
    r("POST", "/v2/face-recognition/compare-with-liveness", TAG, "Compare a probe with a gallery, then check the probe's liveness", Some("CompareWithLiveness"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/compare", TAG, "Compare faces 1:N", Some("Compare"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/compare-live", TAG, "Compare and check liveness in one call", Some("CompareLive"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/liveness", TAG, "Passive liveness", Some("Liveness"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/liveness-score", TAG, "Passive liveness score", Some("LivenessScore"), J(200, "VerifikEnvelope")),
    r("GET", "/v2/face-recognition/collections", TAG, "List collections (optional like_name) → {data: [...]}", None, J(200, "VerifikData")),
    r("POST", "/v2/face-recognition/collections", TAG, "Create a collection (name, description?) → {data}", Some("CollectionInput"), J(200, "VerifikData")),
    r("GET", "/v2/face-recognition/collections/{id}", TAG, "Get a collection → {data}", None, J(200, "VerifikData")),
    r("PUT", "/v2/face-recognition/collections/{id}", TAG, "Update a collection (name required; people reconciles members) → {data}", Some("CollectionInput"), J(200, "VerifikData")),
    r("DELETE", "/v2/face-recognition/collections/{id}", TAG, "Delete a collection → {data: the deleted collection}", None, J(200, "VerifikData")),
    r("POST", "/v2/face-recognition/persons", TAG, "Enrol a person (name, 1–3 images, details, collections)", Some("PersonInput"), J(200, "VerifikEnvelope")),
    r("GET", "/v2/face-recognition/persons", TAG, "List persons (page, limit ≤ 100, collection, status, populates[])", None, J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/persons/search-live-face", TAG, "Enrol a person after liveness and a duplicate search of the collection", Some("PersonWithLiveness"), J(200, "VerifikEnvelope")),
    r("GET", "/v2/face-recognition/persons/lookup", TAG, "Look persons up by name and date of birth → {data, total}", None, J(200, "Object")),
    r("GET", "/v2/face-recognition/persons/{id}", TAG, "Get a person", None, J(200, "VerifikEnvelope")),
    r("PUT", "/v2/face-recognition/persons/{id}", TAG, "Update a person (images replace its faces; collections adds it to them)", Some("PersonUpdate"), J(200, "VerifikEnvelope")),
    r("DELETE", "/v2/face-recognition/persons/{id}", TAG, "Delete a person, or take it out of ?collection=", None, J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/search", TAG, "1:N search of enrolled persons (images, min_score 0.2–1, search_mode)", Some("SearchInput"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/search/crops", TAG, "1:N search with face crops (base64 or https URLs)", Some("SearchCrops"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/search-live-face", TAG, "Liveness on the probe, then 1:N search", Some("SearchLiveFace"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/search-active-user", TAG, "1:N search for an active user", Some("SearchActiveUser"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/verify", TAG, "1:1 verify against an enrolled person → {match}", Some("VerifyInput"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/detect", TAG, "Detect faces → {faces, face_count} (or the legacy array)", Some("DetectInput"), J(200, "VerifikEnvelope")),
    r("POST", "/__admin/verifik/tokens/expire", ADMIN, "Make a Verifik token answer 403", Some("TokenTarget"), J(200, "Object")),
    r("GET", "/__admin/verifik/calls", ADMIN, "The token's recent face-recognition calls with scores and decisions", None, J(200, "Object")),
    r("POST", "/__admin/verifik/tokens/unexpire", ADMIN, "Lift a Verifik token's expiry", Some("TokenTarget"), J(200, "Object")),
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
    extras,
};

fn schemas(config: &Config) -> Map<String, Value> {
    let string = json!({"type": "string"});
    let mut m = Map::new();
    m.insert(
        "VerifikEnvelope".into(),
        open(
            json!({
                "id": string,
                "data": {},
                "signature": open(json!({"dateTime": string, "message": string}), &["dateTime", "message"]),
            }),
            &["id", "data", "signature"],
        ),
    );
    m.insert("VerifikData".into(), open(json!({"data": {}}), &["data"]));
    m.insert(
        "VerifikError".into(),
        json!({
            "type": "object",
            "properties": {"code": string, "message": string, "error": string},
            "anyOf": [{"required": ["message"]}, {"required": ["error"]}],
        }),
    );
    let images = ["probe", "gallery", "image", "images"];
    let endpoints = [
        ("CompareWithLiveness", Endpoint::CompareWithLiveness),
        ("Compare", Endpoint::Compare),
        ("CompareLive", Endpoint::CompareLive),
        ("Liveness", Endpoint::Liveness),
        ("LivenessScore", Endpoint::LivenessScore),
    ];
    for (name, e) in endpoints {
        m.insert(name.into(), schema(&e.fields(config), &images));
    }
    let searches = [
        ("SearchInput", Search::Faces),
        ("SearchCrops", Search::Crops),
        ("SearchLiveFace", Search::LiveFace),
        ("SearchActiveUser", Search::ActiveUser),
        ("VerifyInput", Search::Verify),
    ];
    for (name, kind) in searches {
        m.insert(name.into(), schema(&kind.fields(), &images));
    }
    // Crops may also be https URLs.
    m["SearchCrops"]["properties"]["images"]["items"] = json!({"anyOf": [
        image_schema(),
        {"type": "string", "pattern": "^\\s*[hH][tT][tT][pP][sS]://\\S+\\s*$"},
    ]});
    let mut person = schema(&enroll::fields(), &images);
    person["properties"]["images"]["maxItems"] = json!(enroll::MAX_IMAGES);
    m.insert("PersonInput".into(), person);
    let mut live = schema(&enroll::liveness_fields(), &images);
    live["properties"]["images"]["maxItems"] = json!(enroll::MAX_IMAGES);
    m.insert("PersonWithLiveness".into(), live);
    let mut update = schema(&persons::update_fields(), &images);
    update["properties"]["images"]["maxItems"] = json!(enroll::MAX_IMAGES);
    m.insert("PersonUpdate".into(), update);
    m.insert(
        "CollectionInput".into(),
        schema(&collections::fields(), &images),
    );
    m.insert("DetectInput".into(), schema(&detect::fields(), &images));
    m
}

/// Statuses Verifik adds, query parameters and links.
fn extras() -> Vec<Extra> {
    let mut v = Vec::new();
    let invalid = response(
        "MissingParameter: a field is missing or invalid (Joi's message)",
        "VerifikError",
    );
    let not_found = response(
        "A collection or person it names does not exist",
        "VerifikError",
    );
    let image = response(
        "An image is not base64 (or an https URL where allowed)",
        "VerifikError",
    );
    for r in ROUTES
        .iter()
        .filter(|r| r.tag == TAG && r.request.is_some())
    {
        v.push(extra(
            r.method,
            r.path,
            json!({"responses": {"404": not_found, "409": invalid, "412": image}}),
        ));
    }
    let id = "$response.body#/data/_id";
    v.push(extra(
        "POST",
        "/v2/face-recognition/collections",
        json!({"responses": {"200": {"links": links(&[
            ("GetCollection", "getV2FaceRecognitionCollectionsId", json!({"path.id": id}), None),
            ("UpdateCollection", "putV2FaceRecognitionCollectionsId", json!({"path.id": id}), None),
            ("ListPersons", "getV2FaceRecognitionPersons", json!({"query.collection": id}), None),
            ("DeleteCollection", "deleteV2FaceRecognitionCollectionsId", json!({"path.id": id}), None),
        ])}}}),
    ));
    v.push(extra(
        "POST",
        "/v2/face-recognition/persons",
        json!({"responses": {"200": {"links": links(&[
            ("GetPerson", "getV2FaceRecognitionPersonsId", json!({"path.id": id}), None),
            ("UpdatePerson", "putV2FaceRecognitionPersonsId", json!({"path.id": id}), None),
            ("Verify", "postV2FaceRecognitionVerify", json!({}), Some(json!({"id": id}))),
            ("DeletePerson", "deleteV2FaceRecognitionPersonsId", json!({"path.id": id}), None),
        ])}}}),
    ));
    v.push(extra(
        "GET",
        "/v2/face-recognition/collections",
        json!({"parameters": [query("like_name", false, json!({"type": "string"}), "Only collections whose name contains this (case-insensitive)")]}),
    ));
    v.push(extra(
        "GET",
        "/v2/face-recognition/persons",
        json!({"parameters": [
            query("page", false, json!({"type": "integer", "minimum": 1, "maximum": u64::MAX}), "Page number (default 1)"),
            query("limit", false, json!({"type": "integer", "minimum": 1, "maximum": 100}), "Persons per page (default 10)"),
            query("collection", false, json!({"type": "string"}), "Only members of this collection (id or code)"),
            query("status", false, json!({"type": "string", "enum": persons::STATUSES}), "Only persons with this status"),
            query("populates[]", false, json!({"type": "string", "enum": ["collections", "client"]}), "`collections` embeds each person's collections"),
        ], "responses": {"409": response("INVALID_PARAMETERS: a query parameter is invalid", "VerifikError"), "404": response("No such collection", "VerifikError")}}),
    ));
    v.push(extra(
        "GET",
        "/v2/face-recognition/persons/lookup",
        json!({"parameters": [
            query("name", true, json!({"type": "string", "minLength": 3}), "The name to look up"),
            query("date_of_birth", false, json!({"type": "string", "format": "date"}), "Date of birth, YYYY-MM-DD"),
            query("page", false, json!({"type": "integer", "minimum": 1, "maximum": u64::MAX}), "Page number"),
            query("limit", false, json!({"type": "integer", "minimum": 1, "maximum": 100}), "Persons per page"),
        ], "responses": {"400": response("A query parameter is invalid", "VerifikError"), "409": response("A query parameter is missing or invalid", "VerifikError")}}),
    ));
    v.push(extra(
        "DELETE",
        "/v2/face-recognition/persons/{id}",
        json!({"parameters": [query("collection", false, json!({"type": "string"}), "Only take the person out of this collection")]}),
    ));
    v
}
