//! ComplyCube clients over HTTP.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{is_object_id, spawn_app};

#[tokio::test]
async fn create_get_update_delete_a_person_client() {
    let app = spawn_app().await;
    let (s, c) = app
        .post(
            "/v1/clients",
            json!({"type":"person","email":"john@example.com",
            "personDetails":{"firstName":"John","lastName":"Doe","dob":"1990-01-01"}}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    assert!(is_object_id(&id));
    assert_eq!(c["entityName"], "John Doe");
    assert!(c.get("mobile").is_none(), "absent properties are omitted");
    assert!(c["createdAt"].as_str().unwrap().ends_with('Z'));

    let (s, got) = app.get(&format!("/v1/clients/{id}")).await;
    assert_eq!((s, &got), (200, &c));

    let (s, up) = app
        .post(
            &format!("/v1/clients/{id}"),
            json!({"personDetails":{"middleName":"Q"},"mobile":"+441"}),
        )
        .await;
    assert_eq!(s, 200, "{up}");
    assert_eq!(up["personDetails"]["firstName"], "John");
    assert_eq!(up["entityName"], "John Q Doe");
    assert_eq!(up["mobile"], "+441");

    let (s, body) = app.delete(&format!("/v1/clients/{id}")).await;
    assert_eq!((s, body), (204, serde_json::Value::Null));
    let (s, err) = app.get(&format!("/v1/clients/{id}")).await;
    assert_eq!(s, 404);
    assert_eq!(
        err,
        json!({"type":"resource_not_found","message":format!("Invalid client id '{id}'")})
    );
}

#[tokio::test]
async fn another_key_cannot_see_a_client() {
    let app = spawn_app().await;
    let id = app.person("Jane", "Doe").await;
    let (s, _) = app
        .json_as(
            "test_other",
            Method::GET,
            &format!("/v1/clients/{id}"),
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, list) = app
        .json_as("test_other", Method::GET, "/v1/clients", None)
        .await;
    assert_eq!((s, list["totalItems"].as_u64()), (200, Some(0)));
}

#[tokio::test]
async fn missing_or_unknown_keys_get_401() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/v1/clients")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"type":"unauthorized","message":"The 'Authorization' header is invalid"})
    );
    let (s, _) = app.json_as("nope", Method::GET, "/v1/clients", None).await;
    assert_eq!(s, 401);
    let (s, _) = app
        .json_as(
            &format!("Bearer {}", app.key),
            Method::GET,
            "/v1/clients",
            None,
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn lists_paginate_newest_first_with_and_without_trailing_slash() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.person(&format!("P{i}"), "Doe").await);
    }
    let (s, page) = app.get("/v1/clients/?page=2&pageSize=2").await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["page"], 2);
    assert_eq!(page["pageSize"], 2);
    assert_eq!(page["totalItems"], 5);
    assert_eq!(page["pages"], 3);
    assert_eq!(page["items"][0]["id"], ids[2].as_str());
    let (_, filtered) = app.get("/v1/clients?personDetails.firstName=P3").await;
    assert_eq!(filtered["totalItems"], 1);
    assert_eq!(filtered["items"][0]["id"], ids[3].as_str());
}
