//! `/__admin/faults`: the tenant's fault profile.

use std::sync::Arc;

use axum::extract::State;
use serde_json::{Value, json};

use super::{Admin, AdminError, AdminJson};
use crate::core::Core;
use crate::faults::Profile;

fn view(core: &Core, tenant: &str) -> Value {
    json!({
        "source": if core.faults.has_custom(tenant) { "tenant" } else { "global" },
        "profile": core.faults.profile(tenant),
    })
}

pub(super) async fn get_faults(
    admin: Admin,
    State(core): State<Arc<Core>>,
) -> Result<axum::Json<Value>, AdminError> {
    Ok(axum::Json(view(&core, admin.tenant()?)))
}

pub(super) async fn put_faults(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminJson(p): AdminJson<Profile>,
) -> Result<axum::Json<Value>, AdminError> {
    let tenant = admin.tenant()?;
    let p = Profile {
        error_status: if p.error_status == 0 {
            500
        } else {
            p.error_status
        },
        ..p
    };
    p.validate().map_err(AdminError::bad_request)?;
    core.faults.set_profile(tenant, Some(p)).wait().await?;
    Ok(axum::Json(view(&core, tenant)))
}

pub(super) async fn clear_faults(
    admin: Admin,
    State(core): State<Arc<Core>>,
) -> Result<axum::Json<Value>, AdminError> {
    let tenant = admin.tenant()?;
    core.faults.set_profile(tenant, None).wait().await?;
    Ok(axum::Json(view(&core, tenant)))
}
