//! Verifik's part of the QA console: the tenant's recent face-recognition
//! calls with their scores and decisions (`console.js`), drawn from
//! `GET /__admin/verifik/calls` (the log is [`super::calls`]).

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::{Value, json};

use super::api::Api;
use super::calls::KEPT;
use crate::admin::{Admin, AdminError};
use crate::console::Part;

pub(crate) static PART: Part = Part {
    nav: &[("Face recognition", "face-recognition")],
    script: include_str!("console.js"),
    files: &[],
};

pub(crate) fn admin_routes() -> Router<Api> {
    Router::new().route("/verifik/calls", get(list_calls))
}

async fn list_calls(admin: Admin, State(api): State<Api>) -> Result<axum::Json<Value>, AdminError> {
    let items = api.store.calls.list(admin.tenant()?);
    Ok(axum::Json(json!({
        "kept": KEPT,
        "count": items.len(),
        "items": items,
    })))
}
