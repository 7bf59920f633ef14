//! `/v1/addresses`: create, get, update (POST), delete, list by client.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use super::api::Api;
use super::api::Key;
use super::audit::{self, Action, Change};
use super::client_lists::list_by_client;
use super::error::ApiResult;
use super::error::{ApiError, Json};
use super::list::ListResponse;
use super::model::Address;
use super::validate;
use crate::ids::ObjectId;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/addresses", post(create_address).get(list_addresses))
        .route(
            "/addresses/{id}",
            get(get_address)
                .post(update_address)
                .put(update_address)
                .patch(update_address)
                .delete(delete_address),
        )
}

pub(crate) const ADDRESS_TYPES: &[&str] = &["main", "alternative", "other"];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AddressInput {
    client_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    property_number: Option<String>,
    building_name: Option<String>,
    line: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    from_date: Option<String>,
    to_date: Option<String>,
}

/// Rules every stored address satisfies (checked on the merged record for updates).
fn validate_address(a: &Address) -> Result<(), ApiError> {
    validate_fields(&a.kind, &a.country, &a.state, &a.from_date, &a.to_date)
}

fn validate_fields(
    kind: &Option<String>,
    country: &str,
    state: &Option<String>,
    from_date: &Option<String>,
    to_date: &Option<String>,
) -> Result<(), ApiError> {
    validate::one_of("type", kind, ADDRESS_TYPES)?;
    validate::alpha2("country", &Some(country.to_owned()))?;
    if country == "US" {
        if let Some(s) = state {
            if !validate::USPS_STATES.contains(&s.as_str()) {
                return Err(ApiError::invalid(
                    "state",
                    "'state' must be a valid USPS state abbreviation (e.g. NY, CA) when 'country' is US",
                ));
            }
        }
    }
    validate::date("fromDate", from_date)?;
    validate::date("toDate", to_date)?;
    Ok(())
}

async fn create_address(
    State(api): State<Api>,
    Key(key): Key,
    Json(input): Json<AddressInput>,
) -> ApiResult<Address> {
    let raw_client = validate::required("clientId", &input.client_id)?.to_owned();
    validate::one_of("type", &input.kind, ADDRESS_TYPES)?;
    let line = validate::required("line", &input.line)?.to_owned();
    let city = validate::required("city", &input.city)?.to_owned();
    let country = validate::required("country", &input.country)?.to_owned();
    validate_fields(
        &input.kind,
        &country,
        &input.state,
        &input.from_date,
        &input.to_date,
    )?;
    let client_id = validate::id("client", &raw_client)?;
    let now = api.core.clocks.now(&key);
    let address = Address {
        id: ObjectId::new(now),
        client_id,
        kind: input.kind,
        property_number: input.property_number,
        building_name: input.building_name,
        line,
        city,
        state: input.state,
        postal_code: input.postal_code,
        country,
        from_date: input.from_date,
        to_date: input.to_date,
        created_at: now,
        updated_at: now,
    };
    api.store
        .write(&key, |t, _| {
            if !t.clients.contains(&client_id) {
                return Err(ApiError::not_found("client", &raw_client));
            }
            t.addresses
                .insert(address.id, Some(client_id), address.clone());
            let change = Change::new(
                "address",
                address.id,
                Some(client_id),
                "createAddress",
                Action::Create,
            );
            t.audit(now, change, None, audit::snapshot(&address));
            Ok(())
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "address.created",
        super::events::address_payload(&address),
    )
    .await?;
    Ok(axum::Json(address))
}

async fn get_address(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<Address> {
    let oid = validate::id("address", &id)?;
    api.store
        .read(&key, |t| t.addresses.get(&oid).cloned())
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("address", &id))
}

async fn update_address(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<AddressInput>,
) -> ApiResult<Address> {
    let oid = validate::id("address", &id)?;
    for (param, v) in [
        ("line", &input.line),
        ("city", &input.city),
        ("country", &input.country),
    ] {
        validate::non_blank(param, v)?;
    }
    let now = api.core.clocks.now(&key);
    let updated = api
        .store
        .write(&key, |t, _| {
            let stored = t
                .addresses
                .get_mut(&oid)
                .ok_or_else(|| ApiError::not_found("address", &id))?;
            if let Some(c) = &input.client_id {
                if *c != stored.client_id.to_string() {
                    return Err(ApiError::invalid(
                        "clientId",
                        "'clientId' cannot be changed once an address is created",
                    ));
                }
            }
            let before = audit::snapshot(&*stored);
            let mut a = stored.clone();
            for (field, v) in [
                (&mut a.kind, &input.kind),
                (&mut a.property_number, &input.property_number),
                (&mut a.building_name, &input.building_name),
                (&mut a.state, &input.state),
                (&mut a.postal_code, &input.postal_code),
                (&mut a.from_date, &input.from_date),
                (&mut a.to_date, &input.to_date),
            ] {
                if v.is_some() {
                    field.clone_from(v);
                }
            }
            for (field, v) in [
                (&mut a.line, &input.line),
                (&mut a.city, &input.city),
                (&mut a.country, &input.country),
            ] {
                if let Some(v) = v {
                    v.trim().clone_into(field);
                }
            }
            validate_address(&a)?;
            a.updated_at = now;
            *stored = a.clone();
            let change = Change::new(
                "address",
                oid,
                Some(a.client_id),
                "updateAddress",
                Action::Update,
            );
            t.audit(now, change, before, audit::snapshot(&a));
            Ok(a)
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "address.updated",
        super::events::address_payload(&updated),
    )
    .await?;
    Ok(axum::Json(updated))
}

async fn delete_address(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let oid = validate::id("address", &id)?;
    let now = api.core.clocks.now(&key);
    let removed = api
        .store
        .write(&key, |t, _| {
            if !t.addresses.contains(&oid) {
                return Err(ApiError::not_found("address", &id));
            }
            if t.is_used_by_check(t.addresses.owner_of(&oid), &oid) {
                return Err(ApiError::in_use("address", &id));
            }
            let a = t
                .addresses
                .remove(&oid)
                .ok_or_else(|| ApiError::not_found("address", &id))?;
            let change = Change::new(
                "address",
                oid,
                Some(a.client_id),
                "deleteAddress",
                Action::Delete,
            );
            t.audit(now, change, audit::snapshot(&a), None);
            Ok(a)
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "address.deleted",
        super::events::address_payload(&removed),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_addresses(
    State(api): State<Api>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<ListResponse<Address>> {
    list_by_client(&api.store, &key, &raw, |t| &t.addresses).map(axum::Json)
}
