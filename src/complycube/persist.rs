//! ComplyCube's state as durable records: what a write touched becomes
//! record puts and deletes ([`drain`]), stored records become tables again
//! ([`restore`]), and a tenant becomes its records ([`export`]).
//!
//! Bodies are the wire JSON ComplyCube answers with, plus what the wire
//! hides (a webhook's secret, an image's digest) beside it; image bytes are
//! raw in the record's `data`. A check is stored whole, with the digest of
//! the scenario that decided it. Face sightings are derived, not stored.

use std::collections::HashMap;

use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::check::{Check, EnrolledMatch, FinalStatus, Redaction};
use super::check_type::CheckType;
use super::model::{Blob, DocumentImage, LivePhoto};
use super::tenant::{FaceSighting, Tenant};
use super::webhook::Webhook;
use crate::ids::{Millis, ObjectId};
use crate::persist::{Batch, Durable, Record};
use crate::scenario::Source;
use crate::scenario::stored::{self as scenarios, Restored};

const CLIENT: &str = "complycube.client";
const ADDRESS: &str = "complycube.address";
const DOCUMENT: &str = "complycube.document";
const DOCUMENT_IMAGE: &str = "complycube.document_image";
const LIVE_PHOTO: &str = "complycube.live_photo";
const LIVE_VIDEO: &str = "complycube.live_video";
const CHECK: &str = "complycube.check";
const WEBHOOK: &str = "complycube.webhook";

/// The prefix every ComplyCube record kind starts with.
pub(crate) const PREFIX: &str = "complycube.";

#[derive(Serialize, Deserialize)]
struct StoredWebhook {
    #[serde(flatten)]
    webhook: Webhook,
    secret: String,
}

#[derive(Serialize, Deserialize)]
struct StoredImage {
    sha256: String,
}

#[derive(Serialize, Deserialize)]
struct StoredPhoto {
    #[serde(flatten)]
    photo: LivePhoto,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredMatch {
    client_id: ObjectId,
    entity_name: String,
    live_photo_id: Option<ObjectId>,
}

/// A check with everything it was decided with, so it completes after a
/// restart exactly as it would have.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredCheck {
    id: ObjectId,
    client_id: ObjectId,
    #[serde(rename = "type")]
    kind: String,
    entity_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    live_photo_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    live_video_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    enable_monitoring: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_consent: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    options: Option<Value>,
    created_at: Millis,
    updated_at: Millis,
    complete_at: Millis,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    failed: bool,
    /// Digest of the stored scenario that decided it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scenario: Option<String>,
    /// Which layer chose it (`armed`, `header`, `fixture`, `default`).
    #[serde(default = "default_source", skip_serializing_if = "is_default_source")]
    scenario_source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enrolled: Option<Vec<StoredMatch>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    validated_outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    match_validations: Option<HashMap<String, bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_supplied: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redacted_attributes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redacted_images: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    events_raised: bool,
}

fn default_source() -> String {
    Source::Default.as_str().to_owned()
}

fn is_default_source(s: &String) -> bool {
    s == Source::Default.as_str()
}

impl StoredCheck {
    fn of(c: &Check) -> Self {
        StoredCheck {
            id: c.id,
            client_id: c.client_id,
            kind: c.kind.as_str().to_owned(),
            entity_name: c.entity_name.to_string(),
            document_id: c.document_id,
            address_id: c.address_id,
            live_photo_id: c.live_photo_id,
            live_video_id: c.live_video_id,
            enable_monitoring: c.enable_monitoring,
            client_consent: c.client_consent,
            options: c.options.as_deref().cloned(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            complete_at: c.complete_at,
            failed: c.final_status == FinalStatus::Failed,
            scenario: c.scenario.as_ref().map(|s| s.digest.clone()),
            scenario_source: c.scenario_source.as_str().to_owned(),
            enrolled: c.enrolled.as_ref().map(|list| {
                list.iter()
                    .map(|m| StoredMatch {
                        client_id: m.client_id,
                        entity_name: m.entity_name.clone(),
                        live_photo_id: m.live_photo_id,
                    })
                    .collect()
            }),
            validated_outcome: c.validated_outcome.as_deref().map(str::to_owned),
            match_validations: c.match_validations.as_deref().cloned(),
            user_supplied: c.user_supplied.as_deref().cloned(),
            redacted_attributes: c.redacted.as_ref().map(|r| r.attributes.clone()),
            redacted_images: c.redacted.as_ref().map(|r| r.images.clone()),
            events_raised: c.events_raised,
        }
    }

    fn into_check(self, scenarios: &Restored) -> Result<Check, String> {
        let kind = CheckType::parse(&self.kind)
            .ok_or_else(|| format!("unknown check type '{}'", self.kind))?;
        let redacted =
            (self.redacted_attributes.is_some() || self.redacted_images.is_some()).then(|| {
                Box::new(Redaction {
                    attributes: self.redacted_attributes.unwrap_or_default(),
                    images: self.redacted_images.unwrap_or_default(),
                })
            });
        Ok(Check {
            id: self.id,
            client_id: self.client_id,
            kind,
            entity_name: self.entity_name.into_boxed_str(),
            document_id: self.document_id,
            address_id: self.address_id,
            live_photo_id: self.live_photo_id,
            live_video_id: self.live_video_id,
            enable_monitoring: self.enable_monitoring,
            client_consent: self.client_consent,
            options: self.options.map(Box::new),
            created_at: self.created_at,
            updated_at: self.updated_at,
            complete_at: self.complete_at,
            final_status: if self.failed {
                FinalStatus::Failed
            } else {
                FinalStatus::Complete
            },
            scenario: self.scenario.and_then(|d| scenarios.get(&d)),
            scenario_source: Source::parse(&self.scenario_source).unwrap_or(Source::Default),
            enrolled: self.enrolled.map(|list| {
                list.into_iter()
                    .map(|m| EnrolledMatch {
                        client_id: m.client_id,
                        entity_name: m.entity_name,
                        live_photo_id: m.live_photo_id,
                    })
                    .collect()
            }),
            validated_outcome: self.validated_outcome.map(String::into_boxed_str),
            match_validations: self.match_validations.map(Box::new),
            user_supplied: self.user_supplied.map(Box::new),
            redacted,
            events_raised: self.events_raised,
        })
    }
}

fn record<T: Serialize>(
    tenant: &str,
    kind: &str,
    id: ObjectId,
    owner: Option<ObjectId>,
    value: &T,
    data: Option<Bytes>,
) -> Record {
    Record {
        tenant: tenant.to_owned(),
        kind: kind.to_owned(),
        id: id.to_string(),
        owner: owner.map(|o| o.to_string()),
        body: serde_json::to_vec(value).unwrap_or_default(),
        data,
    }
}

fn image_record(tenant: &str, document: ObjectId, image: &DocumentImage) -> Record {
    let digest = StoredImage {
        sha256: hex::encode(image.blob.sha256),
    };
    record(
        tenant,
        DOCUMENT_IMAGE,
        image.id,
        Some(document),
        &digest,
        Some(image.blob.bytes.clone()),
    )
}

fn photo_record(tenant: &str, p: &LivePhoto) -> Record {
    let stored = StoredPhoto {
        photo: p.clone(),
        sha256: hex::encode(p.blob.sha256),
    };
    record(
        tenant,
        LIVE_PHOTO,
        p.id,
        Some(p.client_id),
        &stored,
        Some(p.blob.bytes.clone()),
    )
}

fn webhook_record(tenant: &str, w: &Webhook) -> Record {
    let stored = StoredWebhook {
        webhook: w.clone(),
        secret: w.secret.clone(),
    };
    record(tenant, WEBHOOK, w.id, None, &stored, None)
}

/// Adds a document image's record (its bytes included) to `batch`.
pub(crate) fn put_image(
    batch: &mut Batch,
    tenant: &str,
    document: ObjectId,
    image: &DocumentImage,
) {
    if batch.enabled() {
        batch.push(crate::persist::Change::Put(image_record(
            tenant, document, image,
        )));
    }
}

/// Removes a document image's record.
pub(crate) fn delete_image(batch: &mut Batch, tenant: &str, image: ObjectId) {
    batch.delete(tenant, DOCUMENT_IMAGE, &image.to_string());
}

/// Turns every row a write touched into a record put or delete. Image
/// records are written by the handlers that change images.
pub(crate) fn drain(t: &mut Tenant, tenant: &str, durable: &Durable, batch: &mut Batch) {
    let on = batch.enabled();
    macro_rules! rows {
        ($table:ident, $kind:expr, |$row:ident| $make:expr, |$id:ident| $gone:block) => {
            for $id in t.$table.take_dirty() {
                if !on {
                    continue;
                }
                match t.$table.get(&$id) {
                    Some($row) => batch.push(crate::persist::Change::Put($make)),
                    None => {
                        batch.delete(tenant, $kind, &$id.to_string());
                        $gone
                    }
                }
            }
        };
    }
    rows!(
        clients,
        CLIENT,
        |c| record(tenant, CLIENT, c.id, None, c, None),
        |_id| {}
    );
    rows!(
        addresses,
        ADDRESS,
        |a| record(tenant, ADDRESS, a.id, Some(a.client_id), a, None),
        |_id| {}
    );
    rows!(
        documents,
        DOCUMENT,
        |d| record(tenant, DOCUMENT, d.id, Some(d.client_id), d, None),
        |id| { batch.delete_owned(tenant, DOCUMENT_IMAGE, &id.to_string()) }
    );
    rows!(
        live_photos,
        LIVE_PHOTO,
        |p| photo_record(tenant, p),
        |_id| {}
    );
    rows!(
        live_videos,
        LIVE_VIDEO,
        |v| record(tenant, LIVE_VIDEO, v.id, Some(v.client_id), v, None),
        |_id| {}
    );
    rows!(webhooks, WEBHOOK, |w| webhook_record(tenant, w), |_id| {});
    for id in t.checks.take_dirty() {
        if !on {
            continue;
        }
        match t.checks.get(&id) {
            Some(c) => {
                if let Some(s) = &c.scenario {
                    scenarios::put(batch, durable, s);
                }
                batch.push(crate::persist::Change::Put(record(
                    tenant,
                    CHECK,
                    c.id,
                    Some(c.client_id),
                    &StoredCheck::of(c),
                    None,
                )));
            }
            None => batch.delete(tenant, CHECK, &id.to_string()),
        }
    }
    super::persist_activity::drain(t, tenant, durable, batch);
}

fn parse<'a, T: Deserialize<'a>>(r: &'a Record) -> Result<T, String> {
    serde_json::from_slice(&r.body).map_err(|e| format!("{} {}: {e}", r.kind, r.id))
}

fn oid(r: &Record, s: Option<&str>) -> Result<ObjectId, String> {
    s.and_then(ObjectId::parse)
        .ok_or_else(|| format!("{} {}: bad id", r.kind, r.id))
}

fn blob(r: &Record, sha_hex: &str) -> Result<Blob, String> {
    let mut sha256 = [0u8; 32];
    hex::decode_to_slice(sha_hex, &mut sha256).map_err(|e| format!("{} {}: {e}", r.kind, r.id))?;
    Ok(Blob {
        bytes: r.data.clone().unwrap_or_default(),
        sha256,
    })
}

/// Puts one tenant's stored records back into `t` (images after their
/// documents), then derives the face sightings.
pub(crate) fn restore(
    t: &mut Tenant,
    records: &[&Record],
    scenarios: &Restored,
) -> Result<(), String> {
    let mut images = Vec::new();
    for r in records {
        match r.kind.as_str() {
            CLIENT => {
                let c: super::model::Client = parse(r)?;
                t.clients.upsert(c.id, None, c);
            }
            ADDRESS => {
                let a: super::model::Address = parse(r)?;
                t.addresses.upsert(a.id, Some(a.client_id), a);
            }
            DOCUMENT => {
                let mut d: super::model::Document = parse(r)?;
                // A replaced document keeps the bytes of the images it
                // still has (their records change only with the image).
                if let Some(old) = t.documents.get(&d.id) {
                    for img in &mut d.images {
                        if let Some(o) = old.images.iter().find(|o| o.id == img.id) {
                            img.blob = o.blob.clone();
                        }
                    }
                }
                t.documents.upsert(d.id, Some(d.client_id), d);
            }
            DOCUMENT_IMAGE => images.push(*r),
            LIVE_PHOTO => {
                let stored: StoredPhoto = parse(r)?;
                let mut p = stored.photo;
                p.blob = blob(r, &stored.sha256)?;
                t.live_photos.upsert(p.id, Some(p.client_id), p);
            }
            LIVE_VIDEO => {
                let v: super::model::LiveVideo = parse(r)?;
                t.live_videos.upsert(v.id, Some(v.client_id), v);
            }
            CHECK => {
                let stored: StoredCheck = parse(r)?;
                let c = stored.into_check(scenarios)?;
                t.checks.upsert(c.id, Some(c.client_id), c);
            }
            WEBHOOK => {
                let stored: StoredWebhook = parse(r)?;
                let mut w = stored.webhook;
                w.secret = stored.secret;
                t.webhooks.upsert(w.id, None, w);
            }
            other => {
                if !super::persist_activity::restore_one(t, r, scenarios)? {
                    return Err(format!("unknown record kind '{other}'"));
                }
            }
        }
    }
    for r in images {
        let stored: StoredImage = parse(r)?;
        let id = oid(r, Some(&r.id))?;
        let doc = oid(r, r.owner.as_deref())?;
        let b = blob(r, &stored.sha256)?;
        if let Some(d) = t.documents.get_mut(&doc) {
            if let Some(img) = d.images.iter_mut().find(|i| i.id == id) {
                img.blob = b;
            }
        }
    }
    // Restoring is not a write: nothing to persist again.
    t.clear_dirty();
    rebuild_faces(t);
    Ok(())
}

/// Forgets one record another replica deleted (an image goes with its
/// document's next record).
pub(crate) fn forget(t: &mut Tenant, kind: &str, id: &str) {
    let Some(id) = ObjectId::parse(id) else {
        return;
    };
    match kind {
        CLIENT => drop(t.clients.remove(&id)),
        ADDRESS => drop(t.addresses.remove(&id)),
        DOCUMENT => drop(t.documents.remove(&id)),
        LIVE_PHOTO => drop(t.live_photos.remove(&id)),
        LIVE_VIDEO => drop(t.live_videos.remove(&id)),
        CHECK => drop(t.checks.remove(&id)),
        WEBHOOK => drop(t.webhooks.remove(&id)),
        _ => super::persist_activity::forget(t, kind, &id),
    }
    t.clear_dirty();
}

fn rebuild_faces(t: &mut Tenant) {
    let mut seen = Vec::new();
    for d in t.documents.iter_newest() {
        for img in &d.images {
            seen.push((
                img.blob.sha256,
                FaceSighting {
                    client_id: d.client_id,
                    live_photo_id: None,
                    document_id: Some(d.id),
                },
            ));
        }
    }
    for p in t.live_photos.iter_newest() {
        seen.push((
            p.blob.sha256,
            FaceSighting {
                client_id: p.client_id,
                live_photo_id: Some(p.id),
                document_id: None,
            },
        ));
    }
    for (sha, sighting) in seen.into_iter().rev() {
        t.record_face(sha, sighting);
    }
}

/// Every record of one tenant, scenarios its checks refer to included.
pub(crate) fn export(t: &Tenant, tenant: &str) -> Vec<Record> {
    let mut out = Vec::new();
    for c in t.clients.iter_oldest() {
        out.push(record(tenant, CLIENT, c.id, None, c, None));
    }
    for a in t.addresses.iter_oldest() {
        out.push(record(tenant, ADDRESS, a.id, Some(a.client_id), a, None));
    }
    for d in t.documents.iter_oldest() {
        out.push(record(tenant, DOCUMENT, d.id, Some(d.client_id), d, None));
        for img in &d.images {
            out.push(image_record(tenant, d.id, img));
        }
    }
    for p in t.live_photos.iter_oldest() {
        out.push(photo_record(tenant, p));
    }
    for v in t.live_videos.iter_oldest() {
        out.push(record(tenant, LIVE_VIDEO, v.id, Some(v.client_id), v, None));
    }
    let mut digests = std::collections::HashSet::new();
    for c in t.checks.iter_oldest() {
        if let Some(s) = &c.scenario {
            if digests.insert(s.digest.clone()) {
                out.push(scenarios::record(s));
            }
        }
        out.push(record(
            tenant,
            CHECK,
            c.id,
            Some(c.client_id),
            &StoredCheck::of(c),
            None,
        ));
    }
    for w in t.webhooks.iter_oldest() {
        out.push(webhook_record(tenant, w));
    }
    out.extend(super::persist_activity::export(t, tenant, &mut digests));
    out
}

/// Whether the tenant holds a record with this kind and id.
pub(crate) fn contains(t: &Tenant, r: &Record) -> bool {
    let Some(id) = ObjectId::parse(&r.id) else {
        return false;
    };
    match r.kind.as_str() {
        CLIENT => t.clients.contains(&id),
        ADDRESS => t.addresses.contains(&id),
        DOCUMENT => t.documents.contains(&id),
        DOCUMENT_IMAGE => t
            .documents
            .iter_newest()
            .any(|d| d.images.iter().any(|i| i.id == id)),
        LIVE_PHOTO => t.live_photos.contains(&id),
        LIVE_VIDEO => t.live_videos.contains(&id),
        CHECK => t.checks.contains(&id),
        WEBHOOK => t.webhooks.contains(&id),
        _ => super::persist_activity::contains(t, r),
    }
}
