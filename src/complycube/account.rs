//! `GET /v1/accountInfo`: who the key belongs to. The sandbox account is
//! on ComplyCube's Enterprise plan (the plan that includes lookups and
//! autofill); its username is stable per key and its remaining credit
//! goes down by one for every check the key holds.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::api::{Api, Key};
use super::error::ApiResult;

/// The credit a fresh sandbox account starts with.
pub(crate) const STARTING_CREDIT: usize = 10_000;

pub(crate) fn routes() -> Router<Api> {
    Router::new().route("/accountInfo", get(account_info))
}

/// `sandbox-<8 hex of the key's SHA-256>@kyc-sandbox.example`.
pub(crate) fn username(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("sandbox-{}@kyc-sandbox.example", hex::encode(&digest[..4]))
}

async fn account_info(State(api): State<Api>, Key(key): Key) -> ApiResult<Value> {
    let checks = api.store.read(&key, |t| t.checks.len());
    Ok(axum::Json(json!({
        "username": username(&key),
        "plan": "Enterprise Plan",
        "remainingCredit": STARTING_CREDIT.saturating_sub(checks),
    })))
}
