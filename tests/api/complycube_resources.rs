//! ComplyCube addresses, documents (and their images), live photos, live
//! videos, risk profiles and SDK tokens over HTTP.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, is_object_id, spawn_app, spawn_with};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// `n` deterministic bytes (the sandbox does not inspect image content).
fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u32).wrapping_mul(31).wrapping_add(seed as u32) as u8)
        .collect()
}

fn image(n: usize, seed: u8) -> String {
    B64.encode(bytes(n, seed))
}

const KB40: usize = 40 * 1024;

/// Merges `patch` into `base`; a `null` in the patch removes the key.
fn with(base: &Value, patch: Value) -> Value {
    let mut out = base.clone();
    if let (Some(o), Some(p)) = (out.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            if v.is_null() {
                o.remove(k);
            } else {
                o.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

async fn document(app: &TestApp, client: &str) -> String {
    let (s, d) = app
        .post(
            "/v1/documents",
            json!({"clientId":client,"type":"driving_license","issuingCountry":"GB"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    d["id"].as_str().unwrap().to_owned()
}

async fn live_photo(app: &TestApp, client: &str, seed: u8) -> String {
    let (s, p) = app
        .post(
            "/v1/livePhotos",
            json!({"clientId":client,"data":image(KB40, seed)}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

/// Runs a validation table: each case must answer `status` naming `param`.
async fn expect_cases(app: &TestApp, path: &str, cases: Vec<(&str, Value, u16, Option<&str>)>) {
    for (name, body, status, param) in cases {
        let (s, v) = app.post(path, body).await;
        assert_eq!(s, status, "case '{name}': {v}");
        if s >= 400 {
            assert!(v["message"].is_string(), "case '{name}': {v}");
            assert_eq!(
                v["param"].as_str(),
                param,
                "case '{name}' names the field: {v}"
            );
        }
    }
}

// ---------------------------------------------------------------- addresses

#[tokio::test]
async fn address_crud_round_trip() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let (s, a) = app
        .post(
            "/v1/addresses",
            json!({"clientId":client,"type":"main","propertyNumber":"12","line":"Baker Street",
                   "city":"London","postalCode":"NW1","country":"GB","fromDate":"2020-01-01"}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    let id = a["id"].as_str().unwrap().to_owned();
    assert!(is_object_id(&id));
    assert_eq!(a["clientId"], client.as_str());
    assert_eq!(a["type"], "main");
    assert!(a.get("state").is_none(), "absent properties are omitted");
    assert!(a["createdAt"].as_str().unwrap().ends_with('Z'));

    let (s, got) = app.get(&format!("/v1/addresses/{id}")).await;
    assert_eq!((s, &got), (200, &a));

    for method in [Method::POST, Method::PUT, Method::PATCH] {
        let (s, up) = app
            .json(
                method.clone(),
                &format!("/v1/addresses/{id}"),
                Some(&json!({"city":"Leeds","toDate":"2024-02-29"})),
            )
            .await;
        assert_eq!(s, 200, "{method}: {up}");
        assert_eq!(up["city"], "Leeds");
        assert_eq!(up["line"], "Baker Street", "unsent fields are kept");
        assert_eq!(up["toDate"], "2024-02-29");
    }

    let (s, body) = app.delete(&format!("/v1/addresses/{id}")).await;
    assert_eq!((s, body), (204, Value::Null));
    let (s, err) = app.get(&format!("/v1/addresses/{id}")).await;
    assert_eq!(s, 404);
    assert_eq!(
        err,
        json!({"type":"resource_not_found","message":format!("Invalid address id '{id}'")})
    );
    let (s, _) = app.delete(&format!("/v1/addresses/{id}")).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn address_validation_matrix() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let base = json!({"clientId":client,"line":"1 Main St","city":"Austin","country":"GB"});
    let unknown = "5eb04fcd0f3e360008035eb1";
    let cases = vec![
        ("valid", base.clone(), 200, None),
        (
            "no clientId",
            with(&base, json!({"clientId":null})),
            400,
            Some("clientId"),
        ),
        (
            "blank clientId",
            with(&base, json!({"clientId":" "})),
            400,
            Some("clientId"),
        ),
        (
            "no line",
            with(&base, json!({"line":null})),
            400,
            Some("line"),
        ),
        (
            "no city",
            with(&base, json!({"city":null})),
            400,
            Some("city"),
        ),
        (
            "no country",
            with(&base, json!({"country":null})),
            400,
            Some("country"),
        ),
        (
            "bad type",
            with(&base, json!({"type":"home"})),
            400,
            Some("type"),
        ),
        (
            "type other",
            with(&base, json!({"type":"other"})),
            200,
            None,
        ),
        (
            "lowercase country",
            with(&base, json!({"country":"gb"})),
            400,
            Some("country"),
        ),
        (
            "alpha-3 country",
            with(&base, json!({"country":"GBR"})),
            400,
            Some("country"),
        ),
        (
            "US state name",
            with(&base, json!({"country":"US","state":"Texas"})),
            400,
            Some("state"),
        ),
        (
            "US state code",
            with(&base, json!({"country":"US","state":"TX"})),
            200,
            None,
        ),
        (
            "non-US free state",
            with(&base, json!({"state":"Yorkshire"})),
            200,
            None,
        ),
        (
            "bad fromDate",
            with(&base, json!({"fromDate":"2020-13-01"})),
            400,
            Some("fromDate"),
        ),
        (
            "bad toDate",
            with(&base, json!({"toDate":"01/02/2020"})),
            400,
            Some("toDate"),
        ),
        (
            "line not a string",
            with(&base, json!({"line":5})),
            400,
            Some("line"),
        ),
        (
            "unknown client",
            with(&base, json!({"clientId":unknown})),
            404,
            None,
        ),
        (
            "malformed client",
            with(&base, json!({"clientId":"abc"})),
            404,
            None,
        ),
    ];
    expect_cases(&app, "/v1/addresses", cases).await;

    let (_, err) = app
        .post("/v1/addresses", with(&base, json!({"clientId":unknown})))
        .await;
    assert_eq!(
        err,
        json!({"type":"resource_not_found","message":format!("Invalid client id '{unknown}'")})
    );
    let (_, err) = app
        .post("/v1/addresses", with(&base, json!({"line":null})))
        .await;
    assert_eq!(
        err,
        json!({"type":"invalid_request","message":"'line' must be provided","param":"line"})
    );
}

#[tokio::test]
async fn address_updates_are_validated_against_the_merged_record() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let (_, a) = app
        .post(
            "/v1/addresses",
            json!({"clientId":client,"line":"1 Main St","city":"Austin","state":"Texas","country":"GB"}),
        )
        .await;
    let path = format!("/v1/addresses/{}", a["id"].as_str().unwrap());
    let cases = vec![
        (
            "switching to US keeps a non-USPS state",
            json!({"country":"US"}),
            400,
            Some("state"),
        ),
        ("blank line", json!({"line":""}), 400, Some("line")),
        ("bad type", json!({"type":"x"}), 400, Some("type")),
        (
            "other clientId",
            json!({"clientId":"5eb04fcd0f3e360008035eb1"}),
            400,
            Some("clientId"),
        ),
        (
            "US with code",
            json!({"country":"US","state":"TX"}),
            200,
            None,
        ),
    ];
    expect_cases(&app, &path, cases).await;
    let (_, got) = app.get(&path).await;
    assert_eq!(
        (got["country"].as_str(), got["state"].as_str()),
        (Some("US"), Some("TX"))
    );
}

#[tokio::test]
async fn address_lists_are_per_client_paginated_and_filterable() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let other = app.person("Jane", "Roe").await;
    let mut ids = Vec::new();
    for (i, kind) in ["main", "alternative", "main"].iter().enumerate() {
        let (_, a) = app
            .post(
                "/v1/addresses",
                json!({"clientId":client,"type":kind,"line":format!("{i} St"),"city":"X","country":"FR"}),
            )
            .await;
        ids.push(a["id"].as_str().unwrap().to_owned());
    }
    app.post(
        "/v1/addresses",
        json!({"clientId":other,"line":"Elsewhere","city":"Y","country":"FR"}),
    )
    .await;

    let (s, p1) = app
        .get(&format!("/v1/addresses?clientId={client}&pageSize=2"))
        .await;
    assert_eq!(s, 200, "{p1}");
    assert_eq!(
        (
            &p1["page"],
            &p1["pageSize"],
            &p1["totalItems"],
            &p1["pages"]
        ),
        (&json!(1), &json!(2), &json!(3), &json!(2))
    );
    let first: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        first,
        vec![ids[2].as_str(), ids[1].as_str()],
        "newest first"
    );
    let (_, p2) = app
        .get(&format!(
            "/v1/addresses/?clientId={client}&pageSize=2&page=2"
        ))
        .await;
    assert_eq!(p2["items"][0]["id"], ids[0].as_str());
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);

    let (_, mains) = app
        .get(&format!("/v1/addresses?clientId={client}&type=main"))
        .await;
    assert_eq!(mains["totalItems"], 2);

    let (s, err) = app.get("/v1/addresses").await;
    assert_eq!((s, err["param"].as_str()), (400, Some("clientId")));
    let (s, _) = app
        .get("/v1/addresses?clientId=5eb04fcd0f3e360008035eb1")
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn another_tenant_cannot_touch_resources() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let (_, a) = app
        .post(
            "/v1/addresses",
            json!({"clientId":client,"line":"1 St","city":"X","country":"FR"}),
        )
        .await;
    let doc = document(&app, &client).await;
    let photo = live_photo(&app, &client, 1).await;
    let other = "test_someone_else";
    let paths = [
        (
            Method::GET,
            format!("/v1/addresses/{}", a["id"].as_str().unwrap()),
        ),
        (
            Method::DELETE,
            format!("/v1/addresses/{}", a["id"].as_str().unwrap()),
        ),
        (Method::GET, format!("/v1/documents/{doc}")),
        (Method::DELETE, format!("/v1/documents/{doc}")),
        (Method::GET, format!("/v1/documents?clientId={client}")),
        (Method::GET, format!("/v1/livePhotos/{photo}")),
        (Method::GET, format!("/v1/livePhotos/{photo}/download")),
        (Method::DELETE, format!("/v1/livePhotos/{photo}")),
        (Method::GET, format!("/v1/clients/{client}/riskProfile")),
    ];
    for (method, path) in &paths {
        let (s, v) = app.json_as(other, method.clone(), path, None).await;
        assert_eq!(s, 404, "{method} {path}: {v}");
        assert_eq!(v["type"], "resource_not_found");
    }
    let (s, _) = app
        .json_as(
            other,
            Method::POST,
            "/v1/documents",
            Some(&json!({"clientId":client,"type":"passport"})),
        )
        .await;
    assert_eq!(s, 404, "a client of another tenant is unknown");
    // Everything is still there for the owner.
    for (_, path) in &paths {
        let (s, _) = app.get(path).await;
        assert_eq!(s, 200, "{path}");
    }
}

// ---------------------------------------------------------------- documents

#[tokio::test]
async fn document_validation_matrix() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let base = json!({"clientId":client,"type":"passport"});
    let cases = vec![
        ("valid", base.clone(), 200, None),
        (
            "full",
            with(
                &base,
                json!({"classification":"proof_of_identity","issuingCountry":"FR"}),
            ),
            200,
            None,
        ),
        (
            "no clientId",
            with(&base, json!({"clientId":null})),
            400,
            Some("clientId"),
        ),
        (
            "no type",
            with(&base, json!({"type":null})),
            400,
            Some("type"),
        ),
        (
            "bad type",
            with(&base, json!({"type":"library_card"})),
            400,
            Some("type"),
        ),
        (
            "type not a string",
            with(&base, json!({"type":["passport"]})),
            400,
            Some("type"),
        ),
        (
            "bad classification",
            with(&base, json!({"classification":"proof"})),
            400,
            Some("classification"),
        ),
        (
            "bad issuingCountry",
            with(&base, json!({"issuingCountry":"France"})),
            400,
            Some("issuingCountry"),
        ),
        (
            "unknown client",
            with(&base, json!({"clientId":"5eb04fcd0f3e360008035eb1"})),
            404,
            None,
        ),
    ];
    expect_cases(&app, "/v1/documents", cases).await;
    let (_, err) = app
        .post("/v1/documents", with(&base, json!({"classification":"x"})))
        .await;
    assert!(
        err["message"].as_str().unwrap().starts_with(
            "'classification' should be equal to one of the allowed values: proof_of_identity"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn document_crud_and_filtered_list() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let (_, d) = app
        .post(
            "/v1/documents",
            json!({"clientId":client,"type":"passport","classification":"proof_of_identity"}),
        )
        .await;
    let id = d["id"].as_str().unwrap().to_owned();
    assert_eq!(d["type"], "passport");
    assert!(d.get("images").is_none(), "no images until one is uploaded");
    let (s, up) = app
        .post(
            &format!("/v1/documents/{id}"),
            json!({"issuingCountry":"GB"}),
        )
        .await;
    assert_eq!(s, 200, "{up}");
    assert_eq!(
        (up["issuingCountry"].as_str(), up["type"].as_str()),
        (Some("GB"), Some("passport"))
    );
    let (s, err) = app
        .post(&format!("/v1/documents/{id}"), json!({"type":"nope"}))
        .await;
    assert_eq!((s, err["param"].as_str()), (400, Some("type")));

    document(&app, &client).await;
    let (_, all) = app.get(&format!("/v1/documents?clientId={client}")).await;
    assert_eq!(all["totalItems"], 2);
    assert_eq!(all["items"][1]["id"], id.as_str(), "newest first");
    for (filter, n) in [
        ("type=passport", 1),
        ("type=visa", 0),
        ("classification=proof_of_identity", 1),
        ("issuingCountry=GB", 2),
    ] {
        let (_, l) = app
            .get(&format!("/v1/documents?clientId={client}&{filter}"))
            .await;
        assert_eq!(l["totalItems"], n, "{filter}");
    }

    let (s, _) = app.delete(&format!("/v1/documents/{id}")).await;
    assert_eq!(s, 204);
    let (s, err) = app.get(&format!("/v1/documents/{id}")).await;
    assert_eq!(s, 404);
    assert_eq!(err["message"], format!("Invalid document id '{id}'"));
    let (s, _) = app.get("/v1/documents/not-an-id").await;
    assert_eq!(s, 404, "a malformed id is not found");
}

#[tokio::test]
async fn document_images_upload_download_replace_and_delete() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let id = document(&app, &client).await;
    let front = bytes(KB40, 7);
    let (s, img) = app
        .post(
            &format!("/v1/documents/{id}/upload/front"),
            json!({"fileName":"front.JPEG","data":B64.encode(&front)}),
        )
        .await;
    assert_eq!(s, 200, "{img}");
    let image_id = img["id"].as_str().unwrap().to_owned();
    assert!(is_object_id(&image_id));
    assert_eq!(img["fileName"], "front.JPEG");
    assert_eq!(img["documentSide"], "front");
    assert_eq!(img["contentType"], "image/jpg");
    assert_eq!(img["size"], KB40);
    assert_eq!(
        img["downloadLink"],
        format!("/documents/{id}/images/{image_id}/download")
    );
    let keys: Vec<&str> = img
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "fileName",
            "documentSide",
            "downloadLink",
            "contentType",
            "size",
            "createdAt",
            "updatedAt"
        ]
    );

    let (_, doc) = app.get(&format!("/v1/documents/{id}")).await;
    assert_eq!(doc["images"], json!([img.clone()]));

    let (s, dl) = app.get(&format!("/v1/documents/{id}/download/front")).await;
    assert_eq!(s, 200, "{dl}");
    assert_eq!(dl["fileName"], "front.JPEG");
    assert_eq!(dl["contentType"], "image/jpg");
    assert_eq!(B64.decode(dl["data"].as_str().unwrap()).unwrap(), front);
    let (s, dl2) = app
        .get(&format!("/v1{}", img["downloadLink"].as_str().unwrap()))
        .await;
    assert_eq!(
        (s, &dl2),
        (200, &dl),
        "the downloadLink serves the same image"
    );

    // Back side as PNG, then replace the front with a PDF.
    let (s, back) = app
        .post(
            &format!("/v1/documents/{id}/upload/back"),
            json!({"fileName":"back.png","data":image(KB40, 9)}),
        )
        .await;
    assert_eq!((s, back["contentType"].as_str()), (200, Some("image/png")));
    let new_front = bytes(50 * 1024, 3);
    let (_, replaced) = app
        .post(
            &format!("/v1/documents/{id}/upload/front"),
            json!({"fileName":"scan.pdf","data":B64.encode(&new_front)}),
        )
        .await;
    assert_eq!(replaced["contentType"], "application/pdf");
    assert_ne!(replaced["id"], image_id.as_str());
    let (_, doc) = app.get(&format!("/v1/documents/{id}")).await;
    let sides: Vec<&str> = doc["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["documentSide"].as_str().unwrap())
        .collect();
    assert_eq!(sides, ["front", "back"]);
    let (_, dl) = app.get(&format!("/v1/documents/{id}/download/front")).await;
    assert_eq!(B64.decode(dl["data"].as_str().unwrap()).unwrap(), new_front);

    let (s, body) = app.delete(&format!("/v1/documents/{id}/back")).await;
    assert_eq!((s, body), (204, Value::Null));
    let (s, err) = app.get(&format!("/v1/documents/{id}/download/back")).await;
    assert_eq!((s, err["type"].as_str()), (404, Some("resource_not_found")));
    let (s, _) = app.delete(&format!("/v1/documents/{id}/back")).await;
    assert_eq!(s, 404);
    let (s, err) = app
        .get(&format!("/v1/documents/{id}/download/middle"))
        .await;
    assert_eq!((s, err["param"].as_str()), (400, Some("side")));

    let (s, red) = app
        .post(
            &format!("/v1/documents/{id}/redact"),
            json!({"attributes":["documentNumber"],"images":["all"]}),
        )
        .await;
    assert_eq!((s, red["id"].as_str()), (200, Some(id.as_str())));
}

#[tokio::test]
async fn image_upload_validation_matrix() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let id = document(&app, &client).await;
    let path = format!("/v1/documents/{id}/upload/front");
    let ok = json!({"fileName":"a.jpg","data":image(KB40, 1)});
    let cases = vec![
        ("valid", ok.clone(), 200, None),
        (
            "no fileName",
            with(&ok, json!({"fileName":null})),
            400,
            Some("fileName"),
        ),
        (
            "gif",
            with(&ok, json!({"fileName":"a.gif"})),
            400,
            Some("fileName"),
        ),
        (
            "no extension",
            with(&ok, json!({"fileName":"scan"})),
            400,
            Some("fileName"),
        ),
        (
            "no data",
            with(&ok, json!({"data":null})),
            400,
            Some("data"),
        ),
        (
            "not base64",
            with(&ok, json!({"data":"@@@ not base64 @@@"})),
            400,
            Some("data"),
        ),
        (
            "data not a string",
            with(&ok, json!({"data":12})),
            400,
            Some("data"),
        ),
        (
            "too small",
            with(&ok, json!({"data":image(34 * 1024 - 1, 1)})),
            400,
            Some("data"),
        ),
        (
            "smallest",
            with(&ok, json!({"data":image(34 * 1024, 1)})),
            200,
            None,
        ),
        (
            "too large",
            with(&ok, json!({"data":image(4 * 1024 * 1024 + 1, 1)})),
            400,
            Some("data"),
        ),
        (
            "largest",
            with(&ok, json!({"data":image(4 * 1024 * 1024, 1)})),
            200,
            None,
        ),
        (
            "data URL",
            with(
                &ok,
                json!({"data":format!("data:image/jpeg;base64,{}", image(KB40, 2))}),
            ),
            200,
            None,
        ),
    ];
    expect_cases(&app, &path, cases).await;
    let (_, err) = app
        .post(&path, with(&ok, json!({"data":image(1000, 1)})))
        .await;
    assert_eq!(
        err,
        json!({"type":"invalid_request","message":"Image file size should be between 34KB and 4MB","param":"data"})
    );
    let (s, err) = app
        .post(&format!("/v1/documents/{id}/upload/left"), ok.clone())
        .await;
    assert_eq!((s, err["param"].as_str()), (400, Some("side")));
    let (s, _) = app
        .post("/v1/documents/5eb04fcd0f3e360008035eb1/upload/front", ok)
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn relaxed_image_size_accepts_any_size() {
    let app = spawn_with(|c| c.relax_image_size = true).await;
    let client = app.person("John", "Doe").await;
    let id = document(&app, &client).await;
    let (s, img) = app
        .post(
            &format!("/v1/documents/{id}/upload/front"),
            json!({"fileName":"tiny.png","data":image(10, 1)}),
        )
        .await;
    assert_eq!((s, img["size"].as_u64()), (200, Some(10)), "{img}");
    let (s, p) = app
        .post(
            "/v1/livePhotos",
            json!({"clientId":client,"data":image(10, 2)}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
}

/// An identity check for `client` using an image of `data`, and its face analysis.
async fn face_analysis(app: &TestApp, client: &str, data: &[u8]) -> Value {
    let doc = document(app, client).await;
    app.post(
        &format!("/v1/documents/{doc}/upload/front"),
        json!({"fileName":"f.jpg","data":B64.encode(data)}),
    )
    .await;
    let photo = live_photo(app, client, 99).await;
    let (s, check) = app
        .post(
            "/v1/checks",
            json!({"clientId":client,"type":"identity_check","documentId":doc,"livePhotoId":photo}),
        )
        .await;
    assert_eq!(s, 200, "{check}");
    let (_, check) = app
        .get(&format!("/v1/checks/{}", check["id"].as_str().unwrap()))
        .await;
    check["result"]["breakdown"]["faceAnalysis"].clone()
}

#[tokio::test]
async fn uploaded_images_are_remembered_as_faces_until_deleted() {
    let app = spawn_app().await;
    let first = app.person("John", "Doe").await;
    let id = document(&app, &first).await;
    let data = bytes(KB40, 42);
    app.post(
        &format!("/v1/documents/{id}/upload/front"),
        json!({"fileName":"f.jpg","data":B64.encode(&data)}),
    )
    .await;
    let (_, p) = app
        .post(
            "/v1/livePhotos",
            json!({"clientId":first,"data":B64.encode(&data)}),
        )
        .await;
    let photo = p["id"].as_str().unwrap().to_owned();

    // Another client's check with the same face bytes names the first client.
    let second = app.person("Jane", "Roe").await;
    let face = face_analysis(&app, &second, &data).await;
    assert_eq!(face["previouslyEnrolledFace"], "attention", "{face}");
    let matches = face["breakdown"]["enrolledFacesMatches"]
        .as_array()
        .unwrap();
    assert_eq!(matches.len(), 1, "one client, seen twice: {face}");
    assert_eq!(matches[0]["clientId"], json!(first));

    // Deleted images are forgotten: a third client's check is clear.
    app.delete(&format!("/v1/documents/{id}/front")).await;
    app.delete(&format!("/v1/livePhotos/{photo}")).await;
    let third = app.person("Max", "Poe").await;
    let face = face_analysis(&app, &third, &data).await;
    // The only sighting left is the second client's own upload.
    let matches = face["breakdown"]["enrolledFacesMatches"]
        .as_array()
        .unwrap();
    assert!(
        matches.iter().all(|m| m["clientId"] != json!(first)),
        "deleted images no longer match: {face}"
    );
}

#[tokio::test]
async fn resources_used_by_a_check_cannot_be_deleted() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let doc = document(&app, &client).await;
    app.post(
        &format!("/v1/documents/{doc}/upload/front"),
        json!({"fileName":"f.jpg","data":image(KB40, 1)}),
    )
    .await;
    let photo = live_photo(&app, &client, 2).await;
    let (_, address) = app
        .post(
            "/v1/addresses",
            json!({"clientId":client,"line":"1 High St","city":"London","country":"GB"}),
        )
        .await;
    let address = address["id"].as_str().unwrap().to_owned();
    let (_, video) = seed_video(&app, json!({"clientId": client})).await;
    let video = video["id"].as_str().unwrap().to_owned();
    // An unused photo of the same client stays deletable.
    let spare = live_photo(&app, &client, 3).await;
    for body in [
        json!({"clientId":client,"type":"identity_check","documentId":doc,"livePhotoId":photo}),
        json!({"clientId":client,"type":"identity_fraud_check","addressId":address}),
        json!({"clientId":client,"type":"enhanced_identity_check","documentId":doc,"liveVideoId":video}),
    ] {
        let (s, v) = app.post("/v1/checks", body).await;
        assert_eq!(s, 200, "{v}");
    }
    for path in [
        format!("/v1/documents/{doc}"),
        format!("/v1/documents/{doc}/front"),
        format!("/v1/livePhotos/{photo}"),
        format!("/v1/addresses/{address}"),
        format!("/v1/liveVideos/{video}"),
    ] {
        let (s, err) = app.delete(&path).await;
        assert_eq!(s, 422, "{path}: {err}");
        assert_eq!(err["type"], "resource_in_use", "{path}");
    }
    let (s, _) = app
        .get(&format!("/v1/documents/{doc}/download/front"))
        .await;
    assert_eq!(s, 200, "nothing was removed");
    assert_eq!(app.delete(&format!("/v1/livePhotos/{spare}")).await.0, 204);

    // Deleting the client still removes everything it owns.
    assert_eq!(app.delete(&format!("/v1/clients/{client}")).await.0, 204);
    for path in [
        format!("/v1/documents/{doc}"),
        format!("/v1/livePhotos/{photo}"),
        format!("/v1/addresses/{address}"),
        format!("/v1/liveVideos/{video}"),
    ] {
        assert_eq!(app.get(&path).await.0, 404, "{path}");
    }
}

// -------------------------------------------------------------- live photos

#[tokio::test]
async fn live_photo_round_trip() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let data = bytes(KB40, 5);
    let (s, p) = app
        .post(
            "/v1/livePhotos/",
            json!({"clientId":client,"data":B64.encode(&data)}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let id = p["id"].as_str().unwrap().to_owned();
    assert_eq!(p["clientId"], client.as_str());
    assert_eq!(p["downloadLink"], format!("/livePhotos/{id}/download"));
    assert_eq!(p["contentType"], "image/jpg");
    assert_eq!(p["size"], KB40);
    assert_eq!(p["performLivenessCheck"], true);

    let (_, got) = app.get(&format!("/v1/livePhotos/{id}")).await;
    assert_eq!(got, p);
    let (s, dl) = app.get(&format!("/v1/livePhotos/{id}/download")).await;
    assert_eq!(s, 200);
    assert_eq!(dl["contentType"], "image/jpg");
    assert_eq!(B64.decode(dl["data"].as_str().unwrap()).unwrap(), data);

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(bytes(KB40, 6));
    let (_, p2) = app
        .post(
            "/v1/livePhotos",
            json!({"clientId":client,"data":B64.encode(&png),"performLivenessCheck":false}),
        )
        .await;
    assert_eq!(p2["performLivenessCheck"], false);
    assert_eq!(p2["contentType"], "image/png");

    let (_, list) = app.get(&format!("/v1/livePhotos?clientId={client}")).await;
    assert_eq!(list["totalItems"], 2);
    assert_eq!(list["items"][0]["id"], p2["id"]);

    let (s, red) = app
        .post(&format!("/v1/livePhotos/{id}/redact"), json!({}))
        .await;
    assert_eq!((s, red["id"].as_str()), (200, Some(id.as_str())));
    let (s, _) = app.delete(&format!("/v1/livePhotos/{id}")).await;
    assert_eq!(s, 204);
    let (s, err) = app.get(&format!("/v1/livePhotos/{id}")).await;
    assert_eq!(s, 404);
    assert_eq!(
        err,
        json!({"type":"resource_not_found","message":format!("Invalid live photo id '{id}'")})
    );
}

#[tokio::test]
async fn live_photo_validation_matrix() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let ok = json!({"clientId":client,"data":image(KB40, 1)});
    let cases = vec![
        ("valid", ok.clone(), 200, None),
        (
            "no clientId",
            with(&ok, json!({"clientId":null})),
            400,
            Some("clientId"),
        ),
        (
            "no data",
            with(&ok, json!({"data":null})),
            400,
            Some("data"),
        ),
        (
            "not base64",
            with(&ok, json!({"data":"???"})),
            400,
            Some("data"),
        ),
        (
            "too small",
            with(&ok, json!({"data":image(1024, 1)})),
            400,
            Some("data"),
        ),
        (
            "liveness not a bool",
            with(&ok, json!({"performLivenessCheck":"yes"})),
            400,
            Some("performLivenessCheck"),
        ),
        (
            "unknown client",
            with(&ok, json!({"clientId":"5eb04fcd0f3e360008035eb1"})),
            404,
            None,
        ),
    ];
    expect_cases(&app, "/v1/livePhotos", cases).await;
}

// -------------------------------------------------------------- live videos

async fn seed_video(app: &TestApp, body: Value) -> (u16, Value) {
    app.post("/__admin/complycube/liveVideos", body).await
}

#[tokio::test]
async fn live_videos_are_seeded_then_read_listed_and_deleted() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let (s, v) = seed_video(&app, json!({"clientId":client})).await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["language"], "en-GB");
    assert_eq!(
        v["challenges"],
        json!([{"type":"voice","value":["7","9","1","7"]},{"type":"actions","value":["turnHeadLeft"]}])
    );
    let (_, v2) = seed_video(
        &app,
        json!({"clientId":client,"language":"fr-FR","challenges":[{"type":"actions","value":["smile"]}]}),
    )
    .await;
    assert_eq!(v2["language"], "fr-FR");

    let (s, got) = app.get(&format!("/v1/liveVideos/{id}")).await;
    assert_eq!((s, &got), (200, &v));
    let (_, list) = app.get(&format!("/v1/liveVideos?clientId={client}")).await;
    assert_eq!(list["totalItems"], 2);
    assert_eq!(list["items"][0]["id"], v2["id"]);
    let (s, _) = app
        .post(&format!("/v1/liveVideos/{id}/redact"), json!({}))
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .json_as(
            "test_other",
            Method::GET,
            &format!("/v1/liveVideos/{id}"),
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app.delete(&format!("/v1/liveVideos/{id}")).await;
    assert_eq!(s, 204);
    let (s, err) = app.get(&format!("/v1/liveVideos/{id}")).await;
    assert_eq!(s, 404);
    assert_eq!(err["message"], format!("Invalid live video id '{id}'"));
}

#[tokio::test]
async fn live_video_seeding_is_validated() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let cases = vec![
        ("no clientId", json!({}), 400, Some("clientId")),
        (
            "bad challenge",
            json!({"clientId":client,"challenges":[{"type":"dance","value":["x"]}]}),
            400,
            Some("challenges.0.type"),
        ),
        (
            "empty challenge",
            json!({"clientId":client,"challenges":[{"type":"voice","value":[]}]}),
            400,
            Some("challenges.0.value"),
        ),
        (
            "unknown client",
            json!({"clientId":"5eb04fcd0f3e360008035eb1"}),
            404,
            None,
        ),
    ];
    expect_cases(&app, "/__admin/complycube/liveVideos", cases).await;
    let res = app
        .client
        .post(app.url("/__admin/complycube/liveVideos"))
        .json(&json!({"clientId":client}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "the tenant comes from the API key");

    let guarded = spawn_with(|c| c.admin_token = Some("s3cret".into())).await;
    let (s, _) = seed_video(&guarded, json!({"clientId":client})).await;
    assert_eq!(s, 401, "the admin token is required when configured");
}

// ------------------------------------------------------------- risk profile

#[tokio::test]
async fn risk_profile_follows_the_sandbox_rules() {
    let app = spawn_app().await;
    let with_nationality = app.person("John", "Doe").await;
    let (s, rp) = app
        .get(&format!("/v1/clients/{with_nationality}/riskProfile"))
        .await;
    assert_eq!(s, 200, "{rp}");
    assert_eq!(rp["overall"], "low");
    assert_eq!(rp["countryRisk"]["risk"], "low");
    assert_eq!(rp["countryRisk"]["country"], "GB");
    assert_eq!(rp["countryRisk"]["breakdown"].as_array().unwrap().len(), 12);
    assert_eq!(
        rp["countryRisk"]["breakdown"][1],
        json!({"source":"FinCEN","normalisedRiskScore":"medium"})
    );
    for k in ["politicalExposureRisk", "occupationRisk", "watchlistRisk"] {
        assert_eq!(rp[k], json!({"risk":"not_set"}), "{k}");
    }
    assert!(rp["updatedAt"].as_str().unwrap().ends_with('Z'));

    let (_, bare) = app
        .post(
            "/v1/clients",
            json!({"type":"person","email":"a@example.com","personDetails":{"firstName":"A","lastName":"B"}}),
        )
        .await;
    let bare = bare["id"].as_str().unwrap().to_owned();
    let (_, rp) = app.get(&format!("/v1/clients/{bare}/riskProfile")).await;
    assert_eq!(rp["overall"], "not_set");
    assert_eq!(rp["countryRisk"], json!({"risk":"not_set"}));

    app.post(
        "/v1/addresses",
        json!({"clientId":bare,"line":"1 St","city":"Paris","country":"FR"}),
    )
    .await;
    let (_, rp) = app.get(&format!("/v1/clients/{bare}/riskProfile")).await;
    assert_eq!(
        (
            rp["overall"].as_str(),
            rp["countryRisk"]["country"].as_str()
        ),
        (Some("low"), Some("FR"))
    );

    let (s, err) = app
        .get("/v1/clients/5eb04fcd0f3e360008035eb2/riskProfile")
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        err,
        json!({"type":"resource_not_found","message":"Invalid client id '5eb04fcd0f3e360008035eb2'"})
    );
}

#[tokio::test]
async fn a_scenario_sets_the_risk_level() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let (s, v) = app
        .post(
            "/__admin/scenarios",
            json!({"scenario":{
                "name":"test-high-risk","description":"high risk",
                "match":{"endpoint":"riskProfile"},"effect":{"risk":"high"}
            },"times":1}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let (_, rp) = app.get(&format!("/v1/clients/{client}/riskProfile")).await;
    assert_eq!(rp["overall"], "high");
    assert_eq!(rp["countryRisk"]["risk"], "high");
    assert_eq!(
        rp["countryRisk"]["breakdown"][0]["normalisedRiskScore"],
        "high"
    );
    let (_, rp) = app.get(&format!("/v1/clients/{client}/riskProfile")).await;
    assert_eq!(rp["overall"], "low", "armed for one request only");

    let res = app
        .client
        .get(app.url(&format!("/v1/clients/{client}/riskProfile")))
        .header("Authorization", &app.key)
        .header("X-Sandbox-Scenario", "no-such-scenario-xyz")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["type"], "invalid_request");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("no-such-scenario-xyz")
    );
}

// ------------------------------------------------------------------- tokens

#[tokio::test]
async fn tokens_are_jwts_for_an_existing_client() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let (s, t) = app
        .post(
            "/v1/tokens/",
            json!({"clientId":client,"referrer":"https://www.example.com/*"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t.as_object().unwrap().len(), 1);
    let token = t["token"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["clientId"], client.as_str());
    assert_eq!(payload["referrer"], "https://www.example.com/*");
    assert_eq!(
        payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(),
        3600
    );

    let cases = vec![
        (
            "mobile",
            json!({"clientId":client,"appId":"com.example.app"}),
            200,
            None,
        ),
        ("clientId only", json!({"clientId":client}), 200, None),
        (
            "no clientId",
            json!({"referrer":"https://x/*"}),
            400,
            Some("clientId"),
        ),
        (
            "unknown client",
            json!({"clientId":"5eb04fcd0f3e360008035eb1"}),
            400,
            Some("clientId"),
        ),
        (
            "referrer not a string",
            json!({"clientId":client,"referrer":1}),
            400,
            Some("referrer"),
        ),
    ];
    expect_cases(&app, "/v1/tokens", cases).await;
    let (_, err) = app.post("/v1/tokens", json!({"clientId":"nope"})).await;
    assert_eq!(
        err,
        json!({"type":"invalid_request","message":"'clientId' is invalid","param":"clientId"})
    );
}

// ------------------------------------------------------------------ reports

#[tokio::test]
async fn client_reports_are_base64_pdfs() {
    let app = spawn_app().await;
    let client = app.person("John", "Doe").await;
    let (s, r) = app.get(&format!("/v1/reports/?clientId={client}")).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["contentType"], "application/pdf");
    let pdf = B64.decode(r["data"].as_str().unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    assert!(String::from_utf8_lossy(&pdf).contains("John Doe"));

    let (s, err) = app
        .get("/v1/reports?clientId=5eaecff4a675310007440c08")
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        err,
        json!({"type":"resource_not_found","message":"Invalid client id '5eaecff4a675310007440c08'"})
    );
    let (s, err) = app
        .get("/v1/reports?checkId=5eaecff4a675310007440c08")
        .await;
    assert_eq!(
        (s, err["message"].as_str()),
        (404, Some("Invalid check id '5eaecff4a675310007440c08'"))
    );
    let (s, err) = app.get("/v1/reports").await;
    assert_eq!((s, err["type"].as_str()), (400, Some("invalid_request")));
}
