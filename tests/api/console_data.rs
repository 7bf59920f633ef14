//! The data the console draws from, over HTTP: the tenants seen, the live
//! change feed, a check's scenario and timeline, signed deliveries, the
//! Verifik call log, client search and the journal's sequence filters.

use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::json;
use sha2::Sha256;

use crate::complycube_checks::{document, image_b64, live_photo_with};
use crate::helpers::{TestApp, spawn_app, spawn_with};
use crate::webhooks::Receiver;

const LOW_COMPARISON: &str = "a3ljLXNhbmRib3ggVmVyaWZpayBtYWdpYyBpbWFnZTogbG93LWNvbXBhcmlzb24uIFNlbmQgaXQgYXMgcHJvYmUgb3IgZ2FsbGVyeSB0byBnZXQgYSBjb21wYXJpc29uIHNjb3JlIG9mIDAuNDIu";

/// 300 base64 characters unique to `seed`.
fn face(seed: u8) -> String {
    let bytes: Vec<u8> = (0..225)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
}

async fn compare(app: &TestApp, token: &str, gallery: &str) -> u16 {
    let body = json!({"probe": face(1), "gallery": [gallery], "search_mode": "FAST", "compare_min_score": 0.85});
    app.json_as(
        token,
        Method::POST,
        "/v2/face-recognition/compare-with-liveness",
        Some(&body),
    )
    .await
    .0
}

#[tokio::test]
async fn the_tenant_list_counts_what_each_key_and_token_holds() {
    let app = spawn_app().await;
    let client = app.person("Ada", "Lovelace").await;
    let (s, _) = app
        .post(
            "/v1/addresses",
            json!({"clientId": client, "line": "1 High St", "city": "London", "country": "GB"}),
        )
        .await;
    assert_eq!(s, 200);
    let token = format!("vk_{}", uuid::Uuid::new_v4().simple());
    assert_eq!(compare(&app, &token, &face(2)).await, 200);
    let (s, v) = app.json_as("", Method::GET, "/__admin/tenants", None).await;
    assert_eq!(s, 200, "{v}");
    let find = |t: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["tenant"] == t)
            .cloned()
            .unwrap_or_else(|| panic!("no tenant {t} in {v}"))
    };
    let mine = find(&app.key);
    assert_eq!(mine["counts"]["clients"], 1);
    assert_eq!(mine["counts"]["requests"], 2);
    assert!(mine["counts"].get("checks").is_none(), "{mine}");
    let theirs = find(&token);
    assert_eq!(theirs["counts"]["face-recognition calls"], 1);
    assert_eq!(theirs["counts"]["requests"], 1);
    // A reset tenant is gone from the list.
    app.post("/__admin/reset", json!({})).await;
    let (_, v) = app.json_as("", Method::GET, "/__admin/tenants", None).await;
    assert!(!v.to_string().contains(&app.key), "{v}");
}

#[tokio::test]
async fn the_tenant_list_counts_sessions_and_galleries() {
    let app = spawn_app().await;
    let client = app.person("Ada", "Lovelace").await;
    crate::complycube_flow::flow(
        &app,
        json!({"clientId": client, "checkTypes": ["document_check"],
            "successUrl": "https://app.example/ok", "cancelUrl": "https://app.example/no"}),
    )
    .await;
    let (s, v) = app
        .post(
            "/__admin/complycube/workflowSessions",
            json!({"clientId": client}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let token = format!("vk_{}", uuid::Uuid::new_v4().simple());
    let vk = |path: &str, body| {
        let (app, token, path) = (
            app.clone(),
            token.clone(),
            format!("/v2/face-recognition{path}"),
        );
        async move { app.json_as(&token, Method::POST, &path, Some(&body)).await }
    };
    let (s, c) = vk("/collections", json!({"name": "staff"})).await;
    assert_eq!(s, 200, "{c}");
    let body = json!({"name": "Jane Roe", "images": [crate::verifik_gallery::face(7)],
        "collections": [c["data"]["_id"]]});
    let (s, p) = vk("/persons", body).await;
    assert_eq!(s, 200, "{p}");

    let (_, v) = app.json_as("", Method::GET, "/__admin/tenants", None).await;
    let counts = |t: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["tenant"] == t)
            .map(|i| i["counts"].clone())
            .unwrap_or_else(|| panic!("no tenant {t} in {v}"))
    };
    let mine = counts(&app.key);
    assert_eq!(mine["flow sessions"], 1, "{mine}");
    assert_eq!(mine["workflow sessions"], 1, "{mine}");
    let theirs = counts(&token);
    assert_eq!(
        (&theirs["collections"], &theirs["persons"]),
        (&json!(1), &json!(1)),
        "{theirs}"
    );
}

/// Reads the stream until `want` appears (bounded, so a broken feed fails).
async fn read_until(res: &mut reqwest::Response, seen: &mut String, want: &str) {
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while !seen.contains(want) {
            match res.chunk().await.expect("stream") {
                Some(c) => seen.push_str(&String::from_utf8_lossy(&c)),
                None => break,
            }
        }
    })
    .await;
    assert!(found.is_ok() && seen.contains(want), "no {want} in {seen}");
}

#[tokio::test]
async fn the_live_feed_says_when_the_tenant_changes() {
    let app = spawn_app().await;
    let url = app.url(&format!("/__admin/events?tenant={}", app.key));
    let mut res = app.client.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut seen = String::new();
    read_until(&mut res, &mut seen, "\"seq\":0").await;
    assert!(seen.contains("event: change"), "{seen}");
    app.person("Ada", "Lovelace").await;
    read_until(&mut res, &mut seen, "\"seq\":1").await;
    assert!(seen.contains("id: 1"), "{seen}");
    let (s, _) = app
        .post("/__admin/scenarios", json!({"name": "attention"}))
        .await;
    assert_eq!(s, 201);
    read_until(&mut res, &mut seen, "[\"attention\",null]").await;
    // Without a tenant in the query, `Authorization` names it.
    let res = app.call(Method::GET, "/__admin/events", None).await;
    assert_eq!(res.status(), 200);
    let (s, v) = app.json_as("", Method::GET, "/__admin/events", None).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("bad_request")));
}

#[tokio::test]
async fn a_checks_page_data_names_its_scenario_and_its_timeline() {
    let app = spawn_with(|c| c.completion_delay_ms = 60_000).await;
    let receiver = Receiver::start().await;
    let (s, hook) = app
        .post(
            "/v1/webhooks",
            json!({"url": receiver.url, "events": ["check.completed.attention"]}),
        )
        .await;
    assert_eq!(s, 200, "{hook}");
    let client = app.person("Ada", "Lovelace").await;
    let doc = document(&app, &client).await;
    let photo = live_photo_with(&app, &client, &image_b64()).await;
    let (s, _) = app
        .post(
            "/__admin/scenarios",
            json!({"name": "attention", "times": 1}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, check) = app
        .post("/v1/checks", json!({"clientId": client, "type": "identity_check", "documentId": doc, "livePhotoId": photo}))
        .await;
    assert_eq!(s, 200, "{check}");
    let id = check["id"].as_str().unwrap();
    let page = format!("/__admin/complycube/checks/{id}");
    let (s, v) = app.get(&page).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["check"]["status"], "pending");
    assert_eq!(v["decidedBy"]["name"], "attention");
    assert_eq!(v["decidedBy"]["source"], "armed");
    let whats: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["what"].as_str().unwrap())
        .collect();
    assert_eq!(whats, ["created", "due"]);
    let (s, list) = app.get("/__admin/complycube/checks?status=pending").await;
    assert_eq!((s, list["total"].as_u64()), (200, Some(1)));

    let (s, done) = app
        .post("/__admin/complycube/checks/complete-pending", json!({}))
        .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["completed"], 1);
    let (s, _) = app
        .get("/__admin/webhooks/deliveries?wait=10&state=delivered")
        .await;
    assert_eq!(s, 200);
    let (_, v) = app.get(&page).await;
    assert_eq!(v["check"]["result"]["outcome"], "attention");
    assert_eq!(
        v["timeline"][1]["events"],
        json!(["check.completed", "check.completed.attention"])
    );
    let deliveries = v["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{v}");
    assert_eq!(deliveries[0]["eventType"], "check.completed.attention");
    // Only this check's deliveries: another check's never show.
    let (_, other) = app
        .get(&format!("/__admin/webhooks/deliveries?resourceId={client}"))
        .await;
    assert_eq!(other["total"], 0);

    // A delivery shows the exact bytes sent and their signature.
    let delivery = deliveries[0]["id"].as_str().unwrap();
    let (s, d) = app
        .get(&format!("/__admin/webhooks/deliveries/{delivery}"))
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["signatureHeader"], "ComplyCube-Signature");
    let body = d["body"].as_str().unwrap();
    let mut mac =
        Hmac::<Sha256>::new_from_slice(hook["secret"].as_str().unwrap().as_bytes()).unwrap();
    mac.update(body.as_bytes());
    assert_eq!(d["signature"], hex::encode(mac.finalize().into_bytes()));
    assert_eq!(receiver.received()[0].body, body.as_bytes());
    let (s, _) = app
        .get("/__admin/webhooks/deliveries/0123456789abcdef01234567")
        .await;
    assert_eq!(s, 404);

    // The client page data: everything it owns, images included.
    let (s, c) = app
        .get(&format!("/__admin/complycube/clients/{client}"))
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["checks"][0]["outcome"], "attention");
    assert_eq!(c["riskProfile"]["overall"], "low");
    let img = app
        .call(
            Method::GET,
            &format!("/__admin/complycube/documents/{doc}/images/front"),
            None,
        )
        .await;
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["x-content-type-options"], "nosniff");
    assert_eq!(img.bytes().await.unwrap().len(), 40 * 1024);
    let img = app
        .call(
            Method::GET,
            &format!("/__admin/complycube/livePhotos/{photo}/image"),
            None,
        )
        .await;
    assert_eq!(img.status(), 200);
}

#[tokio::test]
async fn clients_are_found_by_name_email_or_external_id() {
    let app = spawn_app().await;
    let mk = |first: &str, last: &str, email: &str, ext: &str| json!({"type":"person","email":email,"externalId":ext,"personDetails":{"firstName":first,"lastName":last}});
    for body in [
        mk("Ada", "Lovelace", "ada@example.com", "crm-1"),
        mk("Alan", "Turing", "alan@example.org", "crm-2"),
    ] {
        assert_eq!(app.post("/v1/clients", body).await.0, 200);
    }
    for (q, want) in [
        ("lovelace", vec!["Ada Lovelace"]),
        ("EXAMPLE.ORG", vec!["Alan Turing"]),
        ("crm-", vec!["Alan Turing", "Ada Lovelace"]),
        ("nobody", vec![]),
    ] {
        let (s, v) = app.get(&format!("/__admin/complycube/clients?q={q}")).await;
        assert_eq!(s, 200);
        let names: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["entityName"].as_str().unwrap())
            .collect();
        assert_eq!(names, want, "{q}");
    }
}

#[tokio::test]
async fn recent_verifik_calls_keep_their_scores_and_decisions() {
    let app = spawn_app().await;
    let token = format!("vk_{}", uuid::Uuid::new_v4().simple());
    assert_eq!(compare(&app, &token, &face(2)).await, 200);
    assert_eq!(compare(&app, &token, LOW_COMPARISON).await, 200);
    let (s, v) = app
        .json_as(&token, Method::GET, "/__admin/verifik/calls", None)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["kept"], 100);
    let low = &v["items"][0];
    assert_eq!(low["scenario"], "verifik-low-comparison");
    assert_eq!(low["scenarioSource"], "fixture");
    assert_eq!(
        low["comparison"],
        json!({"score": 0.42, "minScore": 0.85, "passed": false})
    );
    assert!(
        low.get("liveness").is_none(),
        "below the compare minimum, liveness never runs: {low}"
    );
    let pass = &v["items"][1];
    assert_eq!(pass["comparison"]["passed"], true);
    assert_eq!(pass["liveness"]["passed"], true);
    assert_eq!(pass["liveness"]["minScore"], 0.6);
    // Another token sees none of them.
    let (_, other) = app
        .json_as("vk_other", Method::GET, "/__admin/verifik/calls", None)
        .await;
    assert_eq!(other["count"], 0);
}

#[tokio::test]
async fn the_journal_continues_after_a_sequence_number_and_finds_one_entry() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.get("/v1/clients").await;
    }
    let (_, v) = app.get("/__admin/requests?afterSeq=1").await;
    let seqs: Vec<u64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [3, 2]);
    let (_, v) = app.get("/__admin/requests?seq=2").await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["items"][0]["seq"], 2);
    let (s, _) = app.get("/__admin/requests?afterSeq=x").await;
    assert_eq!(s, 400);
}
