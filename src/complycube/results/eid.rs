//! `eid_check` (workflow sessions only).
//!
//! Source: https://docs.complycube.com/documentation/api-reference/check-types/eid-check
//! (`eIDInformation` key for key, newest version with `scheme` and
//! `ae_uae_pass`). The page is cut before its analysis objects' names:
//! `clientValidation` (the guide: the scheme's data "is validated against
//! the customer record") is approximated, as is the scheme chosen from the
//! client's nationality.

use serde_json::{Value, json};

use super::{RenderContext, date_parts, person, strip_nulls};

/// The scheme for a nationality, its assurance level and issuing country.
fn scheme(nationality: Option<&str>) -> (&'static str, &'static str, &'static str) {
    match nationality {
        Some("AE") => ("ae_uae_pass", "high", "AE"),
        Some("BE") => ("be_itsme_standard", "medium", "BE"),
        Some("DE") => ("de_personalausweis_high", "high", "DE"),
        Some("DK") => ("dk_mitid_substantial", "medium", "DK"),
        Some("FI") => ("fi_tn_bankid", "high", "FI"),
        Some("NL") => ("nl_idin_standard", "medium", "NL"),
        Some("NO") => ("no_bankid_high", "high", "NO"),
        _ => ("se_bank_id", "high", "SE"),
    }
}

pub(super) fn base(ctx: &RenderContext<'_>) -> Value {
    let p = person(ctx);
    let nationality = p.and_then(|p| p.nationality.as_deref());
    let (scheme, assurance, country) = scheme(nationality);
    let names = |v: Option<&String>| {
        v.map(|s| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let address = ctx.address.map(|a| {
        json!({
            "propertyNumber": a.property_number,
            "line": a.line,
            "city": a.city,
            "state": a.state,
            "postalCode": a.postal_code,
            "country": a.country
        })
    });
    let mut b = json!({
        "eIDInformation": {
            "scheme": scheme,
            "assuranceLevel": assurance,
            "issuingCountry": country,
            "holderDetails": {
                "firstName": names(p.and_then(|p| p.first_name.as_ref())),
                "middleName": names(p.and_then(|p| p.middle_name.as_ref())),
                "lastName": names(p.and_then(|p| p.last_name.as_ref())),
                "dob": p.and_then(|p| p.dob.as_deref()).map(date_parts),
                "gender": p.and_then(|p| p.gender.clone()),
                "nationality": nationality.unwrap_or(country),
                "socialInsuranceNumber": p.and_then(|p| p.social_insurance_number.clone()),
                "nationalIdentityNumber": p.and_then(|p| p.national_identity_number.clone()),
                "taxIdentificationNumber": p.and_then(|p| p.tax_identification_number.clone()),
                "address": address
            }
        },
        "clientValidation": {"firstName": "clear", "lastName": "clear", "dob": "clear"}
    });
    strip_nulls(&mut b);
    b
}
