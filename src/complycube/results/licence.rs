//! `driving_license_check`.
//!
//! Source: https://docs.complycube.com/documentation/api-reference/check-types/driving-license-check
//! (`documentData.documentDetails`: `licenseType` full|provisional,
//! `issuingCountry`, `expirationDate`, `documentNumber`, `points`). The page
//! is cut after `points` and before its analysis object: `dataVerification`
//! (named as the SSN check names its own, one leaf per documented detail)
//! is approximated.

use serde_json::{Value, json};

use super::{RenderContext, date_from};
use crate::complycube::check::Check;

pub(super) fn base(c: &Check, ctx: &RenderContext<'_>) -> Value {
    let doc = ctx.document;
    json!({
        "documentData": {
            "documentDetails": {
                "licenseType": "full",
                "issuingCountry": doc.and_then(|d| d.issuing_country.clone()).unwrap_or_else(|| "GB".into()),
                "expirationDate": date_from(c.created_at, 5 * 365),
                "documentNumber": doc.and_then(|d| d.document_number.clone()),
                "points": 0
            }
        },
        "dataVerification": {
            "documentNumber": "clear",
            "expirationDate": "clear",
            "licenseType": "clear",
            "points": "clear"
        }
    })
}

/// The retrieved details agree with a failed leaf: an expired licence has
/// a past expiry, a provisional one says so, points are counted.
pub(super) fn finish(c: &Check, b: &mut Value) {
    let failed = |b: &Value, leaf: &str| {
        b.pointer(&format!("/dataVerification/{leaf}")) == Some(&json!("attention"))
    };
    let (expired, provisional, points) = (
        failed(b, "expirationDate"),
        failed(b, "licenseType"),
        failed(b, "points"),
    );
    let Some(d) = b.pointer_mut("/documentData/documentDetails") else {
        return;
    };
    if expired {
        d["expirationDate"] = date_from(c.created_at, -45);
    }
    if provisional && d["licenseType"] == "full" {
        d["licenseType"] = json!("provisional");
    }
    if points && d["points"] == 0 {
        d["points"] = json!(9);
    }
}
