//! Face checks: `identity_check`, `enhanced_identity_check`,
//! `face_authentication_check` and `age_estimation_check`.
//!
//! Sources: https://docs.complycube.com/documentation/api-reference/check-types/enhanced-identity-check
//! (sample response, reproduced key for key),
//! https://docs.complycube.com/documentation/api-reference/check-types/identity-check
//! (keys and options; the breakdown example is ComplyCube's identity check
//! output as transactionlink republishes it),
//! https://docs.complycube.com/documentation/api-reference/check-types/face-authentication-check
//! and https://docs.complycube.com/documentation/api-reference/check-types/age-estimation-check.

use serde_json::{Value, json};

use super::{RenderContext, age_at, person, remove_key, stable};
use crate::complycube::check::{Check, EnrolledMatch};
use crate::complycube::check_options::Options;

/// The enhanced identity check sample's breakdown.
pub(super) fn enhanced_identity() -> Value {
    json!({
        "faceAnalysis": {
            "facialSimilarity": "clear",
            "previouslyEnrolledFace": "clear",
            "breakdown": {"facialSimilarityScore": 100}
        },
        "authenticityAnalysis": {
            "spoofedImageAnalysis": "clear",
            "livenessCheck": "clear",
            "livenessVoiceChallengeAnalysis": "clear",
            "livenessActionChallengeAnalysis": "clear",
            "breakdown": {"livenessCheckScore": 100}
        },
        "integrityAnalysis": {"faceDetection": "clear", "vpnDetected": "clear"}
    })
}

/// The identity check output: `faceAnalysis` also carries `faceDetection`.
pub(super) fn identity() -> Value {
    json!({
        "faceAnalysis": {
            "faceDetection": "clear",
            "facialSimilarity": "clear",
            "previouslyEnrolledFace": "clear",
            "breakdown": {"facialSimilarityScore": 100}
        },
        "authenticityAnalysis": {
            "spoofedImageAnalysis": "clear",
            "livenessCheck": "clear",
            "breakdown": {"livenessCheckScore": 100}
        },
        "integrityAnalysis": {"faceDetection": "clear", "vpnDetected": "clear"}
    })
}

pub(super) fn identity_patch(leaf: &str) -> Value {
    let score = if leaf == "attention" { 23 } else { 0 };
    json!({"faceAnalysis": {"facialSimilarity": leaf, "breakdown": {"facialSimilarityScore": score}}})
}

/// A face already uploaded for other clients of the same key.
pub(super) fn previously_enrolled(b: &mut Value, matches: &[EnrolledMatch]) {
    let Some(face) = b.get_mut("faceAnalysis") else {
        return;
    };
    face["previouslyEnrolledFace"] = json!("attention");
    face["breakdown"]["enrolledFacesMatches"] = matches
        .iter()
        .map(|m| {
            let mut v = json!({"clientId": m.client_id, "entityName": m.entity_name});
            if let Some(p) = m.live_photo_id {
                v["livePhotoId"] = json!(p);
            }
            v["facialSimilarityScore"] = json!(100);
            v
        })
        .collect();
}

/// `enableEnrolledFaces`, `enableSpecimenMatching`, `enableVpnDetection`
/// set to false: the analysis they switch on is not in the result.
pub(super) fn apply_identity_options(options: Options<'_>, b: &mut Value) -> bool {
    let mut hid = false;
    if !options.enrolled_faces() {
        hid |= remove_key(b, &["faceAnalysis"], "previouslyEnrolledFace");
        hid |= remove_key(b, &["faceAnalysis", "breakdown"], "enrolledFacesMatches");
    }
    if !options.specimen_matching() {
        hid |= remove_key(b, &["authenticityAnalysis"], "spoofedImageAnalysis");
        hid |= remove_key(
            b,
            &["authenticityAnalysis", "breakdown"],
            "specimenCheckMatches",
        );
    }
    if !options.vpn_detection() {
        hid |= remove_key(b, &["integrityAnalysis"], "vpnDetected");
    }
    hid
}

/// The faces the client enrolled; `facesMatched` names the first.
pub(super) fn face_authentication(ctx: &RenderContext<'_>) -> Value {
    let faces = &ctx.enrolled;
    let matched = match (faces.live_photos.first(), faces.live_videos.first()) {
        (Some(p), _) => json!([{"livePhotoId": p, "facialSimilarityScore": 100}]),
        (None, Some(v)) => json!([{"liveVideoId": v, "facialSimilarityScore": 100}]),
        (None, None) => json!([]),
    };
    let enrolled = json!({"livePhotoIds": faces.live_photos, "liveVideoIds": faces.live_videos});
    let similarity = if faces.is_empty() {
        "attention"
    } else {
        "clear"
    };
    json!({
        "faceAuthentication": {
            "facialSimilarity": similarity,
            "breakdown": {"facesMatched": matched, "enrolledFaces": enrolled}
        }
    })
}

/// `facesMatched` is "returned if the live photo matches an enrolled face".
pub(super) fn finish_face_authentication(b: &mut Value) {
    let matched = b.pointer("/faceAuthentication/facialSimilarity") == Some(&json!("clear"))
        && b.pointer("/faceAuthentication/breakdown/facesMatched")
            .and_then(Value::as_array)
            .is_some_and(|m| !m.is_empty());
    if !matched {
        remove_key(b, &["faceAuthentication", "breakdown"], "facesMatched");
    }
}

/// The minimum accepted age of an age estimation (an account setting the
/// API cannot change; the document check's documented default).
const MINIMUM_AGE: i32 = 18;

/// Age from the client's date of birth (stable 25–44 without one);
/// `ageValidation` is attention below 18.
pub(super) fn age_estimation(c: &Check, ctx: &RenderContext<'_>) -> Value {
    let age = person(ctx)
        .and_then(|p| p.dob.as_deref())
        .and_then(|d| age_at(d, c.created_at))
        .unwrap_or_else(|| 25 + stable(c.id.bytes(), 1, 20) as i32);
    let validation = if age >= MINIMUM_AGE {
        "clear"
    } else {
        "attention"
    };
    json!({
        "ageEstimationAnalysis": {
            "ageValidation": validation,
            "breakdown": {"age": age, "ageMin": (age - 3).max(0), "ageMax": age + 3}
        },
        "authenticityAnalysis": {
            "spoofedImageAnalysis": "clear",
            "livenessCheck": "clear",
            "breakdown": {"livenessCheckScore": 100}
        }
    })
}
