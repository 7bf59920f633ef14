//! `proof_of_address_check`.
//!
//! Source: https://docs.complycube.com/api-reference/check-types/proof-of-address-check
//! (`extractedData` key for key, newest version with `issuingDate`,
//! `addressCountry` and `address.country`). The analysis objects' names are
//! not published (the page is cut before them): `clientValidation`,
//! `contentAnalysis` and `geolocationAnalysis` follow the guide's analysis
//! list (client validation, content analysis, geolocation analysis), and
//! the `latLong` shape is approximated.

use serde_json::{Value, json};

use super::{RenderContext, date_from, stable, strip_nulls};
use crate::complycube::check::Check;

/// The proof-of-address document type extracted from a stored one.
fn extracted_type(stored: &str) -> &'static str {
    match stored {
        "bank_statement" => "bank_statement",
        "driving_license" => "driving_license",
        "tax_document" => "tax_document",
        _ => "utility_bill",
    }
}

fn issuer(kind: &str) -> &'static str {
    match kind {
        "bank_statement" => "Sandbox Bank plc",
        "driving_license" => "Driver and Vehicle Licensing Agency",
        "tax_document" => "Sandbox Revenue Service",
        _ => "Sandbox Energy Ltd",
    }
}

pub(super) fn base(c: &Check, ctx: &RenderContext<'_>) -> Value {
    let kind = extracted_type(ctx.document.map_or("", |d| d.kind.as_str()));
    let a = ctx.address;
    // "High House, 1 High St, London, N1 1AA".
    let line = a.map(|a| {
        let street = match &a.property_number {
            Some(n) => format!("{n} {}", a.line),
            None => a.line.clone(),
        };
        [
            a.building_name.as_deref(),
            Some(street.as_str()),
            Some(a.city.as_str()),
            a.state.as_deref(),
            a.postal_code.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    });
    // A stable point per client (approximated: no geocoding).
    let seed = c.client_id.bytes();
    let lat = f64::from(51_000 + stable(seed, 11, 1000)) / 1000.0;
    let long = -f64::from(stable(seed, 12, 1000)) / 1000.0;
    let mut b = json!({
        "extractedData": {
            "documentDetails": {
                "documentType": kind,
                "issuer": issuer(kind),
                "issuingDate": date_from(c.created_at, -30)
            },
            "holderDetails": {
                "entityName": ctx.client.map(|c| c.entity_name.clone())
            },
            "addressDetails": {
                "addressLine": line,
                "addressCountry": a.map(|a| a.country.clone()),
                "address": a.map(|a| json!({
                    "propertyNumber": a.property_number,
                    "building": a.building_name,
                    "line": a.line,
                    "city": a.city,
                    "state": a.state,
                    "postalCode": a.postal_code,
                    "country": a.country
                })),
                "latLong": {"lat": lat, "long": long}
            }
        },
        "clientValidation": {"entityName": "clear", "address": "clear"},
        "contentAnalysis": {"issuingDate": "clear", "documentType": "clear"},
        "geolocationAnalysis": {"ipAddressLocation": "clear"}
    });
    strip_nulls(&mut b);
    b
}
