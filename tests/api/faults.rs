//! Fault injection: ComplyCube's rate limit, seeded error injection with the
//! vendors' bodies, dropped connections, latency.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, decode, spawn_app, spawn_with};

async fn get_with(
    app: &TestApp,
    key: &str,
    path: &str,
    fault: Option<&str>,
) -> reqwest::Result<reqwest::Response> {
    let mut req = app.client.get(app.url(path)).header("Authorization", key);
    if let Some(f) = fault {
        req = req.header("X-Sandbox-Fault", f);
    }
    req.send().await
}

#[tokio::test]
async fn rate_limit_answers_429_after_five_requests_a_second() {
    let app = spawn_with(|c| c.rate_limit = true).await;
    let mut statuses = Vec::new();
    let mut limited_body = Value::Null;
    for _ in 0..10 {
        let (s, v) = app.get("/v1/clients").await;
        if s == 429 {
            limited_body = v;
        }
        statuses.push(s);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 429),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        limited_body,
        json!({"type": "rate_limit_exceeded",
               "message": "You have exceeded the rate limit prescribed to your plan"})
    );
    // Per key: another key is not limited.
    let (s, _) = app
        .json_as("test_another_key_rate", Method::GET, "/v1/clients", None)
        .await;
    assert_eq!(s, 200);
    // Admin routes are never limited.
    let (s, _) = app.get("/__admin/health").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn rate_limit_is_off_by_default() {
    let app = spawn_app().await;
    for _ in 0..10 {
        let (s, _) = app.get("/v1/clients").await;
        assert_eq!(s, 200);
    }
}

async fn pattern(app: &TestApp, key: &str) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..24 {
        let res = get_with(app, key, "/v1/clients", None).await.expect("sent");
        let (s, v) = decode(res).await;
        if s == 503 {
            assert_eq!(
                v,
                json!({"type": "internal_server_error",
                       "message": "An error has occurred, try your request again"})
            );
        }
        out.push(s);
    }
    out
}

#[tokio::test]
async fn injected_errors_follow_the_seed() {
    let seeded = |seed| {
        move |c: &mut kyc_sandbox::Config| {
            c.fault_error_rate = 0.5;
            c.fault_error_status = 503;
            c.fault_seed = seed;
        }
    };
    let a = spawn_with(seeded(42)).await;
    let first = pattern(&a, "test_tenant_one").await;
    assert!(first.contains(&503) && first.contains(&200), "{first:?}");
    // Same seed: the same sequence, for another tenant and another server.
    assert_eq!(pattern(&a, "test_tenant_two").await, first);
    let b = spawn_with(seeded(42)).await;
    assert_eq!(pattern(&b, "test_tenant_one").await, first);
    let c = spawn_with(seeded(43)).await;
    assert_ne!(pattern(&c, "test_tenant_one").await, first);
}

#[tokio::test]
async fn injected_errors_use_each_vendors_body() {
    let app = spawn_app().await;
    let res = get_with(&app, &app.key, "/v1/clients", Some("error:500"))
        .await
        .expect("sent");
    assert_eq!(
        decode(res).await,
        (
            500,
            json!({"type": "internal_server_error",
                   "message": "An error has occurred, try your request again"})
        )
    );
    let res = get_with(
        &app,
        "token",
        "/v2/face-recognition/liveness",
        Some("error"),
    )
    .await
    .expect("sent");
    assert_eq!(
        decode(res).await,
        (500, json!({"message": "internal_error", "code": "ERROR"}))
    );
    let res = get_with(&app, &app.key, "/v1/clients", Some("rate-limit"))
        .await
        .expect("sent");
    assert_eq!(decode(res).await.0, 429);
}

#[tokio::test]
async fn a_dropped_connection_gives_the_client_a_connection_error() {
    let app = spawn_app().await;
    let res = get_with(&app, &app.key, "/v1/clients", Some("drop")).await;
    let failed = match res {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed, "the client received a complete response");
    // The server is fine afterwards.
    let (s, _) = app.get("/v1/clients").await;
    assert_eq!(s, 200);

    let always = spawn_with(|c| c.fault_drop_rate = 1.0).await;
    let res = get_with(&always, &always.key, "/v1/clients", None).await;
    assert!(res.is_err(), "expected no response at all: {res:?}");
}

#[tokio::test]
async fn latency_and_tenant_fault_profiles_work() {
    let app = spawn_with(|c| {
        c.latency_ms = 5;
        c.latency_jitter_ms = 5;
    })
    .await;
    let (s, _) = app.get("/v1/clients").await;
    assert_eq!(s, 200);
    let res = get_with(&app, &app.key, "/v1/clients", Some("latency:10"))
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);

    // A tenant profile overrides the flags, and can be cleared.
    let (s, v) = app
        .json(
            Method::PUT,
            "/__admin/faults",
            Some(&json!({"errorRate": 1.0, "errorStatus": 502})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["source"], "tenant");
    let (s, v) = app.get("/v1/clients").await;
    assert_eq!((s, &v["type"]), (502, &json!("internal_server_error")));
    let (s, _) = app
        .json_as("test_untouched_tenant", Method::GET, "/v1/clients", None)
        .await;
    assert_eq!(s, 200);
    let (s, v) = app
        .json(
            Method::PUT,
            "/__admin/faults",
            Some(&json!({"errorRate": 2})),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = app.json(Method::DELETE, "/__admin/faults", None).await;
    assert_eq!((s, &v["source"]), (200, &json!("global")));
    let (s, _) = app.get("/v1/clients").await;
    assert_eq!(s, 200);
}

/// An injected fault and a scenario error with the same status answer the
/// same vendor body: one envelope per vendor, whichever asked for it.
#[tokio::test]
async fn injected_faults_and_scenario_errors_answer_alike() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    for status in [400u16, 401, 403, 404, 409, 429, 500, 503] {
        let name = format!("error-{status}");
        for key in [app.key.clone(), format!("Bearer vk-{status}")] {
            let (s, v) = app
                .json_as(
                    &key,
                    Method::POST,
                    "/__admin/scenarios",
                    Some(
                        &json!({"scenario": {"name": name, "description": "an error",
                        "effect": {"error": {"status": status}}}}),
                    ),
                )
                .await;
            assert_eq!(s, 201, "{v}");
        }
        // ComplyCube: the risk profile consults scenarios.
        let injected = get_with(
            &app,
            &app.key,
            "/v1/clients",
            Some(&format!("error:{status}")),
        )
        .await
        .expect("sent");
        let injected = decode(injected).await;
        let scenario = app.get(&format!("/v1/clients/{client}/riskProfile")).await;
        assert_eq!(injected, scenario, "ComplyCube {status}");
        // Verifik: any biometrics call consults scenarios.
        let token = format!("vk-{status}");
        let injected = get_with(
            &app,
            &token,
            "/v2/face-recognition/liveness",
            Some(&format!("error:{status}")),
        )
        .await
        .expect("sent");
        let injected = decode(injected).await;
        let scenario = app
            .json_as(
                &format!("Bearer {token}"),
                Method::POST,
                "/v2/face-recognition/liveness",
                Some(&json!({"os": "DESKTOP", "image": crate::complycube_checks::image_b64()})),
            )
            .await;
        assert_eq!(injected, scenario, "Verifik {status}");
        for key in [app.key.clone(), format!("Bearer {token}")] {
            app.json_as(
                &key,
                Method::DELETE,
                &format!("/__admin/scenarios/{name}"),
                None,
            )
            .await;
        }
    }
}
