//! ComplyCube webhook events raised by resource changes, and the check
//! lifecycle that raises `check.completed*` / `check.failed` when a check's
//! completion time passes on its tenant's clock.
//!
//! Workflow sessions raise `workflow.session.completed` here too, once all
//! their checks are complete.
//!
//! An event is `{id, type, resourceType, payload, createdAt}`; it is built
//! and serialised once, then handed to the outbox with every enabled webhook
//! subscribed to its type (or to `*`).

use std::sync::Arc;

use serde_json::{Value, json};

use super::api::Api;
use super::error::ApiError;
use super::model::{Address, Client, Document};
use super::workflow_session::Stage;
use super::workflow_view::payload as session_payload;
use crate::delivery::Event;
use crate::ids::{Millis, ObjectId, iso_millis};
use crate::persist::Ack;

/// The vendor deliveries of these events go through (its webhook directory).
pub(crate) const VENDOR: &str = "complycube";

/// Queues `event_type` with `payload` for the tenant's matching webhooks
/// (those that existed by `at_or_before`, when given) and returns the
/// commit of the queued deliveries to wait for.
pub(crate) fn enqueue(
    api: &Api,
    key: &str,
    event_type: &str,
    payload: Value,
    at_or_before: Option<Millis>,
) -> Ack {
    enqueue_with(api, key, event_type, || payload, at_or_before)
}

/// [`enqueue`], building the payload only when some webhook wants it.
fn enqueue_with(
    api: &Api,
    key: &str,
    event_type: &str,
    payload: impl FnOnce() -> Value,
    at_or_before: Option<Millis>,
) -> Ack {
    let targets = api.store.read(key, |t| t.targets(event_type, at_or_before));
    if targets.is_empty() {
        return Ack::done();
    }
    let payload = payload();
    let now = api.core.clocks.now(key);
    let id = ObjectId::new(now).to_string();
    let resource_type = if event_type.starts_with("workflow.session.") {
        "workflowSession"
    } else {
        event_type.split('.').next().unwrap_or(event_type)
    };
    let subject = payload["id"].as_str().map(str::to_owned);
    let body = json!({
        "id": id,
        "type": event_type,
        "resourceType": resource_type,
        "payload": payload,
        "createdAt": iso_millis(now),
    });
    let Ok(bytes) = serde_json::to_vec(&body) else {
        return Ack::done();
    };
    let event = Arc::new(Event {
        id,
        kind: event_type.to_owned(),
        subject,
        body: bytes.into(),
        vendor: VENDOR,
    });
    api.core.outbox.enqueue(key, event, targets, now)
}

/// Raises `event_type` for the tenant's matching webhooks and returns once
/// the deliveries are durable (an acknowledged change always has its events).
pub(crate) async fn emit(
    api: &Api,
    key: &str,
    event_type: &str,
    payload: Value,
) -> Result<(), ApiError> {
    enqueue(api, key, event_type, payload, None)
        .wait()
        .await
        .map_err(ApiError::from)
}

pub(crate) fn client_payload(c: &Client) -> Value {
    json!({
        "id": c.id,
        "type": c.kind,
        "entityName": c.entity_name,
        "createdAt": iso_millis(c.created_at),
        "updatedAt": iso_millis(c.updated_at),
    })
}

/// A check summary as webhook events carry it.
pub(crate) fn check_payload(check: &Value) -> Value {
    let mut p = json!({
        "id": check["id"],
        "clientId": check["clientId"],
        "type": check["type"],
        "status": check["status"],
        "createdAt": check["createdAt"],
        "updatedAt": check["updatedAt"],
    });
    if let Some(o) = check.pointer("/result/outcome") {
        p["outcome"] = o.clone();
    }
    p
}

/// A new check: `check.pending`, then its completion, now (no delay) or
/// when its tenant's clock reaches `complete_at`.
pub(crate) async fn check_created(
    api: &Api,
    key: &str,
    check: &super::check::Check,
    body: &Value,
) -> Result<(), ApiError> {
    enqueue_with(api, key, "check.pending", || check_payload(body), None)
        .wait()
        .await
        .map_err(ApiError::from)?;
    if check.complete_at <= api.core.clocks.now(key) {
        if !api.core.durable.leads() {
            // The leader among replicas raises it (see `raise_due`).
            return Ok(());
        }
        check_due(api, key, check.id)
            .wait()
            .await
            .map_err(ApiError::from)
    } else {
        api.lifecycle.schedule(key, check.complete_at, check.id);
        Ok(())
    }
}

/// Called once a check's completion time has passed: emits `check.completed`
/// and `check.completed.<outcome>`, or `check.failed`, to the webhooks that
/// existed when it completed, once: the check then records that its events
/// were raised. A check not yet due (its tenant's clock was reset) is
/// scheduled again; a deleted one is ignored.
pub(crate) fn check_due(api: &Api, key: &str, id: ObjectId) -> Ack {
    let now = api.core.clocks.now(key);
    let rendered = api.store.read(key, |t| {
        let c = t.checks.get(&id)?;
        if !c.is_complete(now) {
            return Some(Err(c.complete_at));
        }
        // Raised already, or nobody to tell: skip rendering (the check
        // renders lazily on reads).
        if c.events_raised || t.webhooks.is_empty() {
            return None;
        }
        Some(Ok((super::render::render(t, c, now), c.complete_at)))
    });
    let (check, completed_at) = match rendered {
        None => return Ack::done(),
        Some(Err(at)) => {
            api.lifecycle.schedule(key, at, id);
            return Ack::done();
        }
        Some(Ok(r)) => r,
    };
    let payload = check_payload(&check);
    let mut acks = Vec::new();
    let at = Some(completed_at);
    if check["status"] == "failed" {
        acks.push(enqueue(api, key, "check.failed", payload, at));
    } else {
        let outcome = payload["outcome"].as_str().map(str::to_owned);
        acks.push(enqueue(api, key, "check.completed", payload.clone(), at));
        if let Some(o) = outcome {
            acks.push(enqueue(
                api,
                key,
                &format!("check.completed.{o}"),
                payload,
                at,
            ));
        }
    }
    // After the deliveries: a crash in between raises them again on restart.
    api.store.write_detached(key, |t, _| {
        if let Some(c) = t.checks.get_mut(&id) {
            c.events_raised = true;
        }
    });
    if let Some(client) = check["clientId"].as_str().and_then(ObjectId::parse) {
        acks.push(check_completed(api, key, client, id));
    }
    Ack::all(acks)
}

/// The leader among replicas: raises the events of every check that is
/// due and has not raised them (checks another replica created, or whose
/// leader died), and of their workflow sessions.
pub(crate) fn raise_due(api: &Api) {
    for key in api.store.tenant_keys() {
        let now = api.core.clocks.now(&key);
        let due: Vec<ObjectId> = api.store.read(&key, |t| {
            if t.webhooks.is_empty() {
                return Vec::new();
            }
            t.checks
                .iter_oldest()
                .filter(|c| !c.events_raised && c.is_complete(now))
                .map(|c| c.id)
                .collect()
        });
        for id in due {
            let _ = check_due(api, &key, id);
        }
    }
    resume_sessions(api);
}

/// After a restart: every stored check not yet complete is scheduled again,
/// and every complete one whose events were not raised raises them now.
pub(crate) fn resume(api: &Api) {
    resume_sessions(api);
    for key in api.store.tenant_keys() {
        let now = api.core.clocks.now(&key);
        let pending: Vec<(ObjectId, Millis, bool)> = api.store.read(&key, |t| {
            t.checks
                .iter_oldest()
                .filter(|c| !c.events_raised)
                .map(|c| (c.id, c.complete_at, c.is_complete(now)))
                .collect()
        });
        for (id, at, due) in pending {
            if due {
                let _ = check_due(api, &key, id);
            } else {
                api.lifecycle.schedule(&key, at, id);
            }
        }
    }
}

/// Raises `workflow.session.completed`, once, when the session's checks
/// are all complete (to the webhooks that existed then).
pub(crate) fn session_due(api: &Api, key: &str, id: ObjectId) -> Ack {
    let now = api.core.clocks.now(key);
    let due: Option<(serde_json::Value, Millis)> = api.store.read(key, |t| {
        let s = t.workflow_sessions.get(&id)?;
        if s.events_raised || t.webhooks.is_empty() {
            return None;
        }
        let at = s.completed_at(t, now)?;
        Some((session_payload(t, s, now), at))
    });
    let Some((body, at)) = due else {
        return Ack::done();
    };
    let ack = enqueue(api, key, "workflow.session.completed", body, Some(at));
    api.store.write_detached(key, |t, _| {
        if let Some(s) = t.workflow_sessions.get_mut(&id) {
            s.events_raised = true;
        }
    });
    ack
}

/// A check completed: its session may be complete now.
pub(crate) fn check_completed(api: &Api, key: &str, client: ObjectId, check: ObjectId) -> Ack {
    let session = api.store.read(key, |t| {
        t.workflow_sessions
            .of_owner(&client)
            .find(|s| s.checks.contains(&check))
            .map(|s| s.id)
    });
    session.map_or_else(Ack::done, |id| session_due(api, key, id))
}

/// After a restart: sessions whose completion was not raised raise it.
fn resume_sessions(api: &Api) {
    for key in api.store.tenant_keys() {
        let ids: Vec<ObjectId> = api.store.read(&key, |t| {
            t.workflow_sessions
                .iter_oldest()
                .filter(|s| s.stage == Stage::Processing && !s.events_raised)
                .map(|s| s.id)
                .collect()
        });
        for id in ids {
            let _ = session_due(api, &key, id);
        }
    }
}

/// `address.*` payload: the address as the API renders it.
pub(crate) fn address_payload(a: &Address) -> Value {
    serde_json::to_value(a).unwrap_or_default()
}

/// `document.*` payload: the document summary (no image list).
pub(crate) fn document_payload(d: &Document) -> Value {
    let mut v = json!({
        "id": d.id,
        "clientId": d.client_id,
        "type": d.kind,
        "createdAt": iso_millis(d.created_at),
        "updatedAt": iso_millis(d.updated_at),
    });
    if let (Some(c), Some(map)) = (&d.classification, v.as_object_mut()) {
        map.insert("classification".into(), json!(c));
    }
    if let (Some(c), Some(map)) = (&d.issuing_country, v.as_object_mut()) {
        map.insert("issuingCountry".into(), json!(c));
    }
    v
}
