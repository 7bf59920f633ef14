//! The PostgreSQL schema across versions: a database the first schema
//! version laid out (every put also logged, records ordered by an index)
//! is migrated in place by the current build, and replicas keep agreeing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::durable::app_for;
use crate::pg::Postgres;
use crate::replicas::{ok, replica};

fn person(email: &str) -> Value {
    json!({"type":"person","email":email,
        "personDetails":{"firstName":"Ann","lastName":"Doe","dob":"1990-01-01"}})
}

/// Lays the tables out as schema version 1 had them, with the same rows:
/// every record's last put in the change log, the default collation, the
/// `pos` index and the owner index over every owned record.
const AS_VERSION_1: &str = r#"
    DROP TABLE kyc_log_floor;
    INSERT INTO kyc_changes (seq, tenant, kind, id, op, origin)
        SELECT seq, tenant, kind, id, 'put', origin FROM kyc_records;
    ALTER TABLE kyc_records
        ALTER COLUMN tenant TYPE text COLLATE "default",
        ALTER COLUMN kind TYPE text COLLATE "default",
        ALTER COLUMN id TYPE text COLLATE "default",
        ALTER COLUMN owner TYPE text COLLATE "default",
        ALTER COLUMN origin TYPE text COLLATE "default";
    ALTER TABLE kyc_changes
        ALTER COLUMN tenant TYPE text COLLATE "default",
        ALTER COLUMN kind TYPE text COLLATE "default",
        ALTER COLUMN id TYPE text COLLATE "default",
        ALTER COLUMN origin TYPE text COLLATE "default";
    DROP INDEX kyc_records_seq;
    CREATE INDEX kyc_records_pos ON kyc_records (pos);
    DROP INDEX kyc_records_owned;
    CREATE INDEX kyc_records_owned ON kyc_records (tenant, kind, owner) WHERE owner IS NOT NULL;
    UPDATE kyc_schema SET version = 1;
"#;

#[tokio::test]
async fn a_first_version_database_is_migrated_in_place() {
    let Some(pg) = Postgres::start() else { return };
    let key = "test_pg_schema";
    let first = replica(&pg, &[]);
    let app = app_for(&first, key);
    let mut ids = Vec::new();
    for n in 0..5 {
        let c = ok(
            &app,
            Method::POST,
            "/v1/clients",
            Some(person(&format!("c{n}@example.com"))),
        )
        .await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let address = ok(
        &app,
        Method::POST,
        "/v1/addresses",
        Some(json!({"clientId": ids[0], "line": "1 High St", "city": "London", "country": "GB"})),
    )
    .await;
    let check = ok(
        &app,
        Method::POST,
        "/v1/checks",
        Some(json!({"clientId": ids[0], "type": "identity_fraud_check",
            "addressId": address["id"]})),
    )
    .await;
    ok(
        &app,
        Method::DELETE,
        &format!("/v1/clients/{}", ids[2]),
        None,
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/clients/{}", ids[1]),
        Some(json!({"email": "renamed@example.com"})),
    )
    .await;
    let clients = ok(&app, Method::GET, "/v1/clients", None).await;
    let check = ok(
        &app,
        Method::GET,
        &format!("/v1/checks/{}", check["id"].as_str().unwrap()),
        None,
    )
    .await;
    drop(app);
    first.kill9();
    pg.sql(AS_VERSION_1);

    // Two replicas of this build start on it together; both migrate once.
    let (a, b) = (replica(&pg, &[]), replica(&pg, &[]));
    let (a, b) = (app_for(&a, key), app_for(&b, key));
    for app in [&a, &b] {
        assert_eq!(ok(app, Method::GET, "/v1/clients", None).await, clients);
        let path = format!("/v1/checks/{}", check["id"].as_str().unwrap());
        assert_eq!(ok(app, Method::GET, &path, None).await, check);
        let (s, _) = app
            .json(Method::GET, &format!("/v1/clients/{}", ids[2]), None)
            .await;
        assert_eq!(
            s, 404,
            "a client deleted before the migration stays deleted"
        );
    }
    // Writes, deletes and lists keep agreeing across the migrated replicas.
    let added = ok(
        &a,
        Method::POST,
        "/v1/clients",
        Some(person("new@example.com")),
    )
    .await;
    ok(&b, Method::DELETE, &format!("/v1/clients/{}", ids[3]), None).await;
    let on_a = ok(&a, Method::GET, "/v1/clients", None).await;
    let on_b = ok(&b, Method::GET, "/v1/clients", None).await;
    assert_eq!(on_a, on_b);
    let emails: Vec<&str> = on_a["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "new@example.com",
            "c4@example.com",
            "renamed@example.com",
            "c0@example.com"
        ],
        "{on_a}"
    );
    assert_eq!(on_a["items"][0]["id"], added["id"]);
}
