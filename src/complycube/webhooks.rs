//! `/v1/webhooks`: create, get, update, delete, list.
//!
//! A webhook subscribes a URL to event types (or `*`). The secret that signs
//! deliveries is generated here and shown only in the create answer.
//! Deliveries themselves are the vendor-neutral [`crate::delivery`] outbox's
//! job; this module is its [`Directory`] of endpoints.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::api::Api;
use super::api::Key;
use super::audit::{self, Action, Change};
use super::error::{ApiError, Json};
use super::list::{ListQuery, ListResponse};
use super::validate;
use super::webhook::{EVENTS, MAX_WEBHOOKS, Webhook};
use crate::ids::ObjectId;

/// The create answer: the only place the secret is shown.
#[derive(Serialize)]
struct Created<'a> {
    #[serde(flatten)]
    webhook: &'a Webhook,
    secret: &'a str,
}

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/webhooks", post(create_webhook).get(list_webhooks))
        .route(
            "/webhooks/{id}",
            get(get_webhook)
                .post(update_webhook)
                .put(update_webhook)
                .patch(update_webhook)
                .delete(delete_webhook),
        )
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookInput {
    url: Option<String>,
    events: Option<Vec<String>>,
    enabled: Option<bool>,
    description: Option<String>,
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// HTTPS only; plain http for loopback hosts, or any host when allowed.
fn check_url(raw: &str, allow_http: bool) -> Result<String, ApiError> {
    let bad = || ApiError::invalid("url", "'url' must be a valid HTTPS URL");
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| bad())?;
    let host = url.host_str().ok_or_else(bad)?;
    match url.scheme() {
        "https" => Ok(url.to_string()),
        "http" if allow_http || is_loopback(host) => Ok(url.to_string()),
        _ => Err(bad()),
    }
}

fn check_events(events: &Option<Vec<String>>) -> Result<Vec<String>, ApiError> {
    let events = match events {
        Some(e) if !e.is_empty() => e,
        _ => return Err(ApiError::missing("events")),
    };
    let mut out: Vec<String> = Vec::with_capacity(events.len());
    for e in events {
        if !EVENTS.contains(&e.as_str()) {
            return Err(ApiError::not_allowed("events", EVENTS));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(out)
}

fn check_description(d: &Option<String>) -> Result<(), ApiError> {
    if d.as_ref().is_some_and(|d| d.chars().count() > 1000) {
        return Err(ApiError::invalid(
            "description",
            "'description' must be at most 1000 characters",
        ));
    }
    Ok(())
}

fn new_secret() -> String {
    let bytes: [u8; 24] = rand::thread_rng().r#gen();
    format!("whsec_{}", hex::encode(bytes))
}

async fn create_webhook(
    State(api): State<Api>,
    Key(key): Key,
    Json(input): Json<WebhookInput>,
) -> Result<Response, ApiError> {
    let raw_url = validate::required("url", &input.url)?;
    let url = check_url(raw_url, api.core.config.allow_http_webhooks)?;
    let events = check_events(&input.events)?;
    check_description(&input.description)?;
    let now = api.core.clocks.now(&key);
    let webhook = Webhook {
        id: ObjectId::new(now),
        description: input.description.filter(|d| !d.is_empty()),
        url,
        enabled: input.enabled.unwrap_or(true),
        events,
        secret: new_secret(),
        created_at: now,
        updated_at: now,
    };
    api.store
        .write(&key, |t, _| {
            if t.webhooks.len() >= MAX_WEBHOOKS {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    format!("The maximum number of webhooks ({MAX_WEBHOOKS}) has been reached"),
                ));
            }
            t.webhooks.insert(webhook.id, None, webhook.clone());
            let change = Change::new("webhook", webhook.id, None, "createWebhook", Action::Create);
            t.audit(now, change, None, audit::snapshot(&webhook));
            Ok(())
        })
        .await?;
    Ok(axum::Json(Created {
        webhook: &webhook,
        secret: &webhook.secret,
    })
    .into_response())
}

async fn get_webhook(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<axum::Json<Webhook>, ApiError> {
    let oid = validate::id("webhook", &id)?;
    api.store
        .read(&key, |t| t.webhooks.get(&oid).cloned())
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("webhook", &id))
}

async fn update_webhook(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
    Json(input): Json<WebhookInput>,
) -> Result<axum::Json<Webhook>, ApiError> {
    let oid = validate::id("webhook", &id)?;
    let url = match input.url.as_deref() {
        Some(u) => Some(check_url(u, api.core.config.allow_http_webhooks)?),
        None => None,
    };
    let events = match &input.events {
        Some(_) => Some(check_events(&input.events)?),
        None => None,
    };
    check_description(&input.description)?;
    let now = api.core.clocks.now(&key);
    api.store
        .write(&key, |t, _| {
            let w = t
                .webhooks
                .get_mut(&oid)
                .ok_or_else(|| ApiError::not_found("webhook", &id))?;
            let before = audit::snapshot(&*w);
            if let Some(u) = url {
                w.url = u;
            }
            if let Some(e) = events {
                w.events = e;
            }
            if let Some(en) = input.enabled {
                w.enabled = en;
            }
            if let Some(d) = input.description {
                w.description = Some(d).filter(|d| !d.is_empty());
            }
            w.updated_at = now;
            let w = w.clone();
            let change = Change::new("webhook", oid, None, "updateWebhook", Action::Update);
            t.audit(now, change, before, audit::snapshot(&w));
            Ok(axum::Json(w))
        })
        .await
}

async fn delete_webhook(
    State(api): State<Api>,
    Key(key): Key,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let oid = validate::id("webhook", &id)?;
    let now = api.core.clocks.now(&key);
    api.store
        .write(&key, |t, _| {
            let w = t
                .webhooks
                .remove(&oid)
                .ok_or_else(|| ApiError::not_found("webhook", &id))?;
            let change = Change::new("webhook", oid, None, "deleteWebhook", Action::Delete);
            t.audit(now, change, audit::snapshot(&w), None);
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_webhooks(
    State(api): State<Api>,
    Key(key): Key,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<axum::Json<ListResponse<Webhook>>, ApiError> {
    let q = ListQuery::parse(&raw)?;
    let (total, items) = api.store.read(&key, |t| {
        let keep = |w: &Webhook| {
            !q.impossible
                && q.in_time(w.created_at, w.updated_at)
                && q.filters.iter().all(|(k, v)| match k.as_str() {
                    "enabled" => v == if w.enabled { "true" } else { "false" },
                    "url" => w.url == *v || w.url.trim_end_matches('/') == v.trim_end_matches('/'),
                    "events" => w.events.iter().any(|e| e == v),
                    "description" => w.description.as_deref() == Some(v.as_str()),
                    _ => false,
                })
        };
        let keep_ref: &dyn Fn(&Webhook) -> bool = &keep;
        let p = t.webhooks.page(
            None,
            q.has_conditions().then_some(keep_ref),
            q.page,
            q.page_size,
        );
        (p.total, p.items.into_iter().cloned().collect())
    });
    Ok(axum::Json(ListResponse::new(&q, total, items)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_except_loopback() {
        for (url, allow, ok) in [
            ("https://example.com/hook", false, true),
            ("http://example.com/hook", false, false),
            ("http://example.com/hook", true, true),
            ("http://127.0.0.1:9000/hook", false, true),
            ("http://localhost/hook", false, true),
            ("http://[::1]:8080/hook", false, true),
            ("ftp://example.com", true, false),
            ("not a url", true, false),
        ] {
            assert_eq!(check_url(url, allow).is_ok(), ok, "{url}");
        }
    }
}
