//! Changing a complete check: `POST /v1/checks/{id}` (screening
//! monitoring), `/validate` and `/redact`.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::find;
use crate::complycube::api::{Api, Key};
use crate::complycube::audit::{Action, Change};
use crate::complycube::check::Check;
use crate::complycube::check_type::CheckType;
use crate::complycube::error::{ApiError, Json};
use crate::complycube::render::{context, render};
use crate::complycube::tenant::Tenant;
use crate::complycube::{events, results, validate};
use crate::ids::{Millis, ObjectId};

fn ensure_modifiable(c: &Check, now: Millis) -> Result<(), ApiError> {
    if c.is_complete(now) {
        Ok(())
    } else {
        Err(ApiError::processing(
            "pending_check_unmodifiable",
            "A pending check cannot be modified",
        ))
    }
}

/// Changes a stored check, stamps `updatedAt`, records the change in the
/// audit log under `trigger` and renders the result.
fn change(
    t: &mut Tenant,
    oid: ObjectId,
    now: Millis,
    trigger: &str,
    f: impl FnOnce(&mut Check),
) -> Value {
    let before = t.checks.get(&oid).map(|c| render(t, c, now));
    if let Some(c) = t.checks.get_mut(&oid) {
        f(c);
        c.updated_at = now;
    }
    let Some(c) = t.checks.get(&oid) else {
        return Value::Null;
    };
    let (body, client) = (render(t, c, now), c.client_id);
    let change = Change::new("check", oid, Some(client), trigger, Action::Update);
    t.audit(now, change, before, Some(body.clone()));
    body
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CheckUpdate {
    enable_monitoring: Option<bool>,
}

pub(super) async fn update_check(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<CheckUpdate>,
) -> Result<axum::Json<Value>, ApiError> {
    let now = api.core.clocks.now(&key);
    let body = api
        .store
        .write(&key, |t, _| {
            let c = find(t, &id)?;
            if !c.kind.is_screening() {
                return Err(ApiError::processing(
                    "invalid_check_update",
                    "Only screening checks can be updated",
                ));
            }
            ensure_modifiable(c, now)?;
            let oid = c.id;
            Ok(change(t, oid, now, "updateCheck", |c| {
                if let Some(m) = input.enable_monitoring {
                    c.enable_monitoring = m;
                }
            }))
        })
        .await?;
    events::emit(&api, &key, "check.updated", events::check_payload(&body)).await?;
    Ok(axum::Json(body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ValidateInput {
    outcome: Option<String>,
    match_id: Option<String>,
    rejection_reasons: Option<Vec<String>>,
    comment: Option<String>,
    user_supplied_data: Option<serde_json::Map<String, Value>>,
}

pub(crate) const REJECTION_REASONS: &[&str] = &[
    "document_appears_fake",
    "document_has_expired",
    "document_is_specimen",
    "document_is_blacklisted",
    "document_age_below_threshold",
    "document_misread",
];

pub(super) async fn validate_check(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<ValidateInput>,
) -> Result<axum::Json<Value>, ApiError> {
    let wanted = validate::required("outcome", &input.outcome)?.to_owned();
    validate::one_of(
        "outcome",
        &Some(wanted.clone()),
        &["confirmed", "rejected", "attention"],
    )?;
    if input
        .comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > 4000)
    {
        return Err(ApiError::invalid(
            "comment",
            "'comment' must be at most 4000 characters",
        ));
    }
    for r in input.rejection_reasons.iter().flatten() {
        if !REJECTION_REASONS.contains(&r.as_str()) {
            return Err(ApiError::not_allowed("rejectionReasons", REJECTION_REASONS));
        }
    }
    let now = api.core.clocks.now(&key);
    let (result, body) = api
        .store
        .write(&key, |t, _| {
            let c = find(t, &id)?;
            ensure_modifiable(c, now)?;
            if input.user_supplied_data.is_some() && c.kind != CheckType::Document {
                return Err(ApiError::invalid(
                    "userSuppliedData",
                    "'userSuppliedData' applies to document checks only",
                ));
            }
            let oid = c.id;
            let resulting = if c.kind.is_screening() {
                let match_id = validate::required("matchId", &input.match_id)?.to_owned();
                let matches = results::screening_match_ids(c, &context(t, c));
                if !matches.contains(&match_id) {
                    return Err(ApiError::invalid(
                        "matchId",
                        format!("Invalid match id '{match_id}'"),
                    ));
                }
                let mut validations = c.match_validations.as_deref().cloned().unwrap_or_default();
                match wanted.as_str() {
                    "confirmed" => {
                        validations.insert(match_id, true);
                    }
                    "rejected" => {
                        validations.insert(match_id, false);
                    }
                    _ => {
                        validations.remove(&match_id);
                    }
                }
                let outcome = if validations.values().any(|v| *v) {
                    "match_confirmed"
                } else if matches.iter().all(|m| validations.get(m) == Some(&false)) {
                    "clear"
                } else {
                    "attention"
                };
                if let Some(c) = t.checks.get_mut(&oid) {
                    c.match_validations = Some(Box::new(validations));
                }
                outcome.to_owned()
            } else {
                match wanted.as_str() {
                    "confirmed" => "clear",
                    "rejected" => "rejected",
                    _ => "attention",
                }
                .to_owned()
            };
            let outcome = resulting.clone().into_boxed_str();
            let supplied = input.user_supplied_data.clone();
            let body = change(t, oid, now, "validateCheck", |c| {
                c.validated_outcome = Some(outcome);
                if let Some(data) = supplied {
                    c.user_supplied = Some(Box::new(Value::Object(data)));
                }
            });
            Ok((resulting, body))
        })
        .await?;
    events::emit(&api, &key, "check.updated", events::check_payload(&body)).await?;
    Ok(axum::Json(json!({ "outcome": result })))
}

pub(crate) const REDACTABLE: &[&str] = &[
    "address",
    "birthPlace",
    "dob",
    "documentDiscriminator",
    "documentNumber",
    "expirationDate",
    "firstName",
    "gender",
    "healthInsuranceNumber",
    "issuingAuthority",
    "issuingCountry",
    "issuingDate",
    "issuingPlace",
    "lastName",
    "mrz",
    "nationality",
    "personalNumber",
    "taxIdentificationNumber",
];

pub(crate) const REDACTABLE_IMAGES: &[&str] = &[
    "all",
    "front",
    "back",
    "extracted_face",
    "extracted_signature",
];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RedactInput {
    attributes: Option<Vec<String>>,
    images: Option<Vec<String>>,
}

pub(super) async fn redact_check(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<RedactInput>,
) -> Result<axum::Json<Value>, ApiError> {
    let attributes = input.attributes.unwrap_or_default();
    let images = input.images.unwrap_or_default();
    if attributes.is_empty() && images.is_empty() {
        return Err(ApiError::invalid(
            "attributes",
            "'attributes' or 'images' must be provided",
        ));
    }
    for a in &attributes {
        if !REDACTABLE.contains(&a.as_str()) {
            return Err(ApiError::not_allowed("attributes", REDACTABLE));
        }
    }
    for i in &images {
        if !REDACTABLE_IMAGES.contains(&i.as_str()) {
            return Err(ApiError::not_allowed("images", REDACTABLE_IMAGES));
        }
    }
    let now = api.core.clocks.now(&key);
    api.store
        .write(&key, |t, _| {
            let c = find(t, &id)?;
            if c.kind != CheckType::Document {
                return Err(ApiError::invalid(
                    "id",
                    "Only document checks can be redacted",
                ));
            }
            ensure_modifiable(c, now)?;
            let oid = c.id;
            Ok(axum::Json(change(t, oid, now, "redactCheck", |c| {
                let r = c.redacted.get_or_insert_with(Default::default);
                r.attributes.extend(attributes);
                r.images.extend(images);
            })))
        })
        .await
}
