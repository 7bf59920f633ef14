//! How a workflow session reads at a tenant time. Its status follows its
//! checks: `processing` until all of them are complete, then `complete`
//! with an overall outcome.

use serde_json::{Map, Value, json};

use super::render::outcome as check_outcome;
use super::tenant::Tenant;
use super::workflow_session::{Stage, WorkflowSession};
use crate::ids::{Millis, iso_millis};

impl WorkflowSession {
    /// When the session became `complete` (all its tasks' checks complete
    /// at `now`), if it has.
    pub(crate) fn completed_at(&self, t: &Tenant, now: Millis) -> Option<Millis> {
        if self.stage != Stage::Processing || self.checks.len() < self.tasks.len() {
            return None;
        }
        let mut at = self.updated_at;
        for id in &self.checks {
            let c = t.checks.get(id)?;
            if !c.is_complete(now) {
                return None;
            }
            at = at.max(c.complete_at);
        }
        Some(at)
    }

    pub(crate) fn status(&self, t: &Tenant, now: Millis) -> &'static str {
        match self.stage {
            Stage::Started => "started",
            Stage::Cancelled => "cancelled",
            Stage::Processing if self.completed_at(t, now).is_some() => "complete",
            Stage::Processing => "processing",
        }
    }

    /// The overall outcome of a complete session: the scenario's (`clear`
    /// or `attention`) when it names one, otherwise `clear` when every
    /// check is clear and `attention` when any is not.
    pub(crate) fn outcome(&self, t: &Tenant, now: Millis) -> Option<&'static str> {
        self.completed_at(t, now)?;
        let forced = self
            .scenario
            .as_ref()
            .and_then(|s| s.effect.text("outcome"))
            .and_then(|o| ["clear", "attention"].into_iter().find(|k| *k == o));
        if forced.is_some() {
            return forced;
        }
        let all_clear = self
            .checks
            .iter()
            .filter_map(|id| t.checks.get(id))
            .all(|c| c.status(now) == "complete" && check_outcome(t, c) == "clear");
        Some(if all_clear { "clear" } else { "attention" })
    }
}

/// The session as ComplyCube answers it: the list form, or with `full`
/// its tasks, related checks and policies too.
pub(crate) fn render(t: &Tenant, s: &WorkflowSession, now: Millis, full: bool) -> Value {
    let status = s.status(t, now);
    let completed = s.completed_at(t, now);
    let mut m = Map::new();
    m.insert("id".into(), json!(s.id));
    m.insert("clientId".into(), json!(s.client_id));
    m.insert("entityName".into(), json!(s.entity_name));
    m.insert("status".into(), json!(status));
    m.insert("workflowTemplateId".into(), json!(s.template_id));
    m.insert("workflowId".into(), json!(s.version_id()));
    m.insert(
        "workflowTemplateName".into(),
        json!("AML + Liveness + Document Verification flow"),
    );
    m.insert("workflowVersion".into(), json!(1));
    if full {
        m.insert(
            "workflowTemplateDescription".into(),
            json!("The sandbox's workflow template"),
        );
        m.insert("workflowDescription".into(), json!("Initial version"));
        m.insert("compliancePolicies".into(), json!([]));
        let tasks: Vec<Value> = s
            .tasks
            .iter()
            .enumerate()
            .map(|(i, kind)| {
                let check = s.checks.get(i).and_then(|id| t.checks.get(id));
                let task_status = match (s.stage, check) {
                    (Stage::Cancelled, _) => "cancelled",
                    (_, Some(c)) if c.is_complete(now) => "complete",
                    (_, Some(_)) => "processing",
                    (_, None) => "pending",
                };
                json!({"id": s.task_id(i), "type": "check", "checkType": kind.as_str(), "status": task_status})
            })
            .collect();
        m.insert("tasks".into(), Value::Array(tasks));
        if completed.is_some() && !s.tasks.is_empty() {
            m.insert(
                "lastCompletedTaskId".into(),
                json!(s.task_id(s.tasks.len() - 1)),
            );
        }
        let related: Vec<Value> = s
            .checks
            .iter()
            .enumerate()
            .filter_map(|(i, id)| {
                let c = t.checks.get(id)?;
                Some(json!({"checkId": id, "type": c.kind.as_str(), "taskId": s.task_id(i)}))
            })
            .collect();
        m.insert("allRelatedChecks".into(), Value::Array(related));
    }
    if let Some(o) = s.outcome(t, now) {
        m.insert("outcome".into(), json!(o));
    }
    m.insert("createdAt".into(), json!(iso_millis(s.created_at)));
    if let Some(at) = completed.filter(|_| full) {
        m.insert("completedAt".into(), json!(iso_millis(at)));
    }
    let updated = completed.map_or(s.updated_at, |at| at.max(s.updated_at));
    m.insert("updatedAt".into(), json!(iso_millis(updated)));
    if full {
        m.insert("policyAssurance".into(), json!([]));
    }
    Value::Object(m)
}

/// The payload of `workflow.session.*` events.
pub(crate) fn payload(t: &Tenant, s: &WorkflowSession, now: Millis) -> Value {
    let mut p = render(t, s, now, false);
    if let Some(m) = p.as_object_mut() {
        for k in [
            "entityName",
            "workflowId",
            "workflowTemplateName",
            "workflowVersion",
        ] {
            m.remove(k);
        }
    }
    p
}
