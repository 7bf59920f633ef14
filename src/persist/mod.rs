//! Durable state: the seam between the in-memory tables (always the read
//! path) and a durable copy of them.
//!
//! Everything a tenant owns is a set of **records** `(tenant, kind, id)`
//! with an owner, a JSON body and optional raw bytes (image data). A write
//! changes memory under its tenant's lock and, in the same critical section,
//! hands the records it touched to [`Durable::submit`] as one [`Batch`];
//! the request is acknowledged only once that batch is committed
//! ([`Ack`]). Batches are committed in submission order, so whatever a
//! later acknowledged write depended on is durable too.
//!
//! Backends: none (`--store memory`: batches are dropped unbuilt), SQLite
//! (`--store sqlite:PATH`, [`sqlite`]) and PostgreSQL (`--store
//! postgres://…`, [`postgres`]), which several replicas share. A backend
//! is the small set of operations this module names: load every record at
//! startup, commit a batch, and (shared backends) fetch what other
//! replicas changed since the last change applied here. Vendors never see SQL.

mod own;
mod postgres;
mod sqlite;

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;

use crate::config::StoreSpec;

/// One durable change.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    /// Insert or replace a record; a new record goes after every other one
    /// (lists are newest first), a replaced one keeps its place.
    Put(Record),
    Delete {
        tenant: String,
        kind: &'static str,
        id: String,
    },
    /// Every record of one kind that one owner holds and that carries raw
    /// bytes (a deleted document's images).
    DeleteOwned {
        tenant: String,
        kind: &'static str,
        owner: String,
    },
    /// One use of a record counting down its uses (an armed scenario):
    /// becomes `after` (or is deleted when `None`) only if the stored
    /// record still has `before` uses left; otherwise the batch fails with
    /// [`CommitError::conflict`] and nothing of it is written. Only a
    /// shared store can see the difference.
    Consume {
        tenant: String,
        kind: &'static str,
        id: String,
        before: u32,
        after: Option<Record>,
    },
    /// Every record of one tenant (a tenant reset).
    DeleteTenant(String),
    /// Every record (a reset of everything).
    DeleteAll,
}

/// A stored record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub(crate) tenant: String,
    /// `<vendor>.<kind>` for vendor records (`complycube.check`), a bare
    /// name for the core's (`clock`, `armed`, `faults`, `delivery`).
    pub(crate) kind: String,
    pub(crate) id: String,
    pub(crate) owner: Option<String>,
    /// JSON.
    pub(crate) body: Vec<u8>,
    /// Raw bytes kept beside the body (image data).
    pub(crate) data: Option<Bytes>,
}

/// The records one write touched, committed together or not at all.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    enabled: bool,
    changes: Vec<Change>,
}

impl Batch {
    /// Whether anything is recorded at all (false in memory mode, so
    /// callers skip serialising).
    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    pub(crate) fn push(&mut self, change: Change) {
        if self.enabled {
            self.changes.push(change);
        }
    }

    /// Serialises `value` as the record's body.
    pub(crate) fn put<T: serde::Serialize + ?Sized>(
        &mut self,
        tenant: &str,
        kind: &str,
        id: &str,
        owner: Option<&str>,
        value: &T,
        data: Option<Bytes>,
    ) {
        if !self.enabled {
            return;
        }
        let Ok(body) = serde_json::to_vec(value) else {
            return;
        };
        self.changes.push(Change::Put(Record {
            tenant: tenant.to_owned(),
            kind: kind.to_owned(),
            id: id.to_owned(),
            owner: owner.map(str::to_owned),
            body,
            data,
        }));
    }

    pub(crate) fn delete_owned(&mut self, tenant: &str, kind: &'static str, owner: &str) {
        self.push(Change::DeleteOwned {
            tenant: tenant.to_owned(),
            kind,
            owner: owner.to_owned(),
        });
    }

    pub(crate) fn delete(&mut self, tenant: &str, kind: &'static str, id: &str) {
        self.push(Change::Delete {
            tenant: tenant.to_owned(),
            kind,
            id: id.to_owned(),
        });
    }

    fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Why a batch was not committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommitError(pub(crate) String);

impl CommitError {
    const CONFLICT: &str = "another replica changed the record first";

    /// A [`Change::Consume`] lost a race with another replica.
    pub(crate) fn conflict() -> Self {
        CommitError(Self::CONFLICT.into())
    }

    pub(crate) fn is_conflict(&self) -> bool {
        self.0 == Self::CONFLICT
    }
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the durable store refused a write: {}", self.0)
    }
}

/// Resolves once submitted batches are committed.
#[derive(Debug)]
pub(crate) struct Ack(Vec<tokio::sync::oneshot::Receiver<Result<(), CommitError>>>);

impl Ack {
    /// Nothing to wait for.
    pub(crate) fn done() -> Self {
        Ack(Vec::new())
    }

    fn one(rx: tokio::sync::oneshot::Receiver<Result<(), CommitError>>) -> Self {
        Ack(vec![rx])
    }

    /// Every commit of `acks`.
    pub(crate) fn all(acks: Vec<Ack>) -> Self {
        Ack(acks.into_iter().flat_map(|a| a.0).collect())
    }

    /// Waits for the commits; the first failure is the answer.
    pub(crate) async fn wait(self) -> Result<(), CommitError> {
        for rx in self.0 {
            rx.await
                .unwrap_or_else(|_| Err(CommitError("the store writer stopped".into())))?;
        }
        Ok(())
    }
}

/// A change another replica made, to apply to memory.
#[derive(Debug)]
pub(crate) enum Applied {
    /// A record as it is now (new or replaced).
    Put(Record),
    Delete {
        tenant: String,
        kind: String,
        id: String,
    },
    /// Every record of one tenant was deleted, except those listed:
    /// this replica wrote them after the reset (or is writing them).
    Reset { tenant: String, keep: Vec<own::Key> },
    /// Every record was deleted, except those listed.
    ResetAll { keep: Vec<own::Key> },
}

/// What a shared store answers when asked for changes since a point.
#[derive(Debug)]
pub(crate) enum Fetched {
    /// The changes, in order, each with its sequence number, and the
    /// point they reach.
    Changes {
        head: i64,
        items: Vec<(i64, Applied)>,
        /// More changes follow `head`.
        more: bool,
    },
    /// The change log no longer reaches back far enough: every record.
    Reload { head: i64, records: Vec<Record> },
}

type Job = (
    Vec<Change>,
    tokio::sync::oneshot::Sender<Result<(), CommitError>>,
);

/// What health reports about the store.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoreStatus {
    pub(crate) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    /// Records loaded at startup.
    pub(crate) loaded: usize,
    /// Batches committed since startup.
    pub(crate) commits: u64,
    /// The last commit failure, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_error: Option<String>,
    /// Whether the database answers (shared stores only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) connected: Option<bool>,
    /// Whether this replica raises due events and delivers webhooks
    /// (shared stores only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) leader: Option<bool>,
}

enum Backend {
    Memory,
    Sqlite(sqlite::Writer),
    // Boxed: it holds the channels and settings its tasks start with.
    Postgres(Box<postgres::Postgres>),
}

/// The handle every writer holds: submits batches to the backend's writer.
pub(crate) struct Durable {
    backend: Backend,
    status: Arc<Mutex<StoreStatus>>,
    /// Ids of shared records (scenarios) already written this run.
    written: Mutex<HashSet<String>>,
    /// Shared records this replica wrote and has not handed over yet
    /// ([`Durable::take_shared`]): other replicas' records may refer to
    /// them even when this replica wrote them last (and so never fetches
    /// them).
    mine: Mutex<Vec<Record>>,
    /// Catching up with other replicas: one fetch at a time.
    catching_up: tokio::sync::Mutex<()>,
    /// Requests that asked to catch up so far, and those a finished fetch
    /// covers (it began after they asked).
    asked: AtomicU64,
    covered: AtomicU64,
}

impl Durable {
    /// Opens the store and reads every record it holds. Memory mode holds none.
    /// `wait`: how long PostgreSQL may take to accept connections;
    /// `log_keep`: how many sequence numbers its log of removals spans.
    pub(crate) fn open(
        spec: &StoreSpec,
        wait: std::time::Duration,
        log_keep: i64,
    ) -> Result<(Durable, Vec<Record>), String> {
        let status = Arc::new(Mutex::new(StoreStatus {
            kind: "memory",
            ..StoreStatus::default()
        }));
        let (backend, records) = match spec {
            StoreSpec::Memory => (Backend::Memory, Vec::new()),
            StoreSpec::Sqlite(path) => {
                let (writer, records) = sqlite::open(path, status.clone())?;
                let mut s = lock(&status);
                s.kind = "sqlite";
                s.path = Some(path.display().to_string());
                (Backend::Sqlite(writer), records)
            }
            StoreSpec::Postgres(url) => {
                let (pg, records) = postgres::open(url, wait, log_keep, status.clone())?;
                let mut s = lock(&status);
                s.kind = "postgres";
                s.path = Some(postgres::display(url));
                (Backend::Postgres(Box::new(pg)), records)
            }
        };
        lock(&status).loaded = records.len();
        Ok((
            Durable {
                backend,
                status,
                written: Mutex::default(),
                mine: Mutex::default(),
                catching_up: tokio::sync::Mutex::new(()),
                asked: AtomicU64::new(0),
                covered: AtomicU64::new(0),
            },
            records,
        ))
    }

    /// Starts the shared store's connections on the server's runtime
    /// (nothing to start for the others: SQLite's writer has its thread).
    pub(crate) fn start(&self, set: &mut tokio::task::JoinSet<()>) {
        if let Backend::Postgres(pg) = &self.backend {
            pg.start(set);
        }
    }

    /// Whether other processes write to this store too (PostgreSQL).
    pub(crate) fn shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Makes memory reflect every change other replicas committed before
    /// this call: fetches them (one fetch serves every caller that asked
    /// before it began), weighs them against this replica's own recent
    /// writes ([`own`]) and hands the rest to `apply`, in order; then
    /// rereads the records where the two crossed. Memory and SQLite stores
    /// have nothing to catch up with.
    pub(crate) async fn catch_up(&self, apply: impl Fn(&[Applied])) -> Result<(), String> {
        let Backend::Postgres(pg) = &self.backend else {
            return Ok(());
        };
        let ticket = self.asked.fetch_add(1, Ordering::AcqRel) + 1;
        let _one = self.catching_up.lock().await;
        if self.covered.load(Ordering::Acquire) >= ticket {
            return Ok(());
        }
        let covers = self.asked.load(Ordering::Acquire);
        loop {
            let (head, more, items) = match pg.fetch(pg.applied()).await? {
                Fetched::Changes { head, items, more } => (head, more, items),
                Fetched::Reload { head, records } => {
                    tracing::info!(
                        records = records.len(),
                        "reloading every record from the store"
                    );
                    let mut items = Vec::with_capacity(records.len() + 1);
                    items.push((head, Applied::ResetAll { keep: Vec::new() }));
                    items.extend(records.into_iter().map(|r| (head, Applied::Put(r))));
                    (head, false, items)
                }
            };
            let since = pg.own.tick();
            let items = pg.own.weigh(items);
            apply(&items);
            pg.own.collided(since, &items);
            pg.applied.store(head, Ordering::Release);
            if !more {
                break;
            }
        }
        let keys = pg.own.rereads();
        if !keys.is_empty() {
            let since = pg.own.tick();
            let found = pg.read(keys.clone()).await?;
            let mut items = Vec::with_capacity(keys.len());
            let mut versions = Vec::with_capacity(keys.len());
            for ((tenant, kind, id), got) in keys.iter().cloned().zip(found) {
                let (item, version) = match got {
                    Some((record, seq)) => (Applied::Put(record), Some(seq)),
                    None => (Applied::Delete { tenant, kind, id }, None),
                };
                items.push(item);
                versions.push(version);
            }
            apply(&items);
            for (key, version) in keys.iter().zip(versions) {
                pg.own.reread_done(key, since, version);
            }
        }
        pg.own.settle(pg.applied());
        self.covered.fetch_max(covers, Ordering::AcqRel);
        Ok(())
    }

    /// Whether this replica raises due events and delivers webhooks: the
    /// one leader among replicas sharing a store; always, unshared.
    pub(crate) fn leads(&self) -> bool {
        match &self.backend {
            Backend::Postgres(pg) => *pg.leader.borrow(),
            _ => true,
        }
    }

    /// Resolves when this replica becomes the leader (never unshared:
    /// an unshared store leads from the start).
    pub(crate) async fn promoted(&self) {
        let Backend::Postgres(pg) = &self.backend else {
            return std::future::pending().await;
        };
        let mut rx = pg.leader.clone();
        rx.mark_unchanged();
        loop {
            if rx.changed().await.is_err() {
                return std::future::pending().await;
            }
            if *rx.borrow_and_update() {
                return;
            }
        }
    }

    /// Whether another replica announced a change newer than what this one
    /// applied.
    pub(crate) fn behind(&self) -> bool {
        match &self.backend {
            Backend::Postgres(pg) => *pg.announced.borrow() > pg.applied(),
            _ => false,
        }
    }

    /// Resolves when another replica announces a change newer than what
    /// this one applied (never for unshared stores).
    pub(crate) async fn announced(&self) {
        let Backend::Postgres(pg) = &self.backend else {
            return std::future::pending().await;
        };
        let mut rx = pg.announced.clone();
        let _ = rx.wait_for(|seq| *seq > pg.applied()).await;
    }

    /// An empty batch: recording only when a backend will commit it.
    pub(crate) fn batch(&self) -> Batch {
        Batch {
            enabled: self.enabled(),
            changes: Vec::new(),
        }
    }

    /// Whether batches are recorded at all.
    pub(crate) fn enabled(&self) -> bool {
        !matches!(self.backend, Backend::Memory)
    }

    /// Queues a batch behind every batch submitted before it. Call it
    /// inside the critical section that made the change, then await the
    /// [`Ack`] outside it.
    pub(crate) fn submit(&self, batch: Batch) -> Ack {
        if batch.is_empty() {
            return Ack::done();
        }
        match &self.backend {
            Backend::Memory => Ack::done(),
            Backend::Sqlite(w) => w.submit(batch.changes),
            Backend::Postgres(pg) => pg.submit(batch.changes),
        }
    }

    /// One record as the shared store holds it now (`None`: not there);
    /// unshared stores have nothing newer than memory.
    pub(crate) async fn read(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
    ) -> Result<Option<Record>, String> {
        match &self.backend {
            Backend::Postgres(pg) => {
                let key = (tenant.to_owned(), kind.to_owned(), id.to_owned());
                let found = pg.read(vec![key]).await?;
                Ok(found.into_iter().next().flatten().map(|(r, _)| r))
            }
            _ => Err("the store is not shared".into()),
        }
    }

    /// Whether a shared record (e.g. a scenario a check refers to) still
    /// has to be written this run; marks it written.
    pub(crate) fn first_write(&self, id: &str) -> bool {
        self.enabled() && lock(&self.written).insert(id.to_owned())
    }

    /// Notes a shared record this replica wrote (shared stores only).
    pub(crate) fn wrote_shared(&self, record: &Record) {
        if self.shared() {
            lock(&self.mine).push(record.clone());
        }
    }

    /// The shared records this replica wrote since the last call.
    pub(crate) fn take_shared(&self) -> Vec<Record> {
        std::mem::take(&mut *lock(&self.mine))
    }

    /// After everything was deleted, shared records must be written again.
    pub(crate) fn forget_written(&self) {
        lock(&self.written).clear();
    }

    pub(crate) fn status(&self) -> StoreStatus {
        let mut s = lock(&self.status).clone();
        if self.shared() {
            s.leader = Some(self.leads());
        }
        s
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_specs_parse() {
        assert_eq!("memory".parse(), Ok(StoreSpec::Memory));
        assert_eq!(
            "sqlite:/data/s.db".parse(),
            Ok(StoreSpec::Sqlite("/data/s.db".into()))
        );
        assert_eq!(
            "postgres://u:p@db:5432/kyc".parse(),
            Ok(StoreSpec::Postgres("postgres://u:p@db:5432/kyc".into()))
        );
        for bad in ["", "sqlite:", "postgres", "file:/x"] {
            assert!(bad.parse::<StoreSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_batches_record_nothing() {
        let (d, records) = Durable::open(&StoreSpec::Memory, std::time::Duration::ZERO, 0).unwrap();
        assert!(records.is_empty());
        let mut b = d.batch();
        b.put("t", "k", "1", None, &serde_json::json!({"a": 1}), None);
        assert!(b.is_empty());
        assert!(!d.first_write("x"));
    }
}
