//! Operations: `/metrics`, `/openapi.json` against the router, request logs,
//! graceful shutdown.

use std::io::{Read as _, Write as _};
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_with};

async fn metrics_text(app: &crate::helpers::TestApp) -> String {
    let res = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(res.status(), 200);
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    res.text().await.expect("text")
}

/// The value of the sample line that starts with `series ` (name + labels).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_vendor_route_and_status() {
    let app = spawn_with(|c| c.journal_max_entries = 2).await;
    let id = app.person("Ada", "Lovelace").await;
    assert_eq!(app.get(&format!("/v1/clients/{id}")).await.0, 200);
    assert_eq!(app.get(&format!("/v1/clients/{id}/")).await.0, 200);
    assert_eq!(app.get("/v1/no-such-thing").await.0, 404);
    assert_eq!(app.get("/v2/face-recognition/no-such-thing").await.0, 404);
    assert_eq!(app.get("/__admin/health").await.0, 200);

    let text = metrics_text(&app).await;
    let cases = [
        (
            r#"kyc_sandbox_requests_total{vendor="complycube",route="/v1/clients",status="200"}"#,
            1.0,
        ),
        (
            r#"kyc_sandbox_requests_total{vendor="complycube",route="/v1/clients/{id}",status="200"}"#,
            2.0,
        ),
        (
            r#"kyc_sandbox_requests_total{vendor="complycube",route="unmatched",status="404"}"#,
            1.0,
        ),
        (
            r#"kyc_sandbox_requests_total{vendor="verifik",route="unmatched",status="404"}"#,
            1.0,
        ),
        (
            r#"kyc_sandbox_requests_total{vendor="admin",route="/__admin/health",status="200"}"#,
            1.0,
        ),
        (
            r#"kyc_sandbox_webhook_deliveries_total{result="delivered"}"#,
            0.0,
        ),
        // Five journaled requests for this key, two kept.
        ("kyc_sandbox_journal_evictions_total", 3.0),
    ];
    for (series, want) in cases {
        assert_eq!(sample(&text, series), Some(want), "{series} in\n{text}");
    }
    assert!(sample(&text, "kyc_sandbox_uptime_seconds").is_some_and(|v| v >= 0.0));
    assert!(sample(&text, "process_resident_memory_bytes").is_some_and(|v| v > 1e6));

    // The scrape itself is counted for the next one.
    let again = metrics_text(&app).await;
    assert_eq!(
        sample(
            &again,
            r#"kyc_sandbox_requests_total{vendor="sandbox",route="/metrics",status="200"}"#
        ),
        Some(1.0),
        "{again}"
    );
}

/// A `MakeWriter` that appends every log line to a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

#[tokio::test]
async fn request_logs_name_the_route_and_never_the_key() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The test runtime is single-threaded: the server's tasks log here too.
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = spawn_app().await;
    // Other tests register the same callsites concurrently, before this
    // subscriber existed: refresh their cached interest.
    assert_eq!(app.get("/__admin/health").await.0, 200);
    tracing::callsite::rebuild_interest_cache();
    let secret = format!("test_secret{}", uuid::Uuid::new_v4().simple());
    let (status, _) = app
        .json_as(
            &format!("Bearer {secret}"),
            Method::GET,
            "/v1/clients/000000000000000000000000",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let res = app
        .client
        .get(app.url("/__admin/health"))
        .header("X-Admin-Token", &secret)
        .send()
        .await
        .expect("health");
    assert_eq!(res.status(), 200);
    let _ = std::io::stdout().flush();
    let text = logs.text();
    assert!(text.contains("route=/v1/clients/{id} "), "{text}");
    assert!(text.contains("status=404"), "{text}");
    assert!(!text.contains("test_secret"), "credential in logs:\n{text}");
}

#[tokio::test]
async fn shutdown_lets_an_in_flight_request_finish() {
    let state = kyc_sandbox::build(kyc_sandbox::Config::for_tests()).expect("builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kyc_sandbox::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let body = json!({"type": "person", "email": "slow@example.com",
        "personDetails": {"firstName": "Slow", "lastName": "Upload"}})
    .to_string();
    let half = body.len() / 2;
    let request_head = format!(
        "POST /v1/clients HTTP/1.1\r\nHost: {addr}\r\nAuthorization: test_shutdown\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    // A plain blocking socket (on the blocking pool) so the body can stall.
    let first = format!("{request_head}{}", &body[..half]);
    let mut conn = tokio::task::spawn_blocking(move || {
        let mut conn = std::net::TcpStream::connect(addr).expect("connect");
        conn.write_all(first.as_bytes())
            .expect("head and first half");
        conn
    })
    .await
    .expect("connect task");
    // Let the server start on the request, then ask it to stop mid-body.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.send(()).expect("server still running");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let rest = body[half..].to_owned();
    let response = tokio::task::spawn_blocking(move || {
        conn.write_all(rest.as_bytes()).expect("second half");
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let mut response = Vec::new();
        conn.read_to_end(&mut response)
            .expect("the server answers and closes");
        response
    })
    .await
    .expect("read task");
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#""firstName":"Slow""#), "{response}");

    let served = tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("serve returns once the request is done")
        .expect("no panic");
    assert!(served.is_ok(), "{served:?}");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no new connections after shutdown"
    );
}

/// Fills `{param}` placeholders with values that route but match nothing.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{id}" => "000000000000000000000000",
            "{side}" => "front",
            s if s.starts_with('{') => "placeholder",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// True when the router has a route for this method and path.
async fn routed(app: &crate::helpers::TestApp, method: &str, path: &str) -> bool {
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let body = json!({});
    let with_body = [Method::POST, Method::PUT, Method::PATCH].contains(&method);
    let res = app
        .call(method.clone(), path, with_body.then_some(&body))
        .await;
    let status = res.status().as_u16();
    let streams = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if streams {
        // A live feed never ends: answering one is being served.
        return status == 200;
    }
    let text = res.text().await.unwrap_or_default();
    if status == 405 {
        return false;
    }
    if path.starts_with("/__admin") {
        return !(status == 404 && text.contains("Unknown admin route"));
    }
    // Every other request is journaled, with `unknownRoute` for fallbacks.
    let (s, journal) = app.get("/__admin/requests?limit=1").await;
    assert_eq!(s, 200, "{journal}");
    let last = &journal["items"][0];
    assert_eq!(last["path"], path, "journal: {journal}");
    assert_eq!(last["method"], method.as_str(), "journal: {journal}");
    last["unknownRoute"] == Value::Bool(false)
}

#[tokio::test]
async fn openapi_document_lists_exactly_the_routes_served() {
    let app = spawn_app().await;
    let (status, doc) = app.get("/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().expect("path item").keys() {
            documented.push((method.to_ascii_uppercase(), path.clone()));
        }
    }
    let unique: std::collections::BTreeSet<_> = documented.iter().collect();
    assert_eq!(
        unique.len(),
        documented.len(),
        "one row per method and path"
    );

    // Every documented route is served.
    let mut unknown = Vec::new();
    for (method, path) in &documented {
        if !routed(&app, method, &concrete(path)).await {
            unknown.push(format!("{method} {path}"));
        }
    }
    assert!(
        unknown.is_empty(),
        "documented in the OpenAPI route tables but not served: {unknown:?}"
    );

    // Every vendor route the router serves is documented. The candidates are
    // the vendors' published surfaces; a newly served one must get a row.
    let mut undocumented = Vec::new();
    for (method, path) in vendor_candidates() {
        let is_documented = documented.iter().any(|(m, p)| m == method && p == path);
        if !is_documented && routed(&app, method, &concrete(path)).await {
            undocumented.push(format!("{method} {path}"));
        }
    }
    assert!(
        undocumented.is_empty(),
        "served but missing from src/openapi.rs ROUTES: {undocumented:?}"
    );
}

/// The ComplyCube and Verifik routes an integration may call.
fn vendor_candidates() -> Vec<(&'static str, &'static str)> {
    let mut v = Vec::new();
    let crud = |v: &mut Vec<(&'static str, &'static str)>,
                collection: &'static str,
                item: &'static str| {
        v.extend([
            ("POST", collection),
            ("GET", collection),
            ("GET", item),
            ("POST", item),
            ("PUT", item),
            ("PATCH", item),
            ("DELETE", item),
        ]);
    };
    crud(&mut v, "/v1/clients", "/v1/clients/{id}");
    crud(&mut v, "/v1/addresses", "/v1/addresses/{id}");
    crud(&mut v, "/v1/documents", "/v1/documents/{id}");
    crud(&mut v, "/v1/livePhotos", "/v1/livePhotos/{id}");
    crud(&mut v, "/v1/liveVideos", "/v1/liveVideos/{id}");
    crud(&mut v, "/v1/checks", "/v1/checks/{id}");
    crud(&mut v, "/v1/webhooks", "/v1/webhooks/{id}");
    crud(&mut v, "/v1/auditLogs", "/v1/auditLogs/{id}");
    crud(&mut v, "/v1/teamMembers", "/v1/teamMembers/{id}");
    crud(&mut v, "/v1/workflowSessions", "/v1/workflowSessions/{id}");
    v.extend([
        ("GET", "/v1/clients/{id}/riskProfile"),
        ("POST", "/v1/documents/{id}/upload/{side}"),
        ("GET", "/v1/documents/{id}/download/{side}"),
        ("DELETE", "/v1/documents/{id}/{side}"),
        ("GET", "/v1/documents/{id}/{side}"),
        ("POST", "/v1/documents/{id}/redact"),
        ("GET", "/v1/livePhotos/{id}/download"),
        ("POST", "/v1/livePhotos/{id}/redact"),
        ("POST", "/v1/liveVideos/{id}/redact"),
        ("POST", "/v1/checks/{id}/validate"),
        ("POST", "/v1/checks/{id}/redact"),
        ("POST", "/v1/tokens"),
        ("GET", "/v1/reports"),
        ("POST", "/v1/flow/sessions"),
        ("POST", "/v1/workflowSessions/{id}/complete"),
        ("GET", "/v1/accountInfo"),
        ("GET", "/v1/static/screeningLists"),
        ("GET", "/v1/static/supportedDocuments"),
        ("POST", "/v1/lookup/companies"),
        ("GET", "/v1/lookup/companies/{id}"),
        ("POST", "/v1/lookup/addresses"),
        ("POST", "/v1/autofill"),
        ("GET", "/v1/events"),
        ("GET", "/v1/events/{id}"),
    ]);
    for path in [
        "/v2/face-recognition/compare",
        "/v2/face-recognition/compare-live",
        "/v2/face-recognition/compare-with-liveness",
        "/v2/face-recognition/detect",
        "/v2/face-recognition/liveness",
        "/v2/face-recognition/liveness-score",
        "/v2/face-recognition/persons",
        "/v2/face-recognition/persons/{id}",
        "/v2/face-recognition/search",
        "/v2/face-recognition/search-active-user",
        "/v2/face-recognition/search-live-face",
        "/v2/face-recognition/search/crops",
        "/v2/face-recognition/verify",
    ] {
        v.extend([
            ("POST", path),
            ("GET", path),
            ("PUT", path),
            ("DELETE", path),
        ]);
    }
    v
}
