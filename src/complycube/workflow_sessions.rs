//! `/v1/workflowSessions`: get, list (newest first, filters on any listed
//! attribute: `clientId`, `workflowTemplateId`, `status`, `outcome`, …),
//! complete (`{"status":"processing"}`; Node sends no body) and cancel
//! (a `started` session only). Sessions come from the hosted Flow or, as
//! a capture SDK would start them, from `POST /__admin/complycube/workflowSessions`.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::{Api, Key};
use super::capture;
use super::check_type::CheckType;
use super::error::{ApiError, ApiResult, Json};
use super::list::{ListQuery, ListResponse, json_matches};
use super::validate;
use super::workflow_run::{self, Completion, Start};
use super::workflow_session::{DEFAULT_TEMPLATE, WorkflowSession};
use super::workflow_view::render;
use crate::admin::Admin;
use crate::ids::ObjectId;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/workflowSessions", get(list_sessions))
        .route("/workflowSessions/{id}", get(get_session))
        .route("/workflowSessions/{id}/complete", post(complete_session))
        .route("/workflowSessions/{id}/cancel", post(cancel_session))
}

/// Sandbox-only: `POST /__admin/complycube/workflowSessions` starts a
/// session as a capture SDK does.
pub(crate) fn admin_routes() -> Router<Api> {
    Router::new().route("/complycube/workflowSessions", post(start_session))
}

async fn get_session(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<Value> {
    let oid = validate::id("workflow session", &id)?;
    let now = api.core.clocks.now(&key);
    api.store
        .read(&key, |t| {
            t.workflow_sessions
                .get(&oid)
                .map(|s| render(t, s, now, true))
        })
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("workflow session", &id))
}

async fn list_sessions(
    State(api): State<Api>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<ListResponse<Value>> {
    let mut q = ListQuery::parse(&raw)?;
    let client = q.take("clientId");
    let now = api.core.clocks.now(&key);
    let (total, items) = api.store.read(&key, |t| {
        let owner = match &client {
            Some(raw) => match ObjectId::parse(raw) {
                Some(id) => Some(id),
                None => return (0, Vec::new()),
            },
            None => None,
        };
        let keep = |s: &WorkflowSession| {
            if q.impossible {
                return false;
            }
            let v = render(t, s, now, false);
            let updated = v["updatedAt"]
                .as_str()
                .and_then(crate::ids::parse_time)
                .unwrap_or(s.updated_at);
            q.in_time(s.created_at, updated)
                && q.filters.iter().all(|(k, want)| json_matches(&v, k, want))
        };
        let keep_ref: &dyn Fn(&WorkflowSession) -> bool = &keep;
        let p = t.workflow_sessions.page(
            owner.as_ref(),
            q.has_conditions().then_some(keep_ref),
            q.page,
            q.page_size,
        );
        (
            p.total,
            p.items
                .into_iter()
                .map(|s| render(t, s, now, false))
                .collect(),
        )
    });
    Ok(axum::Json(ListResponse::new(&q, total, items)))
}

async fn complete_session(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let c = Completion {
        headers: &headers,
        given: None,
        via_api: true,
    };
    match workflow_run::complete(&api, &key, &id, c).await? {
        Ok(_) => Ok(axum::Json(json!({"status": "processing"})).into_response()),
        Err(answered) => Ok(answered),
    }
}

async fn cancel_session(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<Value> {
    workflow_run::cancel(&api, &key, &id, true).await?;
    Ok(axum::Json(json!({"status": "cancelled"})))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StartInput {
    client_id: Option<String>,
    workflow_template_id: Option<String>,
    check_types: Option<Vec<String>>,
    document_type: Option<String>,
    issuing_country: Option<String>,
}

/// The check types a list names (400 naming the first unknown one).
pub(crate) fn check_types(param: &str, list: &[String]) -> Result<Vec<CheckType>, ApiError> {
    if list.is_empty() {
        return Err(ApiError::invalid(
            param,
            format!("'{param}' must contain at least 1 item"),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, raw)| {
            CheckType::parse(raw)
                .ok_or_else(|| ApiError::not_allowed(&format!("{param}.{i}"), &CheckType::NAMES))
        })
        .collect()
}

/// The capture options a sandbox call may set.
pub(crate) fn capture_options(
    document_type: &Option<String>,
    issuing_country: &Option<String>,
) -> Result<capture::Options, ApiError> {
    validate::one_of("documentType", document_type, capture::DOCUMENT_TYPES)?;
    validate::alpha2("issuingCountry", issuing_country)?;
    Ok(capture::Options {
        document_type: document_type.clone(),
        issuing_country: issuing_country.clone(),
        ..capture::Options::default()
    })
}

async fn start_session(
    _admin: Admin,
    State(api): State<Api>,
    Key(key): Key,
    Json(input): Json<StartInput>,
) -> ApiResult<Value> {
    let raw_client = validate::required("clientId", &input.client_id)?.to_owned();
    let client_id = validate::id("client", &raw_client)?;
    let raw_template = input
        .workflow_template_id
        .clone()
        .unwrap_or_else(|| DEFAULT_TEMPLATE.to_owned());
    let template_id = validate::id("workflow template", &raw_template)?;
    let tasks = match &input.check_types {
        Some(list) => Some(check_types("checkTypes", list)?),
        None => None,
    };
    let capture = capture_options(&input.document_type, &input.issuing_country)?;
    let exists = api.store.read(&key, |t| t.clients.contains(&client_id));
    if !exists {
        return Err(ApiError::not_found("client", &raw_client));
    }
    let session = workflow_run::start(
        &api,
        &key,
        Start {
            client_id,
            template_id,
            tasks,
            capture,
            flow_session_id: None,
        },
    )
    .await?;
    let now = api.core.clocks.now(&key);
    let body = api.store.read(&key, |t| render(t, &session, now, true));
    Ok(axum::Json(body))
}
