//! Running a workflow session: starting one (the client's capture is in),
//! completing it (its tasks' checks run) and cancelling it. The API's
//! complete and cancel routes, the sandbox's start route and the hosted
//! Flow's completion all go through here. Raising `…completed` once the
//! checks are is [`super::events::session_due`].

use axum::http::HeaderMap;
use axum::response::Response;

use super::api::Api;
use super::audit::{self, Action};
use super::capture::{self, Capture};
use super::check_type::CheckType;
use super::checks::{CheckInput, Created, create_with};
use super::error::ApiError;
use super::events;
use super::facts::RequestFacts;
use super::model::ClientType;
use super::preconditions::Origin;
use super::workflow_session::{Stage, WorkflowSession};
use super::workflow_view::payload;
use crate::ids::ObjectId;
use crate::scenario::Selected;

/// A session to start.
pub(crate) struct Start {
    pub(crate) client_id: ObjectId,
    pub(crate) template_id: ObjectId,
    /// The checks its tasks run; `None`: the template's.
    pub(crate) tasks: Option<Vec<CheckType>>,
    pub(crate) capture: capture::Options,
    pub(crate) flow_session_id: Option<ObjectId>,
}

fn not_found(raw: &str) -> ApiError {
    ApiError::not_found("workflow session", raw)
}

/// 422 when the session is not `started`, the only status that can be
/// completed or cancelled.
fn not_started(s: &WorkflowSession, status: &str, verb: &str) -> ApiError {
    ApiError::processing(
        "invalid_workflow_session_status",
        format!(
            "The workflow session '{}' is '{status}'; only a 'started' session can be {verb}",
            s.id
        ),
    )
}

/// Raises a `workflow.session.*` event for the session as it reads now.
async fn raise(api: &Api, key: &str, event: &str, id: ObjectId) -> Result<(), ApiError> {
    let now = api.core.clocks.now(key);
    let body = api.store.read(key, |t| {
        t.workflow_sessions.get(&id).map(|s| payload(t, s, now))
    });
    match body {
        Some(p) => events::emit(api, key, event, p).await,
        None => Ok(()),
    }
}

/// Starts a session: captures what its tasks need and raises
/// `workflow.session.started`.
pub(crate) async fn start(api: &Api, key: &str, s: Start) -> Result<WorkflowSession, ApiError> {
    let now = api.core.clocks.now(key);
    let id = ObjectId::new(now);
    let (session, raised) = api
        .store
        .write(key, |t, batch| {
            let client = t
                .clients
                .get(&s.client_id)
                .cloned()
                .ok_or_else(|| ApiError::not_found("client", &s.client_id.to_string()))?;
            let person = client.kind == ClientType::Person;
            let tasks = match &s.tasks {
                Some(list) => {
                    if let Some(k) = list.iter().find(|k| k.person_only() && !person) {
                        return Err(ApiError::invalid(
                            "clientId",
                            format!(
                                "A '{}' can only be performed on a client of type 'person'",
                                k.as_str()
                            ),
                        ));
                    }
                    list.clone()
                }
                None => super::workflow_session::DEFAULT_TASKS
                    .into_iter()
                    .filter(|k| person || !k.person_only())
                    .collect(),
            };
            let (captured, raised) = capture::capture(
                t,
                batch,
                &Capture {
                    key,
                    client_id: s.client_id,
                    kinds: &tasks,
                    seed: id,
                    opts: &s.capture,
                    now,
                },
            )?;
            let session = WorkflowSession {
                id,
                client_id: s.client_id,
                entity_name: client.entity_name.clone(),
                template_id: s.template_id,
                tasks,
                captured,
                stage: Stage::Started,
                checks: Vec::new(),
                scenario: None,
                flow_session_id: s.flow_session_id,
                created_at: now,
                updated_at: now,
                events_raised: false,
            };
            t.workflow_sessions
                .insert(id, Some(s.client_id), session.clone());
            Ok((session, raised))
        })
        .await?;
    for (event, body) in raised {
        events::emit(api, key, event, body).await?;
    }
    raise(api, key, "workflow.session.started", id).await?;
    Ok(session)
}

/// How a completion is decided and recorded.
pub(crate) struct Completion<'a> {
    pub(crate) headers: &'a HeaderMap,
    /// The outcome a sandbox completion asked for, deciding the session and
    /// its checks; `None`: the engine decides each.
    pub(crate) given: Option<Selected>,
    /// Completed through the API (recorded in the audit log).
    pub(crate) via_api: bool,
}

/// Completes a started session: it turns `processing`, raises
/// `workflow.session.processing`, and its tasks' checks run on what was
/// captured. A check a scenario answers for (an error) or whose
/// preconditions fail is left out. `Err(response)`: a scenario answered.
pub(crate) async fn complete(
    api: &Api,
    key: &str,
    raw_id: &str,
    c: Completion<'_>,
) -> Result<Result<WorkflowSession, Response>, ApiError> {
    let id = super::validate::id("workflow session", raw_id).map_err(|_| not_found(raw_id))?;
    let now = api.core.clocks.now(key);
    let (session, client) = api.store.read(key, |t| {
        let s = t
            .workflow_sessions
            .get(&id)
            .ok_or_else(|| not_found(raw_id))?;
        if s.stage != Stage::Started {
            return Err(not_started(s, s.status(t, now), "completed"));
        }
        let client = t.clients.get(&s.client_id).cloned();
        Ok((s.clone(), client))
    })?;
    let client = client.ok_or_else(|| not_found(raw_id))?;
    let selected = match &c.given {
        Some(given) => given.clone(),
        None => {
            let facts = RequestFacts {
                check_type: None,
                client: &client,
            };
            match api
                .decide(key, "workflowSessions", &facts, c.headers, &[])
                .await
            {
                Ok(s) => s,
                Err(answered) => return Ok(Err(answered)),
            }
        }
    };
    let now = api.core.clocks.now(key);
    api.store
        .write(key, |t, _| {
            let moved = Move {
                to: Stage::Processing,
                verb: "completed",
                trigger: c.via_api.then_some("completeWorkflowSession"),
            };
            moved.apply(t, id, raw_id, now, |s| {
                s.scenario = selected.scenario.clone();
            })
        })
        .await?;
    raise(api, key, "workflow.session.processing", id).await?;
    for kind in session.tasks.clone() {
        let input = CheckInput::for_task(session.client_id, kind, &session.captured);
        let created = create_with(
            api,
            key,
            c.headers,
            &input,
            Origin::Workflow,
            c.given.clone(),
        )
        .await;
        let check = match created {
            Ok(Created::Check { check, .. }) => Some(check.id),
            Ok(Created::Answered(_)) => None,
            Err(e) => {
                tracing::info!(session = %id, check = kind.as_str(), error = %e.message, "a workflow task's check did not run");
                None
            }
        };
        api.store
            .write(key, |t, _| {
                if let Some(s) = t.workflow_sessions.get_mut(&id) {
                    match check {
                        Some(cid) => s.checks.push(cid),
                        None => {
                            if let Some(i) = s.tasks.iter().position(|k| *k == kind) {
                                s.tasks.remove(i);
                            }
                        }
                    }
                }
                Ok(())
            })
            .await?;
    }
    events::session_due(api, key, id)
        .wait()
        .await
        .map_err(ApiError::from)?;
    let done = api
        .store
        .read(key, |t| t.workflow_sessions.get(&id).cloned())
        .ok_or_else(|| not_found(raw_id))?;
    Ok(Ok(done))
}

/// A started session moving on (completed: to processing; cancelled).
struct Move {
    to: Stage,
    /// What the 422 for a session that is not started says it cannot be.
    verb: &'static str,
    /// The audit-log trigger, when the tenant's own API call moved it.
    trigger: Option<&'static str>,
}

impl Move {
    /// Moves session `id` of `t` if it is started (else 404 or 422), with
    /// `edit` applied, and logs the change when asked; answers the session.
    fn apply(
        &self,
        t: &mut super::tenant::Tenant,
        id: ObjectId,
        raw_id: &str,
        now: i64,
        edit: impl FnOnce(&mut WorkflowSession),
    ) -> Result<WorkflowSession, ApiError> {
        let current = t
            .workflow_sessions
            .get(&id)
            .ok_or_else(|| not_found(raw_id))?;
        if current.stage != Stage::Started {
            return Err(not_started(current, current.status(t, now), self.verb));
        }
        let before = self
            .trigger
            .map(|_| super::workflow_view::render(t, current, now, false));
        let s = t
            .workflow_sessions
            .get_mut(&id)
            .ok_or_else(|| not_found(raw_id))?;
        s.stage = self.to;
        s.updated_at = now;
        edit(s);
        let s = s.clone();
        if let Some(trigger) = self.trigger {
            let after = super::workflow_view::render(t, &s, now, false);
            let change = audit::Change {
                resource_type: "workflowSession",
                resource_id: id,
                client_id: Some(s.client_id),
                trigger,
                action: Action::Update,
            };
            t.audit(now, change, before, Some(after));
        }
        Ok(s)
    }
}

/// Cancels a started session and raises `workflow.session.cancelled`.
pub(crate) async fn cancel(
    api: &Api,
    key: &str,
    raw_id: &str,
    via_api: bool,
) -> Result<WorkflowSession, ApiError> {
    let id = super::validate::id("workflow session", raw_id).map_err(|_| not_found(raw_id))?;
    let now = api.core.clocks.now(key);
    let session = api
        .store
        .write(key, |t, _| {
            let moved = Move {
                to: Stage::Cancelled,
                verb: "cancelled",
                trigger: via_api.then_some("cancelWorkflowSession"),
            };
            moved.apply(t, id, raw_id, now, |_| {})
        })
        .await?;
    raise(api, key, "workflow.session.cancelled", id).await?;
    Ok(session)
}
