//! `POST /v1/autofill`: "extracts data and images from an identity
//! document". ComplyCube does not publish the answer's shape; the sandbox
//! answers the document check's extracted-data shape (`documentDetails`,
//! `holderDetails`) plus the extracted images, for ComplyCube's sandbox
//! holder JOHN DOE, with a document number stable per image.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use super::api::{Api, Key};
use super::error::{ApiError, Json};
use super::validate;
use crate::scenario::{self, NoFacts};

pub(crate) fn routes() -> Router<Api> {
    Router::new().route("/autofill", post(perform_autofill))
}

/// A 1×1 PNG standing in for the extracted face and signature crops.
const PIXEL: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AutofillInput {
    data: Option<String>,
}

async fn perform_autofill(
    State(api): State<Api>,
    Key(key): Key,
    headers: HeaderMap,
    Json(input): Json<AutofillInput>,
) -> Result<Response, ApiError> {
    let blob = validate::image("data", &input.data, api.core.config.relax_image_size)?;
    let selected = match api
        .decide(&key, "autofill", &NoFacts, &headers, &[blob.sha256])
        .await
    {
        Ok(s) => s,
        Err(answered) => return Ok(answered),
    };
    let digits: String = blob
        .sha256
        .iter()
        .take(9)
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    let body = json!({
        "extractedData": {
            "documentDetails": {
                "documentType": "passport",
                "issuingCountry": "GB",
                "documentNumber": digits,
                "issuingDate": {"day": 1, "month": 1, "year": 2020},
                "expirationDate": {"day": 1, "month": 1, "year": 2030}
            },
            "holderDetails": {
                "firstName": ["JOHN"],
                "lastName": ["DOE"],
                "dob": {"day": 1, "month": 1, "year": 1990},
                "gender": "male",
                "nationality": "GB"
            }
        },
        "extractedImages": [
            {"type": "face", "contentType": "image/png", "data": PIXEL},
            {"type": "signature", "contentType": "image/png", "data": PIXEL}
        ]
    });
    Ok(scenario::tag(axum::Json(body).into_response(), &selected))
}
