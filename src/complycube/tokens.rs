//! `POST /v1/tokens`: an SDK token (a JWT) confined to one client.

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;

use super::api::Api;
use super::api::Key;
use super::error::ApiResult;
use super::error::{ApiError, Json};
use crate::ids::ObjectId;

pub(crate) fn routes() -> Router<Api> {
    Router::new().route("/tokens", post(create_token))
}

/// Tokens expire after 60 minutes.
pub(crate) const TOKEN_TTL_SECS: i64 = 60 * 60;

/// The sandbox signs its tokens with a fixed, public secret: they only have
/// to look and decode like ComplyCube's JWTs.
const SIGNING_SECRET: &[u8] = b"kyc-sandbox-sdk-token";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenInput {
    client_id: Option<String>,
    referrer: Option<String>,
    app_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Token {
    pub(crate) token: String,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `header.payload.signature`, HS256.
pub(crate) fn sign(
    client_id: &ObjectId,
    referrer: Option<&str>,
    app_id: Option<&str>,
    now_ms: i64,
) -> String {
    let iat = now_ms / 1000;
    let mut payload = json!({
        "clientId": client_id,
        "iat": iat,
        "exp": iat + TOKEN_TTL_SECS,
        "jti": uuid::Uuid::new_v4().simple().to_string(),
    });
    if let Some(map) = payload.as_object_mut() {
        if let Some(r) = referrer {
            map.insert("referrer".into(), json!(r));
        }
        if let Some(a) = app_id {
            map.insert("appId".into(), json!(a));
        }
    }
    let signing_input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(payload.to_string().as_bytes())
    );
    let sig = match Hmac::<Sha256>::new_from_slice(SIGNING_SECRET) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    };
    format!("{signing_input}.{}", b64(&sig))
}

async fn create_token(
    State(api): State<Api>,
    Key(key): Key,
    Json(input): Json<TokenInput>,
) -> ApiResult<Token> {
    let raw = super::validate::required("clientId", &input.client_id)?;
    super::validate::non_blank("referrer", &input.referrer)?;
    super::validate::non_blank("appId", &input.app_id)?;
    // ComplyCube's documented answer for an unusable client id.
    let invalid = || ApiError::invalid("clientId", "'clientId' is invalid");
    let client_id = ObjectId::parse(raw).ok_or_else(invalid)?;
    if !api.store.read(&key, |t| t.clients.contains(&client_id)) {
        return Err(invalid());
    }
    let now = api.core.clocks.now(&key);
    Ok(axum::Json(Token {
        token: sign(
            &client_id,
            input.referrer.as_deref(),
            input.app_id.as_deref(),
            now,
        ),
    }))
}
