//! ComplyCube resources as stored, serialized in ComplyCube's wire shape
//! (camelCase keys, absent values omitted, ISO-8601 millisecond timestamps).

use std::collections::BTreeMap;

use axum::body::Bytes;
use serde::{Deserialize, Serialize, Serializer};

use crate::ids::{Millis, ObjectId, iso_millis};
use crate::scenario::ClientFacts;

/// Serializes epoch millis as `2020-01-04T17:24:29.146Z`.
pub fn ts<S: Serializer>(ms: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso_millis(*ms))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientType {
    Person,
    Company,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub social_insurance_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national_identity_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_identification_number: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incorporation_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incorporation_type: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    pub id: ObjectId,
    #[serde(rename = "type")]
    pub kind: ClientType,
    pub entity_name: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telephone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_details: Option<PersonDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_details: Option<CompanyDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(serialize_with = "ts")]
    pub created_at: Millis,
    #[serde(serialize_with = "ts")]
    pub updated_at: Millis,
}

impl Client {
    /// "John Doe" for a person (first, middle, last), the name for a company.
    pub fn compute_entity_name(&self) -> String {
        match (&self.person_details, &self.company_details) {
            (Some(p), _) if self.kind == ClientType::Person => {
                [&p.first_name, &p.middle_name, &p.last_name]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            (_, Some(c)) => c.name.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// What the scenario engine may match on.
    pub fn facts(&self) -> ClientFacts<'_> {
        let p = self.person_details.as_ref();
        ClientFacts {
            first_name: p.and_then(|p| p.first_name.as_deref()),
            middle_name: p.and_then(|p| p.middle_name.as_deref()),
            last_name: p.and_then(|p| p.last_name.as_deref()),
            email: Some(&self.email),
            external_id: self.external_id.as_deref(),
            metadata: self.metadata.as_ref(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub id: ObjectId,
    pub client_id: ObjectId,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building_name: Option<String>,
    pub line: String,
    pub city: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_date: Option<String>,
    #[serde(serialize_with = "ts")]
    pub created_at: Millis,
    #[serde(serialize_with = "ts")]
    pub updated_at: Millis,
}

/// `front` or `back`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Front,
    Back,
}

impl Side {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "front" => Some(Side::Front),
            "back" => Some(Side::Back),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Front => "front",
            Side::Back => "back",
        }
    }
}

/// A stored image (document side or live photo). The decoded bytes are
/// kept once; downloads re-encode them.
#[derive(Debug, Clone)]
pub struct Blob {
    pub bytes: Bytes,
    pub sha256: [u8; 32],
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentImage {
    pub id: ObjectId,
    pub file_name: String,
    pub document_side: Side,
    pub download_link: String,
    pub content_type: String,
    pub size: usize,
    #[serde(serialize_with = "ts")]
    pub created_at: Millis,
    #[serde(serialize_with = "ts")]
    pub updated_at: Millis,
    #[serde(skip)]
    pub blob: Blob,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub id: ObjectId,
    pub client_id: ObjectId,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<DocumentImage>,
    #[serde(serialize_with = "ts")]
    pub created_at: Millis,
    #[serde(serialize_with = "ts")]
    pub updated_at: Millis,
}

impl Document {
    pub fn image(&self, side: Side) -> Option<&DocumentImage> {
        self.images.iter().find(|i| i.document_side == side)
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LivePhoto {
    pub id: ObjectId,
    pub client_id: ObjectId,
    pub download_link: String,
    pub content_type: String,
    pub size: usize,
    pub perform_liveness_check: bool,
    #[serde(serialize_with = "ts")]
    pub created_at: Millis,
    #[serde(serialize_with = "ts")]
    pub updated_at: Millis,
    #[serde(skip)]
    pub blob: Blob,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveVideo {
    pub id: ObjectId,
    pub client_id: ObjectId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub challenges: Vec<Challenge>,
    #[serde(serialize_with = "ts")]
    pub created_at: Millis,
    #[serde(serialize_with = "ts")]
    pub updated_at: Millis,
}

/// A stored record with ComplyCube's `createdAt`/`updatedAt`, listable by client.
pub trait Stamped: Serialize {
    fn created_at(&self) -> Millis;
    fn updated_at(&self) -> Millis;
}

macro_rules! stamped {
    ($($t:ty),*) => {$(
        impl Stamped for $t {
            fn created_at(&self) -> Millis {
                self.created_at
            }
            fn updated_at(&self) -> Millis {
                self.updated_at
            }
        }
    )*};
}

stamped!(Address, Document, LivePhoto, LiveVideo);
