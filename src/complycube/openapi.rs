//! ComplyCube's rows and schemas in `GET /openapi.json`.

use serde_json::{Map, Value, json};

use crate::openapi::{ADMIN, Part, Reply, Route, open, r};

const TAG: &str = "ComplyCube";

use Reply::{Empty, Json as J};

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
    r("POST", "/__admin/complycube/liveVideos", ADMIN, "Create a ComplyCube live video (ComplyCube has no public create)", Some("Object"), J(200, "Object")),
    r("POST", "/__admin/complycube/checks", ADMIN, "Run a ComplyCube check as a workflow session does (eid_check, device_intelligence_check are workflow-only)", Some("Object"), J(200, "Object")),
    r("GET", "/__admin/complycube/clients", ADMIN, "Console: search clients (?q= name, email, external id or id)", None, J(200, "Object")),
    r("GET", "/__admin/complycube/clients/{id}", ADMIN, "Console: a client with everything it owns", None, J(200, "Object")),
    r("GET", "/__admin/complycube/checks", ADMIN, "Console: recent checks (?status=, ?outcome=)", None, J(200, "Object")),
    r("GET", "/__admin/complycube/checks/{id}", ADMIN, "Console: a check with its scenario, timeline and deliveries", None, J(200, "Object")),
    r("POST", "/__admin/complycube/checks/complete-pending", ADMIN, "Move the clock so every pending check completes now", None, J(200, "Object")),
    r("GET", "/__admin/complycube/webhooks", ADMIN, "Console: the tenant's webhooks", None, J(200, "Object")),
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
