//! What each check type needs beyond its ids, as its reference page states
//! it: the client's fields, the document's type and number, an enrolled
//! face, the address, valid `options`, and whether a direct API call may
//! run it at all. Where a page states the condition but not the error, the
//! answer is the nearest documented shape (400 `invalid_request` naming the
//! field), listed in the README.

use serde_json::{Map, Value};

use super::check_options;
use super::check_type::CheckType;
use super::error::ApiError;
use super::model::{Address, Client, ClientType, Document};
use super::render::enrolled_faces;
use super::tenant::Tenant;
use super::validate;
use crate::ids::Millis;

/// Who asks for the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `POST /v1/checks`.
    Api,
    /// A workflow session (the sandbox's `POST /__admin/complycube/checks`).
    Workflow,
}

/// eID and device intelligence checks "can only be initiated through a
/// Workflow Session and [are] not supported for direct API calls".
pub(crate) fn origin(kind: CheckType, origin: Origin) -> Result<(), ApiError> {
    if kind.workflow_only() && origin == Origin::Api {
        return Err(ApiError::invalid(
            "type",
            format!(
                "A '{}' can only be initiated through a workflow session and is not supported for direct API calls",
                kind.as_str()
            ),
        ));
    }
    Ok(())
}

/// Everything a precondition may look at.
pub(crate) struct Request<'a> {
    pub(crate) kind: CheckType,
    pub(crate) client: &'a Client,
    pub(crate) document: Option<&'a Document>,
    pub(crate) address: Option<&'a Address>,
    pub(crate) options: Option<&'a Map<String, Value>>,
    pub(crate) now: Millis,
}

pub(crate) fn check(t: &Tenant, r: &Request<'_>) -> Result<(), ApiError> {
    if let Some(options) = r.options {
        check_options::validate(r.kind, options)?;
    }
    let person = r.client.person_details.clone().unwrap_or_default();
    let name = |kind: CheckType| format!("'{}'", kind.as_str());
    match r.kind {
        CheckType::StandardScreening | CheckType::ExtensiveScreening => match r.client.kind {
            ClientType::Person => {
                validate::required("personDetails.firstName", &person.first_name)?;
                validate::required("personDetails.lastName", &person.last_name)?;
            }
            ClientType::Company => {
                let c = r.client.company_details.clone().unwrap_or_default();
                validate::required("companyDetails.name", &c.name)?;
            }
        },
        // "It requires the client to have an ssn attribute set."
        CheckType::Ssn => {
            validate::required("personDetails.ssn", &person.ssn)?;
        }
        // "This check requires the client to have a mobile attribute set."
        CheckType::MobileIntelligence => {
            validate::required("mobile", &r.client.mobile)?;
        }
        // "It must be of type driving_license. It must include a valid
        // documentNumber."
        CheckType::DrivingLicense => {
            if let Some(doc) = r.document {
                if doc.kind != "driving_license" {
                    return Err(ApiError::invalid(
                        "documentId",
                        format!(
                            "The document must be of type 'driving_license' for a {}",
                            name(r.kind)
                        ),
                    ));
                }
                if validate::required("documentNumber", &doc.document_number).is_err() {
                    return Err(ApiError::invalid(
                        "documentId",
                        format!(
                            "The document must have a 'documentNumber' for a {}",
                            name(r.kind)
                        ),
                    ));
                }
            }
        }
        // "The provided client must have been enrolled previously."
        CheckType::FaceAuthentication if enrolled_faces(t, &r.client.id, r.now).is_empty() => {
            return Err(ApiError::invalid(
                "clientId",
                format!(
                    "The client must be enrolled (a successful identity check) before a {}",
                    name(r.kind)
                ),
            ));
        }
        // "The provided address must contain all required attributes in
        // line with our verifiable client attributes table."
        CheckType::MultiBureau => {
            if let Some(a) = r.address {
                if validate::required("postalCode", &a.postal_code).is_err() {
                    return Err(ApiError::invalid(
                        "addressId",
                        format!(
                            "The address must have a 'postalCode' for a {}",
                            name(r.kind)
                        ),
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(())
}
