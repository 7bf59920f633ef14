//! `/v1/auditLogs`: the tenant's own changes, newest first ([`super::audit`]),
//! and how handlers record them ([`Tenant::audit`]).
//! Lists filter on `resourceType`, `resourceId`, `clientId`, `trigger`,
//! `action` and `memberId` (entries made with the API key have none) and
//! leave `diff` out, as ComplyCube's list example does.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use serde_json::Value;

use super::api::{Api, Key};
use super::audit::{AuditEntry, Change, MAX_ENTRIES, render};
use super::error::{ApiError, ApiResult};
use super::list::{ListQuery, ListResponse, json_matches};
use super::tenant::Tenant;
use super::validate;
use crate::ids::{Millis, ObjectId};

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/auditLogs", get(list_audit_logs))
        .route("/auditLogs/{id}", get(get_audit_log))
}

impl Tenant {
    /// Records a change with the resource before and after it (either may
    /// be absent), forgetting the oldest entry beyond [`MAX_ENTRIES`].
    pub(crate) fn audit(
        &mut self,
        now: Millis,
        change: Change<'_>,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        let entry = AuditEntry {
            id: ObjectId::new(now),
            resource_type: change.resource_type.to_owned(),
            resource_id: change.resource_id,
            client_id: change.client_id,
            trigger: change.trigger.to_owned(),
            action: change.action,
            before,
            after,
            created_at: now,
        };
        self.audit_log.insert(entry.id, entry.client_id, entry);
        while self.audit_log.len() > MAX_ENTRIES {
            let Some(oldest) = self.audit_log.iter_oldest().next().map(|e| e.id) else {
                break;
            };
            self.audit_log.remove(&oldest);
        }
    }
}

async fn get_audit_log(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<Value> {
    let oid = validate::id("audit log", &id)?;
    api.store
        .read(&key, |t| t.audit_log.get(&oid).map(|e| render(e, true)))
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("audit log", &id))
}

async fn list_audit_logs(
    State(api): State<Api>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<ListResponse<Value>> {
    let q = ListQuery::parse(&raw)?;
    let (total, items) = api.store.read(&key, |t| {
        let keep = |e: &AuditEntry| {
            if q.impossible || !q.in_time(e.created_at, e.created_at) {
                return false;
            }
            let v = render(e, false);
            q.filters.iter().all(|(k, want)| json_matches(&v, k, want))
        };
        let keep_ref: &dyn Fn(&AuditEntry) -> bool = &keep;
        let p = t.audit_log.page(
            None,
            q.has_conditions().then_some(keep_ref),
            q.page,
            q.page_size,
        );
        (
            p.total,
            p.items.into_iter().map(|e| render(e, false)).collect(),
        )
    });
    Ok(axum::Json(ListResponse::new(&q, total, items)))
}
