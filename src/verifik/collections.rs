//! `/v2/face-recognition/collections`: create, list (optional `like_name`),
//! get, update (`name` required; `people` reconciles membership) and delete
//! (hard: members lose it). As documented, these answer `{"data": …}` with
//! no `id` or `signature`, 404 `invalid_collection`, 401/403 `Access
//! forbidden` and 400 `{"error":"Invalid request"}` for a body that is not
//! JSON.

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::api::{Api, Token};
use super::error::VerifikError;
use super::gallery::{Collection, collection_json};
use super::request::{prepare, text};
use super::validate::{Field, Kind};
use crate::body::{self, BodyError};
use crate::ids::ObjectId;
use crate::scenario;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route(
            "/face-recognition/collections",
            get(list_collections).post(create_collection),
        )
        .route(
            "/face-recognition/collections/{id}",
            get(get_collection)
                .put(update_collection)
                .delete(delete_collection),
        )
}

/// The token, refused with the collection pages' `Access forbidden` body.
pub(crate) struct CollectionToken(String);

impl FromRequestParts<Api> for CollectionToken {
    type Rejection = VerifikError;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Self, VerifikError> {
        match Token::from_request_parts(parts, api).await {
            Ok(Token(t)) => Ok(CollectionToken(t)),
            Err(e) => Err(VerifikError::access_forbidden(e.status)),
        }
    }
}

/// A JSON body; anything that does not read as JSON is 400 `Invalid request`.
pub(crate) struct CJson(Value);

impl<S: Send + Sync> FromRequest<S> for CJson {
    type Rejection = VerifikError;

    async fn from_request(req: Request, _: &S) -> Result<Self, VerifikError> {
        match body::read_json::<Value>(req).await {
            Ok(v) => Ok(CJson(v)),
            Err(e @ BodyError::TooLarge { .. }) => Err(e.into()),
            Err(_) => Err(VerifikError::invalid_request()),
        }
    }
}

fn data(v: Value) -> Response {
    (StatusCode::OK, axum::Json(json!({"data": v}))).into_response()
}

pub(super) fn fields() -> Vec<Field> {
    vec![
        Field::required("name", Kind::Str),
        Field::optional("description", Kind::Str),
        Field::optional("project", Kind::Str),
    ]
}

fn collection_id(raw: &str) -> Result<ObjectId, VerifikError> {
    ObjectId::parse(raw.trim()).ok_or_else(VerifikError::invalid_collection)
}

async fn create_collection(
    State(api): State<Api>,
    CollectionToken(token): CollectionToken,
    headers: HeaderMap,
    CJson(body): CJson,
) -> Response {
    let p = match prepare(&api, &token, "collections", &headers, &body, &fields(), &[]).await {
        Ok(p) => p,
        Err(answered) => return answered,
    };
    let now = api.core.clocks.now(&token);
    let c = Collection {
        id: ObjectId::new(now),
        code: uuid::Uuid::new_v4().to_string(),
        name: text(&body, "name").unwrap_or_default().trim().to_owned(),
        description: text(&body, "description").map(str::to_owned),
        project: text(&body, "project").map(str::to_owned),
        created_at: now,
        updated_at: now,
    };
    let stored = api
        .store
        .write(&token, |g| {
            g.collections.insert(c.id, None, c.clone());
            Ok(collection_json(&token, &c))
        })
        .await;
    match stored {
        Ok(v) => scenario::tag(data(v), &p.selected),
        Err(e) => e.into_response(),
    }
}

async fn list_collections(
    State(api): State<Api>,
    CollectionToken(token): CollectionToken,
    uri: Uri,
) -> Response {
    let like = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .ok()
        .and_then(|axum::extract::Query(pairs)| {
            pairs
                .into_iter()
                .find(|(k, _)| k == "like_name")
                .map(|(_, v)| v.to_lowercase())
        });
    let list = api.store.read(&token, |g| {
        g.collections
            .iter_oldest()
            .filter(|c| {
                like.as_deref()
                    .is_none_or(|l| c.name.to_lowercase().contains(l))
            })
            .map(|c| collection_json(&token, c))
            .collect::<Vec<_>>()
    });
    data(Value::Array(list))
}

async fn get_collection(
    State(api): State<Api>,
    CollectionToken(token): CollectionToken,
    Path(id): Path<String>,
) -> Result<Response, VerifikError> {
    let oid = collection_id(&id)?;
    api.store
        .read(&token, |g| {
            g.collections.get(&oid).map(|c| collection_json(&token, c))
        })
        .map(data)
        .ok_or_else(VerifikError::invalid_collection)
}

/// The person ids of `people` (objects with `_id` or `id`, or bare ids).
fn people(body: &Value) -> Result<Option<Vec<ObjectId>>, VerifikError> {
    let Some(list) = body.get("people") else {
        return Ok(None);
    };
    let items = list
        .as_array()
        .ok_or_else(|| VerifikError::missing_parameter("\"people\" must be an array"))?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let raw = match item {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => o.get("_id").or_else(|| o.get("id")).and_then(Value::as_str),
            _ => None,
        };
        let id = raw.and_then(|r| ObjectId::parse(r.trim())).ok_or_else(|| {
            VerifikError::missing_parameter(format!("\"people[{i}]._id\" must be a valid id"))
        })?;
        out.push(id);
    }
    Ok(Some(out))
}

async fn update_collection(
    State(api): State<Api>,
    CollectionToken(token): CollectionToken,
    Path(id): Path<String>,
    headers: HeaderMap,
    CJson(body): CJson,
) -> Response {
    let members = match people(&body) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let p = match prepare(&api, &token, "collections", &headers, &body, &fields(), &[]).await {
        Ok(p) => p,
        Err(answered) => return answered,
    };
    let oid = match collection_id(&id) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let now = api.core.clocks.now(&token);
    let updated = api
        .store
        .write(&token, |g| {
            let c = g
                .collections
                .get_mut(&oid)
                .ok_or_else(VerifikError::invalid_collection)?;
            text(&body, "name")
                .unwrap_or_default()
                .trim()
                .clone_into(&mut c.name);
            if let Some(d) = text(&body, "description") {
                c.description = Some(d.to_owned());
            }
            if let Some(p) = text(&body, "project") {
                c.project = Some(p.to_owned());
            }
            c.updated_at = now;
            let c = c.clone();
            if let Some(members) = &members {
                let ids: Vec<ObjectId> = g.persons.iter_oldest().map(|p| p.id).collect();
                for pid in ids {
                    let wanted = members.contains(&pid);
                    let has = g
                        .persons
                        .get(&pid)
                        .is_some_and(|p| p.collections.contains(&oid));
                    if wanted != has {
                        if let Some(p) = g.persons.get_mut(&pid) {
                            if wanted {
                                p.collections.push(oid);
                            } else {
                                p.collections.retain(|x| *x != oid);
                            }
                            p.updated_at = now;
                        }
                    }
                }
            }
            Ok(collection_json(&token, &c))
        })
        .await;
    match updated {
        Ok(v) => scenario::tag(data(v), &p.selected),
        Err(e) => e.into_response(),
    }
}

async fn delete_collection(
    State(api): State<Api>,
    CollectionToken(token): CollectionToken,
    Path(id): Path<String>,
) -> Result<Response, VerifikError> {
    let oid = collection_id(&id)?;
    let now = api.core.clocks.now(&token);
    let snapshot = api
        .store
        .write(&token, |g| {
            let c = g
                .collections
                .remove(&oid)
                .ok_or_else(VerifikError::invalid_collection)?;
            let members: Vec<ObjectId> = g
                .persons
                .iter_oldest()
                .filter(|p| p.collections.contains(&oid))
                .map(|p| p.id)
                .collect();
            for pid in members {
                if let Some(p) = g.persons.get_mut(&pid) {
                    p.collections.retain(|x| *x != oid);
                    p.updated_at = now;
                }
            }
            Ok(collection_json(&token, &c))
        })
        .await?;
    Ok(data(snapshot))
}
