//! `/v1/lookup`: company search, company details and address search over
//! a small shipped dataset (`data/companies.json`, `data/addresses.json`).
//! A search that matches nothing (any name or address outside the dataset,
//! e.g. company name `no-match` or postal code `00000`) answers an empty
//! list, as the real service does for an unknown company.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::api::{Api, Key};
use super::error::{ApiError, ApiResult, Json};
use crate::scenario;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/lookup/companies", post(search_companies))
        .route("/lookup/companies/{id}", get(get_company))
        .route("/lookup/addresses", post(search_addresses))
}

static COMPANIES: LazyLock<Vec<Value>> =
    LazyLock::new(|| serde_json::from_str(include_str!("data/companies.json")).unwrap_or_default());

static ADDRESSES: LazyLock<Vec<Value>> =
    LazyLock::new(|| serde_json::from_str(include_str!("data/addresses.json")).unwrap_or_default());

/// What a company search returns of a company (no owners, officers,
/// filings, industry codes or website).
const DETAIL_ONLY: &[&str] = &["owners", "officers", "filings", "industryCodes", "website"];

fn summary(company: &Value) -> Value {
    let mut v = company.clone();
    if let Some(m) = v.as_object_mut() {
        for k in DETAIL_ONLY {
            m.remove(*k);
        }
    }
    v
}

/// Lower-case words, punctuation dropped.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Every query word starts a word of `text`.
fn matches_words(text: &str, query: &str) -> bool {
    let have = words(text);
    let want = words(query);
    !want.is_empty() && want.iter().all(|w| have.iter().any(|h| h.starts_with(w)))
}

/// The body's string fields, refusing unknown ones and checking the required.
fn fields(
    body: &Map<String, Value>,
    allowed: &[&str],
    required: &[&str],
) -> Result<HashMap<String, String>, ApiError> {
    let mut out = HashMap::new();
    for (k, v) in body {
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::invalid(k, format!("'{k}' is not allowed")));
        }
        match v {
            Value::String(s) => {
                out.insert(k.clone(), s.trim().to_owned());
            }
            Value::Null => {}
            _ => return Err(ApiError::invalid(k, format!("'{k}' must be a string"))),
        }
    }
    for r in required {
        if out.get(*r).is_none_or(|v| v.is_empty()) {
            return Err(ApiError::missing(r));
        }
    }
    Ok(out)
}

fn country(param: &str, v: &str) -> Result<String, ApiError> {
    super::validate::alpha2(param, &Some(v.to_owned()))?;
    Ok(v.to_owned())
}

/// A list answer as ComplyCube's collections spell it.
fn page(items: Vec<Value>) -> Value {
    let n = items.len();
    json!({"page": 1, "pageSize": n.max(1), "totalItems": n, "pages": usize::from(n > 0), "items": items})
}

async fn search_companies(
    State(api): State<Api>,
    Key(key): Key,
    headers: HeaderMap,
    Json(body): Json<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let f = fields(
        &body,
        &["companyName", "incorporationCountry"],
        &["companyName", "incorporationCountry"],
    )?;
    let wanted_country = country("incorporationCountry", &f["incorporationCountry"])?;
    let selected = match api.decide_plain(&key, "lookup", &headers).await {
        Ok(s) => s,
        Err(answered) => return Ok(answered),
    };
    let items = COMPANIES
        .iter()
        .filter(|c| c["incorporationCountry"] == wanted_country.as_str())
        .filter(|c| matches_words(c["name"].as_str().unwrap_or(""), &f["companyName"]))
        .map(summary)
        .collect();
    let res = axum::Json(page(items)).into_response();
    Ok(scenario::tag(res, &selected))
}

async fn get_company(Key(_key): Key, Path(id): Path<String>) -> ApiResult<Value> {
    COMPANIES
        .iter()
        .find(|c| c["id"] == id.as_str())
        .cloned()
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("company", &id))
}

/// Postal codes compare without spaces, ignoring case.
fn postal(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

async fn search_addresses(
    State(api): State<Api>,
    Key(key): Key,
    headers: HeaderMap,
    Json(body): Json<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let f = fields(
        &body,
        &["line", "postalCode", "country"],
        &["line", "postalCode", "country"],
    )?;
    let wanted_country = country("country", &f["country"])?;
    let selected = match api.decide_plain(&key, "lookup", &headers).await {
        Ok(s) => s,
        Err(answered) => return Ok(answered),
    };
    let code = postal(&f["postalCode"]);
    let items = ADDRESSES
        .iter()
        .filter(|a| a["country"] == wanted_country.as_str())
        .filter(|a| postal(a["postalCode"].as_str().unwrap_or("")) == code)
        .filter(|a| matches_words(a["line"].as_str().unwrap_or(""), &f["line"]))
        .cloned()
        .collect();
    let res = axum::Json(page(items)).into_response();
    Ok(scenario::tag(res, &selected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_by_prefix_ignoring_case_and_punctuation() {
        assert!(matches_words("Acme Trading Limited", "acme"));
        assert!(matches_words("Acme Trading Limited", "ACME trad"));
        assert!(!matches_words("Acme Trading Limited", "no-match"));
        assert!(matches_words("350 Fifth Avenue", "350 Fifth"));
        assert!(!matches_words("350 Fifth Avenue", ""));
        assert_eq!(postal("ec1a 1aa"), "EC1A1AA");
    }

    #[test]
    fn the_dataset_loads_with_unique_ids() {
        assert!(COMPANIES.len() >= 5 && ADDRESSES.len() >= 5);
        let mut ids: Vec<&str> = COMPANIES.iter().filter_map(|c| c["id"].as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), COMPANIES.len());
    }
}
