//! A stored check in ComplyCube's JSON shape at a given tenant time.

use serde_json::{Map, Value, json};

use super::check::Check;
use super::check_type::CheckType;
use super::results::{self, RenderContext};
use super::tenant::Tenant;
use crate::ids::{Millis, iso_millis};

/// Everything `render` needs besides the check itself.
pub(crate) fn context<'a>(t: &'a Tenant, c: &Check) -> RenderContext<'a> {
    RenderContext {
        client: t.clients.get(&c.client_id),
        document: c.document_id.and_then(|d| t.documents.get(&d)),
        address: c.address_id.and_then(|a| t.addresses.get(&a)),
        client_live_photos: if c.kind == CheckType::FaceAuthentication {
            t.live_photos.ids_of_owner(&c.client_id)
        } else {
            Vec::new()
        },
    }
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
