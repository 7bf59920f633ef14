//! One token's face gallery: its collections and the persons enrolled in
//! them, each person with the SHA-256 of its face images — the same image
//! identity the compare endpoints score on, so enrolling an image and
//! searching with it finds that person. Rendering follows Verifik's shapes:
//! Mongo-style records (`_id`, `createdAt`, `__v`) for the resources,
//! face-engine persons (`id`, `create_date`, `date_of_birth` as
//! `YYYY-MM-DD`) in search results.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::render::client_id;
use crate::ids::{Millis, ObjectId, iso_millis, to_datetime};
use crate::store::Table;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Collection {
    pub(crate) id: ObjectId,
    /// The UUID the face engine knows the collection by.
    pub(crate) code: String,
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) project: Option<String>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
}

/// One enrolled face image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Face {
    /// The thumbnail's id (a UUID).
    pub(crate) id: String,
    /// The image as sent (base64, any `data:` prefix removed).
    pub(crate) image: String,
    #[serde(with = "hex_digest")]
    pub(crate) sha256: [u8; 32],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Person {
    pub(crate) id: ObjectId,
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) gender: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) nationality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) phone: Option<String>,
    pub(crate) faces: Vec<Face>,
    /// Collection `_id`s.
    pub(crate) collections: Vec<ObjectId>,
    pub(crate) status: String,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
}

mod hex_digest {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out).map_err(serde::de::Error::custom)?;
        Ok(out)
    }
}

/// One token's collections and persons.
#[derive(Default)]
pub(crate) struct Gallery {
    pub(crate) collections: Table<Collection>,
    pub(crate) persons: Table<Person>,
}

impl Gallery {
    /// A collection by its `_id` or its `code` (both are documented as
    /// what `collection_id` means, depending on the page).
    pub(crate) fn collection(&self, raw: &str) -> Option<&Collection> {
        let raw = raw.trim();
        if let Some(id) = ObjectId::parse(raw) {
            if let Some(c) = self.collections.get(&id) {
                return Some(c);
            }
        }
        self.collections
            .iter_oldest()
            .find(|c| c.code.eq_ignore_ascii_case(raw))
    }

    /// The persons a search looks at: a collection's members, or everyone.
    pub(crate) fn candidates(&self, collection: Option<ObjectId>) -> Vec<&Person> {
        self.persons
            .iter_oldest()
            .filter(|p| collection.is_none_or(|c| p.collections.contains(&c)))
            .collect()
    }

    pub(crate) fn clear_dirty(&mut self) {
        self.collections.take_dirty();
        self.persons.take_dirty();
    }
}

/// A collection as Verifik's collection routes answer it.
pub(crate) fn collection_json(token: &str, c: &Collection) -> Value {
    let mut v = json!({
        "_id": c.id,
        "deleted": false,
        "name": c.name,
        "client": client_id(token),
        "code": c.code,
        "updatedAt": iso_millis(c.updated_at),
        "createdAt": iso_millis(c.created_at),
        "__v": 0,
    });
    if let Some(m) = v.as_object_mut() {
        if let Some(d) = &c.description {
            m.insert("description".into(), json!(d));
        }
        if let Some(p) = &c.project {
            m.insert("project".into(), json!(p));
        }
    }
    v
}

fn thumbnails(p: &Person) -> Value {
    Value::Array(
        p.faces
            .iter()
            .map(|f| json!({"id": f.id, "thumbnail": f.image}))
            .collect(),
    )
}

/// How a person record is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PersonView {
    /// The create answer: no images.
    Created,
    /// Retrieve, list, update: images, face encodings and status too.
    Full,
}

/// A person as the person routes answer it; `collections` as ids, or as
/// `{_id, code, name, description}` objects when `populate` is set.
pub(crate) fn person_json(
    token: &str,
    g: &Gallery,
    p: &Person,
    view: PersonView,
    populate: bool,
) -> Value {
    let collections: Vec<Value> = p
        .collections
        .iter()
        .map(|id| match (populate, g.collections.get(id)) {
            (true, Some(c)) => {
                json!({"_id": c.id, "code": c.code, "name": c.name, "description": c.description})
            }
            _ => json!(id),
        })
        .collect();
    let mut v = json!({
        "_id": p.id,
        "name": p.name,
        "gender": p.gender,
        "date_of_birth": p.date_of_birth,
        "nationality": p.nationality,
        "thumbnails": thumbnails(p),
        "collections": collections,
        "notes": p.notes,
        "client": client_id(token),
        "createdAt": iso_millis(p.created_at),
        "updatedAt": iso_millis(p.updated_at),
    });
    if let Some(m) = v.as_object_mut() {
        if view == PersonView::Full {
            m.insert(
                "images".into(),
                p.faces.iter().map(|f| json!(f.image)).collect(),
            );
            m.insert(
                "faceEncodings".into(),
                p.faces
                    .iter()
                    .map(|f| json!(hex::encode(f.sha256)))
                    .collect(),
            );
            m.insert("status".into(), json!(p.status));
            for (k, val) in [("email", &p.email), ("phone", &p.phone)] {
                if let Some(x) = val {
                    m.insert(k.into(), json!(x));
                }
            }
        }
        m.retain(|_, v| !v.is_null());
    }
    v
}

/// `2023-09-29T21:38:59.306000`: the face engine's naive timestamps.
fn engine_time(ms: Millis) -> String {
    to_datetime(ms).format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// A person as the face engine reports it in search and verify results,
/// with its score; collections as their codes.
pub(crate) fn hit_json(g: &Gallery, p: &Person, score: f64) -> Value {
    let codes: Vec<&str> = p
        .collections
        .iter()
        .filter_map(|id| g.collections.get(id))
        .map(|c| c.code.as_str())
        .collect();
    let mut v = json!({
        "id": p.id,
        "name": p.name,
        "notes": p.notes,
        "score": crate::number::js_value(score),
        "gender": p.gender,
        "thumbnails": thumbnails(p),
        "collections": codes,
        "create_date": engine_time(p.created_at),
        "nationality": p.nationality,
        "date_of_birth": p.date_of_birth,
        "modified_date": engine_time(p.updated_at),
    });
    if let Some(m) = v.as_object_mut() {
        m.retain(|_, v| !v.is_null());
    }
    v
}

/// A person as the lookup and the duplicate answer show it.
pub(crate) fn summary_json(g: &Gallery, p: &Person) -> Value {
    let collections: Vec<Value> = p
        .collections
        .iter()
        .filter_map(|id| g.collections.get(id))
        .map(|c| json!({"_id": c.id, "code": c.code, "name": c.name}))
        .collect();
    let mut v = json!({
        "_id": p.id,
        "name": p.name,
        "date_of_birth": p.date_of_birth,
        "gender": p.gender,
        "thumbnails": thumbnails(p),
        "collections": collections,
    });
    if let Some(m) = v.as_object_mut() {
        m.retain(|_, v| !v.is_null());
    }
    v
}
