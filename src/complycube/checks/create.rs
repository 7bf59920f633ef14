//! `POST /v1/checks`: validate the request, resolve every id it names,
//! ask the scenario engine, store the check (always `pending` first).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::admin::Admin;
use crate::complycube::api::{Api, Key};
use crate::complycube::audit;
use crate::complycube::check::{Check, EnrolledMatch, FinalStatus};
use crate::complycube::check_options::Options;
use crate::complycube::check_type::{CheckType, Needs};
use crate::complycube::error::{ApiError, Json};
use crate::complycube::facts::RequestFacts;
use crate::complycube::model::{Client, ClientType, Document, Side};
use crate::complycube::preconditions::{self, Origin, Request};
use crate::complycube::render::render;
use crate::complycube::tenant::Tenant;
use crate::complycube::workflow_session::Captured;
use crate::complycube::{events, validate};
use crate::ids::{Millis, ObjectId};
use crate::scenario::{self, Selected};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CheckInput {
    client_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    document_id: Option<String>,
    address_id: Option<String>,
    live_photo_id: Option<String>,
    live_video_id: Option<String>,
    enable_monitoring: Option<bool>,
    client_consent: Option<bool>,
    options: Option<Map<String, Value>>,
}

impl CheckInput {
    /// The check a workflow task runs on what the client captured.
    pub(crate) fn for_task(client_id: ObjectId, kind: CheckType, captured: &Captured) -> Self {
        let id = |v: Option<ObjectId>| v.map(|i| i.to_string());
        let needs = kind.needs();
        let wanted = |n: Needs, v: Option<ObjectId>| if needs.contains(&n) { id(v) } else { None };
        CheckInput {
            client_id: Some(client_id.to_string()),
            kind: Some(kind.as_str().to_owned()),
            document_id: wanted(Needs::Document, captured.document_id),
            address_id: wanted(Needs::Address, captured.address_id),
            live_photo_id: wanted(Needs::LivePhoto, captured.live_photo_id),
            live_video_id: wanted(Needs::LiveVideo, captured.live_video_id),
            ..CheckInput::default()
        }
    }
}

/// What creating a check came to.
pub(crate) enum Created {
    /// Stored: the check, its `pending` answer and the scenario that decided it.
    Check {
        check: Box<Check>,
        body: Value,
        selected: Selected,
    },
    /// Answered already (the scenario's error, a dropped connection, an
    /// unknown scenario header).
    Answered(Response),
}

fn type_names() -> Vec<&'static str> {
    CheckType::ALL.iter().map(|t| t.as_str()).collect()
}

/// Two-sided document types (document-sides-per-type page).
fn expects_two_sides(doc: &Document) -> bool {
    match doc.kind.as_str() {
        "driving_license" | "residence_permit" => true,
        "national_identity_card" => !matches!(
            doc.issuing_country.as_deref(),
            Some("AR" | "CL" | "CY" | "SV" | "CI" | "MY" | "PE" | "RO")
        ),
        _ => false,
    }
}

/// Everything validated about a new check, before it is stored.
struct Resolved {
    client: Client,
    kind: CheckType,
    document_id: Option<ObjectId>,
    address_id: Option<ObjectId>,
    live_photo_id: Option<ObjectId>,
    live_video_id: Option<ObjectId>,
    image_sha256: Vec<[u8; 32]>,
    enrolled: Vec<EnrolledMatch>,
}

fn resolve(
    t: &Tenant,
    input: &CheckInput,
    origin: Origin,
    now: Millis,
) -> Result<Resolved, ApiError> {
    let client_raw = validate::required("clientId", &input.client_id)?;
    let kind_raw = validate::required("type", &input.kind)?;
    let kind =
        CheckType::parse(kind_raw).ok_or_else(|| ApiError::not_allowed("type", &type_names()))?;
    preconditions::origin(kind, origin)?;
    let client_oid = validate::id("client", client_raw)?;
    let client = t
        .clients
        .get(&client_oid)
        .ok_or_else(|| ApiError::not_found("client", client_raw))?
        .clone();
    for need in kind.needs() {
        let (param, v) = match need {
            Needs::Document => ("documentId", &input.document_id),
            Needs::Address => ("addressId", &input.address_id),
            Needs::LivePhoto => ("livePhotoId", &input.live_photo_id),
            Needs::LiveVideo => ("liveVideoId", &input.live_video_id),
        };
        validate::required(param, v)?;
    }
    if kind.person_only() && client.kind != ClientType::Person {
        return Err(ApiError::invalid(
            "clientId",
            format!(
                "A '{}' can only be performed on a client of type 'person'",
                kind.as_str()
            ),
        ));
    }
    // Every id must exist under this tenant and belong to the check's client.
    fn owned<T>(
        table: &crate::store::Table<T>,
        resource: &str,
        raw: &Option<String>,
        client: &ObjectId,
    ) -> Result<Option<ObjectId>, ApiError> {
        let Some(raw) = raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let id = validate::id(resource, raw)?;
        if table.contains(&id) && table.owner_of(&id) == Some(*client) {
            Ok(Some(id))
        } else {
            Err(ApiError::not_found(resource, raw))
        }
    }
    let document_id = owned(&t.documents, "document", &input.document_id, &client.id)?;
    let address_id = owned(&t.addresses, "address", &input.address_id, &client.id)?;
    let live_photo_id = owned(
        &t.live_photos,
        "live photo",
        &input.live_photo_id,
        &client.id,
    )?;
    let live_video_id = owned(
        &t.live_videos,
        "live video",
        &input.live_video_id,
        &client.id,
    )?;

    preconditions::check(
        t,
        &Request {
            kind,
            client: &client,
            document: document_id.and_then(|d| t.documents.get(&d)),
            address: address_id.and_then(|a| t.addresses.get(&a)),
            options: input.options.as_ref(),
            now,
        },
    )?;

    let mut image_sha256 = Vec::new();
    if let Some(doc) = document_id.and_then(|d| t.documents.get(&d)) {
        if kind == CheckType::Document && doc.issuing_country.is_none() {
            return Err(ApiError::processing(
                "document_requires_issuing_country",
                "The document must have an 'issuingCountry' before a document check can run",
            ));
        }
        if kind.needs_images() {
            let front = doc.image(Side::Front).ok_or_else(|| {
                ApiError::invalid(
                    "documentId",
                    "The document must have a front image attached before it can be checked",
                )
            })?;
            image_sha256.push(front.blob.sha256);
            if kind == CheckType::Document
                && expects_two_sides(doc)
                && doc.image(Side::Back).is_none()
            {
                return Err(ApiError::processing(
                    "two_sides_expected",
                    format!(
                        "Both the front and back sides are expected for a '{}'",
                        doc.kind
                    ),
                ));
            }
        }
    }
    if let Some(photo) = live_photo_id.and_then(|p| t.live_photos.get(&p)) {
        image_sha256.push(photo.blob.sha256);
    }
    // Derived realism: the same face bytes uploaded for another client
    // (unless enrolled-face matching is switched off).
    let mut enrolled: Vec<EnrolledMatch> = Vec::new();
    let matching =
        Options::of_map(input.options.as_ref()).enrolled_faces() || kind != CheckType::Identity;
    if matching && matches!(kind, CheckType::Identity | CheckType::EnhancedIdentity) {
        for sha in &image_sha256 {
            for s in t.faces.get(sha).into_iter().flatten() {
                if s.client_id == client.id || enrolled.iter().any(|e| e.client_id == s.client_id) {
                    continue;
                }
                if let Some(other) = t.clients.get(&s.client_id) {
                    enrolled.push(EnrolledMatch {
                        client_id: s.client_id,
                        entity_name: other.entity_name.clone(),
                        live_photo_id: s.live_photo_id,
                    });
                }
            }
        }
    }
    Ok(Resolved {
        client,
        kind,
        document_id,
        address_id,
        live_photo_id,
        live_video_id,
        image_sha256,
        enrolled,
    })
}

pub(super) async fn create_check(
    State(api): State<Api>,
    Key(key): Key,
    headers: HeaderMap,
    Json(input): Json<CheckInput>,
) -> Result<Response, ApiError> {
    create(&api, key, &headers, &input, Origin::Api).await
}

/// Sandbox-only `POST /__admin/complycube/checks`: runs a check as a
/// workflow session would, so the workflow-only types (eID, device
/// intelligence) can be exercised. Same body, rules and answer as
/// `POST /v1/checks`.
pub(super) async fn seed_check(
    _admin: Admin,
    State(api): State<Api>,
    Key(key): Key,
    headers: HeaderMap,
    Json(input): Json<CheckInput>,
) -> Result<Response, ApiError> {
    create(&api, key, &headers, &input, Origin::Workflow).await
}

async fn create(
    api: &Api,
    key: String,
    headers: &HeaderMap,
    input: &CheckInput,
    origin: Origin,
) -> Result<Response, ApiError> {
    match create_with(api, &key, headers, input, origin, None).await? {
        Created::Check { body, selected, .. } => {
            Ok(scenario::tag(axum::Json(body).into_response(), &selected))
        }
        Created::Answered(res) => Ok(res),
    }
}

/// Creates a check as `POST /v1/checks` does, decided by `preselected`
/// when given (a completion that names its outcome) or by the engine.
pub(crate) async fn create_with(
    api: &Api,
    key: &str,
    headers: &HeaderMap,
    input: &CheckInput,
    origin: Origin,
    preselected: Option<Selected>,
) -> Result<Created, ApiError> {
    let key = key.to_owned();
    let asked = api.core.clocks.now(&key);
    let resolved = api.store.read(&key, |t| resolve(t, input, origin, asked))?;
    let facts = RequestFacts {
        check_type: Some(resolved.kind),
        client: &resolved.client,
    };
    let selected = match preselected {
        Some(s) => s,
        None => match api
            .decide(&key, "checks", &facts, headers, &resolved.image_sha256)
            .await
        {
            Ok(s) => s,
            Err(answered) => return Ok(Created::Answered(answered)),
        },
    };
    let effect = selected.effect();
    let now = api.core.clocks.now(&key);
    let delay = effect
        .millis("completionDelayMs")
        .unwrap_or(api.core.config.completion_delay_ms);
    let final_status = match effect.text("status") {
        Some("failed") => FinalStatus::Failed,
        _ => FinalStatus::Complete,
    };
    // The scenario may have waited: resolve again under the same lock as
    // the insert, so a client deleted meanwhile is a 404, not an orphan.
    let (check, body) = api
        .store
        .write(&key, |t, _| {
            let resolved = resolve(t, input, origin, now)?;
            let check = Check {
                id: ObjectId::new(now),
                client_id: resolved.client.id,
                kind: resolved.kind,
                entity_name: resolved.client.entity_name.clone().into_boxed_str(),
                document_id: resolved.document_id,
                address_id: resolved.address_id,
                live_photo_id: resolved.live_photo_id,
                live_video_id: resolved.live_video_id,
                enable_monitoring: input.enable_monitoring.unwrap_or(false),
                client_consent: input.client_consent,
                options: input
                    .options
                    .clone()
                    .filter(|o| !o.is_empty())
                    .map(|o| Box::new(Value::Object(o))),
                created_at: now,
                updated_at: now,
                complete_at: now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX)),
                final_status,
                scenario: selected.scenario.clone(),
                scenario_source: selected.source,
                enrolled: (!resolved.enrolled.is_empty())
                    .then(|| resolved.enrolled.into_boxed_slice()),
                validated_outcome: None,
                match_validations: None,
                user_supplied: None,
                redacted: None,
                events_raised: false,
            };
            t.checks
                .insert(check.id, Some(check.client_id), check.clone());
            // The create answer is always `pending`, even with no completion delay.
            let body = render(t, &check, now.min(check.complete_at.saturating_sub(1)));
            if origin == Origin::Api {
                let change = audit::Change {
                    resource_type: "check",
                    resource_id: check.id,
                    client_id: Some(check.client_id),
                    trigger: "createCheck",
                    action: audit::Action::Create,
                };
                t.audit(now, change, None, Some(body.clone()));
            }
            Ok::<_, ApiError>((check, body))
        })
        .await?;
    events::check_created(api, &key, &check, &body).await?;
    Ok(Created::Check {
        check: Box::new(check),
        body,
        selected,
    })
}
