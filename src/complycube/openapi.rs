//! ComplyCube's rows and schemas in `GET /openapi.json`.

use serde_json::{Map, Value, json};

use super::capture;
use super::check_options;
use super::check_type::{CheckType, Needs};
use super::checks::{REDACTABLE, REDACTABLE_IMAGES, REJECTION_REASONS};
use super::clients::{INCORPORATION_TYPES, METADATA_MAX_KEYS};
use super::flow::{self, FLOW_CHECK_TYPES, LANGUAGES};
use super::flow_complete::OUTCOMES;
use super::live_videos::CHALLENGE_TYPES;
use super::validate::{IMAGE_MAX_BYTES, IMAGE_MIN_BYTES, USPS_STATES};
use super::{addresses::ADDRESS_TYPES, documents, webhook::EVENTS};
use crate::config::Config;
use crate::openapi::{ADMIN, Extra, Part, Reply, Route, extra, links, open, query, r, response};

const TAG: &str = "ComplyCube";

use Reply::{Empty, Json as J, Media};

/// Every route of the ComplyCube plug-in. Keep in router order.
#[rustfmt::skip]
const ROUTES: &[Route] = &[
    r("POST", "/v1/clients", TAG, "Create a client", Some("ClientInput"), J(200, "Client")),
    r("GET", "/v1/clients", TAG, "List clients", None, J(200, "ClientPage")),
    r("GET", "/v1/clients/{id}", TAG, "Get a client", None, J(200, "Client")),
    r("POST", "/v1/clients/{id}", TAG, "Update a client", Some("ClientUpdate"), J(200, "Client")),
    r("PUT", "/v1/clients/{id}", TAG, "Update a client (alias of POST)", Some("ClientUpdate"), J(200, "Client")),
    r("PATCH", "/v1/clients/{id}", TAG, "Update a client (alias of POST)", Some("ClientUpdate"), J(200, "Client")),
    r("DELETE", "/v1/clients/{id}", TAG, "Delete a client", None, Empty(204)),
    r("GET", "/v1/clients/{id}/riskProfile", TAG, "Get a client's risk profile", None, J(200, "RiskProfile")),
    r("POST", "/v1/addresses", TAG, "Create an address", Some("AddressInput"), J(200, "Address")),
    r("GET", "/v1/addresses", TAG, "List a client's addresses (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/addresses/{id}", TAG, "Get an address", None, J(200, "Address")),
    r("POST", "/v1/addresses/{id}", TAG, "Update an address", Some("AddressUpdate"), J(200, "Address")),
    r("PUT", "/v1/addresses/{id}", TAG, "Update an address (alias of POST)", Some("AddressUpdate"), J(200, "Address")),
    r("PATCH", "/v1/addresses/{id}", TAG, "Update an address (alias of POST)", Some("AddressUpdate"), J(200, "Address")),
    r("DELETE", "/v1/addresses/{id}", TAG, "Delete an address", None, Empty(204)),
    r("POST", "/v1/documents", TAG, "Create a document", Some("DocumentInput"), J(200, "Document")),
    r("GET", "/v1/documents", TAG, "List a client's documents (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/documents/{id}", TAG, "Get a document", None, J(200, "Document")),
    r("POST", "/v1/documents/{id}", TAG, "Update a document", Some("DocumentUpdate"), J(200, "Document")),
    r("PUT", "/v1/documents/{id}", TAG, "Update a document (alias of POST)", Some("DocumentUpdate"), J(200, "Document")),
    r("PATCH", "/v1/documents/{id}", TAG, "Update a document (alias of POST)", Some("DocumentUpdate"), J(200, "Document")),
    r("DELETE", "/v1/documents/{id}", TAG, "Delete a document", None, Empty(204)),
    r("POST", "/v1/documents/{id}/upload/{side}", TAG, "Upload a document image (front or back)", Some("ImageUpload"), J(200, "DocumentImage")),
    r("GET", "/v1/documents/{id}/download/{side}", TAG, "Download a document image", None, J(200, "Download")),
    r("GET", "/v1/documents/{id}/images/{imageId}/download", TAG, "Download a document image by id", None, J(200, "Download")),
    r("DELETE", "/v1/documents/{id}/{side}", TAG, "Delete a document image", None, Empty(204)),
    r("POST", "/v1/documents/{id}/redact", TAG, "Redact a document", Some("RedactInput"), J(200, "Document")),
    r("POST", "/v1/livePhotos", TAG, "Upload a live photo", Some("LivePhotoInput"), J(200, "LivePhoto")),
    r("GET", "/v1/livePhotos", TAG, "List a client's live photos (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/livePhotos/{id}", TAG, "Get a live photo", None, J(200, "LivePhoto")),
    r("GET", "/v1/livePhotos/{id}/download", TAG, "Download a live photo", None, J(200, "Download")),
    r("POST", "/v1/livePhotos/{id}/redact", TAG, "Redact a live photo (no body read; acknowledged)", None, J(200, "LivePhoto")),
    r("DELETE", "/v1/livePhotos/{id}", TAG, "Delete a live photo", None, Empty(204)),
    r("GET", "/v1/liveVideos", TAG, "List a client's live videos (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/liveVideos/{id}", TAG, "Get a live video", None, J(200, "LiveVideo")),
    r("POST", "/v1/liveVideos/{id}/redact", TAG, "Redact a live video (no body read; acknowledged)", None, J(200, "LiveVideo")),
    r("DELETE", "/v1/liveVideos/{id}", TAG, "Delete a live video", None, Empty(204)),
    r("POST", "/v1/checks", TAG, "Create a check (answers pending)", Some("CheckInput"), J(200, "Check")),
    r("GET", "/v1/checks", TAG, "List checks", None, J(200, "Page")),
    r("GET", "/v1/checks/{id}", TAG, "Get a check", None, J(200, "Check")),
    r("POST", "/v1/checks/{id}", TAG, "Update a screening check", Some("CheckUpdate"), J(200, "Check")),
    r("PUT", "/v1/checks/{id}", TAG, "Update a screening check (alias of POST)", Some("CheckUpdate"), J(200, "Check")),
    r("PATCH", "/v1/checks/{id}", TAG, "Update a screening check (alias of POST)", Some("CheckUpdate"), J(200, "Check")),
    r("POST", "/v1/checks/{id}/validate", TAG, "Validate a check outcome", Some("ValidateInput"), J(200, "ValidateOutcome")),
    r("POST", "/v1/checks/{id}/redact", TAG, "Redact a document check", Some("CheckRedactInput"), J(200, "Check")),
    r("POST", "/v1/tokens", TAG, "Create an SDK token", Some("TokenInput"), J(200, "Token")),
    r("GET", "/v1/reports", TAG, "Generate a client or check report (?clientId= | ?checkId=)", None, J(200, "Report")),
    r("POST", "/v1/webhooks", TAG, "Create a webhook (the only answer carrying its secret)", Some("WebhookInput"), J(200, "Webhook")),
    r("GET", "/v1/webhooks", TAG, "List webhooks", None, J(200, "Page")),
    r("GET", "/v1/webhooks/{id}", TAG, "Get a webhook", None, J(200, "Webhook")),
    r("POST", "/v1/webhooks/{id}", TAG, "Update a webhook", Some("WebhookUpdate"), J(200, "Webhook")),
    r("PUT", "/v1/webhooks/{id}", TAG, "Update a webhook (alias of POST)", Some("WebhookUpdate"), J(200, "Webhook")),
    r("PATCH", "/v1/webhooks/{id}", TAG, "Update a webhook (alias of POST)", Some("WebhookUpdate"), J(200, "Webhook")),
    r("DELETE", "/v1/webhooks/{id}", TAG, "Delete a webhook", None, Empty(204)),
    r("POST", "/v1/flow/sessions", TAG, "Create a hosted Flow session (workflowTemplateId or checkTypes) → {redirectUrl}", Some("FlowInput"), J(200, "FlowSession")),
    r("GET", "/v1/workflowSessions", TAG, "List workflow sessions (filters clientId, workflowTemplateId, status, outcome, …)", None, J(200, "Page")),
    r("GET", "/v1/workflowSessions/{id}", TAG, "Get a workflow session", None, J(200, "WorkflowSession")),
    r("POST", "/v1/workflowSessions/{id}/complete", TAG, "Complete a started workflow session → {status: processing}", None, J(200, "Object")),
    r("POST", "/v1/workflowSessions/{id}/cancel", TAG, "Cancel a started workflow session → {status: cancelled}", None, J(200, "Object")),
    r("GET", "/v1/static/screeningLists", TAG, "The screening lists, alphabetical (an array of names)", None, J(200, "StringList")),
    r("GET", "/v1/static/supportedDocuments", TAG, "The documents Document Checks support, per issuing country", None, J(200, "ObjectList")),
    r("POST", "/v1/lookup/companies", TAG, "Search companies (companyName, incorporationCountry) → {items}", Some("CompanySearch"), J(200, "Page")),
    r("GET", "/v1/lookup/companies/{id}", TAG, "Get a company's details", None, J(200, "Object")),
    r("POST", "/v1/lookup/addresses", TAG, "Search addresses (line, postalCode, country) → {items}", Some("AddressSearch"), J(200, "Page")),
    r("POST", "/v1/autofill", TAG, "Extract data and images from an identity document image", Some("AutofillInput"), J(200, "Object")),
    r("GET", "/v1/accountInfo", TAG, "The account: username, plan, remainingCredit", None, J(200, "Object")),
    r("GET", "/v1/teamMembers", TAG, "List team members (filter role, …)", None, J(200, "Page")),
    r("GET", "/v1/teamMembers/{id}", TAG, "Get a team member", None, J(200, "Object")),
    r("GET", "/v1/auditLogs", TAG, "List the key's audit log (filters resourceType, resourceId, clientId, trigger, action, memberId)", None, J(200, "Page")),
    r("GET", "/v1/auditLogs/{id}", TAG, "Get an audit log entry with its diff", None, J(200, "Object")),
    r("POST", "/__admin/complycube/liveVideos", ADMIN, "Create a ComplyCube live video (ComplyCube has no public create)", Some("LiveVideoInput"), J(200, "Object")),
    r("POST", "/__admin/complycube/checks", ADMIN, "Run a ComplyCube check as a workflow session does (eid_check, device_intelligence_check are workflow-only)", Some("AnyCheckInput"), J(200, "Object")),
    r("GET", "/__admin/complycube/clients", ADMIN, "Console: search clients (?q= name, email, external id or id)", None, J(200, "Object")),
    r("GET", "/__admin/complycube/clients/{id}", ADMIN, "Console: a client with everything it owns", None, J(200, "Object")),
    r("GET", "/__admin/complycube/checks", ADMIN, "Console: recent checks (?status=, ?outcome=)", None, J(200, "Object")),
    r("GET", "/__admin/complycube/checks/{id}", ADMIN, "Console: a check with its scenario, timeline and deliveries", None, J(200, "Object")),
    r("POST", "/__admin/complycube/checks/complete-pending", ADMIN, "Move the clock so every pending check completes now", None, J(200, "Object")),
    r("GET", "/__admin/complycube/webhooks", ADMIN, "Console: the tenant's webhooks", None, J(200, "Object")),
    r("POST", "/__admin/complycube/workflowSessions", ADMIN, "Start a ComplyCube workflow session as a capture SDK does (clientId, workflowTemplateId?, checkTypes?, documentType?, issuingCountry?)", Some("WorkflowStart"), J(200, "Object")),
    r("GET", "/__admin/complycube/flow/sessions/{id}", ADMIN, "A hosted Flow session as the sandbox keeps it", None, J(200, "Object")),
    r("POST", "/__admin/complycube/flow/sessions/{id}/complete", ADMIN, "Complete a hosted Flow session as the client would (outcome?, checkTypes?, documentType?, issuingCountry?) → {redirectUrl: successUrl, …}", Some("FlowFinish"), J(200, "Object")),
    r("POST", "/__admin/complycube/flow/sessions/{id}/cancel", ADMIN, "Cancel a hosted Flow session as the client would → {redirectUrl: cancelUrl, …}", None, J(200, "Object")),
    r("GET", "/__admin/flow/{id}", ADMIN, "The hosted Flow page a redirectUrl points at: HTML for a browser (Accept: text/html), the session's JSON otherwise (its random id is the credential; no key needed)", None, J(200, "Object")),
    r("POST", "/__admin/flow/{id}/complete", ADMIN, "The page's form (multipart/form-data: token, consent, documentType, issuingCountry, front, back, livePhoto, outcome) → 303 to successUrl; same-origin only", None, Empty(303)),
    r("POST", "/__admin/flow/{id}/cancel", ADMIN, "The page's cancel form (multipart/form-data: token) → 303 to cancelUrl; same-origin only", None, Empty(303)),
    r("GET", "/__admin/flow/{id}/samples/{role}", ADMIN, "The sample image the page offers (role: front, back, live-photo)", None, Media("image/png")),
];

pub(crate) static PART: Part = Part {
    tag: TAG,
    description: "ComplyCube API emulation; the API key in 'Authorization' is the tenant.",
    error_schema: "ComplyCubeError",
    security: (
        "complyCubeApiKey",
        || json!({"type": "apiKey", "in": "header", "name": "Authorization"}),
    ),
    routes: ROUTES,
    schemas,
    extras,
};

/// Unicode `White_Space`, what Rust's `trim` and `char::is_whitespace` see
/// (ECMA's `\s` differs: it has U+FEFF and lacks U+0085).
const WS: &str =
    "\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

/// A string that is present and not blank (what `validate::required` accepts).
fn text() -> Value {
    json!({"type": "string", "pattern": format!("[^{WS}]")})
}

/// The same, optional: absent or `null` is accepted too.
fn nullable(mut schema: Value) -> Value {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        schema["type"] = json!([t, "null"]);
    }
    if let Some(e) = schema.get_mut("enum").and_then(Value::as_array_mut) {
        e.push(Value::Null);
    }
    schema
}

fn any_string() -> Value {
    json!({"type": ["string", "null"]})
}

fn alpha2() -> Value {
    json!({"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2"})
}

fn date() -> Value {
    json!({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
}

fn one_of(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}

/// `local@domain.tld`: no whitespace, a dot inside the domain.
fn email() -> Value {
    json!({"type": "string", "pattern": format!("^[^@{WS}]+@[^{WS}.][^{WS}]*[.][^{WS}]*[^{WS}.]$")})
}

/// A base64 image as `validate::image` decodes it: standard or URL-safe
/// alphabet, padded or not, canonical last symbol; sized as configured.
fn image(config: &Config) -> Value {
    let std =
        "(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw](?:==)?|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=?)?";
    let url =
        "(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-][AQgw](?:==)?|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048]=?)?";
    let mut s = json!({
        "type": "string",
        "contentEncoding": "base64",
        "pattern": format!("^(?:{std}|{url})$"),
        "minLength": 2,
    });
    if config.relax_image_size {
        s["description"] = json!("Base64 image bytes (any size: --relax-image-size)");
    } else {
        s["description"] = json!("Base64 image bytes, 34 KB to 4 MB decoded");
        s["minLength"] = json!((IMAGE_MIN_BYTES * 4).div_ceil(3));
        s["maxLength"] = json!(IMAGE_MAX_BYTES.div_ceil(3) * 4);
    }
    s
}

fn metadata() -> Value {
    json!({
        "type": ["object", "null"],
        "maxProperties": METADATA_MAX_KEYS,
        "propertyNames": {"maxLength": 40},
        "additionalProperties": {"type": "string", "maxLength": 500},
    })
}

fn person_details(creating: bool) -> Value {
    let name = if creating { text() } else { nullable(text()) };
    let mut s = json!({
        "type": "object",
        "properties": {
            "firstName": name,
            "middleName": any_string(),
            "lastName": name,
            "dob": nullable(date()),
            "gender": nullable(one_of(&["male", "female", "other"])),
            "nationality": nullable(alpha2()),
            "birthCountry": nullable(alpha2()),
            "ssn": any_string(),
            "socialInsuranceNumber": any_string(),
            "nationalIdentityNumber": any_string(),
            "taxIdentificationNumber": any_string(),
        },
    });
    if creating {
        s["required"] = json!(["firstName", "lastName"]);
    }
    s
}

fn company_details(creating: bool) -> Value {
    let mut s = json!({
        "type": "object",
        "properties": {
            "name": if creating { text() } else { nullable(text()) },
            "website": any_string(),
            "registrationNumber": any_string(),
            "incorporationCountry": nullable(alpha2()),
            "incorporationType": nullable(one_of(INCORPORATION_TYPES)),
        },
    });
    if creating {
        s["required"] = json!(["name"]);
    }
    s
}

/// The fields a client create and update share.
fn client_fields() -> Map<String, Value> {
    let Value::Object(m) = json!({
        "mobile": any_string(),
        "telephone": any_string(),
        "externalId": any_string(),
        "joinedDate": nullable(date()),
        "metadata": metadata(),
    }) else {
        return Map::new();
    };
    m
}

/// The `oneOf` branch of a client create for one type.
fn client_branch(kind: &str) -> Value {
    let mut props = client_fields();
    props.insert("type".into(), json!({"const": kind}));
    props.insert("email".into(), email());
    let (details, schema) = if kind == "person" {
        ("personDetails", person_details(true))
    } else {
        ("companyDetails", company_details(true))
    };
    props.insert(details.into(), schema);
    json!({"type": "object", "title": kind, "properties": props, "required": ["type", "email", details]})
}

/// A check create for one type: its required ids (from [`CheckType::needs`])
/// and the options it validates.
fn check_branch(kind: CheckType) -> Value {
    let id = text();
    let mut props = json!({
        "type": {"const": kind.as_str()},
        "clientId": id,
        "documentId": any_string(),
        "addressId": any_string(),
        "livePhotoId": any_string(),
        "liveVideoId": any_string(),
        "enableMonitoring": {"type": ["boolean", "null"]},
        "clientConsent": {"type": ["boolean", "null"]},
        "options": nullable(check_options::schema(kind)),
    });
    let mut required = vec!["type", "clientId"];
    for need in kind.needs() {
        let param = match need {
            Needs::Document => "documentId",
            Needs::Address => "addressId",
            Needs::LivePhoto => "livePhotoId",
            Needs::LiveVideo => "liveVideoId",
        };
        props[param] = text();
        required.push(param);
    }
    let mut description = String::from("Needs a client");
    if kind.person_only() {
        description.push_str(" of type person");
    }
    json!({"type": "object", "title": kind.as_str(), "description": description, "properties": props, "required": required})
}

fn stamped(mut props: Value, required: &[&str]) -> Value {
    props["id"] = json!({"type": "string", "pattern": "^[0-9a-f]{24}$"});
    props["createdAt"] = json!({"type": "string", "format": "date-time"});
    props["updatedAt"] = json!({"type": "string", "format": "date-time"});
    let mut req = vec!["id", "createdAt", "updatedAt"];
    req.extend_from_slice(required);
    open(props, &req)
}

fn schemas(config: &Config) -> Map<String, Value> {
    let string = json!({"type": "string"});
    let integer = json!({"type": "integer", "minimum": 0});
    let id = json!({"type": "string", "pattern": "^[0-9a-f]{24}$"});
    let mut m = Map::new();
    let mut put = |name: &str, schema: Value| {
        m.insert(name.to_owned(), schema);
    };
    put(
        "ComplyCubeError",
        open(
            json!({"type": string, "message": string, "param": string}),
            &["type", "message"],
        ),
    );
    let page = |items: Value| {
        open(
            json!({
                "page": integer,
                "pageSize": integer,
                "totalItems": integer,
                "pages": integer,
                "items": {"type": "array", "items": items},
            }),
            &["page", "pageSize", "totalItems", "pages", "items"],
        )
    };
    put("Page", page(json!({"type": "object"})));
    put("ClientPage", page(crate::openapi::schema_ref("Client")));
    put(
        "StringList",
        json!({"type": "array", "items": {"type": "string"}}),
    );
    put(
        "ObjectList",
        json!({"type": "array", "items": {"type": "object"}}),
    );

    // Clients.
    put(
        "ClientInput",
        json!({
            "oneOf": [client_branch("person"), client_branch("company")],
            "discriminator": {"propertyName": "type"},
            "example": {"type": "person", "email": "john@example.com", "personDetails": {"firstName": "John", "lastName": "Doe"}},
        }),
    );
    let mut update = client_fields();
    update.insert("email".into(), nullable(email()));
    update.insert("personDetails".into(), nullable(person_details(false)));
    update.insert("companyDetails".into(), nullable(company_details(false)));
    put(
        "ClientUpdate",
        json!({
            "type": "object",
            "description": "Only the fields sent change; `type` cannot change (sending the current one is accepted).",
            "properties": update,
            "example": {"email": "jane@example.com"},
        }),
    );
    put(
        "Client",
        stamped(
            json!({
                "type": one_of(&["person", "company"]),
                "entityName": string,
                "email": string,
                "personDetails": {"type": "object"},
                "companyDetails": {"type": "object"},
            }),
            &["type", "entityName", "email"],
        ),
    );
    put(
        "RiskProfile",
        open(
            json!({"overall": string, "countryRisk": {"type": "object"}}),
            &[],
        ),
    );

    // Addresses.
    let address_props = |creating: bool| {
        let req = |s: Value| if creating { s } else { nullable(s) };
        let mut props = json!({
            "type": nullable(one_of(ADDRESS_TYPES)),
            "propertyNumber": any_string(),
            "buildingName": any_string(),
            "line": req(text()),
            "city": req(text()),
            "state": any_string(),
            "postalCode": any_string(),
            "country": req(alpha2()),
            "fromDate": nullable(date()),
            "toDate": nullable(date()),
        });
        if creating {
            props["clientId"] = text();
        }
        props
    };
    put(
        "AddressInput",
        json!({
            "type": "object",
            "description": format!("When `country` is US, `state` is a USPS abbreviation: {}.", USPS_STATES.join(", ")),
            "properties": address_props(true),
            "required": ["clientId", "line", "city", "country"],
            "example": {"clientId": "000000000000000000000000", "line": "1 High St", "city": "London", "country": "GB"},
        }),
    );
    put(
        "AddressUpdate",
        json!({
            "type": "object",
            "description": "Only the fields sent change; `clientId` cannot change.",
            "properties": address_props(false),
            "example": {"city": "Leeds"},
        }),
    );
    put(
        "Address",
        stamped(
            json!({"clientId": id, "line": string, "city": string, "country": string}),
            &["clientId", "line", "city", "country"],
        ),
    );

    // Documents.
    put(
        "DocumentInput",
        json!({
            "type": "object",
            "properties": {
                "clientId": text(),
                "type": one_of(documents::DOCUMENT_TYPES),
                "classification": nullable(one_of(documents::CLASSIFICATIONS)),
                "issuingCountry": nullable(alpha2()),
                "documentNumber": nullable(text()),
            },
            "required": ["clientId", "type"],
            "example": {"clientId": "000000000000000000000000", "type": "passport", "issuingCountry": "GB"},
        }),
    );
    put(
        "DocumentUpdate",
        json!({
            "type": "object",
            "description": "Only the fields sent change; `clientId` cannot change.",
            "properties": {
                "type": nullable(one_of(documents::DOCUMENT_TYPES)),
                "classification": nullable(one_of(documents::CLASSIFICATIONS)),
                "issuingCountry": nullable(alpha2()),
                "documentNumber": nullable(text()),
            },
            "example": {"documentNumber": "123456789"},
        }),
    );
    put(
        "Document",
        stamped(
            json!({"clientId": id, "type": string, "images": {"type": "array", "items": crate::openapi::schema_ref("DocumentImage")}}),
            &["clientId", "type"],
        ),
    );
    put(
        "ImageUpload",
        json!({
            "type": "object",
            "properties": {
                "fileName": {"type": "string", "pattern": "\\S[.](?:[jJ][pP][eE]?[gG]|[pP][nN][gG]|[pP][dD][fF])$"},
                "data": image(config),
            },
            "required": ["fileName", "data"],
            "example": {"fileName": "front.jpg", "data": "AA"},
        }),
    );
    put(
        "DocumentImage",
        stamped(
            json!({
                "fileName": string,
                "documentSide": one_of(&["front", "back"]),
                "downloadLink": string,
                "contentType": string,
                "size": integer,
            }),
            &[
                "fileName",
                "documentSide",
                "downloadLink",
                "contentType",
                "size",
            ],
        ),
    );
    put(
        "Download",
        open(
            json!({"fileName": string, "contentType": string, "data": {"type": "string", "contentEncoding": "base64"}}),
            &["contentType", "data"],
        ),
    );
    put(
        "RedactInput",
        json!({"type": "object", "description": "Accepted and acknowledged; the sandbox keeps no personal data to redact.", "properties": {
            "attributes": {"type": ["array", "null"], "items": {"type": "string"}},
            "images": {"type": ["array", "null"], "items": {"type": "string"}},
        }}),
    );

    // Live photos and videos.
    put(
        "LivePhotoInput",
        json!({
            "type": "object",
            "properties": {
                "clientId": text(),
                "data": image(config),
                "performLivenessCheck": {"type": ["boolean", "null"]},
            },
            "required": ["clientId", "data"],
            "example": {"clientId": "000000000000000000000000", "data": "AA"},
        }),
    );
    put(
        "LivePhoto",
        stamped(
            json!({"clientId": id, "downloadLink": string, "contentType": string, "size": integer, "performLivenessCheck": {"type": "boolean"}}),
            &["clientId", "downloadLink", "contentType", "size"],
        ),
    );
    put(
        "LiveVideo",
        stamped(
            json!({"clientId": id, "language": string, "challenges": {"type": "array"}}),
            &["clientId"],
        ),
    );

    // Checks.
    let branches: Vec<Value> = CheckType::ALL
        .iter()
        .filter(|k| !k.workflow_only())
        .map(|k| check_branch(*k))
        .collect();
    put(
        "CheckInput",
        json!({
            "description": "One branch per check type the API runs directly (eid_check and device_intelligence_check run only in workflow sessions). Every id must name a resource of the check's client.",
            "oneOf": branches,
            "discriminator": {"propertyName": "type"},
            "example": {"clientId": "000000000000000000000000", "type": "standard_screening_check"},
        }),
    );
    put(
        "CheckUpdate",
        json!({"type": "object", "description": "Screening checks only, once complete.", "properties": {"enableMonitoring": {"type": ["boolean", "null"]}}, "example": {"enableMonitoring": true}}),
    );
    put(
        "Check",
        stamped(
            json!({
                "clientId": id,
                "type": one_of(&CheckType::NAMES),
                "status": one_of(&["pending", "complete", "failed"]),
                "result": {"type": "object"},
            }),
            &["clientId", "type", "status"],
        ),
    );
    put(
        "ValidateInput",
        json!({
            "type": "object",
            "description": "Complete checks only; a screening check also needs the `matchId` of one of its matches.",
            "properties": {
                "outcome": one_of(&["confirmed", "rejected", "attention"]),
                "matchId": any_string(),
                "rejectionReasons": {"type": ["array", "null"], "items": one_of(REJECTION_REASONS)},
                "comment": {"type": ["string", "null"], "maxLength": 4000},
                "userSuppliedData": {"type": ["object", "null"]},
            },
            "required": ["outcome"],
            "example": {"outcome": "confirmed"},
        }),
    );
    put(
        "ValidateOutcome",
        open(json!({"outcome": string}), &["outcome"]),
    );
    put(
        "CheckRedactInput",
        json!({
            "type": "object",
            "description": "Complete document checks only; `attributes` or `images` must be non-empty.",
            "properties": {
                "attributes": {"type": ["array", "null"], "items": one_of(REDACTABLE)},
                "images": {"type": ["array", "null"], "items": one_of(REDACTABLE_IMAGES)},
            },
            "anyOf": [
                {"properties": {"attributes": {"type": "array", "minItems": 1}}, "required": ["attributes"]},
                {"properties": {"images": {"type": "array", "minItems": 1}}, "required": ["images"]},
            ],
            "example": {"attributes": ["dob"]},
        }),
    );

    // Tokens, reports, webhooks, Flow.
    put(
        "TokenInput",
        json!({
            "type": "object",
            "properties": {"clientId": text(), "referrer": nullable(text()), "appId": nullable(text())},
            "required": ["clientId"],
            "example": {"clientId": "000000000000000000000000", "referrer": "https://example.com/*"},
        }),
    );
    put("Token", open(json!({"token": string}), &["token"]));
    put(
        "Report",
        open(
            json!({"contentType": string, "data": {"type": "string", "contentEncoding": "base64"}}),
            &["contentType", "data"],
        ),
    );
    let host = "(?:[A-Za-z0-9-]+[.])*[A-Za-z][A-Za-z0-9-]*";
    let https = json!({
        "type": "string",
        "pattern": format!("^(?:https://{host}|http://(?:localhost|127[.]0[.]0[.]1|\\[::1\\]))(?::[0-9]{{1,4}})?(?:[/?#]\\S*)?$"),
    });
    put(
        "WebhookInput",
        json!({
            "type": "object",
            "description": "At most 20 webhooks per key; `url` is HTTPS (http only for loopback hosts or with --allow-http-webhooks).",
            "properties": {
                "url": https,
                "events": {"type": "array", "minItems": 1, "items": one_of(EVENTS)},
                "enabled": {"type": ["boolean", "null"]},
                "description": {"type": ["string", "null"], "maxLength": 1000},
            },
            "required": ["url", "events"],
            "example": {"url": "https://example.com/hook", "events": ["check.completed"]},
        }),
    );
    put(
        "WebhookUpdate",
        json!({
            "type": "object",
            "description": "Only the fields sent change.",
            "properties": {
                "url": nullable(https),
                "events": {"type": ["array", "null"], "minItems": 1, "items": one_of(EVENTS)},
                "enabled": {"type": ["boolean", "null"]},
                "description": {"type": ["string", "null"], "maxLength": 1000},
            },
            "example": {"enabled": false},
        }),
    );
    put(
        "Webhook",
        stamped(
            json!({"url": string, "enabled": {"type": "boolean"}, "events": {"type": "array", "items": string}, "secret": string}),
            &["url", "enabled", "events"],
        ),
    );
    let http_url = json!({"type": "string", "pattern": "^[hH][tT][tT][pP][sS]?://[^ ]*$"});
    put(
        "FlowInput",
        json!({
            "type": "object",
            "description": "Exactly one of `workflowTemplateId` or `checkTypes`.",
            "properties": {
                "clientId": text(),
                "workflowTemplateId": {"type": "string"},
                "checkTypes": {"type": "array", "minItems": 1, "items": one_of(FLOW_CHECK_TYPES)},
                "successUrl": http_url,
                "cancelUrl": http_url,
                "enableMonitoring": {"type": ["boolean", "null"]},
                "language": nullable(one_of(LANGUAGES)),
                "theme": nullable(one_of(&["light", "dark"])),
                "allowDocumentUpload": {"type": ["boolean", "null"]},
                "supportEmail": nullable(email()),
                "messages": {"type": ["object", "null"]},
                "documentTypes": {"type": ["object", "null"], "propertyNames": one_of(flow::DOCUMENT_TYPES), "additionalProperties": {"type": "boolean"}},
                "shortUrl": {"type": ["boolean", "null"]},
            },
            "required": ["clientId", "successUrl", "cancelUrl"],
            "oneOf": [{"required": ["workflowTemplateId"]}, {"required": ["checkTypes"]}],
            "example": {"clientId": "000000000000000000000000", "checkTypes": ["document_check"], "successUrl": "https://example.com/ok", "cancelUrl": "https://example.com/cancel"},
        }),
    );
    put(
        "FlowSession",
        open(json!({"redirectUrl": string}), &["redirectUrl"]),
    );
    let check_types =
        json!({"type": ["array", "null"], "minItems": 1, "items": one_of(&CheckType::NAMES)});
    put(
        "FlowFinish",
        json!({"type": "object", "properties": {
            "outcome": nullable(one_of(OUTCOMES)),
            "checkTypes": check_types,
            "documentType": nullable(one_of(capture::DOCUMENT_TYPES)),
            "issuingCountry": nullable(alpha2()),
        }, "example": {"outcome": "clear"}}),
    );
    put(
        "WorkflowStart",
        json!({"type": "object", "properties": {
            "clientId": text(),
            "workflowTemplateId": any_string(),
            "checkTypes": check_types,
            "documentType": nullable(one_of(capture::DOCUMENT_TYPES)),
            "issuingCountry": nullable(alpha2()),
        }, "required": ["clientId"], "example": {"clientId": "000000000000000000000000", "checkTypes": ["eid_check"]}}),
    );
    put(
        "LiveVideoInput",
        json!({"type": "object", "properties": {
            "clientId": text(),
            "language": nullable(text()),
            "challenges": {"type": ["array", "null"], "items": {
                "type": "object",
                "properties": {"type": one_of(CHALLENGE_TYPES), "value": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
                "required": ["type", "value"],
            }},
        }, "required": ["clientId"], "example": {"clientId": "000000000000000000000000", "language": "en"}}),
    );
    let all: Vec<Value> = CheckType::ALL.iter().map(|k| check_branch(*k)).collect();
    put(
        "AnyCheckInput",
        json!({
            "description": "Any check type, as a workflow session runs it (eid_check and device_intelligence_check included).",
            "oneOf": all,
            "discriminator": {"propertyName": "type"},
            "example": {"clientId": "000000000000000000000000", "type": "eid_check"},
        }),
    );
    put(
        "WorkflowSession",
        stamped(
            json!({"clientId": id, "status": string}),
            &["clientId", "status"],
        ),
    );
    let lookup = |fields: &[(&str, Value)]| {
        let props: Map<String, Value> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let required: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
        json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
    };
    let mut companies = lookup(&[("companyName", text()), ("incorporationCountry", alpha2())]);
    companies["example"] = json!({"companyName": "Acme", "incorporationCountry": "GB"});
    put("CompanySearch", companies);
    let mut addresses = lookup(&[
        ("line", text()),
        ("postalCode", text()),
        ("country", alpha2()),
    ]);
    addresses["example"] = json!({"line": "1 High St", "postalCode": "SW1A 1AA", "country": "GB"});
    put("AddressSearch", addresses);
    put(
        "AutofillInput",
        json!({"type": "object", "properties": {"data": image(config)}, "required": ["data"], "example": {"data": "AA"}}),
    );
    m
}

/// The list parameters every ComplyCube list takes.
fn list_params() -> Vec<Value> {
    let time = json!({"type": "string"});
    vec![
        query(
            "page",
            false,
            json!({"type": "integer", "minimum": 1, "maximum": u64::MAX}),
            "Page number (default 1)",
        ),
        query(
            "pageSize",
            false,
            json!({"type": "integer", "minimum": 1, "maximum": 1000}),
            "Items per page (default 100)",
        ),
        query(
            "createdAfter",
            false,
            time.clone(),
            "Only created after this ISO-8601 time (an unreadable time matches nothing)",
        ),
        query(
            "createdBefore",
            false,
            time.clone(),
            "Only created before this time",
        ),
        query(
            "updatedAfter",
            false,
            time.clone(),
            "Only updated after this time",
        ),
        query(
            "updatedBefore",
            false,
            time,
            "Only updated before this time",
        ),
    ]
}

/// Query parameters, the statuses a route adds to the generated ones, and
/// the links the stateful tests follow from each create.
fn extras() -> Vec<Extra> {
    let by_client = || {
        let mut p = list_params();
        p.push(query(
            "clientId",
            true,
            text(),
            "The client whose records to list",
        ));
        json!({"parameters": p, "responses": {"400": response("A list parameter is invalid", "ComplyCubeError"), "404": response("No such client", "ComplyCubeError")}})
    };
    let filtered_by_client = || {
        let mut p = list_params();
        p.push(query(
            "clientId",
            false,
            json!({"type": "string"}),
            "Only this client's (an equality filter)",
        ));
        json!({"parameters": p, "responses": {"400": response("A list parameter is invalid", "ComplyCubeError")}})
    };
    let lists = || json!({"parameters": list_params(), "responses": {"400": response("A list parameter is invalid", "ComplyCubeError")}});
    let unprocessable = |why: &str| json!({"responses": {"422": response(why, "ComplyCubeError")}});
    let not_found = |why: &str| json!({"responses": {"404": response(why, "ComplyCubeError")}});
    let id = "$response.body#/id";
    let client = "$response.body#/clientId";
    let mut v = vec![
        extra("GET", "/v1/clients", lists()),
        extra("GET", "/v1/addresses", by_client()),
        extra("GET", "/v1/documents", by_client()),
        extra("GET", "/v1/livePhotos", by_client()),
        extra("GET", "/v1/liveVideos", by_client()),
        extra("GET", "/v1/checks", filtered_by_client()),
        extra("GET", "/v1/webhooks", lists()),
        extra("GET", "/v1/workflowSessions", filtered_by_client()),
        extra("GET", "/v1/teamMembers", lists()),
        extra("GET", "/v1/auditLogs", lists()),
        extra(
            "GET",
            "/v1/reports",
            json!({"parameters": [
                query("clientId", true, text(), "The client to report on (or send checkId instead)"),
                query("checkId", false, text(), "The check to report on"),
            ], "responses": {"400": response("Neither clientId nor checkId", "ComplyCubeError"), "404": response("No such client or check", "ComplyCubeError")}}),
        ),
        extra("POST", "/v1/addresses", not_found("No such client")),
        extra("POST", "/v1/documents", not_found("No such client")),
        extra("POST", "/v1/livePhotos", not_found("No such client")),
        extra("POST", "/v1/tokens", not_found("No such client")),
        extra(
            "POST",
            "/v1/flow/sessions",
            not_found("No such client or workflow template"),
        ),
        extra(
            "POST",
            "/v1/checks",
            json!({"responses": {
                "404": response("A referenced id names nothing of this client", "ComplyCubeError"),
                "422": response("A processing error: two_sides_expected, document_requires_issuing_country", "ComplyCubeError"),
            }}),
        ),
        extra(
            "DELETE",
            "/v1/addresses/{id}",
            unprocessable("resource_in_use: a check used it"),
        ),
        extra(
            "DELETE",
            "/v1/documents/{id}",
            unprocessable("resource_in_use: a check used it"),
        ),
        extra(
            "DELETE",
            "/v1/documents/{id}/{side}",
            unprocessable("resource_in_use: a check used it"),
        ),
        extra(
            "DELETE",
            "/v1/livePhotos/{id}",
            unprocessable("resource_in_use: a check used it"),
        ),
        extra(
            "DELETE",
            "/v1/liveVideos/{id}",
            unprocessable("resource_in_use: a check used it"),
        ),
        extra(
            "POST",
            "/v1/checks/{id}/validate",
            unprocessable("pending_check_unmodifiable"),
        ),
        extra(
            "POST",
            "/v1/checks/{id}/redact",
            unprocessable("pending_check_unmodifiable"),
        ),
        extra(
            "POST",
            "/v1/clients",
            json!({"responses": {"200": {"links": links(&[
                ("GetClient", "getV1ClientsId", json!({"path.id": id}), None),
                ("UpdateClient", "postV1ClientsId", json!({"path.id": id}), None),
                ("GetRiskProfile", "getV1ClientsIdRiskProfile", json!({"path.id": id}), None),
                ("CreateAddress", "postV1Addresses", json!({}), Some(json!({"clientId": id}))),
                ("CreateDocument", "postV1Documents", json!({}), Some(json!({"clientId": id}))),
                ("CreateLivePhoto", "postV1LivePhotos", json!({}), Some(json!({"clientId": id}))),
                ("CreateScreeningCheck", "postV1Checks", json!({}), Some(json!({"clientId": id, "type": "standard_screening_check"}))),
                ("CreateToken", "postV1Tokens", json!({}), Some(json!({"clientId": id}))),
                ("ListAddresses", "getV1Addresses", json!({"query.clientId": id}), None),
                ("ListDocuments", "getV1Documents", json!({"query.clientId": id}), None),
                ("ListLivePhotos", "getV1LivePhotos", json!({"query.clientId": id}), None),
                ("ListChecks", "getV1Checks", json!({"query.clientId": id}), None),
                ("Report", "getV1Reports", json!({"query.clientId": id}), None),
                ("DeleteClient", "deleteV1ClientsId", json!({"path.id": id}), None),
            ])}}}),
        ),
        extra(
            "POST",
            "/v1/addresses",
            json!({"responses": {"200": {"links": links(&[
                ("GetAddress", "getV1AddressesId", json!({"path.id": id}), None),
                ("UpdateAddress", "postV1AddressesId", json!({"path.id": id}), None),
                ("CreateIdentityFraudCheck", "postV1Checks", json!({}), Some(json!({"clientId": client, "addressId": id, "type": "identity_fraud_check"}))),
                ("DeleteAddress", "deleteV1AddressesId", json!({"path.id": id}), None),
            ])}}}),
        ),
        extra(
            "POST",
            "/v1/documents",
            json!({"responses": {"200": {"links": links(&[
                ("GetDocument", "getV1DocumentsId", json!({"path.id": id}), None),
                ("UpdateDocument", "postV1DocumentsId", json!({"path.id": id}), None),
                ("UploadImage", "postV1DocumentsIdUploadSide", json!({"path.id": id}), None),
                ("CreateDocumentCheck", "postV1Checks", json!({}), Some(json!({"clientId": client, "documentId": id, "type": "document_check"}))),
                ("DeleteDocument", "deleteV1DocumentsId", json!({"path.id": id}), None),
            ])}}}),
        ),
        extra(
            "POST",
            "/v1/documents/{id}/upload/{side}",
            json!({"responses": {"200": {"links": links(&[
                ("DownloadImage", "getV1DocumentsIdDownloadSide", json!({"path.id": "$request.path.id", "path.side": "$request.path.side"}), None),
                ("DownloadImageById", "getV1DocumentsIdImagesImageIdDownload", json!({"path.id": "$request.path.id", "path.imageId": id}), None),
                ("GetDocument", "getV1DocumentsId", json!({"path.id": "$request.path.id"}), None),
                ("DeleteImage", "deleteV1DocumentsIdSide", json!({"path.id": "$request.path.id", "path.side": "$request.path.side"}), None),
            ])}}}),
        ),
        extra(
            "POST",
            "/v1/livePhotos",
            json!({"responses": {"200": {"links": links(&[
                ("GetLivePhoto", "getV1LivePhotosId", json!({"path.id": id}), None),
                ("DownloadLivePhoto", "getV1LivePhotosIdDownload", json!({"path.id": id}), None),
                ("CreateAgeEstimationCheck", "postV1Checks", json!({}), Some(json!({"clientId": client, "livePhotoId": id, "type": "age_estimation_check"}))),
                ("DeleteLivePhoto", "deleteV1LivePhotosId", json!({"path.id": id}), None),
            ])}}}),
        ),
        extra(
            "POST",
            "/v1/checks",
            json!({"responses": {"200": {"links": links(&[
                ("GetCheck", "getV1ChecksId", json!({"path.id": id}), None),
                ("ValidateCheck", "postV1ChecksIdValidate", json!({"path.id": id}), None),
                ("UpdateCheck", "postV1ChecksId", json!({"path.id": id}), None),
                ("RedactCheck", "postV1ChecksIdRedact", json!({"path.id": id}), None),
                ("CheckReport", "getV1Reports", json!({"query.checkId": id}), None),
            ])}}}),
        ),
        extra(
            "POST",
            "/v1/webhooks",
            json!({"responses": {"200": {"links": links(&[
                ("GetWebhook", "getV1WebhooksId", json!({"path.id": id}), None),
                ("UpdateWebhook", "postV1WebhooksId", json!({"path.id": id}), None),
                ("DeleteWebhook", "deleteV1WebhooksId", json!({"path.id": id}), None),
            ])}}}),
        ),
    ];
    for method in ["POST", "PUT", "PATCH"] {
        v.push(extra(
            method,
            "/v1/checks/{id}",
            unprocessable(
                "invalid_check_update (not a screening check) or pending_check_unmodifiable",
            ),
        ));
    }
    v
}
