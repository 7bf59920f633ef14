//! The sandbox's own API under `/__admin`, in our own JSON.
//!
//! The tenant is chosen by the same `Authorization` value as the vendor APIs.
//! When `--admin-token` is set, every call must also send
//! `X-Admin-Token: <token>`. This module is vendor-neutral: it sees the
//! [`Core`] only, never a vendor module.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{Core, tenant_key};
use crate::journal::Filter;
use crate::scenario::Scenario;

/// An admin error: `{"error": "...", "message": "..."}`.
#[derive(Debug)]
pub struct AdminError {
    pub status: StatusCode,
    pub error: &'static str,
    pub message: String,
}

impl AdminError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AdminError {
            status: StatusCode::BAD_REQUEST,
            error: "bad_request",
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        AdminError {
            status: StatusCode::NOT_FOUND,
            error: "not_found",
            message: message.into(),
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": self.error, "message": self.message})),
        )
            .into_response()
    }
}

impl From<crate::body::BodyError> for AdminError {
    fn from(e: crate::body::BodyError) -> Self {
        let status = match e {
            crate::body::BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        AdminError {
            status,
            error: "bad_request",
            message: e.describe(),
        }
    }
}

/// A JSON body with admin-shaped errors.
pub struct AdminJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S>
    for AdminJson<T>
{
    type Rejection = AdminError;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, AdminError> {
        Ok(AdminJson(crate::body::read_json(req).await?))
    }
}

/// Query parameters with admin-shaped errors (axum's own rejection is plain text).
pub struct AdminQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for AdminQuery<T> {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AdminError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| AdminQuery(q))
            .map_err(|e| AdminError::bad_request(format!("Bad query string: {}", e.body_text())))
    }
}

/// Admin access: checks the admin token and yields the tenant (if any).
pub struct Admin {
    pub tenant: Option<String>,
}

impl Admin {
    pub fn tenant(&self) -> Result<&str, AdminError> {
        self.tenant.as_deref().ok_or_else(|| {
            AdminError::bad_request(
                "Send the tenant's API key or token in 'Authorization' to choose the tenant",
            )
        })
    }
}

impl<S> FromRequestParts<S> for Admin
where
    S: Send + Sync,
    Arc<Core>: FromRef<S>,
{
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AdminError> {
        let core = Arc::<Core>::from_ref(state);
        if let Some(token) = &core.config.admin_token {
            let sent = parts
                .headers
                .get("x-admin-token")
                .and_then(|v| v.to_str().ok());
            if sent != Some(token.as_str()) {
                return Err(AdminError {
                    status: StatusCode::UNAUTHORIZED,
                    error: "unauthorized",
                    message: "This sandbox requires 'X-Admin-Token' on /__admin calls".into(),
                });
            }
        }
        Ok(Admin {
            tenant: tenant_key(&parts.headers).map(str::to_owned),
        })
    }
}

pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Core>: FromRef<S>,
{
    Router::new()
        .route("/health", get(health))
        .route("/scenarios", get(list_scenarios).post(add_scenario))
        .route("/scenarios/{name}", delete(remove_scenario))
        .route("/reset", post(reset))
        .route("/requests", get(list_requests))
        .route("/clock", get(get_clock))
        .route("/clock/advance", post(advance_clock))
        .route("/clock/freeze", post(freeze_clock))
        .route("/clock/unfreeze", post(unfreeze_clock))
        .fallback(admin_unknown)
        .method_not_allowed_fallback(admin_method_not_allowed)
}

async fn admin_method_not_allowed(req: axum::extract::Request) -> AdminError {
    AdminError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        error: "method_not_allowed",
        message: format!("{} is not allowed on {}", req.method(), req.uri().path()),
    }
}

async fn admin_unknown(req: axum::extract::Request) -> AdminError {
    AdminError::not_found(format!(
        "Unknown admin route {} {}",
        req.method(),
        req.uri().path()
    ))
}

/// Always 200 while the process serves (a broken fixture change keeps the
/// previous catalog, so the sandbox stays usable): `status` says `degraded`
/// and `fixtures.lastError` says why. Needs no tenant.
async fn health(State(core): State<Arc<Core>>) -> Json<Value> {
    let fixtures = core.fixtures.view();
    let limits = core.journal.limits();
    Json(json!({
        "status": if fixtures.last_error.is_none() { "ok" } else { "degraded" },
        "live": true,
        "ready": true,
        "version": env!("CARGO_PKG_VERSION"),
        "fixtures": fixtures,
        "journal": {
            "maxEntries": limits.max_entries,
            "maxBytes": limits.max_bytes,
            "bodyBytes": limits.body_bytes,
            "evicted": core.journal.evicted_total(),
        },
    }))
}

/// The catalog entry of one scenario.
fn describe(s: &Scenario, source: &str, remaining: Option<u32>) -> Value {
    let trigger = if source == "armed" {
        let which = match remaining {
            Some(1) => "the next request".to_owned(),
            Some(n) => format!("the next {n} requests"),
            None => "every request, until removed,".to_owned(),
        };
        let rules = crate::fixtures::describe_rules(s);
        if s.rules == crate::scenario::MatchRules::default() {
            format!("armed: {which} that consults scenarios")
        } else {
            format!("armed: {which} with {rules}")
        }
    } else {
        s.trigger
            .clone()
            .unwrap_or_else(|| crate::fixtures::describe_trigger(s))
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

async fn list_scenarios(admin: Admin, State(core): State<Arc<Core>>) -> Json<Value> {
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
struct ArmRequest {
    /// Arm a catalog scenario by name …
    name: Option<String>,
    /// … or define one inline.
    scenario: Option<Scenario>,
    /// Only for the next N matching requests.
    times: Option<u32>,
}

async fn add_scenario(
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
        (Some(s), None) => {
            crate::fixtures::validate(&s).map_err(AdminError::bad_request)?;
            s
        }
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
    core.scenarios.arm(tenant, scenario, req.times);
    Ok((StatusCode::CREATED, Json(view)))
}

async fn remove_scenario(
    admin: Admin,
    State(core): State<Arc<Core>>,
    Path(name): Path<String>,
) -> Result<StatusCode, AdminError> {
    if core.scenarios.disarm(admin.tenant()?, &name) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::not_found(format!(
            "No armed scenario named '{name}' for this tenant"
        )))
    }
}

#[derive(Deserialize, Default)]
struct ResetQuery {
    all: Option<bool>,
}

async fn reset(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminQuery(q): AdminQuery<ResetQuery>,
) -> Result<Json<Value>, AdminError> {
    if q.all.unwrap_or(false) {
        core.scenarios.reset_all();
        core.journal.reset_all();
        core.clocks.reset_all();
        for d in &core.tenant_data {
            d.reset_all();
        }
        return Ok(Json(json!({"reset": "all"})));
    }
    let tenant = admin.tenant()?;
    core.scenarios.reset(tenant);
    core.journal.reset(tenant);
    core.clocks.reset(tenant);
    for d in &core.tenant_data {
        d.reset_tenant(tenant);
    }
    Ok(Json(json!({"reset": "tenant"})))
}

async fn list_requests(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminQuery(filter): AdminQuery<Filter>,
) -> Result<Json<crate::journal::Listing>, AdminError> {
    let tenant = admin.tenant()?;
    filter.check().map_err(AdminError::bad_request)?;
    Ok(Json(core.journal.list(tenant, &filter)))
}

async fn get_clock(admin: Admin, State(core): State<Arc<Core>>) -> Result<Json<Value>, AdminError> {
    Ok(Json(clock_json(core.clocks.view(admin.tenant()?))))
}

fn clock_json(v: crate::clock::ClockView) -> Value {
    json!({
        "now": crate::ids::iso_millis(v.now_ms),
        "nowMs": v.now_ms,
        "offsetMs": v.offset_ms,
        "frozen": v.frozen,
        "scale": v.scale,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Advance {
    ms: Option<i64>,
    seconds: Option<f64>,
}

async fn advance_clock(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminJson(a): AdminJson<Advance>,
) -> Result<Json<Value>, AdminError> {
    let ms = match (a.ms, a.seconds) {
        (Some(ms), None) => ms,
        (None, Some(s)) if s.is_finite() => (s * 1000.0) as i64,
        _ => {
            return Err(AdminError::bad_request(
                "Send exactly one of 'ms' or 'seconds'",
            ));
        }
    };
    if ms < 0 {
        return Err(AdminError::bad_request("The clock only moves forward"));
    }
    Ok(Json(clock_json(core.clocks.advance(admin.tenant()?, ms))))
}

async fn freeze_clock(
    admin: Admin,
    State(core): State<Arc<Core>>,
) -> Result<Json<Value>, AdminError> {
    Ok(Json(clock_json(core.clocks.freeze(admin.tenant()?))))
}

async fn unfreeze_clock(
    admin: Admin,
    State(core): State<Arc<Core>>,
) -> Result<Json<Value>, AdminError> {
    Ok(Json(clock_json(core.clocks.unfreeze(admin.tenant()?))))
}
