//! The steps every gallery and search endpoint takes before its own work:
//! validate the body against its Joi schema (409), hash every image once
//! (412), then the scenario step (the scenario's error, latency or dropped
//! connection). The compare endpoints take the same steps in [`super::biometrics`].

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::api::Api;
use super::image;
use super::validate::{self, Field};
use crate::scenario::Selected;

/// One image field: its name and whether `https://` URLs are images too.
pub(crate) struct Images {
    pub(crate) field: &'static str,
    pub(crate) urls: bool,
}

/// What a validated request brings: the SHA-256 of every image (in field
/// order) and the scenario that applies.
pub(crate) struct Prepared {
    pub(crate) hashes: Vec<[u8; 32]>,
    pub(crate) selected: Selected,
}

pub(crate) async fn prepare(
    api: &Api,
    token: &str,
    endpoint: &str,
    headers: &HeaderMap,
    body: &Value,
    fields: &[Field],
    images: &[Images],
) -> Result<Prepared, Response> {
    validate::check(body, fields, api.core.config.verifik_messages)
        .map_err(IntoResponse::into_response)?;
    let mut hashes = Vec::new();
    for f in images {
        for s in validate::value_strings(body, f.field) {
            hashes.push(image::sha256(s, f.urls).map_err(IntoResponse::into_response)?);
        }
    }
    let selected = api.decide(token, endpoint, headers, &hashes).await?;
    Ok(Prepared { hashes, selected })
}

/// `data:image/png;base64,AAAA` → `AAAA`, trimmed: how an enrolled image is kept.
pub(crate) fn bare_image(s: &str) -> String {
    let s = s.trim();
    let body = match s.split_once(";base64,") {
        Some((prefix, rest))
            if prefix
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("data:")) =>
        {
            rest
        }
        _ => s,
    };
    body.chars().filter(|c| !c.is_ascii_whitespace()).collect()
}

/// A number field (numeric strings too, as Joi converts them).
pub(crate) fn number(body: &Value, name: &str) -> Option<f64> {
    body.get(name)
        .and_then(|v| validate::number(&super::wire::Val::of(v)))
}

/// A string field.
pub(crate) fn text<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}
