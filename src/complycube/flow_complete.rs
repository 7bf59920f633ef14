//! Finishing a hosted Flow session, the one place that does it: the
//! sandbox's Flow page ([`super::flow_page`]) and CI (`POST /__admin/complycube/flow/sessions/{id}/complete`
//! or `/cancel`) both call [`complete`] and [`cancel`].
//!
//! Completing does what the client's run through the page does: the
//! capture (a document with its images, a live photo or video, as the
//! checks need, with the sandbox's sample images), then either a workflow
//! session that starts and completes (`workflow.session.started`,
//! `…processing`, then `…completed` once its checks are) or, for a
//! check-driven session, the checks themselves. Every resource is created
//! as the API would create it and raises the API's events. The answer names
//! the URL the client goes back to (`successUrl`, or `cancelUrl` on cancel).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::Api;
use super::capture::{self, Capture};
use super::check_type::CheckType;
use super::checks::{CheckInput, Created, create_with};
use super::error::{ApiError, Json};
use super::flow_session::{FlowSession, FlowState, view};
use super::preconditions::Origin;
use super::workflow_run::{self, Completion, Start};
use super::workflow_sessions::{capture_options, check_types};
use crate::admin::Admin;
use crate::ids::{Millis, ObjectId};
use crate::scenario::{Scenario, Selected};

/// The sandbox's completion routes (the page itself is
/// [`super::flow_page`]).
pub(crate) fn admin_routes() -> Router<Api> {
    Router::new()
        .route("/complycube/flow/sessions/{id}", get(get_session))
        .route(
            "/complycube/flow/sessions/{id}/complete",
            post(complete_session),
        )
        .route(
            "/complycube/flow/sessions/{id}/cancel",
            post(cancel_session),
        )
}

/// How the client went through the page.
#[derive(Debug, Clone, Default)]
pub(crate) struct Finish {
    /// `clear`, `attention` or `not_processed` for the session and every
    /// check; `None`: scenarios decide as for API calls.
    pub(crate) outcome: Option<String>,
    /// The checks to run instead of the session's.
    pub(crate) check_types: Option<Vec<CheckType>>,
    pub(crate) capture: capture::Options,
}

/// Outcomes a completion may ask for.
pub(crate) const OUTCOMES: &[&str] = &["clear", "attention", "not_processed"];

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("flow session", id)
}

/// The tenant a Flow session belongs to and the session: the caller's
/// tenant when it sent a key, else the one the id was issued to.
pub(crate) fn locate(
    api: &Api,
    tenant: Option<&str>,
    raw: &str,
) -> Result<(String, FlowSession), ApiError> {
    let id = ObjectId::parse(raw).ok_or_else(|| not_found(raw))?;
    let key = match tenant {
        Some(t) => t.to_owned(),
        None => api.store.flow_tenant(&id).ok_or_else(|| not_found(raw))?,
    };
    let session = api
        .store
        .read(&key, |t| t.flow_sessions.get(&id).cloned())
        .ok_or_else(|| not_found(raw))?;
    Ok((key, session))
}

fn conflict(s: &FlowSession, status: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "invalid_request",
        format!("The flow session '{}' is '{status}'", s.id),
    )
}

/// The decision a named outcome stands for.
fn given(api: &Api, outcome: &str) -> Result<Selected, ApiError> {
    if outcome == "clear" {
        return Ok(Selected::given(None));
    }
    let raw = json!({
        "name": format!("flow-{}", outcome.replace('_', "-")),
        "description": format!("A hosted Flow session completed with outcome {outcome}."),
        "match": {"vendor": "complycube"},
        "effect": {"outcome": outcome},
    });
    let scenario: Scenario = serde_json::from_value(raw).map_err(|_| ApiError::internal())?;
    let compiled = api
        .core
        .scenarios
        .compile(scenario)
        .map_err(|e| ApiError::invalid("outcome", e))?;
    Ok(Selected::given(Some(Arc::new(compiled))))
}

/// Marks a session finished in `state` with what finishing created (an
/// open session has created nothing yet, so `check_ids` replaces nothing).
async fn close(
    api: &Api,
    key: &str,
    id: ObjectId,
    state: FlowState,
    now: Millis,
    workflow_session_id: Option<ObjectId>,
    check_ids: &[ObjectId],
) -> Result<FlowSession, ApiError> {
    api.store
        .write(key, |t, _| {
            let s = t
                .flow_sessions
                .get_mut(&id)
                .ok_or_else(|| not_found(&id.to_string()))?;
            s.state = state;
            s.finished_at = Some(now);
            s.workflow_session_id = workflow_session_id;
            s.check_ids = check_ids.to_vec();
            Ok(s.clone())
        })
        .await
}

/// Finishes an open session as the client would and answers where the
/// client goes next. `Err(response)`: a scenario answered for the workflow.
pub(crate) async fn complete(
    api: &Api,
    key: &str,
    session: &FlowSession,
    finish: Finish,
    headers: &HeaderMap,
) -> Result<Result<Value, Response>, ApiError> {
    let now = api.core.clocks.now(key);
    let status = session.status(now);
    if status != "open" {
        return Err(conflict(session, status));
    }
    let given = match &finish.outcome {
        Some(o) => Some(given(api, o)?),
        None => None,
    };
    let mut workflow_session_id = None;
    let mut check_ids = Vec::new();
    let captured;
    if let Some(template_id) = session.workflow_template_id {
        let started = workflow_run::start(
            api,
            key,
            Start {
                client_id: session.client_id,
                template_id,
                tasks: finish.check_types.clone(),
                capture: finish.capture.clone(),
                flow_session_id: Some(session.id),
            },
        )
        .await?;
        let c = Completion {
            headers,
            given: given.clone(),
            via_api: false,
        };
        let done = match workflow_run::complete(api, key, &started.id.to_string(), c).await? {
            Ok(done) => done,
            Err(answered) => return Ok(Err(answered)),
        };
        workflow_session_id = Some(done.id);
        check_ids = done.checks.clone();
        captured = Some(done.captured);
    } else {
        let kinds = finish
            .check_types
            .clone()
            .unwrap_or_else(|| session.kinds());
        let (got, raised) = api
            .store
            .write(key, |t, batch| {
                capture::capture(
                    t,
                    batch,
                    &Capture {
                        key,
                        client_id: session.client_id,
                        kinds: &kinds,
                        seed: session.id,
                        opts: &finish.capture,
                        now,
                    },
                )
            })
            .await?;
        for (event, body) in raised {
            super::events::emit(api, key, event, body).await?;
        }
        for kind in kinds {
            let input = CheckInput::for_task(session.client_id, kind, &got);
            match create_with(api, key, headers, &input, Origin::Workflow, given.clone()).await? {
                Created::Check { check, .. } => check_ids.push(check.id),
                Created::Answered(answered) => return Ok(Err(answered)),
            }
        }
        captured = Some(got);
    }
    let now = api.core.clocks.now(key);
    let finished = close(
        api,
        key,
        session.id,
        FlowState::Completed,
        now,
        workflow_session_id,
        &check_ids,
    )
    .await?;
    let checks: Vec<Value> = api.store.read(key, |t| {
        check_ids
            .iter()
            .filter_map(|id| t.checks.get(id))
            .map(|c| json!({"id": c.id, "type": c.kind.as_str()}))
            .collect()
    });
    let mut answer = json!({
        "redirectUrl": finished.success_url,
        "clientId": finished.client_id,
        "captured": captured,
        "checks": checks,
        "flowSession": view(&finished, now),
    });
    if let (Some(w), Some(m)) = (workflow_session_id, answer.as_object_mut()) {
        m.insert("workflowSessionId".into(), json!(w));
    }
    Ok(Ok(answer))
}

/// Cancels an open session as the client's "cancel" does: a workflow
/// session the client had started is cancelled (`workflow.session.started`
/// then `…cancelled`). Answers where the client goes next (`cancelUrl`).
pub(crate) async fn cancel(api: &Api, key: &str, session: &FlowSession) -> Result<Value, ApiError> {
    let now = api.core.clocks.now(key);
    let status = session.status(now);
    if status != "open" {
        return Err(conflict(session, status));
    }
    let mut workflow_session_id = None;
    if let Some(template_id) = session.workflow_template_id {
        let started = workflow_run::start(
            api,
            key,
            Start {
                client_id: session.client_id,
                template_id,
                tasks: Some(Vec::new()),
                capture: capture::Options::default(),
                flow_session_id: Some(session.id),
            },
        )
        .await?;
        workflow_run::cancel(api, key, &started.id.to_string(), false).await?;
        workflow_session_id = Some(started.id);
    }
    let finished = close(
        api,
        key,
        session.id,
        FlowState::Cancelled,
        now,
        workflow_session_id,
        &[],
    )
    .await?;
    let mut answer = json!({
        "redirectUrl": finished.cancel_url,
        "clientId": finished.client_id,
        "flowSession": view(&finished, now),
    });
    if let (Some(w), Some(m)) = (workflow_session_id, answer.as_object_mut()) {
        m.insert("workflowSessionId".into(), json!(w));
    }
    Ok(answer)
}

async fn get_session(
    admin: Admin,
    State(api): State<Api>,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let (key, session) = locate(&api, admin.tenant.as_deref(), &id)?;
    let now = api.core.clocks.now(&key);
    Ok(axum::Json(view(&session, now)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FinishInput {
    outcome: Option<String>,
    check_types: Option<Vec<String>>,
    document_type: Option<String>,
    issuing_country: Option<String>,
}

async fn complete_session(
    admin: Admin,
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(input): Json<FinishInput>,
) -> Result<Response, ApiError> {
    super::validate::one_of("outcome", &input.outcome, OUTCOMES)?;
    let kinds = match &input.check_types {
        Some(list) => Some(check_types("checkTypes", list)?),
        None => None,
    };
    let finish = Finish {
        outcome: input.outcome.clone(),
        check_types: kinds,
        capture: capture_options(&input.document_type, &input.issuing_country)?,
    };
    let (key, session) = locate(&api, admin.tenant.as_deref(), &id)?;
    match complete(&api, &key, &session, finish, &headers).await? {
        Ok(answer) => Ok(axum::Json(answer).into_response()),
        Err(answered) => Ok(answered),
    }
}

async fn cancel_session(
    admin: Admin,
    State(api): State<Api>,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let (key, session) = locate(&api, admin.tenant.as_deref(), &id)?;
    cancel(&api, &key, &session).await.map(axum::Json)
}
