//! `document_check`.
//!
//! Sources: https://docs.complycube.com/documentation/api-reference/check-types/document-check
//! (options), its v1.7.2 version (extracted data; `documentType` values
//! `passport`, `driving_license`, `national_id`, `residence_permit`, `visa`,
//! `unidentified`), ComplyCube's field tables as transactionlink republishes
//! them, and a real sandbox result (the key set and `not_processed` for
//! analyses that do not apply). Extracted data comes from the client and the
//! document; image fields carry a 1×1 PNG.

use serde_json::{Value, json};

use super::mrz::{Td3, alpha3, td3};
use super::{
    RenderContext, age_at, date_from, date_parts, person, set_leaves, stable, strip_nulls,
};
use crate::complycube::check::Check;
use crate::complycube::check_options::Options;
use crate::complycube::model::Side;

/// A 1×1 PNG: the image crops the sandbox does not have.
const PIXEL: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// The document type the check extracts from a stored one.
fn extracted_type(stored: &str) -> &'static str {
    match stored {
        "passport" => "passport",
        "driving_license" => "driving_license",
        "national_identity_card" => "national_id",
        "residence_permit" => "residence_permit",
        "visa" => "visa",
        _ => "unidentified",
    }
}

fn type_label(extracted: &str) -> &'static str {
    match extracted {
        "passport" => "Passport",
        "driving_license" => "Driving License",
        "national_id" => "National ID",
        "residence_permit" => "Residence Permit",
        "visa" => "Visa",
        _ => "Unidentified",
    }
}

/// Types that carry a machine-readable zone.
fn has_mrz(extracted: &str) -> bool {
    matches!(
        extracted,
        "passport" | "national_id" | "residence_permit" | "visa"
    )
}

/// The option each analysis object belongs to (`analysisCoverage`).
const COVERAGE: &[(&str, &str)] = &[
    ("consistency_analysis", "consistencyAnalysis"),
    ("forensic_analysis", "forensicAnalysis"),
    ("content_analysis", "contentAnalysis"),
    ("format_analysis", "formatAnalysis"),
    ("front_back_analysis", "frontAndBackAnalysis"),
    ("mrz_analysis", "mrzAnalysis"),
];

pub(super) fn patch(leaf: &str) -> Value {
    json!({"contentAnalysis": {"dataIntegrity": leaf}, "forensicAnalysis": {"tamperingDetected": leaf}})
}

pub(super) fn base(c: &Check, ctx: &RenderContext<'_>, options: Options<'_>) -> Value {
    let doc = ctx.document;
    let p = person(ctx);
    let two_sides = doc.is_some_and(|d| d.image(Side::Back).is_some());
    let kind = extracted_type(doc.map_or("", |d| d.kind.as_str()));
    let country = doc.and_then(|d| d.issuing_country.clone());
    let number = doc
        .and_then(|d| d.document_number.clone())
        .unwrap_or_else(|| format!("{:09}", stable(c.id.bytes(), 7, 1_000_000_000)));
    let personal = format!("{:06}", stable(c.id.bytes(), 8, 1_000_000));
    let upper = |v: Option<&String>| v.map(|s| vec![s.to_uppercase()]).unwrap_or_default();
    let (last, first) = (
        upper(p.and_then(|p| p.last_name.as_ref())),
        upper(p.and_then(|p| p.first_name.as_ref())),
    );
    let dob = p.and_then(|p| p.dob.as_deref());
    let age = dob.and_then(|d| age_at(d, c.created_at));
    let (issued, expires) = (
        date_from(c.created_at, -3 * 365),
        date_from(c.created_at, 7 * 365),
    );
    let mrz = if has_mrz(kind) {
        "clear"
    } else {
        "not_processed"
    };
    let sides = if two_sides { "clear" } else { "not_processed" };
    let old_enough = age.is_none_or(|a| f64::from(a) >= options.minimum_age());
    let mut extracted = json!({
        "documentDetails": {
            "documentType": kind,
            "documentSubtypes": [format!("{} - {}", country.as_deref().unwrap_or("XX"), type_label(kind))],
            "hasTwoSides": two_sides,
            "issuingCountry": country,
            "issuingDate": issued,
            "expirationDate": expires,
            "documentNumber": number,
            "personalNumber": personal
        },
        "holderDetails": {
            "lastName": last,
            "firstName": first,
            "gender": p.and_then(|p| p.gender.clone()),
            "dob": dob.map(date_parts),
            "age": age,
            "nationality": p.and_then(|p| p.nationality.clone())
        },
        "allExtractedData": {
            "visual": {
                "lastName": last, "firstName": first, "dob": dob.map(date_parts),
                "documentNumber": number, "personalNumber": personal, "expirationDate": expires
            }
        }
    });
    if has_mrz(kind) {
        extracted["allExtractedData"]["mrz"] = json!({
            "lastName": last, "firstName": first, "dob": dob.map(date_parts), "expirationDate": expires
        });
        if let Some(lines) = mrz_lines(c, ctx, &number, &personal) {
            extracted["mrz"] = lines;
        }
    }
    let mut b = json!({
        "extractedData": extracted,
        "mrzAnalysis": {"mrzFormat": mrz, "mrzChecksum": mrz},
        "consistencyAnalysis": {
            "lastName": "clear", "firstName": "clear", "dob": "clear", "documentNumber": "clear",
            "personalNumber": "clear", "expirationDate": "clear", "issuingDate": "clear"
        },
        "contentAnalysis": {
            "dataIntegrity": "clear", "issuingDate": "clear", "expirationDate": "clear",
            "specimenCheck": "clear", "blackListCheck": "clear"
        },
        "formatAnalysis": {
            "modelIdentification": "clear", "countryModelValidity": "clear",
            "documentModelValidity": "clear", "photocopyDetected": "clear"
        },
        "forensicAnalysis": {
            "mrzVisualPlacement": mrz, "securityElements": "clear", "photoLocation": "clear",
            "mrzClassification": mrz, "documentLivenessCheck": "clear", "tamperingDetected": "clear",
            "breakdown": {"documentFrontLivenessScore": 100}
        },
        "frontAndBackAnalysis": {"formatAnalysis": sides, "dataConsistency": sides},
        "rfidAnalysis": {
            "basicAccessControl": "not_processed", "chipAuthentication": "not_processed",
            "passiveAuthentication": "not_processed", "activeAuthentication": "not_processed",
            "pace": "not_processed", "terminalAuthentication": "not_processed",
            "chipAndVisualFacialSimilarity": "not_processed"
        },
        "clientValidation": {
            "ageVerification": if old_enough { "clear" } else { "attention" },
            "clientDataConsistency": "clear"
        },
        "securityAndPatternAnalysis": [
            {"similarity": 100, "outcome": "clear", "narrative": "Clear", "index": 0,
             "actualImageData": PIXEL, "expectedImageData": PIXEL}
        ],
        "extractedImages": extracted_images(two_sides)
    });
    strip_nulls(&mut b);
    b
}

fn extracted_images(two_sides: bool) -> Value {
    let mut kinds = vec!["front_side"];
    if two_sides {
        kinds.push("back_side");
    }
    kinds.push("extracted_face");
    kinds
        .iter()
        .enumerate()
        .map(|(i, k)| json!({"type": k, "index": i, "data": PIXEL}))
        .collect()
}

/// A passport's two MRZ lines, when its countries have ICAO codes and the
/// holder's names and date of birth are known.
fn mrz_lines(c: &Check, ctx: &RenderContext<'_>, number: &str, personal: &str) -> Option<Value> {
    let doc = ctx.document?;
    if doc.kind != "passport" {
        return None;
    }
    let p = person(ctx)?;
    let issuer = alpha3(doc.issuing_country.as_deref()?)?;
    let nationality = alpha3(
        p.nationality
            .as_deref()
            .or(doc.issuing_country.as_deref())?,
    )?;
    let dob = p.dob.as_deref()?.replace('-', "");
    let expiry =
        crate::ids::iso_millis(c.created_at + 7 * 365 * 86_400_000)[2..10].replace('-', "");
    let (line1, line2) = td3(&Td3 {
        issuer,
        last_name: p.last_name.as_deref()?,
        first_name: p.first_name.as_deref()?,
        number,
        nationality,
        dob: dob.get(2..)?,
        gender: p.gender.as_deref(),
        expiry: &expiry,
        personal_number: personal,
    });
    Some(json!({"line1": line1, "line2": line2}))
}

/// An expired document reads an expiry date in the past.
pub(super) fn finish(c: &Check, _ctx: &RenderContext<'_>, _options: Options<'_>, b: &mut Value) {
    if b.pointer("/contentAnalysis/expirationDate") == Some(&json!("attention")) {
        let expired = date_from(c.created_at, -45);
        if let Some(d) = b.pointer_mut("/extractedData/documentDetails/expirationDate") {
            *d = expired.clone();
        }
        if let Some(d) = b.pointer_mut("/extractedData/allExtractedData/visual/expirationDate") {
            *d = expired;
        }
    }
}

/// Analyses left out of `analysisCoverage` and a `clientDataValidation`
/// switched off read `not_processed` ("the analysis does not apply").
pub(super) fn apply_options(options: Options<'_>, b: &mut Value) -> bool {
    let mut hid = false;
    for (option, key) in COVERAGE {
        if !options.covers(option) {
            if let Some(v) = b.get_mut(*key) {
                hid |= set_leaves(v, "not_processed");
            }
        }
    }
    if !options.client_data_validation() {
        if let Some(v) = b.pointer_mut("/clientValidation/clientDataConsistency") {
            hid |= *v == "attention";
            *v = json!("not_processed");
        }
    }
    hid
}
