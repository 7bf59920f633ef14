//! `POST /v1/flow/sessions`: a hosted Flow session. ComplyCube answers only
//! `{"redirectUrl"}`, the page the client is sent to; the session lives
//! 14 days or until the client finishes. Both documented request shapes are
//! accepted: a workflow (`workflowTemplateId`, recommended) or a list of
//! `checkTypes` (legacy). The sandbox's page is `/__admin/flow/{id}` on the
//! host the request was sent to; its id is random, so the URL is the only
//! way to it. Completing it is [`super::flow_complete`].

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::api::{Api, Key};
use super::audit::{self, Action};
use super::error::{ApiError, ApiResult, Json};
use super::flow_session::{FlowSession, FlowState, LIFETIME_MS, page_token, view};
use super::model::ClientType;
use super::validate;
use crate::ids::ObjectId;

/// The check types a check-driven Flow session may run.
pub(crate) const FLOW_CHECK_TYPES: &[&str] = &[
    "standard_screening_check",
    "extensive_screening_check",
    "document_check",
    "identity_check",
    "enhanced_identity_check",
    "proof_of_address_check",
    "face_authentication_check",
    "age_estimation_check",
];

pub(crate) const LANGUAGES: &[&str] = &[
    "en", "ar", "de", "es", "fr", "hi", "hk", "id", "it", "ja", "ko", "nl", "no", "pl", "pt", "sv",
    "th", "vi", "zh",
];

pub(crate) const DOCUMENT_TYPES: &[&str] = &[
    "passport",
    "driving_license",
    "residence_permit",
    "national_identity_card",
];

pub(crate) fn routes() -> Router<Api> {
    Router::new().route("/flow/sessions", post(create_session))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FlowInput {
    client_id: Option<String>,
    workflow_template_id: Option<String>,
    check_types: Option<Vec<String>>,
    success_url: Option<String>,
    cancel_url: Option<String>,
    enable_monitoring: Option<bool>,
    language: Option<String>,
    theme: Option<String>,
    allow_document_upload: Option<bool>,
    support_email: Option<String>,
    messages: Option<Map<String, Value>>,
    document_types: Option<Map<String, Value>>,
    short_url: Option<bool>,
}

fn url(param: &str, v: &Option<String>) -> Result<String, ApiError> {
    let s = validate::required(param, v)?;
    let lower = s.to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://")) && !s.contains(' ') {
        Ok(s.to_owned())
    } else {
        Err(ApiError::invalid(
            param,
            format!("'{param}' must be a valid URL"),
        ))
    }
}

/// `http://<host the request was sent to>` (or what a proxy says it was).
pub(crate) fn origin(headers: &HeaderMap) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or("").trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let host = header("x-forwarded-host")
        .or_else(|| header("host"))
        .unwrap_or_else(|| "localhost:8080".into());
    let scheme = header("x-forwarded-proto").unwrap_or_else(|| "http".into());
    format!("{scheme}://{host}")
}

/// A random id: the page URL is the session's only credential.
fn random_id() -> ObjectId {
    let bytes: [u8; 12] = rand::random();
    ObjectId::parse(&hex::encode(bytes)).unwrap_or_else(|| ObjectId::new(0))
}

fn options(input: &FlowInput) -> Result<Map<String, Value>, ApiError> {
    validate::one_of("language", &input.language, LANGUAGES)?;
    validate::one_of("theme", &input.theme, &["light", "dark"])?;
    if let Some(e) = &input.support_email {
        validate::email("supportEmail", e)?;
    }
    if let Some(types) = &input.document_types {
        for (k, v) in types {
            if !DOCUMENT_TYPES.contains(&k.as_str()) {
                return Err(ApiError::not_allowed(
                    &format!("documentTypes.{k}"),
                    DOCUMENT_TYPES,
                ));
            }
            if !v.is_boolean() {
                return Err(ApiError::invalid(
                    &format!("documentTypes.{k}"),
                    format!("'documentTypes.{k}' must be a boolean"),
                ));
            }
        }
    }
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_owned(), v);
        }
    };
    put("enableMonitoring", input.enable_monitoring.map(Value::from));
    put("language", input.language.clone().map(Value::from));
    put("theme", input.theme.clone().map(Value::from));
    put(
        "allowDocumentUpload",
        input.allow_document_upload.map(Value::from),
    );
    put("supportEmail", input.support_email.clone().map(Value::from));
    put("messages", input.messages.clone().map(Value::Object));
    put(
        "documentTypes",
        input.document_types.clone().map(Value::Object),
    );
    put("shortUrl", input.short_url.map(Value::from));
    Ok(m)
}

async fn create_session(
    State(api): State<Api>,
    Key(key): Key,
    headers: HeaderMap,
    Json(input): Json<FlowInput>,
) -> ApiResult<Value> {
    let raw_client = validate::required("clientId", &input.client_id)?.to_owned();
    let success_url = url("successUrl", &input.success_url)?;
    let cancel_url = url("cancelUrl", &input.cancel_url)?;
    let template = match (&input.workflow_template_id, &input.check_types) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "checkTypes",
                "'checkTypes' cannot be combined with 'workflowTemplateId'",
            ));
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "workflowTemplateId",
                "'workflowTemplateId' or 'checkTypes' must be provided",
            ));
        }
        (Some(raw), None) => Some(validate::id("workflow template", raw)?),
        (None, Some(_)) => None,
    };
    let check_types = input.check_types.clone().unwrap_or_default();
    if input.check_types.is_some() && check_types.is_empty() {
        return Err(ApiError::invalid(
            "checkTypes",
            "'checkTypes' must contain at least 1 item",
        ));
    }
    for (i, k) in check_types.iter().enumerate() {
        if !FLOW_CHECK_TYPES.contains(&k.as_str()) {
            return Err(ApiError::not_allowed(
                &format!("checkTypes.{i}"),
                FLOW_CHECK_TYPES,
            ));
        }
    }
    let options = options(&input)?;
    let client_id = validate::id("client", &raw_client)?;
    let now = api.core.clocks.now(&key);
    let id = random_id();
    let session = FlowSession {
        id,
        client_id,
        workflow_template_id: template,
        check_types,
        success_url,
        cancel_url,
        redirect_url: format!("{}/__admin/flow/{id}", origin(&headers)),
        options,
        state: FlowState::Open,
        created_at: now,
        expires_at: now.saturating_add(LIFETIME_MS),
        finished_at: None,
        workflow_session_id: None,
        check_ids: Vec::new(),
        page_token: page_token(),
    };
    api.store
        .write(&key, |t, _| {
            let client = t
                .clients
                .get(&client_id)
                .ok_or_else(|| ApiError::not_found("client", &raw_client))?;
            if client.kind != ClientType::Person {
                if let Some(k) = session.kinds().into_iter().find(|k| k.person_only()) {
                    return Err(ApiError::invalid(
                        "clientId",
                        format!(
                            "A '{}' can only be performed on a client of type 'person'",
                            k.as_str()
                        ),
                    ));
                }
            }
            t.flow_sessions.insert(id, Some(client_id), session.clone());
            let change = audit::Change {
                resource_type: "flowSession",
                resource_id: id,
                client_id: Some(client_id),
                trigger: "createFlowSession",
                action: Action::Create,
            };
            t.audit(now, change, None, audit::snapshot(&view(&session, now)));
            Ok(())
        })
        .await?;
    api.store.index_flow(id, &key);
    Ok(axum::Json(json!({"redirectUrl": session.redirect_url})))
}
