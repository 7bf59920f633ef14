//! ComplyCube's other resources over HTTP: static lists, company and
//! address lookups, autofill, account info, team members and the audit log.

use serde_json::{Value, json};

use crate::complycube_checks::{client, image_b64};
use crate::helpers::{TestApp, is_object_id, spawn_app};

#[tokio::test]
async fn static_lists_are_documented_shapes() {
    let app = spawn_app().await;
    let (s, lists) = app.get("/v1/static/screeningLists").await;
    assert_eq!(s, 200);
    let names: Vec<&str> = lists
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"HM Treasury Consolidated List"),
        "{names:?}"
    );
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "alphabetical");
    let (s, docs) = app.get("/v1/static/supportedDocuments/").await;
    assert_eq!(s, 200);
    let gb = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["issuingCountry"] == "GB")
        .unwrap();
    assert!(
        gb["documentTypes"]
            .as_array()
            .unwrap()
            .contains(&json!("passport"))
    );
    let (s, v) = app
        .json_as(
            "nope",
            reqwest::Method::GET,
            "/v1/static/screeningLists",
            None,
        )
        .await;
    assert_eq!((s, v["type"].as_str()), (401, Some("unauthorized")));
}

#[tokio::test]
async fn company_and_address_search_answer_the_shipped_dataset() {
    let app = spawn_app().await;
    let (s, found) = app
        .post(
            "/v1/lookup/companies",
            json!({"companyName": "acme", "incorporationCountry": "GB"}),
        )
        .await;
    assert_eq!(s, 200, "{found}");
    let items = found["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{found}");
    for c in items {
        for key in [
            "id",
            "name",
            "registrationNumber",
            "incorporationCountry",
            "incorporationDate",
            "incorporationType",
            "address",
            "active",
            "sourceUrl",
            "createdAt",
            "updatedAt",
        ] {
            assert!(c.get(key).is_some(), "{key}: {c}");
        }
        for key in ["owners", "officers", "filings", "industryCodes", "website"] {
            assert!(c.get(key).is_none(), "{key}: {c}");
        }
    }
    let id = items[0]["id"].as_str().unwrap();
    let (s, details) = app.get(&format!("/v1/lookup/companies/{id}")).await;
    assert_eq!(s, 200);
    for key in ["owners", "officers", "filings", "industryCodes"] {
        assert!(
            !details[key].as_array().unwrap().is_empty(),
            "{key}: {details}"
        );
    }
    for (body, want) in [
        (
            json!({"companyName": "no-match", "incorporationCountry": "GB"}),
            0,
        ),
        (
            json!({"companyName": "Acme", "incorporationCountry": "IE"}),
            0,
        ),
        (
            json!({"companyName": "blue harbour", "incorporationCountry": "IE"}),
            1,
        ),
    ] {
        let (s, v) = app.post("/v1/lookup/companies", body.clone()).await;
        assert_eq!(
            (s, v["items"].as_array().map(Vec::len)),
            (200, Some(want)),
            "{body}: {v}"
        );
    }
    let (s, v) = app
        .get("/v1/lookup/companies/67625f5f3131343535333799")
        .await;
    assert_eq!(
        (s, v["message"].as_str()),
        (404, Some("Invalid company id '67625f5f3131343535333799'"))
    );

    let (s, found) = app
        .post(
            "/v1/lookup/addresses",
            json!({"line": "350 Fifth", "postalCode": "10118", "country": "US"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(found["items"][0]["state"], "NY", "{found}");
    for (body, status, param) in [
        (
            json!({"line": "1 High", "postalCode": "00000", "country": "GB"}),
            200,
            None,
        ),
        (
            json!({"line": "1 High", "country": "GB"}),
            400,
            Some("postalCode"),
        ),
        (
            json!({"line": "1 High", "postalCode": "x", "country": "gb"}),
            400,
            Some("country"),
        ),
        (
            json!({"line": "1 High", "postalCode": "x", "country": "GB", "extra": 1}),
            400,
            Some("extra"),
        ),
    ] {
        let (s, v) = app.post("/v1/lookup/addresses", body.clone()).await;
        assert_eq!((s, v["param"].as_str()), (status, param), "{body}: {v}");
        if s == 200 {
            assert_eq!(v["items"], json!([]));
        }
    }
    let (s, v) = app
        .post(
            "/v1/lookup/companies",
            json!({"incorporationCountry": "GB"}),
        )
        .await;
    assert_eq!((s, v["param"].as_str()), (400, Some("companyName")));
}

#[tokio::test]
async fn autofill_extracts_stable_data_per_image() {
    let app = spawn_app().await;
    let img = image_b64();
    let (s, a) = app.post("/v1/autofill/", json!({"data": img})).await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(
        a["extractedData"]["holderDetails"]["lastName"],
        json!(["DOE"])
    );
    let (_, b) = app.post("/v1/autofill", json!({"data": img})).await;
    assert_eq!(a, b, "the same image extracts the same data");
    for (body, param) in [(json!({}), "data"), (json!({"data": "%%%"}), "data")] {
        let (s, v) = app.post("/v1/autofill", body).await;
        assert_eq!((s, v["param"].as_str()), (400, Some(param)), "{v}");
    }
}

#[tokio::test]
async fn account_info_and_team_members() {
    let app = spawn_app().await;
    let (s, info) = app.get("/v1/accountInfo/").await;
    assert_eq!(s, 200);
    assert!(info["username"].as_str().unwrap().contains('@'));
    assert_eq!(info["plan"], "Enterprise Plan");
    let credit = info["remainingCredit"].as_u64().unwrap();
    let c = client(&app, "Doe").await;
    let (s, _) = app
        .post(
            "/v1/checks",
            json!({"clientId": c, "type": "standard_screening_check"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, info) = app.get("/v1/accountInfo").await;
    assert_eq!(info["remainingCredit"].as_u64(), Some(credit - 1));

    let (s, team) = app.get("/v1/teamMembers").await;
    assert_eq!(s, 200);
    let items = team["items"].as_array().unwrap();
    assert_eq!(team["totalItems"].as_u64(), Some(items.len() as u64));
    let roles: Vec<&str> = items.iter().map(|m| m["role"].as_str().unwrap()).collect();
    for role in [
        "owner",
        "administrator",
        "developer",
        "analyst",
        "support-specialist",
        "view-only",
    ] {
        assert!(roles.contains(&role), "{role}");
    }
    assert!(items.iter().all(|m| m["id"].as_str().unwrap().len() == 17));
    let (_, owners) = app.get("/v1/teamMembers?role=owner").await;
    assert_eq!(owners["totalItems"], 1);
    let (_, paged) = app.get("/v1/teamMembers?pageSize=2&page=2").await;
    assert_eq!(
        (
            paged["items"].as_array().map(Vec::len),
            paged["pages"].as_u64()
        ),
        (Some(2), Some(3))
    );
    let (s, m) = app.get("/v1/teamMembers/VNARgK33nMASdJKdi").await;
    assert_eq!((s, m["firstName"].as_str()), (200, Some("John")));
    let (s, v) = app.get("/v1/teamMembers/MOARgK33nMASdJKdd").await;
    assert_eq!(
        (s, v),
        (
            404,
            json!({"type": "resource_not_found", "message": "Invalid team member id 'MOARgK33nMASdJKdd'"})
        )
    );
}

async fn audit(app: &TestApp, query: &str) -> Vec<Value> {
    let (s, v) = app.get(&format!("/v1/auditLogs?{query}")).await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_audit_log_records_the_keys_own_changes_with_diffs() {
    let app = spawn_app().await;
    let c = client(&app, "Doe").await;
    let (s, _) = app
        .post(
            &format!("/v1/clients/{c}"),
            json!({"personDetails": {"firstName": "Jack"}}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, addr) = app
        .post(
            "/v1/addresses",
            json!({"clientId": c, "line": "1 High St", "city": "London", "country": "GB"}),
        )
        .await;
    assert_eq!(s, 200);
    let aid = addr["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/v1/addresses/{aid}")).await.0, 204);

    let all = audit(&app, "").await;
    let triggers: Vec<&str> = all.iter().map(|e| e["trigger"].as_str().unwrap()).collect();
    assert_eq!(
        triggers,
        [
            "deleteAddress",
            "createAddress",
            "updateClient",
            "createClient"
        ]
    );
    assert!(
        all.iter()
            .all(|e| e.get("diff").is_none() && e.get("memberId").is_none())
    );
    assert!(all.iter().all(|e| is_object_id(e["id"].as_str().unwrap())));

    let update = &all[2];
    assert_eq!(
        (update["resourceType"].as_str(), update["action"].as_str()),
        (Some("client"), Some("update"))
    );
    assert_eq!(update["resourceId"], c.as_str());
    let (s, one) = app
        .get(&format!("/v1/auditLogs/{}", update["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, 200);
    let diff = one["diff"].as_array().unwrap();
    assert!(
        diff.contains(&json!({"action": "update", "path": ["personDetails", "firstName"], "old": "John", "new": "Jack"})),
        "{one}"
    );
    assert!(
        diff.iter().any(|d| d["path"] == json!(["entityName"])),
        "{one}"
    );

    for (query, want) in [
        ("action=create", 2),
        ("resourceType=address", 2),
        (&format!("clientId={c}") as &str, 4),
        ("trigger=updateClient", 1),
        (&format!("resourceId={aid}"), 2),
        ("memberId=VNARgK33nMASdJKdi", 0),
    ] {
        assert_eq!(audit(&app, query).await.len(), want, "{query}");
    }
    let (s, v) = app.get("/v1/auditLogs/5f2acdcebbddb422f9b60e7b").await;
    assert_eq!(
        (s, v["message"].as_str()),
        (404, Some("Invalid audit log id '5f2acdcebbddb422f9b60e7b'"))
    );
    // Another key's log is its own.
    assert!(
        audit(&app.as_tenant("test_other_audit"), "")
            .await
            .is_empty()
    );
}
