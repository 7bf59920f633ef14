//! `/v1/clients`: create, get, update (POST), delete, list.

use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use super::api::Api;
use super::api::Key;
use super::audit::{self, Action, Change};
use super::error::ApiResult;
use super::error::{ApiError, Json};
use super::list::{ListQuery, ListResponse, json_matches};
use super::model::{Client, ClientType, CompanyDetails, PersonDetails};
use super::validate;
use crate::ids::ObjectId;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/clients", post(create_client).get(list_clients))
        .route(
            "/clients/{id}",
            get(get_client)
                .post(update_client)
                .put(update_client)
                .patch(update_client)
                .delete(delete_client),
        )
}

pub(crate) const INCORPORATION_TYPES: &[&str] = &[
    "sole_proprietorship",
    "private_limited_company",
    "public_limited_company",
    "limited_partnership",
    "holding_company",
    "non_government_organisation",
    "statutory_company",
    "subsidiary_company",
    "unlimited_partnership",
    "charitable_incorporated_organisation",
    "chartered_company",
];

/// Metadata limits from the current create-a-client page (the update page and
/// older pages say 20 keys; the most recent documentation wins).
pub(crate) const METADATA_MAX_KEYS: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClientInput {
    #[serde(rename = "type")]
    kind: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
    telephone: Option<String>,
    external_id: Option<String>,
    joined_date: Option<String>,
    person_details: Option<PersonDetails>,
    company_details: Option<CompanyDetails>,
    metadata: Option<BTreeMap<String, String>>,
}

fn validate_person(p: &PersonDetails, creating: bool) -> Result<(), ApiError> {
    if creating {
        validate::required("personDetails.firstName", &p.first_name)?;
        validate::required("personDetails.lastName", &p.last_name)?;
    }
    validate::date("personDetails.dob", &p.dob)?;
    validate::one_of(
        "personDetails.gender",
        &p.gender,
        &["male", "female", "other"],
    )?;
    validate::alpha2("personDetails.nationality", &p.nationality)?;
    validate::alpha2("personDetails.birthCountry", &p.birth_country)?;
    Ok(())
}

fn validate_company(c: &CompanyDetails, creating: bool) -> Result<(), ApiError> {
    if creating {
        validate::required("companyDetails.name", &c.name)?;
    }
    validate::alpha2(
        "companyDetails.incorporationCountry",
        &c.incorporation_country,
    )?;
    validate::one_of(
        "companyDetails.incorporationType",
        &c.incorporation_type,
        INCORPORATION_TYPES,
    )?;
    Ok(())
}

fn validate_metadata(m: &Option<BTreeMap<String, String>>) -> Result<(), ApiError> {
    let Some(m) = m else { return Ok(()) };
    if m.len() > METADATA_MAX_KEYS {
        return Err(ApiError::invalid(
            "metadata",
            format!("'metadata' must not have more than {METADATA_MAX_KEYS} properties"),
        ));
    }
    for (k, v) in m {
        if k.chars().count() > 40 {
            return Err(ApiError::invalid(
                "metadata",
                format!("'metadata' key '{k}' must be at most 40 characters"),
            ));
        }
        if v.chars().count() > 500 {
            return Err(ApiError::invalid(
                &format!("metadata.{k}"),
                format!("'metadata.{k}' must be at most 500 characters"),
            ));
        }
    }
    Ok(())
}

fn validate_common(input: &ClientInput) -> Result<(), ApiError> {
    if let Some(e) = &input.email {
        validate::email("email", e)?;
    }
    validate::date("joinedDate", &input.joined_date)?;
    validate_metadata(&input.metadata)
}

async fn create_client(
    State(api): State<Api>,
    Key(key): Key,
    Json(input): Json<ClientInput>,
) -> ApiResult<Client> {
    let kind = match validate::required("type", &input.kind)? {
        "person" => ClientType::Person,
        "company" => ClientType::Company,
        _ => return Err(ApiError::not_allowed("type", &["person", "company"])),
    };
    let email = validate::required("email", &input.email)?.to_owned();
    validate_common(&input)?;
    match kind {
        ClientType::Person => {
            let p = input.person_details.as_ref().ok_or_else(|| {
                ApiError::invalid(
                    "personDetails",
                    "'personDetails' must be provided when client type is `person`",
                )
            })?;
            validate_person(p, true)?;
        }
        ClientType::Company => {
            let c = input.company_details.as_ref().ok_or_else(|| {
                ApiError::invalid(
                    "companyDetails",
                    "'companyDetails' must be provided when client type is `company`",
                )
            })?;
            validate_company(c, true)?;
        }
    }
    let now = api.core.clocks.now(&key);
    let mut client = Client {
        id: ObjectId::new(now),
        kind,
        entity_name: String::new(),
        email,
        mobile: input.mobile,
        telephone: input.telephone,
        external_id: input.external_id,
        joined_date: input.joined_date,
        person_details: if kind == ClientType::Person {
            input.person_details
        } else {
            None
        },
        company_details: if kind == ClientType::Company {
            input.company_details
        } else {
            None
        },
        metadata: input.metadata.filter(|m| !m.is_empty()),
        created_at: now,
        updated_at: now,
    };
    client.entity_name = client.compute_entity_name();
    api.store
        .write(&key, |t, _| {
            t.clients.insert(client.id, None, client.clone());
            let change = Change::new(
                "client",
                client.id,
                Some(client.id),
                "createClient",
                Action::Create,
            );
            t.audit(now, change, None, audit::snapshot(&client));
            Ok(())
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "client.created",
        super::events::client_payload(&client),
    )
    .await?;
    Ok(axum::Json(client))
}

async fn get_client(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<Client> {
    let oid = validate::id("client", &id)?;
    api.store
        .read(&key, |t| t.clients.get(&oid).cloned())
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("client", &id))
}

fn merge<T: serde::Serialize + serde::de::DeserializeOwned>(base: &mut T, patch: &T) {
    let (Ok(mut b), Ok(p)) = (serde_json::to_value(&*base), serde_json::to_value(patch)) else {
        return;
    };
    crate::scenario::deep_merge(&mut b, &p);
    if let Ok(merged) = serde_json::from_value(b) {
        *base = merged;
    }
}

async fn update_client(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<ClientInput>,
) -> ApiResult<Client> {
    let oid = validate::id("client", &id)?;
    validate_common(&input)?;
    if let Some(p) = &input.person_details {
        validate_person(p, false)?;
    }
    if let Some(c) = &input.company_details {
        validate_company(c, false)?;
    }
    let now = api.core.clocks.now(&key);
    let updated = api
        .store
        .write(&key, |t, _| {
            // Changes go to a copy, stored only when every check passed.
            let mut copy = t
                .clients
                .get(&oid)
                .cloned()
                .ok_or_else(|| ApiError::not_found("client", &id))?;
            let before = audit::snapshot(&copy);
            let client = &mut copy;
            if let Some(kind) = &input.kind {
                let current = if client.kind == ClientType::Person {
                    "person"
                } else {
                    "company"
                };
                if kind != current {
                    return Err(ApiError::invalid(
                        "type",
                        "'type' cannot be changed once a client is created",
                    ));
                }
            }
            for (param, v) in [
                (
                    "personDetails.firstName",
                    input.person_details.as_ref().map(|p| &p.first_name),
                ),
                (
                    "personDetails.lastName",
                    input.person_details.as_ref().map(|p| &p.last_name),
                ),
                (
                    "companyDetails.name",
                    input.company_details.as_ref().map(|c| &c.name),
                ),
            ] {
                if let Some(Some(s)) = v {
                    if s.trim().is_empty() {
                        return Err(ApiError::missing(param));
                    }
                }
            }
            if let Some(e) = input.email.clone() {
                client.email = e;
            }
            for (field, v) in [
                (&mut client.mobile, &input.mobile),
                (&mut client.telephone, &input.telephone),
                (&mut client.external_id, &input.external_id),
                (&mut client.joined_date, &input.joined_date),
            ] {
                if v.is_some() {
                    field.clone_from(v);
                }
            }
            match (client.kind, &input.person_details, &input.company_details) {
                (ClientType::Person, Some(p), _) => merge(
                    client.person_details.get_or_insert_with(Default::default),
                    p,
                ),
                (ClientType::Company, _, Some(c)) => merge(
                    client.company_details.get_or_insert_with(Default::default),
                    c,
                ),
                _ => {}
            }
            if let Some(m) = &input.metadata {
                let merged = client.metadata.get_or_insert_with(Default::default);
                merged.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                if merged.len() > METADATA_MAX_KEYS {
                    return Err(ApiError::invalid(
                        "metadata",
                        format!(
                            "'metadata' must not have more than {METADATA_MAX_KEYS} properties"
                        ),
                    ));
                }
            }
            client.entity_name = client.compute_entity_name();
            client.updated_at = now;
            if let Some(stored) = t.clients.get_mut(&oid) {
                *stored = copy.clone();
            }
            let change = Change::new("client", oid, Some(oid), "updateClient", Action::Update);
            t.audit(now, change, before, audit::snapshot(&copy));
            Ok(copy)
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "client.updated",
        super::events::client_payload(&updated),
    )
    .await?;
    Ok(axum::Json(updated))
}

async fn delete_client(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let oid = validate::id("client", &id)?;
    let now = api.core.clocks.now(&key);
    let client = api
        .store
        .write(&key, |t, _| {
            let c = t
                .clients
                .remove(&oid)
                .ok_or_else(|| ApiError::not_found("client", &id))?;
            t.remove_client_data(&oid);
            let change = Change::new("client", oid, Some(oid), "deleteClient", Action::Delete);
            t.audit(now, change, audit::snapshot(&c), None);
            Ok(c)
        })
        .await?;
    super::events::emit(
        &api,
        &key,
        "client.deleted",
        super::events::client_payload(&client),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_clients(
    State(api): State<Api>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> ApiResult<ListResponse<Client>> {
    let q = ListQuery::parse(&raw)?;
    let page = api.store.read(&key, |t| {
        let keep = |c: &Client| {
            if q.impossible || !q.in_time(c.created_at, c.updated_at) {
                return false;
            }
            if q.filters.is_empty() {
                return true;
            }
            let v = serde_json::to_value(c).unwrap_or_default();
            q.filters.iter().all(|(k, want)| json_matches(&v, k, want))
        };
        let keep_ref: &dyn Fn(&Client) -> bool = &keep;
        let p = t.clients.page(
            None,
            q.has_conditions().then_some(keep_ref),
            q.page,
            q.page_size,
        );
        (p.total, p.items.into_iter().cloned().collect::<Vec<_>>())
    });
    Ok(axum::Json(ListResponse::new(&q, page.0, page.1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body;

    proptest::proptest! {
        /// Whatever a client sends as a body, a refusal is ComplyCube's
        /// 4xx `{type, message, param?}`.
        #[test]
        fn any_bad_body_is_a_complycube_error(bytes in crate::arbitrary::body()) {
            if let Err(e) = body::parse_json::<ClientInput>(&bytes) {
                let e = ApiError::from(e);
                proptest::prop_assert!(e.status.is_client_error());
                proptest::prop_assert!(["invalid_request", "request_too_large"].contains(&e.kind.as_str()));
                proptest::prop_assert!(!e.message.is_empty());
                proptest::prop_assert!(e.param.as_deref().is_none_or(|p| !p.is_empty()));
            }
        }
    }
}
