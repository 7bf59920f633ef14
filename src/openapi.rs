//! `GET /openapi.json`: an OpenAPI 3.1 description of every route served.
//!
//! The document is generated from plain tables: the core's [`ROUTES`] and
//! every vendor plug-in's own (one row per method and path, with the
//! schemas the rows name). Adding a route to a router means adding its row;
//! the integration tests probe every row against the router and fail on a
//! documented route the router does not know, and on a vendor route the
//! router serves that no table lists. Schemas stay light: named objects with
//! their key fields, open to further keys.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// The tag of the sandbox's own admin API.
pub(crate) const ADMIN: &str = "Sandbox admin";
/// The tag of metrics and this document.
pub(crate) const OPERATIONS: &str = "Operations";

/// What a successful call returns.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reply {
    /// A JSON body of the named schema, with this status.
    Json(u16, &'static str),
    /// No body (e.g. 204 on delete).
    Empty(u16),
    /// Plain text (Prometheus metrics).
    Text,
    /// Bytes of this media type (an image).
    Media(&'static str),
}

/// One documented route.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    /// Upper-case HTTP method.
    pub(crate) method: &'static str,
    /// Full path with `{param}` placeholders, exactly as the router spells it.
    pub(crate) path: &'static str,
    /// The OpenAPI tag (a vendor's name, [`ADMIN`] or [`OPERATIONS`]).
    pub(crate) tag: &'static str,
    pub(crate) summary: &'static str,
    /// The JSON request body's schema, if the route takes one.
    pub(crate) request: Option<&'static str>,
    pub(crate) reply: Reply,
}

pub(crate) const fn r(
    method: &'static str,
    path: &'static str,
    tag: &'static str,
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

/// What a vendor plug-in adds to the document.
pub(crate) struct Part {
    /// Its tag and what it says about it.
    pub(crate) tag: &'static str,
    pub(crate) description: &'static str,
    /// The schema its error answers follow.
    pub(crate) error_schema: &'static str,
    /// Its security scheme: name and definition.
    pub(crate) security: (&'static str, fn() -> Value),
    pub(crate) routes: &'static [Route],
    /// The schemas its rows name.
    pub(crate) schemas: fn() -> Map<String, Value>,
}

use Reply::{Empty, Json as J, Text};

/// The core's own routes. Keep grouped, in router order.
#[rustfmt::skip]
pub(crate) const ROUTES: &[Route] = &[
    r("GET", "/metrics", OPERATIONS, "Prometheus metrics", None, Text),
    r("GET", "/openapi.json", OPERATIONS, "This OpenAPI document", None, J(200, "Object")),
    r("GET", "/__admin/health", ADMIN, "Liveness, readiness and fixture status", None, J(200, "Health")),
    r("GET", "/__admin/scenarios", ADMIN, "Scenario catalog and this tenant's armed scenarios", None, J(200, "Object")),
    r("POST", "/__admin/scenarios", ADMIN, "Arm a scenario (by name or inline) for this tenant", Some("ArmScenario"), J(201, "Object")),
    r("DELETE", "/__admin/scenarios/{name}", ADMIN, "Disarm a scenario", None, Empty(204)),
    r("POST", "/__admin/reset", ADMIN, "Reset this tenant (or everything with ?all=true)", None, J(200, "Object")),
    r("GET", "/__admin/requests", ADMIN, "This tenant's request journal, newest first", None, J(200, "Journal")),
    r("GET", "/__admin/clock", ADMIN, "This tenant's sandbox clock", None, J(200, "Clock")),
    r("POST", "/__admin/clock/advance", ADMIN, "Move the clock forward", Some("ClockAdvance"), J(200, "Clock")),
    r("POST", "/__admin/clock/freeze", ADMIN, "Freeze the clock", None, J(200, "Clock")),
    r("POST", "/__admin/clock/unfreeze", ADMIN, "Let the clock run again", None, J(200, "Clock")),
    r("GET", "/__admin/webhooks/deliveries", ADMIN, "This tenant's webhook outbox; ?wait= long-polls for a match", None, J(200, "Object")),
    r("GET", "/__admin/webhooks/deliveries/{id}", ADMIN, "One delivery with the signed body and its signature header", None, J(200, "Object")),
    r("GET", "/__admin/tenants", ADMIN, "Every tenant the sandbox holds something for, with counts", None, J(200, "Object")),
    r("GET", "/__admin/events", ADMIN, "Server-Sent Events: `change` whenever the tenant (?tenant=) changes", None, J(200, "Object")),
    r("POST", "/__admin/webhooks/deliveries/{id}/redeliver", ADMIN, "Send a delivery again now, same event id", None, J(200, "Object")),
    r("GET", "/__admin/faults", ADMIN, "This tenant's fault profile", None, J(200, "Object")),
    r("PUT", "/__admin/faults", ADMIN, "Set this tenant's fault profile", Some("Object"), J(200, "Object")),
    r("POST", "/__admin/faults", ADMIN, "Set this tenant's fault profile (alias of PUT)", Some("Object"), J(200, "Object")),
    r("DELETE", "/__admin/faults", ADMIN, "Return to the global fault flags", None, J(200, "Object")),
];

/// An object schema with these properties, open to more.
pub(crate) fn open(props: Value, required: &[&str]) -> Value {
    let mut s = json!({"type": "object", "properties": props});
    if !required.is_empty() {
        s["required"] = json!(required);
    }
    s
}

/// The core's schemas (vendors bring their own).
fn core_schemas() -> Map<String, Value> {
    let string = json!({"type": "string"});
    let mut m = Map::new();
    m.insert("Object".into(), json!({"type": "object"}));
    m.insert(
        "AdminError".into(),
        open(
            json!({"error": string, "message": string}),
            &["error", "message"],
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

fn operation(route: &Route, parts: &[&Part]) -> Value {
    let mut op = json!({
        "operationId": operation_id(route),
        "summary": route.summary,
        "tags": [route.tag],
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
        Reply::Media(kind) => {
            responses.insert(
                "200".into(),
                json!({"description": "Success", "content": {kind: {"schema": {"type": "string", "format": "binary"}}}}),
            );
        }
    }
    let vendor = parts.iter().find(|p| p.tag == route.tag);
    let error = match (route.tag, vendor) {
        (ADMIN, _) => Some("AdminError"),
        (_, Some(p)) => Some(p.error_schema),
        _ => None,
    };
    if let Some(err) = error {
        responses.insert(
            "default".into(),
            json!({"description": "Error", "content": {"application/json": {"schema": schema_ref(err)}}}),
        );
    }
    op["responses"] = Value::Object(responses);
    match (route.tag, vendor) {
        (ADMIN, _) => op["security"] = json!([{}, {"adminToken": []}]),
        (_, Some(p)) => op["security"] = json!([{p.security.0: []}]),
        _ => {}
    }
    op
}

/// Every route: the core's and the vendors'.
pub(crate) fn routes<'a>(parts: &'a [&'a Part]) -> impl Iterator<Item = &'a Route> {
    ROUTES
        .iter()
        .chain(parts.iter().flat_map(|p| p.routes.iter()))
}

/// The whole document for these vendor parts.
pub(crate) fn document(parts: &[&Part]) -> Value {
    let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for route in routes(parts) {
        paths
            .entry(route.path)
            .or_default()
            .insert(route.method.to_ascii_lowercase(), operation(route, parts));
    }
    let mut schemas = core_schemas();
    let mut schemes = Map::new();
    let mut tags: Vec<Value> = Vec::new();
    for p in parts {
        schemas.extend((p.schemas)());
        schemes.insert(p.security.0.into(), (p.security.1)());
        tags.push(json!({"name": p.tag, "description": p.description}));
    }
    schemes.insert(
        "adminToken".into(),
        json!({"type": "apiKey", "in": "header", "name": "X-Admin-Token"}),
    );
    tags.push(
        json!({"name": ADMIN, "description": "Sandbox control: scenarios, journal, clock, reset."}),
    );
    tags.push(json!({"name": OPERATIONS, "description": "Metrics and this document."}));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "kyc-sandbox",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Self-hosted sandbox emulating identity-verification APIs, plus its own admin API (/__admin).",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "http://localhost:8080"}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": schemes,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part() -> Part {
        static ROWS: &[Route] = &[
            r(
                "GET",
                "/v9/things/{id}",
                "Vendor",
                "Get a thing",
                None,
                Reply::Json(200, "Thing"),
            ),
            r(
                "POST",
                "/__admin/v9/thing",
                ADMIN,
                "Make a thing",
                Some("Object"),
                Reply::Json(200, "Object"),
            ),
        ];
        Part {
            tag: "Vendor",
            description: "d",
            error_schema: "VendorError",
            security: (
                "vendorKey",
                || json!({"type": "apiKey", "in": "header", "name": "Authorization"}),
            ),
            routes: ROWS,
            schemas: || {
                let mut m = Map::new();
                m.insert("Thing".into(), json!({"type": "object"}));
                m.insert("VendorError".into(), json!({"type": "object"}));
                m
            },
        }
    }

    #[test]
    fn every_referenced_schema_exists_and_rows_are_unique() {
        let p = part();
        let parts = [&p];
        let doc = document(&parts);
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for route in routes(&parts) {
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
            let mut names: Vec<&str> = route.request.into_iter().collect();
            if let Reply::Json(_, s) = route.reply {
                names.push(s);
            }
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
    fn operations_carry_parameters_security_and_errors() {
        let p = part();
        let doc = document(&[&p]);
        let op = &doc["paths"]["/v9/things/{id}"]["get"];
        assert_eq!(op["parameters"][0]["name"], "id");
        assert_eq!(op["security"], json!([{"vendorKey": []}]));
        assert_eq!(
            op["responses"]["default"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/VendorError"
        );
        let admin = &doc["paths"]["/__admin/v9/thing"]["post"];
        assert_eq!(admin["security"], json!([{}, {"adminToken": []}]));
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
