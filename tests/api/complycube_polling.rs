//! Reading a check repeatedly (what a test suite polling for completion
//! does): every read sees every change the check renders from, whichever
//! way it was last read.

use serde_json::{Value, json};

use crate::complycube_checks::{address, check_body, client, enrol, live_photo};
use crate::helpers::{TestApp, spawn_with};

async fn read(app: &TestApp, path: &str) -> Value {
    let (s, first) = app.get(path).await;
    assert_eq!(s, 200, "{first}");
    let (_, again) = app.get(path).await;
    assert_eq!(first, again, "two reads in a row answer alike");
    first
}

fn address_line(check: &Value) -> &Value {
    &check["result"]["breakdown"]["extractedData"]["addressDetails"]["address"]["line"]
}

#[tokio::test]
async fn a_polled_check_follows_its_clock_its_client_and_its_own_changes() {
    let app = spawn_with(|c| c.completion_delay_ms = 60_000).await;
    let c = client(&app, "Doe").await;
    // Proof of address without an address: it reads the client's latest.
    let body = check_body(&app, &c, "proof_of_address_check").await;
    let (s, created) = app.post("/v1/checks", body).await;
    assert_eq!(s, 200, "{created}");
    let path = format!("/v1/checks/{}", created["id"].as_str().unwrap());

    let pending = read(&app, &path).await;
    assert_eq!(pending["status"], "pending");
    assert!(pending.get("result").is_none());

    let (s, _) = app
        .post("/__admin/clock/advance", json!({"ms": 60_000}))
        .await;
    assert_eq!(s, 200);
    let complete = read(&app, &path).await;
    assert_eq!(complete["status"], "complete");
    assert_ne!(complete["updatedAt"], pending["updatedAt"]);
    assert!(address_line(&complete).is_null(), "{complete}");

    let a = address(&app, &c).await;
    assert_eq!(address_line(&read(&app, &path).await), "1 High St");
    let (s, _) = app
        .post(&format!("/v1/addresses/{a}"), json!({"line": "2 Low St"}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(address_line(&read(&app, &path).await), "2 Low St");

    let (s, _) = app
        .post(&format!("{path}/validate"), json!({"outcome": "rejected"}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(read(&app, &path).await["result"]["outcome"], "rejected");
}

#[tokio::test]
async fn a_polled_document_check_follows_its_redaction() {
    let app = spawn_with(|_| {}).await;
    let c = client(&app, "Doe").await;
    let body = check_body(&app, &c, "document_check").await;
    let (s, created) = app.post("/v1/checks", body).await;
    assert_eq!(s, 200, "{created}");
    let path = format!("/v1/checks/{}", created["id"].as_str().unwrap());
    let number = |check: &Value| {
        check["result"]["breakdown"]["extractedData"]["documentDetails"]["documentNumber"].clone()
    };
    assert!(number(&read(&app, &path).await).is_string());
    let (s, _) = app
        .post(
            &format!("{path}/redact"),
            json!({"attributes": ["documentNumber"]}),
        )
        .await;
    assert_eq!(s, 200);
    assert!(number(&read(&app, &path).await).is_null());
}

#[tokio::test]
async fn a_face_authentication_follows_the_identity_check_that_enrolled_the_face() {
    let app = spawn_with(|_| {}).await;
    let c = client(&app, "Doe").await;
    enrol(&app, &c).await;
    let body = json!({"clientId": c, "type": "face_authentication_check",
        "livePhotoId": live_photo(&app, &c).await});
    let (s, created) = app.post("/v1/checks", body).await;
    assert_eq!(s, 200, "{created}");
    let path = format!("/v1/checks/{}", created["id"].as_str().unwrap());
    let matched = read(&app, &path).await;
    assert_eq!(matched["result"]["outcome"], "clear", "{matched}");

    // Rejecting the enrolling identity check takes the face away.
    let (_, list) = app
        .get(&format!("/v1/checks?clientId={c}&type=identity_check"))
        .await;
    let identity = list["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, _) = app
        .post(
            &format!("/v1/checks/{identity}/validate"),
            json!({"outcome": "rejected"}),
        )
        .await;
    assert_eq!(s, 200);
    let unmatched = read(&app, &path).await;
    assert_eq!(unmatched["result"]["outcome"], "attention", "{unmatched}");
    assert_ne!(
        unmatched["result"]["breakdown"],
        matched["result"]["breakdown"]
    );
}
