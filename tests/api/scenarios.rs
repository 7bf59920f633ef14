//! The scenario catalog, arming over the admin API, and fixture hot reload.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::complycube_checks::check_body;
use crate::helpers::{TestApp, decode, spawn_app, spawn_with};

/// Creates an identity check for a client with this last name, as `tenant`
/// (with the `X-Sandbox-Scenario` header when given), and reads from the
/// request journal which scenario decided it and which layer chose it.
async fn select(
    app: &TestApp,
    tenant: &str,
    header: Option<&str>,
    last: &str,
) -> (&'static str, String) {
    let app = app.as_tenant(tenant);
    let client = app.person("John", last).await;
    let body = check_body(&app, &client, "identity_check").await;
    let mut req = app
        .client
        .post(app.url("/v1/checks"))
        .header("Authorization", &app.key)
        .json(&body);
    if let Some(h) = header {
        req = req.header("X-Sandbox-Scenario", h);
    }
    let (status, check) = decode(req.send().await.expect("sent")).await;
    assert!(status < 500, "{check}");
    let (_, journal) = app
        .get("/__admin/requests?method=POST&pathPrefix=/v1/checks&limit=1")
        .await;
    let entry = &journal["items"][0];
    let source = match entry["scenarioSource"].as_str() {
        Some("armed") => "armed",
        Some("header") => "header",
        Some("fixture") => "fixture",
        Some("default") => "default",
        other => panic!("no scenario source in {entry} ({other:?})"),
    };
    (
        source,
        entry["scenario"].as_str().unwrap_or_default().to_owned(),
    )
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn catalog_lists_every_shipped_scenario_with_trigger_and_effect() {
    let app = spawn_app().await;
    let (s, v) = app.get("/__admin/scenarios").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["precedence"],
        json!(["armed", "header", "fixture", "default"])
    );
    assert_eq!(v["armed"], json!([]));
    let all = v["scenarios"].as_array().unwrap();
    assert!(all.len() >= 25, "{}", all.len());
    let face = all
        .iter()
        .find(|s| s["name"] == "identity-face-mismatch")
        .expect("identity-face-mismatch listed");
    assert_eq!(face["source"], "fixture");
    assert!(
        face["file"]
            .as_str()
            .unwrap()
            .ends_with("complycube-identity.json")
    );
    assert_eq!(
        face["trigger"],
        "vendor complycube, check type identity_check, client last name 'face-mismatch'; or header X-Sandbox-Scenario: identity-face-mismatch"
    );
    assert_eq!(face["effect"]["outcome"], "attention");
    assert_eq!(
        face["effect"]["breakdown"]["faceAnalysis"]["facialSimilarity"],
        "attention"
    );
    for s in all {
        assert!(!s["description"].as_str().unwrap().is_empty(), "{s}");
        assert!(s.get("remainingUses").is_none(), "{s}");
    }
}

#[tokio::test]
async fn arm_by_name_for_n_requests_then_it_is_used_up() {
    let app = spawn_app().await;
    let (s, v) = app
        .post(
            "/__admin/scenarios",
            json!({"name":"identity-liveness-failed","times":2}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        (v["source"].as_str(), v["remainingUses"].as_u64()),
        (Some("armed"), Some(2))
    );

    let (_, cat) = app.get("/__admin/scenarios").await;
    assert_eq!(names(&cat["armed"]), ["identity-liveness-failed"]);

    // Armed beats the header and the fixture rules, twice.
    for _ in 0..2 {
        assert_eq!(
            select(&app, &app.key, Some("identity-face-mismatch"), "attention").await,
            ("armed", "identity-liveness-failed".into())
        );
    }
    assert_eq!(
        select(&app, &app.key, Some("identity-face-mismatch"), "attention").await,
        ("header", "identity-face-mismatch".into())
    );
    assert_eq!(
        select(&app, &app.key, None, "attention").await,
        ("fixture", "attention".into())
    );
    assert_eq!(
        select(&app, &app.key, None, "Doe").await,
        ("default", "default".into())
    );
    let (_, cat) = app.get("/__admin/scenarios").await;
    assert_eq!(cat["armed"], json!([]));
}

#[tokio::test]
async fn armed_until_removed_shows_null_remaining_uses() {
    let app = spawn_app().await;
    let (s, _) = app
        .post("/__admin/scenarios", json!({"name":"document-expired"}))
        .await;
    assert_eq!(s, 201);
    let (_, cat) = app.get("/__admin/scenarios").await;
    assert_eq!(cat["armed"][0]["remainingUses"], Value::Null);
    assert_eq!(
        cat["armed"][0]["trigger"],
        "armed: every request, until removed, with vendor complycube, check type document_check"
    );
    // Armed by name it keeps its scope (document checks) but not its magic last name.
    assert_eq!(
        cat["armed"][0]["match"],
        json!({"vendor":"complycube","checkType":"document_check"})
    );
    assert_eq!(
        select(&app, &app.key, None, "Doe").await.0,
        "default",
        "identity checks are out of scope"
    );
    let (s, body) = app.delete("/__admin/scenarios/document-expired").await;
    assert_eq!((s, body), (204, Value::Null));
    let (s, body) = app.delete("/__admin/scenarios/document-expired").await;
    assert_eq!(s, 404, "{body}");
    assert_eq!(body["error"], "not_found");
    assert_eq!(
        body["message"],
        "No armed scenario named 'document-expired' for this tenant"
    );
}

#[tokio::test]
async fn armed_scenarios_belong_to_one_tenant() {
    let app = spawn_app().await;
    let other = "test_other_tenant_key";
    let (s, _) = app
        .post(
            "/__admin/scenarios",
            json!({"name":"identity-spoofed-image"}),
        )
        .await;
    assert_eq!(s, 201);
    let (_, mine) = app.get("/__admin/scenarios").await;
    let (_, theirs) = app
        .json_as(other, Method::GET, "/__admin/scenarios", None)
        .await;
    assert_eq!(names(&mine["armed"]), ["identity-spoofed-image"]);
    assert_eq!(theirs["armed"], json!([]));
    assert_eq!(select(&app, other, None, "Doe").await.0, "default");
    assert_eq!(select(&app, &app.key, None, "Doe").await.0, "armed");
    // The other tenant cannot remove it either.
    let (s, _) = app
        .json_as(
            other,
            Method::DELETE,
            "/__admin/scenarios/identity-spoofed-image",
            None,
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(select(&app, &app.key, None, "Doe").await.0, "armed");
}

#[tokio::test]
async fn unknown_names_get_close_suggestions() {
    let app = spawn_app().await;
    let (s, v) = app
        .post(
            "/__admin/scenarios",
            json!({"name":"identity-face-missmatch"}),
        )
        .await;
    assert_eq!(s, 404, "{v}");
    assert_eq!(
        v,
        json!({"error":"not_found",
            "message":"No scenario named 'identity-face-missmatch'; did you mean: identity-face-mismatch"})
    );
}

#[tokio::test]
async fn inline_scenarios_are_validated_like_fixtures() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"scenario":{"name":"x","description":"d","effect":{"risk":"extreme"}}}),
            400,
            "effect.risk 'extreme' must be one of low, medium, high",
        ),
        (
            json!({"scenario":{"name":"default","description":"d"}}),
            400,
            "must not be 'default'",
        ),
        (
            json!({"scenario":{"name":"x","description":"","effect":{}}}),
            400,
            "'description' must say",
        ),
        (
            json!({"scenario":{"name":"x","description":"d","effect":{"status":"done"}}}),
            400,
            "effect.status 'done' must be one of complete, failed",
        ),
        (
            json!({"scenario":{"name":"x","description":"d","match":{"client":{"lastname":"x"}}}}),
            400,
            "unknown key 'lastname' in match.client",
        ),
        (
            json!({"scenario":{"name":"x","description":"d","match":{"vendor":"verifik"},"effect":{"risk":"high"}}}),
            400,
            "unknown key 'risk' in effect",
        ),
        (
            json!({"scenario":{"name":"x","description":"d","match":{"endpoint":"check"}}}),
            400,
            "match.endpoint 'check' must be one of",
        ),
        (
            json!({"scenario":{"name":"x","description":"d","match":{"imageSha256":"12"}}}),
            400,
            "not 64 hex characters",
        ),
        (
            json!({"name":"attention","scenario":{"name":"x","description":"d"}}),
            400,
            "not both",
        ),
        (json!({}), 400, "Send 'name'"),
        (
            json!({"name":"attention","times":0}),
            400,
            "'times' must be at least 1",
        ),
        (json!({"name":"attention","repeat":3}), 400, "repeat"),
    ];
    for (body, status, want) in cases {
        let (s, v) = app.post("/__admin/scenarios", body.clone()).await;
        assert_eq!(s, status, "{body}: {v}");
        assert_eq!(v["error"], "bad_request", "{v}");
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains(want), "{body}: {msg}");
    }
    let (_, cat) = app.get("/__admin/scenarios").await;
    assert_eq!(cat["armed"], json!([]), "nothing invalid was armed");

    let (s, v) = app
        .post(
            "/__admin/scenarios",
            json!({"scenario":{"name":"slow-identity","description":"Identity checks stay pending for a minute",
                "match":{"checkType":"identity_check"},"effect":{"completionDelayMs":60000}},"times":1}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        v["trigger"],
        "armed: the next request with check type identity_check"
    );
    assert!(v.get("file").is_none());
    assert_eq!(
        select(&app, &app.key, None, "Doe").await,
        ("armed", "slow-identity".into())
    );
}

#[tokio::test]
async fn arming_needs_a_tenant() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/__admin/scenarios"))
        .json(&json!({"name":"attention"}))
        .send()
        .await
        .unwrap();
    let (s, v) = crate::helpers::decode(res).await;
    assert_eq!(s, 400, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("Authorization"),
        "{v}"
    );
}

// ---- hot reload -------------------------------------------------------

const FACE: &str = r#"{"name":"identity-face-mismatch","description":"Face mismatch",
  "match":{"vendor":"complycube","checkType":"identity_check","client":{"lastName":"face-mismatch"}},
  "effect":{"outcome":"attention"}}"#;

/// Writes a fixture file in one step (a temporary name, then a rename), so
/// the watcher never sees it half written.
fn write_atomic(path: std::path::PathBuf, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

async fn watched_app(dir: &Path) -> TestApp {
    let dir = dir.to_owned();
    spawn_with(move |c| {
        c.fixtures = dir;
        c.fixtures_poll_ms = 25;
    })
    .await
}

/// Waits (generously) until the watcher has reloaded at least `n` times.
async fn wait_for_reloads(app: &TestApp, n: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, h) = app.get("/__admin/health").await;
        if h["fixtures"]["reloads"].as_u64().unwrap_or(0) >= n {
            return h;
        }
        assert!(Instant::now() < deadline, "no reload #{n}: {h}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn hot_reload_good_broken_and_fixed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), FACE).unwrap();
    let app = watched_app(dir.path()).await;
    let (_, h) = app.get("/__admin/health").await;
    assert_eq!(h["status"], "ok");
    assert_eq!(h["fixtures"]["scenarios"], 1);
    assert_eq!(h["fixtures"]["watchIntervalMs"], 25, "{h}");

    // A good new file: its scenario is usable by header at once.
    write_atomic(
        dir.path().join("b.json"),
        r#"{"name":"brand-new","description":"Added while running"}"#,
    );
    let h = wait_for_reloads(&app, 1).await;
    assert_eq!(
        (h["status"].as_str(), h["fixtures"]["scenarios"].as_u64()),
        (Some("ok"), Some(2))
    );
    assert_eq!(
        select(&app, &app.key, Some("brand-new"), "Doe").await,
        ("header", "brand-new".into())
    );
    let (_, cat) = app.get("/__admin/scenarios").await;
    assert_eq!(
        names(&cat["scenarios"]),
        ["identity-face-mismatch", "brand-new"]
    );

    // A broken change: health degrades, the previous catalog stays in force.
    write_atomic(dir.path().join("b.json"), "{\"name\": \"brand-new\",");
    let h = wait_for_reloads(&app, 2).await;
    assert_eq!(h["status"], "degraded", "{h}");
    let err = h["fixtures"]["lastError"].as_str().unwrap();
    assert!(err.contains("b.json: invalid JSON at line 1"), "{err}");
    assert_eq!(h["fixtures"]["failedReloads"], 1);
    assert_eq!(
        select(&app, &app.key, Some("brand-new"), "Doe").await.1,
        "brand-new",
        "old catalog still served"
    );
    assert_eq!(
        select(&app, &app.key, None, "face-mismatch").await.1,
        "identity-face-mismatch"
    );

    // Fixed (a different scenario this time): healthy, new catalog.
    write_atomic(
        dir.path().join("b.json"),
        r#"[{"name":"renamed-scenario","description":"Fixed and renamed"}]"#,
    );
    let h = wait_for_reloads(&app, 3).await;
    assert_eq!(h["status"], "ok", "{h}");
    assert!(h["fixtures"].get("lastError").is_none(), "{h}");
    let (_, cat) = app.get("/__admin/scenarios").await;
    assert_eq!(
        names(&cat["scenarios"]),
        ["identity-face-mismatch", "renamed-scenario"]
    );

    // Removing a file reloads too.
    std::fs::remove_file(dir.path().join("b.json")).unwrap();
    let h = wait_for_reloads(&app, 4).await;
    assert_eq!(h["fixtures"]["scenarios"], 1, "{h}");
}

#[tokio::test]
async fn a_duplicate_name_added_while_running_is_rejected_as_a_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), FACE).unwrap();
    let app = watched_app(dir.path()).await;
    write_atomic(
        dir.path().join("b.json"),
        r#"[{"name":"fine","description":"d"},{"name":"Identity-Face-Mismatch","description":"d"}]"#,
    );
    let h = wait_for_reloads(&app, 1).await;
    assert_eq!(h["status"], "degraded");
    let err = h["fixtures"]["lastError"].as_str().unwrap();
    assert!(
        err.contains("scenario name 'Identity-Face-Mismatch' is already defined in"),
        "{err}"
    );
    let (_, cat) = app.get("/__admin/scenarios").await;
    assert_eq!(
        names(&cat["scenarios"]),
        ["identity-face-mismatch"],
        "no half-loaded catalog"
    );
}

#[tokio::test]
async fn a_bad_fixture_stops_startup_with_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.json"), "[{]").unwrap();
    let mut config = kyc_sandbox::Config::for_tests();
    config.fixtures = dir.path().to_owned();
    let err = kyc_sandbox::build(config).err().expect("startup fails");
    assert!(
        err.contains("broken.json: invalid JSON at line 1 column 3"),
        "{err}"
    );
}
