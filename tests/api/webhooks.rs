//! `/v1/webhooks` CRUD and validation, signed deliveries (checked with the
//! official Python SDK), the retry schedule on the tenant clock, disabling
//! after ten failures, redelivery.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, is_object_id, spawn_app};

/// Lowercase hex HMAC-SHA256, as ComplyCube signs webhook bodies.
fn hmac_sha256_hex(secret: &[u8], body: &[u8]) -> String {
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Epoch milliseconds of an ISO-8601 time.
fn millis(iso: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(iso)
        .expect("ISO-8601 time")
        .timestamp_millis()
}

// ---------------------------------------------------------------------------
// A webhook receiver on loopback
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) signature: Option<String>,
    pub(crate) body: Bytes,
}

impl Received {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("delivery body is JSON")
    }
}

#[derive(Default)]
pub(crate) struct ReceiverState {
    pub(crate) received: Mutex<Vec<Received>>,
    /// Answer 500 to this many requests before succeeding.
    pub(crate) fail_next: AtomicUsize,
    pub(crate) delay_ms: AtomicUsize,
    pub(crate) in_flight: AtomicUsize,
    pub(crate) max_in_flight: AtomicUsize,
}

pub(crate) struct Receiver {
    pub(crate) url: String,
    pub(crate) state: Arc<ReceiverState>,
}

impl Receiver {
    pub(crate) async fn start() -> Receiver {
        let state = Arc::new(ReceiverState::default());
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, state }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("lock").clone()
    }

    pub(crate) fn fail_next(&self, n: usize) {
        self.state.fail_next.store(n, Ordering::SeqCst);
    }
}

async fn receive(
    State(s): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    s.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let delay = s.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay as u64)).await;
    }
    s.received.lock().expect("lock").push(Received {
        signature: headers
            .get("complycube-signature")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body,
    });
    let failing = s
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    s.in_flight.fetch_sub(1, Ordering::SeqCst);
    if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

// ---------------------------------------------------------------------------
// Admin helpers
// ---------------------------------------------------------------------------

/// Creates a webhook; returns (id, secret).
pub(crate) async fn webhook(app: &TestApp, url: &str, events: &[&str]) -> (String, String) {
    let (s, v) = app
        .post("/v1/webhooks", json!({"url": url, "events": events}))
        .await;
    assert_eq!(s, 200, "{v}");
    (
        v["id"].as_str().expect("id").to_owned(),
        v["secret"].as_str().expect("secret").to_owned(),
    )
}

pub(crate) async fn freeze(app: &TestApp) {
    let (s, v) = app.post("/__admin/clock/freeze", json!({})).await;
    assert_eq!(s, 200, "{v}");
}

pub(crate) async fn advance(app: &TestApp, ms: i64) {
    let (s, v) = app.post("/__admin/clock/advance", json!({"ms": ms})).await;
    assert_eq!(s, 200, "{v}");
}

/// Long-polls the outbox until `min` deliveries match `query` (or 30 s pass).
pub(crate) async fn wait_for(app: &TestApp, query: &str, min: usize) -> Vec<Value> {
    let (s, v) = app
        .get(&format!(
            "/__admin/webhooks/deliveries?wait=30&min={min}&{query}"
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    let items = v["items"].as_array().expect("items").clone();
    assert!(
        items.len() >= min,
        "waited for {min} deliveries matching {query}, got {}: {v}",
        items.len()
    );
    items
}

pub(crate) async fn deliveries(app: &TestApp, query: &str) -> Vec<Value> {
    let (s, v) = app
        .get(&format!("/__admin/webhooks/deliveries?{query}"))
        .await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().expect("items").clone()
}

// ---------------------------------------------------------------------------
// CRUD and validation
// ---------------------------------------------------------------------------

#[tokio::test]
async fn webhook_crud_and_secret_only_on_create() {
    let app = spawn_app().await;
    let (s, created) = app
        .post(
            "/v1/webhooks",
            json!({"url": "https://example.com/hooks", "events": ["check.completed", "client.created"],
                   "description": "ops"}),
        )
        .await;
    assert_eq!(s, 200, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(is_object_id(&id));
    assert_eq!(created["enabled"], true);
    assert_eq!(created["url"], "https://example.com/hooks");
    assert_eq!(
        created["events"],
        json!(["check.completed", "client.created"])
    );
    assert_eq!(created["description"], "ops");
    assert!(created["secret"].as_str().is_some_and(|s| s.len() >= 32));
    assert!(created["createdAt"].is_string() && created["updatedAt"].is_string());

    let (s, got) = app.get(&format!("/v1/webhooks/{id}")).await;
    assert_eq!(s, 200);
    assert!(got.get("secret").is_none(), "{got}");
    assert_eq!(got["events"], created["events"]);

    for method in [Method::POST, Method::PUT, Method::PATCH] {
        let (s, up) = app
            .json(
                method,
                &format!("/v1/webhooks/{id}"),
                Some(&json!({"enabled": false, "events": ["*"]})),
            )
            .await;
        assert_eq!(s, 200, "{up}");
        assert_eq!(up["enabled"], false);
        assert_eq!(up["events"], json!(["*"]));
        assert!(up.get("secret").is_none());
    }

    let (s, list) = app.get("/v1/webhooks").await;
    assert_eq!(s, 200);
    assert_eq!(list["totalItems"], 1);
    assert!(list["items"][0].get("secret").is_none());
    let (_, list) = app.get("/v1/webhooks?enabled=true").await;
    assert_eq!(list["totalItems"], 0);
    let (_, list) = app.get("/v1/webhooks?enabled=false&events=*").await;
    assert_eq!(list["totalItems"], 1);
    let (_, list) = app.get("/v1/webhooks?url=https://example.com/hooks").await;
    assert_eq!(list["totalItems"], 1);

    let (s, body) = app.delete(&format!("/v1/webhooks/{id}")).await;
    assert_eq!((s, body), (204, Value::Null));
    let (s, body) = app.get(&format!("/v1/webhooks/{id}")).await;
    assert_eq!(s, 404);
    assert_eq!(
        body,
        json!({"type": "resource_not_found", "message": format!("Invalid webhook id '{id}'")})
    );
    let (s, _) = app.delete(&format!("/v1/webhooks/{id}")).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn webhook_validation_table() {
    let app = spawn_app().await;
    let allowed_prefix = "'events' should be equal to one of the allowed values: check.pending, ";
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"events": ["*"]}), "url", "'url' must be provided"),
        (
            json!({"url": "http://example.com/h", "events": ["*"]}),
            "url",
            "'url' must be a valid HTTPS URL",
        ),
        (
            json!({"url": "ftp://example.com/h", "events": ["*"]}),
            "url",
            "'url' must be a valid HTTPS URL",
        ),
        (
            json!({"url": "nonsense", "events": ["*"]}),
            "url",
            "'url' must be a valid HTTPS URL",
        ),
        (
            json!({"url": "https://example.com"}),
            "events",
            "'events' must be provided",
        ),
        (
            json!({"url": "https://example.com", "events": []}),
            "events",
            "'events' must be provided",
        ),
        (
            json!({"url": "https://example.com", "events": ["check.complete"]}),
            "events",
            allowed_prefix,
        ),
    ];
    for (body, param, message) in cases {
        let (s, v) = app.post("/v1/webhooks", body.clone()).await;
        assert_eq!(s, 400, "{body} -> {v}");
        assert_eq!(v["type"], "invalid_request", "{body}");
        assert_eq!(v["param"], param, "{body} -> {v}");
        assert!(
            v["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(message)),
            "{body} -> {v}"
        );
    }
    // A mistyped field is named.
    let (s, v) = app
        .post(
            "/v1/webhooks",
            json!({"url": "https://e.com", "events": "*"}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert!(
        v["message"].as_str().unwrap_or("").contains("events"),
        "{v}"
    );
    // Loopback may be plain http.
    for url in [
        "http://127.0.0.1:9/h",
        "http://localhost:9/h",
        "http://[::1]:9/h",
    ] {
        let (s, v) = app
            .post("/v1/webhooks", json!({"url": url, "events": ["*"]}))
            .await;
        assert_eq!(s, 200, "{url}: {v}");
    }
    // Unknown ids.
    let (s, v) = app.get("/v1/webhooks/5f0f0f0f0f0f0f0f0f0f0f0f").await;
    assert_eq!(s, 404);
    assert_eq!(
        v["message"],
        "Invalid webhook id '5f0f0f0f0f0f0f0f0f0f0f0f'"
    );
}

#[tokio::test]
async fn http_webhooks_on_any_host_when_allowed() {
    let app = crate::helpers::spawn_with(|c| c.allow_http_webhooks = true).await;
    let (s, v) = app
        .post(
            "/v1/webhooks",
            json!({"url": "http://receiver.internal/h", "events": ["*"]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn at_most_twenty_webhooks() {
    let app = spawn_app().await;
    for i in 0..20 {
        let (s, v) = app
            .post(
                "/v1/webhooks",
                json!({"url": format!("https://example.com/{i}"), "events": ["*"]}),
            )
            .await;
        assert_eq!(s, 200, "{i}: {v}");
    }
    let (s, v) = app
        .post(
            "/v1/webhooks",
            json!({"url": "https://example.com/21", "events": ["*"]}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["type"], "invalid_request");
    assert_eq!(
        v["message"],
        "The maximum number of webhooks (20) has been reached"
    );
    // Another tenant is unaffected.
    let (s, _) = app
        .json_as(
            "test_other_tenant_webhooks",
            Method::POST,
            "/v1/webhooks",
            Some(&json!({"url": "https://example.com/x", "events": ["*"]})),
        )
        .await;
    assert_eq!(s, 200);
}

// ---------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------

/// A venv with the official SDK under the target directory, created once.
fn sdk_python() -> std::path::PathBuf {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let venv = target.join("sdk-venv");
    let python = venv.join("bin").join("python");
    let ready = |p: &std::path::Path| {
        std::process::Command::new(p)
            .args(["-c", "import complycube.eventverifier"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && ready(&python) {
        return python;
    }
    let status = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 is required to run the SDK signature test");
    assert!(status.success(), "python3 -m venv failed");
    let status = std::process::Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "complycube==1.1.8"])
        .status()
        .expect("pip is required to run the SDK signature test");
    assert!(status.success(), "pip install complycube==1.1.8 failed");
    assert!(
        ready(&python),
        "complycube SDK not importable after install"
    );
    python
}

#[tokio::test]
async fn deliveries_are_signed_and_the_official_sdk_verifies_them() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let (webhook_id, secret) = webhook(&app, &rx.url, &["client.created"]).await;
    let client_id = app.person("Ada", "Lovelace").await;

    let items = wait_for(&app, "eventType=client.created&state=delivered", 1).await;
    assert_eq!(items[0]["webhookId"], webhook_id.as_str());
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let event = got[0].json();
    assert_eq!(event["type"], "client.created");
    assert_eq!(event["resourceType"], "client");
    assert_eq!(event["payload"]["id"], client_id.as_str());
    assert!(is_object_id(event["id"].as_str().unwrap_or("")));
    assert_eq!(event["id"], items[0]["eventId"]);
    let keys: Vec<&str> = event
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["id", "type", "resourceType", "payload", "createdAt"]);
    let signature = got[0]
        .signature
        .clone()
        .expect("ComplyCube-Signature header");
    assert_eq!(signature, hmac_sha256_hex(secret.as_bytes(), &got[0].body));

    let python = sdk_python();
    let dir = tempfile::tempdir().expect("tempdir");
    let body_path = dir.path().join("body.json");
    std::fs::write(&body_path, &got[0].body).expect("write body");
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/verify_webhook.py");
    let run = |sig: &str| {
        std::process::Command::new(&python)
            .arg(&script)
            .args([secret.as_str(), sig])
            .arg(&body_path)
            .output()
            .expect("run python verifier")
    };
    let out = run(&signature);
    assert!(
        out.status.success(),
        "SDK rejected the signature: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).expect("verifier JSON");
    assert_eq!(parsed["id"], event["id"]);
    assert_eq!(parsed["type"], "client.created");
    // And it does reject a tampered signature.
    let bad = run(&"0".repeat(64));
    assert!(!bad.status.success());
}

// ---------------------------------------------------------------------------
// Retries on the tenant clock
// ---------------------------------------------------------------------------

#[tokio::test]
async fn failed_deliveries_retry_on_the_clock_with_the_same_event_id() {
    let app = spawn_app().await;
    freeze(&app).await;
    let rx = Receiver::start().await;
    rx.fail_next(3);
    webhook(&app, &rx.url, &["client.created"]).await;
    app.person("Grace", "Hopper").await;

    // 1st attempt at once, then after 60 s, 120 s and 480 s of tenant time.
    let mut expected_next = None;
    for (attempt, wait_ms) in [(1, 60_000), (2, 120_000), (3, 480_000)] {
        let d = wait_for(&app, &format!("minAttempts={attempt}"), 1).await;
        assert_eq!(d[0]["state"], "pending", "{}", d[0]);
        assert_eq!(d[0]["attempts"][attempt - 1]["status"], 500);
        let last_at = millis(d[0]["attempts"][attempt - 1]["at"].as_str().expect("at"));
        let next = millis(d[0]["nextAttemptAt"].as_str().expect("next"));
        assert_eq!(next - last_at, wait_ms, "{}", d[0]);
        if let Some(prev) = expected_next {
            assert_eq!(last_at, prev);
        }
        expected_next = Some(next);
        // Not due a millisecond early.
        advance(&app, wait_ms - 1).await;
        assert_eq!(
            deliveries(&app, &format!("minAttempts={}", attempt + 1))
                .await
                .len(),
            0
        );
        advance(&app, 1).await;
    }
    let d = wait_for(&app, "state=delivered", 1).await;
    assert_eq!(d[0]["attemptCount"], 4);
    // Metrics count every attempt by result.
    let (_, text) =
        crate::helpers::decode_text(app.client.get(app.url("/metrics")).send().await.unwrap())
            .await;
    assert!(
        text.contains("kyc_sandbox_webhook_deliveries_total{result=\"delivered\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("kyc_sandbox_webhook_deliveries_total{result=\"failed\"} 3\n"),
        "{text}"
    );
    assert_eq!(d[0]["attempts"][3]["status"], 200);
    assert_eq!(d[0]["nextAttemptAt"], Value::Null);
    let got = rx.received();
    assert_eq!(got.len(), 4);
    let ids: Vec<Value> = got.iter().map(|r| r.json()["id"].clone()).collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    assert!(got.iter().all(|r| r.body == got[0].body));
}

#[tokio::test]
async fn ten_failures_disable_the_webhook_and_redeliver_sends_again() {
    let app = spawn_app().await;
    freeze(&app).await;
    let rx = Receiver::start().await;
    rx.fail_next(usize::MAX);
    let (webhook_id, _) = webhook(&app, &rx.url, &["client.created"]).await;
    app.person("Alan", "Turing").await;
    for attempt in 1..10 {
        wait_for(&app, &format!("minAttempts={attempt}"), 1).await;
        advance(&app, 86_400_000).await;
    }
    let d = wait_for(&app, "state=failed", 1).await;
    assert_eq!(d[0]["attemptCount"], 10);
    assert_eq!(rx.received().len(), 10);
    let (_, w) = app.get(&format!("/v1/webhooks/{webhook_id}")).await;
    assert_eq!(w["enabled"], false, "{w}");

    // A disabled webhook gets no new events.
    app.person("Kurt", "Godel").await;
    assert_eq!(deliveries(&app, "").await.len(), 1);

    // An admin redelivery still goes out, and succeeds once the receiver is back.
    rx.fail_next(0);
    let id = d[0]["id"].as_str().expect("id");
    let (s, v) = app
        .post(
            &format!("/__admin/webhooks/deliveries/{id}/redeliver"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let d = wait_for(&app, "state=delivered", 1).await;
    assert_eq!(d[0]["attemptCount"], 11);
    let got = rx.received();
    assert_eq!(got.len(), 11);
    assert_eq!(got[10].json()["id"], got[0].json()["id"]);

    let (s, v) = app
        .post(
            "/__admin/webhooks/deliveries/000000000000000000000000/redeliver",
            json!({}),
        )
        .await;
    assert_eq!(s, 404, "{v}");
}

#[tokio::test]
async fn long_poll_returns_what_there_is_at_the_timeout() {
    let app = spawn_app().await;
    let (s, v) = app
        .get("/__admin/webhooks/deliveries?wait=0.05&state=delivered")
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"], json!([]));
    assert_eq!(v["dropped"], 0);
    let (s, v) = app.get("/__admin/webhooks/deliveries?state=bogus").await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = app
        .json_as("", Method::GET, "/__admin/webhooks/deliveries", None)
        .await;
    assert_eq!(s, 400, "{v}");
}
