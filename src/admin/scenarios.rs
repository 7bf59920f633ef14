//! `/__admin/scenarios`: the catalog, and arming or disarming scenarios for a tenant.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, AdminError, AdminJson};
use crate::core::Core;
use crate::fixtures::{describe_armed, describe_trigger};
use crate::scenario::Scenario;

/// The catalog entry of one scenario.
fn describe(s: &Scenario, source: &str, remaining: Option<u32>) -> Value {
    let trigger = if source == "armed" {
        describe_armed(s, remaining)
    } else {
        s.trigger.clone().unwrap_or_else(|| describe_trigger(s))
    };
    let mut v = json!({
        "name": s.name,
        "description": s.description,
        "trigger": trigger,
        "source": source,
        "match": s.rules,
        "effect": s.effect,
    });
    if let Some(file) = &s.file {
        v["file"] = json!(file);
    }
    if source == "armed" {
        v["remainingUses"] = json!(remaining);
    }
    v
}

pub(super) async fn list_scenarios(admin: Admin, State(core): State<Arc<Core>>) -> Json<Value> {
    let catalog = core.scenarios.catalog();
    let fixtures: Vec<Value> = catalog
        .scenarios
        .iter()
        .map(|s| describe(s, "fixture", None))
        .collect();
    let armed: Vec<Value> = admin
        .tenant
        .as_deref()
        .map(|t| core.scenarios.armed(t))
        .unwrap_or_default()
        .iter()
        .map(|(s, n)| describe(s, "armed", *n))
        .collect();
    Json(json!({
        "precedence": ["armed", "header", "fixture", "default"],
        "armed": armed,
        "scenarios": fixtures,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ArmRequest {
    /// Arm a catalog scenario by name …
    name: Option<String>,
    /// … or define one inline.
    scenario: Option<Scenario>,
    /// Only for the next N matching requests.
    times: Option<u32>,
}

pub(super) async fn add_scenario(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminJson(req): AdminJson<ArmRequest>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let tenant = admin.tenant()?;
    if req.times == Some(0) {
        return Err(AdminError::bad_request("'times' must be at least 1"));
    }
    let scenario = match (req.scenario, req.name) {
        (Some(_), Some(_)) => {
            return Err(AdminError::bad_request(
                "Send either 'name' (a catalog scenario) or 'scenario' (inline), not both",
            ));
        }
        (Some(s), None) => core.scenarios.compile(s).map_err(AdminError::bad_request)?,
        (None, Some(name)) => {
            let catalog = core.scenarios.catalog();
            match catalog.get(&name) {
                Some(s) => s.armed_form(),
                None => {
                    let close = catalog.suggest(&name);
                    return Err(AdminError::not_found(format!(
                        "No scenario named '{name}'{}",
                        if close.is_empty() {
                            String::new()
                        } else {
                            format!("; did you mean: {}", close.join(", "))
                        }
                    )));
                }
            }
        }
        (None, None) => {
            return Err(AdminError::bad_request(
                "Send 'name' (a catalog scenario) or 'scenario' (inline)",
            ));
        }
    };
    let view = describe(&scenario, "armed", req.times);
    core.scenarios
        .armed_set()
        .arm(tenant, scenario, req.times)
        .wait()
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

pub(super) async fn remove_scenario(
    admin: Admin,
    State(core): State<Arc<Core>>,
    Path(name): Path<String>,
) -> Result<StatusCode, AdminError> {
    if let Some(ack) = core.scenarios.armed_set().disarm(admin.tenant()?, &name) {
        ack.wait().await?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::not_found(format!(
            "No armed scenario named '{name}' for this tenant"
        )))
    }
}
