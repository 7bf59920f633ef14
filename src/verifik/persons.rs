//! Enrolled persons: `GET /persons` (page, limit ≤ 100, collection,
//! status, `populates[]`), `GET /persons/lookup` (by name and date of
//! birth: `{data, total}`), `GET|PUT|DELETE /persons/{id}` (404
//! `PERSON_NOT_FOUND`). Creating them is [`super::enroll`].

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::api::{Api, Token};
use super::enroll::{at_most_three, faces, resolve};
use super::error::{VJson, VerifikError};
use super::gallery::{Person, PersonView, person_json, summary_json};
use super::render::{envelope, signature_time};
use super::request::{Images, prepare, text};
use super::validate::{self, Field, Kind, date_value};
use crate::ids::{ObjectId, short_id};
use crate::scenario;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/face-recognition/persons", get(list_persons))
        .route("/face-recognition/persons/lookup", get(lookup_persons))
        .route(
            "/face-recognition/persons/{id}",
            get(get_person).put(update_person).delete(delete_person),
        )
}

pub(super) const STATUSES: &[&str] = &["active", "inactive", "pending"];

/// The query's pairs (repeated keys kept), or Verifik's 409 for a query
/// that does not parse.
fn pairs(uri: &Uri) -> Result<Vec<(String, String)>, VerifikError> {
    Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(q)| q)
        .map_err(|_| VerifikError::invalid_parameters())
}

fn whole(v: &str, min: usize, max: usize) -> Option<usize> {
    v.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
}

fn ok(now: i64, data: Value) -> Response {
    (StatusCode::OK, axum::Json(envelope(now, data))).into_response()
}

async fn list_persons(
    State(api): State<Api>,
    Token(token): Token,
    uri: Uri,
) -> Result<Response, VerifikError> {
    let (mut page, mut limit) = (1, 10);
    let (mut collection, mut status, mut populate) = (None, None, false);
    for (k, v) in pairs(&uri)? {
        match k.as_str() {
            "page" => {
                page = whole(&v, 1, usize::MAX).ok_or_else(VerifikError::invalid_parameters)?
            }
            "limit" => limit = whole(&v, 1, 100).ok_or_else(VerifikError::invalid_parameters)?,
            "collection" => collection = Some(v),
            "status" if STATUSES.contains(&v.as_str()) => status = Some(v),
            "status" => return Err(VerifikError::invalid_parameters()),
            "populates[]" | "populates" => match v.as_str() {
                "collections" => populate = true,
                "client" => {}
                _ => return Err(VerifikError::invalid_parameters()),
            },
            _ => {}
        }
    }
    let now = api.core.clocks.now(&token);
    let (total, data) = api.store.read(&token, |g| {
        let wanted = match &collection {
            Some(raw) => match g.collection(raw) {
                Some(c) => Some(c.id),
                None => return (0, Vec::new()),
            },
            None => None,
        };
        let kept: Vec<&Person> = g
            .persons
            .iter_newest()
            .filter(|p| wanted.is_none_or(|c| p.collections.contains(&c)))
            .filter(|p| status.as_deref().is_none_or(|s| p.status == s))
            .collect();
        let data = kept
            .iter()
            .skip((page - 1).saturating_mul(limit))
            .take(limit)
            .map(|p| person_json(&token, g, p, PersonView::Full, populate))
            .collect();
        (kept.len(), data)
    });
    Ok(axum::Json(json!({
        "id": short_id(),
        "data": data,
        "pagination": {"page": page, "limit": limit, "total": total, "pages": total.div_ceil(limit)},
        "signature": {"dateTime": signature_time(now), "message": "Certified by Verifik.co"},
    }))
    .into_response())
}

async fn lookup_persons(
    State(api): State<Api>,
    Token(token): Token,
    uri: Uri,
) -> Result<Response, VerifikError> {
    let (mut name, mut dob, mut page, mut limit) = (None, None, 1, 20);
    for (k, v) in pairs(&uri)? {
        match k.as_str() {
            "name" => name = Some(v),
            "date_of_birth" => {
                let d = date_value(&Value::String(v)).ok_or_else(|| {
                    VerifikError::lookup_parameter(
                        "\"date_of_birth\" must be a valid date in the format YYYY-MM-DD",
                    )
                })?;
                dob = Some(d);
            }
            "page" => {
                page = whole(&v, 1, usize::MAX).ok_or_else(VerifikError::invalid_parameters)?
            }
            "limit" => limit = whole(&v, 1, 100).ok_or_else(VerifikError::invalid_parameters)?,
            _ => {}
        }
    }
    let name = name.ok_or_else(|| VerifikError::lookup_parameter("name is required"))?;
    // Digits are stripped; at least three characters must remain.
    let wanted: String = name
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect::<String>()
        .trim()
        .to_lowercase();
    if wanted.chars().count() < 3 {
        return Err(VerifikError::lookup_parameter("name_too_short"));
    }
    let (total, data) = api.store.read(&token, |g| {
        let kept: Vec<&Person> = g
            .persons
            .iter_oldest()
            .filter(|p| p.name.to_lowercase().contains(&wanted))
            .filter(|p| dob.is_none() || p.date_of_birth == dob)
            .collect();
        let data: Vec<Value> = kept
            .iter()
            .skip((page - 1).saturating_mul(limit))
            .take(limit)
            .map(|p| summary_json(g, p))
            .collect();
        (kept.len(), data)
    });
    Ok(axum::Json(json!({"data": data, "total": total})).into_response())
}

fn person_id(raw: &str) -> Result<ObjectId, VerifikError> {
    ObjectId::parse(raw.trim()).ok_or_else(VerifikError::person_not_found)
}

async fn get_person(
    State(api): State<Api>,
    Token(token): Token,
    Path(id): Path<String>,
) -> Result<Response, VerifikError> {
    let oid = person_id(&id)?;
    let now = api.core.clocks.now(&token);
    let data = api
        .store
        .read(&token, |g| {
            g.persons
                .get(&oid)
                .map(|p| person_json(&token, g, p, PersonView::Full, false))
        })
        .ok_or_else(VerifikError::person_not_found)?;
    Ok(ok(now, data))
}

pub(super) fn update_fields() -> Vec<Field> {
    vec![
        Field::optional("name", Kind::Str),
        Field::optional("images", Kind::StrArray),
        Field::optional("gender", Kind::Enum(&["M", "F"])),
        Field::optional("date_of_birth", Kind::Date),
        Field::optional("nationality", Kind::Str),
        Field::optional("collections", Kind::StrList),
        Field::optional("notes", Kind::Str),
        Field::optional("status", Kind::Enum(STATUSES)),
    ]
}

/// Partial update: `images` replaces the enrolled faces, `collections` adds
/// the person to those collections.
async fn update_person(
    State(api): State<Api>,
    Token(token): Token,
    Path(id): Path<String>,
    headers: HeaderMap,
    VJson(body): VJson,
) -> Response {
    let cfg = api.core.config.verifik_messages;
    if let Err(e) =
        super::validate::check(&body, &update_fields(), cfg).and_then(|()| at_most_three(&body))
    {
        return e.into_response();
    }
    let oid = match person_id(&id) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let images = [Images {
        field: "images",
        urls: false,
    }];
    let p = match prepare(&api, &token, "persons", &headers, &body, &[], &images).await {
        Ok(p) => p,
        Err(answered) => return answered,
    };
    let now = api.core.clocks.now(&token);
    let names = validate::value_strings(&body, "collections");
    let updated = api
        .store
        .write(&token, |g| {
            if !g.persons.contains(&oid) {
                return Err(VerifikError::person_not_found());
            }
            let add = resolve(g, &names)?;
            let Some(person) = g.persons.get_mut(&oid) else {
                return Err(VerifikError::person_not_found());
            };
            let set = |field: &mut Option<String>, key: &str| {
                if let Some(v) = text(&body, key) {
                    *field = Some(v.to_owned());
                }
            };
            set(&mut person.gender, "gender");
            set(&mut person.nationality, "nationality");
            set(&mut person.notes, "notes");
            if let Some(n) = text(&body, "name") {
                n.trim().clone_into(&mut person.name);
            }
            if let Some(s) = text(&body, "status") {
                s.clone_into(&mut person.status);
            }
            if let Some(d) = body.get("date_of_birth").and_then(date_value) {
                person.date_of_birth = Some(d);
            }
            if body.get("images").is_some() {
                person.faces = faces(&body, &p.hashes);
            }
            for c in add {
                if !person.collections.contains(&c) {
                    person.collections.push(c);
                }
            }
            person.updated_at = now;
            let person = person.clone();
            Ok(person_json(&token, g, &person, PersonView::Full, false))
        })
        .await;
    match updated {
        Ok(data) => scenario::tag(ok(now, data), &p.selected),
        Err(e) => e.into_response(),
    }
}

/// Deletes the person, or with `?collection=` only takes it out of that
/// collection (deleting it when it was its last).
async fn delete_person(
    State(api): State<Api>,
    Token(token): Token,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, VerifikError> {
    let oid = person_id(&id)?;
    let only = pairs(&uri)?
        .into_iter()
        .find(|(k, _)| k == "collection")
        .map(|(_, v)| v);
    let now = api.core.clocks.now(&token);
    api.store
        .write(&token, |g| {
            if !g.persons.contains(&oid) {
                return Err(VerifikError::person_not_found());
            }
            let detach = match &only {
                Some(raw) => Some(
                    g.collection(raw)
                        .ok_or_else(VerifikError::invalid_collection)?
                        .id,
                ),
                None => None,
            };
            let remaining = match (detach, g.persons.get_mut(&oid)) {
                (Some(c), Some(p)) => {
                    p.collections.retain(|x| *x != c);
                    p.updated_at = now;
                    p.collections.len()
                }
                _ => 0,
            };
            if remaining == 0 {
                g.persons.remove(&oid);
            }
            Ok(())
        })
        .await?;
    Ok(ok(now, json!({"_id": oid})))
}
