//! The hosted Flow page over HTTP, as a browser posts it: HTML for a
//! browser and JSON for API clients, the page of a session that is no
//! longer open, uploads held to the API's image rules, outcomes (chosen or
//! left to scenarios), cancelling, and posts from another site refused.
//! The same page in a real browser is `console_browser`.

use base64::Engine as _;
use reqwest::header::{ACCEPT, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};

use crate::complycube_checks::client;
use crate::complycube_flow::{TEMPLATE, flow, flow_id};
use crate::helpers::{TestApp, spawn_app};
use crate::webhooks::advance;

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const BOUNDARY: &str = "----kycSandboxTestBoundary7MA4YWxk";

fn body(c: &str, extra: Value) -> Value {
    let mut b = json!({"clientId": c, "successUrl": "https://app.example/ok",
        "cancelUrl": "https://app.example/cancel"});
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

/// A client that does not follow redirects, as a test of where they lead.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(url: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let res = browser()
        .get(url)
        .header(ACCEPT, BROWSER)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.text().await.unwrap(), headers)
}

/// The page token in the page's form.
fn token(html: &str) -> String {
    let at = html.find("name=\"token\" value=\"").expect("a token field") + 20;
    html[at..].split('"').next().unwrap().to_owned()
}

/// A field of a multipart form: a value, or a file (name, bytes).
enum Field<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

/// A bad post: what it is, its fields, extra headers, the status and what the page says.
type Case<'a> = (
    &'a str,
    Vec<Field<'a>>,
    Vec<(&'a str, &'a str)>,
    u16,
    &'a str,
);

fn multipart(fields: &[Field<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match f {
            Field::Text(name, value) => {
                out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Field::File(name, file, bytes) => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(bytes);
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// Posts a form to the page as a same-origin browser would (plus `extra` headers).
async fn post(
    url: &str,
    action: &str,
    fields: &[Field<'_>],
    extra: &[(&str, &str)],
) -> (u16, String, Option<String>) {
    let origin = url.split("/__admin").next().unwrap().to_owned();
    let mut req = browser().post(format!("{url}/{action}"));
    if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("origin")) {
        req = req.header("Origin", origin);
    }
    let req = req
        .header(ACCEPT, BROWSER)
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(fields));
    let mut req = req;
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    (status, res.text().await.unwrap(), location)
}

/// A file of `n` bytes that passes for a PNG (the API does not look inside).
fn image(n: usize, seed: u8) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend((0..n - 8).map(|i| (i as u8).wrapping_mul(31) ^ seed));
    v
}

async fn session(app: &TestApp, id: &str) -> Value {
    let (s, v) = app
        .get(&format!("/__admin/complycube/flow/sessions/{id}"))
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn outcomes(app: &TestApp, check_ids: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for id in check_ids.as_array().unwrap() {
        let (s, c) = app
            .get(&format!("/v1/checks/{}", id.as_str().unwrap()))
            .await;
        assert_eq!((s, c["status"].as_str()), (200, Some("complete")), "{c}");
        out.push(c["result"]["outcome"].as_str().unwrap().to_owned());
    }
    out
}

fn decoded(download: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(download["data"].as_str().unwrap())
        .unwrap()
}

#[tokio::test]
async fn browsers_get_the_page_and_api_clients_the_json() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let url = flow(
        &app,
        body(
            &c,
            json!({"checkTypes": ["document_check", "identity_check"], "theme": "dark",
                "language": "fr", "supportEmail": "help@app.example",
                "documentTypes": {"passport": true, "driving_license": true, "residence_permit": false}}),
        ),
    )
    .await;

    let (s, html, headers) = page(&url).await;
    assert_eq!(s, 200, "{html}");
    assert!(
        headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        csp.contains("form-action 'self' https://app.example;"),
        "{csp}"
    );
    for want in [
        "<html lang=\"fr\">",
        "data-theme=\"dark\"",
        "John Doe",
        "document_check, identity_check",
        "id=\"step-consent\"",
        "id=\"step-document\"",
        "id=\"step-selfie\"",
        "<option value=\"passport\"",
        "<option value=\"driving_license\"",
        "name=\"front\"",
        "name=\"livePhoto\"",
        "value=\"attention\"",
        "value=\"scenarios\" checked",
        "action=\"/__admin/flow/",
        "mailto:help@app.example",
    ] {
        assert!(html.contains(want), "no {want} in the page:\n{html}");
    }
    for absent in ["id=\"step-video\"", "<option value=\"residence_permit\""] {
        assert!(!html.contains(absent), "{absent} in the page");
    }
    assert_eq!(token(&html).len(), 32);

    // An API client (no Accept, or JSON first) keeps the JSON, without the page token.
    for accept in [None, Some("application/json"), Some("*/*")] {
        let mut req = browser().get(&url);
        if let Some(a) = accept {
            req = req.header(ACCEPT, a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status"], "open");
        assert_eq!(v["theme"], "dark");
        assert!(
            !text.contains(&token(&html)),
            "the JSON shows the page token"
        );
    }

    // The sample images the page shows are PNGs over the API's lower bound.
    let res = browser()
        .get(format!("{url}/samples/front"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[CONTENT_TYPE], "image/png");
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 34 * 1024);
    let res = browser()
        .get(format!("{url}/samples/elsewhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // An unknown session: a page for a browser, ComplyCube's 404 for an API client.
    let unknown = format!("{}/__admin/flow/0123456789abcdef01234567", app.address);
    let (s, html, _) = page(&unknown).await;
    assert_eq!(s, 404);
    assert!(html.contains("No verification here"), "{html}");
    let res = browser().get(&unknown).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["type"], "resource_not_found");
}

#[tokio::test]
async fn completing_the_form_stores_the_uploads_and_returns_to_the_app() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let url = flow(
        &app,
        body(
            &c,
            json!({"checkTypes": ["document_check", "identity_check"]}),
        ),
    )
    .await;
    let id = flow_id(&url).to_owned();
    let (_, html, _) = page(&url).await;
    let t = token(&html);
    let front = image(40_000, 1);
    let selfie = image(50_000, 2);
    let (s, text, location) = post(
        &url,
        "complete",
        &[
            Field::Text("token", &t),
            Field::Text("consent", "yes"),
            Field::Text("documentType", "driving_license"),
            Field::Text("issuingCountry", "fr"),
            Field::File("front", "licence-front.jpg", &front),
            Field::File("back", "", b""),
            Field::File("livePhoto", "me.png", &selfie),
            Field::Text("outcome", "attention"),
        ],
        &[("Sec-Fetch-Site", "same-origin")],
    )
    .await;
    assert_eq!(s, 303, "{text}");
    assert_eq!(location.as_deref(), Some("https://app.example/ok"));

    let v = session(&app, &id).await;
    assert_eq!(v["status"], "completed");
    assert_eq!(
        outcomes(&app, &v["checkIds"]).await,
        ["attention", "attention"]
    );
    let (_, docs) = app.get(&format!("/v1/documents?clientId={c}")).await;
    assert_eq!(docs["totalItems"], 1, "{docs}");
    let doc = &docs["items"][0];
    assert_eq!(
        (doc["type"].as_str(), doc["issuingCountry"].as_str()),
        (Some("driving_license"), Some("FR"))
    );
    let doc_id = doc["id"].as_str().unwrap();
    let (_, f) = app
        .get(&format!("/v1/documents/{doc_id}/download/front"))
        .await;
    assert_eq!(
        (f["fileName"].as_str(), f["contentType"].as_str()),
        (Some("licence-front.jpg"), Some("image/jpg"))
    );
    assert_eq!(decoded(&f), front, "the uploaded front is the document's");
    // No back was chosen: the sample the page showed is the document's back.
    let (_, b) = app
        .get(&format!("/v1/documents/{doc_id}/download/back"))
        .await;
    let sample = browser()
        .get(format!("{url}/samples/back"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(decoded(&b), sample.to_vec());
    let (_, photos) = app.get(&format!("/v1/livePhotos?clientId={c}")).await;
    let photo = photos["items"][0]["id"].as_str().unwrap();
    let (_, p) = app.get(&format!("/v1/livePhotos/{photo}/download")).await;
    assert_eq!(p["contentType"], "image/png");
    assert_eq!(decoded(&p), selfie, "the uploaded selfie is the live photo");

    // The session is closed now: a clear page, and posting again is refused.
    let (s, html, _) = page(&url).await;
    assert_eq!(s, 200);
    assert!(html.contains("Verification complete"), "{html}");
    assert!(html.contains("href=\"https://app.example/ok\""), "{html}");
    assert!(!html.contains("<form"), "a closed session has no forms");
    let (s, html, _) = post(
        &url,
        "complete",
        &[Field::Text("token", &t), Field::Text("consent", "yes")],
        &[],
    )
    .await;
    assert_eq!(s, 409);
    assert!(html.contains("Verification complete"), "{html}");
}

#[tokio::test]
async fn scenarios_decide_a_workflow_flow_when_the_tester_lets_them() {
    let app = spawn_app().await;
    // The documented sandbox trigger: last name "attention".
    let c = client(&app, "attention").await;
    let url = flow(&app, body(&c, json!({"workflowTemplateId": TEMPLATE}))).await;
    let id = flow_id(&url).to_owned();
    let (_, html, _) = page(&url).await;
    assert!(
        html.contains(
            "a workflow running document_check, identity_check, extensive_screening_check"
        ),
        "{html}"
    );
    let (s, text, location) = post(
        &url,
        "complete",
        &[
            Field::Text("token", &token(&html)),
            Field::Text("consent", "yes"),
            Field::Text("documentType", "passport"),
            Field::Text("issuingCountry", "GB"),
            Field::Text("outcome", "scenarios"),
        ],
        &[],
    )
    .await;
    assert_eq!(
        (s, location.as_deref()),
        (303, Some("https://app.example/ok")),
        "{text}"
    );
    let v = session(&app, &id).await;
    let wf = v["workflowSessionId"].as_str().unwrap();
    let (_, w) = app.get(&format!("/v1/workflowSessions/{wf}")).await;
    assert_eq!(
        (w["status"].as_str(), w["outcome"].as_str()),
        (Some("complete"), Some("attention")),
        "{w}"
    );
    assert!(
        outcomes(&app, &v["checkIds"])
            .await
            .iter()
            .any(|o| o == "attention")
    );
}

#[tokio::test]
async fn bad_forms_and_cross_site_posts_change_nothing_and_cancel_returns_to_the_app() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let url = flow(
        &app,
        body(
            &c,
            json!({"checkTypes": ["document_check", "identity_check"]}),
        ),
    )
    .await;
    let id = flow_id(&url).to_owned();
    let (_, html, _) = page(&url).await;
    let t = token(&html);
    let good = image(40_000, 3);
    let tiny = image(1_000, 4);
    let cases: Vec<Case<'_>> = vec![
        (
            "another site's page",
            vec![Field::Text("token", &t), Field::Text("consent", "yes")],
            vec![("Sec-Fetch-Site", "cross-site")],
            403,
            "posted from another site",
        ),
        (
            "another origin",
            vec![Field::Text("token", &t), Field::Text("consent", "yes")],
            vec![("Origin", "https://evil.example")],
            403,
            "posted from another site",
        ),
        (
            "no token",
            vec![Field::Text("consent", "yes")],
            vec![],
            403,
            "token is missing or wrong",
        ),
        (
            "a wrong token",
            vec![
                Field::Text("token", "0123456789abcdef0123456789abcdef"),
                Field::Text("consent", "yes"),
            ],
            vec![],
            403,
            "token is missing or wrong",
        ),
        (
            "no consent",
            vec![Field::Text("token", &t)],
            vec![],
            400,
            "field &#39;consent&#39;",
        ),
        (
            "a too small image",
            vec![
                Field::Text("token", &t),
                Field::Text("consent", "yes"),
                Field::File("front", "f.png", &tiny),
            ],
            vec![],
            400,
            "between 34KB and 4MB (field &#39;front&#39;)",
        ),
        (
            "a file type documents do not take",
            vec![
                Field::Text("token", &t),
                Field::Text("consent", "yes"),
                Field::File("back", "b.gif", &good),
            ],
            vec![],
            400,
            "field &#39;back&#39;",
        ),
        (
            "a too small selfie",
            vec![
                Field::Text("token", &t),
                Field::Text("consent", "yes"),
                Field::File("livePhoto", "s.png", &tiny),
            ],
            vec![],
            400,
            "field &#39;livePhoto&#39;",
        ),
        (
            "a document type the session does not offer",
            vec![
                Field::Text("token", &t),
                Field::Text("consent", "yes"),
                Field::Text("documentType", "visa"),
            ],
            vec![],
            400,
            "field &#39;documentType&#39;",
        ),
        (
            "an outcome that is not one",
            vec![
                Field::Text("token", &t),
                Field::Text("consent", "yes"),
                Field::Text("outcome", "rejected"),
            ],
            vec![],
            400,
            "field &#39;outcome&#39;",
        ),
    ];
    for (what, fields, extra, status, says) in &cases {
        let (s, html, location) = post(&url, "complete", fields, extra).await;
        assert_eq!((s, location), (*status, None), "{what}: {html}");
        assert!(html.contains(says), "{what}: no {says} in {html}");
    }
    // A cancel from another site is refused too.
    let (s, _, _) = post(
        &url,
        "cancel",
        &[Field::Text("token", &t)],
        &[("Origin", "https://evil.example")],
    )
    .await;
    assert_eq!(s, 403);
    // Not a multipart form at all.
    let res = browser()
        .post(format!("{url}/complete"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("token={t}&consent=yes"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    // Nothing was stored, and the session is still open.
    assert_eq!(session(&app, &id).await["status"], "open");
    let (_, docs) = app.get(&format!("/v1/documents?clientId={c}")).await;
    assert_eq!(docs["totalItems"], 0, "{docs}");
    let (_, checks) = app.get(&format!("/v1/checks?clientId={c}")).await;
    assert_eq!(checks["totalItems"], 0, "{checks}");

    // Cancelling returns to the app's cancelUrl; the page then says so.
    let (s, _, location) = post(&url, "cancel", &[Field::Text("token", &t)], &[]).await;
    assert_eq!(
        (s, location.as_deref()),
        (303, Some("https://app.example/cancel"))
    );
    assert_eq!(session(&app, &id).await["status"], "cancelled");
    let (s, html, _) = page(&url).await;
    assert_eq!(s, 200);
    assert!(html.contains("Verification cancelled"), "{html}");
    assert!(
        html.contains("href=\"https://app.example/cancel\""),
        "{html}"
    );
}

#[tokio::test]
async fn an_expired_session_shows_a_clear_page() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let url = flow(
        &app,
        body(&c, json!({"checkTypes": ["standard_screening_check"]})),
    )
    .await;
    let (_, html, _) = page(&url).await;
    // A screening-only session asks for consent and the outcome, no images.
    assert!(!html.contains("id=\"step-document\"") && !html.contains("id=\"step-selfie\""));
    advance(&app, 15 * 24 * 60 * 60 * 1000).await;
    let (s, expired, _) = page(&url).await;
    assert_eq!(s, 200);
    assert!(expired.contains("This link has expired"), "{expired}");
    assert!(expired.contains("id=\"flow-status\">expired<"), "{expired}");
    let (s, _, _) = post(
        &url,
        "complete",
        &[
            Field::Text("token", &token(&html)),
            Field::Text("consent", "yes"),
        ],
        &[],
    )
    .await;
    assert_eq!(s, 409);
}

#[tokio::test]
async fn the_page_needs_no_admin_token_and_an_armed_scenario_decides_when_asked() {
    let app = crate::helpers::spawn_with(|c| c.admin_token = Some("s3cret".into())).await;
    let c = client(&app, "Doe").await;
    let res = app
        .client
        .post(app.url("/__admin/scenarios"))
        .header("Authorization", &app.key)
        .header("X-Admin-Token", "s3cret")
        .json(&json!({"name": "attention", "times": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let mut ends = Vec::new();
    for choice in ["scenarios", "clear"] {
        let url = flow(&app, body(&c, json!({"checkTypes": ["identity_check"]}))).await;
        // The page, its stylesheet and its script load without the admin token.
        let (s, html, _) = page(&url).await;
        assert_eq!(s, 200, "{html}");
        for asset in ["console.css", "complycube-flow.js"] {
            let res = browser()
                .get(app.url(&format!("/__admin/ui/assets/{asset}")))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{asset}");
        }
        let (s, text, _) = post(
            &url,
            "complete",
            &[
                Field::Text("token", &token(&html)),
                Field::Text("consent", "yes"),
                Field::Text("outcome", choice),
            ],
            &[],
        )
        .await;
        assert_eq!(s, 303, "{text}");
        let res = app
            .client
            .get(app.url(&format!(
                "/__admin/complycube/flow/sessions/{}",
                flow_id(&url)
            )))
            .header("Authorization", &app.key)
            .header("X-Admin-Token", "s3cret")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let v: Value = res.json().await.unwrap();
        let ids = v["checkIds"].clone();
        ends.push(outcomes(&app, &ids).await);
    }
    // The armed scenario decides when the tester lets it; a chosen outcome wins.
    assert_eq!(ends, [["attention"], ["clear"]]);
}

#[tokio::test]
async fn a_scenario_error_is_shown_as_a_page_and_leaves_the_session_open() {
    let app = spawn_app().await;
    // The catalog's `server-error`: creating a check answers ComplyCube's 500.
    let c = client(&app, "server-error").await;
    let url = flow(
        &app,
        body(&c, json!({"checkTypes": ["standard_screening_check"]})),
    )
    .await;
    let (_, html, _) = page(&url).await;
    let (s, html, location) = post(
        &url,
        "complete",
        &[
            Field::Text("token", &token(&html)),
            Field::Text("consent", "yes"),
        ],
        &[],
    )
    .await;
    assert_eq!((s, location), (500, None), "{html}");
    assert!(html.contains("A scenario answered with an error"), "{html}");
    assert!(
        html.contains("HTTP 500: {"),
        "the vendor's body as text: {html}"
    );
    assert_eq!(session(&app, flow_id(&url)).await["status"], "open");
}

#[tokio::test]
async fn a_proof_of_address_session_asks_for_the_address_and_stores_a_changed_one() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let url = flow(
        &app,
        body(&c, json!({"checkTypes": ["proof_of_address_check"]})),
    )
    .await;
    let (_, html, _) = page(&url).await;
    // No address on file: the sample is offered.
    for want in [
        "id=\"step-address\"",
        "name=\"addressLine\" value=\"1 High Street\"",
        "name=\"addressCountry\" value=\"GB\"",
    ] {
        assert!(html.contains(want), "no {want} in {html}");
    }
    let t = token(&html);
    let typed = |city: &'static str| {
        vec![
            Field::Text("token", &t),
            Field::Text("consent", "yes"),
            Field::Text("addressLine", "221B Baker Street"),
            Field::Text("addressCity", city),
            Field::Text("addressPostalCode", "NW1 6XE"),
            Field::Text("addressCountry", "gb"),
        ]
    };
    let (s, html, _) = post(&url, "complete", &typed("")[..], &[]).await;
    assert_eq!(s, 400);
    assert!(html.contains("field &#39;addressCity&#39;"), "{html}");
    let (_, list) = app.get(&format!("/v1/addresses?clientId={c}")).await;
    assert_eq!(list["totalItems"], 0, "a refused form stores nothing");

    let (s, text, _) = post(&url, "complete", &typed("London")[..], &[]).await;
    assert_eq!(s, 303, "{text}");
    let (_, list) = app.get(&format!("/v1/addresses?clientId={c}")).await;
    assert_eq!(list["totalItems"], 1, "{list}");
    let a = &list["items"][0];
    assert_eq!(
        (
            a["line"].as_str(),
            a["city"].as_str(),
            a["postalCode"].as_str(),
            a["country"].as_str()
        ),
        (
            Some("221B Baker Street"),
            Some("London"),
            Some("NW1 6XE"),
            Some("GB")
        )
    );

    // A second session offers that address; keeping it stores nothing new.
    let url = flow(
        &app,
        body(&c, json!({"checkTypes": ["proof_of_address_check"]})),
    )
    .await;
    let (_, html, _) = page(&url).await;
    assert!(
        html.contains("name=\"addressLine\" value=\"221B Baker Street\""),
        "{html}"
    );
    let t = token(&html);
    let fields = [
        Field::Text("token", &t),
        Field::Text("consent", "yes"),
        Field::Text("addressLine", "221B Baker Street"),
        Field::Text("addressCity", "London"),
        Field::Text("addressPostalCode", "NW1 6XE"),
        Field::Text("addressCountry", "GB"),
    ];
    let (s, text, _) = post(&url, "complete", &fields, &[]).await;
    assert_eq!(s, 303, "{text}");
    let (_, list) = app.get(&format!("/v1/addresses?clientId={c}")).await;
    assert_eq!(list["totalItems"], 1, "{list}");
}
