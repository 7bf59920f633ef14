//! The bad-input matrix: every malformed request gets ComplyCube's JSON error.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{decode, spawn_app, spawn_with};

struct Case {
    what: &'static str,
    method: Method,
    path: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    kind: &'static str,
    param: Option<&'static str>,
}

#[expect(clippy::too_many_arguments, reason = "one argument per table column")]
fn case(
    what: &'static str,
    method: Method,
    path: &'static str,
    content_type: Option<&'static str>,
    body: &[u8],
    status: u16,
    kind: &'static str,
    param: Option<&'static str>,
) -> Case {
    Case {
        what,
        method,
        path,
        content_type,
        body: body.to_vec(),
        status,
        kind,
        param,
    }
}

#[tokio::test]
async fn bad_input_gets_complycube_json_errors() {
    let app = spawn_with(|c| c.max_body_bytes = 64 * 1024).await;
    let json_ct = Some("application/json");
    let big = format!(
        "{{\"type\":\"person\",\"email\":\"{}\"}}",
        "x".repeat(70 * 1024)
    );
    let cases = vec![
        case("unknown route", Method::GET, "/v1/nothing", None, b"", 404, "resource_not_found", None),
        case("unknown nested route", Method::GET, "/v1/clients/abc/nothing", None, b"", 404, "resource_not_found", None),
        case("wrong method", Method::DELETE, "/v1/checks", None, b"", 405, "invalid_request", None),
        case("malformed JSON", Method::POST, "/v1/clients", json_ct, b"{\"type\": ", 400, "invalid_request", None),
        case("JSON array body", Method::POST, "/v1/clients", json_ct, b"[1,2]", 400, "invalid_request", None),
        case("wrong type: email", Method::POST, "/v1/clients", json_ct, br#"{"type":"person","email":5}"#, 400, "invalid_request", Some("email")),
        case(
            "wrong nested type",
            Method::POST,
            "/v1/clients",
            json_ct,
            br#"{"type":"person","email":"a@b.co","personDetails":{"firstName":1,"lastName":"x"}}"#,
            400,
            "invalid_request",
            Some("personDetails.firstName"),
        ),
        case("metadata value not a string", Method::POST, "/v1/clients", json_ct, br#"{"type":"person","email":"a@b.co","metadata":{"k":1}}"#, 400, "invalid_request", Some("metadata.k")),
        case("form content type", Method::POST, "/v1/clients", Some("application/x-www-form-urlencoded"), b"type=person", 400, "invalid_request", None),
        case("empty body", Method::POST, "/v1/clients", json_ct, b"", 400, "invalid_request", Some("type")),
        case("missing email", Method::POST, "/v1/clients", json_ct, br#"{"type":"person"}"#, 400, "invalid_request", Some("email")),
        case("bad client type", Method::POST, "/v1/clients", json_ct, br#"{"type":"robot","email":"a@b.co"}"#, 400, "invalid_request", Some("type")),
        case("person without details", Method::POST, "/v1/clients", json_ct, br#"{"type":"person","email":"a@b.co"}"#, 400, "invalid_request", Some("personDetails")),
        case("company without name", Method::POST, "/v1/clients", json_ct, br#"{"type":"company","email":"a@b.co","companyDetails":{}}"#, 400, "invalid_request", Some("companyDetails.name")),
        case("bad email", Method::POST, "/v1/clients", json_ct, br#"{"type":"person","email":"nope","personDetails":{"firstName":"a","lastName":"b"}}"#, 400, "invalid_request", Some("email")),
        case("bad dob", Method::POST, "/v1/clients", json_ct, br#"{"type":"person","email":"a@b.co","personDetails":{"firstName":"a","lastName":"b","dob":"1990-13-01"}}"#, 400, "invalid_request", Some("personDetails.dob")),
        case("bad nationality", Method::POST, "/v1/clients", json_ct, br#"{"type":"person","email":"a@b.co","personDetails":{"firstName":"a","lastName":"b","nationality":"gbr"}}"#, 400, "invalid_request", Some("personDetails.nationality")),
        case("bad gender", Method::POST, "/v1/clients", json_ct, br#"{"type":"person","email":"a@b.co","personDetails":{"firstName":"a","lastName":"b","gender":"x"}}"#, 400, "invalid_request", Some("personDetails.gender")),
        case("bad incorporationType", Method::POST, "/v1/clients", json_ct, br#"{"type":"company","email":"a@b.co","companyDetails":{"name":"A","incorporationType":"x"}}"#, 400, "invalid_request", Some("companyDetails.incorporationType")),
        case("oversized body", Method::POST, "/v1/clients", json_ct, big.as_bytes(), 413, "request_too_large", None),
        case("malformed id", Method::GET, "/v1/clients/not-an-id", None, b"", 404, "resource_not_found", None),
        case("bad page", Method::GET, "/v1/clients?page=0", None, b"", 400, "invalid_request", Some("page")),
        case("bad pageSize", Method::GET, "/v1/clients?pageSize=abc", None, b"", 400, "invalid_request", Some("pageSize")),
        case("check body wrong type", Method::POST, "/v1/checks", json_ct, br#"{"clientId":["x"],"type":"identity_check"}"#, 400, "invalid_request", Some("clientId")),
    ];
    for c in cases {
        let mut req = app
            .client
            .request(c.method.clone(), app.url(c.path))
            .header("Authorization", &app.key)
            .body(c.body.clone());
        if let Some(ct) = c.content_type {
            req = req.header("Content-Type", ct);
        }
        let (status, body) = decode(req.send().await.expect("sent")).await;
        assert_eq!(status, c.status, "{}: {body}", c.what);
        assert_eq!(body["type"], c.kind, "{}: {body}", c.what);
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}: {body}",
            c.what
        );
        assert_eq!(
            body.get("param").and_then(Value::as_str),
            c.param,
            "{}: {body}",
            c.what
        );
    }
}

#[tokio::test]
async fn a_body_without_content_type_is_read_as_json() {
    let app = spawn_with(|_| {}).await;
    let res = app
        .client
        .post(app.url("/v1/clients"))
        .header("Authorization", &app.key)
        .body(json!({"type":"person","email":"a@b.co","personDetails":{"firstName":"A","lastName":"B"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn rejected_updates_lose_nothing() {
    let app = spawn_with(|_| {}).await;
    let id = app.person("Keep", "Me").await;
    let (_, before) = app.get(&format!("/v1/clients/{id}")).await;
    for bad in [
        json!({"email": "nope"}),
        json!({"type": "company"}),
        json!({"personDetails": {"dob": "yesterday"}}),
        json!({"personDetails": {"firstName": ""}}),
    ] {
        let (s, _) = app.post(&format!("/v1/clients/{id}"), bad.clone()).await;
        assert_eq!(s, 400, "{bad}");
    }
    let (_, after) = app.get(&format!("/v1/clients/{id}")).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_scheme_without_a_key_is_no_key() {
    let app = spawn_app().await;
    for auth in ["Bearer", "Bearer   ", "JWT", "bearer"] {
        let (s, v) = app.json_as(auth, Method::GET, "/v1/clients", None).await;
        assert_eq!(
            (s, v),
            (
                401,
                json!({"type":"unauthorized","message":"The 'Authorization' header is invalid"})
            ),
            "{auth:?}"
        );
        let (s, v) = app
            .json_as(
                auth,
                Method::POST,
                "/v2/face-recognition/liveness",
                Some(&json!({})),
            )
            .await;
        assert_eq!(
            (s, v),
            (
                401,
                json!({"message":"Authentication required","code":"UNAUTHORIZED"})
            ),
            "{auth:?}"
        );
    }
}
