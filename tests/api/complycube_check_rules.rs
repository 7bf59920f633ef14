//! Every documented precondition and `options` flag, table-driven over HTTP.

use serde_json::{Value, json};

use crate::complycube_check_types::{complete_check, full_client};
use crate::complycube_checks::{
    address, company, document, document_with, driving_licence, live_photo,
};
use crate::helpers::{TestApp, spawn_app};

/// What a precondition case changes from a valid request.
enum Setup {
    /// `POST /v1/checks` for a workflow-only type.
    DirectCall,
    /// A company client.
    Company,
    /// A client created with this body.
    Client(Value),
    /// A document with this body and both images.
    Document(Value),
    /// A client whose last name triggers this outcome on its identity check.
    IdentityCheckThen(&'static str),
    /// An address without a postal code.
    AddressWithoutPostcode,
}

struct Precondition {
    kind: &'static str,
    setup: Setup,
    param: &'static str,
    message: &'static str,
}

fn person_without(field: &str) -> Value {
    let mut body = json!({"type": "person", "email": "jo@example.com", "mobile": "+447700900123",
        "personDetails": {"firstName": "Jo", "lastName": "Doe", "ssn": "123456789"}});
    let obj = body.as_object_mut().unwrap();
    if obj.remove(field).is_none() {
        body["personDetails"].as_object_mut().unwrap().remove(field);
    }
    body
}

async fn precondition_request(app: &TestApp, case: &Precondition) -> (&'static str, Value) {
    let kind = case.kind;
    let client = match &case.setup {
        Setup::Company => company(app).await,
        Setup::Client(body) => {
            let (s, c) = app.post("/v1/clients", body.clone()).await;
            assert_eq!(s, 200, "{c}");
            c["id"].as_str().unwrap().to_owned()
        }
        _ => full_client(app, "Doe").await,
    };
    let mut body = json!({"clientId": client, "type": kind});
    match &case.setup {
        Setup::DirectCall => return ("/v1/checks", body),
        Setup::Document(doc) => {
            let id = document_with(app, &client, "passport", &["front", "back"], None).await;
            let (s, d) = app.post(&format!("/v1/documents/{id}"), doc.clone()).await;
            assert_eq!(s, 200, "{d}");
            body["documentId"] = json!(id);
        }
        Setup::IdentityCheckThen(last) => {
            let person = full_client(app, last).await;
            let identity = json!({"documentId": document(app, &person).await,
                "livePhotoId": live_photo(app, &person).await});
            complete_check(app, &person, "identity_check", identity).await;
            body["clientId"] = json!(person);
            body["livePhotoId"] = json!(live_photo(app, &person).await);
        }
        Setup::AddressWithoutPostcode => {
            let (s, a) = app
                .post(
                    "/v1/addresses",
                    json!({"clientId": client, "line": "1 Main St", "city": "Dublin", "country": "IE"}),
                )
                .await;
            assert_eq!(s, 200, "{a}");
            body["addressId"] = a["id"].clone();
        }
        Setup::Company | Setup::Client(_) => match kind {
            "driving_license_check" => {
                body["documentId"] = json!(driving_licence(app, &client).await)
            }
            "multi_bureau_check" => body["addressId"] = json!(address(app, &client).await),
            _ => {}
        },
    }
    ("/v1/checks", body)
}

#[tokio::test]
async fn documented_preconditions_answer_their_errors() {
    let cases = [
        Precondition {
            kind: "eid_check",
            setup: Setup::DirectCall,
            param: "type",
            message: "workflow session",
        },
        Precondition {
            kind: "device_intelligence_check",
            setup: Setup::DirectCall,
            param: "type",
            message: "workflow session",
        },
        Precondition {
            kind: "ssn_check",
            setup: Setup::Client(person_without("ssn")),
            param: "personDetails.ssn",
            message: "must be provided",
        },
        Precondition {
            kind: "ssn_check",
            setup: Setup::Company,
            param: "clientId",
            message: "type 'person'",
        },
        Precondition {
            kind: "mobile_intelligence_check",
            setup: Setup::Client(person_without("mobile")),
            param: "mobile",
            message: "must be provided",
        },
        Precondition {
            kind: "driving_license_check",
            setup: Setup::Document(json!({"type": "passport", "documentNumber": "123456789"})),
            param: "documentId",
            message: "'driving_license'",
        },
        Precondition {
            kind: "driving_license_check",
            setup: Setup::Document(json!({"type": "driving_license"})),
            param: "documentId",
            message: "'documentNumber'",
        },
        Precondition {
            kind: "driving_license_check",
            setup: Setup::Company,
            param: "clientId",
            message: "type 'person'",
        },
        Precondition {
            kind: "face_authentication_check",
            setup: Setup::IdentityCheckThen("face-mismatch"),
            param: "clientId",
            message: "enrolled",
        },
        Precondition {
            kind: "multi_bureau_check",
            setup: Setup::AddressWithoutPostcode,
            param: "addressId",
            message: "'postalCode'",
        },
    ];
    let app = spawn_app().await;
    for case in &cases {
        let (path, body) = precondition_request(&app, case).await;
        let (s, err) = app.post(path, body).await;
        let at = format!("{} ({})", case.kind, case.param);
        assert_eq!(s, 400, "{at}: {err}");
        assert_eq!(err["type"], "invalid_request", "{at}: {err}");
        assert_eq!(err["param"], case.param, "{at}: {err}");
        assert!(
            err["message"].as_str().unwrap().contains(case.message),
            "{at}: {err}"
        );
    }
    // A client without any face enrolled, and one enrolled by a clear check.
    let bare = full_client(&app, "Doe").await;
    let photo = live_photo(&app, &bare).await;
    let body = json!({"clientId": bare, "type": "face_authentication_check", "livePhotoId": photo});
    let (s, err) = app.post("/v1/checks", body.clone()).await;
    assert_eq!((s, err["param"].as_str()), (400, Some("clientId")), "{err}");
    let enrol = json!({"documentId": document(&app, &bare).await, "livePhotoId": live_photo(&app, &bare).await});
    complete_check(&app, &bare, "identity_check", enrol).await;
    let (s, ok) = app.post("/v1/checks", body).await;
    assert_eq!(s, 200, "enrolled now: {ok}");
}

/// What a result must show for an option case.
enum Expect {
    /// 400 naming this parameter.
    Rejected(&'static str),
    Outcome(&'static str),
    /// The breakdown pointer is absent.
    Absent(&'static str),
    /// The breakdown pointer has this value.
    Equals(&'static str, Value),
    /// The breakdown pointer is an array of this length.
    Count(&'static str, usize),
}

use Expect::{Absent, Count, Equals, Outcome, Rejected};

#[tokio::test]
async fn documented_options_change_the_result() {
    let np = || json!("not_processed");
    let cases: Vec<(&str, &str, Value, Vec<Expect>)> = vec![
        (
            "identity_check",
            "previously-enrolled",
            json!({}),
            vec![
                Outcome("attention"),
                Equals("/faceAnalysis/previouslyEnrolledFace", json!("attention")),
            ],
        ),
        (
            "identity_check",
            "previously-enrolled",
            json!({"enableEnrolledFaces": false}),
            vec![
                Outcome("clear"),
                Absent("/faceAnalysis/previouslyEnrolledFace"),
                Absent("/faceAnalysis/breakdown/enrolledFacesMatches"),
            ],
        ),
        (
            "identity_check",
            "spoofed-image",
            json!({"enableSpecimenMatching": false}),
            vec![
                Outcome("clear"),
                Absent("/authenticityAnalysis/spoofedImageAnalysis"),
                Absent("/authenticityAnalysis/breakdown/specimenCheckMatches"),
            ],
        ),
        (
            "identity_check",
            "vpn-detected",
            json!({"enableVpnDetection": true}),
            vec![Outcome("attention")],
        ),
        (
            "identity_check",
            "vpn-detected",
            json!({"enableVpnDetection": false}),
            vec![
                Outcome("clear"),
                Absent("/integrityAnalysis/vpnDetected"),
                Equals("/integrityAnalysis/faceDetection", json!("clear")),
            ],
        ),
        (
            "identity_check",
            "Doe",
            json!({"enableVpnDetection": "no"}),
            vec![Rejected("options.enableVpnDetection")],
        ),
        (
            "document_check",
            "document-expired",
            json!({"analysisCoverage": ["mrz_analysis", "forensic_analysis"]}),
            vec![
                Outcome("clear"),
                Equals("/contentAnalysis/expirationDate", np()),
                Equals("/consistencyAnalysis/dob", np()),
                Equals("/mrzAnalysis/mrzChecksum", json!("clear")),
                Equals("/forensicAnalysis/securityElements", json!("clear")),
            ],
        ),
        (
            "document_check",
            "Doe",
            json!({"analysisCoverage": ["mrz"]}),
            vec![Rejected("options.analysisCoverage.0")],
        ),
        (
            "document_check",
            "Doe",
            json!({"minimumPermittedAge": 60}),
            vec![
                Outcome("attention"),
                Equals("/clientValidation/ageVerification", json!("attention")),
            ],
        ),
        (
            "document_check",
            "Doe",
            json!({"minimumPermittedAge": 21}),
            vec![Outcome("clear")],
        ),
        (
            "document_check",
            "Doe",
            json!({"minimumPermittedAge": "18"}),
            vec![Rejected("options.minimumPermittedAge")],
        ),
        (
            "document_check",
            "Doe",
            json!({"clientDataValidation": false}),
            vec![
                Outcome("clear"),
                Equals("/clientValidation/clientDataConsistency", np()),
            ],
        ),
        (
            "extensive_screening_check",
            "sanctions-match",
            json!({}),
            vec![Outcome("attention"), Count("/matches", 2)],
        ),
        (
            "extensive_screening_check",
            "sanctions-match",
            json!({"screeningNameSearchMode": "precise"}),
            vec![Outcome("attention"), Count("/matches", 1)],
        ),
        (
            "extensive_screening_check",
            "sanctions-match",
            json!({"screeningClassification": ["pepLevel1"]}),
            vec![
                Outcome("clear"),
                Equals("/summary/watchlist/sanctionsLists", np()),
                Equals("/summary/pep/level1", json!("clear")),
                Absent("/matches"),
            ],
        ),
        (
            "extensive_screening_check",
            "attention",
            json!({"screeningClassification": ["pepLevel2"]}),
            vec![
                Outcome("attention"),
                Equals("/summary/pep/level2", json!("attention")),
                Equals("/summary/pep/level1", np()),
                Equals("/matches/0/classifications", json!(["pepLevel2"])),
            ],
        ),
        (
            "standard_screening_check",
            "Doe",
            json!({}),
            vec![
                Equals("/summary/adverseMedia/regulatory", np()),
                Equals("/summary/watchlist/otherExclusionLists", np()),
                Equals("/summary/watchlist/terror", json!("clear")),
            ],
        ),
        (
            "standard_screening_check",
            "Doe",
            json!({"screeningClassification": ["pepLevel9"]}),
            vec![Rejected("options.screeningClassification.0")],
        ),
        (
            "extensive_screening_check",
            "Doe",
            json!({"screeningNameSearchMode": "loose"}),
            vec![Rejected("options.screeningNameSearchMode")],
        ),
        (
            "extensive_screening_check",
            "Doe",
            json!({"screeningListsScope": {"mode": "include", "lists": ["African Development Bank Group (AFDB)"]}}),
            vec![Outcome("clear")],
        ),
        (
            "extensive_screening_check",
            "Doe",
            json!({"screeningListsScope": {"lists": "AFDB"}}),
            vec![Rejected("options.screeningListsScope.lists")],
        ),
        (
            "multi_bureau_check",
            "Doe",
            json!({}),
            vec![Count("/name/breakdown", 1), Count("/idNumber/breakdown", 1)],
        ),
        (
            "multi_bureau_check",
            "Doe",
            json!({"twoPlusTwo": true}),
            vec![
                Outcome("clear"),
                Count("/name/breakdown", 2),
                Count("/dob/breakdown", 2),
                Count("/address/breakdown", 2),
            ],
        ),
        (
            "multi_bureau_check",
            "Doe",
            json!({"twoPlusTwo": "yes"}),
            vec![Rejected("options.twoPlusTwo")],
        ),
    ];
    let app = spawn_app().await;
    for (kind, last, options, expects) in cases {
        let at = format!("{kind} / {last} / {options}");
        let client = full_client(&app, last).await;
        if let Some(Rejected(param)) = expects.first() {
            let mut body = crate::complycube_checks::check_body(&app, &client, kind).await;
            body["options"] = options.clone();
            let (s, err) = app.post("/v1/checks", body).await;
            assert_eq!(
                (s, err["param"].as_str()),
                (400, Some(*param)),
                "{at}: {err}"
            );
            continue;
        }
        let empty = options.as_object().is_some_and(|o| o.is_empty());
        let extra = if empty {
            json!({})
        } else {
            json!({"options": options})
        };
        let check = complete_check(&app, &client, kind, extra).await;
        if !empty {
            assert_eq!(check["options"], options, "{at}: options are echoed");
        }
        let b = &check["result"]["breakdown"];
        for e in &expects {
            match e {
                Rejected(_) => unreachable!("a rejection is the only expectation"),
                Outcome(o) => assert_eq!(check["result"]["outcome"], *o, "{at}: {b}"),
                Absent(p) => assert!(b.pointer(p).is_none(), "{at}: {p} present in {b}"),
                Equals(p, v) => assert_eq!(b.pointer(p), Some(v), "{at}: {p} in {b}"),
                Count(p, n) => {
                    let items = b.pointer(p).and_then(Value::as_array);
                    assert_eq!(items.map(Vec::len), Some(*n), "{at}: {p} in {b}");
                    let sources: std::collections::BTreeSet<_> = items
                        .into_iter()
                        .flatten()
                        .filter_map(|i| i.get("source").and_then(Value::as_str))
                        .collect();
                    assert!(
                        sources.is_empty() || sources.len() == *n,
                        "{at}: separate bureaus"
                    );
                }
            }
        }
    }
}
