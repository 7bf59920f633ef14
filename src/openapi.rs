//! `GET /openapi.json`: an OpenAPI 3.1 description of every route served,
//! precise enough to drive generated tests.
//!
//! The document is generated from plain tables: the core's [`ROUTES`] and
//! every vendor plug-in's own (one row per method and path, with the
//! schemas the rows name), refined by [`Extra`]s (query parameters, the
//! statuses a route adds, links from a create to the operations that use its
//! id). Request schemas say what the handlers enforce: required fields,
//! types, enums, patterns and lengths; where a rule lives in code (the check
//! types, their required ids and options) the schema is built from the same
//! constants. The integration tests probe every row against the router, send
//! each documented example (accepted) and each example without one of its
//! required fields (refused naming that field), and schemathesis runs the
//! whole document against the release binary in CI.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::config::Config;

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
    /// An HTML page.
    Html,
    /// A stream of Server-Sent Events.
    Events,
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

/// What a table row alone cannot say about an operation, merged into it:
/// `parameters` are appended, `responses` merged status by status (a
/// response's `links` included), any other key replaces the generated one.
#[derive(Debug, Clone)]
pub(crate) struct Extra {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) op: Value,
}

pub(crate) fn extra(method: &'static str, path: &'static str, op: Value) -> Extra {
    Extra { method, path, op }
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
    /// The schemas its rows name; some depend on the configuration (image
    /// sizes under `--relax-image-size`).
    pub(crate) schemas: fn(&Config) -> Map<String, Value>,
    /// Parameters, statuses and links its rows do not carry.
    pub(crate) extras: fn() -> Vec<Extra>,
}

use Reply::{Empty, Events, Html, Json as J, Text};

/// The core's own routes. Keep grouped, in router order.
#[rustfmt::skip]
pub(crate) const ROUTES: &[Route] = &[
    r("GET", "/metrics", OPERATIONS, "Prometheus metrics", None, Text),
    r("GET", "/openapi.json", OPERATIONS, "This OpenAPI document", None, J(200, "Object")),
    r("GET", "/__admin/docs", OPERATIONS, "This document, rendered for reading (embedded, offline)", None, Html),
    r("GET", "/__admin/health", ADMIN, "Liveness, readiness and fixture status", None, J(200, "Health")),
    r("GET", "/__admin/scenarios", ADMIN, "Scenario catalog and this tenant's armed scenarios", None, J(200, "ScenarioList")),
    r("POST", "/__admin/scenarios", ADMIN, "Arm a scenario (by name or inline) for this tenant", Some("ArmScenario"), J(201, "Object")),
    r("DELETE", "/__admin/scenarios/{name}", ADMIN, "Disarm a scenario", None, Empty(204)),
    r("POST", "/__admin/reset", ADMIN, "Reset this tenant (or everything with ?all=true)", None, J(200, "Object")),
    r("GET", "/__admin/requests", ADMIN, "This tenant's request journal, newest first", None, J(200, "Journal")),
    r("GET", "/__admin/clock", ADMIN, "This tenant's sandbox clock", None, J(200, "Clock")),
    r("POST", "/__admin/clock/advance", ADMIN, "Move the clock forward", Some("ClockAdvance"), J(200, "Clock")),
    r("POST", "/__admin/clock/freeze", ADMIN, "Freeze the clock", None, J(200, "Clock")),
    r("POST", "/__admin/clock/unfreeze", ADMIN, "Let the clock run again", None, J(200, "Clock")),
    r("GET", "/__admin/export", ADMIN, "Export this tenant's state", None, J(200, "Object")),
    r("POST", "/__admin/import", ADMIN, "Import a tenant export into this tenant (?replace=true empties it first)", Some("Object"), J(200, "Object")),
    r("GET", "/__admin/tenants", ADMIN, "Every tenant the sandbox holds something for, with counts", None, J(200, "Object")),
    r("GET", "/__admin/events", ADMIN, "Server-Sent Events: `change` whenever the tenant (?tenant=) changes", None, Events),
    r("GET", "/__admin/webhooks/deliveries", ADMIN, "This tenant's webhook outbox; ?wait= long-polls for a match", None, J(200, "Object")),
    r("GET", "/__admin/webhooks/deliveries/{id}", ADMIN, "One delivery with the signed body and its signature header", None, J(200, "Object")),
    r("POST", "/__admin/webhooks/deliveries/{id}/redeliver", ADMIN, "Send a delivery again now, same event id", None, J(200, "Object")),
    r("GET", "/__admin/faults", ADMIN, "This tenant's fault profile", None, J(200, "Object")),
    r("PUT", "/__admin/faults", ADMIN, "Set this tenant's fault profile", Some("FaultProfile"), J(200, "Object")),
    r("POST", "/__admin/faults", ADMIN, "Set this tenant's fault profile (alias of PUT)", Some("FaultProfile"), J(200, "Object")),
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

/// A reference to a named schema.
pub(crate) fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A query parameter.
pub(crate) fn query(name: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": schema, "description": description})
}

/// A response with a JSON body of the named schema.
pub(crate) fn response(description: &str, schema: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema_ref(schema)}}})
}

/// Links from a response to operations: `(name, operationId, parameters,
/// requestBody)`; `requestBody` is merged into the generated body.
pub(crate) fn links(rows: &[(&str, &str, Value, Option<Value>)]) -> Value {
    let mut m = Map::new();
    for (name, op, params, body) in rows {
        let mut l = json!({"operationId": op});
        if params.as_object().is_some_and(|p| !p.is_empty()) {
            l["parameters"] = params.clone();
        }
        if let Some(b) = body {
            l["requestBody"] = b.clone();
        }
        m.insert((*name).to_owned(), l);
    }
    Value::Object(m)
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
        "ScenarioList".into(),
        open(
            json!({"catalog": {"type": "array"}, "armed": {"type": "array"}}),
            &[],
        ),
    );
    m.insert(
        "ArmScenario".into(),
        json!({
            "type": "object",
            "properties": {
                "name": string,
                "scenario": {"type": "object"},
                "times": {"type": "integer", "minimum": 1, "maximum": u32::MAX},
            },
            "additionalProperties": false,
            "example": {"name": "attention", "times": 1},
        }),
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
    let count = json!({"type": "integer", "minimum": 0, "maximum": u64::MAX});
    let share = json!({"type": "number", "minimum": 0, "maximum": 1});
    m.insert(
        "FaultProfile".into(),
        json!({
            "type": "object",
            "description": "Every field optional (0, false or 500 when left out).",
            "properties": {
                "latencyMs": count,
                "latencyJitterMs": count,
                "errorRate": share,
                "errorStatus": {"anyOf": [{"const": 0}, {"type": "integer", "minimum": 400, "maximum": 599}]},
                "dropRate": share,
                "rateLimit": {"type": "boolean"},
                "seed": count,
            },
            "additionalProperties": false,
            "example": {"errorRate": 0.5, "errorStatus": 503},
        }),
    );
    m.insert(
        "ClockAdvance".into(),
        json!({
            "description": "Exactly one of `ms` or `seconds`; at most 100 years.",
            "oneOf": [
                {"type": "object", "properties": {"ms": {"type": "integer", "minimum": 0, "maximum": 3_155_760_000_000_i64}}, "required": ["ms"], "additionalProperties": false},
                {"type": "object", "properties": {"seconds": {"type": "number", "minimum": 0, "maximum": 3_155_760_000_i64}}, "required": ["seconds"], "additionalProperties": false},
            ],
            "example": {"seconds": 60},
        }),
    );
    m
}

/// The core's refinements.
fn core_extras() -> Vec<Extra> {
    let bool_flag = json!({"type": "boolean"});
    let string = json!({"type": "string"});
    let count = json!({"type": "integer", "minimum": 0, "maximum": u64::MAX});
    vec![
        extra(
            "GET",
            "/__admin/requests",
            json!({"parameters": [
                query("method", false, string.clone(), "Only this HTTP method"),
                query("pathPrefix", false, string.clone(), "Only paths starting with this"),
                query("status", false, json!({"type": "integer", "minimum": 0, "maximum": 65535}), "Only this status"),
                query("since", false, string.clone(), "Only at or after this time (RFC 3339 or epoch millis)"),
                query("until", false, string.clone(), "Only before this time"),
                query("scenario", false, string.clone(), "Only requests this scenario decided"),
                query("unknownRoute", false, json!({"type": "boolean"}), "Only requests no route matched"),
                query("afterSeq", false, count.clone(), "Only entries after this sequence number"),
                query("seq", false, count.clone(), "Only this entry"),
                query("limit", false, count, "At most this many, newest first"),
            ]}),
        ),
        extra(
            "POST",
            "/__admin/reset",
            json!({"parameters": [query("all", false, bool_flag.clone(), "Reset every tenant")]}),
        ),
        extra(
            "POST",
            "/__admin/import",
            json!({"parameters": [query("replace", false, bool_flag, "Empty the tenant first")]}),
        ),
        extra(
            "GET",
            "/__admin/events",
            json!({"parameters": [query("tenant", false, json!({"type": "string"}), "The tenant to watch")]}),
        ),
        extra(
            "GET",
            "/__admin/webhooks/deliveries",
            json!({"parameters": [
                query("eventType", false, json!({"type": "string"}), "Only this event type"),
                query("eventId", false, json!({"type": "string"}), "Only this event"),
                query("state", false, json!({"type": "string", "enum": ["pending", "delivered", "failed"]}), "Only deliveries in this state"),
                query("webhookId", false, json!({"type": "string"}), "Only this webhook's"),
                query("minAttempts", false, json!({"type": "integer", "minimum": 0, "maximum": u32::MAX}), "At least this many attempts"),
                query("resourceId", false, json!({"type": "string"}), "Only events about this resource"),
                query("wait", false, json!({"type": "number", "minimum": 0, "maximum": 300}), "Long-poll up to this many seconds for a match"),
                query("min", false, json!({"type": "integer", "minimum": 0}), "Long-poll until this many match (default 1)"),
            ]}),
        ),
    ]
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

/// A path parameter: ComplyCube's `{side}` is `front` or `back`; any other
/// id is a string the route answers 404 for when it names nothing.
fn path_parameter(name: &str) -> Value {
    let schema = match name {
        "side" => json!({"type": "string", "enum": ["front", "back"]}),
        _ => json!({"type": "string", "minLength": 1}),
    };
    json!({"name": name, "in": "path", "required": true, "schema": schema})
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
        .map(path_parameter)
        .collect();
    let has_path_params = !params.is_empty();
    if has_path_params {
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
            responses.insert(status.to_string(), response("Success", schema));
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
        Reply::Html => {
            responses.insert(
                "200".into(),
                json!({"description": "An HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}),
            );
        }
        Reply::Events => {
            responses.insert(
                "200".into(),
                json!({"description": "An endless stream of Server-Sent Events", "content": {"text/event-stream": {"schema": {"type": "string"}}}}),
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
        let mut add = |status: &str, description: &str| {
            responses.insert(status.into(), response(description, err));
        };
        if route.request.is_some() {
            add(
                "400",
                "The body is not JSON, or a field is missing, mistyped or not allowed (`param` names it)",
            );
            add("413", "The body is larger than the server accepts");
        }
        if has_path_params {
            add("404", "No such resource for this key");
        }
        if route.path.contains("{side}") {
            add("400", "`side` is neither front nor back");
        }
        if route.tag == ADMIN {
            add("401", "With --admin-token: the token is missing or wrong");
            add("403", "A state-changing call a browser marks as cross-site");
        } else {
            add("401", "The key is missing or not accepted");
            add(
                "429",
                "Only when a scenario or an injected fault (rate limit) asks for it",
            );
            add(
                "5XX",
                "Only when a scenario or an injected fault asks for it",
            );
        }
    }
    op["responses"] = Value::Object(responses);
    match (route.tag, vendor) {
        (ADMIN, _) => op["security"] = json!([{}, {"adminToken": []}]),
        (_, Some(p)) => op["security"] = json!([{p.security.0: []}]),
        _ => op["security"] = json!([]),
    }
    op
}

/// Merges an [`Extra`] into a generated operation.
fn refine(op: &mut Value, extra: &Value) {
    let Some(extra) = extra.as_object() else {
        return;
    };
    for (k, v) in extra {
        match (k.as_str(), &mut op[k]) {
            ("parameters", Value::Array(have)) => {
                have.extend(v.as_array().cloned().unwrap_or_default());
            }
            ("responses", Value::Object(have)) => {
                for (status, resp) in v.as_object().into_iter().flatten() {
                    match have.get_mut(status) {
                        Some(Value::Object(existing)) => {
                            for (rk, rv) in resp.as_object().into_iter().flatten() {
                                existing.insert(rk.clone(), rv.clone());
                            }
                        }
                        _ => {
                            have.insert(status.clone(), resp.clone());
                        }
                    }
                }
            }
            _ => op[k] = v.clone(),
        }
    }
}

/// Every route: the core's and the vendors'.
pub(crate) fn routes<'a>(parts: &'a [&'a Part]) -> impl Iterator<Item = &'a Route> {
    ROUTES
        .iter()
        .chain(parts.iter().flat_map(|p| p.routes.iter()))
}

/// Every refinement: the core's and the vendors'.
fn extras(parts: &[&Part]) -> Vec<Extra> {
    let mut all = core_extras();
    for p in parts {
        all.extend((p.extras)());
    }
    all
}

/// The whole document for these vendor parts under this configuration.
pub(crate) fn document(parts: &[&Part], config: &Config) -> Value {
    let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for route in routes(parts) {
        paths
            .entry(route.path)
            .or_default()
            .insert(route.method.to_ascii_lowercase(), operation(route, parts));
    }
    for e in extras(parts) {
        if let Some(op) = paths
            .get_mut(e.path)
            .and_then(|item| item.get_mut(&e.method.to_ascii_lowercase()))
        {
            refine(op, &e.op);
        }
    }
    let mut schemas = core_schemas();
    let mut schemes = Map::new();
    let mut tags: Vec<Value> = Vec::new();
    for p in parts {
        schemas.extend((p.schemas)(config));
    }
    // A body whose schema requires nothing may be left out: it reads as `{}`.
    for op in paths.values_mut().flat_map(|item| item.values_mut()) {
        let named = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .and_then(|name| schemas.get(name));
        if let Some(schema) = named {
            let demands = ["required", "oneOf", "anyOf"]
                .iter()
                .any(|k| schema.get(k).is_some());
            op["requestBody"]["required"] = json!(demands);
        }
    }
    for p in parts {
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

    fn config() -> Config {
        Config::for_tests()
    }

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
            schemas: |_| {
                let mut m = Map::new();
                m.insert("Thing".into(), json!({"type": "object"}));
                m.insert("VendorError".into(), json!({"type": "object"}));
                m
            },
            extras: || {
                vec![extra(
                    "GET",
                    "/v9/things/{id}",
                    json!({"parameters": [query("q", false, json!({"type": "string"}), "d")],
                           "responses": {"200": {"links": links(&[("self", "getV9ThingsId", json!({"id": "$response.body#/id"}), None)])}}}),
                )]
            },
        }
    }

    #[test]
    fn every_referenced_schema_exists_and_rows_are_unique() {
        let p = part();
        let parts = [&p];
        let doc = document(&parts, &config());
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
    fn operations_carry_parameters_security_errors_and_extras() {
        let p = part();
        let doc = document(&[&p], &config());
        let op = &doc["paths"]["/v9/things/{id}"]["get"];
        assert_eq!(op["parameters"][0]["name"], "id");
        assert_eq!(op["parameters"][1]["name"], "q");
        assert_eq!(op["security"], json!([{"vendorKey": []}]));
        for status in ["401", "404"] {
            assert_eq!(
                op["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/VendorError",
                "{status}"
            );
        }
        assert_eq!(
            op["responses"]["200"]["links"]["self"]["operationId"],
            "getV9ThingsId"
        );
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Thing"
        );
        let admin = &doc["paths"]["/__admin/v9/thing"]["post"];
        assert_eq!(admin["security"], json!([{}, {"adminToken": []}]));
        assert!(admin["responses"]["400"].is_object());
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
