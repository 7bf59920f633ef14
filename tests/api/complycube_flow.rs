//! Hosted Flow sessions and workflow sessions over HTTP: the redirect URL,
//! headless completion and cancellation, what completion creates, the
//! workflow session lifecycle and its `workflow.session.*` events, the
//! documented sandbox trigger, filters and every error.

use serde_json::{Value, json};

use crate::complycube_checks::{client, company};
use crate::helpers::{TestApp, is_object_id, spawn_app};
use crate::webhooks::{Receiver, advance, freeze, wait_for, webhook};

pub(crate) const TEMPLATE: &str = "68566be2a37a78622f4f7be3";

/// Creates a Flow session; returns its redirect URL.
pub(crate) async fn flow(app: &TestApp, body: Value) -> String {
    let (s, v) = app.post("/v1/flow/sessions", body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v.as_object().map(|m| m.len()),
        Some(1),
        "only redirectUrl: {v}"
    );
    v["redirectUrl"].as_str().expect("redirectUrl").to_owned()
}

fn flow_body(client: &str) -> Value {
    json!({"clientId": client, "workflowTemplateId": TEMPLATE,
        "successUrl": "https://app.example/ok", "cancelUrl": "https://app.example/cancel"})
}

/// The session id the redirect URL ends with.
pub(crate) fn flow_id(redirect: &str) -> &str {
    redirect.rsplit('/').next().unwrap_or_default()
}

#[tokio::test]
async fn a_workflow_flow_completes_headlessly_and_its_session_goes_complete() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    webhook(&app, &rx.url, &["*"]).await;
    let c = client(&app, "Doe").await;
    let url = flow(&app, flow_body(&c)).await;
    assert!(
        url.starts_with(&format!("{}/__admin/flow/", app.address)),
        "{url}"
    );
    let id = flow_id(&url).to_owned();

    // The page is reached by its URL alone (no key).
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    let page: Value = page.json().await.unwrap();
    assert_eq!(
        (page["status"].as_str(), page["clientId"].as_str()),
        (Some("open"), Some(c.as_str()))
    );
    assert_eq!(page["successUrl"], "https://app.example/ok");

    let (s, done) = app
        .post(
            &format!("/__admin/complycube/flow/sessions/{id}/complete"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["redirectUrl"], "https://app.example/ok");
    assert_eq!(done["flowSession"]["status"], "completed");
    let wf = done["workflowSessionId"].as_str().unwrap().to_owned();
    // The capture: a passport with its front image and a live photo, stored as the API would.
    let doc = done["captured"]["documentId"].as_str().unwrap();
    let (s, d) = app.get(&format!("/v1/documents/{doc}")).await;
    assert_eq!(
        (s, d["type"].as_str(), d["clientId"].as_str()),
        (200, Some("passport"), Some(c.as_str()))
    );
    let (s, img) = app
        .get(&format!("/v1/documents/{doc}/download/front"))
        .await;
    assert_eq!(
        (s, img["contentType"].as_str()),
        (200, Some("image/png")),
        "{img}"
    );
    let photo = done["captured"]["livePhotoId"].as_str().unwrap();
    assert_eq!(app.get(&format!("/v1/livePhotos/{photo}")).await.0, 200);

    let (s, session) = app.get(&format!("/v1/workflowSessions/{wf}")).await;
    assert_eq!(s, 200, "{session}");
    assert_eq!(session["status"], "complete");
    assert_eq!(session["outcome"], "clear");
    assert_eq!(session["workflowTemplateId"], TEMPLATE);
    assert_eq!(session["entityName"], "John Doe");
    let related: Vec<&str> = session["allRelatedChecks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        related,
        [
            "document_check",
            "identity_check",
            "extensive_screening_check"
        ]
    );
    for r in session["allRelatedChecks"].as_array().unwrap() {
        let (s, check) = app
            .get(&format!("/v1/checks/{}", r["checkId"].as_str().unwrap()))
            .await;
        assert_eq!(
            (s, check["status"].as_str()),
            (200, Some("complete")),
            "{check}"
        );
    }
    for key in [
        "completedAt",
        "tasks",
        "lastCompletedTaskId",
        "policyAssurance",
        "compliancePolicies",
        "workflowId",
    ] {
        assert!(session.get(key).is_some(), "{key}: {session}");
    }

    // Events: document.created, then workflow.session.started, processing, completed.
    for (event, want) in [
        ("document.created", 1),
        ("workflow.session.started", 1),
        ("workflow.session.processing", 1),
        ("workflow.session.completed", 1),
    ] {
        let got = wait_for(&app, &format!("eventType={event}&state=delivered"), want).await;
        assert_eq!(got.len(), want, "{event}");
    }
    let completed = rx
        .received()
        .into_iter()
        .map(|r| r.json())
        .find(|e| e["type"] == "workflow.session.completed")
        .expect("delivered");
    assert_eq!(completed["resourceType"], "workflowSession");
    assert_eq!(completed["payload"]["id"], wf.as_str());
    assert_eq!(completed["payload"]["status"], "complete");
    assert_eq!(completed["payload"]["outcome"], "clear");

    // A finished session cannot be finished again.
    let (s, v) = app
        .post(
            &format!("/__admin/complycube/flow/sessions/{id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, v["type"].as_str()),
        (409, Some("invalid_request")),
        "{v}"
    );
}

#[tokio::test]
async fn the_attention_last_name_and_a_named_outcome_end_the_session_in_attention() {
    let app = spawn_app().await;
    for (last, body, outcome) in [
        ("attention", json!({}), "attention"),
        ("Doe", json!({"outcome": "attention"}), "attention"),
        ("attention", json!({"outcome": "clear"}), "clear"),
    ] {
        let c = client(&app, last).await;
        let id = flow_id(&flow(&app, flow_body(&c)).await).to_owned();
        let (s, done) = app
            .post(
                &format!("/__admin/complycube/flow/sessions/{id}/complete"),
                body.clone(),
            )
            .await;
        assert_eq!(s, 200, "{done}");
        let wf = done["workflowSessionId"].as_str().unwrap();
        let (_, session) = app.get(&format!("/v1/workflowSessions/{wf}")).await;
        assert_eq!(session["outcome"], outcome, "{last} {body}: {session}");
        let (_, list) = app
            .get(&format!(
                "/v1/workflowSessions?clientId={c}&outcome={outcome}"
            ))
            .await;
        assert_eq!(list["totalItems"], 1, "{list}");
    }
}

#[tokio::test]
async fn a_check_driven_flow_runs_its_checks_and_a_cancel_goes_back_to_cancel_url() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let mut body = json!({"clientId": c, "checkTypes": ["document_check", "standard_screening_check"],
        "successUrl": "https://app.example/ok", "cancelUrl": "https://app.example/cancel",
        "theme": "dark", "language": "fr", "documentTypes": {"passport": true}});
    let id = flow_id(&flow(&app, body.clone()).await).to_owned();
    let (s, done) = app
        .post(
            &format!("/__admin/complycube/flow/sessions/{id}/complete"),
            json!({"documentType": "driving_license", "issuingCountry": "FR"}),
        )
        .await;
    assert_eq!(s, 200, "{done}");
    assert!(done.get("workflowSessionId").is_none(), "{done}");
    let types: Vec<&str> = done["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["document_check", "standard_screening_check"]);
    let (_, doc) = app
        .get(&format!(
            "/v1/documents/{}",
            done["captured"]["documentId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (doc["type"].as_str(), doc["issuingCountry"].as_str()),
        (Some("driving_license"), Some("FR"))
    );
    assert_eq!(
        doc["images"].as_array().map(Vec::len),
        Some(2),
        "both sides: {doc}"
    );
    assert_eq!(done["flowSession"]["theme"], "dark");

    // A workflow flow cancelled: the client started, then cancelled.
    body = flow_body(&c);
    let id = flow_id(&flow(&app, body).await).to_owned();
    let (s, cancelled) = app
        .post(
            &format!("/__admin/complycube/flow/sessions/{id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{cancelled}");
    assert_eq!(cancelled["redirectUrl"], "https://app.example/cancel");
    let wf = cancelled["workflowSessionId"].as_str().unwrap();
    let (_, session) = app.get(&format!("/v1/workflowSessions/{wf}")).await;
    assert_eq!(session["status"], "cancelled");
    assert!(session.get("outcome").is_none());
}

#[tokio::test]
async fn flow_sessions_expire_after_fourteen_days() {
    let app = spawn_app().await;
    freeze(&app).await;
    let c = client(&app, "Doe").await;
    let id = flow_id(&flow(&app, flow_body(&c)).await).to_owned();
    advance(&app, 14 * 24 * 3600 * 1000).await;
    let (_, page) = app
        .get(&format!("/__admin/complycube/flow/sessions/{id}"))
        .await;
    assert_eq!(page["status"], "expired");
    let (s, v) = app
        .post(
            &format!("/__admin/complycube/flow/sessions/{id}/complete"),
            json!({}),
        )
        .await;
    assert_eq!(s, 409, "{v}");
    assert!(v["message"].as_str().unwrap().contains("'expired'"), "{v}");
}

#[tokio::test]
async fn flow_session_requests_are_validated() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let co = company(&app).await;
    let ok = flow_body(&c);
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = ok.clone();
        b.as_object_mut().unwrap().remove(k);
        b
    };
    let cases = [
        (without("clientId"), 400, Some("clientId")),
        (without("successUrl"), 400, Some("successUrl")),
        (
            with("cancelUrl", json!("not a url")),
            400,
            Some("cancelUrl"),
        ),
        (
            without("workflowTemplateId"),
            400,
            Some("workflowTemplateId"),
        ),
        (
            with("checkTypes", json!(["document_check"])),
            400,
            Some("checkTypes"),
        ),
        (with("workflowTemplateId", json!("nope")), 404, None),
        (
            with("clientId", json!("5f0000000000000000000000")),
            404,
            None,
        ),
        (with("theme", json!("pink")), 400, Some("theme")),
        (with("language", json!("xx")), 400, Some("language")),
        (
            with("supportEmail", json!("nope")),
            400,
            Some("supportEmail"),
        ),
        (
            with("documentTypes", json!({"passport": "yes"})),
            400,
            Some("documentTypes.passport"),
        ),
    ];
    for (body, status, param) in cases {
        let (s, v) = app.post("/v1/flow/sessions", body.clone()).await;
        assert_eq!(s, status, "{body}: {v}");
        assert_eq!(v["param"].as_str(), param, "{body}: {v}");
        assert!(v["message"].is_string(), "{v}");
    }
    let mut legacy = without("workflowTemplateId");
    legacy["checkTypes"] = json!(["identity_check", "eid_check"]);
    let (s, v) = app.post("/v1/flow/sessions", legacy).await;
    assert_eq!((s, v["param"].as_str()), (400, Some("checkTypes.1")), "{v}");
    let mut on_company = without("workflowTemplateId");
    on_company["clientId"] = json!(co);
    on_company["checkTypes"] = json!(["identity_check"]);
    let (s, v) = app.post("/v1/flow/sessions", on_company).await;
    assert_eq!((s, v["param"].as_str()), (400, Some("clientId")), "{v}");
    // Another key cannot complete it, nor read it through its own key.
    let id = flow_id(&flow(&app, ok).await).to_owned();
    let other = app.as_tenant("test_someone_else");
    let (s, _) = other
        .post(
            &format!("/__admin/complycube/flow/sessions/{id}/complete"),
            json!({}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, v) = app
        .post(
            &format!("/__admin/complycube/flow/sessions/{id}/complete"),
            json!({"outcome": "maybe"}),
        )
        .await;
    assert_eq!((s, v["param"].as_str()), (400, Some("outcome")));
    let (s, _) = reqwest::get(app.url("/__admin/flow/000000000000000000000000"))
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 404);
}

/// Starts a workflow session as a capture SDK would.
pub(crate) async fn started(app: &TestApp, client: &str, extra: Value) -> Value {
    let mut body = json!({"clientId": client});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (s, v) = app.post("/__admin/complycube/workflowSessions", body).await;
    assert_eq!(s, 200, "{v}");
    v
}

#[tokio::test]
async fn workflow_sessions_complete_cancel_and_list_through_the_api() {
    let app = spawn_app().await;
    freeze(&app).await;
    let c = client(&app, "Doe").await;
    let s1 = started(
        &app,
        &c,
        json!({"checkTypes": ["standard_screening_check"]}),
    )
    .await;
    assert_eq!(s1["status"], "started");
    assert!(is_object_id(s1["id"].as_str().unwrap()));
    let id = s1["id"].as_str().unwrap();

    // Complete: the documented answer, with no body at all (the Node SDK's request).
    let res = app
        .client
        .post(app.url(&format!("/v1/workflowSessions/{id}/complete")))
        .header("Authorization", &app.key)
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap();
    let (s, v) = crate::helpers::decode(res).await;
    assert_eq!((s, v), (200, json!({"status": "processing"})));
    let (_, got) = app.get(&format!("/v1/workflowSessions/{id}")).await;
    assert_eq!(got["status"], "complete", "{got}");

    // Again: only a started session can be completed.
    let (s, v) = app
        .post(&format!("/v1/workflowSessions/{id}/complete"), json!({}))
        .await;
    assert_eq!(
        (s, v["type"].as_str()),
        (422, Some("invalid_workflow_session_status")),
        "{v}"
    );

    let s2 = started(&app, &c, json!({})).await;
    let id2 = s2["id"].as_str().unwrap();
    let (s, v) = app
        .post(&format!("/v1/workflowSessions/{id2}/cancel"), json!({}))
        .await;
    assert_eq!((s, v), (200, json!({"status": "cancelled"})));
    let (s, v) = app
        .post(&format!("/v1/workflowSessions/{id2}/cancel"), json!({}))
        .await;
    assert_eq!(s, 422, "{v}");

    let (s, v) = app
        .post(
            "/v1/workflowSessions/5eb2b61e02df0a0008f1cf2b/complete",
            json!({}),
        )
        .await;
    assert_eq!(
        (s, v),
        (
            404,
            json!({"type": "resource_not_found", "message": "Invalid workflow session id '5eb2b61e02df0a0008f1cf2b'"})
        )
    );
    let (s, _) = app.get("/v1/workflowSessions/nope").await;
    assert_eq!(s, 404);

    // The API's moves are in the audit log, each once, with the change.
    let (_, log) = app.get("/v1/auditLogs").await;
    let moves: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resourceType"] == "workflowSession")
        .collect();
    let seen: Vec<(&str, &str)> = moves
        .iter()
        .map(|e| {
            (
                e["trigger"].as_str().unwrap(),
                e["resourceId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("cancelWorkflowSession", id2),
            ("completeWorkflowSession", id)
        ]
    );
    let (_, one) = app
        .get(&format!(
            "/v1/auditLogs/{}",
            moves[1]["id"].as_str().unwrap()
        ))
        .await;
    assert!(
        one["diff"].as_array().unwrap().contains(
            &json!({"action": "update", "path": ["status"], "old": "started", "new": "processing"})
        ),
        "{one}"
    );

    // Lists: newest first, filters, and the list form without tasks.
    let (_, all) = app.get("/v1/workflowSessions").await;
    assert_eq!(all["totalItems"], 2);
    assert_eq!(all["items"][0]["id"], id2);
    assert!(all["items"][0].get("tasks").is_none());
    for (query, want) in [
        ("status=cancelled", 1),
        ("status=complete", 1),
        (&format!("clientId={c}") as &str, 2),
        (&format!("workflowTemplateId={TEMPLATE}"), 2),
        ("outcome=clear", 1),
        ("clientId=5f0000000000000000000000", 0),
        ("unknownFilter=1", 0),
    ] {
        let (s, v) = app.get(&format!("/v1/workflowSessions?{query}")).await;
        assert_eq!(
            (s, v["totalItems"].as_u64()),
            (200, Some(want)),
            "{query}: {v}"
        );
    }
    let (s, v) = app.get("/v1/workflowSessions?page=0").await;
    assert_eq!((s, v["param"].as_str()), (400, Some("page")));

    // Deleting the client takes its sessions with it.
    assert_eq!(app.delete(&format!("/v1/clients/{c}")).await.0, 204);
    assert_eq!(app.get(&format!("/v1/workflowSessions/{id}")).await.0, 404);
}

#[tokio::test]
async fn session_completion_waits_for_slow_checks() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    webhook(&app, &rx.url, &["workflow.session.completed"]).await;
    freeze(&app).await;
    let c = client(&app, "slow-completion").await;
    let s = started(
        &app,
        &c,
        json!({"checkTypes": ["standard_screening_check", "email_intelligence_check"]}),
    )
    .await;
    let id = s["id"].as_str().unwrap();
    let (st, _) = app
        .post(&format!("/v1/workflowSessions/{id}/complete"), json!({}))
        .await;
    assert_eq!(st, 200);
    let (_, got) = app.get(&format!("/v1/workflowSessions/{id}")).await;
    assert_eq!(got["status"], "processing");
    assert!(got.get("outcome").is_none());
    advance(&app, 600_000).await;
    let (_, got) = app.get(&format!("/v1/workflowSessions/{id}")).await;
    assert_eq!(
        (got["status"].as_str(), got["outcome"].as_str()),
        (Some("complete"), Some("clear"))
    );
    let d = wait_for(
        &app,
        "eventType=workflow.session.completed&state=delivered",
        1,
    )
    .await;
    assert_eq!(d.len(), 1);
}

#[tokio::test]
async fn a_start_refuses_unknown_clients_and_person_checks_for_companies() {
    let app = spawn_app().await;
    let co = company(&app).await;
    for (body, status, param) in [
        (json!({}), 400, Some("clientId")),
        (json!({"clientId": "5f0000000000000000000000"}), 404, None),
        (
            json!({"clientId": co, "checkTypes": ["identity_check"]}),
            400,
            Some("clientId"),
        ),
        (
            json!({"clientId": co, "checkTypes": ["nope"]}),
            400,
            Some("checkTypes.0"),
        ),
        (
            json!({"clientId": co, "documentType": "visa"}),
            400,
            Some("documentType"),
        ),
    ] {
        let (s, v) = app
            .post("/__admin/complycube/workflowSessions", body.clone())
            .await;
        assert_eq!((s, v["param"].as_str()), (status, param), "{body}: {v}");
    }
    // A company runs the template's company checks only.
    let s = started(&app, &co, json!({})).await;
    let tasks: Vec<&str> = s["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["checkType"].as_str().unwrap())
        .collect();
    assert_eq!(tasks, ["document_check", "extensive_screening_check"]);
}
