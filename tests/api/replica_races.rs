//! Two replicas changing one record at once: whichever change commits last
//! is what every replica answers, the one whose change was overtaken
//! included. The database's own locks put the commits in the order each
//! test needs; the replicas are seen only through their HTTP APIs.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::durable::app_for;
use crate::helpers::TestApp;
use crate::pg::Postgres;
use crate::process::Sandbox;
use crate::replicas::{ok, replica};

/// The advisory lock every commit of every replica takes first.
const COMMIT_LOCK: i64 = 0x6B79_6373_0002;

const LOCK_RECORDS: &str = "LOCK TABLE kyc_records IN EXCLUSIVE MODE";

async fn connect(pg: &Postgres) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&pg.url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test database");
    tokio::spawn(conn);
    client
}

/// Takes a lock in a transaction of its own (waiting for it if need be)
/// and holds it until the returned sender is dropped.
async fn hold(pg: &Postgres, sql: String) -> oneshot::Sender<()> {
    let client = connect(pg).await;
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        client.batch_execute("BEGIN").await.expect("BEGIN");
        client.batch_execute(&sql).await.expect("the lock");
        let _ = rx.await;
        client.batch_execute("COMMIT").await.expect("COMMIT");
    });
    tx
}

fn gate() -> String {
    format!("SELECT pg_advisory_xact_lock({COMMIT_LOCK})")
}

/// Waits until `n` sessions of this database wait for a lock and, when
/// `records_locked`, the table of records is locked.
async fn until_waiting(db: &tokio_postgres::Client, n: i64, records_locked: bool) {
    for _ in 0..2_000 {
        let row = db
            .query_one(
                "SELECT count(*) FILTER (WHERE NOT l.granted),
                        count(*) FILTER (WHERE l.granted AND l.mode = 'ExclusiveLock'
                                         AND l.relation = 'kyc_records'::regclass)
                 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                 WHERE d.datname = current_database()",
                &[],
            )
            .await
            .expect("pg_locks");
        let (waiting, locked): (i64, i64) = (row.get(0), row.get(1));
        if waiting == n && (locked == 1) == records_locked {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{n} sessions never waited for a lock");
}

fn send(
    app: &TestApp,
    method: Method,
    path: String,
    body: Option<Value>,
) -> tokio::task::JoinHandle<(u16, Value)> {
    let app = app.clone();
    tokio::spawn(async move { app.json(method, &path, body.as_ref()).await })
}

async fn email(app: &TestApp, id: &str) -> (u16, Value) {
    let (s, v) = app.get(&format!("/v1/clients/{id}")).await;
    (s, v["email"].clone())
}

async fn client_ids(app: &TestApp) -> Vec<String> {
    let list = ok(app, Method::GET, "/v1/clients", None).await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Two replicas with their writers connected (a writer connects on its
/// first commit), and a session watching the database's locks.
struct Pair {
    a: TestApp,
    b: TestApp,
    db: tokio_postgres::Client,
    _replicas: [Sandbox; 2],
}

async fn pair(pg: &Postgres, key: &str) -> Pair {
    let replicas = [replica(pg, &[]), replica(pg, &[])];
    let (a, b) = (app_for(&replicas[0], key), app_for(&replicas[1], key));
    ok(&a, Method::POST, "/__admin/clock/freeze", None).await;
    b.person("Bob", "Roe").await;
    Pair {
        a,
        b,
        db: connect(pg).await,
        _replicas: replicas,
    }
}

type Call = tokio::task::JoinHandle<(u16, Value)>;

/// Commits B's call, then holds A's: B's call takes the commit lock and
/// waits for the table; a gate queues for the commit lock behind it, and
/// A's call behind the gate. The table is then released, so B's call
/// commits and answers while A's waits. Returns B's answer, A's call and
/// the gate (dropping it lets A's call commit).
async fn b_commits_a_waits(
    pg: &Postgres,
    db: &tokio_postgres::Client,
    via_b: impl FnOnce() -> Call,
    via_a: impl FnOnce() -> Call,
) -> ((u16, Value), Call, oneshot::Sender<()>) {
    let table = hold(pg, LOCK_RECORDS.into()).await;
    until_waiting(db, 0, true).await;
    let first = via_b();
    until_waiting(db, 1, true).await;
    let gate = hold(pg, gate()).await;
    until_waiting(db, 2, true).await;
    let second = via_a();
    until_waiting(db, 3, true).await;
    drop(table);
    let answer = first.await.expect("B's call");
    until_waiting(db, 1, false).await;
    (answer, second, gate)
}

#[tokio::test]
async fn an_update_committing_after_another_replicas_delete_stands_on_both() {
    let Some(pg) = Postgres::start() else { return };
    let pair = pair(&pg, "test_pg_cross_update").await;
    let (a, b, db) = (&pair.a, &pair.b, &pair.db);
    let id = a.person("Ann", "Doe").await;
    assert_eq!(b.get(&format!("/v1/clients/{id}")).await.0, 200);

    // The delete commits; A's update is still waiting behind the gate.
    let ((s, v), update, gate) = b_commits_a_waits(
        &pg,
        db,
        || send(b, Method::DELETE, format!("/v1/clients/{id}"), None),
        || {
            send(
                a,
                Method::POST,
                format!("/v1/clients/{id}"),
                Some(json!({"email": "new@example.com"})),
            )
        },
    )
    .await;
    assert!((200..300).contains(&s), "{s} {v}");
    assert_eq!(
        email(a, &id).await,
        (200, json!("new@example.com")),
        "A keeps its update while it may still commit last"
    );
    assert_eq!(b.get(&format!("/v1/clients/{id}")).await.0, 404);

    // The update commits last: the client exists, updated, everywhere.
    drop(gate);
    let (s, v) = update.await.expect("the update");
    assert_eq!(s, 200, "{v}");
    for app in [&a, &b] {
        assert_eq!(email(app, &id).await, (200, json!("new@example.com")));
        assert!(client_ids(app).await.contains(&id));
    }
}

#[tokio::test]
async fn crossing_updates_and_deletes_end_as_the_last_commit_left_them() {
    let Some(pg) = Postgres::start() else { return };
    let pair = pair(&pg, "test_pg_cross_order").await;
    let (a, b, db) = (&pair.a, &pair.b, &pair.db);
    // (who commits first, the record's fate on every replica)
    for delete_first in [true, false] {
        let id = a.person("Ann", "Doe").await;
        assert_eq!(b.get(&format!("/v1/clients/{id}")).await.0, 200);
        let table = hold(&pg, LOCK_RECORDS.into()).await;
        until_waiting(db, 0, true).await;
        let delete = || send(b, Method::DELETE, format!("/v1/clients/{id}"), None);
        let update = || {
            send(
                a,
                Method::POST,
                format!("/v1/clients/{id}"),
                Some(json!({"email": "new@example.com"})),
            )
        };
        let first = if delete_first { delete() } else { update() };
        until_waiting(db, 1, true).await;
        let second = if delete_first { update() } else { delete() };
        until_waiting(db, 2, true).await;
        drop(table);
        for call in [first, second] {
            let (s, v) = call.await.expect("the call");
            assert!((200..300).contains(&s), "{s} {v}");
        }
        let want = if delete_first {
            (200, json!("new@example.com"))
        } else {
            (404, Value::Null)
        };
        for app in [&a, &b] {
            let (s, email) = email(app, &id).await;
            assert_eq!(
                (s, if s == 200 { email } else { Value::Null }),
                want,
                "delete first: {delete_first}"
            );
        }
    }
}

#[tokio::test]
async fn a_create_committing_after_another_replicas_tenant_reset_stands_on_both() {
    let Some(pg) = Postgres::start() else { return };
    let pair = pair(&pg, "test_pg_cross_reset").await;
    let (a, b, db) = (&pair.a, &pair.b, &pair.db);
    let old = a.person("Old", "Doe").await;
    assert_eq!(b.get(&format!("/v1/clients/{old}")).await.0, 200);

    let ((s, v), create, gate) = b_commits_a_waits(
        &pg,
        db,
        || send(b, Method::POST, "/__admin/reset".into(), None),
        || {
            send(
                a,
                Method::POST,
                "/v1/clients".into(),
                Some(json!({"type":"person","email":"new@example.com",
                    "personDetails":{"firstName":"New","lastName":"Doe"}})),
            )
        },
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let on_a = client_ids(a).await;
    assert_eq!(
        on_a.len(),
        1,
        "the reset leaves only A's pending create: {on_a:?}"
    );
    assert!(!on_a.contains(&old));

    drop(gate);
    let (s, created) = create.await.expect("the create");
    assert_eq!(s, 200, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    for app in [&a, &b] {
        assert_eq!(client_ids(app).await, std::slice::from_ref(&id));
        assert_eq!(email(app, &id).await, (200, json!("new@example.com")));
    }
}

/// Creates a screening check decided by `scenario` (named in the header).
fn check_with(
    app: &TestApp,
    client: &str,
    scenario: &'static str,
) -> tokio::task::JoinHandle<(u16, Value)> {
    let app = app.clone();
    let body = json!({"clientId": client, "type": "standard_screening_check"});
    tokio::spawn(async move {
        let res = app
            .client
            .post(app.url("/v1/checks"))
            .header("Authorization", &app.key)
            .header("X-Sandbox-Scenario", scenario)
            .json(&body)
            .send()
            .await
            .expect("request sent");
        crate::helpers::decode(res).await
    })
}

#[tokio::test]
async fn checks_decided_by_a_scenario_both_replicas_stored_at_once_render_alike() {
    let Some(pg) = Postgres::start() else { return };
    let pair = pair(&pg, "test_pg_cross_scenario").await;
    let (a, b, db) = (&pair.a, &pair.b, &pair.db);
    let client = a.person("Ann", "Doe").await;
    assert_eq!(b.get(&format!("/v1/clients/{client}")).await.0, 200);

    // Both replicas store the scenario with their first check it decides;
    // B's commit goes first, A's right after.
    let scenario = "screening-sanctions-match";
    let table = hold(&pg, LOCK_RECORDS.into()).await;
    until_waiting(db, 0, true).await;
    let via_b = check_with(b, &client, scenario);
    until_waiting(db, 1, true).await;
    let via_a = check_with(a, &client, scenario);
    until_waiting(db, 2, true).await;
    drop(table);
    let mut ids = Vec::new();
    for call in [via_b, via_a] {
        let (s, check) = call.await.expect("the call");
        assert_eq!(s, 200, "{check}");
        ids.push(check["id"].as_str().expect("id").to_owned());
    }
    for id in &ids {
        let path = format!("/v1/checks/{id}");
        let mut seen = Vec::new();
        for app in [&a, &b] {
            let check = ok(app, Method::GET, &path, None).await;
            seen.push(check["result"]["outcome"].clone());
        }
        assert_eq!(seen[0], seen[1], "{id}: A and B answer alike");
        assert_ne!(seen[0], json!("clear"), "{id}: decided by {scenario}");
    }
}
