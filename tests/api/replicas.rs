//! Replicas sharing one PostgreSQL: the sandbox binary started as several
//! processes on one database, seen only through their HTTP APIs.

use std::collections::{HashMap, HashSet};

use reqwest::Method;
use serde_json::{Value, json};

use crate::durable::app_for;
use crate::helpers::TestApp;
use crate::pg::Postgres;
use crate::process::{Sandbox, debug_bin};
use crate::webhooks::Receiver;

pub(crate) async fn ok(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Value {
    let (s, v) = app.json(method, path, body.as_ref()).await;
    assert!((200..300).contains(&s), "{path}: {s} {v}");
    v
}

pub(crate) fn replica(pg: &Postgres, extra: &[&str]) -> Sandbox {
    let mut args = vec!["--store", pg.url.as_str()];
    args.extend_from_slice(extra);
    Sandbox::start(&debug_bin(), &args)
}

fn person() -> Value {
    json!({"type":"person","email":"ann@example.com",
        "personDetails":{"firstName":"Ann","lastName":"Doe","dob":"1990-01-01"}})
}

#[tokio::test]
async fn one_instance_on_postgres_keeps_its_state_across_a_kill() {
    let Some(pg) = Postgres::start() else { return };
    let key = "test_pg_restart";
    let first = replica(&pg, &[]);
    let app = app_for(&first, key);
    let health = ok(&app, Method::GET, "/__admin/health", None).await;
    assert_eq!(health["store"]["kind"], "postgres", "{health}");
    assert_eq!(health["store"]["connected"], true, "{health}");
    assert!(
        !health["store"]["path"]
            .as_str()
            .unwrap()
            .contains("password"),
        "{health}"
    );
    ok(&app, Method::POST, "/__admin/clock/freeze", None).await;
    let client = ok(&app, Method::POST, "/v1/clients", Some(person())).await;
    let id = client["id"].as_str().unwrap().to_owned();
    let second = ok(&app, Method::POST, "/v1/clients", Some(person())).await;
    ok(
        &app,
        Method::DELETE,
        &format!("/v1/clients/{}", second["id"].as_str().unwrap()),
        None,
    )
    .await;
    let clock = ok(&app, Method::GET, "/__admin/clock", None).await;
    first.kill9();

    let again = replica(&pg, &[]);
    let app = app_for(&again, key);
    let got = ok(&app, Method::GET, &format!("/v1/clients/{id}"), None).await;
    assert_eq!(got, client);
    let list = ok(&app, Method::GET, "/v1/clients", None).await;
    assert_eq!(list["totalItems"], 1, "{list}");
    assert_eq!(ok(&app, Method::GET, "/__admin/clock", None).await, clock);
}

#[tokio::test]
async fn whatever_one_replica_writes_the_other_answers_on_the_next_request() {
    let Some(pg) = Postgres::start() else { return };
    let key = "test_pg_shared";
    let (a_proc, b_proc) = (replica(&pg, &[]), replica(&pg, &[]));
    let (a, b) = (app_for(&a_proc, key), app_for(&b_proc, key));
    ok(&a, Method::POST, "/__admin/clock/freeze", None).await;
    let client = ok(&a, Method::POST, "/v1/clients", Some(person())).await;
    let client_id = client["id"].as_str().unwrap().to_owned();
    let address = crate::complycube_checks::address(&a, &client_id).await;
    let document = crate::complycube_checks::document(&a, &client_id).await;
    let photo = crate::complycube_checks::live_photo(&a, &client_id).await;
    let video = crate::complycube_checks::live_video(&a, &client_id).await;
    let webhook = ok(
        &a,
        Method::POST,
        "/v1/webhooks",
        Some(
            json!({"url":"http://127.0.0.1:9/never","events":["check.completed"],"enabled":false}),
        ),
    )
    .await;
    let check = ok(
        &a,
        Method::POST,
        "/v1/checks",
        Some(json!({"clientId":client_id,"type":"identity_check",
            "documentId":document,"livePhotoId":photo})),
    )
    .await;
    ok(
        &a,
        Method::PUT,
        "/__admin/faults",
        Some(json!({"latencyMs":1,"seed":9})),
    )
    .await;
    ok(
        &a,
        Method::POST,
        "/__admin/clock/advance",
        Some(json!({"seconds":60})),
    )
    .await;
    ok(
        &a,
        Method::POST,
        "/__admin/scenarios",
        Some(json!({"name":"attention","times":5})),
    )
    .await;
    let vk_a = app_for(&a_proc, "Bearer shared-token");
    let coll = ok(
        &vk_a,
        Method::POST,
        "/v2/face-recognition/collections",
        Some(json!({"name": "VIP"})),
    )
    .await;
    let cid = coll["data"]["_id"].as_str().unwrap().to_owned();
    let vk_person = ok(
        &vk_a,
        Method::POST,
        "/v2/face-recognition/persons",
        Some(json!({"name": "Jane Doe", "images": [crate::verifik_gallery::face(1)], "collections": [cid]})),
    )
    .await;
    let pid = vk_person["data"]["_id"].as_str().unwrap().to_owned();
    ok(
        &app_for(&a_proc, "Bearer expired-token"),
        Method::POST,
        "/__admin/verifik/tokens/expire",
        Some(json!({})),
    )
    .await;

    let paths = [
        format!("/v1/clients/{client_id}"),
        format!("/v1/addresses/{address}"),
        format!("/v1/documents/{document}"),
        format!("/v1/documents/{document}/download/front"),
        format!("/v1/livePhotos/{photo}"),
        format!("/v1/livePhotos/{photo}/download"),
        format!("/v1/liveVideos/{video}"),
        format!("/v1/webhooks/{}", webhook["id"].as_str().unwrap()),
        format!("/v1/checks/{}", check["id"].as_str().unwrap()),
        format!("/v1/checks?clientId={client_id}"),
        "/v1/clients".to_owned(),
        "/v1/auditLogs".to_owned(),
        "/__admin/clock".to_owned(),
        "/__admin/faults".to_owned(),
    ];
    for path in &paths {
        let want = ok(&a, Method::GET, path, None).await;
        assert_eq!(ok(&b, Method::GET, path, None).await, want, "{path} on B");
    }
    let armed = |v: Value| v["armed"].clone();
    assert_eq!(
        armed(ok(&b, Method::GET, "/__admin/scenarios", None).await),
        armed(ok(&a, Method::GET, "/__admin/scenarios", None).await)
    );
    let vk_b = app_for(&b_proc, "Bearer shared-token");
    for path in [
        "/v2/face-recognition/collections".to_owned(),
        format!("/v2/face-recognition/persons/{pid}"),
    ] {
        let want = ok(&vk_a, Method::GET, &path, None).await;
        assert_eq!(
            ok(&vk_b, Method::GET, &path, None).await["data"],
            want["data"],
            "{path}"
        );
    }
    let (s, v) = app_for(&b_proc, "Bearer expired-token")
        .json(
            Method::POST,
            "/v2/face-recognition/liveness",
            Some(&json!({})),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("FORBIDDEN")), "{v}");

    // Used on B: a check on A's client, document and photo, decided by the
    // scenario armed through A.
    let on_b = ok(
        &b,
        Method::POST,
        "/v1/checks",
        Some(json!({"clientId":client_id,"type":"identity_check",
            "documentId":document,"livePhotoId":photo})),
    )
    .await;
    let on_b = ok(
        &b,
        Method::GET,
        &format!("/v1/checks/{}", on_b["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(on_b["result"]["outcome"], "attention", "{on_b}");
    // And back: A sees B's check and the scenario's remaining uses.
    let path = format!("/v1/checks/{}", on_b["id"].as_str().unwrap());
    assert_eq!(ok(&a, Method::GET, &path, None).await, on_b);
    assert_eq!(
        ok(&a, Method::GET, "/__admin/scenarios", None).await["armed"][0]["remainingUses"],
        4
    );

    // Updates and deletes through one replica show on the other.
    ok(
        &b,
        Method::POST,
        &format!("/v1/clients/{client_id}"),
        Some(json!({"email":"new@example.com"})),
    )
    .await;
    assert_eq!(
        ok(&a, Method::GET, &format!("/v1/clients/{client_id}"), None).await["email"],
        "new@example.com"
    );
    let gone = ok(&a, Method::POST, "/v1/clients", Some(person())).await;
    let gone = format!("/v1/clients/{}", gone["id"].as_str().unwrap());
    ok(&b, Method::GET, &gone, None).await;
    ok(&a, Method::DELETE, &gone, None).await;
    assert_eq!(b.json(Method::GET, &gone, None).await.0, 404);

    // Lists interleaving both replicas' writes page identically.
    for i in 0..6 {
        let via = if i % 2 == 0 { &a } else { &b };
        ok(via, Method::POST, "/v1/clients", Some(person())).await;
    }
    for path in [
        "/v1/clients?page=1&pageSize=3",
        "/v1/clients?page=2&pageSize=3",
        "/v1/clients",
    ] {
        assert_eq!(
            ok(&a, Method::GET, path, None).await,
            ok(&b, Method::GET, path, None).await,
            "{path}"
        );
    }

    // A tenant reset through B empties it on A.
    ok(&b, Method::POST, "/__admin/reset", None).await;
    assert_eq!(
        ok(&a, Method::GET, "/v1/clients", None).await["totalItems"],
        0
    );
}

#[tokio::test]
async fn a_replica_without_its_database_answers_503_and_recovers() {
    let Some(pg) = Postgres::start() else { return };
    if !pg.controllable() {
        eprintln!("skipped: the database named by KYC_SANDBOX_TEST_POSTGRES cannot be stopped");
        return;
    }
    let key = "test_pg_loss";
    let sandbox = replica(&pg, &[]);
    let app = app_for(&sandbox, key);
    let client = ok(&app, Method::POST, "/v1/clients", Some(person())).await;
    let path = format!("/v1/clients/{}", client["id"].as_str().unwrap());

    pg.stop();
    let (s, v) = app.json(Method::GET, &path, None).await;
    assert_eq!(s, 503, "{v}");
    assert!(
        v["type"].is_string() && v["message"].is_string(),
        "ComplyCube's shape: {v}"
    );
    let (s, v) = app.json(Method::POST, "/v1/clients", Some(&person())).await;
    assert_eq!(s, 503, "{v}");
    let (s, v) = app_for(&sandbox, "Bearer vk-loss")
        .json(Method::GET, "/v2/face-recognition/collections", None)
        .await;
    assert_eq!(s, 503, "{v}");
    let (s, v) = app.json(Method::GET, "/__admin/clock", None).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (503, Some("store_unavailable")),
        "{v}"
    );
    let health = ok(&app, Method::GET, "/__admin/health", None).await;
    assert_eq!(health["store"]["connected"], false, "{health}");

    pg.restart();
    assert_eq!(ok(&app, Method::GET, &path, None).await, client);
    ok(&app, Method::POST, "/v1/clients", Some(person())).await;
    let list = ok(&app, Method::GET, "/v1/clients", None).await;
    assert_eq!(list["totalItems"], 2, "{list}");
    let health = ok(&app, Method::GET, "/__admin/health", None).await;
    assert_eq!(health["store"]["connected"], true, "{health}");
}

/// The `check.completed` events received: (event id, check id).
fn completed(rx: &Receiver) -> Vec<(String, String)> {
    rx.received()
        .iter()
        .map(|r| r.json())
        .filter(|e| e["type"] == "check.completed")
        .map(|e| {
            (
                e["id"].as_str().unwrap_or("").to_owned(),
                e["payload"]["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Waits until `rx` has `check.completed` events for every check of `ids`.
async fn until_completed(rx: &Receiver, ids: &HashSet<String>) {
    for _ in 0..1200 {
        let got: HashSet<String> = completed(rx).into_iter().map(|(_, c)| c).collect();
        if ids.is_subset(&got) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let got: HashSet<String> = completed(rx).into_iter().map(|(_, c)| c).collect();
    panic!(
        "{} of {} checks never delivered",
        ids.difference(&got).count(),
        ids.len()
    );
}

/// Waits until `app`'s replica says it leads.
async fn until_leader(app: &TestApp) {
    for _ in 0..100 {
        let h = ok(app, Method::GET, "/__admin/health", None).await;
        if h["store"]["leader"] == true {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("never became the leader");
}

/// Creates `n` screening checks on `client`, alternating between the apps.
async fn checks(apps: &[&TestApp], client: &str, n: usize) -> HashSet<String> {
    let mut ids = HashSet::new();
    for i in 0..n {
        let via = apps[i % apps.len()];
        let c = ok(
            via,
            Method::POST,
            "/v1/checks",
            Some(json!({"clientId": client, "type": "standard_screening_check"})),
        )
        .await;
        ids.insert(c["id"].as_str().unwrap().to_owned());
    }
    ids
}

#[tokio::test]
async fn a_thousand_checks_over_two_replicas_raise_a_thousand_events_once() {
    let Some(pg) = Postgres::start() else { return };
    let key = "test_pg_events";
    let rx = Receiver::start().await;
    let (a_proc, b_proc) = (replica(&pg, &[]), replica(&pg, &[]));
    let (a, b) = (app_for(&a_proc, key), app_for(&b_proc, key));
    ok(
        &a,
        Method::POST,
        "/v1/webhooks",
        Some(json!({"url": rx.url, "events": ["check.completed"]})),
    )
    .await;
    let client = ok(&b, Method::POST, "/v1/clients", Some(person())).await;
    let ids = checks(&[&a, &b], client["id"].as_str().unwrap(), 1000).await;
    until_completed(&rx, &ids).await;
    // Anything raised twice would have arrived by now.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let got = completed(&rx);
    let events: HashSet<&String> = got.iter().map(|(e, _)| e).collect();
    let checks: HashSet<&String> = got.iter().map(|(_, c)| c).collect();
    assert_eq!((got.len(), events.len(), checks.len()), (1000, 1000, 1000));
}

#[tokio::test]
async fn killing_the_leader_mid_delivery_loses_no_event() {
    let Some(pg) = Postgres::start() else { return };
    let key = "test_pg_failover";
    let rx = Receiver::start().await;
    // Slow receiver: deliveries are in flight when the leader dies.
    rx.state
        .delay_ms
        .store(20, std::sync::atomic::Ordering::SeqCst);
    let a_proc = replica(&pg, &["--webhook-concurrency", "2"]);
    let a = app_for(&a_proc, key);
    until_leader(&a).await;
    let b_proc = replica(&pg, &["--webhook-concurrency", "2"]);
    let b = app_for(&b_proc, key);
    ok(
        &b,
        Method::POST,
        "/v1/webhooks",
        Some(json!({"url": rx.url, "events": ["check.completed"]})),
    )
    .await;
    let client = ok(&a, Method::POST, "/v1/clients", Some(person())).await;
    let ids = checks(&[&a, &b], client["id"].as_str().unwrap(), 200).await;
    let before = completed(&rx).len();
    a_proc.kill9();
    assert!(
        before < 200,
        "the leader was killed mid-delivery ({before} delivered)"
    );
    until_leader(&b).await;
    until_completed(&rx, &ids).await;
    let got = completed(&rx);
    let per_check = got
        .iter()
        .fold(HashMap::<&str, HashSet<&str>>::new(), |mut m, (e, c)| {
            m.entry(c).or_default().insert(e);
            m
        });
    let again = per_check.values().filter(|e| e.len() > 1).count();
    eprintln!(
        "{} deliveries for {} checks; {again} checks raised again after the kill",
        got.len(),
        ids.len()
    );
}

#[tokio::test]
async fn an_arm_for_three_is_used_exactly_three_times_across_replicas() {
    let Some(pg) = Postgres::start() else { return };
    let key = "test_pg_armed";
    let (a_proc, b_proc) = (replica(&pg, &[]), replica(&pg, &[]));
    let (a, b) = (app_for(&a_proc, key), app_for(&b_proc, key));
    let client = ok(&a, Method::POST, "/v1/clients", Some(person())).await;
    let client = client["id"].as_str().unwrap().to_owned();
    ok(
        &b,
        Method::POST,
        "/__admin/scenarios",
        Some(json!({"name":"attention","times":3})),
    )
    .await;
    let body = json!({"clientId": client, "type": "standard_screening_check"});
    let requests = (0..24).map(|i| {
        let via = if i % 2 == 0 { &a } else { &b };
        let body = body.clone();
        async move { ok(via, Method::POST, "/v1/checks", Some(body)).await }
    });
    let created = futures_util::future::join_all(requests).await;
    let mut outcomes = HashMap::<String, usize>::new();
    for c in created {
        let path = format!("/v1/checks/{}", c["id"].as_str().unwrap());
        let got = ok(&a, Method::GET, &path, None).await;
        *outcomes
            .entry(got["result"]["outcome"].as_str().unwrap_or("").to_owned())
            .or_default() += 1;
    }
    assert_eq!(outcomes.get("attention"), Some(&3), "{outcomes:?}");
    for app in [&a, &b] {
        let armed = ok(app, Method::GET, "/__admin/scenarios", None).await;
        assert_eq!(armed["armed"], json!([]), "{armed}");
    }
}

#[tokio::test]
async fn a_tenant_written_through_one_replica_is_not_idle_on_the_leader() {
    let Some(pg) = Postgres::start() else { return };
    let key = "test_pg_idle";
    let ttl = ["--tenant-idle-ttl", "2s"];
    // The leader notes the tenant's first write itself, then sees only the
    // writes the other replica applies to the shared store.
    let leader_proc = replica(&pg, &ttl);
    let leader = app_for(&leader_proc, key);
    until_leader(&leader).await;
    let other_proc = replica(&pg, &ttl);
    let other = app_for(&other_proc, key);
    let first = ok(&leader, Method::POST, "/v1/clients", Some(person())).await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    // Three TTLs of writes through the other replica, each well inside one.
    for _ in 0..15 {
        ok(&other, Method::POST, "/v1/clients", Some(person())).await;
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
    let got = ok(
        &other,
        Method::GET,
        &format!("/v1/clients/{first_id}"),
        None,
    )
    .await;
    assert_eq!(got["id"], first_id.as_str());
    let list = ok(&leader, Method::GET, "/v1/clients", None).await;
    assert_eq!(list["totalItems"], 16, "{list}");
}

/// Pauses or resumes a replica's whole process.
fn signal(sandbox: &Sandbox, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([sig, &sandbox.pid().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill {sig}");
}

#[tokio::test]
async fn a_replica_behind_the_trimmed_log_reloads_everything() {
    let Some(pg) = Postgres::start() else { return };
    let key = "test_pg_behind";
    let keep = ["--store-log-keep", "16"];
    let (a, b) = (replica(&pg, &keep), replica(&pg, &keep));
    let (on_a, on_b) = (app_for(&a, key), app_for(&b, key));
    let gone = ok(&on_a, Method::POST, "/v1/clients", Some(person())).await;
    let gone = gone["id"].as_str().unwrap().to_owned();
    ok(&on_b, Method::GET, &format!("/v1/clients/{gone}"), None).await;

    // B sleeps through far more removals than the log keeps.
    signal(&b, "-STOP");
    ok(&on_a, Method::DELETE, &format!("/v1/clients/{gone}"), None).await;
    for _ in 0..40 {
        let c = ok(&on_a, Method::POST, "/v1/clients", Some(person())).await;
        let path = format!("/v1/clients/{}", c["id"].as_str().unwrap());
        ok(&on_a, Method::DELETE, &path, None).await;
    }
    let kept = ok(&on_a, Method::POST, "/v1/clients", Some(person())).await;
    signal(&b, "-CONT");

    // The deletion B never read is gone from the log: only a reload shows it.
    let (s, v) = on_b
        .json(Method::GET, &format!("/v1/clients/{gone}"), None)
        .await;
    assert_eq!(s, 404, "{v}");
    let list_b = ok(&on_b, Method::GET, "/v1/clients", None).await;
    assert_eq!(list_b, ok(&on_a, Method::GET, "/v1/clients", None).await);
    assert_eq!(list_b["totalItems"], 1, "{list_b}");
    assert_eq!(list_b["items"][0]["id"], kept["id"]);
}
