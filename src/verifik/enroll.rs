//! Enrolling persons: `POST /v2/face-recognition/persons` (name, 1–3 face
//! images, optional details and collections; a name and date of birth
//! already enrolled in a requested collection is 412 `person_already_set`)
//! and `POST /persons/search-live-face` (liveness on the face, then a
//! search of the collection: a match is 409 `409:duplicated_person`).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::api::{Api, Token};
use super::error::{VJson, VerifikError};
use super::gallery::{Face, Gallery, Person, PersonView, person_json, summary_json};
use super::render::envelope;
use super::request::{Images, bare_image, number, prepare, text};
use super::score;
use super::validate::{self, Field, Kind, OS, SEARCH_MODE, date_value};
use crate::ids::ObjectId;
use crate::scenario;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/face-recognition/persons", post(create_person))
        .route(
            "/face-recognition/persons/search-live-face",
            post(create_with_liveness),
        )
}

/// Most face images a person holds.
pub(crate) const MAX_IMAGES: usize = 3;

const GENDERS: &[&str] = &["M", "F"];

pub(super) fn fields() -> Vec<Field> {
    vec![
        Field::required("name", Kind::Str),
        Field::required("images", Kind::StrArray),
        Field::optional("gender", Kind::Enum(GENDERS)),
        Field::optional("date_of_birth", Kind::Date),
        Field::optional("nationality", Kind::Str),
        Field::optional("collections", Kind::StrList),
        Field::optional("notes", Kind::Str),
        Field::optional("email", Kind::Str),
        Field::optional("phone", Kind::Str),
    ]
}

/// Joi's `array.max` for `images`.
pub(crate) fn at_most_three(body: &Value) -> Result<(), VerifikError> {
    if validate::value_strings(body, "images").len() > MAX_IMAGES {
        return Err(VerifikError::missing_parameter(format!(
            "\"images\" must contain less than or equal to {MAX_IMAGES} items"
        )));
    }
    Ok(())
}

/// The faces of a request's `images`, with their digests.
pub(crate) fn faces(body: &Value, hashes: &[[u8; 32]]) -> Vec<Face> {
    validate::value_strings(body, "images")
        .into_iter()
        .zip(hashes)
        .map(|(img, sha)| Face {
            id: uuid::Uuid::new_v4().to_string(),
            image: bare_image(img),
            sha256: *sha,
        })
        .collect()
}

/// The collections a request names (by `_id` or `code`), 404 for an unknown one.
pub(crate) fn resolve(g: &Gallery, names: &[&str]) -> Result<Vec<ObjectId>, VerifikError> {
    let mut out = Vec::new();
    for n in names {
        let c = g
            .collection(n)
            .ok_or_else(VerifikError::invalid_collection)?;
        if !out.contains(&c.id) {
            out.push(c.id);
        }
    }
    Ok(out)
}

/// The person already enrolled under this name and date of birth in one of
/// `collections`, if any.
fn duplicate<'a>(
    g: &'a Gallery,
    name: &str,
    dob: Option<&str>,
    collections: &[ObjectId],
) -> Option<&'a Person> {
    let dob = dob?;
    g.persons.iter_oldest().find(|p| {
        p.name.trim().eq_ignore_ascii_case(name.trim())
            && p.date_of_birth.as_deref() == Some(dob)
            && p.collections.iter().any(|c| collections.contains(c))
    })
}

fn person(body: &Value, faces: Vec<Face>, collections: Vec<ObjectId>, now: i64) -> Person {
    let opt = |k: &str| text(body, k).map(str::to_owned);
    Person {
        id: ObjectId::new(now),
        name: text(body, "name").unwrap_or_default().trim().to_owned(),
        gender: opt("gender"),
        date_of_birth: body.get("date_of_birth").and_then(date_value),
        nationality: opt("nationality"),
        notes: opt("notes"),
        email: opt("email"),
        phone: opt("phone"),
        faces,
        collections,
        status: "active".into(),
        created_at: now,
        updated_at: now,
    }
}

async fn create_person(
    State(api): State<Api>,
    Token(token): Token,
    headers: HeaderMap,
    VJson(body): VJson,
) -> Response {
    if let Err(e) = super::validate::check(&body, &fields(), api.core.config.verifik_messages)
        .and_then(|()| at_most_three(&body))
    {
        return e.into_response();
    }
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
    let created = api
        .store
        .write(&token, |g| {
            let collections = resolve(g, &names)?;
            let dob = body.get("date_of_birth").and_then(date_value);
            let name = text(&body, "name").unwrap_or_default();
            if let Some(existing) = duplicate(g, name, dob.as_deref(), &collections) {
                return Err(VerifikError::person_already_set(summary_json(g, existing)));
            }
            let person = person(&body, faces(&body, &p.hashes), collections, now);
            g.persons.insert(person.id, None, person.clone());
            Ok(person_json(&token, g, &person, PersonView::Created, false))
        })
        .await;
    match created {
        Ok(data) => scenario::tag(
            (StatusCode::OK, axum::Json(envelope(now, data))).into_response(),
            &p.selected,
        ),
        Err(e) => e.into_response(),
    }
}

pub(super) fn liveness_fields() -> Vec<Field> {
    vec![
        Field::required("name", Kind::Str),
        Field::required("images", Kind::StrArray),
        Field::required("gender", Kind::Enum(GENDERS)),
        Field::required("date_of_birth", Kind::Date),
        Field::optional("nationality", Kind::Str),
        Field::required("collection_id", Kind::Str),
        Field::required("liveness_min_score", Kind::Num { min: 0.5, max: 1.0 }),
        Field::required("min_score", Kind::Num { min: 0.5, max: 1.0 }),
        Field::required("search_mode", Kind::Enum(SEARCH_MODE)),
        Field::optional("os", Kind::Enum(OS)),
    ]
}

/// `POST /persons/search-live-face`: liveness on the first image (409
/// `liveness_failed` below `liveness_min_score`), then a search of the
/// collection (409 `409:duplicated_person` at `min_score` or above), then
/// the person is enrolled in that collection.
async fn create_with_liveness(
    State(api): State<Api>,
    Token(token): Token,
    headers: HeaderMap,
    VJson(body): VJson,
) -> Response {
    if let Err(e) =
        super::validate::check(&body, &liveness_fields(), api.core.config.verifik_messages)
            .and_then(|()| at_most_three(&body))
    {
        return e.into_response();
    }
    let images = [Images {
        field: "images",
        urls: false,
    }];
    let p = match prepare(
        &api,
        &token,
        "persons/search-live-face",
        &headers,
        &body,
        &[],
        &images,
    )
    .await
    {
        Ok(p) => p,
        Err(answered) => return answered,
    };
    let effect = p.selected.effect();
    let liveness = effect
        .number("scores.liveness")
        .unwrap_or_else(|| p.hashes.first().map_or(0.9, score::liveness));
    if liveness <= number(&body, "liveness_min_score").unwrap_or(0.6) {
        return VerifikError::engine("liveness_failed").into_response();
    }
    let min = number(&body, "min_score").unwrap_or(1.0);
    let collection = text(&body, "collection_id").unwrap_or_default().to_owned();
    let now = api.core.clocks.now(&token);
    let created = api
        .store
        .write(&token, |g| {
            let cid = g
                .collection(&collection)
                .ok_or_else(VerifikError::invalid_collection)?
                .id;
            let found = g.candidates(Some(cid)).into_iter().any(|existing| {
                let enrolled: Vec<[u8; 32]> = existing.faces.iter().map(|f| f.sha256).collect();
                let s = score::similarity(&p.hashes, &enrolled);
                let s = effect.number("scores.comparison").filter(|_| s >= 1.0).unwrap_or(s);
                s >= min
            });
            if found {
                return Err(VerifikError::engine("409:duplicated_person"));
            }
            let mut person = person(&body, faces(&body, &p.hashes), vec![cid], now);
            // Digits are stripped from the name, as Verifik documents.
            person.name = person.name.chars().filter(|c| !c.is_ascii_digit()).collect();
            g.persons.insert(person.id, None, person.clone());
            Ok(json!({
                "_id": person.id,
                "name": person.name,
                "gender": person.gender,
                "date_of_birth": person.date_of_birth.as_ref().map(|d| format!("{d}T00:00:00.000Z")),
                "collections": [cid],
                "deleted": false,
                "createdAt": crate::ids::iso_millis(now),
                "updatedAt": crate::ids::iso_millis(now),
            }))
        })
        .await;
    match created {
        Ok(data) => scenario::tag(
            (StatusCode::OK, axum::Json(envelope(now, data))).into_response(),
            &p.selected,
        ),
        Err(e) => e.into_response(),
    }
}
