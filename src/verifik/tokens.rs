//! Sandbox-only Verifik routes, nested under `/__admin`:
//! `POST /verifik/tokens/expire` and `POST /verifik/tokens/unexpire`, body
//! `{"token": "..."}` (optional; defaults to the caller's `Authorization` token).

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::Api;
use crate::admin::{Admin, AdminError, AdminJson};

pub(crate) fn admin_routes() -> Router<Api> {
    Router::new()
        .route("/verifik/tokens/expire", post(expire_token))
        .route("/verifik/tokens/unexpire", post(unexpire_token))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    token: Option<String>,
}

fn target(admin: &Admin, body: TokenBody) -> Result<String, AdminError> {
    match body.token.map(|t| t.trim().to_owned()) {
        Some(t) if !t.is_empty() => Ok(t),
        Some(_) => Err(AdminError::bad_request("'token' must not be empty")),
        None => Ok(admin.tenant()?.to_owned()),
    }
}

async fn expire_token(
    admin: Admin,
    State(api): State<Api>,
    AdminJson(body): AdminJson<TokenBody>,
) -> Result<axum::Json<Value>, AdminError> {
    let token = target(&admin, body)?;
    api.store
        .expire(&token)
        .wait()
        .await
        .map_err(AdminError::from)?;
    Ok(axum::Json(json!({"token": token, "expired": true})))
}

async fn unexpire_token(
    admin: Admin,
    State(api): State<Api>,
    AdminJson(body): AdminJson<TokenBody>,
) -> Result<axum::Json<Value>, AdminError> {
    let token = target(&admin, body)?;
    let (was, ack) = api.store.unexpire(&token);
    ack.wait().await.map_err(AdminError::from)?;
    Ok(axum::Json(
        json!({"token": token, "expired": false, "wasExpired": was}),
    ))
}
