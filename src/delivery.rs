//! Vendor-neutral webhook outbox, dispatcher and tenant-clock timers.
//!
//! A vendor turns a resource change into an [`Event`] (serialised once, shared
//! by every delivery through an `Arc`) and hands it to [`Outbox::enqueue`]
//! with the endpoints that subscribe to it. A fixed pool of workers (the
//! concurrency bound) POSTs each delivery with an HMAC-SHA256 signature; a
//! failure is retried on the tenant's virtual clock, so advancing the clock
//! fires due retries at once. The outbox keeps at most
//! `--webhook-outbox-max` deliveries per tenant and counts what it drops.
//!
//! [`Timers`] is the scheduler both retries and resource lifecycles (checks
//! leaving `pending`) use: jobs due at a tenant's virtual time, woken by the
//! earliest due time or by any clock jump.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRef, Path, Query, State};
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::admin::{Admin, AdminError};
use crate::app::Core;
use crate::clock::Clocks;
use crate::ids::{Millis, ObjectId, iso_millis};
use crate::store::TenantData;

/// Attempts per delivery before it fails and its webhook is disabled.
pub const MAX_ATTEMPTS: u32 = 10;

/// Attempt log entries kept per delivery (redeliveries add more).
const ATTEMPT_LOG: usize = 32;

/// Longest wait between two attempts: one day of tenant time.
const MAX_RETRY_MS: Millis = 86_400_000;

/// Wait after the `failures`-th failed attempt (1-based), in tenant ms:
/// 60 s, 120 s, 480 s, 1,920 s, 7,680 s, 30,720 s, then one day.
pub fn retry_delay_ms(failures: u32) -> Millis {
    match failures {
        0 | 1 => 60_000,
        n => {
            let exp = (n - 2).min(10);
            (120_000 * 4_i64.pow(exp)).min(MAX_RETRY_MS)
        }
    }
}

/// Lowercase hex HMAC-SHA256 of `body` keyed with `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

// ---------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------

struct Due<J> {
    at: Millis,
    seq: u64,
    job: J,
}

impl<J> PartialEq for Due<J> {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl<J> Eq for Due<J> {}
impl<J> PartialOrd for Due<J> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<J> Ord for Due<J> {
    /// Reversed: `BinaryHeap` pops the earliest first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

struct TimerState<J> {
    tenants: HashMap<String, BinaryHeap<Due<J>>>,
    seq: u64,
}

/// Jobs due at a tenant's virtual time.
pub struct Timers<J> {
    state: Mutex<TimerState<J>>,
    wake: Notify,
}

impl<J> Default for Timers<J> {
    fn default() -> Self {
        Timers {
            state: Mutex::new(TimerState {
                tenants: HashMap::new(),
                seq: 0,
            }),
            wake: Notify::new(),
        }
    }
}

impl<J: Send> Timers<J> {
    fn lock(&self) -> std::sync::MutexGuard<'_, TimerState<J>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `job` once the tenant's clock reaches `at`.
    pub fn schedule(&self, tenant: &str, at: Millis, job: J) {
        {
            let mut s = self.lock();
            s.seq += 1;
            let seq = s.seq;
            match s.tenants.get_mut(tenant) {
                Some(h) => h.push(Due { at, seq, job }),
                None => {
                    let mut h = BinaryHeap::new();
                    h.push(Due { at, seq, job });
                    s.tenants.insert(tenant.to_owned(), h);
                }
            }
        }
        self.wake.notify_one();
    }

    /// Jobs waiting (all tenants).
    pub fn len(&self) -> usize {
        self.lock().tenants.values().map(BinaryHeap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets a tenant's pending jobs (tenant reset).
    pub fn clear_tenant(&self, tenant: &str) {
        self.lock().tenants.remove(tenant);
    }

    /// Pops what is due now; returns it with the real wait until the next job.
    fn take_due(&self, clocks: &Clocks) -> (Vec<(String, J)>, Option<Duration>) {
        let mut s = self.lock();
        let mut due = Vec::new();
        let mut next: Option<Duration> = None;
        for (tenant, heap) in s.tenants.iter_mut() {
            let now = clocks.now(tenant);
            while heap.peek().is_some_and(|d| d.at <= now) {
                if let Some(d) = heap.pop() {
                    due.push((tenant.clone(), d.job));
                }
            }
            if let Some(d) = heap.peek() {
                let wait = clocks.real_delay(d.at - now) + Duration::from_millis(1);
                next = Some(next.map_or(wait, |n| n.min(wait)));
            }
        }
        s.tenants.retain(|_, h| !h.is_empty());
        (due, next)
    }

    /// Forever: hands every due job to `handler`, sleeping until the earliest
    /// due time, a new job or a clock jump. No lock is held while waiting.
    pub async fn run(&self, clocks: &Clocks, mut handler: impl FnMut(&str, J)) {
        loop {
            // Created before looking, so a jump in between is not missed.
            let changed = clocks.changed();
            let (due, next) = self.take_due(clocks);
            for (tenant, job) in due {
                handler(&tenant, job);
            }
            let sleep = next
                .unwrap_or(Duration::from_secs(3600))
                .min(Duration::from_secs(3600));
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = changed => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Outbox
// ---------------------------------------------------------------------------

/// Where a delivery goes, as the vendor's webhook store knows it now.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub secret: String,
    pub enabled: bool,
}

/// The vendor's webhook registry, as the dispatcher needs it.
pub trait Directory: Send + Sync {
    /// The endpoint now, or `None` when it was deleted.
    fn target(&self, tenant: &str, webhook_id: &str) -> Option<Target>;
    /// Called after [`MAX_ATTEMPTS`] failed attempts.
    fn disable(&self, tenant: &str, webhook_id: &str);
}

/// One event, serialised once and shared by all its deliveries.
#[derive(Debug)]
pub struct Event {
    pub id: String,
    pub kind: String,
    pub body: Bytes,
    /// The header carrying the body's signature (vendor-specific name).
    pub signature_header: &'static str,
}

/// One endpoint an event goes to. The signing secret is looked up in the
/// [`Directory`] at each attempt, so it is never copied per delivery.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub webhook_id: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Every attempt failed; the webhook was disabled.
    Failed,
    /// The webhook was disabled or deleted before delivery succeeded.
    Disabled,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: f64,
}

struct Delivery {
    id: ObjectId,
    event: Arc<Event>,
    webhook_id: String,
    url: String,
    created_at: Millis,
    attempts: VecDeque<Attempt>,
    attempt_count: u32,
    failures: u32,
    state: DeliveryState,
    next_attempt_at: Option<Millis>,
    /// Queued for a worker or being attempted.
    busy: bool,
    /// The next attempt was asked for by an admin: it ignores `enabled`.
    manual: bool,
    /// Invalidates retry timers scheduled before a redelivery.
    generation: u64,
}

impl Delivery {
    fn to_json(&self) -> Value {
        let event: Value = serde_json::from_slice(&self.event.body).unwrap_or(Value::Null);
        json!({
            "id": self.id,
            "eventId": self.event.id,
            "eventType": self.event.kind,
            "webhookId": self.webhook_id,
            "url": self.url,
            "state": self.state,
            "attemptCount": self.attempt_count,
            "attempts": self.attempts,
            "nextAttemptAt": self.next_attempt_at.map(iso_millis),
            "createdAt": iso_millis(self.created_at),
            "event": event,
        })
    }
}

#[derive(Default)]
struct TenantBox {
    rows: BTreeMap<u64, Delivery>,
    by_id: HashMap<ObjectId, u64>,
    dropped: u64,
}

#[derive(Default)]
struct Inner {
    tenants: HashMap<String, TenantBox>,
    seq: u64,
    ready: VecDeque<(String, ObjectId)>,
}

/// Limits the outbox works within.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub concurrency: usize,
    pub max_per_tenant: usize,
    pub timeout: Duration,
}

pub struct Outbox {
    inner: Mutex<Inner>,
    ready: Notify,
    retries: Timers<(ObjectId, u64)>,
    version: watch::Sender<u64>,
    directory: Arc<dyn Directory>,
    limits: Limits,
    http: reqwest::Client,
}

impl Outbox {
    pub fn new(limits: Limits, directory: Arc<dyn Directory>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(limits.timeout)
            .user_agent(concat!("kyc-sandbox-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Outbox {
            inner: Mutex::new(Inner::default()),
            ready: Notify::new(),
            retries: Timers::default(),
            version: watch::channel(0).0,
            directory,
            limits: Limits {
                concurrency: limits.concurrency.max(1),
                max_per_tenant: limits.max_per_tenant.max(1),
                ..limits
            },
            http,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self) {
        self.version.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Queues `event` for every target; returns how many were queued.
    pub fn enqueue(
        &self,
        tenant: &str,
        event: Arc<Event>,
        targets: Vec<NewDelivery>,
        now: Millis,
    ) -> usize {
        let mut queued = 0;
        {
            let mut inner = self.lock();
            let max = self.limits.max_per_tenant;
            for t in targets {
                inner.seq += 1;
                let seq = inner.seq;
                let id = ObjectId::new(now);
                let tb = inner.tenants.entry(tenant.to_owned()).or_default();
                if tb.rows.len() >= max {
                    let oldest_done = tb
                        .rows
                        .iter()
                        .find(|(_, d)| d.state != DeliveryState::Pending && !d.busy)
                        .map(|(s, d)| (*s, d.id));
                    match oldest_done {
                        Some((s, old)) => {
                            tb.rows.remove(&s);
                            tb.by_id.remove(&old);
                        }
                        None => {
                            tb.dropped += 1;
                            continue;
                        }
                    }
                }
                tb.rows.insert(
                    seq,
                    Delivery {
                        id,
                        event: event.clone(),
                        webhook_id: t.webhook_id,
                        url: t.url,
                        created_at: now,
                        attempts: VecDeque::new(),
                        attempt_count: 0,
                        failures: 0,
                        state: DeliveryState::Pending,
                        next_attempt_at: Some(now),
                        busy: true,
                        manual: false,
                        generation: 0,
                    },
                );
                tb.by_id.insert(id, seq);
                inner.ready.push_back((tenant.to_owned(), id));
                queued += 1;
            }
        }
        for _ in 0..queued.min(self.limits.concurrency) {
            self.ready.notify_one();
        }
        if queued > 0 {
            self.bump();
        }
        queued
    }

    /// Makes a delivery pending again and attempts it now (even to a
    /// disabled webhook). `None` when the tenant has no such delivery.
    pub fn redeliver(&self, tenant: &str, id: &ObjectId) -> Option<Value> {
        let out = {
            let mut inner = self.lock();
            let tb = inner.tenants.get_mut(tenant)?;
            let seq = *tb.by_id.get(id)?;
            let d = tb.rows.get_mut(&seq)?;
            d.state = DeliveryState::Pending;
            d.failures = 0;
            d.manual = true;
            d.generation += 1;
            let queue = !d.busy;
            d.busy = true;
            let out = d.to_json();
            if queue {
                inner.ready.push_back((tenant.to_owned(), *id));
            }
            out
        };
        self.ready.notify_one();
        self.bump();
        Some(out)
    }

    /// The tenant's deliveries (oldest first) matching `f`, and the drop count.
    pub fn list(&self, tenant: &str, f: &DeliveryFilter) -> (Vec<Value>, u64) {
        let inner = self.lock();
        let Some(tb) = inner.tenants.get(tenant) else {
            return (Vec::new(), 0);
        };
        let items = tb
            .rows
            .values()
            .filter(|d| f.matches(d))
            .map(Delivery::to_json)
            .collect();
        (items, tb.dropped)
    }

    /// Deliveries waiting for a worker or a retry (all tenants).
    pub fn pending(&self) -> usize {
        let inner = self.lock();
        inner
            .tenants
            .values()
            .flat_map(|t| t.rows.values())
            .filter(|d| d.state == DeliveryState::Pending)
            .count()
    }

    /// Starts the workers and the retry timer on `set`.
    pub fn spawn(self: &Arc<Self>, set: &mut JoinSet<()>, core: Arc<Core>) {
        for _ in 0..self.limits.concurrency {
            let me = self.clone();
            let core = core.clone();
            set.spawn(async move { me.worker(&core).await });
        }
        let me = self.clone();
        set.spawn(async move {
            me.retries
                .run(&core.clocks, |tenant, (id, generation)| {
                    me.retry_due(tenant, id, generation)
                })
                .await
        });
    }

    fn retry_due(&self, tenant: &str, id: ObjectId, generation: u64) {
        let queued = {
            let mut inner = self.lock();
            let Some(d) = inner
                .tenants
                .get_mut(tenant)
                .and_then(|tb| tb.by_id.get(&id).copied().and_then(|s| tb.rows.get_mut(&s)))
            else {
                return;
            };
            if d.generation != generation || d.busy || d.state != DeliveryState::Pending {
                return;
            }
            d.busy = true;
            inner.ready.push_back((tenant.to_owned(), id));
            true
        };
        if queued {
            self.ready.notify_one();
        }
    }

    async fn worker(&self, core: &Core) {
        loop {
            let next = self.lock().ready.pop_front();
            match next {
                Some((tenant, id)) => self.attempt(core, &tenant, id).await,
                None => self.ready.notified().await,
            }
        }
    }

    async fn attempt(&self, core: &Core, tenant: &str, id: ObjectId) {
        let clocks = &core.clocks;
        let prep = {
            let mut inner = self.lock();
            let Some(tb) = inner.tenants.get_mut(tenant) else {
                return;
            };
            let Some(d) = tb.by_id.get(&id).copied().and_then(|s| tb.rows.get_mut(&s)) else {
                return;
            };
            (
                d.event.clone(),
                d.webhook_id.clone(),
                d.manual,
                d.generation,
            )
        };
        let (event, webhook_id, manual, generation) = prep;
        let target = self.directory.target(tenant, &webhook_id);
        let target = match target {
            Some(t) if t.enabled || manual => t,
            _ => {
                self.finish(tenant, id, |d| {
                    d.state = DeliveryState::Disabled;
                    d.next_attempt_at = None;
                    false
                });
                return;
            }
        };
        let signature = sign(target.secret.as_bytes(), &event.body);
        let started = Instant::now();
        let sent = self
            .http
            .post(&target.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(event.signature_header, signature)
            .body(event.body.clone())
            .send()
            .await;
        let (status, error) = match sent {
            Ok(res) => {
                let s = res.status().as_u16();
                // Drain (bounded by the timeout) so the connection can be reused.
                let _ = res.bytes().await;
                (Some(s), None)
            }
            Err(e) => (
                None,
                Some(if e.is_timeout() {
                    "timeout".to_owned()
                } else if e.is_connect() {
                    "connection refused or unreachable".to_owned()
                } else {
                    format!("{e}")
                }),
            ),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        if ok {
            core.metrics.webhook_delivered();
        } else {
            core.metrics.webhook_failed();
        }
        let now = clocks.now(tenant);
        let attempt = Attempt {
            at: iso_millis(now),
            status,
            error,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        };
        let mut retry_at = None;
        let mut disable = false;
        self.finish(tenant, id, |d| {
            d.url = target.url.clone();
            d.attempt_count += 1;
            if d.attempts.len() >= ATTEMPT_LOG {
                d.attempts.pop_front();
            }
            d.attempts.push_back(attempt);
            if d.generation != generation {
                // Redelivered while in flight: attempt again now.
                d.next_attempt_at = Some(now);
                return true;
            }
            d.manual = false;
            if ok {
                d.state = DeliveryState::Delivered;
                d.next_attempt_at = None;
            } else {
                d.failures += 1;
                if d.failures >= MAX_ATTEMPTS {
                    d.state = DeliveryState::Failed;
                    d.next_attempt_at = None;
                    disable = true;
                } else {
                    let at = now + retry_delay_ms(d.failures);
                    d.next_attempt_at = Some(at);
                    retry_at = Some((at, d.generation));
                }
            }
            false
        });
        if disable {
            self.directory.disable(tenant, &webhook_id);
        }
        if let Some((at, generation)) = retry_at {
            self.retries.schedule(tenant, at, (id, generation));
        }
    }

    /// Updates a delivery after an attempt and releases it, or queues it
    /// again when `f` says so (a redelivery asked for mid-attempt).
    fn finish(&self, tenant: &str, id: ObjectId, f: impl FnOnce(&mut Delivery) -> bool) {
        let requeue = {
            let mut inner = self.lock();
            let Some(tb) = inner.tenants.get_mut(tenant) else {
                return;
            };
            let Some(d) = tb.by_id.get(&id).copied().and_then(|s| tb.rows.get_mut(&s)) else {
                return;
            };
            let requeue = f(d);
            d.busy = requeue;
            if requeue {
                inner.ready.push_back((tenant.to_owned(), id));
            }
            requeue
        };
        if requeue {
            self.ready.notify_one();
        }
        self.bump();
    }

    /// Waits (at most `timeout`) until `f` matches at least `min` deliveries.
    pub async fn wait_for(
        &self,
        tenant: &str,
        f: &DeliveryFilter,
        min: usize,
        timeout: Duration,
    ) -> (Vec<Value>, u64) {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = self.version.subscribe();
        loop {
            rx.borrow_and_update();
            let found = self.list(tenant, f);
            if found.0.len() >= min.max(1) {
                return found;
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return self.list(tenant, f),
            }
        }
    }
}

impl TenantData for Outbox {
    fn reset_tenant(&self, tenant: &str) {
        self.lock().tenants.remove(tenant);
        self.retries.clear_tenant(tenant);
        self.bump();
    }

    fn reset_all(&self) {
        self.lock().tenants.clear();
        self.bump();
    }
}

// ---------------------------------------------------------------------------
// Admin: /__admin/webhooks/deliveries
// ---------------------------------------------------------------------------

/// Filters for the delivery listing.
#[derive(Debug, Default, Clone)]
pub struct DeliveryFilter {
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub state: Option<DeliveryState>,
    pub webhook_id: Option<String>,
    /// Only deliveries attempted at least this many times.
    pub min_attempts: Option<u32>,
}

impl DeliveryFilter {
    fn matches(&self, d: &Delivery) -> bool {
        self.event_type.as_ref().is_none_or(|t| *t == d.event.kind)
            && self.event_id.as_ref().is_none_or(|t| *t == d.event.id)
            && self.state.is_none_or(|s| s == d.state)
            && self.webhook_id.as_ref().is_none_or(|w| *w == d.webhook_id)
            && self.min_attempts.is_none_or(|m| d.attempt_count >= m)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListParams {
    event_type: Option<String>,
    event_id: Option<String>,
    state: Option<DeliveryState>,
    webhook_id: Option<String>,
    min_attempts: Option<u32>,
    /// Long-poll: seconds to wait for a match.
    wait: Option<f64>,
    /// Long-poll: how many matches to wait for (default 1).
    min: Option<usize>,
}

impl ListParams {
    fn filter(&self) -> DeliveryFilter {
        DeliveryFilter {
            event_type: self.event_type.clone(),
            event_id: self.event_id.clone(),
            state: self.state,
            webhook_id: self.webhook_id.clone(),
            min_attempts: self.min_attempts,
        }
    }
}

/// `/__admin/webhooks/...`, merged into the admin router.
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Core>: FromRef<S>,
{
    Router::new()
        .route("/webhooks/deliveries", get(list_deliveries))
        .route(
            "/webhooks/deliveries/{id}/redeliver",
            post(redeliver_delivery),
        )
}

/// The longest long-poll.
const MAX_WAIT_SECS: f64 = 300.0;

async fn list_deliveries(
    admin: Admin,
    State(core): State<Arc<Core>>,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<Value>, AdminError> {
    let tenant = admin.tenant()?.to_owned();
    let Query(p) = params.map_err(|e| AdminError::bad_request(e.body_text()))?;
    let filter = p.filter();
    let (items, dropped) = match p.wait {
        Some(w) if w.is_finite() && w > 0.0 => {
            let timeout = Duration::from_secs_f64(w.min(MAX_WAIT_SECS));
            core.outbox
                .wait_for(&tenant, &filter, p.min.unwrap_or(1), timeout)
                .await
        }
        Some(w) if !w.is_finite() || w < 0.0 => {
            return Err(AdminError::bad_request(
                "'wait' must be a number of seconds >= 0",
            ));
        }
        _ => core.outbox.list(&tenant, &filter),
    };
    Ok(axum::Json(json!({
        "total": items.len(),
        "dropped": dropped,
        "items": items,
    })))
}

async fn redeliver_delivery(
    admin: Admin,
    State(core): State<Arc<Core>>,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, AdminError> {
    let tenant = admin.tenant()?;
    let missing = || AdminError::not_found(format!("No delivery '{id}' for this tenant"));
    let oid = ObjectId::parse(&id).ok_or_else(missing)?;
    core.outbox
        .redeliver(tenant, &oid)
        .map(axum::Json)
        .ok_or_else(missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_published_test_vector() {
        assert_eq!(
            sign(b"a_webhook_signature", br#"{"id":"value"}"#),
            "bc00414fa4d54277a3ed01e5ee258d9800a918a7791c7cda16d38b82f38f2150"
        );
    }

    #[test]
    fn retry_schedule_is_60_120_480_then_x4_capped_at_a_day() {
        let s: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| retry_delay_ms(n) / 1000)
            .collect();
        assert_eq!(
            s,
            vec![60, 120, 480, 1920, 7680, 30720, 86400, 86400, 86400]
        );
    }

    #[test]
    fn timers_pop_in_due_order_per_tenant_clock() {
        let clocks = Clocks::new(1.0);
        let t0 = clocks.freeze("a").now_ms;
        clocks.freeze("b");
        let timers = Timers::default();
        timers.schedule("a", t0 + 2_000, 2);
        timers.schedule("a", t0 + 1_000, 1);
        timers.schedule("b", clocks.now("b") + 1_000, 9);
        assert!(timers.take_due(&clocks).0.is_empty());
        clocks.advance("a", 1_500);
        let (due, next) = timers.take_due(&clocks);
        assert_eq!(due, vec![("a".to_owned(), 1)]);
        assert!(next.is_some());
        clocks.advance("a", 10_000);
        assert_eq!(timers.take_due(&clocks).0, vec![("a".to_owned(), 2)]);
        assert_eq!(timers.len(), 1);
    }
}
