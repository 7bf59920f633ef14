//! Every shipped scenario, triggered through the public API exactly as a user
//! would (its magic value, and the `X-Sandbox-Scenario` header), shows its
//! effect. Iterates over `fixtures/`, so a new fixture is tested by adding it.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::catalog::{Effect, Scenario, shipped};
use crate::complycube_checks::{check_body, create_path, image_b64};
use crate::helpers::{TestApp, decode, spawn_app};

/// Every leaf of `patch` is present in `actual` with the same value.
fn contains(actual: &Value, patch: &Value) -> bool {
    match (actual, patch) {
        (Value::Object(a), Value::Object(p)) => p
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        (a, p) => a == p,
    }
}

fn check_types(s: &Scenario) -> Vec<String> {
    match &s.rules.check_type {
        Some(t) => t.values(),
        None => [
            "identity_check",
            "enhanced_identity_check",
            "identity_fraud_check",
            "document_check",
        ]
        .map(str::to_owned)
        .to_vec(),
    }
}

async fn complycube_client(app: &TestApp, s: &Scenario, by_header: bool) -> String {
    let rule = s.rules.client.clone().unwrap_or_default();
    let (first, middle, last) = if by_header {
        (None, None, None)
    } else {
        (rule.first_name, rule.middle_name, rule.last_name)
    };
    let mut person = json!({
        "firstName": first.unwrap_or_else(|| "Test".into()),
        "lastName": last.unwrap_or_else(|| "Person".into()),
        "nationality": "GB",
        "ssn": "123456789",
    });
    if let Some(m) = middle {
        person["middleName"] = json!(m);
    }
    let (status, client) = app
        .post(
            "/v1/clients",
            json!({"type": "person", "email": "fixture@example.com", "mobile": "+447700900123",
                "personDetails": person}),
        )
        .await;
    assert_eq!(status, 200, "{}: {client}", s.name);
    client["id"].as_str().unwrap().to_owned()
}

fn assert_check_effect(file: &str, s: &Scenario, kind: &str, status: u16, check: &Value) {
    let e: &Effect = &s.effect;
    let at = format!("{file} / {} / {kind}", s.name);
    if let Some(err) = &e.error {
        assert_eq!(status, err.status, "{at}: {check}");
        if let Some(body) = &err.body {
            assert_eq!(check, body, "{at}");
        }
        return;
    }
    assert_eq!(status, 200, "{at}: {check}");
    if e.status.as_deref() == Some("failed") {
        assert_eq!(check["status"], "failed", "{at}: {check}");
        return;
    }
    assert_eq!(check["status"], "complete", "{at}: {check}");
    let result = &check["result"];
    if let Some(o) = &e.outcome {
        assert_eq!(result["outcome"], o.as_str(), "{at}: {check}");
    }
    if let Some(patch) = &e.breakdown {
        assert!(
            contains(&result["breakdown"], patch),
            "{at}: breakdown {} lacks {patch}",
            result["breakdown"]
        );
    }
    if let Some(score) = e.scores.facial_similarity_score {
        assert_eq!(
            result["breakdown"]["faceAnalysis"]["breakdown"]["facialSimilarityScore"],
            json!(score as i64),
            "{at}"
        );
    }
    if let Some(score) = e.scores.liveness_check_score {
        assert_eq!(
            result["breakdown"]["authenticityAnalysis"]["breakdown"]["livenessCheckScore"],
            json!(score as i64),
            "{at}"
        );
    }
}

async fn trigger_complycube(app: &TestApp, file: &str, s: &Scenario, by_header: bool) {
    let client = complycube_client(app, s, by_header).await;
    let header = by_header.then(|| s.name.clone());
    let endpoint = s.rules.endpoint.as_ref().map(|e| e.values().join(","));
    if endpoint.as_deref() == Some("riskProfile") {
        let mut req = app
            .client
            .get(app.url(&format!("/v1/clients/{client}/riskProfile")))
            .header("Authorization", &app.key);
        if let Some(h) = &header {
            req = req.header("X-Sandbox-Scenario", h);
        }
        let (status, profile) = decode(req.send().await.unwrap()).await;
        assert_eq!(status, 200, "{file} / {}: {profile}", s.name);
        assert_eq!(
            profile["overall"],
            json!(s.effect.risk),
            "{file} / {}: {profile}",
            s.name
        );
        return;
    }
    if endpoint.as_deref() == Some("workflowSessions") {
        trigger_workflow(app, file, s, &client, header.as_deref()).await;
        return;
    }
    for kind in check_types(s) {
        let body = check_body(app, &client, &kind).await;
        let mut req = app
            .client
            .post(app.url(create_path(&kind)))
            .header("Authorization", &app.key)
            .json(&body);
        if let Some(h) = &header {
            req = req.header("X-Sandbox-Scenario", h);
        }
        let sent = req.send().await;
        if s.effect.drop_connection {
            assert!(
                sent.is_err(),
                "{file} / {} / {kind}: the connection should drop, got {sent:?}",
                s.name
            );
            continue;
        }
        let (status, created) = decode(sent.expect("an answer")).await;
        if s.effect.error.is_some() || status != 200 {
            assert_check_effect(file, s, &kind, status, &created);
            continue;
        }
        if let Some(ms) = s.effect.completion_delay_ms {
            let (st, _) = app.post("/__admin/clock/advance", json!({"ms": ms})).await;
            assert_eq!(st, 200);
        }
        let (status, check) = app
            .get(&format!("/v1/checks/{}", created["id"].as_str().unwrap()))
            .await;
        assert_check_effect(file, s, &kind, status, &check);
    }
}

/// A workflow session scenario: the session is started as a capture SDK
/// does and completed through the API, which the scenario decides.
async fn trigger_workflow(
    app: &TestApp,
    file: &str,
    s: &Scenario,
    client: &str,
    header: Option<&str>,
) {
    let at = format!("{file} / {}", s.name);
    let (status, session) = app
        .post(
            "/__admin/complycube/workflowSessions",
            json!({"clientId": client, "checkTypes": ["standard_screening_check"]}),
        )
        .await;
    assert_eq!(status, 200, "{at}: {session}");
    let id = session["id"].as_str().unwrap();
    let mut req = app
        .client
        .post(app.url(&format!("/v1/workflowSessions/{id}/complete")))
        .header("Authorization", &app.key);
    if let Some(h) = header {
        req = req.header("X-Sandbox-Scenario", h);
    }
    let (status, answer) = decode(req.send().await.expect("an answer")).await;
    if let Some(err) = &s.effect.error {
        assert_eq!(status, err.status, "{at}: {answer}");
        if let Some(body) = &err.body {
            assert_eq!(&answer, body, "{at}");
        }
        let (_, after) = app.get(&format!("/v1/workflowSessions/{id}")).await;
        assert_eq!(after["status"], "started", "{at}: nothing changed");
        return;
    }
    assert_eq!(status, 200, "{at}: {answer}");
    let (_, after) = app.get(&format!("/v1/workflowSessions/{id}")).await;
    assert_eq!(after["status"], "complete", "{at}: {after}");
    if let Some(o) = &s.effect.outcome {
        assert_eq!(after["outcome"], o.as_str(), "{at}: {after}");
    }
}

/// The magic base64 image a Verifik scenario documents in its trigger text.
fn magic_image(s: &Scenario) -> String {
    let wanted = s
        .rules
        .image_sha256
        .as_ref()
        .expect("Verifik fixtures match on an image")
        .values()[0]
        .to_lowercase();
    let trigger = s.trigger.as_deref().unwrap_or_default();
    trigger
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .find(|word| {
            base64::engine::general_purpose::STANDARD
                .decode(word)
                .is_ok_and(|bytes| hex::encode(Sha256::digest(&bytes)) == wanted)
        })
        .unwrap_or_else(|| panic!("{}: the trigger text must carry the magic image", s.name))
        .to_owned()
}

/// Enrols `image` as a person's face; returns the person id.
async fn enrol(app: &TestApp, image: &str) -> String {
    let res = app
        .client
        .post(app.url("/v2/face-recognition/persons"))
        .header("Authorization", format!("Bearer {}", app.key))
        .json(&json!({"name": "Fixture Person", "images": [image]}))
        .send()
        .await
        .unwrap();
    let (status, v) = decode(res).await;
    assert_eq!(status, 200, "{v}");
    v["data"]["_id"].as_str().unwrap().to_owned()
}

async fn trigger_verifik(app: &TestApp, file: &str, s: &Scenario, by_header: bool) {
    let probe = if by_header {
        image_b64()
    } else {
        magic_image(s)
    };
    let endpoint = s.rules.endpoint.as_ref().map_or_else(
        || "compare-with-liveness".to_owned(),
        |e| e.values()[0].clone(),
    );
    // Searches and verify need the face enrolled first.
    let person = match endpoint.as_str() {
        "search" | "search/crops" | "search-live-face" | "search-active-user" | "verify" => {
            Some(enrol(app, &probe).await)
        }
        _ => None,
    };
    let body = match endpoint.as_str() {
        "detect" => json!({"image": probe}),
        "search" | "search/crops" => {
            json!({"images": [probe], "min_score": 0.5, "search_mode": "FAST"})
        }
        "search-live-face" | "search-active-user" => json!({"image": probe, "os": "DESKTOP",
            "liveness_min_score": 0.5, "min_score": 0.5, "search_mode": "FAST"}),
        "verify" => {
            json!({"id": person, "images": [probe], "min_score": 0.5, "search_mode": "FAST"})
        }
        _ => {
            json!({"probe": probe, "gallery": [image_b64()], "search_mode": "FAST", "os": "DESKTOP"})
        }
    };
    let mut req = app
        .client
        .request(
            Method::POST,
            app.url(&format!("/v2/face-recognition/{endpoint}")),
        )
        .header("Authorization", format!("Bearer {}", app.key))
        .json(&body);
    if by_header {
        req = req.header("X-Sandbox-Scenario", &s.name);
    }
    let at = format!("{file} / {} / {endpoint}", s.name);
    let sent = req.send().await;
    if s.effect.drop_connection {
        assert!(sent.is_err(), "{at}: the connection should drop");
        return;
    }
    let (status, res) = decode(sent.expect("an answer")).await;
    if let Some(err) = &s.effect.error {
        assert_eq!(status, err.status, "{at}: {res}");
        if let Some(b) = &err.body {
            assert_eq!(&res, b, "{at}");
        }
        return;
    }
    assert_eq!(status, 200, "{at}: {res}");
    if let Some(n) = s.effect.face_count {
        assert_eq!(res["data"]["face_count"], json!(n as u64), "{at}: {res}");
        assert_eq!(
            res["data"]["faces"].as_array().map(Vec::len),
            Some(n as usize),
            "{at}"
        );
    }
    if let Some(score) = s.effect.scores.comparison {
        match endpoint.as_str() {
            // Below the request's min_score: nobody found.
            "search" | "search/crops" => {
                assert_eq!(score < 0.5, res["data"] == json!([]), "{at}: {res}");
            }
            "verify" => assert_eq!(score < 0.5, res["data"]["match"].is_null(), "{at}: {res}"),
            _ => assert_eq!(
                res["data"]["comparison"]["result"]["score"],
                json!(score),
                "{at}: {res}"
            ),
        }
    }
    if let Some(score) = s.effect.scores.liveness {
        assert_eq!(
            res["data"]["liveness"]["result"]["liveness_score"],
            json!(score),
            "{at}: {res}"
        );
        assert_eq!(
            res["data"]["liveness"]["result"]["passed"],
            json!(score > 0.6),
            "{at}: {res}"
        );
    }
}

#[tokio::test]
async fn every_shipped_scenario_is_triggered_by_its_magic_value() {
    for (file, s) in shipped() {
        let app = spawn_app().await;
        match s.rules.vendor.as_deref() {
            Some("verifik") => trigger_verifik(&app, &file, &s, false).await,
            _ => trigger_complycube(&app, &file, &s, false).await,
        }
    }
}

#[tokio::test]
async fn every_shipped_scenario_is_triggered_by_the_header() {
    for (file, s) in shipped() {
        let app = spawn_app().await;
        match s.rules.vendor.as_deref() {
            Some("verifik") => trigger_verifik(&app, &file, &s, true).await,
            _ => trigger_complycube(&app, &file, &s, true).await,
        }
    }
}
