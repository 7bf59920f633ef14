//! A stored check in ComplyCube's JSON shape at a given tenant time.

use serde_json::{Map, Value, json};

use super::check::Check;
use super::check_type::CheckType;
use super::results::{self, EnrolledFaces, RenderContext};
use super::tenant::Tenant;
use crate::ids::{Millis, ObjectId, iso_millis};

/// Everything `render` needs besides the check itself.
pub(crate) fn context<'a>(t: &'a Tenant, c: &Check) -> RenderContext<'a> {
    let own_address = c.address_id.and_then(|a| t.addresses.get(&a));
    // Proof of address and eID read the client's latest address when the
    // check names none.
    let address = match c.kind {
        CheckType::ProofOfAddress | CheckType::Eid => {
            own_address.or_else(|| t.addresses.of_owner(&c.client_id).last())
        }
        _ => own_address,
    };
    RenderContext {
        client: t.clients.get(&c.client_id),
        document: c.document_id.and_then(|d| t.documents.get(&d)),
        address,
        enrolled: if c.kind == CheckType::FaceAuthentication {
            enrolled_faces(t, &c.client_id, c.created_at)
        } else {
            EnrolledFaces::default()
        },
    }
}

/// The faces a client had enrolled at `at`: "on a successful Identity
/// Check, your customer's facial biometrics will be automatically enrolled"
/// (identity and enhanced identity checks complete with outcome `clear`).
pub(crate) fn enrolled_faces(t: &Tenant, client: &ObjectId, at: Millis) -> EnrolledFaces {
    let mut faces = EnrolledFaces::default();
    for c in t.checks.of_owner(client) {
        let enrols = matches!(c.kind, CheckType::Identity | CheckType::EnhancedIdentity);
        if !enrols || !c.is_complete(at) || c.status(at) != "complete" {
            continue;
        }
        if results::outcome(c, &context(t, c)) != "clear" {
            continue;
        }
        if let Some(p) = c.live_photo_id {
            faces.live_photos.push(p);
        }
        if let Some(v) = c.live_video_id {
            faces.live_videos.push(v);
        }
    }
    faces
}

/// The check in ComplyCube's JSON shape at `now`.
pub(crate) fn render(t: &Tenant, c: &Check, now: Millis) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(c.id));
    m.insert("entityName".into(), json!(c.entity_name));
    m.insert("type".into(), json!(c.kind.as_str()));
    m.insert("clientId".into(), json!(c.client_id));
    for (k, v) in [
        ("documentId", c.document_id),
        ("addressId", c.address_id),
        ("livePhotoId", c.live_photo_id),
        ("liveVideoId", c.live_video_id),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    // ComplyCube's samples carry `enableMonitoring` on screening checks only.
    if c.kind.is_screening() || c.enable_monitoring {
        m.insert("enableMonitoring".into(), json!(c.enable_monitoring));
    }
    if let Some(cc) = c.client_consent {
        m.insert("clientConsent".into(), json!(cc));
    }
    if let Some(o) = &c.options {
        m.insert("options".into(), (**o).clone());
    }
    let status = c.status(now);
    m.insert("status".into(), json!(status));
    if status == "complete" {
        m.insert("result".into(), results::render(c, &context(t, c)));
    }
    m.insert("createdAt".into(), json!(iso_millis(c.created_at)));
    m.insert("updatedAt".into(), json!(iso_millis(c.updated(now))));
    Value::Object(m)
}

/// The outcome a complete check carries (`clear`, `attention`, …).
pub(crate) fn outcome(t: &Tenant, c: &Check) -> String {
    results::outcome(c, &context(t, c))
}
