//! The crash test: the release binary on an SQLite file, written to by
//! concurrent clients and killed with SIGKILL mid-stream, again and again.
//! Every acknowledged write must be there afterwards, consistent: every
//! check's client, document and live photo exist, image bytes round-trip,
//! checks pending at a kill complete after it with their decided outcome,
//! and deliveries pending at a kill are delivered after it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::durable::{app_for, image_bytes};
use crate::helpers::{TestApp, decode};
use crate::process::{Sandbox, release_bin};
use crate::webhooks::Receiver;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const TENANTS: [&str; 3] = ["test_crash_a", "test_crash_b", "test_crash_c"];
const WRITERS: usize = 6;
const ROUNDS: u64 = 4;

/// What the sandbox acknowledged (answered 2xx to).
#[derive(Default)]
struct Acked {
    clients: Vec<(String, String)>,
    /// tenant, document, front image bytes
    documents: Vec<(String, String, Vec<u8>)>,
    /// tenant, live photo, bytes
    photos: Vec<(String, String, Vec<u8>)>,
    /// tenant, check, client, document, live photo
    checks: Vec<(String, String, String, String, String)>,
}

/// POST returning the body of a 2xx, `None` for anything else (a kill).
async fn post(app: &TestApp, path: &str, body: Value) -> Option<Value> {
    let res = app
        .client
        .post(app.url(path))
        .header("Authorization", &app.key)
        .json(&body)
        .send()
        .await
        .ok()?;
    if !res.status().is_success() {
        return None;
    }
    res.json().await.ok()
}

/// One writer: clients, documents with images, live photos and checks,
/// recording each acknowledged step, until stopped or the server is gone.
async fn writer(app: TestApp, seed: u32, acked: Arc<Mutex<Acked>>, stop: Arc<AtomicBool>) {
    let mut n = 0u32;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let tenant = app.key.clone();
        let Some(c) = post(
            &app,
            "/v1/clients",
            json!({"type":"person","email":"c@example.com",
                "personDetails":{"firstName":"Crash","lastName":"attention"}}),
        )
        .await
        else {
            return;
        };
        let client = c["id"].as_str().unwrap_or_default().to_owned();
        acked
            .lock()
            .unwrap()
            .clients
            .push((tenant.clone(), client.clone()));
        let Some(d) = post(
            &app,
            "/v1/documents",
            json!({"clientId":client,"type":"passport","issuingCountry":"GB"}),
        )
        .await
        else {
            return;
        };
        let doc = d["id"].as_str().unwrap_or_default().to_owned();
        let doc_bytes = image_bytes(seed.wrapping_mul(100_003).wrapping_add(n * 2));
        if post(
            &app,
            &format!("/v1/documents/{doc}/upload/front"),
            json!({"fileName":"p.jpg","data":B64.encode(&doc_bytes)}),
        )
        .await
        .is_none()
        {
            return;
        }
        acked
            .lock()
            .unwrap()
            .documents
            .push((tenant.clone(), doc.clone(), doc_bytes));
        let photo_bytes = image_bytes(seed.wrapping_mul(100_003).wrapping_add(n * 2 + 1));
        let Some(p) = post(
            &app,
            "/v1/livePhotos",
            json!({"clientId":client,"data":B64.encode(&photo_bytes)}),
        )
        .await
        else {
            return;
        };
        let photo = p["id"].as_str().unwrap_or_default().to_owned();
        acked
            .lock()
            .unwrap()
            .photos
            .push((tenant.clone(), photo.clone(), photo_bytes));
        let Some(check) = post(
            &app,
            "/v1/checks",
            json!({"clientId":client,"type":"identity_check","documentId":doc,"livePhotoId":photo}),
        )
        .await
        else {
            return;
        };
        let check = check["id"].as_str().unwrap_or_default().to_owned();
        acked
            .lock()
            .unwrap()
            .checks
            .push((tenant, check, client, doc, photo));
    }
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app
        .client
        .get(app.url(path))
        .header("Authorization", &app.key)
        .send()
        .await
        .expect("the restarted sandbox answers");
    decode(res).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_repeated_kills() {
    let bin = tokio::task::spawn_blocking(release_bin).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("crash.db").display());
    let args = [
        "--store",
        store.as_str(),
        "--completion-delay-ms",
        "60000",
        "--allow-http-webhooks",
    ];
    let rx = Receiver::start().await;
    rx.state.delay_ms.store(20, Ordering::SeqCst);
    let acked = Arc::new(Mutex::new(Acked::default()));

    for round in 0..ROUNDS {
        let sandbox = Sandbox::start(&bin, &args);
        if round == 0 {
            for key in TENANTS {
                let app = app_for(&sandbox, key);
                let hook = post(
                    &app,
                    "/v1/webhooks",
                    json!({"url": rx.url, "events": ["client.created", "check.completed"]}),
                )
                .await;
                assert!(hook.is_some(), "webhook for {key}");
            }
        }
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for w in 0..WRITERS {
            let app = app_for(&sandbox, TENANTS[w % TENANTS.len()]);
            let seed = (round * 100 + w as u64) as u32;
            tasks.push(tokio::spawn(writer(app, seed, acked.clone(), stop.clone())));
        }
        // Kill at a different point of the stream each round.
        tokio::time::sleep(Duration::from_millis(300 + 170 * round)).await;
        sandbox.kill9();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
    }

    let sandbox = Sandbox::start(&bin, &args);
    let acked = Arc::try_unwrap(acked).ok().unwrap().into_inner().unwrap();
    assert!(
        acked.checks.len() >= 10 && acked.clients.len() > acked.checks.len() / 2,
        "enough traffic between kills: {} clients, {} checks",
        acked.clients.len(),
        acked.checks.len()
    );
    for (tenant, client) in &acked.clients {
        let app = app_for(&sandbox, tenant);
        assert_eq!(
            get(&app, &format!("/v1/clients/{client}")).await.0,
            200,
            "client {client}"
        );
    }
    for (tenant, doc, bytes) in &acked.documents {
        let app = app_for(&sandbox, tenant);
        let (s, img) = get(&app, &format!("/v1/documents/{doc}/download/front")).await;
        assert_eq!(s, 200, "document {doc}: {img}");
        let got = B64.decode(img["data"].as_str().unwrap()).unwrap();
        assert!(got == *bytes, "document {doc}: image bytes differ");
    }
    for (tenant, photo, bytes) in &acked.photos {
        let app = app_for(&sandbox, tenant);
        let (s, img) = get(&app, &format!("/v1/livePhotos/{photo}/download")).await;
        assert_eq!(s, 200, "live photo {photo}");
        assert!(B64.decode(img["data"].as_str().unwrap()).unwrap() == *bytes);
    }
    // No half-applied change: every stored check's references exist.
    let mut stored_checks = 0;
    for key in TENANTS {
        let app = app_for(&sandbox, key);
        let (s, list) = get(&app, "/v1/checks?pageSize=1000").await;
        assert_eq!(s, 200);
        for c in list["items"].as_array().unwrap() {
            stored_checks += 1;
            assert_eq!(c["status"], "pending", "{c}");
            for (field, path) in [
                ("clientId", "clients"),
                ("documentId", "documents"),
                ("livePhotoId", "livePhotos"),
            ] {
                let id = c[field].as_str().unwrap();
                assert_eq!(
                    get(&app, &format!("/v1/{path}/{id}")).await.0,
                    200,
                    "{field} of {c}"
                );
            }
        }
    }
    assert!(stored_checks >= acked.checks.len());
    for (tenant, check, client, doc, photo) in &acked.checks {
        let app = app_for(&sandbox, tenant);
        let (s, c) = get(&app, &format!("/v1/checks/{check}")).await;
        assert_eq!(s, 200, "check {check}");
        assert_eq!(
            (
                c["clientId"].as_str(),
                c["documentId"].as_str(),
                c["livePhotoId"].as_str()
            ),
            (
                Some(client.as_str()),
                Some(doc.as_str()),
                Some(photo.as_str())
            )
        );
    }

    // Pending checks complete after the restart with their decided outcome,
    // and every completion and client event reaches the receiver.
    for key in TENANTS {
        let app = app_for(&sandbox, key);
        let (s, _) = app
            .post("/__admin/clock/advance", json!({"seconds": 61}))
            .await;
        assert_eq!(s, 200);
    }
    for (tenant, check, ..) in &acked.checks {
        let app = app_for(&sandbox, tenant);
        let (_, c) = get(&app, &format!("/v1/checks/{check}")).await;
        assert_eq!(c["status"], "complete", "{c}");
        assert_eq!(c["result"]["outcome"], "attention", "{c}");
    }
    for key in TENANTS {
        let app = app_for(&sandbox, key);
        let (_, list) = get(&app, "/v1/checks?pageSize=1000").await;
        let checks = list["totalItems"].as_u64().unwrap() as usize;
        // A client stored by a write the kill cut short (never answered)
        // may lack its event; every acknowledged one has it.
        let clients = acked.clients.iter().filter(|(t, _)| t == key).count();
        for (event, want) in [("check.completed", checks), ("client.created", clients)] {
            let (_, d) = get(
                &app,
                &format!("/__admin/webhooks/deliveries?eventType={event}&state=delivered&min={want}&wait=60"),
            )
            .await;
            assert!(
                d["items"].as_array().unwrap().len() >= want,
                "{key}: {want} {event} deliveries expected, got {}",
                d["total"]
            );
        }
    }
    let received: std::collections::HashSet<String> = rx
        .received()
        .iter()
        .filter_map(|r| r.json()["payload"]["id"].as_str().map(str::to_owned))
        .collect();
    for (_, check, ..) in &acked.checks {
        assert!(received.contains(check), "no check.completed for {check}");
    }
    for (_, client) in &acked.clients {
        assert!(received.contains(client), "no client.created for {client}");
    }
}
