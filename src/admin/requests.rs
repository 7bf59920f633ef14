//! `GET /__admin/requests`: the tenant's request journal, newest first.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;

use super::{Admin, AdminError, AdminQuery};
use crate::core::Core;
use crate::journal::{Filter, Listing};

pub(super) async fn list_requests(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminQuery(filter): AdminQuery<Filter>,
) -> Result<Json<Listing>, AdminError> {
    let tenant = admin.tenant()?;
    filter.check().map_err(AdminError::bad_request)?;
    Ok(Json(core.journal.list(tenant, &filter)))
}
