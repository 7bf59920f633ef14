//! The one step every vendor takes to apply a selected scenario: pick it,
//! wait its latency, drop the connection or answer its error in the
//! vendor's envelope, and tag the response for the journal.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::engine::{Engine, Selected};
use super::matching::Request;
use crate::journal::MatchedScenario;
use crate::reply::{Replies, dropped_connection};

/// Selects the scenario for `req` and applies its transport effects.
/// `Ok`: the handler goes on and renders the result (then [`tag`]s it);
/// `Err`: the answer is already decided (an unknown scenario header, a
/// dropped connection or the scenario's error), tagged.
pub(crate) async fn decide(
    engine: &Engine,
    replies: &dyn Replies,
    tenant: &str,
    req: &Request<'_>,
) -> Result<Selected, Response> {
    let mut tries = 0;
    let selected = loop {
        let (selected, used) = engine
            .select(tenant, req)
            .map_err(|e| replies.unknown_scenario(e.message()))?;
        // An armed use is consumed only once that is durable, and only if
        // no other replica took that use first: then look again.
        match used.wait().await {
            Ok(()) => break selected,
            Err(e) if e.is_conflict() && tries < 100 => {
                tries += 1;
                let name = selected.scenario.as_ref().map(|s| s.name.clone());
                let refreshed = match name {
                    Some(n) => engine.armed_set().refresh(tenant, &n).await,
                    None => Ok(()),
                };
                if refreshed.is_err() {
                    return Err(tag(replies.status(503), &selected));
                }
            }
            Err(_) => return Err(tag(replies.status(503), &selected)),
        }
    };
    let effect = selected.effect();
    if let Some(ms) = effect.latency_ms.filter(|ms| *ms > 0) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if effect.drop_connection {
        return Err(tag(dropped_connection(), &selected));
    }
    if let Some(err) = &effect.error {
        let res = match &err.body {
            Some(body) => (
                StatusCode::from_u16(err.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                axum::Json(body.clone()),
            )
                .into_response(),
            None => replies.status(err.status),
        };
        return Err(tag(res, &selected));
    }
    Ok(selected)
}

/// Marks a response with the scenario that decided it, for the journal and metrics.
pub(crate) fn tag(mut res: Response, selected: &Selected) -> Response {
    res.extensions_mut().insert(MatchedScenario {
        scenario: selected.scenario.clone(),
        source: selected.source.as_str(),
    });
    res
}
