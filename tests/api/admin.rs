//! The admin API seen from outside: health, token, request journal, reset.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, decode, spawn_app, spawn_with};

const OTHER: &str = "test_second_tenant";

async fn client_as(app: &TestApp, key: &str, last: &str) -> u16 {
    let body = json!({"type":"person","email":"a@example.com",
        "personDetails":{"firstName":"Ann","lastName":last}});
    app.json_as(key, Method::POST, "/v1/clients", Some(&body))
        .await
        .0
}

async fn journal(app: &TestApp, key: &str, query: &str) -> (u16, Value) {
    app.json_as(key, Method::GET, &format!("/__admin/requests{query}"), None)
        .await
}

fn paths(listing: &Value) -> Vec<String> {
    listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap(),
                e["status"]
            )
        })
        .collect()
}

#[tokio::test]
async fn health_reports_fixtures_and_journal_limits_without_a_tenant() {
    let app = spawn_app().await;
    let (s, h) = decode(
        app.client
            .get(app.url("/__admin/health"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(
        (
            h["status"].as_str(),
            h["live"].as_bool(),
            h["ready"].as_bool()
        ),
        (Some("ok"), Some(true), Some(true))
    );
    assert!(h["fixtures"]["scenarios"].as_u64().unwrap() >= 25, "{h}");
    assert!(h["fixtures"]["files"].as_u64().unwrap() >= 5, "{h}");
    assert_eq!(h["fixtures"]["reloads"], 0);
    assert_eq!(h["journal"]["maxEntries"], 1000);
    assert_eq!(h["journal"]["evicted"], 0);
}

#[tokio::test]
async fn admin_token_is_required_when_configured() {
    let app = spawn_with(|c| c.admin_token = Some("s3cret".into())).await;
    for token in [None, Some("wrong")] {
        let mut req = app
            .client
            .get(app.url("/__admin/scenarios"))
            .header("Authorization", &app.key);
        if let Some(t) = token {
            req = req.header("X-Admin-Token", t);
        }
        let (s, v) = decode(req.send().await.unwrap()).await;
        assert_eq!(s, 401, "{v}");
        assert_eq!(v["error"], "unauthorized");
        assert!(v["message"].as_str().unwrap().contains("X-Admin-Token"));
    }
    let res = app
        .client
        .get(app.url("/__admin/scenarios"))
        .header("Authorization", &app.key)
        .header("X-Admin-Token", "s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Health stays open for container probes.
    let res = app
        .client
        .get(app.url("/__admin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn admin_errors_are_json() {
    let app = spawn_app().await;
    let (s, v) = app.get("/__admin/nope").await;
    assert_eq!((s, &v["error"]), (404, &json!("not_found")), "{v}");
    let (s, v) = app.delete("/__admin/health").await;
    assert_eq!((s, &v["error"]), (405, &json!("method_not_allowed")), "{v}");
    let (s, v) = app.post("/__admin/reset?all=maybe", json!({})).await;
    assert_eq!((s, &v["error"]), (400, &json!("bad_request")), "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("Bad query string"),
        "{v}"
    );
    let res = app
        .client
        .post(app.url("/__admin/scenarios"))
        .header("Authorization", &app.key)
        .header("Content-Type", "application/json")
        .body("{\"name\":")
        .send()
        .await
        .unwrap();
    let (s, v) = decode(res).await;
    assert_eq!(s, 400, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("not valid JSON"),
        "{v}"
    );
}

#[tokio::test]
async fn journal_is_newest_first_filterable_and_per_tenant() {
    let app = spawn_app().await;
    assert_eq!(client_as(&app, &app.key, "One").await, 200);
    let (s, _) = app.get("/v1/clients/000000000000000000000000").await;
    assert_eq!(s, 404);
    let (s, _) = app.get("/v1/no-such-thing").await;
    assert_eq!(s, 404);
    assert_eq!(client_as(&app, OTHER, "Other").await, 200);
    assert_eq!(client_as(&app, &app.key, "Two").await, 200);

    let (s, all) = journal(&app, &app.key, "").await;
    assert_eq!(s, 200, "{all}");
    assert_eq!(
        paths(&all),
        [
            "POST /v1/clients 200",
            "GET /v1/no-such-thing 404",
            "GET /v1/clients/000000000000000000000000 404",
            "POST /v1/clients 200",
        ]
    );
    assert_eq!(
        (
            all["count"].as_u64(),
            all["totalKept"].as_u64(),
            all["evicted"].as_u64()
        ),
        (Some(4), Some(4), Some(0))
    );
    let newest = &all["items"][0];
    assert_eq!(newest["scenario"], "default");
    assert_eq!(newest["unknownRoute"], false);
    assert!(
        newest["body"].as_str().unwrap().contains("\"Two\""),
        "{newest}"
    );
    assert!(newest["at"].as_str().unwrap().ends_with('Z'));
    assert!(newest["seq"].as_u64().unwrap() > all["items"][1]["seq"].as_u64().unwrap());
    assert!(newest.get("authorization").is_none());

    let (_, theirs) = journal(&app, OTHER, "").await;
    assert_eq!(paths(&theirs), ["POST /v1/clients 200"]);
    assert!(
        theirs["items"][0]["body"]
            .as_str()
            .unwrap()
            .contains("Other")
    );

    let cases = [
        (
            "?method=post",
            vec!["POST /v1/clients 200", "POST /v1/clients 200"],
        ),
        (
            "?method=GET&status=404",
            vec![
                "GET /v1/no-such-thing 404",
                "GET /v1/clients/000000000000000000000000 404",
            ],
        ),
        (
            "?pathPrefix=/v1/clients/",
            vec!["GET /v1/clients/000000000000000000000000 404"],
        ),
        ("?unknownRoute=true", vec!["GET /v1/no-such-thing 404"]),
        ("?scenario=attention", vec![]),
        ("?scenario=default&limit=1", vec!["POST /v1/clients 200"]),
        (
            "?since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z&status=200",
            vec!["POST /v1/clients 200", "POST /v1/clients 200"],
        ),
        ("?since=2999-01-01T00:00:00Z", vec![]),
        ("?until=0", vec![]),
    ];
    for (q, want) in cases {
        let (s, v) = journal(&app, &app.key, q).await;
        assert_eq!(s, 200, "{q}: {v}");
        assert_eq!(paths(&v), want, "{q}");
    }
    for q in [
        "?since=yesterday",
        "?status=abc",
        "?path=/v1",
        "?unknownRoute=maybe",
    ] {
        let (s, v) = journal(&app, &app.key, q).await;
        assert_eq!(s, 400, "{q}: {v}");
        assert_eq!(v["error"], "bad_request");
    }
}

#[tokio::test]
async fn journal_is_bounded_by_count_with_bodies_clipped() {
    let app = spawn_with(|c| {
        c.journal_max_entries = 3;
        c.journal_body_bytes = 16;
    })
    .await;
    for i in 0..5 {
        assert_eq!(client_as(&app, &app.key, &format!("Name{i}")).await, 200);
    }
    let (_, v) = journal(&app, &app.key, "").await;
    assert_eq!(
        (v["count"].as_u64(), v["evicted"].as_u64()),
        (Some(3), Some(2)),
        "{v}"
    );
    let newest = &v["items"][0];
    assert_eq!(newest["body"].as_str().unwrap().len(), 16, "{newest}");
    assert_eq!(newest["bodyTruncated"], true);
    assert!(newest["bodyBytes"].as_u64().unwrap() > 16);
    // Another tenant's journal is untouched by these evictions.
    assert_eq!(client_as(&app, OTHER, "X").await, 200);
    let (_, theirs) = journal(&app, OTHER, "").await;
    assert_eq!(
        (theirs["count"].as_u64(), theirs["evicted"].as_u64()),
        (Some(1), Some(0))
    );
    let (_, h) = app.get("/__admin/health").await;
    assert_eq!(h["journal"]["evicted"], 2);
}

#[tokio::test]
async fn journal_is_bounded_by_bytes() {
    let app = spawn_with(|c| {
        c.journal_max_bytes = 2_000;
        c.journal_body_bytes = 200;
    })
    .await;
    for i in 0..30 {
        assert_eq!(client_as(&app, &app.key, &format!("Name{i}")).await, 200);
    }
    let (_, v) = journal(&app, &app.key, "").await;
    let kept = v["totalKept"].as_u64().unwrap();
    assert!(v["keptBytes"].as_u64().unwrap() <= 2_000, "{v}");
    assert!((1..30).contains(&kept), "{kept}");
    assert_eq!(kept + v["evicted"].as_u64().unwrap(), 30);
}

#[tokio::test]
async fn reset_clears_one_tenant_or_everything() {
    let app = spawn_app().await;
    for key in [app.key.as_str(), OTHER] {
        assert_eq!(client_as(&app, key, "Doe").await, 200);
        let (s, _) = app
            .json_as(
                key,
                Method::POST,
                "/__admin/scenarios",
                Some(&json!({"name":"attention"})),
            )
            .await;
        assert_eq!(s, 201);
    }
    let (s, v) = app.post("/__admin/reset", json!({})).await;
    assert_eq!((s, v), (200, json!({"reset":"tenant"})));
    let (_, mine) = journal(&app, &app.key, "").await;
    assert_eq!(mine["count"], 0);
    let (_, cat) = app.get("/__admin/scenarios").await;
    assert_eq!(cat["armed"], json!([]));
    let (_, clients) = app.get("/v1/clients").await;
    assert_eq!(clients["totalItems"], 0, "{clients}");

    let (_, theirs) = journal(&app, OTHER, "").await;
    assert_eq!(theirs["count"], 1, "other tenant untouched");
    let (_, cat) = app
        .json_as(OTHER, Method::GET, "/__admin/scenarios", None)
        .await;
    assert_eq!(cat["armed"].as_array().unwrap().len(), 1);

    let (s, v) = app
        .json_as(OTHER, Method::POST, "/__admin/reset?all=true", None)
        .await;
    assert_eq!((s, v), (200, json!({"reset":"all"})));
    let (_, theirs) = journal(&app, OTHER, "").await;
    assert_eq!(theirs["count"], 0);
    let (_, cat) = app
        .json_as(OTHER, Method::GET, "/__admin/scenarios", None)
        .await;
    assert_eq!(cat["armed"], json!([]));
    assert!(
        cat["scenarios"].as_array().unwrap().len() >= 25,
        "fixtures survive a reset"
    );
}

#[tokio::test]
async fn reset_also_forgets_the_tenants_fault_profile_and_clock() {
    let app = spawn_app().await;
    let (s, v) = app
        .json(
            Method::PUT,
            "/__admin/faults",
            Some(&json!({"errorRate": 1.0, "errorStatus": 503})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(app.get("/v1/clients").await.0, 503);
    app.post("/__admin/clock/advance", json!({"seconds": 3600}))
        .await;
    let (s, _) = app.post("/__admin/reset", json!({})).await;
    assert_eq!(s, 200);
    let (_, faults) = app.get("/__admin/faults").await;
    assert_eq!(faults["source"], "global", "{faults}");
    assert_eq!(app.get("/v1/clients").await.0, 200);
    let (_, clock) = app.get("/__admin/clock").await;
    assert_eq!(clock["offsetMs"], 0, "{clock}");
}

#[tokio::test]
async fn the_clock_refuses_to_move_beyond_its_range() {
    let app = spawn_app().await;
    let (_, before) = app.get("/__admin/clock").await;
    for body in [
        json!({"seconds": 1e300}),
        json!({"ms": i64::MAX}),
        json!({"seconds": 4_000_000_000.0}),
    ] {
        let (s, v) = app.post("/__admin/clock/advance", body.clone()).await;
        assert_eq!(s, 400, "{body}: {v}");
        assert_eq!(v["error"], "bad_request");
    }
    // Many legal advances still cannot overflow the offset.
    let mut last = 200;
    for _ in 0..200 {
        let (s, _) = app
            .post(
                "/__admin/clock/advance",
                json!({"ms": 3_000_000_000_000_i64}),
            )
            .await;
        last = s;
        if s != 200 {
            break;
        }
    }
    assert_eq!(last, 400, "the total offset is bounded");
    let (s, after) = app.get("/__admin/clock").await;
    assert_eq!(s, 200);
    assert!(after["offsetMs"].as_i64().unwrap() > before["offsetMs"].as_i64().unwrap());
}
