//! Digital fraud intelligence: `device_intelligence_check` (workflow
//! sessions only), `email_intelligence_check`, `mobile_intelligence_check`.
//!
//! Sources: https://docs.complycube.com/documentation/api-reference/check-types/device-intelligence-check
//! (`physicalDeviceAnalysis`, `networkAnalysis`, `botDetectionAnalysis`; the
//! older version adds `proxyDetection`, the newer `relayDetection`: both are
//! kept. The page is cut at a `timelineAn…` object whose content is not
//! published: `timelineAnalysis.events` is approximated),
//! https://docs.complycube.com/documentation/api-reference/check-types/email-intelligence-check
//! and https://docs.complycube.com/documentation/api-reference/check-types/mobile-intelligence-check
//! (`riskAnalysis` key for key; `riskLevel` is a number 0–100, "0–50: no
//! indication" of fraud).

use serde_json::{Value, json};

use super::{RenderContext, stable};
use crate::complycube::check::Check;
use crate::ids::iso_millis;

pub(super) fn device(c: &Check) -> Value {
    json!({
        "physicalDeviceAnalysis": {
            "deviceEmulator": "clear",
            "rootedApp": "clear",
            "browserTampering": "clear",
            "jailbrokenDevice": "clear",
            "clonedApp": "clear",
            "virtualMachine": "clear",
            "locationSpoofing": "clear",
            "fridaDetection": "clear",
            "previouslyEnrolledDevice": "clear"
        },
        "networkAnalysis": {
            "vpnDetection": "clear",
            "proxyDetection": "clear",
            "relayDetection": "clear"
        },
        "botDetectionAnalysis": {"botDetection": "clear"},
        "timelineAnalysis": {
            "events": [
                {"type": "session_started", "timestamp": iso_millis(c.created_at - 90_000)},
                {"type": "device_analysed", "timestamp": iso_millis(c.created_at)}
            ]
        }
    })
}

/// A low, stable risk level (within "0–50: no indication").
fn low_risk(seed: &str) -> u32 {
    5 + stable(seed.as_bytes(), 3, 16)
}

pub(super) fn email(ctx: &RenderContext<'_>) -> Value {
    let email = ctx.client.map_or("", |c| c.email.as_str());
    json!({
        "riskAnalysis": {
            "validFormat": "clear",
            "dataLeakAnalysis": "clear",
            "disposableEmailAnalysis": "clear",
            "domainValidity": "clear",
            "riskLevel": low_risk(&email.to_ascii_lowercase())
        }
    })
}

pub(super) fn mobile(ctx: &RenderContext<'_>) -> Value {
    let mobile = ctx.client.and_then(|c| c.mobile.as_deref()).unwrap_or("");
    json!({
        "riskAnalysis": {
            "validFormat": "clear",
            "recentAbuseAnalysis": "clear",
            "isActive": "clear",
            "digitalNumberAnalysis": "clear",
            "riskLevel": low_risk(mobile)
        }
    })
}
