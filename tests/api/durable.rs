//! State that survives restarts: the sandbox binary on an SQLite file,
//! killed with SIGKILL and started again, seen only through its HTTP API.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::complycube_checks::{document_with, image_b64};
use crate::helpers::TestApp;
use crate::process::{Sandbox, debug_bin};
use crate::webhooks::Receiver;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A client of `sandbox` for one tenant.
pub(crate) fn app_for(sandbox: &Sandbox, key: &str) -> TestApp {
    TestApp {
        address: sandbox.base.clone(),
        client: reqwest::Client::new(),
        key: key.to_owned(),
    }
}

fn store_arg(path: &std::path::Path) -> String {
    format!("sqlite:{}", path.display())
}

/// Distinct image bytes (≥ 34 KB, ComplyCube's lower bound).
pub(crate) fn image_bytes(seed: u32) -> Vec<u8> {
    (0..40_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 13) as u8)
        .collect()
}

async fn ok(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Value {
    let (s, v) = app.json(method, path, body.as_ref()).await;
    assert!((200..300).contains(&s), "{path}: {s} {v}");
    v
}

#[tokio::test]
async fn every_kind_of_state_survives_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.db");
    let store = store_arg(&file);
    let args = ["--store", store.as_str()];
    let key = "test_durable";
    let photo_bytes = image_bytes(7);
    let doc_bytes = image_bytes(8);

    let first = Sandbox::start(&debug_bin(), &args);
    let app = app_for(&first, key);
    ok(&app, Method::POST, "/__admin/clock/freeze", None).await;
    let client = ok(
        &app,
        Method::POST,
        "/v1/clients",
        Some(json!({"type":"person","email":"ann@example.com",
            "personDetails":{"firstName":"Ann","lastName":"Doe","dob":"1990-01-01"},
            "metadata":{"team":"qa"}})),
    )
    .await;
    let client_id = client["id"].as_str().unwrap().to_owned();
    let address = ok(
        &app,
        Method::POST,
        "/v1/addresses",
        Some(json!({"clientId":client_id,"line":"1 High St","city":"London","country":"GB"})),
    )
    .await;
    let document = document_with(
        &app,
        &client_id,
        "passport",
        &["front"],
        Some(&B64.encode(&doc_bytes)),
    )
    .await;
    let photo = ok(
        &app,
        Method::POST,
        "/v1/livePhotos",
        Some(json!({"clientId":client_id,"data":B64.encode(&photo_bytes)})),
    )
    .await;
    let video = ok(
        &app,
        Method::POST,
        "/__admin/complycube/liveVideos",
        Some(json!({"clientId":client_id})),
    )
    .await;
    let webhook = ok(
        &app,
        Method::POST,
        "/v1/webhooks",
        Some(
            json!({"url":"http://127.0.0.1:9/never","events":["check.completed"],"enabled":false}),
        ),
    )
    .await;
    // A check completing in an hour of sandbox time, decided by a scenario.
    ok(
        &app,
        Method::POST,
        "/__admin/scenarios",
        Some(
            json!({"scenario":{"name":"late-attention","description":"attention in an hour",
            "match":{"checkType":"identity_fraud_check"},
            "effect":{"outcome":"attention","completionDelayMs":3_600_000}},"times":1}),
        ),
    )
    .await;
    let pending = ok(
        &app,
        Method::POST,
        "/v1/checks",
        Some(json!({"clientId":client_id,"type":"identity_fraud_check","addressId":address["id"]})),
    )
    .await;
    let done = ok(
        &app,
        Method::POST,
        "/v1/checks",
        Some(json!({"clientId":client_id,"type":"identity_check",
            "documentId":document,"livePhotoId":photo["id"]})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        "/__admin/scenarios",
        Some(json!({"name":"attention","times":3})),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/__admin/faults",
        Some(json!({"latencyMs":1,"seed":9})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        "/__admin/clock/advance",
        Some(json!({"seconds":60})),
    )
    .await;
    let verifik = app_for(&first, "Bearer durable-token");
    ok(
        &verifik,
        Method::POST,
        "/__admin/verifik/tokens/expire",
        Some(json!({})),
    )
    .await;

    let mut before = Vec::new();
    for path in [
        format!("/v1/clients/{client_id}"),
        format!("/v1/addresses/{}", address["id"].as_str().unwrap()),
        format!("/v1/documents/{document}"),
        format!("/v1/documents/{document}/download/front"),
        format!("/v1/livePhotos/{}", photo["id"].as_str().unwrap()),
        format!("/v1/livePhotos/{}/download", photo["id"].as_str().unwrap()),
        format!("/v1/liveVideos/{}", video["id"].as_str().unwrap()),
        format!("/v1/webhooks/{}", webhook["id"].as_str().unwrap()),
        format!("/v1/checks/{}", done["id"].as_str().unwrap()),
        format!("/v1/checks/{}", pending["id"].as_str().unwrap()),
        format!("/v1/checks?clientId={client_id}"),
        // The console's view: which layer chose the scenario, the timeline.
        format!(
            "/__admin/complycube/checks/{}",
            pending["id"].as_str().unwrap()
        ),
        "/v1/clients".to_owned(),
        "/__admin/clock".to_owned(),
        "/__admin/faults".to_owned(),
    ] {
        before.push((path.clone(), ok(&app, Method::GET, &path, None).await));
    }
    let (_, armed) = app.get("/__admin/scenarios").await;
    first.kill9();

    let second = Sandbox::start(&debug_bin(), &args);
    let app = app_for(&second, key);
    for (path, want) in &before {
        let got = ok(&app, Method::GET, path, None).await;
        assert_eq!(&got, want, "{path} after the restart");
    }
    let (_, armed_after) = app.get("/__admin/scenarios").await;
    assert_eq!(armed_after["armed"], armed["armed"]);
    assert_eq!(armed_after["armed"][0]["remainingUses"], 3);
    let verifik = app_for(&second, "Bearer durable-token");
    let (s, v) = verifik
        .json(
            Method::POST,
            "/v2/face-recognition/liveness",
            Some(&json!({})),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("FORBIDDEN")));

    // The pending check completes as it was decided, once its hour passes.
    let pending_path = format!("/v1/checks/{}", pending["id"].as_str().unwrap());
    assert_eq!(
        ok(&app, Method::GET, &pending_path, None).await["status"],
        "pending"
    );
    ok(
        &app,
        Method::POST,
        "/__admin/clock/advance",
        Some(json!({"seconds":3600})),
    )
    .await;
    let completed = ok(&app, Method::GET, &pending_path, None).await;
    assert_eq!(completed["status"], "complete");
    assert_eq!(completed["result"]["outcome"], "attention");

    // Face sightings are derived again: another client with the same photo
    // bytes is flagged as previously enrolled.
    let other = ok(
        &app,
        Method::POST,
        "/v1/clients",
        Some(json!({"type":"person","email":"bo@example.com",
            "personDetails":{"firstName":"Bo","lastName":"Roe"}})),
    )
    .await;
    let other_id = other["id"].as_str().unwrap();
    let other_doc = document_with(&app, other_id, "passport", &["front"], Some(&image_b64())).await;
    let other_photo = ok(
        &app,
        Method::POST,
        "/v1/livePhotos",
        Some(json!({"clientId":other_id,"data":B64.encode(&photo_bytes)})),
    )
    .await;
    // The armed `attention` scenario still has its uses: bypass it by header.
    let res = app
        .client
        .post(app.url("/v1/checks"))
        .header("Authorization", key)
        .header("X-Sandbox-Scenario", "default")
        .json(&json!({"clientId":other_id,"type":"identity_check",
            "documentId":other_doc,"livePhotoId":other_photo["id"]}))
        .send()
        .await
        .unwrap();
    let (s, check) = crate::helpers::decode(res).await;
    assert_eq!(s, 200, "{check}");
    let (_, check) = app
        .get(&format!("/v1/checks/{}", check["id"].as_str().unwrap()))
        .await;
    let face = &check["result"]["breakdown"]["faceAnalysis"];
    assert_eq!(face["previouslyEnrolledFace"], "attention", "{face}");
    assert_eq!(
        face["breakdown"]["enrolledFacesMatches"][0]["clientId"],
        json!(client_id)
    );
}

#[tokio::test]
async fn pending_deliveries_resume_after_a_kill_with_the_same_event_id() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_arg(&dir.path().join("hooks.db"));
    let args = ["--store", store.as_str()];
    let rx = Receiver::start().await;
    rx.fail_next(1);

    let first = Sandbox::start(&debug_bin(), &args);
    let app = app_for(&first, "test_hooks");
    ok(&app, Method::POST, "/__admin/clock/freeze", None).await;
    ok(
        &app,
        Method::POST,
        "/v1/webhooks",
        Some(json!({"url": rx.url, "events": ["client.created"]})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        "/v1/clients",
        Some(json!({"type":"person","email":"a@example.com",
            "personDetails":{"firstName":"A","lastName":"B"}})),
    )
    .await;
    let (_, d) = app
        .get("/__admin/webhooks/deliveries?minAttempts=1&wait=10")
        .await;
    let item = &d["items"][0];
    assert_eq!(item["state"], "pending", "{d}");
    let event_id = item["eventId"].clone();
    // Stores commit in order: once a later write is acknowledged, the
    // attempt recorded before it is durable too.
    ok(
        &app,
        Method::POST,
        "/__admin/clock/advance",
        Some(json!({"ms": 0})),
    )
    .await;
    first.kill9();

    let second = Sandbox::start(&debug_bin(), &args);
    let app = app_for(&second, "test_hooks");
    let (_, d) = app.get("/__admin/webhooks/deliveries").await;
    assert_eq!(d["items"][0]["state"], "pending", "{d}");
    assert_eq!(d["items"][0]["attemptCount"], 1);
    ok(
        &app,
        Method::POST,
        "/__admin/clock/advance",
        Some(json!({"seconds":60})),
    )
    .await;
    let (_, d) = app
        .get("/__admin/webhooks/deliveries?state=delivered&wait=10")
        .await;
    assert_eq!(d["items"][0]["eventId"], event_id, "{d}");
    assert_eq!(d["items"][0]["attemptCount"], 2);
    let got = rx.received();
    assert_eq!(got.len(), 2, "one failed attempt before, one after");
    assert!(got.iter().all(|r| r.json()["id"] == event_id));
}

#[tokio::test]
async fn bad_store_files_stop_startup_with_one_line_and_stay_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.db");
    std::fs::write(&corrupt, vec![0x42u8; 4096]).unwrap();
    let newer = dir.path().join("newer.db");
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.execute_batch(
            "PRAGMA application_id = 1803117427; PRAGMA user_version = 999; CREATE TABLE t (x);",
        )
        .unwrap();
    }
    let not_a_dir = dir.path().join("plain-file");
    std::fs::write(&not_a_dir, b"x").unwrap();
    let unwritable = not_a_dir.join("sandbox.db");
    let busy = dir.path().join("busy.db");
    let holder = Sandbox::start(&debug_bin(), &["--store", &store_arg(&busy)]);

    let cases = [
        (&corrupt, "is not a kyc-sandbox store"),
        (
            &newer,
            "was written by a newer kyc-sandbox (schema version 999",
        ),
        (&unwritable, "cannot open for writing"),
        (&busy, "is in use by another running kyc-sandbox"),
    ];
    for (file, why) in cases {
        let before = std::fs::read(file).ok();
        let (code, lines) = match Sandbox::try_start(&debug_bin(), &["--store", &store_arg(file)]) {
            Ok(_) => panic!("{}: started", file.display()),
            Err(failure) => failure,
        };
        assert!(
            code.is_some_and(|c| c != 0),
            "{}: exit {code:?}",
            file.display()
        );
        let errors: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains("cannot start"))
            .collect();
        assert_eq!(errors.len(), 1, "{}: {lines:?}", file.display());
        assert!(
            errors[0].contains(&format!("{}: {why}", file.display())),
            "{}: {}",
            file.display(),
            errors[0]
        );
        assert_eq!(
            std::fs::read(file).ok(),
            before,
            "{} changed",
            file.display()
        );
    }
    drop(holder);
}
