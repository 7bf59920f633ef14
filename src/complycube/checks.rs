//! `/v1/checks`: create, get, list, update, validate, redact.
//!
//! A check is stored compactly (ids as bytes, the chosen scenario by
//! reference) and its `result` is rendered when read, by [`super::results`],
//! from the check type, the outcome and the scenario's effect.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::list::{ListQuery, ListResponse};
use super::model::{Client, ClientType, Document, Side};
use super::results::{self, RenderContext};
use super::store::Tenant;
use super::{ApiError, Json, Key, validate};
use crate::app::AppState;
use crate::ids::{Millis, ObjectId, iso_millis};
use crate::journal::MatchedScenario;
use crate::scenario::{self, FinalStatus, Scenario, Vendor};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checks", post(create_check).get(list_checks))
        .route(
            "/checks/{id}",
            get(get_check)
                .post(update_check)
                .put(update_check)
                .patch(update_check),
        )
        .route("/checks/{id}/validate", post(validate_check))
        .route("/checks/{id}/redact", post(redact_check))
}

/// The 16 documented check types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckType {
    StandardScreening,
    ExtensiveScreening,
    Document,
    Identity,
    EnhancedIdentity,
    ProofOfAddress,
    MultiBureau,
    Eid,
    Ssn,
    AgeEstimation,
    IdentityFraud,
    DrivingLicense,
    DeviceIntelligence,
    EmailIntelligence,
    MobileIntelligence,
    FaceAuthentication,
}

/// The ids a check type needs besides `clientId` and `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Document,
    Address,
    LivePhoto,
    LiveVideo,
}

impl CheckType {
    pub const ALL: [CheckType; 16] = [
        CheckType::StandardScreening,
        CheckType::ExtensiveScreening,
        CheckType::Document,
        CheckType::Identity,
        CheckType::EnhancedIdentity,
        CheckType::ProofOfAddress,
        CheckType::MultiBureau,
        CheckType::Eid,
        CheckType::Ssn,
        CheckType::AgeEstimation,
        CheckType::IdentityFraud,
        CheckType::DrivingLicense,
        CheckType::DeviceIntelligence,
        CheckType::EmailIntelligence,
        CheckType::MobileIntelligence,
        CheckType::FaceAuthentication,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckType::StandardScreening => "standard_screening_check",
            CheckType::ExtensiveScreening => "extensive_screening_check",
            CheckType::Document => "document_check",
            CheckType::Identity => "identity_check",
            CheckType::EnhancedIdentity => "enhanced_identity_check",
            CheckType::ProofOfAddress => "proof_of_address_check",
            CheckType::MultiBureau => "multi_bureau_check",
            CheckType::Eid => "eid_check",
            CheckType::Ssn => "ssn_check",
            CheckType::AgeEstimation => "age_estimation_check",
            CheckType::IdentityFraud => "identity_fraud_check",
            CheckType::DrivingLicense => "driving_license_check",
            CheckType::DeviceIntelligence => "device_intelligence_check",
            CheckType::EmailIntelligence => "email_intelligence_check",
            CheckType::MobileIntelligence => "mobile_intelligence_check",
            CheckType::FaceAuthentication => "face_authentication_check",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Required ids, in the order they are reported when missing.
    pub fn needs(self) -> &'static [Needs] {
        match self {
            CheckType::Document | CheckType::ProofOfAddress | CheckType::DrivingLicense => {
                &[Needs::Document]
            }
            CheckType::Identity => &[Needs::Document, Needs::LivePhoto],
            CheckType::EnhancedIdentity => &[Needs::Document, Needs::LiveVideo],
            CheckType::MultiBureau | CheckType::IdentityFraud => &[Needs::Address],
            CheckType::AgeEstimation | CheckType::FaceAuthentication => &[Needs::LivePhoto],
            _ => &[],
        }
    }

    /// Types documented as "can only be performed on a client of type person".
    pub fn person_only(self) -> bool {
        matches!(
            self,
            CheckType::Identity
                | CheckType::EnhancedIdentity
                | CheckType::ProofOfAddress
                | CheckType::MultiBureau
                | CheckType::FaceAuthentication
                | CheckType::AgeEstimation
        )
    }

    pub fn is_screening(self) -> bool {
        matches!(
            self,
            CheckType::StandardScreening | CheckType::ExtensiveScreening
        )
    }

    /// Types whose document must carry images (the front side at least).
    fn needs_images(self) -> bool {
        matches!(
            self,
            CheckType::Document
                | CheckType::Identity
                | CheckType::EnhancedIdentity
                | CheckType::ProofOfAddress
        )
    }
}

/// A previously enrolled face found for a check.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolledMatch {
    pub client_id: ObjectId,
    pub entity_name: String,
    pub live_photo_id: Option<ObjectId>,
}

/// A stored check. Small on purpose: the benchmark stores a million.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: ObjectId,
    pub client_id: ObjectId,
    pub kind: CheckType,
    pub entity_name: Box<str>,
    pub document_id: Option<ObjectId>,
    pub address_id: Option<ObjectId>,
    pub live_photo_id: Option<ObjectId>,
    pub live_video_id: Option<ObjectId>,
    pub enable_monitoring: bool,
    pub client_consent: Option<bool>,
    pub options: Option<Box<Value>>,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// When the check leaves `pending` (tenant clock).
    pub complete_at: Millis,
    pub final_status: FinalStatus,
    /// The scenario that decided the result (`None`: default clear).
    pub scenario: Option<Arc<Scenario>>,
    /// Derived from image reuse across clients.
    pub enrolled: Option<Box<[EnrolledMatch]>>,
    /// Set by validation: the outcome the check now carries.
    pub validated_outcome: Option<Box<str>>,
    /// Screening match validations: match id → confirmed?
    pub match_validations: Option<Box<HashMap<String, bool>>>,
    /// Attributes and images removed by `/redact`.
    pub redacted: Option<Box<Redaction>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Redaction {
    pub attributes: Vec<String>,
    pub images: Vec<String>,
}

impl Check {
    pub fn is_complete(&self, now: Millis) -> bool {
        now >= self.complete_at
    }

    /// `pending`, `complete` or `failed` at `now`.
    pub fn status(&self, now: Millis) -> &'static str {
        if !self.is_complete(now) {
            "pending"
        } else {
            match self.final_status {
                FinalStatus::Complete => "complete",
                FinalStatus::Failed => "failed",
            }
        }
    }

    pub fn updated(&self, now: Millis) -> Millis {
        if self.is_complete(now) {
            self.updated_at.max(self.complete_at)
        } else {
            self.updated_at
        }
    }

    /// Whether the check uses `id` as its document, address, live photo or live video.
    pub fn references(&self, id: &ObjectId) -> bool {
        [
            self.document_id,
            self.address_id,
            self.live_photo_id,
            self.live_video_id,
        ]
        .contains(&Some(*id))
    }
}

/// Everything `render` needs besides the check itself.
fn context<'a>(t: &'a Tenant, c: &Check) -> RenderContext<'a> {
    RenderContext {
        client: t.clients.get(&c.client_id),
        document: c.document_id.and_then(|d| t.documents.get(&d)),
        address: c.address_id.and_then(|a| t.addresses.get(&a)),
        client_live_photos: if c.kind == CheckType::FaceAuthentication {
            t.live_photos.ids_of_owner(&c.client_id)
        } else {
            Vec::new()
        },
    }
}

/// The check in ComplyCube's JSON shape at `now`.
pub fn render(t: &Tenant, c: &Check, now: Millis) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(c.id));
    m.insert("entityName".into(), json!(c.entity_name));
    m.insert("type".into(), json!(c.kind.as_str()));
    m.insert("clientId".into(), json!(c.client_id));
    for (k, v) in [
        ("documentId", c.document_id),
        ("addressId", c.address_id),
        ("livePhotoId", c.live_photo_id),
        ("liveVideoId", c.live_video_id),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    // ComplyCube's samples carry `enableMonitoring` on screening checks only.
    if c.kind.is_screening() || c.enable_monitoring {
        m.insert("enableMonitoring".into(), json!(c.enable_monitoring));
    }
    if let Some(cc) = c.client_consent {
        m.insert("clientConsent".into(), json!(cc));
    }
    if let Some(o) = &c.options {
        m.insert("options".into(), (**o).clone());
    }
    let status = c.status(now);
    m.insert("status".into(), json!(status));
    if status == "complete" {
        m.insert("result".into(), results::render(c, &context(t, c)));
    }
    m.insert("createdAt".into(), json!(iso_millis(c.created_at)));
    m.insert("updatedAt".into(), json!(iso_millis(c.updated(now))));
    Value::Object(m)
}

/// The outcome a complete check carries (`clear`, `attention`, …).
pub fn outcome(t: &Tenant, c: &Check) -> String {
    results::outcome(c, &context(t, c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckInput {
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

fn resolve(t: &Tenant, input: &CheckInput) -> Result<Resolved, ApiError> {
    let client_raw = validate::required("clientId", &input.client_id)?;
    let kind_raw = validate::required("type", &input.kind)?;
    let kind =
        CheckType::parse(kind_raw).ok_or_else(|| ApiError::not_allowed("type", &type_names()))?;
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
    if kind.is_screening() {
        match client.kind {
            ClientType::Person => {
                let p = client.person_details.clone().unwrap_or_default();
                validate::required("personDetails.firstName", &p.first_name)?;
                validate::required("personDetails.lastName", &p.last_name)?;
            }
            ClientType::Company => {
                let c = client.company_details.clone().unwrap_or_default();
                validate::required("companyDetails.name", &c.name)?;
            }
        }
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
    // Derived realism: the same face bytes uploaded for another client.
    let mut enrolled: Vec<EnrolledMatch> = Vec::new();
    if matches!(kind, CheckType::Identity | CheckType::EnhancedIdentity) {
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

/// Turns a scenario's error effect into a response.
pub fn scenario_error(e: &scenario::ErrorReply) -> Response {
    match &e.body {
        Some(body) => {
            let status = axum::http::StatusCode::from_u16(e.status)
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(body.clone())).into_response()
        }
        None => ApiError::for_status(e.status).into_response(),
    }
}

/// Applies a scenario's latency without holding anything.
pub async fn scenario_latency(ms: Option<u64>) {
    if let Some(ms) = ms.filter(|ms| *ms > 0) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

pub fn tagged(mut res: Response, name: &str) -> Response {
    res.extensions_mut()
        .insert(MatchedScenario(name.to_owned()));
    res
}

async fn create_check(
    State(state): State<AppState>,
    Key(key): Key,
    headers: HeaderMap,
    Json(input): Json<CheckInput>,
) -> Result<Response, ApiError> {
    let resolved = state.complycube.with(&key, |t| resolve(t, &input))?;
    let selected = state
        .core
        .scenarios
        .select(
            &key,
            &scenario::Request {
                vendor: Vendor::Complycube,
                endpoint: "checks",
                check_type: Some(resolved.kind.as_str()),
                client: Some(resolved.client.facts()),
                headers: &headers,
                image_sha256: &resolved.image_sha256,
            },
        )
        .map_err(|e| ApiError::invalid("X-Sandbox-Scenario", e.message()))?;
    let effect = selected.effect();
    scenario_latency(effect.latency_ms).await;
    if effect.drop_connection {
        return Ok(tagged(crate::faults::dropped_connection(), selected.name()));
    }
    if let Some(err) = &effect.error {
        return Ok(tagged(scenario_error(err), selected.name()));
    }
    let now = state.core.clocks.now(&key);
    let delay = effect
        .completion_delay_ms
        .unwrap_or(state.core.config.completion_delay_ms);
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
            .filter(|o| !o.is_empty())
            .map(|o| Box::new(Value::Object(o))),
        created_at: now,
        updated_at: now,
        complete_at: now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX)),
        final_status: effect.status.unwrap_or(FinalStatus::Complete),
        scenario: selected.scenario.clone(),
        enrolled: (!resolved.enrolled.is_empty()).then(|| resolved.enrolled.into_boxed_slice()),
        validated_outcome: None,
        match_validations: None,
        redacted: None,
    };
    // The create answer is always `pending`, even with no completion delay.
    let body = state.complycube.with(&key, |t| {
        t.checks
            .insert(check.id, Some(check.client_id), check.clone());
        render(t, &check, now.min(check.complete_at.saturating_sub(1)))
    });
    super::events::check_created(&state, &key, &check, &body);
    Ok(tagged(axum::Json(body).into_response(), selected.name()))
}

/// ComplyCube refuses any change to a check that is still pending.
fn ensure_modifiable(c: &Check, now: Millis) -> Result<(), ApiError> {
    if c.is_complete(now) {
        Ok(())
    } else {
        Err(ApiError::processing(
            "pending_check_unmodifiable",
            "A pending check cannot be modified",
        ))
    }
}

/// Changes a stored check, stamps `updatedAt` and renders the result.
fn change(t: &mut Tenant, oid: ObjectId, now: Millis, f: impl FnOnce(&mut Check)) -> Value {
    if let Some(c) = t.checks.get_mut(&oid) {
        f(c);
        c.updated_at = now;
    }
    match t.checks.get(&oid) {
        Some(c) => render(t, c, now),
        None => Value::Null,
    }
}

fn find<'a>(t: &'a Tenant, id: &str) -> Result<&'a Check, ApiError> {
    let oid = validate::id("check", id)?;
    t.checks
        .get(&oid)
        .ok_or_else(|| ApiError::not_found("check", id))
}

async fn get_check(
    State(state): State<AppState>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let now = state.core.clocks.now(&key);
    state.complycube.with(&key, |t| {
        find(t, &id).map(|c| axum::Json(render(t, c, now)))
    })
}

/// Typed check filters: no rendering needed to decide.
fn check_filter(q: &ListQuery, t: &Tenant, c: &Check, now: Millis) -> bool {
    if q.impossible || !q.in_time(c.created_at, c.updated(now)) {
        return false;
    }
    q.filters.iter().all(|(k, v)| {
        let id_eq = |id: Option<ObjectId>| id.is_some_and(|i| i.to_string() == *v);
        match k.as_str() {
            "type" => c.kind.as_str() == v,
            "status" => c.status(now) == v,
            "documentId" => id_eq(c.document_id),
            "addressId" => id_eq(c.address_id),
            "livePhotoId" => id_eq(c.live_photo_id),
            "liveVideoId" => id_eq(c.live_video_id),
            "entityName" => &*c.entity_name == v,
            "enableMonitoring" => v == if c.enable_monitoring { "true" } else { "false" },
            "result.outcome" => c.status(now) == "complete" && outcome(t, c) == *v,
            // Unsupported filters match nothing, as ComplyCube documents.
            _ => false,
        }
    })
}

async fn list_checks(
    State(state): State<AppState>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<axum::Json<ListResponse<Value>>, ApiError> {
    let mut q = ListQuery::parse(&raw)?;
    let client = q.take("clientId");
    let now = state.core.clocks.now(&key);
    let (total, items) = state.complycube.with(&key, |t| {
        let owner = match &client {
            Some(raw) => match ObjectId::parse(raw) {
                Some(id) => Some(id),
                None => return (0, Vec::new()),
            },
            None => None,
        };
        let keep = |c: &Check| check_filter(&q, t, c, now);
        let keep_ref: &dyn Fn(&Check) -> bool = &keep;
        let p = t.checks.page(
            owner.as_ref(),
            q.has_conditions().then_some(keep_ref),
            q.page,
            q.page_size,
        );
        (
            p.total,
            p.items.into_iter().map(|c| render(t, c, now)).collect(),
        )
    });
    Ok(axum::Json(ListResponse::new(&q, total, items)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckUpdate {
    enable_monitoring: Option<bool>,
}

async fn update_check(
    State(state): State<AppState>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<CheckUpdate>,
) -> Result<axum::Json<Value>, ApiError> {
    let now = state.core.clocks.now(&key);
    let body = state.complycube.with(&key, |t| {
        let c = find(t, &id)?;
        if !c.kind.is_screening() {
            return Err(ApiError::processing(
                "invalid_check_update",
                "Only screening checks can be updated",
            ));
        }
        ensure_modifiable(c, now)?;
        let oid = c.id;
        Ok(change(t, oid, now, |c| {
            if let Some(m) = input.enable_monitoring {
                c.enable_monitoring = m;
            }
        }))
    })?;
    super::events::emit(
        &state,
        &key,
        "check.updated",
        super::events::check_payload(&body),
    );
    Ok(axum::Json(body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ValidateInput {
    outcome: Option<String>,
    match_id: Option<String>,
    rejection_reasons: Option<Vec<String>>,
    comment: Option<String>,
    #[allow(dead_code)]
    user_supplied_data: Option<Value>,
}

const REJECTION_REASONS: &[&str] = &[
    "document_appears_fake",
    "document_has_expired",
    "document_is_specimen",
    "document_is_blacklisted",
    "document_age_below_threshold",
    "document_misread",
];

async fn validate_check(
    State(state): State<AppState>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<ValidateInput>,
) -> Result<axum::Json<Value>, ApiError> {
    let wanted = validate::required("outcome", &input.outcome)?.to_owned();
    validate::one_of(
        "outcome",
        &Some(wanted.clone()),
        &["confirmed", "rejected", "attention"],
    )?;
    if input
        .comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > 4000)
    {
        return Err(ApiError::invalid(
            "comment",
            "'comment' must be at most 4000 characters",
        ));
    }
    for r in input.rejection_reasons.iter().flatten() {
        if !REJECTION_REASONS.contains(&r.as_str()) {
            return Err(ApiError::not_allowed("rejectionReasons", REJECTION_REASONS));
        }
    }
    let now = state.core.clocks.now(&key);
    let (result, body) = state.complycube.with(&key, |t| {
        let c = find(t, &id)?;
        ensure_modifiable(c, now)?;
        let oid = c.id;
        let resulting = if c.kind.is_screening() {
            let match_id = validate::required("matchId", &input.match_id)?.to_owned();
            let matches = results::screening_match_ids(c, &context(t, c));
            if !matches.contains(&match_id) {
                return Err(ApiError::invalid(
                    "matchId",
                    format!("Invalid match id '{match_id}'"),
                ));
            }
            let mut validations = c.match_validations.as_deref().cloned().unwrap_or_default();
            match wanted.as_str() {
                "confirmed" => {
                    validations.insert(match_id, true);
                }
                "rejected" => {
                    validations.insert(match_id, false);
                }
                _ => {
                    validations.remove(&match_id);
                }
            }
            let outcome = if validations.values().any(|v| *v) {
                "match_confirmed"
            } else if matches.iter().all(|m| validations.get(m) == Some(&false)) {
                "clear"
            } else {
                "attention"
            };
            if let Some(c) = t.checks.get_mut(&oid) {
                c.match_validations = Some(Box::new(validations));
            }
            outcome.to_owned()
        } else {
            match wanted.as_str() {
                "confirmed" => "clear",
                "rejected" => "rejected",
                _ => "attention",
            }
            .to_owned()
        };
        let outcome = resulting.clone().into_boxed_str();
        let body = change(t, oid, now, |c| c.validated_outcome = Some(outcome));
        Ok((resulting, body))
    })?;
    super::events::emit(
        &state,
        &key,
        "check.updated",
        super::events::check_payload(&body),
    );
    Ok(axum::Json(json!({ "outcome": result })))
}

const REDACTABLE: &[&str] = &[
    "address",
    "birthPlace",
    "dob",
    "documentDiscriminator",
    "documentNumber",
    "expirationDate",
    "firstName",
    "gender",
    "healthInsuranceNumber",
    "issuingAuthority",
    "issuingCountry",
    "issuingDate",
    "issuingPlace",
    "lastName",
    "mrz",
    "nationality",
    "personalNumber",
    "taxIdentificationNumber",
];

const REDACTABLE_IMAGES: &[&str] = &[
    "all",
    "front",
    "back",
    "extracted_face",
    "extracted_signature",
];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RedactInput {
    attributes: Option<Vec<String>>,
    images: Option<Vec<String>>,
}

async fn redact_check(
    State(state): State<AppState>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<RedactInput>,
) -> Result<axum::Json<Value>, ApiError> {
    let attributes = input.attributes.unwrap_or_default();
    let images = input.images.unwrap_or_default();
    if attributes.is_empty() && images.is_empty() {
        return Err(ApiError::invalid(
            "attributes",
            "'attributes' or 'images' must be provided",
        ));
    }
    for a in &attributes {
        if !REDACTABLE.contains(&a.as_str()) {
            return Err(ApiError::not_allowed("attributes", REDACTABLE));
        }
    }
    for i in &images {
        if !REDACTABLE_IMAGES.contains(&i.as_str()) {
            return Err(ApiError::not_allowed("images", REDACTABLE_IMAGES));
        }
    }
    let now = state.core.clocks.now(&key);
    state.complycube.with(&key, |t| {
        let c = find(t, &id)?;
        if c.kind != CheckType::Document {
            return Err(ApiError::invalid(
                "id",
                "Only document checks can be redacted",
            ));
        }
        ensure_modifiable(c, now)?;
        let oid = c.id;
        Ok(axum::Json(change(t, oid, now, |c| {
            let r = c.redacted.get_or_insert_with(Default::default);
            r.attributes.extend(attributes);
            r.images.extend(images);
        })))
    })
}
