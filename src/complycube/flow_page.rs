//! The hosted Flow page a session's `redirectUrl` points at
//! (`/__admin/flow/{id}`), for a tester in a browser.
//!
//! A browser (`Accept` preferring `text/html`) gets the page; API clients
//! keep getting the session's JSON. The page walks through the steps the
//! session's checks need (consent; the identity document, its type and
//! sides; a selfie; a live video), with the sandbox's sample images or files
//! the tester uploads, and lets the tester complete with an outcome (or let
//! scenarios decide) or cancel. Both go through [`super::flow_complete`],
//! the same path as CI's admin routes, and end with a `303` to the session's
//! `successUrl` or `cancelUrl`.
//!
//! The random id is the page's only credential (no key, no admin token).
//! Its forms refuse cross-site posts: a browser's `Sec-Fetch-Site` or
//! `Origin` must say the post comes from this host, and the form must carry
//! the session's page token, a random secret another site cannot read.

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::api::Api;
use super::capture::{self, Image};
use super::check_type::{CheckType, Needs};
use super::document_images;
use super::error::ApiError;
use super::flow_complete::{Finish, OUTCOMES, cancel, complete, locate};
use super::flow_html::{self, Closed, Form, Problem, Shown};
use super::flow_session::{FlowSession, page_token, view};
use super::live_photos;
use super::model::ClientType;
use super::validate::{self, IMAGE_MAX_BYTES, IMAGE_MIN_BYTES};
use super::workflow_session::DEFAULT_TASKS;
use crate::admin::access::{cross_site, same};
use crate::console::wants_html;
use crate::ids::{Millis, iso_millis};
use crate::multipart::{self, Part};

pub(crate) fn admin_routes() -> Router<Api> {
    Router::new()
        .route("/flow/{id}", get(show))
        .route("/flow/{id}/complete", post(submit_complete))
        .route("/flow/{id}/cancel", post(submit_cancel))
        .route("/flow/{id}/samples/{role}", get(sample))
}

/// The roles of the sandbox's sample images.
const ROLES: &[&str] = &["front", "back", "live-photo"];

/// The checks a session runs for a client (a workflow session's tasks
/// when it names a template).
fn kinds(session: &FlowSession, person: bool) -> Vec<CheckType> {
    if session.workflow_template_id.is_some() {
        DEFAULT_TASKS
            .into_iter()
            .filter(|k| person || !k.person_only())
            .collect()
    } else {
        session.kinds()
    }
}

fn needs(kinds: &[CheckType], n: Needs) -> bool {
    kinds.iter().any(|k| k.needs().contains(&n))
}

/// Whether the page asks for the client's address: a check reads it (a
/// proof of address compares the document with it).
fn asks_address(kinds: &[CheckType]) -> bool {
    needs(kinds, Needs::Address) || kinds.contains(&CheckType::ProofOfAddress)
}

/// The document types the session lets the client choose: those its
/// `documentTypes` option turns on, or all.
fn document_types(session: &FlowSession) -> Vec<&'static str> {
    let chosen: Vec<&'static str> = capture::DOCUMENT_TYPES
        .iter()
        .copied()
        .filter(|t| {
            session
                .options
                .get("documentTypes")
                .and_then(|d| d.get(*t))
                .and_then(serde_json::Value::as_bool)
                == Some(true)
        })
        .collect();
    if chosen.is_empty() {
        capture::DOCUMENT_TYPES.to_vec()
    } else {
        chosen
    }
}

fn option<'a>(session: &'a FlowSession, name: &str) -> Option<&'a str> {
    session
        .options
        .get(name)
        .and_then(serde_json::Value::as_str)
}

/// What every page of a session shows: theme and language.
fn shown(session: &FlowSession) -> Shown {
    Shown {
        theme: option(session, "theme").unwrap_or("light").to_owned(),
        language: option(session, "language").unwrap_or("en").to_owned(),
    }
}

/// A form may only be posted to the origins of these URLs (and here).
fn form_targets(session: &FlowSession) -> Vec<String> {
    let mut origins: Vec<String> = [&session.success_url, &session.cancel_url]
        .into_iter()
        .filter_map(|u| url_origin(u))
        .collect();
    origins.dedup();
    origins
}

/// `scheme://host[:port]` of an http(s) URL, when it is plain enough to
/// name in a Content-Security-Policy.
fn url_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let plain = !authority.is_empty()
        && !authority.contains('@')
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    plain.then(|| format!("{scheme}://{authority}"))
}

/// An HTML page; forms may post here and to the session's return URLs.
fn html(status: StatusCode, body: String, targets: &[String]) -> Response {
    let mut res = crate::console::html::page(status, body);
    if targets.is_empty() {
        return res;
    }
    let csp = crate::console::html::CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {}", targets.join(" ")),
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(CONTENT_SECURITY_POLICY, v);
    }
    res
}

fn problem(status: StatusCode, p: Problem<'_>, shown: Option<&Shown>) -> Response {
    html(status, flow_html::problem(&p, shown), &[])
}

fn not_found_page(id: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        Problem {
            title: "No verification here",
            text: "This link does not lead to a hosted Flow session of this sandbox. Check the link \
                   your app was given, or ask it for a new one.",
            detail: None,
            back: false,
            id,
        },
        None,
    )
}

fn closed_page(status: StatusCode, session: &FlowSession, now: Millis) -> Response {
    let state = session.status(now);
    let page = flow_html::closed(&Closed {
        state,
        finished_at: session.finished_at.map(iso_millis),
        expires_at: iso_millis(session.expires_at),
        success_url: &session.success_url,
        cancel_url: &session.cancel_url,
        shown: &shown(session),
    });
    html(status, page, &[])
}

/// `GET /__admin/flow/{id}`: the page for a browser, the session's JSON
/// for anything else.
async fn show(State(api): State<Api>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !wants_html(&headers) {
        return match locate(&api, None, &id) {
            Ok((key, session)) => {
                axum::Json(view(&session, api.core.clocks.now(&key))).into_response()
            }
            Err(e) => e.into_response(),
        };
    }
    let Ok((key, mut session)) = locate(&api, None, &id) else {
        return not_found_page(&id);
    };
    let now = api.core.clocks.now(&key);
    if session.status(now) != "open" {
        return closed_page(StatusCode::OK, &session, now);
    }
    if session.page_token.is_empty() {
        // A session stored before pages carried a token gets one now.
        let fresh = page_token();
        let set = api
            .store
            .write(&key, |t, _| {
                let s = t
                    .flow_sessions
                    .get_mut(&session.id)
                    .ok_or_else(|| ApiError::not_found("flow session", &id))?;
                if s.page_token.is_empty() {
                    s.page_token = fresh;
                }
                Ok::<_, ApiError>(s.page_token.clone())
            })
            .await;
        match set {
            Ok(token) => session.page_token = token,
            Err(e) => return error_page(&e, &session),
        }
    }
    let (client_name, person, nationality) = api.store.read(&key, |t| {
        t.clients.get(&session.client_id).map_or_else(
            || (String::new(), true, None),
            |c| {
                (
                    c.entity_name.clone(),
                    c.kind == ClientType::Person,
                    c.person_details
                        .as_ref()
                        .and_then(|p| p.nationality.clone()),
                )
            },
        )
    });
    let address = api.store.read(&key, |t| {
        t.addresses
            .of_owner(&session.client_id)
            .last()
            .map(|a| capture::NewAddress {
                line: a.line.clone(),
                city: a.city.clone(),
                postal_code: a.postal_code.clone(),
                country: a.country.clone(),
            })
    });
    let kinds = kinds(&session, person);
    let relax = api.core.config.relax_image_size;
    let form = Form {
        id: &id,
        token: &session.page_token,
        client_name: &client_name,
        checks: kinds.iter().map(|k| k.as_str()).collect(),
        workflow: session.workflow_template_id.is_some(),
        document: needs(&kinds, Needs::Document),
        live_photo: needs(&kinds, Needs::LivePhoto),
        live_video: needs(&kinds, Needs::LiveVideo),
        address: asks_address(&kinds).then(|| address.unwrap_or_else(capture::NewAddress::sample)),
        document_types: document_types(&session),
        issuing_country: nationality.unwrap_or_else(|| "GB".into()),
        allow_upload: session.options.get("allowDocumentUpload") != Some(&false.into()),
        support_email: option(&session, "supportEmail"),
        expires_at: iso_millis(session.expires_at),
        image_bytes: if relax {
            None
        } else {
            Some((IMAGE_MIN_BYTES, IMAGE_MAX_BYTES))
        },
        shown: &shown(&session),
    };
    html(
        StatusCode::OK,
        flow_html::form(&form),
        &form_targets(&session),
    )
}

/// `GET /__admin/flow/{id}/samples/{role}`: the sample image the page
/// offers, the same bytes completion stores when no file is chosen.
async fn sample(State(api): State<Api>, Path((id, role)): Path<(String, String)>) -> Response {
    let Ok((_, session)) = locate(&api, None, &id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !ROLES.contains(&role.as_str()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let blob = capture::sample(&session.id, &role);
    let mut res = blob.bytes.into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    crate::console::html::secure(h);
    res
}

fn error_page(e: &ApiError, session: &FlowSession) -> Response {
    let detail = match &e.param {
        Some(p) => format!("{} (field '{p}')", e.message),
        None => e.message.clone(),
    };
    problem(
        e.status,
        Problem {
            title: "This could not be done",
            text: "Nothing was changed: the session is still open. Go back to the page and try again.",
            detail: Some(&detail),
            back: true,
            id: &session.id.to_string(),
        },
        Some(&shown(session)),
    )
}

/// Refuses a post another site made through the tester's browser.
fn refuse_cross_site(headers: &HeaderMap, session: &FlowSession) -> Option<Response> {
    cross_site(headers).then(|| {
        problem(
            StatusCode::FORBIDDEN,
            Problem {
                title: "Refused",
                text: "This form was posted from another site. Open the verification link itself \
                       and use its buttons.",
                detail: None,
                back: true,
                id: &session.id.to_string(),
            },
            Some(&shown(session)),
        )
    })
}

fn field<'a>(parts: &'a [Part], name: &str) -> Option<&'a Part> {
    parts.iter().find(|p| p.name == name)
}

fn text<'a>(parts: &'a [Part], name: &str) -> Option<&'a str> {
    field(parts, name)
        .and_then(|p| std::str::from_utf8(&p.data).ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A chosen file (a file part with bytes), if any.
fn file<'a>(parts: &'a [Part], name: &str) -> Option<&'a Part> {
    field(parts, name).filter(|p| p.file_name.is_some() && !p.data.is_empty())
}

fn blob(part: &Part) -> super::model::Blob {
    use sha2::Digest as _;
    super::model::Blob {
        sha256: sha2::Sha256::digest(&part.data).into(),
        bytes: part.data.clone(),
    }
}

/// An uploaded document image, under the rules the upload route applies.
fn document_image(parts: &[Part], name: &str, relax: bool) -> Result<Option<Image>, ApiError> {
    let Some(part) = file(parts, name) else {
        return Ok(None);
    };
    let file_name = part.file_name.clone().unwrap_or_default();
    let content_type = document_images::content_type(&file_name).ok_or_else(|| {
        ApiError::invalid(
            name,
            format!("'{name}' must have one of the extensions: .jpg, .jpeg, .png, .pdf"),
        )
    })?;
    validate::image_size(name, part.data.len(), relax)?;
    Ok(Some(Image {
        file_name,
        content_type: content_type.to_owned(),
        blob: blob(part),
    }))
}

/// The sample image for `role`, as the page showed it.
fn sample_image(session: &FlowSession, role: &str) -> Image {
    Image {
        file_name: format!("{role}.png"),
        content_type: "image/png".into(),
        blob: capture::sample(&session.id, role),
    }
}

/// The address the tester typed, under the rules the API's address route
/// applies (line, city and a two-letter country required).
fn typed_address(parts: &[Part]) -> Result<capture::NewAddress, ApiError> {
    let required = |name: &str| {
        text(parts, name)
            .map(str::to_owned)
            .ok_or_else(|| ApiError::missing(name))
    };
    let line = required("addressLine")?;
    let city = required("addressCity")?;
    let country = required("addressCountry")?.to_ascii_uppercase();
    validate::alpha2("addressCountry", &Some(country.clone()))?;
    for (name, value) in [("addressLine", &line), ("addressCity", &city)] {
        if value.chars().count() > 255 {
            return Err(ApiError::invalid(
                name,
                format!("'{name}' must be at most 255 characters"),
            ));
        }
    }
    Ok(capture::NewAddress {
        line,
        city,
        postal_code: text(parts, "addressPostalCode").map(str::to_owned),
        country,
    })
}

/// How the tester went through the page, checked as the API checks the
/// same values; nothing is stored yet.
fn finish(
    api: &Api,
    session: &FlowSession,
    person: bool,
    parts: &[Part],
) -> Result<Finish, ApiError> {
    if text(parts, "consent") != Some("yes") {
        return Err(ApiError::invalid(
            "consent",
            "'consent' must be given to complete the verification",
        ));
    }
    let outcome = match text(parts, "outcome") {
        None | Some("scenarios") => None,
        Some(o) if OUTCOMES.contains(&o) => Some(o.to_owned()),
        Some(_) => {
            let mut allowed = vec!["scenarios"];
            allowed.extend_from_slice(OUTCOMES);
            return Err(ApiError::not_allowed("outcome", &allowed));
        }
    };
    let kinds = kinds(session, person);
    let relax = api.core.config.relax_image_size;
    let mut capture = capture::Options::default();
    if needs(&kinds, Needs::Document) {
        let offered = document_types(session);
        let kind = text(parts, "documentType").unwrap_or(offered[0]).to_owned();
        if !offered.contains(&kind.as_str()) {
            return Err(ApiError::not_allowed("documentType", &offered));
        }
        let country = text(parts, "issuingCountry").map(str::to_ascii_uppercase);
        validate::alpha2("issuingCountry", &country)?;
        let uploads_allowed = session.options.get("allowDocumentUpload") != Some(&false.into());
        let front = document_image(parts, "front", relax)?;
        let back = document_image(parts, "back", relax)?;
        if !uploads_allowed && (front.is_some() || back.is_some()) {
            return Err(ApiError::invalid(
                "front",
                "This session does not allow uploading document files (allowDocumentUpload: false)",
            ));
        }
        capture.front = Some(front.unwrap_or_else(|| sample_image(session, "front")));
        if capture::two_sided(&kind) {
            capture.back = Some(back.unwrap_or_else(|| sample_image(session, "back")));
        }
        capture.document_type = Some(kind);
        capture.issuing_country = country;
    }
    if asks_address(&kinds) {
        capture.address = Some(typed_address(parts)?);
    }
    if needs(&kinds, Needs::LivePhoto) {
        capture.live_photo = Some(match file(parts, "livePhoto") {
            Some(part) => {
                validate::image_size("livePhoto", part.data.len(), relax)?;
                Image {
                    file_name: part.file_name.clone().unwrap_or_default(),
                    content_type: live_photos::content_type(&part.data).to_owned(),
                    blob: blob(part),
                }
            }
            None => sample_image(session, "live-photo"),
        });
    }
    Ok(Finish {
        outcome,
        check_types: None,
        capture,
    })
}

/// The posted form, if the post may act on the session: same-origin, a
/// readable form, the session's page token, the session still open.
async fn admit(
    api: &Api,
    id: &str,
    req: Request,
) -> Result<(String, FlowSession, HeaderMap, Vec<Part>), Response> {
    let Ok((key, session)) = locate(api, None, id) else {
        return Err(not_found_page(id));
    };
    let headers = req.headers().clone();
    if let Some(refused) = refuse_cross_site(&headers, &session) {
        return Err(refused);
    }
    let unreadable = |detail: String| {
        error_page(
            &ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", detail),
            &session,
        )
    };
    let boundary = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
        .ok_or_else(|| unreadable("The page's forms are posted as multipart/form-data".into()))?;
    let body = crate::body::read_any(req)
        .await
        .map_err(|e| unreadable(e.describe()))?;
    let parts = multipart::parse(&body, &boundary)
        .map_err(|e| unreadable(format!("The form could not be read: {e}")))?;
    let token = text(&parts, "token").unwrap_or("");
    if session.page_token.is_empty() || !same(token.as_bytes(), session.page_token.as_bytes()) {
        return Err(problem(
            StatusCode::FORBIDDEN,
            Problem {
                title: "Refused",
                text: "This form did not come from this verification page (its token is missing \
                       or wrong). Open the verification link again and use its buttons.",
                detail: None,
                back: true,
                id,
            },
            Some(&shown(&session)),
        ));
    }
    let now = api.core.clocks.now(&key);
    if session.status(now) != "open" {
        return Err(closed_page(StatusCode::CONFLICT, &session, now));
    }
    Ok((key, session, headers, parts))
}

/// `POST /__admin/flow/{id}/complete`: completes the session as the form
/// says, then sends the browser to `successUrl`.
async fn submit_complete(State(api): State<Api>, Path(id): Path<String>, req: Request) -> Response {
    let (key, session, headers, parts) = match admit(&api, &id, req).await {
        Ok(admitted) => admitted,
        Err(refused) => return refused,
    };
    let person = api.store.read(&key, |t| {
        t.clients
            .get(&session.client_id)
            .is_none_or(|c| c.kind == ClientType::Person)
    });
    let finish = match finish(&api, &session, person, &parts) {
        Ok(f) => f,
        Err(e) => return error_page(&e, &session),
    };
    match complete(&api, &key, &session, finish, &headers).await {
        Ok(Ok(answer)) => {
            let to = answer["redirectUrl"]
                .as_str()
                .unwrap_or(&session.success_url);
            crate::console::html::redirect(to)
        }
        Ok(Err(answered)) => scenario_answered(answered, &session).await,
        Err(e) => error_page(&e, &session),
    }
}

/// A scenario answered one of the completion's requests with an error:
/// shown as the page, with the vendor's body as text.
async fn scenario_answered(answered: Response, session: &FlowSession) -> Response {
    let status = answered.status();
    let body = axum::body::to_bytes(answered.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = format!(
        "HTTP {}: {}",
        status.as_u16(),
        String::from_utf8_lossy(&body)
    );
    let status = if status.is_client_error() || status.is_server_error() {
        status
    } else {
        StatusCode::BAD_GATEWAY
    };
    problem(
        status,
        Problem {
            title: "A scenario answered with an error",
            text: "An armed scenario or a fixture rule answered part of the completion with an \
                   error, as it would have answered your app. What was captured before it stays.",
            detail: Some(&detail),
            back: true,
            id: &session.id.to_string(),
        },
        Some(&shown(session)),
    )
}

/// `POST /__admin/flow/{id}/cancel`: cancels the session, then sends the
/// browser to `cancelUrl`.
async fn submit_cancel(State(api): State<Api>, Path(id): Path<String>, req: Request) -> Response {
    let (key, session, _, _) = match admit(&api, &id, req).await {
        Ok(admitted) => admitted,
        Err(refused) => return refused,
    };
    match cancel(&api, &key, &session).await {
        Ok(answer) => {
            let to = answer["redirectUrl"]
                .as_str()
                .unwrap_or(&session.cancel_url);
            crate::console::html::redirect(to)
        }
        Err(e) => error_page(&e, &session),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_origins_are_named_in_the_policy() {
        let cases = [
            ("https://app.example/ok?x=1", Some("https://app.example")),
            ("http://127.0.0.1:9000/done", Some("http://127.0.0.1:9000")),
            ("HTTP://[::1]:80#a", Some("http://[::1]:80")),
            ("https://a.example;script-src *", None),
            ("https://user@app.example/", None),
            ("javascript:alert(1)", None),
            ("https:///nohost", None),
        ];
        for (url, want) in cases {
            assert_eq!(url_origin(url).as_deref(), want, "{url}");
        }
    }
}
