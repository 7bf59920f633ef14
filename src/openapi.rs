//! `GET /openapi.json`: an OpenAPI 3.1 description of every route served.
//!
//! The document is generated from [`ROUTES`], a plain table: one row per
//! (method, path). Adding a route to the router means adding its row here;
//! the integration tests probe every row against the router and fail on a
//! documented route the router does not know, and on a vendor route the
//! router serves that the table does not list. Schemas stay light: named
//! objects in [`schemas`] with their key fields, open to further keys.

use std::collections::BTreeMap;

use axum::Json;
use serde_json::{Map, Value, json};

/// Which part of the surface a route belongs to (the OpenAPI tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    ComplyCube,
    Verifik,
    Admin,
    Operations,
}

impl Tag {
    pub fn name(self) -> &'static str {
        match self {
            Tag::ComplyCube => "ComplyCube",
            Tag::Verifik => "Verifik",
            Tag::Admin => "Sandbox admin",
            Tag::Operations => "Operations",
        }
    }

    fn error_schema(self) -> Option<&'static str> {
        match self {
            Tag::ComplyCube => Some("ComplyCubeError"),
            Tag::Verifik => Some("VerifikError"),
            Tag::Admin => Some("AdminError"),
            Tag::Operations => None,
        }
    }
}

/// What a successful call returns.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// A JSON body of the named schema, with this status.
    Json(u16, &'static str),
    /// No body (e.g. 204 on delete).
    Empty(u16),
    /// Plain text (Prometheus metrics).
    Text,
}

/// One documented route.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Full path with `{param}` placeholders, exactly as the router spells it.
    pub path: &'static str,
    pub tag: Tag,
    pub summary: &'static str,
    /// The JSON request body's schema, if the route takes one.
    pub request: Option<&'static str>,
    pub reply: Reply,
}

const fn r(
    method: &'static str,
    path: &'static str,
    tag: Tag,
    summary: &'static str,
    request: Option<&'static str>,
    reply: Reply,
) -> Route {
    Route {
        method,
        path,
        tag,
        summary,
        request,
        reply,
    }
}

use Reply::{Empty, Json as J, Text};
use Tag::{Admin, ComplyCube, Operations, Verifik};

/// Every route the router serves. Keep grouped by tag, in router order.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    // --- Operations -------------------------------------------------------
    r("GET", "/metrics", Operations, "Prometheus metrics", None, Text),
    r("GET", "/openapi.json", Operations, "This OpenAPI document", None, J(200, "Object")),
    // --- ComplyCube /v1 ---------------------------------------------------
    r("POST", "/v1/clients", ComplyCube, "Create a client", Some("ClientInput"), J(200, "Client")),
    r("GET", "/v1/clients", ComplyCube, "List clients", None, J(200, "Page")),
    r("GET", "/v1/clients/{id}", ComplyCube, "Get a client", None, J(200, "Client")),
    r("POST", "/v1/clients/{id}", ComplyCube, "Update a client", Some("ClientInput"), J(200, "Client")),
    r("PUT", "/v1/clients/{id}", ComplyCube, "Update a client (alias of POST)", Some("ClientInput"), J(200, "Client")),
    r("PATCH", "/v1/clients/{id}", ComplyCube, "Update a client (alias of POST)", Some("ClientInput"), J(200, "Client")),
    r("DELETE", "/v1/clients/{id}", ComplyCube, "Delete a client", None, Empty(204)),
    r("GET", "/v1/clients/{id}/riskProfile", ComplyCube, "Get a client's risk profile", None, J(200, "Object")),
    r("POST", "/v1/addresses", ComplyCube, "Create an address", Some("Object"), J(200, "Object")),
    r("GET", "/v1/addresses", ComplyCube, "List a client's addresses (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/addresses/{id}", ComplyCube, "Get an address", None, J(200, "Object")),
    r("POST", "/v1/addresses/{id}", ComplyCube, "Update an address", Some("Object"), J(200, "Object")),
    r("PUT", "/v1/addresses/{id}", ComplyCube, "Update an address (alias of POST)", Some("Object"), J(200, "Object")),
    r("PATCH", "/v1/addresses/{id}", ComplyCube, "Update an address (alias of POST)", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/addresses/{id}", ComplyCube, "Delete an address", None, Empty(204)),
    r("POST", "/v1/documents", ComplyCube, "Create a document", Some("Object"), J(200, "Object")),
    r("GET", "/v1/documents", ComplyCube, "List a client's documents (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/documents/{id}", ComplyCube, "Get a document", None, J(200, "Object")),
    r("POST", "/v1/documents/{id}", ComplyCube, "Update a document", Some("Object"), J(200, "Object")),
    r("PUT", "/v1/documents/{id}", ComplyCube, "Update a document (alias of POST)", Some("Object"), J(200, "Object")),
    r("PATCH", "/v1/documents/{id}", ComplyCube, "Update a document (alias of POST)", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/documents/{id}", ComplyCube, "Delete a document", None, Empty(204)),
    r("POST", "/v1/documents/{id}/upload/{side}", ComplyCube, "Upload a document image (front or back)", Some("Object"), J(200, "Object")),
    r("GET", "/v1/documents/{id}/download/{side}", ComplyCube, "Download a document image", None, J(200, "Object")),
    r("GET", "/v1/documents/{id}/images/{imageId}/download", ComplyCube, "Download a document image by id", None, J(200, "Object")),
    r("DELETE", "/v1/documents/{id}/{side}", ComplyCube, "Delete a document image", None, Empty(204)),
    r("POST", "/v1/documents/{id}/redact", ComplyCube, "Redact a document", Some("Object"), J(200, "Object")),
    r("POST", "/v1/livePhotos", ComplyCube, "Upload a live photo", Some("Object"), J(200, "Object")),
    r("GET", "/v1/livePhotos", ComplyCube, "List a client's live photos (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/livePhotos/{id}", ComplyCube, "Get a live photo", None, J(200, "Object")),
    r("GET", "/v1/livePhotos/{id}/download", ComplyCube, "Download a live photo", None, J(200, "Object")),
    r("POST", "/v1/livePhotos/{id}/redact", ComplyCube, "Redact a live photo", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/livePhotos/{id}", ComplyCube, "Delete a live photo", None, Empty(204)),
    r("GET", "/v1/liveVideos", ComplyCube, "List a client's live videos (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/liveVideos/{id}", ComplyCube, "Get a live video", None, J(200, "Object")),
    r("POST", "/v1/liveVideos/{id}/redact", ComplyCube, "Redact a live video", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/liveVideos/{id}", ComplyCube, "Delete a live video", None, Empty(204)),
    r("POST", "/v1/checks", ComplyCube, "Create a check (answers pending)", Some("Object"), J(200, "Object")),
    r("GET", "/v1/checks", ComplyCube, "List checks", None, J(200, "Page")),
    r("GET", "/v1/checks/{id}", ComplyCube, "Get a check", None, J(200, "Object")),
    r("POST", "/v1/checks/{id}", ComplyCube, "Update a screening check", Some("Object"), J(200, "Object")),
    r("PUT", "/v1/checks/{id}", ComplyCube, "Update a screening check (alias of POST)", Some("Object"), J(200, "Object")),
    r("PATCH", "/v1/checks/{id}", ComplyCube, "Update a screening check (alias of POST)", Some("Object"), J(200, "Object")),
    r("POST", "/v1/checks/{id}/validate", ComplyCube, "Validate a check outcome", Some("Object"), J(200, "Object")),
    r("POST", "/v1/checks/{id}/redact", ComplyCube, "Redact a document check", Some("Object"), J(200, "Object")),
    r("POST", "/v1/tokens", ComplyCube, "Create an SDK token", Some("Object"), J(200, "Object")),
    r("GET", "/v1/reports", ComplyCube, "Generate a client or check report (?clientId= | ?checkId=)", None, J(200, "Object")),
    r("POST", "/v1/webhooks", ComplyCube, "Create a webhook (the only answer carrying its secret)", Some("Object"), J(200, "Object")),
    r("GET", "/v1/webhooks", ComplyCube, "List webhooks", None, J(200, "Page")),
    r("GET", "/v1/webhooks/{id}", ComplyCube, "Get a webhook", None, J(200, "Object")),
    r("POST", "/v1/webhooks/{id}", ComplyCube, "Update a webhook", Some("Object"), J(200, "Object")),
    r("PUT", "/v1/webhooks/{id}", ComplyCube, "Update a webhook (alias of POST)", Some("Object"), J(200, "Object")),
    r("PATCH", "/v1/webhooks/{id}", ComplyCube, "Update a webhook (alias of POST)", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/webhooks/{id}", ComplyCube, "Delete a webhook", None, Empty(204)),
    // --- Verifik /v2 ------------------------------------------------------
    r("POST", "/v2/face-recognition/compare-with-liveness", Verifik, "Compare a probe with a gallery, then check the probe's liveness", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/compare", Verifik, "Compare faces 1:N", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/compare-live", Verifik, "Compare and check liveness in one call", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/liveness", Verifik, "Passive liveness", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/liveness-score", Verifik, "Passive liveness score", Some("Object"), J(200, "VerifikEnvelope")),
    r("POST", "/v2/face-recognition/search", Verifik, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/search-live-face", Verifik, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/search-active-user", Verifik, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/search/crops", Verifik, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/detect", Verifik, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    r("POST", "/v2/face-recognition/verify", Verifik, "Not emulated: answers 501 NotImplemented", Some("Object"), J(501, "VerifikError")),
    // --- Sandbox admin /__admin ----------------------------------------------
    r("GET", "/__admin/health", Admin, "Liveness, readiness and fixture status", None, J(200, "Health")),
    r("GET", "/__admin/scenarios", Admin, "Scenario catalog and this tenant's armed scenarios", None, J(200, "Object")),
    r("POST", "/__admin/scenarios", Admin, "Arm a scenario (by name or inline) for this tenant", Some("ArmScenario"), J(201, "Object")),
    r("DELETE", "/__admin/scenarios/{name}", Admin, "Disarm a scenario", None, Empty(204)),
    r("POST", "/__admin/reset", Admin, "Reset this tenant (or everything with ?all=true)", None, J(200, "Object")),
    r("GET", "/__admin/requests", Admin, "This tenant's request journal, newest first", None, J(200, "Journal")),
    r("GET", "/__admin/clock", Admin, "This tenant's sandbox clock", None, J(200, "Clock")),
    r("POST", "/__admin/clock/advance", Admin, "Move the clock forward", Some("ClockAdvance"), J(200, "Clock")),
    r("POST", "/__admin/clock/freeze", Admin, "Freeze the clock", None, J(200, "Clock")),
    r("POST", "/__admin/clock/unfreeze", Admin, "Let the clock run again", None, J(200, "Clock")),
    r("POST", "/__admin/complycube/liveVideos", Admin, "Create a ComplyCube live video (ComplyCube has no public create)", Some("Object"), J(200, "Object")),
    r("POST", "/__admin/verifik/tokens/expire", Admin, "Make a Verifik token answer 403", Some("Object"), J(200, "Object")),
    r("POST", "/__admin/verifik/tokens/unexpire", Admin, "Lift a Verifik token's expiry", Some("Object"), J(200, "Object")),
    r("GET", "/__admin/webhooks/deliveries", Admin, "This tenant's webhook outbox; ?wait= long-polls for a match", None, J(200, "Object")),
    r("POST", "/__admin/webhooks/deliveries/{id}/redeliver", Admin, "Send a delivery again now, same event id", None, J(200, "Object")),
    r("GET", "/__admin/faults", Admin, "This tenant's fault profile", None, J(200, "Object")),
    r("PUT", "/__admin/faults", Admin, "Set this tenant's fault profile", Some("Object"), J(200, "Object")),
    r("POST", "/__admin/faults", Admin, "Set this tenant's fault profile (alias of PUT)", Some("Object"), J(200, "Object")),
    r("DELETE", "/__admin/faults", Admin, "Return to the global fault flags", None, J(200, "Object")),
];

/// Named schemas referenced by [`ROUTES`]. Objects stay open
/// (`additionalProperties` allowed) so vendor fields need no listing here.
pub fn schemas() -> Map<String, Value> {
    let open = |props: Value, required: &[&str]| {
        let mut s = json!({"type": "object", "properties": props});
        if !required.is_empty() {
            s["required"] = json!(required);
        }
        s
    };
    let string = json!({"type": "string"});
    let mut m = Map::new();
    m.insert("Object".into(), json!({"type": "object"}));
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
        "ComplyCubeError".into(),
        open(
            json!({"type": string, "message": string, "param": string}),
            &["type", "message"],
        ),
    );
    m.insert(
        "VerifikError".into(),
        open(json!({"code": string, "message": string}), &["message"]),
    );
    m.insert(
        "AdminError".into(),
        open(
            json!({"error": string, "message": string}),
            &["error", "message"],
        ),
    );
    m.insert(
        "Page".into(),
        open(
            json!({
                "page": {"type": "integer"},
                "pageSize": {"type": "integer"},
                "totalItems": {"type": "integer"},
                "pages": {"type": "integer"},
                "items": {"type": "array", "items": {"type": "object"}},
            }),
            &["items"],
        ),
    );
    m.insert(
        "ClientInput".into(),
        open(
            json!({
                "type": {"type": "string", "enum": ["person", "company"]},
                "email": string,
                "mobile": string,
                "telephone": string,
                "externalId": string,
                "joinedDate": string,
                "personDetails": {"type": "object"},
                "companyDetails": {"type": "object"},
                "metadata": {"type": "object"},
            }),
            &[],
        ),
    );
    m.insert(
        "Client".into(),
        open(
            json!({
                "id": string,
                "type": {"type": "string", "enum": ["person", "company"]},
                "entityName": string,
                "email": string,
                "personDetails": {"type": "object"},
                "companyDetails": {"type": "object"},
                "createdAt": {"type": "string", "format": "date-time"},
                "updatedAt": {"type": "string", "format": "date-time"},
            }),
            &["id", "type", "createdAt"],
        ),
    );
    m.insert(
        "Health".into(),
        open(
            json!({
                "status": {"type": "string", "enum": ["ok", "degraded"]},
                "live": {"type": "boolean"},
                "ready": {"type": "boolean"},
                "version": string,
                "fixtures": {"type": "object"},
            }),
            &["status"],
        ),
    );
    m.insert(
        "ArmScenario".into(),
        open(
            json!({
                "name": string,
                "scenario": {"type": "object"},
                "times": {"type": "integer", "minimum": 1},
            }),
            &[],
        ),
    );
    m.insert(
        "Journal".into(),
        open(
            json!({
                "totalKept": {"type": "integer"},
                "keptBytes": {"type": "integer"},
                "evicted": {"type": "integer"},
                "items": {"type": "array", "items": {"type": "object"}},
            }),
            &["items"],
        ),
    );
    m.insert(
        "Clock".into(),
        open(
            json!({
                "now": {"type": "string", "format": "date-time"},
                "nowMs": {"type": "integer"},
                "offsetMs": {"type": "integer"},
                "frozen": {"type": "boolean"},
                "scale": {"type": "number"},
            }),
            &["now", "nowMs"],
        ),
    );
    m.insert(
        "ClockAdvance".into(),
        open(
            json!({"ms": {"type": "integer", "minimum": 0}, "seconds": {"type": "number", "minimum": 0}}),
            &[],
        ),
    );
    m
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn operation_id(route: &Route) -> String {
    let mut id = route.method.to_ascii_lowercase();
    for part in route.path.split(['/', '-', '.', '_']) {
        let part = part.trim_matches(|c| c == '{' || c == '}');
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

fn operation(route: &Route) -> Value {
    let mut op = json!({
        "operationId": operation_id(route),
        "summary": route.summary,
        "tags": [route.tag.name()],
    });
    let params: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    if !params.is_empty() {
        op["parameters"] = Value::Array(params);
    }
    if let Some(req) = route.request {
        op["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": schema_ref(req)}},
        });
    }
    let mut responses = Map::new();
    match route.reply {
        Reply::Json(status, schema) => {
            responses.insert(
                status.to_string(),
                json!({"description": "Success", "content": {"application/json": {"schema": schema_ref(schema)}}}),
            );
        }
        Reply::Empty(status) => {
            responses.insert(
                status.to_string(),
                json!({"description": "Success, no body"}),
            );
        }
        Reply::Text => {
            responses.insert(
                "200".into(),
                json!({"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}),
            );
        }
    }
    if let Some(err) = route.tag.error_schema() {
        responses.insert(
            "default".into(),
            json!({"description": "Error", "content": {"application/json": {"schema": schema_ref(err)}}}),
        );
    }
    op["responses"] = Value::Object(responses);
    match route.tag {
        Tag::ComplyCube => op["security"] = json!([{"complyCubeApiKey": []}]),
        Tag::Verifik => op["security"] = json!([{"verifikToken": []}]),
        Tag::Admin => op["security"] = json!([{}, {"adminToken": []}]),
        Tag::Operations => {}
    }
    op
}

/// The whole document.
pub fn document() -> Value {
    let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for route in ROUTES {
        paths
            .entry(route.path)
            .or_default()
            .insert(route.method.to_ascii_lowercase(), operation(route));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "kyc-sandbox",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Self-hosted sandbox emulating the ComplyCube (/v1) and Verifik (/v2/face-recognition) APIs, plus its own admin API (/__admin).",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "http://localhost:8080"}],
        "tags": [
            {"name": Tag::ComplyCube.name(), "description": "ComplyCube API emulation; the API key in 'Authorization' is the tenant."},
            {"name": Tag::Verifik.name(), "description": "Verifik face-recognition emulation; the token in 'Authorization' is the tenant."},
            {"name": Tag::Admin.name(), "description": "Sandbox control: scenarios, journal, clock, reset."},
            {"name": Tag::Operations.name(), "description": "Metrics and this document."},
        ],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "complyCubeApiKey": {"type": "apiKey", "in": "header", "name": "Authorization"},
                "verifikToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "adminToken": {"type": "apiKey", "in": "header", "name": "X-Admin-Token"},
            },
        },
    })
}

/// `GET /openapi.json`.
pub async fn handler() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_referenced_schema_exists_and_rows_are_unique() {
        let schemas = schemas();
        let mut seen = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for route in ROUTES {
            assert!(
                seen.insert((route.method, route.path)),
                "duplicate row {} {}",
                route.method,
                route.path
            );
            assert!(
                ids.insert(operation_id(route)),
                "duplicate operationId for {}",
                route.path
            );
            assert!(
                ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&route.method),
                "method {}",
                route.method
            );
            let mut names: Vec<&str> = route.request.into_iter().collect();
            if let Reply::Json(_, s) = route.reply {
                names.push(s);
            }
            names.extend(route.tag.error_schema());
            for name in names {
                assert!(
                    schemas.contains_key(name),
                    "{} {}: no schema {name}",
                    route.method,
                    route.path
                );
            }
        }
    }

    #[test]
    fn path_parameters_are_declared() {
        let doc = document();
        let op = &doc["paths"]["/v1/clients/{id}"]["get"];
        assert_eq!(op["parameters"][0]["name"], "id");
        assert_eq!(op["parameters"][0]["in"], "path");
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
