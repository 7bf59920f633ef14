//! `GET /__admin/export` and `POST /__admin/import`: the caller's tenant as
//! one JSON document, and such a document loaded into the caller's tenant.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, AdminError, AdminJson, AdminQuery};
use crate::core::Core;
use crate::ids::iso_millis;
use crate::transfer::{self, Document, ImportError};

pub(super) async fn export(
    admin: Admin,
    State(core): State<Arc<Core>>,
) -> Result<Json<Document>, AdminError> {
    let tenant = admin.tenant()?;
    let at = iso_millis(core.clocks.now(tenant));
    Ok(Json(transfer::export(&core, tenant, at)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct ImportQuery {
    replace: Option<bool>,
}

pub(super) async fn import(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminQuery(q): AdminQuery<ImportQuery>,
    AdminJson(doc): AdminJson<Document>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let tenant = admin.tenant()?;
    let records = doc.len();
    match transfer::import(&core, tenant, doc, q.replace.unwrap_or(false)) {
        Ok(ack) => {
            ack.wait().await?;
            Ok((
                StatusCode::OK,
                Json(json!({"imported": records, "tenant": tenant})),
            ))
        }
        Err(ImportError::Invalid(why)) => Err(AdminError::bad_request(why)),
        Err(ImportError::Collision(ids)) => Err(AdminError {
            status: StatusCode::CONFLICT,
            error: "conflict",
            message: format!(
                "The tenant already holds {} of these records ({}); send ?replace=true to replace the tenant",
                ids.len(),
                ids.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}
