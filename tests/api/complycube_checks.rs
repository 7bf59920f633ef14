//! ComplyCube checks over HTTP: every type's happy path, required fields,
//! referential rules, lifecycle, filters, validate/update/redact.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, is_object_id, spawn_app};

/// 40 KB of bytes unique to this call (so faces never match by accident).
pub(crate) fn image_b64() -> String {
    let seed = uuid::Uuid::new_v4();
    let bytes: Vec<u8> = (0..40 * 1024)
        .map(|i| seed.as_bytes()[i % 16] ^ (i as u8))
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A person client with the given last name, carrying everything any check
/// type needs (date of birth, nationality, SSN, mobile).
pub(crate) async fn client(app: &TestApp, last: &str) -> String {
    let (s, v) = app
        .post(
            "/v1/clients",
            json!({"type": "person", "email": "john@example.com", "mobile": "+447700900123",
                "personDetails": {"firstName": "John", "lastName": last, "dob": "1990-01-01",
                    "nationality": "GB", "ssn": "123456789"}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn company(app: &TestApp) -> String {
    let (s, v) = app
        .post(
            "/v1/clients",
            json!({"type":"company","email":"a@acme.com","companyDetails":{"name":"Acme Ltd"}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

/// A document of `kind` with images on `sides`, using `data` (fresh bytes when None).
pub(crate) async fn document_with(
    app: &TestApp,
    client: &str,
    kind: &str,
    sides: &[&str],
    data: Option<&str>,
) -> String {
    let (s, d) = app
        .post(
            "/v1/documents",
            json!({"clientId": client, "type": kind, "issuingCountry": "GB"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    let id = d["id"].as_str().unwrap().to_owned();
    for side in sides {
        let data = data.map_or_else(image_b64, str::to_owned);
        let (s, img) = app
            .post(
                &format!("/v1/documents/{id}/upload/{side}"),
                json!({"fileName": "id.jpg", "data": data}),
            )
            .await;
        assert_eq!(s, 200, "{img}");
    }
    id
}

pub(crate) async fn document(app: &TestApp, client: &str) -> String {
    document_with(app, client, "passport", &["front"], None).await
}

/// A two-sided driving licence with a number (a driving licence check's document).
pub(crate) async fn driving_licence(app: &TestApp, client: &str) -> String {
    let id = document_with(app, client, "driving_license", &["front", "back"], None).await;
    let (s, d) = app
        .post(
            &format!("/v1/documents/{id}"),
            json!({"documentNumber": "MORGA753116SM9IJ"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    id
}

/// Where a check of `kind` is created: eID and device intelligence checks
/// run in workflow sessions only (the sandbox's admin route stands in).
pub(crate) fn create_path(kind: &str) -> &'static str {
    if ["eid_check", "device_intelligence_check"].contains(&kind) {
        "/__admin/complycube/checks"
    } else {
        "/v1/checks"
    }
}

/// Enrols the client's face: a clear identity check.
pub(crate) async fn enrol(app: &TestApp, client: &str) {
    let body = json!({"clientId": client, "type": "identity_check",
        "documentId": document(app, client).await, "livePhotoId": live_photo(app, client).await});
    let (s, created) = app.post("/v1/checks", body).await;
    assert_eq!(s, 200, "{created}");
    let (_, got) = app
        .get(&format!("/v1/checks/{}", created["id"].as_str().unwrap()))
        .await;
    assert_eq!(got["result"]["outcome"], "clear", "enrolment: {got}");
}

pub(crate) async fn live_photo_with(app: &TestApp, client: &str, data: &str) -> String {
    let (s, p) = app
        .post("/v1/livePhotos", json!({"clientId": client, "data": data}))
        .await;
    assert_eq!(s, 200, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn live_photo(app: &TestApp, client: &str) -> String {
    live_photo_with(app, client, &image_b64()).await
}

pub(crate) async fn live_video(app: &TestApp, client: &str) -> String {
    let (s, v) = app
        .post(
            "/__admin/complycube/liveVideos",
            json!({"clientId": client}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn address(app: &TestApp, client: &str) -> String {
    let (s, a) = app
        .post("/v1/addresses", json!({"clientId": client, "line": "1 High St", "city": "London", "country": "GB", "postalCode": "N1 1AA"}))
        .await;
    assert_eq!(s, 200, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

/// A valid check request body for `kind`, creating what it needs.
pub(crate) async fn check_body(app: &TestApp, client: &str, kind: &str) -> Value {
    let mut body = json!({"clientId": client, "type": kind});
    let doc_needed = [
        "document_check",
        "identity_check",
        "enhanced_identity_check",
        "proof_of_address_check",
    ];
    if doc_needed.contains(&kind) {
        body["documentId"] = json!(document(app, client).await);
    }
    if kind == "driving_license_check" {
        body["documentId"] = json!(driving_licence(app, client).await);
    }
    if kind == "face_authentication_check" {
        enrol(app, client).await;
    }
    if [
        "identity_check",
        "age_estimation_check",
        "face_authentication_check",
    ]
    .contains(&kind)
    {
        body["livePhotoId"] = json!(live_photo(app, client).await);
    }
    if kind == "enhanced_identity_check" {
        body["liveVideoId"] = json!(live_video(app, client).await);
    }
    if ["identity_fraud_check", "multi_bureau_check"].contains(&kind) {
        body["addressId"] = json!(address(app, client).await);
    }
    body
}

pub(crate) async fn run_check(app: &TestApp, client: &str, kind: &str) -> Value {
    let body = check_body(app, client, kind).await;
    let (s, created) = app.post(create_path(kind), body).await;
    assert_eq!(s, 200, "{kind}: {created}");
    assert_eq!(
        created["status"], "pending",
        "{kind}: create answers pending"
    );
    assert!(created.get("result").is_none());
    let (s, got) = app
        .get(&format!("/v1/checks/{}", created["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, 200);
    got
}

pub(crate) const ALL_TYPES: [&str; 16] = [
    "standard_screening_check",
    "extensive_screening_check",
    "document_check",
    "identity_check",
    "enhanced_identity_check",
    "proof_of_address_check",
    "multi_bureau_check",
    "eid_check",
    "ssn_check",
    "age_estimation_check",
    "identity_fraud_check",
    "driving_license_check",
    "device_intelligence_check",
    "email_intelligence_check",
    "mobile_intelligence_check",
    "face_authentication_check",
];

#[tokio::test]
async fn every_check_type_completes_clear_by_default() {
    let app = spawn_app().await;
    let client = client(&app, "Doe").await;
    for kind in ALL_TYPES {
        let check = run_check(&app, &client, kind).await;
        assert!(is_object_id(check["id"].as_str().unwrap()));
        assert_eq!(check["type"], kind);
        assert_eq!(check["status"], "complete", "{kind}: {check}");
        assert_eq!(check["result"]["outcome"], "clear", "{kind}: {check}");
        assert!(check["result"]["breakdown"].is_object(), "{kind}");
        assert_eq!(check["entityName"], "John Doe");
    }
}

#[tokio::test]
async fn each_missing_required_field_is_named() {
    let app = spawn_app().await;
    let client = client(&app, "Doe").await;
    let cases: &[(&str, &str)] = &[
        ("document_check", "documentId"),
        ("identity_check", "documentId"),
        ("identity_check", "livePhotoId"),
        ("enhanced_identity_check", "documentId"),
        ("enhanced_identity_check", "liveVideoId"),
        ("proof_of_address_check", "documentId"),
        ("multi_bureau_check", "addressId"),
        ("identity_fraud_check", "addressId"),
        ("face_authentication_check", "livePhotoId"),
        ("age_estimation_check", "livePhotoId"),
        ("driving_license_check", "documentId"),
        ("identity_check", "clientId"),
        ("identity_check", "type"),
    ];
    for (kind, field) in cases {
        let mut body = check_body(&app, &client, kind).await;
        body.as_object_mut().unwrap().remove(*field);
        let (s, err) = app.post("/v1/checks", body).await;
        assert_eq!(s, 400, "{kind} without {field}: {err}");
        assert_eq!(err["type"], "invalid_request");
        assert_eq!(err["param"], *field, "{kind} without {field}: {err}");
        assert_eq!(err["message"], format!("'{field}' must be provided"));
    }
    let (s, err) = app
        .post(
            "/v1/checks",
            json!({"clientId": client, "type": "psychic_check"}),
        )
        .await;
    assert_eq!((s, err["param"].as_str()), (400, Some("type")));
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("enhanced_identity_check")
    );
}

#[tokio::test]
async fn ids_of_another_client_or_tenant_are_not_found() {
    let app = spawn_app().await;
    let alice = client(&app, "Alice").await;
    let bob = client(&app, "Bob").await;
    let bobs_doc = document(&app, &bob).await;
    let alices_photo = live_photo(&app, &alice).await;
    let (s, err) = app
        .post("/v1/checks", json!({"clientId": alice, "type": "identity_check", "documentId": bobs_doc, "livePhotoId": alices_photo}))
        .await;
    assert_eq!(s, 404, "{err}");
    assert_eq!(err["message"], format!("Invalid document id '{bobs_doc}'"));

    let body = check_body(&app, &alice, "identity_check").await;
    let (s, err) = app
        .json_as("test_someone_else", Method::POST, "/v1/checks", Some(&body))
        .await;
    assert_eq!(s, 404, "{err}");
    assert_eq!(err["message"], format!("Invalid client id '{alice}'"));

    let check = run_check(&app, &alice, "email_intelligence_check").await;
    let (s, _) = app
        .json_as(
            "test_someone_else",
            Method::GET,
            &format!("/v1/checks/{}", check["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn person_only_types_reject_company_clients() {
    let app = spawn_app().await;
    let acme = company(&app).await;
    for kind in [
        "identity_check",
        "enhanced_identity_check",
        "proof_of_address_check",
        "multi_bureau_check",
        "face_authentication_check",
        "age_estimation_check",
        "ssn_check",
        "driving_license_check",
    ] {
        let body = if kind == "face_authentication_check" {
            // A company cannot be enrolled, so the body is built by hand.
            json!({"clientId": acme, "type": kind, "livePhotoId": live_photo(&app, &acme).await})
        } else {
            check_body(&app, &acme, kind).await
        };
        let (s, err) = app.post("/v1/checks", body).await;
        assert_eq!(s, 400, "{kind}: {err}");
        assert_eq!(err["param"], "clientId");
    }
    let check = run_check(&app, &acme, "standard_screening_check").await;
    assert_eq!(check["entityName"], "Acme Ltd");
}

#[tokio::test]
async fn documents_must_have_the_images_the_check_needs() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let bare = document_with(&app, &c, "passport", &[], None).await;
    let (s, err) = app
        .post(
            "/v1/checks",
            json!({"clientId": c, "type": "document_check", "documentId": bare}),
        )
        .await;
    assert_eq!(
        (s, err["param"].as_str()),
        (400, Some("documentId")),
        "{err}"
    );
    let one_side = document_with(&app, &c, "driving_license", &["front"], None).await;
    let (s, err) = app
        .post(
            "/v1/checks",
            json!({"clientId": c, "type": "document_check", "documentId": one_side}),
        )
        .await;
    assert_eq!(
        (s, err["type"].as_str()),
        (422, Some("two_sides_expected")),
        "{err}"
    );
    let both = document_with(&app, &c, "driving_license", &["front", "back"], None).await;
    let (s, check) = app
        .post(
            "/v1/checks",
            json!({"clientId": c, "type": "document_check", "documentId": both}),
        )
        .await;
    assert_eq!(s, 200, "{check}");
    let (s, no_country) = app
        .post("/v1/documents", json!({"clientId": c, "type": "passport"}))
        .await;
    assert_eq!(s, 200);
    let (s, err) = app
        .post(
            "/v1/checks",
            json!({"clientId": c, "type": "document_check", "documentId": no_country["id"]}),
        )
        .await;
    assert_eq!(
        (s, err["type"].as_str()),
        (422, Some("document_requires_issuing_country")),
        "{err}"
    );
}

#[tokio::test]
async fn documented_last_name_triggers_set_the_outcome() {
    let app = spawn_app().await;
    let attention = client(&app, "attention").await;
    let failed = client(&app, "failed").await;
    for kind in [
        "identity_check",
        "enhanced_identity_check",
        "identity_fraud_check",
        "document_check",
        "extensive_screening_check",
    ] {
        let check = run_check(&app, &attention, kind).await;
        assert_eq!(check["result"]["outcome"], "attention", "{kind}: {check}");
        let check = run_check(&app, &failed, kind).await;
        assert_eq!(
            check["result"]["outcome"], "not_processed",
            "{kind}: {check}"
        );
    }
}

#[tokio::test]
async fn a_face_uploaded_for_another_client_is_previously_enrolled() {
    let app = spawn_app().await;
    let first = client(&app, "First").await;
    let second = client(&app, "Second").await;
    let face = image_b64();
    let first_photo = live_photo_with(&app, &first, &face).await;
    let photo = live_photo_with(&app, &second, &face).await;
    let doc = document(&app, &second).await;
    let (_, created) = app
        .post("/v1/checks", json!({"clientId": second, "type": "identity_check", "documentId": doc, "livePhotoId": photo}))
        .await;
    let (_, check) = app
        .get(&format!("/v1/checks/{}", created["id"].as_str().unwrap()))
        .await;
    let face_analysis = &check["result"]["breakdown"]["faceAnalysis"];
    assert_eq!(
        face_analysis["previouslyEnrolledFace"], "attention",
        "{check}"
    );
    let matches = &face_analysis["breakdown"]["enrolledFacesMatches"];
    assert_eq!(matches[0]["clientId"], first.as_str());
    assert_eq!(matches[0]["livePhotoId"], first_photo.as_str());
    assert_eq!(matches[0]["entityName"], "John First");
    assert_eq!(check["result"]["outcome"], "attention");
}

#[tokio::test]
async fn lists_filter_by_client_type_status_and_outcome() {
    let app = spawn_app().await;
    let a = client(&app, "Doe").await;
    let b = client(&app, "attention").await;
    run_check(&app, &a, "email_intelligence_check").await;
    run_check(&app, &a, "standard_screening_check").await;
    run_check(&app, &b, "email_intelligence_check").await;
    let (s, all) = app.get(&format!("/v1/checks?clientId={a}")).await;
    assert_eq!((s, all["totalItems"].as_u64()), (200, Some(2)));
    assert_eq!(
        all["items"][0]["type"], "standard_screening_check",
        "newest first"
    );
    let (_, typed) = app.get("/v1/checks/?type=email_intelligence_check").await;
    assert_eq!(typed["totalItems"], 2);
    let (_, attention) = app.get("/v1/checks?result.outcome=attention").await;
    assert_eq!(attention["totalItems"], 1);
    assert_eq!(attention["items"][0]["clientId"], b.as_str());
    let (_, complete) = app
        .get(&format!("/v1/checks?clientId={b}&status=complete"))
        .await;
    assert_eq!(complete["totalItems"], 1);
    let (_, none) = app.get("/v1/checks?unknownField=x").await;
    assert_eq!(none["totalItems"], 0, "unsupported filters match nothing");
    let (s, err) = app.get("/v1/checks?pageSize=1001").await;
    assert_eq!((s, err["param"].as_str()), (400, Some("pageSize")));
}

#[tokio::test]
async fn only_complete_screening_checks_can_be_updated() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let check = run_check(&app, &c, "standard_screening_check").await;
    let id = check["id"].as_str().unwrap();
    let (s, up) = app
        .post(
            &format!("/v1/checks/{id}"),
            json!({"enableMonitoring": true}),
        )
        .await;
    assert_eq!(s, 200, "{up}");
    assert_eq!(up["enableMonitoring"], true);
    let other = run_check(&app, &c, "email_intelligence_check").await;
    let (s, err) = app
        .post(
            &format!("/v1/checks/{}", other["id"].as_str().unwrap()),
            json!({"enableMonitoring": true}),
        )
        .await;
    assert_eq!(
        (s, err["type"].as_str()),
        (422, Some("invalid_check_update"))
    );
}

#[tokio::test]
async fn pending_checks_cannot_be_modified() {
    let app = crate::helpers::spawn_with(|c| c.completion_delay_ms = 3_600_000).await;
    let c = client(&app, "Doe").await;
    let body = check_body(&app, &c, "standard_screening_check").await;
    let (_, check) = app.post("/v1/checks", body).await;
    let id = check["id"].as_str().unwrap();
    let (_, got) = app.get(&format!("/v1/checks/{id}")).await;
    assert_eq!(got["status"], "pending");
    let (s, err) = app
        .post(
            &format!("/v1/checks/{id}"),
            json!({"enableMonitoring": true}),
        )
        .await;
    assert_eq!(
        (s, err["type"].as_str()),
        (422, Some("pending_check_unmodifiable"))
    );
    let (s, err) = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            json!({"outcome": "confirmed"}),
        )
        .await;
    assert_eq!(
        (s, err["type"].as_str()),
        (422, Some("pending_check_unmodifiable"))
    );
}

#[tokio::test]
async fn validating_screening_matches_moves_the_outcome() {
    let app = spawn_app().await;
    let c = client(&app, "attention").await;
    let check = run_check(&app, &c, "extensive_screening_check").await;
    let id = check["id"].as_str().unwrap();
    let (_, page) = app
        .get(&format!("/v1/checks?clientId={c}&result.outcome=attention"))
        .await;
    assert_eq!(page["totalItems"], 1, "{page}");
    let matches: Vec<String> = check["result"]["breakdown"]["matches"]
        .as_array()
        .expect("matches on an attention screening")
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(matches.len() >= 2);
    let (s, err) = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            json!({"outcome": "rejected"}),
        )
        .await;
    assert_eq!((s, err["param"].as_str()), (400, Some("matchId")));
    let (_, r) = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            json!({"outcome": "rejected", "matchId": matches[0]}),
        )
        .await;
    assert_eq!(r, json!({"outcome": "attention"}));
    let (_, r) = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            json!({"outcome": "rejected", "matchId": matches[1]}),
        )
        .await;
    assert_eq!(r, json!({"outcome": "clear"}));
    let (_, got) = app.get(&format!("/v1/checks/{id}")).await;
    assert_eq!(got["result"]["outcome"], "clear");
    // The outcome filter follows the change (kept outcomes are forgotten).
    let filtered = |outcome: &'static str| {
        let app = app.clone();
        let c = c.clone();
        async move {
            let (_, page) = app
                .get(&format!("/v1/checks?clientId={c}&result.outcome={outcome}"))
                .await;
            page["totalItems"].as_u64()
        }
    };
    assert_eq!(filtered("clear").await, Some(1));
    assert_eq!(filtered("attention").await, Some(0));
    let (_, r) = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            json!({"outcome": "confirmed", "matchId": matches[1]}),
        )
        .await;
    assert_eq!(r, json!({"outcome": "match_confirmed"}));
}

#[tokio::test]
async fn validating_an_identity_check_confirms_or_rejects() {
    let app = spawn_app().await;
    let c = client(&app, "attention").await;
    let check = run_check(&app, &c, "identity_check").await;
    let id = check["id"].as_str().unwrap();
    let (s, r) = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            json!({"outcome": "rejected"}),
        )
        .await;
    assert_eq!((s, r), (200, json!({"outcome": "rejected"})));
    let (_, got) = app.get(&format!("/v1/checks/{id}")).await;
    assert_eq!(got["result"]["outcome"], "rejected");
    let (s, err) = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            json!({"outcome": "maybe"}),
        )
        .await;
    assert_eq!((s, err["param"].as_str()), (400, Some("outcome")));
}

#[tokio::test]
async fn redacting_a_document_check_removes_extracted_attributes() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let check = run_check(&app, &c, "document_check").await;
    let id = check["id"].as_str().unwrap();
    assert!(
        check["result"]["breakdown"]["extractedData"]["documentDetails"]["documentNumber"]
            .is_string()
    );
    let (s, red) = app
        .post(
            &format!("/v1/checks/{id}/redact"),
            json!({"attributes": ["documentNumber", "dob"]}),
        )
        .await;
    assert_eq!(s, 200, "{red}");
    let details = &red["result"]["breakdown"]["extractedData"];
    assert!(details["documentDetails"].get("documentNumber").is_none());
    assert!(details["holderDetails"].get("dob").is_none());
    let other = run_check(&app, &c, "identity_check").await;
    let (s, _) = app
        .post(
            &format!("/v1/checks/{}/redact", other["id"].as_str().unwrap()),
            json!({"attributes": ["dob"]}),
        )
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn an_expired_document_reads_an_expiry_date_in_the_past() {
    let app = spawn_app().await;
    let c = client(&app, "document-expired").await;
    let check = run_check(&app, &c, "document_check").await;
    let breakdown = &check["result"]["breakdown"];
    assert_eq!(breakdown["contentAnalysis"]["expirationDate"], "attention");
    let exp = &breakdown["extractedData"]["documentDetails"]["expirationDate"];
    let created = check["createdAt"].as_str().unwrap();
    let year: i64 = created[..4].parse().unwrap();
    let exp_ymd = (
        exp["year"].as_i64().unwrap(),
        exp["month"].as_i64().unwrap(),
        exp["day"].as_i64().unwrap(),
    );
    let created_ymd = (
        year,
        created[5..7].parse::<i64>().unwrap(),
        created[8..10].parse::<i64>().unwrap(),
    );
    assert!(exp_ymd < created_ymd, "{exp} is not before {created}");
}

#[tokio::test]
async fn user_supplied_data_overrides_a_document_checks_extracted_data() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let check = run_check(&app, &c, "document_check").await;
    let id = check["id"].as_str().unwrap();
    let before = check["result"]["breakdown"]["extractedData"].clone();
    assert!(before.is_object(), "{check}");
    let (s, r) = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            json!({"outcome": "confirmed",
                "userSuppliedData": {"holderDetails": {"lastName": ["Corrected"]}}}),
        )
        .await;
    assert_eq!((s, r), (200, json!({"outcome": "clear"})));
    let (_, got) = app.get(&format!("/v1/checks/{id}")).await;
    let extracted = &got["result"]["breakdown"]["extractedData"];
    assert_eq!(extracted["holderDetails"]["lastName"], json!(["Corrected"]));
    assert_eq!(
        extracted["holderDetails"]["firstName"], before["holderDetails"]["firstName"],
        "only the supplied keys change"
    );

    // Other check types have no extracted data to override.
    let other = run_check(&app, &c, "identity_check").await;
    let (s, err) = app
        .post(
            &format!("/v1/checks/{}/validate", other["id"].as_str().unwrap()),
            json!({"outcome": "confirmed", "userSuppliedData": {"dob": "1990-01-01"}}),
        )
        .await;
    assert_eq!((s, err["param"].as_str()), (400, Some("userSuppliedData")));
    let (s, err) = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            json!({"outcome": "confirmed", "userSuppliedData": "not an object"}),
        )
        .await;
    assert_eq!((s, err["param"].as_str()), (400, Some("userSuppliedData")));
}
