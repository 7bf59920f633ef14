//! Verifik's face gallery over HTTP: collections and persons, 1:N search
//! (enrol → search finds the person; an unknown face finds nobody), verify
//! pass and fail, detect counts, the response-shape switches and every
//! documented error.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_with};
use crate::verifik::{LIVENESS_FAILED, MULTIPLE_FACES, NO_FACE, SERVER_ERROR};

const V: &str = "/v2/face-recognition";

/// A face image unique to `seed` (base64, a few KB).
pub(crate) fn face(seed: u32) -> String {
    let bytes: Vec<u8> = (0..3000u32)
        .map(|i| {
            (i.wrapping_mul(2_654_435_761)
                .wrapping_add(seed.wrapping_mul(97))
                >> 11) as u8
        })
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

struct Vk {
    app: TestApp,
    auth: String,
}

impl Vk {
    fn new(app: &TestApp) -> Self {
        Vk {
            app: app.clone(),
            auth: format!("Bearer vk_{}", uuid::Uuid::new_v4().simple()),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.app
            .json_as(&self.auth, method, &format!("{V}{path}"), body.as_ref())
            .await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn collection(&self, name: &str) -> Value {
        let (s, v) = self.post("/collections", json!({"name": name})).await;
        assert_eq!(s, 200, "{v}");
        v["data"].clone()
    }

    async fn person(&self, name: &str, images: &[String], collections: &[&str]) -> String {
        let (s, v) = self
            .post(
                "/persons",
                json!({"name": name, "images": images, "gender": "F", "date_of_birth": "1990-01-15",
                    "nationality": "US", "collections": collections, "notes": "VIP"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["data"]["_id"].as_str().unwrap().to_owned()
    }
}

fn search(images: &[String], min: f64, collection: Option<&str>) -> Value {
    let mut b = json!({"images": images, "min_score": min, "search_mode": "FAST"});
    if let Some(c) = collection {
        b["collection_id"] = json!(c);
    }
    b
}

fn live(image: &str, collection: Option<&str>) -> Value {
    let mut b = json!({"image": image, "os": "IOS", "liveness_min_score": 0.6, "min_score": 0.8, "search_mode": "FAST"});
    if let Some(c) = collection {
        b["collection_id"] = json!(c);
    }
    b
}

#[tokio::test]
async fn collections_are_created_listed_updated_and_deleted() {
    let app = spawn_app().await;
    let vk = Vk::new(&app);
    let c = vk.collection("Ejemplo Ene 30").await;
    for key in [
        "_id",
        "code",
        "name",
        "client",
        "deleted",
        "createdAt",
        "updatedAt",
        "__v",
    ] {
        assert!(c.get(key).is_some(), "{key}: {c}");
    }
    assert_eq!(c["code"].as_str().unwrap().len(), 36, "a UUID: {c}");
    let id = c["_id"].as_str().unwrap();
    vk.collection("Ejemplo Feb 6").await;
    let (s, list) = vk.get("/collections").await;
    assert_eq!(s, 200);
    assert_eq!(
        list.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["data"],
        "no id or signature"
    );
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2));
    let (_, list) = vk.get("/collections?like_name=feb").await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1));
    let (s, got) = vk.get(&format!("/collections/{id}")).await;
    assert_eq!((s, &got["data"]), (200, &c));

    let p1 = vk.person("Ann One", &[face(1)], &[id]).await;
    let p2 = vk.person("Bob Two", &[face(2)], &[]).await;
    // `people` reconciles the membership: p2 in, p1 out.
    let (s, up) = vk
        .call(
            Method::PUT,
            &format!("/collections/{id}"),
            Some(json!({"name": "Renamed", "people": [{"_id": p2}]})),
        )
        .await;
    assert_eq!(
        (s, up["data"]["name"].as_str()),
        (200, Some("Renamed")),
        "{up}"
    );
    let (_, members) = vk.get(&format!("/persons?collection={id}")).await;
    let ids: Vec<&str> = members["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [p2.as_str()]);

    let (s, gone) = vk
        .call(Method::DELETE, &format!("/collections/{id}"), None)
        .await;
    assert_eq!((s, gone["data"]["_id"].as_str()), (200, Some(id)));
    let (_, p) = vk.get(&format!("/persons/{p2}")).await;
    assert_eq!(p["data"]["collections"], json!([]), "unlinked: {p}");
    let (_, p) = vk.get(&format!("/persons/{p1}")).await;
    assert_eq!(p["data"]["_id"], p1.as_str());

    // Documented errors of the collection pages.
    let invalid = json!({"message": "invalid_collection", "code": "ERROR"});
    for (method, path, body) in [
        (Method::GET, format!("/collections/{id}"), None),
        (Method::DELETE, format!("/collections/{id}"), None),
        (
            Method::PUT,
            format!("/collections/{id}"),
            Some(json!({"name": "x"})),
        ),
        (Method::GET, "/collections/nope".to_owned(), None),
    ] {
        let (s, v) = vk.call(method.clone(), &path, body).await;
        assert_eq!((s, &v), (404, &invalid), "{method} {path}");
    }
    let (s, v) = vk
        .post("/collections", json!({"description": "no name"}))
        .await;
    assert_eq!(
        (s, v),
        (
            409,
            json!({"code": "MissingParameter", "message": "\"name\" is required"})
        )
    );
    let res = app
        .client
        .post(app.url(&format!("{V}/collections")))
        .header("Authorization", &vk.auth)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (s, v) = crate::helpers::decode(res).await;
    assert_eq!((s, v), (400, json!({"error": "Invalid request"})));
    let (s, v) = app
        .json_as("", Method::GET, &format!("{V}/collections"), None)
        .await;
    assert_eq!(
        (s, v),
        (
            401,
            json!({"message": "Access forbidden", "code": "Forbidden"})
        )
    );
}

#[tokio::test]
async fn enrolled_faces_are_found_and_unknown_faces_are_not() {
    let app = spawn_app().await;
    let vk = Vk::new(&app);
    let c = vk.collection("VIP").await;
    let (cid, code) = (c["_id"].as_str().unwrap(), c["code"].as_str().unwrap());
    let jane = vk.person("Jane Doe", &[face(10), face(11)], &[cid]).await;
    let john = vk.person("John Roe", &[face(20)], &[]).await;

    // By image identity: an enrolled image finds its person, with score 1.
    let (s, found) = vk.post("/search", search(&[face(11)], 0.8, None)).await;
    assert_eq!(s, 200, "{found}");
    assert_eq!(found["data"].as_array().map(Vec::len), Some(1));
    let hit = &found["data"][0];
    assert_eq!(
        (hit["id"].as_str(), hit["score"].as_f64()),
        (Some(jane.as_str()), Some(1.0))
    );
    for key in [
        "name",
        "notes",
        "gender",
        "thumbnails",
        "collections",
        "create_date",
        "nationality",
        "date_of_birth",
        "modified_date",
    ] {
        assert!(hit.get(key).is_some(), "{key}: {hit}");
    }
    assert_eq!(hit["collections"], json!([code]));
    assert_eq!(hit["date_of_birth"], "1990-01-15");
    // Restricted to a collection, by `_id` or by `code`.
    for scope in [cid, code] {
        let (_, v) = vk
            .post("/search", search(&[face(20)], 0.2, Some(scope)))
            .await;
        assert_eq!(v["data"], json!([]), "{scope}");
    }
    let (_, v) = vk
        .post("/search", search(&[face(20), face(10)], 0.5, None))
        .await;
    let ids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{v}");
    assert!(ids.contains(&john.as_str()) && ids.contains(&jane.as_str()));
    let (_, v) = vk.post("/search", json!({"images": [face(20), face(10)], "min_score": 0.5, "search_mode": "FAST", "max_results": 1})).await;
    assert_eq!(v["data"].as_array().map(Vec::len), Some(1));
    // An unknown face: the documented empty result, even at the lowest min_score.
    let (s, v) = vk.post("/search", search(&[face(99)], 0.2, None)).await;
    assert_eq!((s, &v["data"]), (200, &json!([])));
    assert_eq!(v["signature"]["message"], "Certified by Verifik.co");
    let (_, v) = vk
        .post(
            "/search/crops",
            search(
                &[face(10), "https://example.com/crop.jpg".into()],
                0.5,
                None,
            ),
        )
        .await;
    assert_eq!(v["data"][0]["id"], jane.as_str(), "{v}");

    // search-live-face: liveness first, then the search.
    let (s, v) = vk
        .post("/search-live-face", live(&face(10), Some(cid)))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["persons"][0]["id"], jane.as_str());
    assert!(v["data"]["liveness_score"].as_f64().unwrap() > 0.6);
    let (s, v) = vk
        .post("/search-live-face", live(LIVENESS_FAILED, None))
        .await;
    assert_eq!(
        (s, v),
        (409, json!({"message": "liveness_failed", "code": "ERROR"}))
    );
    let (s, v) = vk.post("/search-active-user", live(&face(20), None)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"][0]["id"], john.as_str(), "a bare array: {v}");
    let (_, v) = vk.post("/search-active-user", live(&face(98), None)).await;
    assert_eq!(v["data"], json!([]));

    // Verify: pass, fail (match null), unknown person, person outside the collection.
    let verify = |id: &str, image: String| json!({"id": id, "images": [image], "min_score": 0.8, "search_mode": "ACCURATE"});
    let (s, v) = vk.post("/verify", verify(&jane, face(10))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["data"]["match"]["id"].as_str(),
            v["data"]["match"]["score"].as_f64()
        ),
        (Some(jane.as_str()), Some(1.0))
    );
    for key in [
        "name",
        "gender",
        "date_of_birth",
        "thumbnails",
        "collections",
    ] {
        assert!(v["data"]["match"].get(key).is_some(), "{key}: {v}");
    }
    let (s, v) = vk.post("/verify", verify(&jane, face(20))).await;
    assert_eq!((s, &v["data"]), (200, &json!({"match": null})));
    let not_found = json!({"error": "Person not found", "message": "PERSON_NOT_FOUND"});
    let (s, v) = vk
        .post("/verify", verify("5f0000000000000000000000", face(10)))
        .await;
    assert_eq!((s, &v), (404, &not_found));
    let mut outside = verify(&john, face(20));
    outside["collection_id"] = json!(cid);
    let (s, v) = vk.post("/verify", outside).await;
    assert_eq!((s, &v), (404, &not_found));
    let (s, v) = vk
        .post(
            "/verify",
            json!({"id": jane, "images": [face(10)], "search_mode": "FAST"}),
        )
        .await;
    assert_eq!(
        (s, v),
        (
            409,
            json!({"code": "MissingParameter", "message": "\"min_score\" is required"})
        )
    );
    let (s, v) = vk.post("/search", search(&[face(10)], 0.1, None)).await;
    assert_eq!(
        (s, v["message"].as_str()),
        (
            409,
            Some("\"min_score\" must be greater than or equal to 0.2")
        )
    );
    let (s, v) = vk.post("/search-live-face", json!({"image": face(1), "min_score": 0.8, "liveness_min_score": 0.6, "search_mode": "FAST"})).await;
    assert_eq!(
        (s, v["message"].as_str()),
        (409, Some("\"os\" is required"))
    );
    let (s, v) = vk
        .post("/search", search(&[face(10)], 0.8, Some("nope")))
        .await;
    assert_eq!(
        (s, v),
        (
            404,
            json!({"message": "invalid_collection", "code": "ERROR"})
        )
    );
    let (s, v) = vk
        .post("/search", search(&["short".into()], 0.8, None))
        .await;
    assert_eq!(
        (s, v),
        (
            412,
            json!({"message": "only_images_in_base64", "code": "ERROR"})
        )
    );
    // Another token sees nobody.
    let other = Vk::new(&app);
    let (_, v) = other.post("/search", search(&[face(10)], 0.2, None)).await;
    assert_eq!(v["data"], json!([]));
}

#[tokio::test]
async fn persons_are_enrolled_read_listed_looked_up_updated_and_deleted() {
    let app = spawn_app().await;
    let vk = Vk::new(&app);
    let c = vk.collection("CholloApp").await;
    let cid = c["_id"].as_str().unwrap();
    let (s, created) = vk
        .post(
            "/persons",
            json!({"name": "Maria Perez", "images": [face(1)], "gender": "F",
            "date_of_birth": {"year": 1994, "month": 2, "day": 7}, "collections": [c["code"]]}),
        )
        .await;
    assert_eq!(s, 200, "{created}");
    let p = created["data"]["_id"].as_str().unwrap().to_owned();
    assert_eq!(created["data"]["date_of_birth"], "1994-02-07");
    assert_eq!(created["data"]["collections"], json!([cid]));
    assert!(created["id"].as_str().unwrap().len() == 5 && created["signature"].is_object());

    // The same name and date of birth in the same collection: 412 with the existing person.
    let (s, dup) = vk
        .post("/persons", json!({"name": "maria perez", "images": [face(2)], "date_of_birth": "1994-02-07", "collections": [cid]}))
        .await;
    assert_eq!(
        (s, dup["message"].as_str(), dup["code"].as_str()),
        (412, Some("person_already_set"), Some("PreconditionFailed"))
    );
    assert_eq!(dup["data"]["_id"], p.as_str());
    assert_eq!(dup["data"]["collections"][0]["code"], c["code"]);

    let (s, got) = vk.get(&format!("/persons/{p}")).await;
    assert_eq!(s, 200);
    for key in [
        "images",
        "faceEncodings",
        "status",
        "thumbnails",
        "client",
        "createdAt",
    ] {
        assert!(got["data"].get(key).is_some(), "{key}: {got}");
    }
    let (s, list) = vk
        .get("/persons?page=1&limit=10&status=active&populates[]=collections")
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        list["pagination"],
        json!({"page": 1, "limit": 10, "total": 1, "pages": 1})
    );
    assert_eq!(list["data"][0]["collections"][0]["name"], "CholloApp");
    for bad in ["limit=101", "page=0", "status=gone", "populates[]=nope"] {
        let (s, v) = vk.get(&format!("/persons?{bad}")).await;
        assert_eq!(
            (s, v),
            (
                409,
                json!({"message": "Invalid query parameters", "code": "INVALID_PARAMETERS"})
            ),
            "{bad}"
        );
    }
    let (s, found) = vk
        .get("/persons/lookup?name=MARIA&date_of_birth=1994-02-07")
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (found["total"].as_u64(), found.get("signature").is_none()),
        (Some(1), true),
        "{found}"
    );
    let (_, none) = vk.get("/persons/lookup?name=nobody").await;
    assert_eq!(none, json!({"data": [], "total": 0}));
    let (s, v) = vk.get("/persons/lookup").await;
    assert_eq!(
        (s, v),
        (
            409,
            json!({"message": "name is required", "code": "MissingParameter"})
        )
    );
    let (s, v) = vk.get("/persons/lookup?name=a1").await;
    assert_eq!((s, v["message"].as_str()), (409, Some("name_too_short")));

    // Update: images replace the faces; the old face no longer finds her.
    let (s, up) = vk
        .call(
            Method::PUT,
            &format!("/persons/{p}"),
            Some(json!({"images": [face(3)], "notes": "moved"})),
        )
        .await;
    assert_eq!(
        (s, up["data"]["notes"].as_str()),
        (200, Some("moved")),
        "{up}"
    );
    let (_, v) = vk.post("/search", search(&[face(1)], 0.5, None)).await;
    assert_eq!(v["data"], json!([]));
    let (_, v) = vk.post("/search", search(&[face(3)], 0.5, None)).await;
    assert_eq!(v["data"][0]["id"], p.as_str());

    // Delete from the collection: it was her last, so she is gone.
    let (s, del) = vk
        .call(
            Method::DELETE,
            &format!("/persons/{p}?collection={cid}"),
            None,
        )
        .await;
    assert_eq!((s, &del["data"]), (200, &json!({"_id": p})));
    let not_found = json!({"error": "Person not found", "message": "PERSON_NOT_FOUND"});
    for (method, body) in [
        (Method::GET, None),
        (Method::DELETE, None),
        (Method::PUT, Some(json!({"name": "X"}))),
    ] {
        let (s, v) = vk
            .call(method.clone(), &format!("/persons/{p}"), body)
            .await;
        assert_eq!((s, &v), (404, &not_found), "{method}");
    }

    // Validation: required fields, at most three images, base64 only, unknown collection.
    let cases = [
        (
            json!({}),
            409,
            json!({"code": "MissingParameter", "message": "\"name\" is required. \"images\" is required"}),
        ),
        (
            json!({"name": "A", "images": [face(1), face(2), face(3), face(4)]}),
            409,
            json!({"code": "MissingParameter", "message": "\"images\" must contain less than or equal to 3 items"}),
        ),
        (
            json!({"name": "A", "images": ["short"]}),
            412,
            json!({"message": "only_images_in_base64", "code": "ERROR"}),
        ),
        (
            json!({"name": "A", "images": [face(5)], "gender": "X"}),
            409,
            json!({"code": "MissingParameter", "message": "\"gender\" must be one of [M, F]"}),
        ),
        (
            json!({"name": "A", "images": [face(5)], "date_of_birth": "1990-13-40"}),
            409,
            json!({"code": "MissingParameter", "message": "\"date_of_birth\" must be a valid date in the format YYYY-MM-DD"}),
        ),
        (
            json!({"name": "A", "images": [face(5)], "collections": ["nope"]}),
            404,
            json!({"message": "invalid_collection", "code": "ERROR"}),
        ),
        (
            json!({"name": "A", "images": [NO_FACE]}),
            409,
            json!({"message": "no_face_detected", "code": "ERROR"}),
        ),
        (
            json!({"name": "A", "images": [SERVER_ERROR]}),
            500,
            json!({"message": "internal_error", "code": "ERROR"}),
        ),
    ];
    for (body, status, want) in cases {
        let (s, v) = vk.post("/persons", body.clone()).await;
        assert_eq!((s, &v), (status, &want), "{body}");
    }
}

#[tokio::test]
async fn persons_enrolled_with_liveness_are_deduplicated() {
    let app = spawn_app().await;
    let vk = Vk::new(&app);
    let c = vk.collection("Live").await;
    let cid = c["_id"].as_str().unwrap();
    let body = |image: &str, name: &str| {
        json!({"name": name, "images": [image], "gender": "F", "date_of_birth": "1990-01-15",
            "collection_id": cid, "liveness_min_score": 0.6, "min_score": 0.8, "search_mode": "FAST"})
    };
    let (s, v) = vk
        .post("/persons/search-live-face", body(&face(1), "Jane 2 Doe"))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["name"], "Jane  Doe", "digits stripped");
    assert_eq!(v["data"]["date_of_birth"], "1990-01-15T00:00:00.000Z");
    assert_eq!(v["data"]["collections"], json!([cid]));
    let (s, v) = vk
        .post("/persons/search-live-face", body(&face(1), "Someone Else"))
        .await;
    assert_eq!(
        (s, v),
        (
            409,
            json!({"message": "409:duplicated_person", "code": "ERROR"})
        )
    );
    let (s, v) = vk
        .post("/persons/search-live-face", body(LIVENESS_FAILED, "Fake"))
        .await;
    assert_eq!(
        (s, v),
        (409, json!({"message": "liveness_failed", "code": "ERROR"}))
    );
    let mut missing = body(&face(2), "A");
    missing.as_object_mut().unwrap().remove("collection_id");
    let (s, v) = vk.post("/persons/search-live-face", missing).await;
    assert_eq!(
        (s, v["message"].as_str()),
        (409, Some("\"collection_id\" is required"))
    );
}

#[tokio::test]
async fn detect_counts_faces_and_magic_images_count_none_or_several() {
    let app = spawn_app().await;
    let vk = Vk::new(&app);
    for (image, count) in [
        (face(1), 1),
        (NO_FACE.to_owned(), 0),
        (MULTIPLE_FACES.to_owned(), 3),
    ] {
        let (s, v) = vk
            .post("/detect", json!({"image": image, "return_landmarks": true}))
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["data"]["face_count"], count, "{v}");
        let faces = v["data"]["faces"].as_array().unwrap();
        assert_eq!(faces.len(), count);
        for f in faces {
            assert!(f["bounding_box"]["width"].as_u64().unwrap() > 0);
            assert!(
                f.get("landmarks").is_some() && f.get("attributes").is_none(),
                "{f}"
            );
        }
    }
    let (s, v) = vk.post("/detect", json!({"image": "https://example.com/face.jpg", "min_score": 0.8, "search_mode": "FAST"})).await;
    assert_eq!(
        (s, v["data"]["face_count"].as_u64()),
        (200, Some(1)),
        "the legacy request is accepted too: {v}"
    );
    for (body, message) in [
        (json!({}), "\"image\" is required"),
        (
            json!({"image": face(1), "min_score": 2}),
            "\"min_score\" must be less than or equal to 1",
        ),
        (
            json!({"image": face(1), "return_attributes": "maybe"}),
            "\"return_attributes\" must be a boolean",
        ),
    ] {
        let (s, v) = vk.post("/detect", body).await;
        assert_eq!(
            (s, v["code"].as_str(), v["message"].as_str()),
            (409, Some("MissingParameter"), Some(message))
        );
    }
}

#[tokio::test]
async fn the_demo_and_legacy_shapes_are_one_switch_away() {
    let app = spawn_with(|c| {
        c.verifik_search_shape = kyc_sandbox::VerifikSearchShape::Demo;
        c.verifik_detect_shape = kyc_sandbox::VerifikDetectShape::Legacy;
    })
    .await;
    let vk = Vk::new(&app);
    let jane = vk.person("Jane Doe", &[face(7)], &[]).await;
    let (s, v) = vk.post("/search-live-face", live(&face(7), None)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["search"][0]["id"], jane.as_str());
    assert_eq!(v["data"]["liveness"]["result"]["passed"], true, "{v}");
    let (_, v) = vk.post("/search-active-user", live(&face(7), None)).await;
    assert_eq!(v["data"]["persons"][0]["id"], jane.as_str(), "{v}");
    assert_eq!(v["data"]["liveness"]["passed"], true);
    let (s, v) = vk
        .post(
            "/detect",
            json!({"image": face(7), "min_score": 0.8, "search_mode": "FAST"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let faces = v["data"].as_array().unwrap();
    assert_eq!(faces.len(), 1);
    for key in [
        "box",
        "persons",
        "landmarks",
        "thumbnail",
        "detection_score",
    ] {
        assert!(faces[0].get(key).is_some(), "{key}: {v}");
    }
    assert_eq!(faces[0]["persons"][0]["id"], jane.as_str());
    let (_, v) = vk.post("/detect", json!({"image": NO_FACE})).await;
    assert_eq!(v["data"], json!([]));
}

#[tokio::test]
async fn expired_and_missing_tokens_are_refused() {
    let app = spawn_app().await;
    let vk = Vk::new(&app);
    let (s, v) = app
        .json_as("", Method::POST, &format!("{V}/search"), Some(&json!({})))
        .await;
    assert_eq!(
        (s, v),
        (
            401,
            json!({"message": "Authentication required", "code": "UNAUTHORIZED"})
        )
    );
    let (s, _) = app
        .json_as(
            &vk.auth,
            Method::POST,
            "/__admin/verifik/tokens/expire",
            Some(&json!({})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, v) = vk.get("/persons").await;
    assert_eq!(
        (s, v),
        (
            403,
            json!({"message": "token_expired", "code": "FORBIDDEN"})
        )
    );
    let (s, v) = vk.get("/collections").await;
    assert_eq!(
        (s, v),
        (
            403,
            json!({"message": "Access forbidden", "code": "Forbidden"})
        )
    );
}
