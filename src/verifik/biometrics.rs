//! The emulated `/v2/face-recognition` endpoints: `compare-with-liveness`,
//! `compare`, `compare-live`, `liveness` and `liveness-score`.
//!
//! One flow serves them all: validate the body (409), hash every image once
//! (412), pick the scenario, wait its latency, then answer its error or the
//! endpoint's result in the success envelope.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use serde_json::Value;

use super::api::{Api, Token};
use super::calls::Call;
use super::endpoint::Endpoint;
use super::error::{VBytes, VerifikError};
use super::render::{Ctx, client_id, envelope, render};
use super::validate;
use super::wire::Fields;
use crate::journal::MatchedScenario;
use crate::{body, scenario};

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route(
            "/face-recognition/compare-with-liveness",
            endpoint(Endpoint::CompareWithLiveness),
        )
        .route("/face-recognition/compare", endpoint(Endpoint::Compare))
        .route(
            "/face-recognition/compare-live",
            endpoint(Endpoint::CompareLive),
        )
        .route("/face-recognition/liveness", endpoint(Endpoint::Liveness))
        .route(
            "/face-recognition/liveness-score",
            endpoint(Endpoint::LivenessScore),
        )
}

/// The POST handler of one endpoint: every endpoint shares [`handle`].
fn endpoint(ep: Endpoint) -> MethodRouter<Api> {
    post(
        move |State(api): State<Api>, token: Token, headers: HeaderMap, VBytes(body): VBytes| {
            handle(ep, api, token, headers, body)
        },
    )
}

async fn handle(
    ep: Endpoint,
    api: Api,
    Token(token): Token,
    headers: HeaderMap,
    raw: axum::body::Bytes,
) -> Response {
    // A flat body is read in one pass with its strings borrowed; any other
    // is parsed as before, with the same errors.
    let parsed: Value;
    let body = match Fields::scan(&raw) {
        Some(fields) => fields,
        None => {
            parsed = match body::parse_json::<Value>(&raw) {
                Ok(v) => v,
                Err(e) => return VerifikError::from(e).into_response(),
            };
            match Fields::of_value(&parsed) {
                Some(fields) => fields,
                None => return validate::not_an_object().into_response(),
            }
        }
    };
    let cfg = &api.core.config;
    if let Err(e) = validate::check_fields(&body, &ep.fields(cfg), cfg.verifik_messages) {
        return e.into_response();
    }
    let (probes, gallery) = match ep.images(&body) {
        Ok(hashes) => hashes,
        Err(e) => return e.into_response(),
    };
    let all: Vec<[u8; 32]> = probes.iter().chain(gallery.iter()).copied().collect();
    let selected = match api.decide(&token, ep.name(), &headers, &all).await {
        Ok(s) => s,
        Err(answered) => {
            let at = api.core.clocks.now(&token);
            let status = answered.status().as_u16();
            let decided = answered.extensions().get::<MatchedScenario>().map_or(
                ("default", "default"),
                |m| {
                    let name = m.scenario.as_ref().map_or("default", |s| s.name.as_str());
                    (name, m.source)
                },
            );
            let call = Call::new(at, ep.name(), status, decided, all.len());
            api.store.calls.record(&token, call);
            return answered;
        }
    };
    let now = api.core.clocks.now(&token);
    let ctx = Ctx {
        now,
        client: client_id(&token),
        shape: cfg.verifik_shape,
        null_liveness: cfg.verifik_null_liveness,
    };
    let data = render(ep, &ctx, &body, &probes, &gallery, selected.effect());
    let compare_min = body.get("compare_min_score").and_then(validate::number);
    let call = Call::new(
        now,
        ep.name(),
        200,
        (selected.name(), selected.source.as_str()),
        all.len(),
    )
    .with_decisions(&data, compare_min);
    api.store.calls.record(&token, call);
    let res = (StatusCode::OK, axum::Json(envelope(now, data))).into_response();
    scenario::tag(res, &selected)
}
