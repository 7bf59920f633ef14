//! `POST /__admin/reset`: forget a tenant (or, with `?all=true`, every tenant).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, AdminError, AdminQuery};
use crate::core::Core;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct ResetQuery {
    all: Option<bool>,
}

pub(super) async fn reset(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminQuery(q): AdminQuery<ResetQuery>,
) -> Result<Json<Value>, AdminError> {
    if q.all.unwrap_or(false) {
        core.reset_all().wait().await?;
        return Ok(Json(json!({"reset": "all"})));
    }
    core.reset_tenant(admin.tenant()?).wait().await?;
    Ok(Json(json!({"reset": "tenant"})))
}
