//! `/openapi.json` held to the server: every documented example is
//! accepted, every documented required field is enforced (a body without it
//! is refused naming it), each check type's `oneOf` branch requires exactly
//! its ids, Verifik's required fields are the ones its validator reports,
//! links name real operations, the image rule follows the configuration,
//! and the document's reader is served from the binary.

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_with};

const PLACEHOLDER: &str = "000000000000000000000000";

async fn document(app: &TestApp) -> Value {
    let (s, doc) = app.get("/openapi.json").await;
    assert_eq!(s, 200);
    doc
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn body_schema<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let s = &op["requestBody"]["content"]["application/json"]["schema"];
    (!s.is_null()).then(|| resolve(doc, s))
}

/// The `oneOf` branch (or the schema) an example body falls in, by `type`.
fn branch_of<'a>(schema: &'a Value, body: &Value) -> &'a Value {
    if !body["type"].is_string() {
        return schema;
    }
    schema["oneOf"]
        .as_array()
        .and_then(|branches| {
            branches
                .iter()
                .find(|b| b["properties"]["type"]["const"] == body["type"])
        })
        .unwrap_or(schema)
}

fn required(schema: &Value) -> Vec<String> {
    schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn with_client(v: &Value, client: &str) -> Value {
    match v {
        Value::String(s) if s == PLACEHOLDER => json!(client),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), with_client(v, client)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| with_client(v, client)).collect()),
        other => other.clone(),
    }
}

#[tokio::test]
async fn documented_examples_are_accepted_and_every_required_field_is_enforced() {
    let app = spawn_with(|c| c.relax_image_size = true).await;
    let doc = document(&app).await;
    let client = app.person("John", "Doe").await;
    let mut tried = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(op) = item.get("post") else { continue };
        let complycube = path.starts_with("/v1/") || path.starts_with("/__admin/complycube/");
        if !complycube || path.contains('{') {
            continue;
        }
        let Some(schema) = body_schema(&doc, op) else {
            continue;
        };
        let example = with_client(&schema["example"], &client);
        assert!(
            example.is_object(),
            "POST {path}: the body schema has no example"
        );
        let (s, v) = app.post(path, example.clone()).await;
        assert_eq!(
            s, 200,
            "POST {path}: its documented example was refused: {v}"
        );
        let fields = required(branch_of(schema, &example));
        for field in &fields {
            let mut body = example.clone();
            body.as_object_mut().expect("object").remove(field);
            let (s, v) = app.post(path, body).await;
            assert_eq!(
                (s, v["param"].as_str()),
                (400, Some(field.as_str())),
                "POST {path} without the required '{field}': {v}"
            );
        }
        tried.push(format!("{path} ({})", fields.len()));
    }
    assert!(tried.len() >= 13, "too few bodies checked: {tried:?}");
}

#[tokio::test]
async fn each_check_type_branch_requires_exactly_its_ids() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let client = app.person("John", "Doe").await;
    let op = &doc["paths"]["/v1/checks"]["post"];
    let schema = body_schema(&doc, op).expect("check body");
    let branches = schema["oneOf"].as_array().expect("oneOf by type");
    let ids = ["documentId", "addressId", "livePhotoId", "liveVideoId"];
    let mut types = Vec::new();
    for branch in branches {
        let kind = branch["properties"]["type"]["const"]
            .as_str()
            .expect("each branch fixes its type");
        types.push(kind.to_owned());
        let fields = required(branch);
        let mut full = json!({"type": kind, "clientId": client});
        for f in fields.iter().filter(|f| ids.contains(&f.as_str())) {
            full[f] = json!(PLACEHOLDER);
        }
        // Everything the branch requires is enough: any refusal is about
        // what the ids name (404) or the client's own data, never a missing id.
        let (s, v) = app.post("/v1/checks", full.clone()).await;
        let param = v["param"].as_str().unwrap_or_default();
        assert!(
            s != 400 || !(ids.contains(&param) || param == "type" || param == "clientId"),
            "{kind}: the documented required ids were not enough: {v}"
        );
        for field in &fields {
            let mut body = full.clone();
            body.as_object_mut().expect("object").remove(field);
            let (s, v) = app.post("/v1/checks", body).await;
            assert_eq!(
                (s, v["param"].as_str()),
                (400, Some(field.as_str())),
                "{kind} without '{field}': {v}"
            );
        }
    }
    assert_eq!(types.len(), 14, "{types:?}");
    for workflow_only in ["eid_check", "device_intelligence_check"] {
        assert!(!types.iter().any(|t| t == workflow_only));
        let (s, v) = app
            .post(
                "/v1/checks",
                json!({"type": workflow_only, "clientId": client}),
            )
            .await;
        assert_eq!(
            s, 400,
            "{workflow_only} runs only in workflow sessions: {v}"
        );
    }
}

#[tokio::test]
async fn verifik_required_fields_are_the_ones_its_validator_reports() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(op) = item.get("post") else { continue };
        if !path.starts_with("/v2/") || path.contains('{') {
            continue;
        }
        let Some(schema) = body_schema(&doc, op) else {
            continue;
        };
        let fields = required(schema);
        let (s, v) = app.post(path, json!({})).await;
        let message = v["message"].as_str().unwrap_or_default();
        if fields.is_empty() {
            assert_ne!(s, 409, "POST {path}: nothing documented as required: {v}");
            continue;
        }
        assert_eq!(s, 409, "POST {path} with an empty body: {v}");
        for f in &fields {
            assert!(
                message.contains(&format!("\"{f}\" is required")),
                "POST {path}: '{f}' is documented as required, not reported: {message}"
            );
        }
        assert_eq!(
            message.matches("is required").count(),
            fields.len(),
            "POST {path}: the validator requires fields the document does not: {message}"
        );
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
}

#[tokio::test]
async fn links_name_operations_and_parameters_that_exist() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut ops: std::collections::HashMap<String, &Value> = std::collections::HashMap::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("item").values() {
            ops.insert(op["operationId"].as_str().expect("id").to_owned(), op);
        }
    }
    let mut links = 0;
    for op in ops.values() {
        for resp in op["responses"].as_object().expect("responses").values() {
            for (name, link) in resp["links"].as_object().into_iter().flatten() {
                let target = link["operationId"].as_str().expect("operationId");
                let target = ops
                    .get(target)
                    .unwrap_or_else(|| panic!("link {name} names no operation {target}"));
                for key in link["parameters"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    let (place, param) = key.split_once('.').expect("location.name");
                    let known = target["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| p["in"] == place && p["name"] == param);
                    assert!(known, "link {name}: {target} has no {key} parameter");
                }
                for key in link["requestBody"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    let schema = body_schema(&doc, target).expect("target takes a body");
                    let declared = schema["properties"].get(key).is_some()
                        || schema["oneOf"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|b| b["properties"].get(key).is_some());
                    assert!(
                        declared,
                        "link {name}: the body of {} has no '{key}'",
                        target["operationId"]
                    );
                }
                links += 1;
            }
        }
    }
    assert!(links >= 30, "{links}");
    // The walk a stateful run follows: client → document → upload, client →
    // live photo → check → validate.
    let link = |path: &str, name: &str| {
        doc["paths"][path]["post"]["responses"]["200"]["links"][name].clone()
    };
    assert_eq!(
        link("/v1/clients", "CreateDocument")["operationId"],
        "postV1Documents"
    );
    assert_eq!(
        link("/v1/documents", "UploadImage")["operationId"],
        "postV1DocumentsIdUploadSide"
    );
    assert_eq!(
        link("/v1/clients", "CreateLivePhoto")["operationId"],
        "postV1LivePhotos"
    );
    assert_eq!(
        link("/v1/livePhotos", "CreateAgeEstimationCheck")["operationId"],
        "postV1Checks"
    );
    assert_eq!(
        link("/v1/checks", "ValidateCheck")["operationId"],
        "postV1ChecksIdValidate"
    );
}

#[tokio::test]
async fn the_image_rule_in_the_document_follows_the_configuration() {
    let strict = spawn_app().await;
    let relaxed = spawn_with(|c| c.relax_image_size = true).await;
    let data =
        |doc: &Value| doc["components"]["schemas"]["LivePhotoInput"]["properties"]["data"].clone();
    let s = data(&document(&strict).await);
    assert_eq!(s["minLength"], 46422, "34 KB as unpadded base64: {s}");
    assert_eq!(s["maxLength"], 5592408, "4 MB as padded base64: {s}");
    assert_eq!(data(&document(&relaxed).await)["minLength"], 2);
    // The server agrees: a tiny image is refused by default, accepted relaxed.
    for (app, want) in [(&strict, 400), (&relaxed, 200)] {
        let client = app.person("John", "Doe").await;
        let (s, v) = app
            .post("/v1/livePhotos", json!({"clientId": client, "data": "AA"}))
            .await;
        assert_eq!(s, want, "{v}");
    }
}

#[tokio::test]
async fn the_docs_page_is_served_from_the_binary() {
    let app = spawn_app().await;
    let res = app.call(Method::GET, "/__admin/docs", None).await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    let page = res.text().await.expect("page");
    assert!(page.contains("/__admin/docs/docs.js") && page.contains("/__admin/docs/docs.css"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "nothing fetched from elsewhere: {page}"
    );
    for (file, needle) in [("docs.js", "/openapi.json"), ("docs.css", "details")] {
        let res = app
            .call(Method::GET, &format!("/__admin/docs/{file}"), None)
            .await;
        assert_eq!(res.status(), 200, "{file}");
        let text = res.text().await.expect("text");
        assert!(text.contains(needle), "{file}");
        assert!(!text.contains("innerHTML"), "{file} sets text only");
    }
}
