//! Flow sessions, workflow sessions, the audit log and Verifik's gallery
//! survive a kill: the sandbox binary on an SQLite file, killed with
//! SIGKILL and started again, seen only through its HTTP API.

use reqwest::Method;
use serde_json::{Value, json};

use crate::complycube_flow::{TEMPLATE, flow_id};
use crate::durable::app_for;
use crate::helpers::TestApp;
use crate::process::{Sandbox, debug_bin};
use crate::verifik_gallery::face;

async fn ok(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Value {
    let (s, v) = app.json(method, path, body.as_ref()).await;
    assert!((200..300).contains(&s), "{path}: {s} {v}");
    v
}

/// The parts of a Verifik answer that do not change per request.
fn data(v: Value) -> Value {
    v["data"].clone()
}

#[tokio::test]
async fn sessions_audit_log_and_gallery_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("sessions.db").display());
    let args = ["--store", store.as_str()];
    let key = "test_sessions";

    let first = Sandbox::start(&debug_bin(), &args);
    let app = app_for(&first, key);
    ok(&app, Method::POST, "/__admin/clock/freeze", None).await;
    let client = ok(
        &app,
        Method::POST,
        "/v1/clients",
        Some(json!({"type":"person","email":"ann@example.com",
            "personDetails":{"firstName":"Ann","lastName":"attention"}})),
    )
    .await;
    let c = client["id"].as_str().unwrap().to_owned();
    let flow_body = json!({"clientId": c, "workflowTemplateId": TEMPLATE,
        "successUrl": "https://app.example/ok", "cancelUrl": "https://app.example/no"});
    // One Flow session completed, one left open.
    let done = ok(
        &app,
        Method::POST,
        "/v1/flow/sessions",
        Some(flow_body.clone()),
    )
    .await;
    let done_id = flow_id(done["redirectUrl"].as_str().unwrap()).to_owned();
    let finished = ok(
        &app,
        Method::POST,
        &format!("/__admin/complycube/flow/sessions/{done_id}/complete"),
        Some(json!({})),
    )
    .await;
    let wf = finished["workflowSessionId"].as_str().unwrap().to_owned();
    let open = ok(&app, Method::POST, "/v1/flow/sessions", Some(flow_body)).await;
    let open_url = open["redirectUrl"].as_str().unwrap().to_owned();
    let open_id = flow_id(&open_url).to_owned();
    // A workflow session left started, to be completed after the restart.
    let started = ok(
        &app,
        Method::POST,
        "/__admin/complycube/workflowSessions",
        Some(json!({"clientId": c, "checkTypes": ["standard_screening_check"]})),
    )
    .await;
    let started_id = started["id"].as_str().unwrap().to_owned();

    let vk = app_for(&first, "Bearer gallery-token");
    let coll = ok(
        &vk,
        Method::POST,
        "/v2/face-recognition/collections",
        Some(json!({"name": "VIP"})),
    )
    .await;
    let cid = coll["data"]["_id"].as_str().unwrap().to_owned();
    let person = ok(
        &vk,
        Method::POST,
        "/v2/face-recognition/persons",
        Some(json!({"name": "Jane Doe", "images": [face(1)], "collections": [cid]})),
    )
    .await;
    let pid = person["data"]["_id"].as_str().unwrap().to_owned();

    let mut before = Vec::new();
    for path in [
        format!("/v1/workflowSessions/{wf}"),
        format!("/v1/workflowSessions/{started_id}"),
        "/v1/workflowSessions".to_owned(),
        format!("/__admin/complycube/flow/sessions/{done_id}"),
        format!("/__admin/complycube/flow/sessions/{open_id}"),
        "/v1/auditLogs".to_owned(),
    ] {
        before.push((path.clone(), ok(&app, Method::GET, &path, None).await));
    }
    let audit = before.last().unwrap().1["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let audit_one = ok(&app, Method::GET, &format!("/v1/auditLogs/{audit}"), None).await;
    let gallery_before = (
        data(ok(&vk, Method::GET, "/v2/face-recognition/collections", None).await),
        data(
            ok(
                &vk,
                Method::GET,
                &format!("/v2/face-recognition/persons/{pid}"),
                None,
            )
            .await,
        ),
    );
    let token_before = page_token(&format!("{}/__admin/flow/{open_id}", first.base)).await;
    first.kill9();

    let second = Sandbox::start(&debug_bin(), &args);
    let app = app_for(&second, key);
    for (path, want) in &before {
        let got = ok(&app, Method::GET, path, None).await;
        assert_eq!(&got, want, "{path} after the restart");
    }
    assert_eq!(
        ok(&app, Method::GET, &format!("/v1/auditLogs/{audit}"), None).await,
        audit_one
    );
    let (_, outcome) = app.get(&format!("/v1/workflowSessions/{wf}")).await;
    assert_eq!(
        outcome["outcome"], "attention",
        "decided before the restart"
    );
    // The open session's page is still reached by its URL alone, on the new port.
    let page_url = format!("{}/__admin/flow/{open_id}", second.base);
    let page: Value = reqwest::get(&page_url).await.unwrap().json().await.unwrap();
    assert_eq!(page["status"], "open", "{page}");
    // Its page keeps the form token it was served with, so a form loaded
    // before the restart still posts.
    assert_eq!(page_token(&page_url).await, token_before);
    // And the started workflow session still completes.
    let (s, v) = app
        .post(
            &format!("/v1/workflowSessions/{started_id}/complete"),
            json!({}),
        )
        .await;
    assert_eq!((s, v), (200, json!({"status": "processing"})));

    let vk = app_for(&second, "Bearer gallery-token");
    let gallery_after = (
        data(ok(&vk, Method::GET, "/v2/face-recognition/collections", None).await),
        data(
            ok(
                &vk,
                Method::GET,
                &format!("/v2/face-recognition/persons/{pid}"),
                None,
            )
            .await,
        ),
    );
    assert_eq!(gallery_after, gallery_before);
    let found = ok(
        &vk,
        Method::POST,
        "/v2/face-recognition/search",
        Some(json!({"images": [face(1)], "min_score": 0.8, "search_mode": "FAST", "collection_id": cid})),
    )
    .await;
    assert_eq!(found["data"][0]["id"], pid.as_str(), "{found}");

    // Export carries them; an import into another tenant answers the same.
    let (s, export) = app.get("/__admin/export").await;
    assert_eq!(s, 200);
    let kinds: Vec<&str> = export["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "complycube.flow_session",
        "complycube.workflow_session",
        "complycube.audit_log",
    ] {
        assert!(kinds.contains(&kind), "{kind}: {kinds:?}");
    }
    let (s, vk_export) = vk.get("/__admin/export").await;
    assert_eq!(s, 200);
    let copy = vk.as_tenant("Bearer gallery-copy");
    let (s, v) = copy.post("/__admin/import", vk_export).await;
    assert_eq!(s, 200, "{v}");
    let (_, p) = copy
        .get(&format!("/v2/face-recognition/persons/{pid}"))
        .await;
    assert_eq!(p["data"]["name"], "Jane Doe", "{p}");
}

/// The form token of a Flow session's page, as a browser gets it.
async fn page_token(url: &str) -> String {
    let html = reqwest::Client::new()
        .get(url)
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = html.find("name=\"token\" value=\"").expect("a token field") + 20;
    html[at..].split('"').next().unwrap().to_owned()
}
