//! Verifik `/v2/face-recognition`: envelopes, shapes, the decision flow,
//! every documented error, tokens and tenants, big images, magic images.

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, decode, is_object_id, spawn_app, spawn_with};
use kyc_sandbox::{VerifikExpiredBody, VerifikMessages, VerifikShape};

const CWL: &str = "/v2/face-recognition/compare-with-liveness";

/// Magic images documented in the fixtures (`fixtures/verifik-*.json`).
pub(crate) const LOW_COMPARISON: &str = "a3ljLXNhbmRib3ggVmVyaWZpayBtYWdpYyBpbWFnZTogbG93LWNvbXBhcmlzb24uIFNlbmQgaXQgYXMgcHJvYmUgb3IgZ2FsbGVyeSB0byBnZXQgYSBjb21wYXJpc29uIHNjb3JlIG9mIDAuNDIu";
pub(crate) const LIVENESS_FAILED: &str = "a3ljLXNhbmRib3ggVmVyaWZpayBtYWdpYyBpbWFnZTogbGl2ZW5lc3MtZmFpbGVkLiBTZW5kIGl0IGFzIHByb2JlIG9yIGltYWdlIHRvIGdldCBhIGxpdmVuZXNzIHNjb3JlIG9mIDAuMzEu";
pub(crate) const NO_FACE: &str = "a3ljLXNhbmRib3ggVmVyaWZpayBtYWdpYyBpbWFnZTogbm8tZmFjZS4gU2VuZCBpdCBpbiBhbnkgaW1hZ2UgZmllbGQgdG8gZ2V0IHRoZSBub19mYWNlX2RldGVjdGVkIGVycm9yLg==";
pub(crate) const MULTIPLE_FACES: &str = "a3ljLXNhbmRib3ggVmVyaWZpayBtYWdpYyBpbWFnZTogbXVsdGlwbGUtZmFjZXMuIFNlbmQgaXQgaW4gYW55IGltYWdlIGZpZWxkIHRvIGdldCB0aGUgbW9yZS10aGFuLW9uZS1mYWNlIGVycm9yLg==";
pub(crate) const SERVER_ERROR: &str = "a3ljLXNhbmRib3ggVmVyaWZpayBtYWdpYyBpbWFnZTogc2VydmVyLWVycm9yLiBTZW5kIGl0IGluIGFueSBpbWFnZSBmaWVsZCB0byBnZXQgVmVyaWZpaydzIDUwMCBpbnRlcm5hbF9lcnJvci4=";

/// A deterministic "image" of `len` bytes, base64-encoded.
fn img(seed: u8, len: usize) -> String {
    let bytes: Vec<u8> = (0..len)
        .map(|i| (i as u32).wrapping_mul(31).wrapping_add(seed as u32 * 7) as u8)
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn cwl_body() -> Value {
    json!({
        "os": "DESKTOP",
        "probe": format!("data:image/jpeg;base64,{}", img(1, 300)),
        "gallery": [img(2, 300), img(3, 300)],
        "search_mode": "ACCURATE",
        "compare_min_score": 0.85,
        "liveness_min_score": 0.6,
    })
}

fn token() -> String {
    format!("vk_{}", uuid::Uuid::new_v4().simple())
}

async fn post_as(app: &TestApp, auth: &str, path: &str, body: &Value) -> (u16, Value) {
    app.json_as(auth, Method::POST, path, Some(body)).await
}

/// Arms an inline scenario for the token's tenant through the admin API.
async fn arm(app: &TestApp, token: &str, scenario: Value) {
    let (s, v) = app
        .json_as(
            &format!("Bearer {token}"),
            Method::POST,
            "/__admin/scenarios",
            Some(&json!({ "scenario": scenario })),
        )
        .await;
    assert_eq!(s, 201, "{v}");
}

/// `data` without the per-call ids and timestamps.
fn stable(mut data: Value) -> Value {
    fn strip(v: &mut Value) {
        if let Value::Object(m) = v {
            for k in ["_id", "comparedAt", "createdAt", "updatedAt"] {
                m.remove(k);
            }
            for child in m.values_mut() {
                strip(child);
            }
        }
    }
    strip(&mut data);
    data
}

#[tokio::test]
async fn compare_with_liveness_answers_the_seed_envelope() {
    let app = spawn_app().await;
    let (s, v) = post_as(&app, "Bearer verifik-snapshot-token", CWL, &cwl_body()).await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_str().unwrap();
    assert_eq!(id.len(), 5);
    assert!(
        id.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    );
    let c = &v["data"]["comparison"];
    let l = &v["data"]["liveness"];
    assert!(is_object_id(c["_id"].as_str().unwrap()));
    assert!(is_object_id(l["_id"].as_str().unwrap()));
    assert_ne!(c["_id"], l["_id"]);
    assert_eq!(c["client"], l["client"]);
    assert!(c["comparedAt"].as_str().unwrap().ends_with('Z'));
    let when = v["signature"]["dateTime"].as_str().unwrap();
    assert!(when.ends_with(" AM") || when.ends_with(" PM"), "{when}");
    insta::assert_json_snapshot!("verifik_compare_with_liveness_record", v, {
        ".id" => "[id]",
        ".signature.dateTime" => "[dateTime]",
        ".data.*._id" => "[objectId]",
        ".data.*.comparedAt" => "[timestamp]",
        ".data.*.createdAt" => "[timestamp]",
        ".data.*.updatedAt" => "[timestamp]",
    });
}

#[tokio::test]
async fn simple_shape_is_available() {
    let app = spawn_with(|c| c.verifik_shape = VerifikShape::Simple).await;
    let (s, v) = post_as(&app, &token(), CWL, &cwl_body()).await;
    assert_eq!(s, 200, "{v}");
    let data = &v["data"];
    assert_eq!(data.as_object().unwrap().len(), 2);
    assert_eq!(data["comparison"].as_object().unwrap().len(), 1);
    let score = data["comparison"]["score"].as_f64().unwrap();
    assert!((0.86..=0.99).contains(&score), "{score}");
    let l = &data["liveness"];
    assert_eq!(l["min_score"], json!(0.6));
    assert_eq!(l["passed"], json!(true));
    assert!(l["liveness_score"].as_f64().unwrap() > 0.6);
    assert_eq!(v["signature"]["message"], "Certified by Verifik.co");
}

#[tokio::test]
async fn identical_images_score_one_and_results_are_deterministic() {
    let app = spawn_app().await;
    let t = token();
    let probe = img(9, 400);
    let mut body = cwl_body();
    body["probe"] = json!(probe);
    body["gallery"] = json!([img(4, 400), format!("data:image/png;base64,{probe}")]);
    let (s, v) = post_as(&app, &t, CWL, &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["comparison"]["result"]["score"], json!(1));

    let (_, a) = post_as(&app, &t, CWL, &cwl_body()).await;
    let (_, b) = post_as(&app, &t, CWL, &cwl_body()).await;
    assert_eq!(stable(a["data"].clone()), stable(b["data"].clone()));
    assert_ne!(a["id"], Value::Null);
}

#[tokio::test]
async fn below_compare_min_score_skips_liveness() {
    for null in [false, true] {
        let app = spawn_with(|c| c.verifik_null_liveness = null).await;
        let t = token();
        arm(
            &app,
            &t,
            json!({"name":"low","description":"d","effect":{"scores":{"comparison":0.8}}}),
        )
        .await;
        let (s, v) = post_as(&app, &t, CWL, &cwl_body()).await;
        assert_eq!(s, 200, "{v}");
        let data = v["data"].as_object().unwrap();
        assert_eq!(v["data"]["comparison"]["result"]["score"], json!(0.8));
        if null {
            assert_eq!(data.get("liveness"), Some(&Value::Null));
        } else {
            assert!(!data.contains_key("liveness"), "{v}");
        }
        // Without compare_min_score liveness always runs.
        let mut body = cwl_body();
        body.as_object_mut().unwrap().remove("compare_min_score");
        let (_, v) = post_as(&app, &t, CWL, &body).await;
        assert_eq!(v["data"]["liveness"]["result"]["passed"], json!(true));
        // Exactly at the minimum passes (>=).
        body["compare_min_score"] = json!(0.8);
        let (_, v) = post_as(&app, &t, CWL, &body).await;
        assert!(v["data"]["liveness"].is_object(), "{v}");
    }
}

#[tokio::test]
async fn liveness_must_exceed_its_minimum() {
    let app = spawn_app().await;
    for (score, passed) in [(0.6, false), (0.61, true), (0.59, false)] {
        let t = token();
        arm(
            &app,
            &t,
            json!({"name":"edge","description":"d","effect":{"scores":{"liveness":score}}}),
        )
        .await;
        let (s, v) = post_as(&app, &t, CWL, &cwl_body()).await;
        assert_eq!(s, 200, "{v}");
        let r = &v["data"]["liveness"]["result"];
        assert_eq!(r["liveness_score"], json!(score));
        assert_eq!(r["min_score"], json!(0.6));
        assert_eq!(r["passed"], json!(passed), "score {score}");
        // The same rule on /liveness.
        let (_, v) = post_as(
            &app,
            &t,
            "/v2/face-recognition/liveness",
            &json!({"os":"IOS","image":img(5, 200)}),
        )
        .await;
        assert_eq!(v["data"]["passed"], json!(passed), "{v}");
    }
}

#[tokio::test]
async fn sibling_endpoints_answer_their_documented_shapes() {
    let app = spawn_app().await;
    let t = token();
    let (s, v) = post_as(
        &app,
        &t,
        "/v2/face-recognition/compare",
        &json!({"probe":[img(1, 200)],"gallery":[img(2, 200)],"search_mode":"FAST"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let d = &v["data"];
    assert_eq!(d["type"], "compare");
    assert_eq!(d["result"]["compare_min_score"], json!(0.85));
    assert_eq!(d["result"]["passed"], json!(true));
    assert!(is_object_id(d["_id"].as_str().unwrap()));

    let (s, v) = post_as(
        &app,
        &t,
        "/v2/face-recognition/compare-live",
        &json!({"probe":img(1, 200),"gallery":[img(2, 200)],"os":"ANDROID",
                "search_mode":"FAST","liveness_min_score":0.52}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["data"]["score"].is_number());
    assert_eq!(v["data"]["liveness"]["min_score"], json!(0.52));

    for path in [
        "/v2/face-recognition/liveness",
        "/v2/face-recognition/liveness-score",
    ] {
        let (s, v) = post_as(
            &app,
            &t,
            path,
            &json!({"os":"DESKTOP","image":img(7, 200),"liveness_min_score":0.5}),
        )
        .await;
        assert_eq!(s, 200, "{path}: {v}");
        let keys: Vec<&str> = v["data"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["passed", "min_score", "liveness_score"]);
        assert_eq!(v["data"]["min_score"], json!(0.5));
    }

    let app = spawn_with(|c| c.verifik_shape = VerifikShape::Simple).await;
    let (_, v) = post_as(
        &app,
        &t,
        "/v2/face-recognition/compare",
        &json!({"probe":img(1, 200),"gallery":[img(1, 200)],"search_mode":"FAST"}),
    )
    .await;
    assert_eq!(v["data"], json!({"score": 1}));
}

fn msg(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message})
}

#[tokio::test]
async fn validation_errors_are_verifik_409s() {
    let app = spawn_app().await;
    let t = token();
    let p = img(1, 200);
    let g = img(2, 200);
    let ok = || json!({"probe": p, "gallery": [g], "search_mode": "FAST"});
    let with = |k: &str, v: Value| {
        let mut b = ok();
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = ok();
        b.as_object_mut().unwrap().remove(k);
        b
    };
    let missing = "MissingParameter";
    let cases: Vec<(&str, &str, Value, u16, Value)> = vec![
        (
            "empty body",
            CWL,
            json!({}),
            409,
            msg(
                missing,
                "\"probe\" is required. \"gallery\" is required. \"search_mode\" is required",
            ),
        ),
        (
            "no probe",
            CWL,
            without("probe"),
            409,
            msg(missing, "\"probe\" is required"),
        ),
        (
            "no search_mode",
            CWL,
            without("search_mode"),
            409,
            msg(missing, "\"search_mode\" is required"),
        ),
        (
            "liveness min too low",
            CWL,
            with("liveness_min_score", json!(0.51)),
            409,
            msg(
                missing,
                "\"liveness_min_score\" must be greater than or equal to 0.52",
            ),
        ),
        (
            "liveness min too high",
            CWL,
            with("liveness_min_score", json!(1.01)),
            409,
            msg(
                missing,
                "\"liveness_min_score\" must be less than or equal to 1",
            ),
        ),
        (
            "compare min too low",
            CWL,
            with("compare_min_score", json!(0.66)),
            409,
            msg(
                missing,
                "\"compare_min_score\" must be greater than or equal to 0.67",
            ),
        ),
        (
            "compare min too high",
            CWL,
            with("compare_min_score", json!(0.96)),
            409,
            msg(
                missing,
                "\"compare_min_score\" must be less than or equal to 0.95",
            ),
        ),
        (
            "search_mode enum",
            CWL,
            with("search_mode", json!("fast")),
            409,
            msg(missing, "\"search_mode\" must be one of [FAST, ACCURATE]"),
        ),
        (
            "os enum",
            CWL,
            with("os", json!("WINDOWS")),
            409,
            msg(missing, "\"os\" must be one of [DESKTOP, IOS, ANDROID]"),
        ),
        (
            "probe type",
            CWL,
            with("probe", json!(42)),
            409,
            msg(missing, "\"probe\" must be a string"),
        ),
        (
            "gallery type",
            CWL,
            with("gallery", json!("x")),
            409,
            msg(missing, "\"gallery\" must be an array"),
        ),
        (
            "gallery item type",
            CWL,
            with("gallery", json!([g, null])),
            409,
            msg(missing, "\"gallery[1]\" must be a string"),
        ),
        (
            "score type",
            CWL,
            with("compare_min_score", json!(true)),
            409,
            msg(missing, "\"compare_min_score\" must be a number"),
        ),
        (
            "body not an object",
            CWL,
            json!([1]),
            409,
            msg(missing, "\"value\" must be of type object"),
        ),
        (
            "compare-live needs os and liveness_min_score",
            "/v2/face-recognition/compare-live",
            ok(),
            409,
            msg(
                missing,
                "\"os\" is required. \"liveness_min_score\" is required",
            ),
        ),
        (
            "liveness needs os and image",
            "/v2/face-recognition/liveness",
            json!({"liveness_min_score": 0.49}),
            409,
            msg(
                missing,
                "\"os\" is required. \"image\" is required. \
                 \"liveness_min_score\" must be greater than or equal to 0.5",
            ),
        ),
        (
            "short probe",
            CWL,
            with("probe", json!("aGVsbG8=")),
            412,
            json!({"message":"only_images_in_base64","code":"ERROR"}),
        ),
        (
            "not base64",
            CWL,
            with("gallery", json!(["%".repeat(150)])),
            412,
            json!({"message":"only_images_in_base64","code":"ERROR"}),
        ),
        (
            "probe cannot be a URL",
            CWL,
            with("probe", json!("https://example.com/face.jpg")),
            412,
            json!({"message":"only_images_in_base64","code":"ERROR"}),
        ),
    ];
    for (name, path, body, status, expected) in cases {
        let (s, v) = post_as(&app, &t, path, &body).await;
        assert_eq!((s, &v), (status, &expected), "case '{name}'");
    }

    // An https URL in the gallery is an opaque image.
    let (s, v) = post_as(
        &app,
        &t,
        CWL,
        &with("gallery", json!(["https://example.com/face.jpg"])),
    )
    .await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn legacy_messages_and_optional_search_mode() {
    let app = spawn_with(|c| c.verifik_messages = VerifikMessages::Legacy).await;
    let (s, v) = post_as(&app, &token(), CWL, &json!({"probe": 1})).await;
    assert_eq!(s, 409);
    assert_eq!(
        v,
        msg(
            "MissingParameter",
            "\"probe\" must be a string. missing gallery\n. missing search_mode\n"
        )
    );

    let app = spawn_with(|c| c.verifik_require_search_mode = false).await;
    let (s, v) = post_as(
        &app,
        &token(),
        CWL,
        &json!({"probe": img(1, 200), "gallery": [img(2, 200)]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["comparison"]["search_mode"], "FAST");
}

#[tokio::test]
async fn transport_errors_are_verifik_json() {
    let app = spawn_with(|c| c.max_body_bytes = 64 * 1024).await;
    let t = token();
    let send = |method: Method, path: &str, body: Option<String>, auth: Option<&str>| {
        let mut req = app.client.request(method, app.url(path));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        req.send()
    };
    /// (case, method, path, raw body, Authorization, status, body).
    type Case<'a> = (
        &'a str,
        Method,
        &'a str,
        Option<String>,
        Option<&'a str>,
        u16,
        Value,
    );
    let cases: Vec<Case> = vec![
        (
            "no token",
            Method::POST,
            CWL,
            Some(cwl_body().to_string()),
            None,
            401,
            json!({"message":"Authentication required","code":"UNAUTHORIZED"}),
        ),
        (
            "bad JSON",
            Method::POST,
            CWL,
            Some("{\"probe\": ".into()),
            Some(&t),
            400,
            json!({"code":"InvalidContent","message":"Invalid JSON: EOF while parsing a value"}),
        ),
        (
            "unknown route",
            Method::POST,
            "/v2/face-recognition/compare-everything",
            None,
            Some(&t),
            404,
            msg(
                "ResourceNotFound",
                "/v2/face-recognition/compare-everything does not exist",
            ),
        ),
        (
            "wrong method",
            Method::GET,
            CWL,
            None,
            Some(&t),
            405,
            msg("MethodNotAllowed", "GET is not allowed"),
        ),
        (
            "oversized",
            Method::POST,
            CWL,
            Some(json!({"probe": img(1, 100_000)}).to_string()),
            Some(&t),
            413,
            msg("RequestEntityTooLarge", "Request body size exceeds 65536"),
        ),
    ];
    for (name, method, path, body, auth, status, expected) in cases {
        let (s, v) = decode(send(method, path, body, auth).await.unwrap()).await;
        assert_eq!((s, &v), (status, &expected), "case '{name}'");
    }
    // The gallery endpoints validate like the compare endpoints.
    for (path, first) in [
        ("search", "\"images\" is required"),
        ("search-live-face", "\"image\" is required"),
        ("search-active-user", "\"image\" is required"),
        ("search/crops", "\"images\" is required"),
        ("detect", "\"image\" is required"),
        ("verify", "\"id\" is required"),
    ] {
        let full = format!("/v2/face-recognition/{path}");
        let (s, v) = post_as(&app, &t, &full, &json!({})).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (409, Some("MissingParameter")),
            "{path}: {v}"
        );
        assert!(
            v["message"].as_str().unwrap().starts_with(first),
            "{path}: {v}"
        );
    }
    // An unknown scenario name is a 400 naming close ones.
    let res = app
        .client
        .post(app.url(CWL))
        .header("Authorization", &t)
        .header("X-Sandbox-Scenario", "verifik-no-fac")
        .json(&cwl_body())
        .send()
        .await
        .unwrap();
    let (s, v) = decode(res).await;
    assert_eq!(s, 400);
    assert_eq!(v["code"], "BadRequest");
    assert!(
        v["message"].as_str().unwrap().contains("verifik-no-face"),
        "{v}"
    );
}

#[tokio::test]
async fn every_token_scheme_is_one_tenant() {
    let app = spawn_app().await;
    let t = token();
    let mut clients = Vec::new();
    for auth in [format!("Bearer {t}"), format!("JWT {t}"), t.clone()] {
        let (s, v) = post_as(&app, &auth, CWL, &cwl_body()).await;
        assert_eq!(s, 200, "{auth}: {v}");
        clients.push(v["data"]["comparison"]["client"].clone());
    }
    assert!(clients.iter().all(|c| *c == clients[0]), "{clients:?}");
    let (_, other) = post_as(&app, &token(), CWL, &cwl_body()).await;
    assert_ne!(other["data"]["comparison"]["client"], clients[0]);

    let app = spawn_with(|c| c.api_keys = vec!["only-this".into()]).await;
    let (s, _) = post_as(&app, "Bearer only-this", CWL, &cwl_body()).await;
    assert_eq!(s, 200);
    let (s, v) = post_as(&app, "Bearer another", CWL, &cwl_body()).await;
    assert_eq!(
        (s, v),
        (
            401,
            json!({"message":"Authentication required","code":"UNAUTHORIZED"})
        )
    );
}

#[tokio::test]
async fn expired_tokens_get_403_per_tenant() {
    for (style, body) in [
        (
            VerifikExpiredBody::Docs,
            json!({"message":"token_expired","code":"FORBIDDEN"}),
        ),
        (
            VerifikExpiredBody::App,
            json!({"code":"Forbidden","message":"expired_token"}),
        ),
    ] {
        let app = spawn_with(|c| c.verifik_expired_body = style).await;
        let (a, b) = (token(), token());
        // Expire the caller's own token (no body).
        let (s, v) = app
            .json_as(
                &format!("Bearer {a}"),
                Method::POST,
                "/__admin/verifik/tokens/expire",
                None,
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["token"], json!(a));
        let (s, v) = post_as(&app, &format!("JWT {a}"), CWL, &cwl_body()).await;
        assert_eq!((s, &v), (403, &body));
        let (s, _) = post_as(&app, &b, CWL, &cwl_body()).await;
        assert_eq!(s, 200, "another token is unaffected");

        // Expire by naming the token; unexpire restores it.
        let (s, _) = app
            .json_as(
                &a,
                Method::POST,
                "/__admin/verifik/tokens/expire",
                Some(&json!({"token": b})),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(post_as(&app, &b, CWL, &cwl_body()).await.0, 403);
        let (s, v) = app
            .json_as(&a, Method::POST, "/__admin/verifik/tokens/unexpire", None)
            .await;
        assert_eq!((s, v["wasExpired"].clone()), (200, json!(true)));
        assert_eq!(post_as(&app, &a, CWL, &cwl_body()).await.0, 200);
        // A tenant reset clears the mark too.
        let (s, _) = app.json_as(&b, Method::POST, "/__admin/reset", None).await;
        assert_eq!(s, 200);
        assert_eq!(post_as(&app, &b, CWL, &cwl_body()).await.0, 200);
    }
}

#[tokio::test]
async fn three_megabyte_images_give_a_stable_result() {
    let app = spawn_app().await;
    let t = token();
    // Three 1 MB base64 strings (about 750 KB decoded each).
    let big = |seed| img(seed, 3 * 1024 * 1024 / 4);
    let body = json!({
        "os": "ANDROID",
        "probe": big(11),
        "gallery": [big(12), big(13)],
        "search_mode": "ACCURATE",
        "liveness_min_score": 0.6,
    });
    assert!(body["probe"].as_str().unwrap().len() >= 1024 * 1024);
    let (s1, first) = post_as(&app, &t, CWL, &body).await;
    let (s2, second) = post_as(&app, &t, CWL, &body).await;
    assert_eq!((s1, s2), (200, 200), "{first}");
    assert_eq!(
        stable(first["data"].clone()),
        stable(second["data"].clone())
    );
    let score = first["data"]["comparison"]["result"]["score"]
        .as_f64()
        .unwrap();
    assert!((0.86..=0.99).contains(&score), "{score}");
    // The journal kept a clipped body, not megabytes.
    let (_, journal) = app
        .json_as(&t, Method::GET, "/__admin/requests", None)
        .await;
    let entry = &journal["items"][0];
    assert!(entry["bodyBytes"].as_u64().unwrap() > 3 * 1024 * 1024);
    assert!(entry["body"].as_str().unwrap_or("").len() < 10_000);
}

#[tokio::test]
async fn magic_images_trigger_the_fixtures() {
    let app = spawn_app().await;
    let t = token();
    let mut body = cwl_body();

    body["gallery"] = json!([LOW_COMPARISON]);
    let (s, v) = post_as(&app, &t, CWL, &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["comparison"]["result"]["score"], json!(0.42));
    assert!(v["data"].get("liveness").is_none(), "{v}");

    body = cwl_body();
    body["probe"] = json!(format!("data:image/jpeg;base64,{LIVENESS_FAILED}"));
    let (s, v) = post_as(&app, &t, CWL, &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["data"]["liveness"]["result"]["liveness_score"],
        json!(0.31)
    );
    assert_eq!(v["data"]["liveness"]["result"]["passed"], json!(false));

    for (image, status, expected) in [
        (
            NO_FACE,
            409,
            json!({"message":"no_face_detected","code":"ERROR"}),
        ),
        (
            MULTIPLE_FACES,
            409,
            json!({"message":"the image has more than one face","code":"ERROR"}),
        ),
        (
            SERVER_ERROR,
            500,
            json!({"message":"internal_error","code":"ERROR"}),
        ),
    ] {
        let (s, v) = post_as(
            &app,
            &t,
            "/v2/face-recognition/liveness",
            &json!({"os":"DESKTOP","image":image}),
        )
        .await;
        assert_eq!((s, v), (status, expected));
    }

    // The header picks the same scenario without the magic image.
    let res = app
        .client
        .post(app.url(CWL))
        .header("Authorization", &t)
        .header("X-Sandbox-Scenario", "verifik-server-error")
        .json(&cwl_body())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 500);

    // The journal names the scenario each request matched.
    let (_, journal) = app
        .json_as(&t, Method::GET, "/__admin/requests", None)
        .await;
    let names: Vec<&str> = journal["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["scenario"].as_str().unwrap())
        .collect();
    for want in [
        "verifik-low-comparison",
        "verifik-liveness-failed",
        "verifik-no-face",
        "verifik-server-error",
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
}

#[tokio::test]
async fn escaped_and_nested_bodies_mean_what_plain_ones_do() {
    let app = spawn_app().await;
    let t = token();
    let body = cwl_body();
    let plain = body.to_string();
    assert!(plain.contains('/'), "the images must hold a '/' to escape");
    // `\/` is how some JSON encoders write a slash; an extra nested field is
    // ignored. Both are read by the general parser rather than the scan.
    let escaped = plain.replace('/', "\\/");
    let nested = format!("{{\"extra\":{{\"a\":[1,{{}}]}},{}", &plain[1..]);
    let send = |text: String| {
        let url = app.url(CWL);
        let t = t.clone();
        async move {
            let res = reqwest::Client::new()
                .post(url)
                .header("Authorization", format!("Bearer {t}"))
                .header("Content-Type", "application/json")
                .body(text)
                .send()
                .await
                .unwrap();
            decode(res).await
        }
    };
    let (s, a) = send(plain).await;
    assert_eq!(s, 200, "{a}");
    for text in [escaped, nested] {
        let (s, b) = send(text.clone()).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(
            stable(a["data"].clone()),
            stable(b["data"].clone()),
            "{text:.80}"
        );
    }
    // A syntax error deep in a long string reads as before.
    let broken = cwl_body()
        .to_string()
        .replacen("\"gallery\":[\"", "\"gallery\":[\"\u{1}", 1);
    let (s, e) = send(broken).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("InvalidContent")),
        "{e}"
    );
}
