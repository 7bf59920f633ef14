//! Tenant export and import over the admin API, and `--seed` at startup.

use reqwest::Method;
use serde_json::{Value, json};

use crate::complycube_checks::{document, live_photo};
use crate::durable::app_for;
use crate::helpers::{TestApp, spawn_app};
use crate::process::{Sandbox, debug_bin};

/// A tenant holding one of everything, a pending check and armed state.
async fn populate(app: &TestApp) -> String {
    let client = app.person("Ann", "Doe").await;
    let doc = document(app, &client).await;
    let photo = live_photo(app, &client).await;
    let (s, address) = app
        .post(
            "/v1/addresses",
            json!({"clientId":client,"line":"1 High St","city":"London","country":"GB"}),
        )
        .await;
    assert_eq!(s, 200, "{address}");
    for body in [
        json!({"clientId":client,"type":"identity_check","documentId":doc,"livePhotoId":photo}),
        json!({"clientId":client,"type":"identity_fraud_check","addressId":address["id"]}),
    ] {
        let (s, v) = app.post("/v1/checks", body).await;
        assert_eq!(s, 200, "{v}");
    }
    let (s, _) = app
        .post(
            "/__admin/complycube/liveVideos",
            json!({"clientId": client}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .post(
            "/v1/webhooks",
            json!({"url":"https://example.com/hook","events":["*"]}),
        )
        .await;
    assert_eq!(s, 200);
    for (path, body) in [
        ("/__admin/clock/freeze", json!({})),
        ("/__admin/clock/advance", json!({"seconds": 90})),
        (
            "/__admin/scenarios",
            json!({"name": "document-expired", "times": 2}),
        ),
    ] {
        let (s, v) = app.post(path, body).await;
        assert!(s < 300, "{path}: {v}");
    }
    let (s, _) = app
        .json(
            Method::PUT,
            "/__admin/faults",
            Some(&json!({"latencyMs": 2})),
        )
        .await;
    assert_eq!(s, 200);
    client
}

/// The export without the moment it was taken.
async fn export(app: &TestApp) -> Value {
    let (s, mut v) = app.get("/__admin/export").await;
    assert_eq!(s, 200, "{v}");
    v.as_object_mut().unwrap().remove("exportedAt");
    v
}

#[tokio::test]
async fn export_reset_import_round_trips_a_tenant() {
    let app = spawn_app().await;
    let client = populate(&app).await;
    let exported = export(&app).await;
    let kinds: std::collections::BTreeSet<&str> = exported["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    for k in [
        "complycube.client",
        "complycube.address",
        "complycube.document",
        "complycube.document_image",
        "complycube.live_photo",
        "complycube.live_video",
        "complycube.check",
        "complycube.webhook",
        "clock",
        "armed",
        "faults",
    ] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
    let (s, _) = app.post("/__admin/reset", json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(app.get(&format!("/v1/clients/{client}")).await.0, 404);

    let (s, v) = app.post("/__admin/import", exported.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(export(&app).await, exported, "an identical export");
    assert_eq!(app.get(&format!("/v1/clients/{client}")).await.0, 200);

    // The same ids again collide, unless the tenant is replaced.
    let (s, v) = app.post("/__admin/import", exported.clone()).await;
    assert_eq!((s, v["error"].as_str()), (409, Some("conflict")), "{v}");
    let (s, _) = app
        .post("/__admin/import?replace=true", exported.clone())
        .await;
    assert_eq!(s, 200);
    assert_eq!(export(&app).await, exported);

    // Into another tenant of the same sandbox: same ids, its own data.
    let other = app.as_tenant("test_import_target");
    let (s, v) = other.post("/__admin/import", exported.clone()).await;
    assert_eq!(s, 200, "{v}");
    let (_, got) = other.get(&format!("/v1/clients/{client}")).await;
    assert_eq!(got["id"], json!(client));
}

#[tokio::test]
async fn a_bad_document_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    populate(&app).await;
    let before = export(&app).await;
    let mut broken = before.clone();
    let records = broken["records"].as_array_mut().unwrap();
    records.push(json!({"kind":"complycube.client","id":"5eb04fcd0f3e360008035eb2","body":{"id":"not an id"}}));
    let target = app.as_tenant("test_untouched");
    let cases = [
        (
            json!({"format":"something","version":1,"records":[]}),
            "'format'",
        ),
        (
            json!({"format":"kyc-sandbox.tenant","version":9,"records":[]}),
            "'version'",
        ),
        (broken, "complycube.client"),
        (
            json!({"format":"kyc-sandbox.tenant","version":1,"records":[{"kind":"nope","id":"1","body":{}}]}),
            "unknown to this build",
        ),
    ];
    for (doc, why) in cases {
        let (s, v) = target.post("/__admin/import?replace=true", doc).await;
        assert_eq!(s, 400, "{v}");
        assert!(v["message"].as_str().unwrap().contains(why), "{v}");
    }
    let (_, v) = target.get("/v1/clients").await;
    assert_eq!(v["totalItems"], 0, "nothing imported: {v}");
    assert_eq!(export(&app).await, before, "the source tenant is untouched");
}

#[tokio::test]
async fn seeds_start_every_run_from_the_same_known_tenant() {
    let source = spawn_app().await;
    let client = populate(&source).await;
    let (_, doc) = source.get("/__admin/export").await;
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    std::fs::write(&seed, serde_json::to_vec(&doc).unwrap()).unwrap();
    let seed_arg = seed.display().to_string();

    for _ in 0..2 {
        let sandbox = Sandbox::start(&debug_bin(), &["--seed", &seed_arg]);
        let app = app_for(&sandbox, &source.key);
        let (s, got) = app.get(&format!("/v1/clients/{client}")).await;
        assert_eq!(s, 200, "{got}");
        // A change made during the run is gone at the next start.
        let (s, _) = app
            .json(Method::DELETE, &format!("/v1/clients/{client}"), None)
            .await;
        assert_eq!(s, 204);
    }
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        br#"{"format":"kyc-sandbox.tenant","version":1,"records":[]}"#,
    )
    .unwrap();
    let bad_arg = bad.display().to_string();
    let Err((code, lines)) = Sandbox::try_start(&debug_bin(), &["--seed", &bad_arg]) else {
        panic!("started with a seed that names no tenant");
    };
    assert!(code.is_some_and(|c| c != 0));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("'tenant' must name the tenant to seed")),
        "{lines:?}"
    );
}
