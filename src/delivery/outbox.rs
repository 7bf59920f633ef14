//! The webhook outbox: deliveries waiting, in flight and done, per tenant.
//!
//! A vendor turns a resource change into an [`Event`] (serialised once, shared
//! by every delivery through an `Arc`) and hands it to [`Outbox::enqueue`]
//! with the endpoints that subscribe to it. A fixed pool of workers (the
//! concurrency bound) POSTs each delivery with an HMAC-SHA256 signature; a
//! failure is retried on the tenant's virtual clock, so advancing the clock
//! fires due retries at once. The outbox keeps at most
//! `--webhook-outbox-max` deliveries per tenant and counts what it drops.
//!
//! Every change to a delivery is handed to the durable store under the
//! outbox's lock, so stored deliveries change in the order they changed
//! here; a restart restores them and resumes pending ones on schedule.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use super::model::{
    Attempt, Delivery, DeliveryFilter, DeliveryState, Directory, Event, NewDelivery,
};
use super::signing::{MAX_ATTEMPTS, retry_delay_ms, sign};
use super::stored::{self, KIND, StoredDelivery};
use super::timers::Timers;
use crate::clock::Clocks;
use crate::ids::{Millis, ObjectId, iso_millis};
use crate::metrics::Metrics;
use crate::persist::{Ack, Batch, Durable, Record};
use crate::tenant::{RestoreContext, TenantData};

/// Attempt log entries kept per delivery (redeliveries add more).
const ATTEMPT_LOG: usize = 32;

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
pub(crate) struct Limits {
    pub(crate) concurrency: usize,
    pub(crate) max_per_tenant: usize,
    pub(crate) timeout: Duration,
}

pub(crate) struct Outbox {
    inner: Mutex<Inner>,
    ready: Notify,
    retries: Timers<(ObjectId, u64)>,
    version: watch::Sender<u64>,
    limits: Limits,
    http: reqwest::Client,
    durable: Arc<Durable>,
    /// Every vendor's webhook directory, by vendor name.
    directories: HashMap<&'static str, Arc<dyn Directory>>,
}

impl Outbox {
    pub(crate) fn new(
        limits: Limits,
        durable: Arc<Durable>,
        directories: HashMap<&'static str, Arc<dyn Directory>>,
    ) -> Self {
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
            limits: Limits {
                concurrency: limits.concurrency.max(1),
                max_per_tenant: limits.max_per_tenant.max(1),
                ..limits
            },
            http,
            durable,
            directories,
        }
    }

    /// Hands a delivery's current state to the durable store. Call it with
    /// the outbox locked, so stored states follow the order of changes.
    fn persist(&self, batch: &mut Batch, tenant: &str, d: &Delivery) {
        if batch.enabled() {
            batch.push(crate::persist::Change::Put(
                StoredDelivery::of(d).record(tenant),
            ));
        }
    }

    /// Persists one delivery's state now (background work: not waited for).
    fn persist_one(&self, tenant: &str, d: &Delivery) {
        if self.durable.enabled() {
            let mut batch = self.durable.batch();
            self.persist(&mut batch, tenant, d);
            let _ = self.durable.submit(batch);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self) {
        self.version.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Queues `event` for every target; returns the commit of the new
    /// deliveries to wait for.
    pub(crate) fn enqueue(
        &self,
        tenant: &str,
        event: Arc<Event>,
        targets: Vec<NewDelivery>,
        now: Millis,
    ) -> Ack {
        let mut queued = 0;
        let mut batch = self.durable.batch();
        let ack = {
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
                            batch.delete(tenant, KIND, &old.to_string());
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
                if let Some(d) = tb.rows.get(&seq) {
                    self.persist(&mut batch, tenant, d);
                }
                inner.ready.push_back((tenant.to_owned(), id));
                queued += 1;
            }
            self.durable.submit(batch)
        };
        for _ in 0..queued.min(self.limits.concurrency) {
            self.ready.notify_one();
        }
        if queued > 0 {
            self.bump();
        }
        ack
    }

    /// Makes a delivery pending again and attempts it now (even to a
    /// disabled webhook). `None` when the tenant has no such delivery.
    pub(crate) fn redeliver(&self, tenant: &str, id: &ObjectId) -> Option<Value> {
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
            self.persist_one(tenant, d);
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
    pub(crate) fn list(&self, tenant: &str, f: &DeliveryFilter) -> (Vec<Value>, u64) {
        let (found, dropped) = {
            let inner = self.lock();
            let Some(tb) = inner.tenants.get(tenant) else {
                return (Vec::new(), 0);
            };
            let found: Vec<(Value, Arc<Event>)> = tb
                .rows
                .values()
                .filter(|d| f.matches(d))
                .map(|d| (d.summary(), d.event.clone()))
                .collect();
            (found, tb.dropped)
        };
        // Event bodies are parsed with the lock released.
        let items = found
            .into_iter()
            .map(|(mut json, event)| {
                json["event"] = event.json();
                json
            })
            .collect();
        (items, dropped)
    }

    /// How many of the tenant's deliveries `f` matches (nothing parsed).
    fn count(&self, tenant: &str, f: &DeliveryFilter) -> usize {
        self.lock()
            .tenants
            .get(tenant)
            .map_or(0, |tb| tb.rows.values().filter(|d| f.matches(d)).count())
    }

    /// One delivery with what was sent: the raw signed body, the signature
    /// header's name and its value under the webhook's current secret.
    /// `None` when the tenant has no such delivery.
    pub(crate) fn signed(&self, tenant: &str, id: &ObjectId) -> Option<Value> {
        let (mut out, event, webhook_id) = {
            let inner = self.lock();
            let tb = inner.tenants.get(tenant)?;
            let d = tb.by_id.get(id).and_then(|s| tb.rows.get(s))?;
            (d.to_json(), d.event.clone(), d.webhook_id.clone())
        };
        // The directory takes the vendor's lock: never under the outbox's.
        let directory = self.directories.get(event.vendor)?;
        let signature = directory
            .target(tenant, &webhook_id)
            .map(|t| sign(t.secret.as_bytes(), &event.body));
        out["body"] = Value::String(String::from_utf8_lossy(&event.body).into_owned());
        out["signatureHeader"] = Value::String(directory.signature_header().to_owned());
        out["signature"] = signature.map_or(Value::Null, Value::String);
        Some(out)
    }

    /// Changes whenever any delivery is queued, attempted or forgotten.
    pub(crate) fn version(&self) -> u64 {
        *self.version.borrow()
    }

    /// Starts the workers and the retry timer on `set`. `parts` reaches the
    /// clocks and metrics inside `owner`.
    pub(crate) fn spawn<T: Send + Sync + 'static>(
        self: &Arc<Self>,
        set: &mut JoinSet<()>,
        owner: Arc<T>,
        parts: fn(&T) -> (&Clocks, &Metrics),
    ) {
        for _ in 0..self.limits.concurrency {
            let me = self.clone();
            let owner = owner.clone();
            set.spawn(async move {
                let (clocks, metrics) = parts(&owner);
                me.worker(clocks, metrics).await
            });
        }
        let me = self.clone();
        set.spawn(async move {
            me.retries
                .run(parts(&owner).0, |tenant, (id, generation)| {
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

    async fn worker(&self, clocks: &Clocks, metrics: &Metrics) {
        loop {
            let next = self.lock().ready.pop_front();
            match next {
                // Only the leader among replicas delivers; the others
                // leave deliveries pending for it.
                Some((tenant, id)) if !self.durable.leads() => self.set_aside(&tenant, id),
                Some((tenant, id)) => self.attempt(clocks, metrics, &tenant, id).await,
                None => self.ready.notified().await,
            }
        }
    }

    fn set_aside(&self, tenant: &str, id: ObjectId) {
        let mut inner = self.lock();
        if let Some(d) = inner
            .tenants
            .get_mut(tenant)
            .and_then(|tb| tb.by_id.get(&id).copied().and_then(|s| tb.rows.get_mut(&s)))
        {
            d.busy = false;
        }
    }

    /// A new leader takes over: every pending delivery is attempted when
    /// due (again, with the same event id, if the old leader was mid-attempt).
    pub(crate) fn resume_pending(&self) {
        let due: Vec<(String, ObjectId, Millis, u64)> = {
            let inner = self.lock();
            inner
                .tenants
                .iter()
                .flat_map(|(t, tb)| {
                    tb.rows
                        .values()
                        .filter(|d| d.state == DeliveryState::Pending && !d.busy)
                        .map(|d| {
                            let at = d.next_attempt_at.unwrap_or(d.created_at);
                            (t.clone(), d.id, at, d.generation)
                        })
                })
                .collect()
        };
        for (tenant, id, at, generation) in due {
            self.retries.schedule(&tenant, at, (id, generation));
        }
    }

    async fn attempt(&self, clocks: &Clocks, metrics: &Metrics, tenant: &str, id: ObjectId) {
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
        let Some(directory) = self.directories.get(event.vendor).cloned() else {
            return;
        };
        let target = directory.target(tenant, &webhook_id);
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
            .header(directory.signature_header(), signature)
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
            metrics.webhook_delivered();
        } else {
            metrics.webhook_failed();
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
            directory.disable(tenant, &webhook_id);
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
            self.persist_one(tenant, d);
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
    pub(crate) async fn wait_for(
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
            // Each wake-up only counts; the listing is built once, at the end.
            if self.count(tenant, f) >= min.max(1) {
                return self.list(tenant, f);
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

    fn owns(&self, kind: &str) -> bool {
        kind == KIND
    }

    /// Restored deliveries keep their history; pending ones are attempted
    /// again when their next attempt is due on the tenant's clock.
    fn restore(&self, records: &[&Record], _: &RestoreContext<'_>) -> Result<(), String> {
        let mut events = HashMap::new();
        let mut due = Vec::new();
        {
            let mut inner = self.lock();
            for r in records {
                let vendor = |name: &str| self.directories.keys().find(|k| **k == name).copied();
                let Some(d) = stored::restore(r, &mut events, vendor)? else {
                    continue;
                };
                // Another replica's change to a delivery replaces it in place.
                let known = inner
                    .tenants
                    .get(&r.tenant)
                    .and_then(|tb| tb.by_id.get(&d.id).copied());
                let seq = match known {
                    Some(seq) => seq,
                    None => {
                        inner.seq += 1;
                        inner.seq
                    }
                };
                if d.state == DeliveryState::Pending {
                    due.push((
                        r.tenant.clone(),
                        d.id,
                        d.next_attempt_at.unwrap_or(d.created_at),
                    ));
                }
                let tb = inner.tenants.entry(r.tenant.clone()).or_default();
                tb.by_id.insert(d.id, seq);
                tb.rows.insert(seq, d);
            }
        }
        for (tenant, id, at) in due {
            self.retries.schedule(&tenant, at, (id, 0));
        }
        self.bump();
        Ok(())
    }

    fn forget(&self, tenant: &str, _: &str, id: &str) {
        let Some(id) = crate::ids::ObjectId::parse(id) else {
            return;
        };
        let mut inner = self.lock();
        if let Some(tb) = inner.tenants.get_mut(tenant) {
            if let Some(seq) = tb.by_id.remove(&id) {
                tb.rows.remove(&seq);
            }
        }
        drop(inner);
        self.bump();
    }

    /// Deliveries are history, not tenant data: exports leave them out.
    fn export(&self, _: &str) -> Vec<Record> {
        Vec::new()
    }

    fn contains(&self, _: &Record) -> bool {
        false
    }

    fn census(&self) -> crate::tenant::Census {
        self.lock()
            .tenants
            .iter()
            .filter(|(_, tb)| !tb.rows.is_empty())
            .map(|(t, tb)| (t.clone(), vec![("webhook deliveries", tb.rows.len())]))
            .collect()
    }
}
