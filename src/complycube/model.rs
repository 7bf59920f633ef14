//! ComplyCube resources as stored, serialized in ComplyCube's wire shape
//! (camelCase keys, absent values omitted, ISO-8601 millisecond timestamps).

use std::collections::BTreeMap;

use axum::body::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::{Millis, ObjectId, iso_millis, parse_time};

/// Serializes epoch millis as `2020-01-04T17:24:29.146Z`.
pub(crate) fn ts<S: Serializer>(ms: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso_millis(*ms))
}

/// Reads `2020-01-04T17:24:29.146Z` back into epoch millis (stored records).
pub(crate) fn ts_back<'de, D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse_time(&s).ok_or_else(|| serde::de::Error::custom("not a timestamp"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ClientType {
    Person,
    Company,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PersonDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) dob: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) birth_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ssn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) social_insurance_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) national_identity_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tax_identification_number: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompanyDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) registration_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) incorporation_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) incorporation_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Client {
    pub(crate) id: ObjectId,
    #[serde(rename = "type")]
    pub(crate) kind: ClientType,
    pub(crate) entity_name: String,
    pub(crate) email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mobile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) telephone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) joined_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) person_details: Option<PersonDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) company_details: Option<CompanyDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<BTreeMap<String, String>>,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) created_at: Millis,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) updated_at: Millis,
}

impl Client {
    /// "John Doe" for a person (first, middle, last), the name for a company.
    pub(crate) fn compute_entity_name(&self) -> String {
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Address {
    pub(crate) id: ObjectId,
    pub(crate) client_id: ObjectId,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) property_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) building_name: Option<String>,
    pub(crate) line: String,
    pub(crate) city: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) postal_code: Option<String>,
    pub(crate) country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) from_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) to_date: Option<String>,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) created_at: Millis,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) updated_at: Millis,
}

/// `front` or `back`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Side {
    Front,
    Back,
}

impl Side {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "front" => Some(Side::Front),
            "back" => Some(Side::Back),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Side::Front => "front",
            Side::Back => "back",
        }
    }
}

/// A stored image (document side or live photo). The decoded bytes are
/// kept once; downloads re-encode them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Blob {
    pub(crate) bytes: Bytes,
    pub(crate) sha256: [u8; 32],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DocumentImage {
    pub(crate) id: ObjectId,
    pub(crate) file_name: String,
    pub(crate) document_side: Side,
    pub(crate) download_link: String,
    pub(crate) content_type: String,
    pub(crate) size: usize,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) created_at: Millis,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) updated_at: Millis,
    #[serde(skip)]
    pub(crate) blob: Blob,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document {
    pub(crate) id: ObjectId,
    pub(crate) client_id: ObjectId,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) classification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) issuing_country: Option<String>,
    /// The document's number (a driving licence check needs it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) document_number: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) images: Vec<DocumentImage>,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) created_at: Millis,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) updated_at: Millis,
}

impl Document {
    pub(crate) fn image(&self, side: Side) -> Option<&DocumentImage> {
        self.images.iter().find(|i| i.document_side == side)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LivePhoto {
    pub(crate) id: ObjectId,
    pub(crate) client_id: ObjectId,
    pub(crate) download_link: String,
    pub(crate) content_type: String,
    pub(crate) size: usize,
    pub(crate) perform_liveness_check: bool,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) created_at: Millis,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) updated_at: Millis,
    #[serde(skip)]
    pub(crate) blob: Blob,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Challenge {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) value: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LiveVideo {
    pub(crate) id: ObjectId,
    pub(crate) client_id: ObjectId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) language: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) challenges: Vec<Challenge>,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) created_at: Millis,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) updated_at: Millis,
}

/// A stored record with ComplyCube's `createdAt`/`updatedAt`, listable by client.
pub(crate) trait Stamped: Serialize {
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
