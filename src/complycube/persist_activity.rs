//! Hosted Flow sessions, workflow sessions and the audit log as durable
//! records, beside the resources of [`super::persist`]. A workflow session
//! keeps the digest of the scenario that decided it, as a check does.

use serde::{Deserialize, Serialize};

use super::audit::AuditEntry;
use super::check_type::CheckType;
use super::flow_session::FlowSession;
use super::tenant::Tenant;
use super::workflow_session::{Captured, Stage, WorkflowSession};
use crate::ids::{Millis, ObjectId};
use crate::persist::{Batch, Change, Durable, Record};
use crate::scenario::stored::{self as scenarios, Restored};

const FLOW_SESSION: &str = "complycube.flow_session";
const WORKFLOW_SESSION: &str = "complycube.workflow_session";
const AUDIT_LOG: &str = "complycube.audit_log";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredSession {
    id: ObjectId,
    client_id: ObjectId,
    entity_name: String,
    template_id: ObjectId,
    tasks: Vec<String>,
    #[serde(default)]
    captured: Captured,
    stage: Stage,
    #[serde(default)]
    checks: Vec<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scenario: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flow_session_id: Option<ObjectId>,
    created_at: Millis,
    updated_at: Millis,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    events_raised: bool,
}

impl StoredSession {
    fn of(s: &WorkflowSession) -> Self {
        StoredSession {
            id: s.id,
            client_id: s.client_id,
            entity_name: s.entity_name.clone(),
            template_id: s.template_id,
            tasks: s.tasks.iter().map(|k| k.as_str().to_owned()).collect(),
            captured: s.captured.clone(),
            stage: s.stage,
            checks: s.checks.clone(),
            scenario: s.scenario.as_ref().map(|sc| sc.digest.clone()),
            flow_session_id: s.flow_session_id,
            created_at: s.created_at,
            updated_at: s.updated_at,
            events_raised: s.events_raised,
        }
    }

    fn into_session(self, scenarios: &Restored) -> Result<WorkflowSession, String> {
        let tasks = self
            .tasks
            .iter()
            .map(|k| CheckType::parse(k).ok_or_else(|| format!("unknown check type '{k}'")))
            .collect::<Result<_, _>>()?;
        Ok(WorkflowSession {
            id: self.id,
            client_id: self.client_id,
            entity_name: self.entity_name,
            template_id: self.template_id,
            tasks,
            captured: self.captured,
            stage: self.stage,
            checks: self.checks,
            scenario: self.scenario.and_then(|d| scenarios.get(&d)),
            flow_session_id: self.flow_session_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            events_raised: self.events_raised,
        })
    }
}

fn record<T: Serialize>(
    tenant: &str,
    kind: &str,
    id: ObjectId,
    owner: Option<ObjectId>,
    v: &T,
) -> Record {
    Record {
        tenant: tenant.to_owned(),
        kind: kind.to_owned(),
        id: id.to_string(),
        owner: owner.map(|o| o.to_string()),
        body: serde_json::to_vec(v).unwrap_or_default(),
        data: None,
    }
}

fn flow_record(tenant: &str, s: &FlowSession) -> Record {
    record(tenant, FLOW_SESSION, s.id, Some(s.client_id), s)
}

fn session_record(tenant: &str, s: &WorkflowSession) -> Record {
    record(
        tenant,
        WORKFLOW_SESSION,
        s.id,
        Some(s.client_id),
        &StoredSession::of(s),
    )
}

fn audit_record(tenant: &str, e: &AuditEntry) -> Record {
    record(tenant, AUDIT_LOG, e.id, e.client_id, e)
}

/// Turns every session and audit entry a write touched into a record put
/// or delete.
pub(crate) fn drain(t: &mut Tenant, tenant: &str, durable: &Durable, batch: &mut Batch) {
    let on = batch.enabled();
    for id in t.flow_sessions.take_dirty() {
        match t.flow_sessions.get(&id) {
            Some(s) if on => batch.push(Change::Put(flow_record(tenant, s))),
            None if on => batch.delete(tenant, FLOW_SESSION, &id.to_string()),
            _ => {}
        }
    }
    for id in t.workflow_sessions.take_dirty() {
        match t.workflow_sessions.get(&id) {
            Some(s) if on => {
                if let Some(sc) = &s.scenario {
                    scenarios::put(batch, durable, sc);
                }
                batch.push(Change::Put(session_record(tenant, s)));
            }
            None if on => batch.delete(tenant, WORKFLOW_SESSION, &id.to_string()),
            _ => {}
        }
    }
    for id in t.audit_log.take_dirty() {
        match t.audit_log.get(&id) {
            Some(e) if on => batch.push(Change::Put(audit_record(tenant, e))),
            None if on => batch.delete(tenant, AUDIT_LOG, &id.to_string()),
            _ => {}
        }
    }
}

fn parse<'a, T: Deserialize<'a>>(r: &'a Record) -> Result<T, String> {
    serde_json::from_slice(&r.body).map_err(|e| format!("{} {}: {e}", r.kind, r.id))
}

/// Puts one stored record of these kinds back; `Ok(false)` when the kind
/// is not one of them.
pub(crate) fn restore_one(
    t: &mut Tenant,
    r: &Record,
    scenarios: &Restored,
) -> Result<bool, String> {
    match r.kind.as_str() {
        FLOW_SESSION => {
            let s: FlowSession = parse(r)?;
            t.flow_sessions.upsert(s.id, Some(s.client_id), s);
        }
        WORKFLOW_SESSION => {
            let stored: StoredSession = parse(r)?;
            let s = stored.into_session(scenarios)?;
            t.workflow_sessions.upsert(s.id, Some(s.client_id), s);
        }
        AUDIT_LOG => {
            let e: AuditEntry = parse(r)?;
            t.audit_log.upsert(e.id, e.client_id, e);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Forgets one record of these kinds.
pub(crate) fn forget(t: &mut Tenant, kind: &str, id: &crate::ids::ObjectId) {
    match kind {
        FLOW_SESSION => drop(t.flow_sessions.remove(id)),
        WORKFLOW_SESSION => drop(t.workflow_sessions.remove(id)),
        AUDIT_LOG => drop(t.audit_log.remove(id)),
        _ => {}
    }
}

/// Every record of these kinds one tenant holds, with the scenarios its
/// workflow sessions refer to (unless `seen` has them already).
pub(crate) fn export(
    t: &Tenant,
    tenant: &str,
    seen: &mut std::collections::HashSet<String>,
) -> Vec<Record> {
    let mut out = Vec::new();
    for s in t.flow_sessions.iter_oldest() {
        out.push(flow_record(tenant, s));
    }
    for s in t.workflow_sessions.iter_oldest() {
        if let Some(sc) = &s.scenario {
            if seen.insert(sc.digest.clone()) {
                out.push(scenarios::record(sc));
            }
        }
        out.push(session_record(tenant, s));
    }
    for e in t.audit_log.iter_oldest() {
        out.push(audit_record(tenant, e));
    }
    out
}

/// Whether the tenant holds a record of these kinds with this id.
pub(crate) fn contains(t: &Tenant, r: &Record) -> bool {
    let Some(id) = ObjectId::parse(&r.id) else {
        return false;
    };
    match r.kind.as_str() {
        FLOW_SESSION => t.flow_sessions.contains(&id),
        WORKFLOW_SESSION => t.workflow_sessions.contains(&id),
        AUDIT_LOG => t.audit_log.contains(&id),
        _ => false,
    }
}
