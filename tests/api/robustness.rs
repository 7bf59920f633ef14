//! Hostile and malformed traffic: every refusal is the answering API's JSON
//! error, bodies are bounded per route and in total, and concurrent writers
//! lose nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_with};

/// Whose error envelope a refusal must use.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// ComplyCube: `{type, message, param?}`.
    ComplyCube,
    /// Verifik: `{code, message}` in either key order.
    Verifik,
    /// The admin API: `{error, message}`.
    Admin,
}

impl Shape {
    fn holds(self, body: &Value) -> bool {
        let Some(obj) = body.as_object() else {
            return false;
        };
        let text = |k: &str| obj.get(k).is_some_and(Value::is_string);
        let only = |keys: &[&str]| obj.keys().all(|k| keys.contains(&k.as_str()));
        match self {
            Shape::ComplyCube => {
                text("type") && text("message") && only(&["type", "message", "param"])
            }
            Shape::Verifik => text("code") && text("message") && only(&["code", "message"]),
            Shape::Admin => text("error") && text("message") && only(&["error", "message"]),
        }
    }
}

struct Case {
    what: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    shape: Shape,
}

fn case(
    what: &'static str,
    method: Method,
    path: &str,
    content_type: Option<&'static str>,
    body: &[u8],
    status: u16,
    shape: Shape,
) -> Case {
    Case {
        what,
        method,
        path: path.to_owned(),
        content_type,
        body: body.to_vec(),
        status,
        shape,
    }
}

/// Sends each case with a ComplyCube key (Verifik takes any token) and
/// checks the status, the JSON content type and the envelope.
async fn check(app: &crate::helpers::TestApp, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for c in cases {
        let mut req = app
            .client
            .request(c.method.clone(), app.url(&c.path))
            .header("Authorization", &app.key);
        if let Some(ct) = c.content_type {
            req = req.header("Content-Type", ct);
        }
        if !c.body.is_empty() {
            req = req.body(c.body.clone());
        }
        let res = req.send().await.expect("answered");
        let status = res.status().as_u16();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = res.text().await.unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != c.status || !ct.starts_with("application/json") || !c.shape.holds(&body) {
            failures.push(format!(
                "{} ({} {}): {status} {ct} {text}",
                c.what, c.method, c.path
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn framework_rejections_answer_each_apis_json_error() {
    use Shape::{Admin, ComplyCube as Cc, Verifik as Vf};
    let app = spawn_app().await;
    let json_ct = Some("application/json");
    let text_ct = Some("text/plain");
    let compare = "/v2/face-recognition/compare";
    let cases = vec![
        // A path segment that is not UTF-8 once percent-decoded.
        case(
            "non-UTF-8 id",
            Method::GET,
            "/v1/clients/%FF",
            None,
            b"",
            400,
            Cc,
        ),
        case(
            "non-UTF-8 side",
            Method::POST,
            "/v1/documents/abc/upload/%C3%28",
            json_ct,
            b"{}",
            400,
            Cc,
        ),
        case(
            "non-UTF-8 id",
            Method::GET,
            "/v2/face-recognition/persons/%FF",
            None,
            b"",
            400,
            Vf,
        ),
        case(
            "non-UTF-8 id",
            Method::DELETE,
            "/v2/face-recognition/collections/%FE",
            None,
            b"",
            400,
            Vf,
        ),
        case(
            "non-UTF-8 name",
            Method::DELETE,
            "/__admin/scenarios/%FF",
            None,
            b"",
            400,
            Admin,
        ),
        case(
            "non-UTF-8 id",
            Method::GET,
            "/__admin/webhooks/deliveries/%FF",
            None,
            b"",
            400,
            Admin,
        ),
        // Queries the route cannot decode.
        case(
            "bad query",
            Method::GET,
            "/v1/clients?page=abc",
            None,
            b"",
            400,
            Cc,
        ),
        case(
            "non-UTF-8 query",
            Method::GET,
            "/v1/clients?page=%FF",
            None,
            b"",
            400,
            Cc,
        ),
        case(
            "bad query",
            Method::GET,
            "/v2/face-recognition/persons?page=%FF",
            None,
            b"",
            409,
            Vf,
        ),
        case(
            "bad query",
            Method::GET,
            "/__admin/requests?limit=x",
            None,
            b"",
            400,
            Admin,
        ),
        // Bodies that are not JSON, or not sent as JSON.
        case(
            "text body",
            Method::POST,
            "/v1/clients",
            text_ct,
            b"{}",
            400,
            Cc,
        ),
        case("text body", Method::POST, compare, text_ct, b"{}", 415, Vf),
        case(
            "text body",
            Method::POST,
            "/__admin/scenarios",
            text_ct,
            b"{}",
            400,
            Admin,
        ),
        case(
            "bad JSON",
            Method::POST,
            "/v1/clients",
            json_ct,
            b"{\"type\":",
            400,
            Cc,
        ),
        case(
            "bad JSON",
            Method::POST,
            compare,
            json_ct,
            b"{\"probe\":",
            400,
            Vf,
        ),
        case(
            "bad JSON",
            Method::POST,
            "/__admin/scenarios",
            json_ct,
            b"{",
            400,
            Admin,
        ),
        case(
            "bad JSON, no content type",
            Method::POST,
            "/v1/clients",
            None,
            b"{\"type\":",
            400,
            Cc,
        ),
        // Methods and routes that do not exist.
        case(
            "wrong method",
            Method::PATCH,
            "/v1/clients",
            None,
            b"",
            405,
            Cc,
        ),
        case("wrong method", Method::PATCH, compare, None, b"", 405, Vf),
        case(
            "wrong method",
            Method::PATCH,
            "/__admin/reset",
            None,
            b"",
            405,
            Admin,
        ),
        case(
            "unknown route",
            Method::GET,
            "/v1/nothing/%FF",
            None,
            b"",
            404,
            Cc,
        ),
        case(
            "unknown route",
            Method::GET,
            "/v2/nothing",
            None,
            b"",
            404,
            Vf,
        ),
        case(
            "unknown route",
            Method::GET,
            "/__admin/nothing",
            None,
            b"",
            404,
            Admin,
        ),
        // Bodies beyond the route's limit: 1 MiB for ComplyCube's JSON
        // routes, 16 MiB for Verifik's, --max-body-bytes for the admin API.
        case(
            "oversized",
            Method::POST,
            "/v1/clients",
            json_ct,
            &vec![b' '; (1 << 20) + 1],
            413,
            Cc,
        ),
        case(
            "oversized",
            Method::POST,
            compare,
            json_ct,
            &vec![b' '; (16 << 20) + 1],
            413,
            Vf,
        ),
    ];
    check(&app, cases).await;

    let small = spawn_with(|c| c.max_body_bytes = 64 * 1024).await;
    let over = vec![b' '; 64 * 1024 + 1];
    check(
        &small,
        vec![case(
            "oversized",
            Method::POST,
            "/__admin/scenarios",
            json_ct,
            &over,
            413,
            Admin,
        )],
    )
    .await;
}

#[tokio::test]
async fn image_routes_take_a_four_megabyte_image_and_json_routes_far_less() {
    let app = spawn_app().await;
    let client = app.person("Ada", "Lovelace").await;
    let (s, doc) = app
        .post(
            "/v1/documents",
            json!({"clientId": client, "type": "passport"}),
        )
        .await;
    assert_eq!(s, 200, "{doc}");
    let id = doc["id"].as_str().expect("document id");
    // A 4 MB image, base64-encoded in JSON: about 5.6 MB, under the upload
    // route's limit although five times the JSON routes'.
    let data = "A".repeat(4 * 1024 * 1024 / 3 * 4);
    let body = json!({"fileName": "front.jpg", "data": data});
    let (s, v) = app
        .post(&format!("/v1/documents/{id}/upload/front"), body.clone())
        .await;
    assert_ne!(s, 413, "{v}");
    // The same body on a JSON route is refused for its size alone.
    let (s, v) = app.post("/v1/clients", body).await;
    assert_eq!(s, 413, "{v}");
    assert_eq!(v["type"], "request_too_large", "{v}");
}
