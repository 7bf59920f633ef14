//! Lists of one client's records (`GET /v1/<resource>?clientId=`): the
//! owner index narrows the walk; time bounds and the remaining equality
//! filters apply to the rendered record.

use std::collections::HashMap;

use super::error::ApiError;
use super::list::{ListQuery, ListResponse, json_matches};
use super::model::Stamped;
use super::store::Store;
use super::tenant::Tenant;
use crate::ids::ObjectId;
use crate::store::Table;

/// One page of a client's records.
pub(crate) fn client_page<T: Stamped + Clone>(
    table: &Table<T>,
    client: &ObjectId,
    q: &ListQuery,
) -> (usize, Vec<T>) {
    let keep = |r: &T| {
        if q.impossible || !q.in_time(r.created_at(), r.updated_at()) {
            return false;
        }
        if q.filters.is_empty() {
            return true;
        }
        let v = serde_json::to_value(r).unwrap_or_default();
        q.filters.iter().all(|(k, want)| json_matches(&v, k, want))
    };
    let keep_ref: &dyn Fn(&T) -> bool = &keep;
    let p = table.page(
        Some(client),
        q.has_conditions().then_some(keep_ref),
        q.page,
        q.page_size,
    );
    (p.total, p.items.into_iter().cloned().collect())
}

/// The list of one client's records: `clientId` is required (400 when
/// absent, 404 `Invalid client id` when malformed or unknown in the tenant).
pub(crate) fn list_by_client<T: Stamped + Clone>(
    store: &Store,
    key: &str,
    raw: &HashMap<String, String>,
    table: impl FnOnce(&Tenant) -> &Table<T>,
) -> Result<ListResponse<T>, ApiError> {
    let mut q = ListQuery::parse(raw)?;
    let raw_id = q
        .take("clientId")
        .ok_or_else(|| ApiError::missing("clientId"))?;
    let client = super::validate::id("client", &raw_id)?;
    let (total, items) = store.read(key, |t| {
        if !t.clients.contains(&client) {
            return Err(ApiError::not_found("client", &raw_id));
        }
        Ok(client_page(table(t), &client, &q))
    })?;
    Ok(ListResponse::new(&q, total, items))
}
