//! ComplyCube's rows and schemas in `GET /openapi.json`.

use serde_json::{Map, Value, json};

use crate::openapi::{ADMIN, Part, Reply, Route, open, r};

const TAG: &str = "ComplyCube";

use Reply::{Empty, Json as J, Media};

/// Every route of the ComplyCube plug-in. Keep in router order.
#[rustfmt::skip]
const ROUTES: &[Route] = &[
    r("POST", "/v1/clients", TAG, "Create a client", Some("ClientInput"), J(200, "Client")),
    r("GET", "/v1/clients", TAG, "List clients", None, J(200, "Page")),
    r("GET", "/v1/clients/{id}", TAG, "Get a client", None, J(200, "Client")),
    r("POST", "/v1/clients/{id}", TAG, "Update a client", Some("ClientInput"), J(200, "Client")),
    r("PUT", "/v1/clients/{id}", TAG, "Update a client (alias of POST)", Some("ClientInput"), J(200, "Client")),
    r("PATCH", "/v1/clients/{id}", TAG, "Update a client (alias of POST)", Some("ClientInput"), J(200, "Client")),
    r("DELETE", "/v1/clients/{id}", TAG, "Delete a client", None, Empty(204)),
    r("GET", "/v1/clients/{id}/riskProfile", TAG, "Get a client's risk profile", None, J(200, "Object")),
    r("POST", "/v1/addresses", TAG, "Create an address", Some("Object"), J(200, "Object")),
    r("GET", "/v1/addresses", TAG, "List a client's addresses (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/addresses/{id}", TAG, "Get an address", None, J(200, "Object")),
    r("POST", "/v1/addresses/{id}", TAG, "Update an address", Some("Object"), J(200, "Object")),
    r("PUT", "/v1/addresses/{id}", TAG, "Update an address (alias of POST)", Some("Object"), J(200, "Object")),
    r("PATCH", "/v1/addresses/{id}", TAG, "Update an address (alias of POST)", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/addresses/{id}", TAG, "Delete an address", None, Empty(204)),
    r("POST", "/v1/documents", TAG, "Create a document", Some("Object"), J(200, "Object")),
    r("GET", "/v1/documents", TAG, "List a client's documents (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/documents/{id}", TAG, "Get a document", None, J(200, "Object")),
    r("POST", "/v1/documents/{id}", TAG, "Update a document", Some("Object"), J(200, "Object")),
    r("PUT", "/v1/documents/{id}", TAG, "Update a document (alias of POST)", Some("Object"), J(200, "Object")),
    r("PATCH", "/v1/documents/{id}", TAG, "Update a document (alias of POST)", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/documents/{id}", TAG, "Delete a document", None, Empty(204)),
    r("POST", "/v1/documents/{id}/upload/{side}", TAG, "Upload a document image (front or back)", Some("Object"), J(200, "Object")),
    r("GET", "/v1/documents/{id}/download/{side}", TAG, "Download a document image", None, J(200, "Object")),
    r("GET", "/v1/documents/{id}/images/{imageId}/download", TAG, "Download a document image by id", None, J(200, "Object")),
    r("DELETE", "/v1/documents/{id}/{side}", TAG, "Delete a document image", None, Empty(204)),
    r("POST", "/v1/documents/{id}/redact", TAG, "Redact a document", Some("Object"), J(200, "Object")),
    r("POST", "/v1/livePhotos", TAG, "Upload a live photo", Some("Object"), J(200, "Object")),
    r("GET", "/v1/livePhotos", TAG, "List a client's live photos (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/livePhotos/{id}", TAG, "Get a live photo", None, J(200, "Object")),
    r("GET", "/v1/livePhotos/{id}/download", TAG, "Download a live photo", None, J(200, "Object")),
    r("POST", "/v1/livePhotos/{id}/redact", TAG, "Redact a live photo", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/livePhotos/{id}", TAG, "Delete a live photo", None, Empty(204)),
    r("GET", "/v1/liveVideos", TAG, "List a client's live videos (?clientId=)", None, J(200, "Page")),
    r("GET", "/v1/liveVideos/{id}", TAG, "Get a live video", None, J(200, "Object")),
    r("POST", "/v1/liveVideos/{id}/redact", TAG, "Redact a live video", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/liveVideos/{id}", TAG, "Delete a live video", None, Empty(204)),
    r("POST", "/v1/checks", TAG, "Create a check (answers pending)", Some("Object"), J(200, "Object")),
    r("GET", "/v1/checks", TAG, "List checks", None, J(200, "Page")),
    r("GET", "/v1/checks/{id}", TAG, "Get a check", None, J(200, "Object")),
    r("POST", "/v1/checks/{id}", TAG, "Update a screening check", Some("Object"), J(200, "Object")),
    r("PUT", "/v1/checks/{id}", TAG, "Update a screening check (alias of POST)", Some("Object"), J(200, "Object")),
    r("PATCH", "/v1/checks/{id}", TAG, "Update a screening check (alias of POST)", Some("Object"), J(200, "Object")),
    r("POST", "/v1/checks/{id}/validate", TAG, "Validate a check outcome", Some("Object"), J(200, "Object")),
    r("POST", "/v1/checks/{id}/redact", TAG, "Redact a document check", Some("Object"), J(200, "Object")),
    r("POST", "/v1/tokens", TAG, "Create an SDK token", Some("Object"), J(200, "Object")),
    r("GET", "/v1/reports", TAG, "Generate a client or check report (?clientId= | ?checkId=)", None, J(200, "Object")),
    r("POST", "/v1/webhooks", TAG, "Create a webhook (the only answer carrying its secret)", Some("Object"), J(200, "Object")),
    r("GET", "/v1/webhooks", TAG, "List webhooks", None, J(200, "Page")),
    r("GET", "/v1/webhooks/{id}", TAG, "Get a webhook", None, J(200, "Object")),
    r("POST", "/v1/webhooks/{id}", TAG, "Update a webhook", Some("Object"), J(200, "Object")),
    r("PUT", "/v1/webhooks/{id}", TAG, "Update a webhook (alias of POST)", Some("Object"), J(200, "Object")),
    r("PATCH", "/v1/webhooks/{id}", TAG, "Update a webhook (alias of POST)", Some("Object"), J(200, "Object")),
    r("DELETE", "/v1/webhooks/{id}", TAG, "Delete a webhook", None, Empty(204)),
    r("POST", "/v1/flow/sessions", TAG, "Create a hosted Flow session (workflowTemplateId or checkTypes) → {redirectUrl}", Some("Object"), J(200, "Object")),
    r("GET", "/v1/workflowSessions", TAG, "List workflow sessions (filters clientId, workflowTemplateId, status, outcome, …)", None, J(200, "Page")),
    r("GET", "/v1/workflowSessions/{id}", TAG, "Get a workflow session", None, J(200, "Object")),
    r("POST", "/v1/workflowSessions/{id}/complete", TAG, "Complete a started workflow session → {status: processing}", None, J(200, "Object")),
    r("POST", "/v1/workflowSessions/{id}/cancel", TAG, "Cancel a started workflow session → {status: cancelled}", None, J(200, "Object")),
    r("GET", "/v1/static/screeningLists", TAG, "The screening lists, alphabetical (an array of names)", None, J(200, "StringList")),
    r("GET", "/v1/static/supportedDocuments", TAG, "The documents Document Checks support, per issuing country", None, J(200, "ObjectList")),
    r("POST", "/v1/lookup/companies", TAG, "Search companies (companyName, incorporationCountry) → {items}", Some("Object"), J(200, "Page")),
    r("GET", "/v1/lookup/companies/{id}", TAG, "Get a company's details", None, J(200, "Object")),
    r("POST", "/v1/lookup/addresses", TAG, "Search addresses (line, postalCode, country) → {items}", Some("Object"), J(200, "Page")),
    r("POST", "/v1/autofill", TAG, "Extract data and images from an identity document image", Some("Object"), J(200, "Object")),
    r("GET", "/v1/accountInfo", TAG, "The account: username, plan, remainingCredit", None, J(200, "Object")),
    r("GET", "/v1/teamMembers", TAG, "List team members (filter role, …)", None, J(200, "Page")),
    r("GET", "/v1/teamMembers/{id}", TAG, "Get a team member", None, J(200, "Object")),
    r("GET", "/v1/auditLogs", TAG, "List the key's audit log (filters resourceType, resourceId, clientId, trigger, action, memberId)", None, J(200, "Page")),
    r("GET", "/v1/auditLogs/{id}", TAG, "Get an audit log entry with its diff", None, J(200, "Object")),
    r("POST", "/__admin/complycube/liveVideos", ADMIN, "Create a ComplyCube live video (ComplyCube has no public create)", Some("Object"), J(200, "Object")),
    r("POST", "/__admin/complycube/checks", ADMIN, "Run a ComplyCube check as a workflow session does (eid_check, device_intelligence_check are workflow-only)", Some("Object"), J(200, "Object")),
    r("GET", "/__admin/complycube/clients", ADMIN, "Console: search clients (?q= name, email, external id or id)", None, J(200, "Object")),
    r("GET", "/__admin/complycube/clients/{id}", ADMIN, "Console: a client with everything it owns", None, J(200, "Object")),
    r("GET", "/__admin/complycube/checks", ADMIN, "Console: recent checks (?status=, ?outcome=)", None, J(200, "Object")),
    r("GET", "/__admin/complycube/checks/{id}", ADMIN, "Console: a check with its scenario, timeline and deliveries", None, J(200, "Object")),
    r("POST", "/__admin/complycube/checks/complete-pending", ADMIN, "Move the clock so every pending check completes now", None, J(200, "Object")),
    r("GET", "/__admin/complycube/webhooks", ADMIN, "Console: the tenant's webhooks", None, J(200, "Object")),
    r("POST", "/__admin/complycube/workflowSessions", ADMIN, "Start a ComplyCube workflow session as a capture SDK does (clientId, workflowTemplateId?, checkTypes?, documentType?, issuingCountry?)", Some("Object"), J(200, "Object")),
    r("GET", "/__admin/complycube/flow/sessions/{id}", ADMIN, "A hosted Flow session as the sandbox keeps it", None, J(200, "Object")),
    r("POST", "/__admin/complycube/flow/sessions/{id}/complete", ADMIN, "Complete a hosted Flow session as the client would (outcome?, checkTypes?, documentType?, issuingCountry?) → {redirectUrl: successUrl, …}", Some("Object"), J(200, "Object")),
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
};

fn schemas() -> Map<String, Value> {
    let string = json!({"type": "string"});
    let mut m = Map::new();
    m.insert(
        "ComplyCubeError".into(),
        open(
            json!({"type": string, "message": string, "param": string}),
            &["type", "message"],
        ),
    );
    m.insert(
        "Page".into(),
        open(
            json!({
                "page": {"type": "integer"},
                "pageSize": {"type": "integer"},
                "totalItems": {"type": "integer"},
                "pages": {"type": "integer"},
                "items": {"type": "array", "items": {"type": "object"}},
            }),
            &["items"],
        ),
    );
    m.insert(
        "StringList".into(),
        json!({"type": "array", "items": {"type": "string"}}),
    );
    m.insert(
        "ObjectList".into(),
        json!({"type": "array", "items": {"type": "object"}}),
    );
    m.insert(
        "ClientInput".into(),
        open(
            json!({
                "type": {"type": "string", "enum": ["person", "company"]},
                "email": string,
                "mobile": string,
                "telephone": string,
                "externalId": string,
                "joinedDate": string,
                "personDetails": {"type": "object"},
                "companyDetails": {"type": "object"},
                "metadata": {"type": "object"},
            }),
            &[],
        ),
    );
    m.insert(
        "Client".into(),
        open(
            json!({
                "id": string,
                "type": {"type": "string", "enum": ["person", "company"]},
                "entityName": string,
                "email": string,
                "personDetails": {"type": "object"},
                "companyDetails": {"type": "object"},
                "createdAt": {"type": "string", "format": "date-time"},
                "updatedAt": {"type": "string", "format": "date-time"},
            }),
            &["id", "type", "createdAt"],
        ),
    );
    m
}
