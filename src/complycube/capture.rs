//! What a client's capture produces before its checks run: the hosted Flow
//! page or a capture SDK photographs an identity document (one or both
//! sides), takes a live photo or records a live video, and the client's
//! address is at hand. The sandbox stores the same resources the API would
//! (with its own sample images) so the checks that follow use them.

use serde_json::Value;

use super::check_type::CheckType;
use super::error::ApiError;
use super::events;
use super::live_videos::default_challenges;
use super::model::{Address, Blob, Document, DocumentImage, LivePhoto, LiveVideo, Side};
use super::persist;
use super::sample_image;
use super::tenant::{FaceSighting, Tenant};
use super::workflow_session::Captured;
use crate::ids::{Millis, ObjectId};
use crate::persist::Batch;

/// Identity documents a capture may photograph.
pub(crate) const DOCUMENT_TYPES: &[&str] = &[
    "passport",
    "driving_license",
    "national_identity_card",
    "residence_permit",
];

/// How the capture goes; everything has a default.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub(crate) document_type: Option<String>,
    pub(crate) issuing_country: Option<String>,
    /// The document's front and back and the live photo, when the client
    /// chose them (uploaded files, already checked against the API's image
    /// rules); otherwise the sandbox's samples.
    pub(crate) front: Option<Image>,
    pub(crate) back: Option<Image>,
    pub(crate) live_photo: Option<Image>,
    /// The address the client typed: stored as their address unless it is
    /// the one they have (then that one is used).
    pub(crate) address: Option<NewAddress>,
}

/// An address the client typed (already checked as the API checks one).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewAddress {
    pub(crate) line: String,
    pub(crate) city: String,
    pub(crate) postal_code: Option<String>,
    pub(crate) country: String,
}

impl NewAddress {
    /// The sandbox's sample address, used when nobody typed one.
    pub(crate) fn sample() -> Self {
        NewAddress {
            line: "1 High Street".into(),
            city: "London".into(),
            postal_code: Some("EC1A 1AA".into()),
            country: "GB".into(),
        }
    }

    fn is(&self, a: &Address) -> bool {
        self.line == a.line
            && self.city == a.city
            && self.postal_code == a.postal_code
            && self.country == a.country
    }
}

/// An image the client chose: its name, media type and bytes.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) blob: Blob,
}

impl Options {
    fn side(&self, side: Side) -> Option<&Image> {
        match side {
            Side::Front => self.front.as_ref(),
            Side::Back => self.back.as_ref(),
        }
    }
}

/// Whether a document type has a back side to photograph.
pub(crate) fn two_sided(kind: &str) -> bool {
    kind != "passport"
}

/// The sandbox's sample image for `role` (`front`, `back`, `live-photo`)
/// of the capture seeded by `seed`.
pub(crate) fn sample(seed: &ObjectId, role: &str) -> Blob {
    blob(seed, role)
}

fn blob(seed: &ObjectId, role: &str) -> Blob {
    use sha2::Digest as _;
    let bytes = sample_image::png(&[seed.bytes().as_slice(), role.as_bytes()].concat());
    Blob {
        sha256: sha2::Sha256::digest(&bytes).into(),
        bytes: bytes.into(),
    }
}

/// Webhook events to raise once a capture is stored: type and payload.
pub(crate) type Raised = Vec<(&'static str, Value)>;

/// One capture: whose, for which checks, seeded by what.
pub(crate) struct Capture<'a> {
    pub(crate) key: &'a str,
    pub(crate) client_id: ObjectId,
    pub(crate) kinds: &'a [CheckType],
    /// Keeps every capture's images distinct (a session id).
    pub(crate) seed: ObjectId,
    pub(crate) opts: &'a Options,
    pub(crate) now: Millis,
}

/// Stores what `kinds` need for the client (a document with its images, a
/// live photo, a live video, an address) and returns their ids with the
/// webhook events the API would have raised for them.
pub(crate) fn capture(
    t: &mut Tenant,
    batch: &mut Batch,
    c: &Capture<'_>,
) -> Result<(Captured, Raised), ApiError> {
    let Capture {
        key,
        client_id,
        kinds,
        seed,
        opts,
        now,
    } = *c;
    let client = t
        .clients
        .get(&client_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("client", &client_id.to_string()))?;
    let mut captured = Captured::default();
    let mut raised = Vec::new();
    let needs = |f: fn(CheckType) -> bool| kinds.iter().any(|k| f(*k));
    if needs(|k| k.needs().contains(&super::check_type::Needs::Document)) {
        let kind = opts.document_type.clone().unwrap_or_else(|| {
            if kinds.contains(&CheckType::DrivingLicense) {
                "driving_license".into()
            } else {
                "passport".into()
            }
        });
        let country = opts
            .issuing_country
            .clone()
            .or_else(|| client.person_details.as_ref()?.nationality.clone())
            .unwrap_or_else(|| "GB".into());
        let id = ObjectId::new(now);
        let sides: &[Side] = if two_sided(&kind) {
            &[Side::Front, Side::Back]
        } else {
            &[Side::Front]
        };
        let images: Vec<DocumentImage> = sides
            .iter()
            .map(|side| {
                let image_id = ObjectId::new(now);
                let chosen = opts.side(*side);
                let b = chosen.map_or_else(|| blob(&seed, side.as_str()), |i| i.blob.clone());
                DocumentImage {
                    id: image_id,
                    file_name: chosen
                        .map_or_else(|| format!("{}.png", side.as_str()), |i| i.file_name.clone()),
                    document_side: *side,
                    download_link: format!("/documents/{id}/images/{image_id}/download"),
                    content_type: chosen
                        .map_or_else(|| "image/png".into(), |i| i.content_type.clone()),
                    size: b.bytes.len(),
                    created_at: now,
                    updated_at: now,
                    blob: b,
                }
            })
            .collect();
        let b = seed.bytes();
        let number = format!(
            "{:09}",
            u32::from_be_bytes([b[8], b[9], b[10], b[11]]) % 1_000_000_000
        );
        let doc = Document {
            id,
            client_id,
            kind,
            classification: Some("proof_of_identity".into()),
            issuing_country: Some(country),
            document_number: Some(number),
            images,
            created_at: now,
            updated_at: now,
        };
        for img in &doc.images {
            persist::put_image(batch, key, id, img);
            t.record_face(
                img.blob.sha256,
                FaceSighting {
                    client_id,
                    document_id: Some(id),
                    live_photo_id: None,
                },
            );
        }
        raised.push(("document.created", events::document_payload(&doc)));
        raised.push((
            "document.updated.image_uploaded",
            events::document_payload(&doc),
        ));
        t.documents.insert(id, Some(client_id), doc);
        captured.document_id = Some(id);
    }
    if needs(|k| k.needs().contains(&super::check_type::Needs::LivePhoto)) {
        let id = ObjectId::new(now);
        let chosen = opts.live_photo.as_ref();
        let b = chosen.map_or_else(|| blob(&seed, "live-photo"), |i| i.blob.clone());
        t.record_face(
            b.sha256,
            FaceSighting {
                client_id,
                live_photo_id: Some(id),
                document_id: None,
            },
        );
        let photo = LivePhoto {
            id,
            client_id,
            download_link: format!("/livePhotos/{id}/download"),
            content_type: chosen.map_or_else(|| "image/png".into(), |i| i.content_type.clone()),
            size: b.bytes.len(),
            perform_liveness_check: true,
            created_at: now,
            updated_at: now,
            blob: b,
        };
        t.live_photos.insert(id, Some(client_id), photo);
        captured.live_photo_id = Some(id);
    }
    if needs(|k| k.needs().contains(&super::check_type::Needs::LiveVideo)) {
        let id = ObjectId::new(now);
        let video = LiveVideo {
            id,
            client_id,
            language: Some("en".into()),
            challenges: default_challenges(),
            created_at: now,
            updated_at: now,
        };
        t.live_videos.insert(id, Some(client_id), video);
        captured.live_video_id = Some(id);
    }
    if needs(|k| k.needs().contains(&super::check_type::Needs::Address)) || opts.address.is_some() {
        let existing = t.addresses.ids_of_owner(&client_id).last().copied();
        let kept = existing.filter(|id| {
            opts.address
                .as_ref()
                .is_none_or(|typed| t.addresses.get(id).is_some_and(|a| typed.is(a)))
        });
        let id = match kept {
            Some(id) => id,
            None => {
                let id = ObjectId::new(now);
                let typed = opts.address.clone();
                let given = typed.clone().unwrap_or_else(NewAddress::sample);
                let address = Address {
                    id,
                    client_id,
                    kind: Some("main".into()),
                    property_number: if typed.is_some() {
                        None
                    } else {
                        Some("1".into())
                    },
                    building_name: None,
                    line: given.line,
                    city: given.city,
                    state: None,
                    postal_code: given.postal_code,
                    country: given.country,
                    from_date: None,
                    to_date: None,
                    created_at: now,
                    updated_at: now,
                };
                raised.push(("address.created", events::address_payload(&address)));
                t.addresses.insert(id, Some(client_id), address);
                id
            }
        };
        captured.address_id = Some(id);
    }
    Ok((captured, raised))
}
