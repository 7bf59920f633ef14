//! `GET /v1/clients/{id}/riskProfile`: the client's AML risk profile.
//!
//! Sandbox rule (ComplyCube's testing data): the overall risk is `low` once
//! the client has an address, a nationality, a birth country or an
//! incorporation country, `not_set` otherwise. A scenario's `risk` effect
//! (e.g. the shipped middle-name triggers `medium-risk` / `high-risk`)
//! overrides it.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use super::api::{Api, Key};
use super::error::ApiError;
use super::facts::RequestFacts;
use super::model::{Client, ts};
use super::validate;
use crate::ids::Millis;
use crate::scenario;

pub(crate) fn routes() -> Router<Api> {
    Router::new().route("/clients/{id}/riskProfile", get(get_risk_profile))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RiskProfile {
    pub(crate) overall: String,
    pub(crate) country_risk: CountryRisk,
    pub(crate) political_exposure_risk: Risk,
    pub(crate) occupation_risk: Risk,
    pub(crate) watchlist_risk: Risk,
    #[serde(serialize_with = "ts")]
    pub(crate) updated_at: Millis,
}

#[derive(Debug, Serialize)]
pub(crate) struct CountryRisk {
    pub(crate) risk: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) breakdown: Vec<SourceScore>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SourceScore {
    pub(crate) source: &'static str,
    pub(crate) normalised_risk_score: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Risk {
    pub(crate) risk: String,
}

/// The sources (and their `low`-profile scores) of ComplyCube's example.
const SOURCES: &[(&str, &str)] = &[
    ("Federal Bureau of Investigation (FBI)", "low"),
    ("FinCEN", "medium"),
    ("Financial Action Task Force (FATF)", "medium"),
    (
        "Organisation for Economic Co-operation and Development (OECD)",
        "medium",
    ),
    ("HM Treasury (HMT)", "low"),
    ("Central Intelligence Agency (CIA)", "low"),
    ("US Department of State (US DOS)", "low"),
    ("Transparency International", "low"),
    ("World Bank Group", "low"),
    ("United Nations (UN)", "low"),
    (
        "Heritage Foundation - Index of Economic Freedom (IEF)",
        "low",
    ),
    ("Basel AML Index (BAI)", "low"),
];

const NOT_SET: &str = "not_set";

/// The country the profile is based on: nationality, birth country,
/// incorporation country, then the newest address's country.
pub(crate) fn risk_country(client: &Client, address_country: Option<String>) -> Option<String> {
    let p = client.person_details.as_ref();
    p.and_then(|p| p.nationality.clone())
        .or_else(|| p.and_then(|p| p.birth_country.clone()))
        .or_else(|| {
            client
                .company_details
                .as_ref()
                .and_then(|c| c.incorporation_country.clone())
        })
        .or(address_country)
}

pub(crate) fn profile(
    country: Option<String>,
    has_address: bool,
    forced: Option<&str>,
    updated_at: Millis,
) -> RiskProfile {
    let base = if country.is_some() || has_address {
        "low"
    } else {
        NOT_SET
    };
    let overall = forced.unwrap_or(base).to_owned();
    let country_risk = match country {
        Some(c) => CountryRisk {
            risk: if overall == NOT_SET { "low" } else { &overall }.to_owned(),
            country: Some(c),
            breakdown: SOURCES
                .iter()
                .map(|(source, low)| SourceScore {
                    source,
                    normalised_risk_score: match overall.as_str() {
                        "medium" | "high" => overall.clone(),
                        _ => (*low).to_owned(),
                    },
                })
                .collect(),
        },
        None => CountryRisk {
            risk: NOT_SET.into(),
            country: None,
            breakdown: Vec::new(),
        },
    };
    let not_set = || Risk {
        risk: NOT_SET.into(),
    };
    RiskProfile {
        overall,
        country_risk,
        political_exposure_risk: not_set(),
        occupation_risk: not_set(),
        watchlist_risk: not_set(),
        updated_at,
    }
}

async fn get_risk_profile(
    State(api): State<Api>,
    Key(key): Key,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let oid = validate::id("client", &id)?;
    let (client, address) = api
        .store
        .read(&key, |t| {
            let client = t.clients.get(&oid).cloned()?;
            let newest = t
                .addresses
                .page(Some(&oid), None, 1, 1)
                .items
                .first()
                .map(|a| (a.country.clone(), a.updated_at));
            Some((client, newest))
        })
        .ok_or_else(|| ApiError::not_found("client", &id))?;
    let facts = RequestFacts {
        check_type: None,
        client: &client,
    };
    let selected = match api.decide(&key, "riskProfile", &facts, &headers, &[]).await {
        Ok(s) => s,
        Err(answered) => return Ok(answered),
    };
    let updated_at = address
        .as_ref()
        .map_or(client.updated_at, |a| a.1.max(client.updated_at));
    let has_address = address.is_some();
    let country = risk_country(&client, address.map(|a| a.0));
    let res = axum::Json(profile(
        country,
        has_address,
        selected.effect().text("risk"),
        updated_at,
    ))
    .into_response();
    Ok(scenario::tag(res, &selected))
}
