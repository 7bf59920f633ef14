//! Checks leave `pending` on their tenant's clock and raise
//! `check.completed` / `check.completed.<outcome>` exactly once; subscribers
//! get only what they subscribed to; a burst of completions reaches a slow
//! receiver with bounded concurrency and nothing lost.

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_with};
use crate::webhooks::{Receiver, advance, deliveries, freeze, wait_for, webhook};

async fn screening(app: &TestApp, client: &str) -> Value {
    let (s, v) = app
        .post(
            "/v1/checks",
            json!({"clientId": client, "type": "standard_screening_check"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "pending");
    v
}

#[tokio::test]
async fn a_delayed_check_completes_when_the_clock_passes_its_time() {
    let app = spawn_with(|c| c.completion_delay_ms = 60_000).await;
    freeze(&app).await;
    let rx = Receiver::start().await;
    webhook(&app, &rx.url, &["*"]).await;
    let client = app.person("John", "Doe").await;
    let check = screening(&app, &client).await;
    let id = check["id"].as_str().expect("id");

    let pending = wait_for(&app, "eventType=check.pending&state=delivered", 1).await;
    assert_eq!(pending[0]["event"]["payload"]["id"], id);
    assert_eq!(pending[0]["event"]["payload"]["status"], "pending");
    assert!(
        deliveries(&app, "eventType=check.completed")
            .await
            .is_empty()
    );

    advance(&app, 59_999).await;
    let (_, got) = app.get(&format!("/v1/checks/{id}")).await;
    assert_eq!(got["status"], "pending");
    assert!(
        deliveries(&app, "eventType=check.completed")
            .await
            .is_empty()
    );

    advance(&app, 1).await;
    let done = wait_for(&app, "eventType=check.completed&state=delivered", 1).await;
    let event = &done[0]["event"];
    assert_eq!(event["type"], "check.completed");
    assert_eq!(event["resourceType"], "check");
    assert_eq!(event["payload"]["id"], id);
    assert_eq!(event["payload"]["status"], "complete");
    assert_eq!(event["payload"]["outcome"], "clear");
    assert_eq!(event["payload"]["clientId"], client.as_str());
    wait_for(&app, "eventType=check.completed.clear&state=delivered", 1).await;
    let (_, got) = app.get(&format!("/v1/checks/{id}")).await;
    assert_eq!(got["status"], "complete");
    assert_eq!(got["result"]["outcome"], "clear");

    // Exactly once, however far the clock moves.
    advance(&app, 86_400_000).await;
    let (s, v) = app
        .get("/__admin/webhooks/deliveries?wait=0.2&min=2&eventType=check.completed")
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
    let types: Vec<String> = deliveries(&app, "")
        .await
        .iter()
        .map(|d| d["eventType"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        types,
        [
            "client.created",
            "check.pending",
            "check.completed",
            "check.completed.clear"
        ]
    );
}

#[tokio::test]
async fn with_no_delay_a_check_completes_right_after_create() {
    let app = spawn_app().await;
    freeze(&app).await;
    let rx = Receiver::start().await;
    webhook(&app, &rx.url, &["check.completed"]).await;
    let client = app.person("John", "Doe").await;
    let check = screening(&app, &client).await;
    let done = wait_for(&app, "state=delivered", 1).await;
    assert_eq!(done[0]["event"]["payload"]["id"], check["id"]);
    assert_eq!(done[0]["eventType"], "check.completed");
}

#[tokio::test]
async fn webhooks_get_only_the_events_they_subscribe_to() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let (clear, _) = webhook(&app, &rx.url, &["check.completed.clear"]).await;
    let (completed, _) = webhook(&app, &rx.url, &["check.completed"]).await;
    let (all, _) = webhook(&app, &rx.url, &["*"]).await;
    let (off, _) = webhook(&app, &rx.url, &["*"]).await;
    let (s, _) = app
        .post(&format!("/v1/webhooks/{off}"), json!({"enabled": false}))
        .await;
    assert_eq!(s, 200);
    let client = app.person("John", "Doe").await;
    screening(&app, &client).await;
    // * sees client.created, check.pending, check.completed, check.completed.clear.
    wait_for(&app, &format!("webhookId={all}&state=delivered"), 4).await;
    assert_eq!(types_for(&app, &clear).await, ["check.completed.clear"]);
    assert_eq!(types_for(&app, &completed).await, ["check.completed"]);
    assert!(
        deliveries(&app, &format!("webhookId={off}"))
            .await
            .is_empty()
    );
    assert_eq!(deliveries(&app, &format!("webhookId={all}")).await.len(), 4);
    // Each delivery of one event carries the same event id.
    let all_events = deliveries(&app, "eventType=check.completed").await;
    assert_eq!(all_events.len(), 2);
    assert_eq!(all_events[0]["eventId"], all_events[1]["eventId"]);
}

async fn types_for(app: &TestApp, webhook: &str) -> Vec<String> {
    wait_for(app, &format!("webhookId={webhook}&state=delivered"), 1)
        .await
        .iter()
        .map(|d| d["eventType"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn updates_raise_check_updated_and_client_events() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    webhook(
        &app,
        &rx.url,
        &["check.updated", "client.updated", "client.deleted"],
    )
    .await;
    let client = app.person("John", "Doe").await;
    let check = screening(&app, &client).await;
    let id = check["id"].as_str().expect("id");
    let (s, v) = app
        .post(
            &format!("/v1/checks/{id}"),
            json!({"enableMonitoring": true}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = app
        .post(
            &format!("/v1/clients/{client}"),
            json!({"email": "j@example.com"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .json(Method::DELETE, &format!("/v1/clients/{client}"), None)
        .await;
    assert_eq!(s, 204);
    let got = wait_for(&app, "state=delivered", 3).await;
    let types: HashSet<&str> = got.iter().filter_map(|d| d["eventType"].as_str()).collect();
    assert_eq!(
        types,
        HashSet::from(["check.updated", "client.updated", "client.deleted"])
    );
}

#[tokio::test]
async fn a_thousand_completions_reach_a_slow_receiver_with_bounded_concurrency() {
    const N: usize = 1000;
    const MAX_IN_FLIGHT: usize = 8;
    let app = spawn_with(|c| {
        c.completion_delay_ms = 60_000;
        c.webhook_concurrency = MAX_IN_FLIGHT;
    })
    .await;
    freeze(&app).await;
    let rx = Receiver::start().await;
    rx.state.delay_ms.store(20, Ordering::SeqCst);
    webhook(&app, &rx.url, &["check.completed"]).await;
    let client = app.person("John", "Doe").await;
    let mut ids = HashSet::new();
    for _ in 0..N {
        let c = screening(&app, &client).await;
        ids.insert(c["id"].as_str().expect("id").to_owned());
    }
    assert!(deliveries(&app, "").await.is_empty());
    // All due at once.
    advance(&app, 60_000).await;
    let (s, v) = app
        .get(&format!(
            "/__admin/webhooks/deliveries?wait=120&min={N}&state=delivered"
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(N));
    assert_eq!(v["dropped"], 0);
    let got = rx.received();
    assert_eq!(got.len(), N, "each event delivered once");
    let delivered: HashSet<String> = got
        .iter()
        .map(|r| r.json()["payload"]["id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(delivered, ids, "none lost");
    let event_ids: HashSet<String> = got
        .iter()
        .map(|r| r.json()["id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(event_ids.len(), N);
    let max = rx.state.max_in_flight.load(Ordering::SeqCst);
    assert!(
        (1..=MAX_IN_FLIGHT).contains(&max),
        "receiver saw {max} requests in flight"
    );
}

#[tokio::test]
async fn a_full_outbox_drops_new_deliveries_and_counts_them() {
    let app = spawn_with(|c| c.webhook_outbox_max = 3).await;
    freeze(&app).await;
    // Nothing listens here: every delivery fails and stays pending for a retry.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let a = l.local_addr().expect("addr");
        drop(l);
        format!("http://{a}/hook")
    };
    webhook(&app, &dead, &["client.created"]).await;
    for i in 0..5 {
        app.person("John", &format!("Doe{i}")).await;
    }
    wait_for(&app, "minAttempts=1", 3).await;
    let (_, v) = app.get("/__admin/webhooks/deliveries").await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(3), "{v}");
    assert_eq!(v["dropped"], 2);
    let first = &v["items"][0]["attempts"][0];
    assert!(first["error"].is_string(), "{first}");
}

#[tokio::test]
async fn a_failing_check_raises_check_failed_only() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    webhook(&app, &rx.url, &["check.failed", "check.completed"]).await;
    let (s, v) = app
        .post(
            "/__admin/scenarios",
            json!({"scenario": {"name": "lifecycle-fails", "description": "the check fails",
                           "effect": {"status": "failed"}}, "times": 1}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let client = app.person("John", "Doe").await;
    let check = screening(&app, &client).await;
    let got = wait_for(&app, "state=delivered", 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["eventType"], "check.failed");
    assert_eq!(got[0]["event"]["payload"]["id"], check["id"]);
    assert_eq!(got[0]["event"]["payload"]["status"], "failed");
    let (_, v) = app.get("/__admin/webhooks/deliveries?wait=0.2&min=2").await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
}

#[tokio::test]
async fn time_scale_compresses_the_completion_delay() {
    // A minute of sandbox time passes in 0.1 s of real time.
    let app = spawn_with(|c| {
        c.completion_delay_ms = 60_000;
        c.time_scale = 600.0;
    })
    .await;
    let rx = Receiver::start().await;
    webhook(&app, &rx.url, &["check.completed"]).await;
    let client = app.person("John", "Doe").await;
    let check = screening(&app, &client).await;
    let got = wait_for(&app, "state=delivered", 1).await;
    assert_eq!(got[0]["event"]["payload"]["id"], check["id"]);
}
