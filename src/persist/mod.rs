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
//! Backends: none (`--store memory`: batches are dropped unbuilt) and SQLite
//! (`--store sqlite:PATH`, [`sqlite`]). A backend is the small set of
//! operations this module names: load every record at startup, commit a
//! batch. Vendors never see SQL.

mod sqlite;

use std::collections::HashSet;
use std::fmt;
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
}

/// The handle every writer holds: submits batches to the backend's writer.
pub(crate) struct Durable {
    writer: Option<sqlite::Writer>,
    status: Arc<Mutex<StoreStatus>>,
    /// Ids of shared records (scenarios) already written this run.
    written: Mutex<HashSet<String>>,
}

impl Durable {
    /// Opens the store and reads every record it holds. Memory mode holds none.
    pub(crate) fn open(spec: &StoreSpec) -> Result<(Durable, Vec<Record>), String> {
        let status = Arc::new(Mutex::new(StoreStatus {
            kind: "memory",
            ..StoreStatus::default()
        }));
        match spec {
            StoreSpec::Memory => Ok((
                Durable {
                    writer: None,
                    status,
                    written: Mutex::default(),
                },
                Vec::new(),
            )),
            StoreSpec::Sqlite(path) => {
                let (writer, records) = sqlite::open(path, status.clone())?;
                {
                    let mut s = lock(&status);
                    s.kind = "sqlite";
                    s.path = Some(path.display().to_string());
                    s.loaded = records.len();
                }
                Ok((
                    Durable {
                        writer: Some(writer),
                        status,
                        written: Mutex::default(),
                    },
                    records,
                ))
            }
        }
    }

    /// An empty batch: recording only when a backend will commit it.
    pub(crate) fn batch(&self) -> Batch {
        Batch {
            enabled: self.writer.is_some(),
            changes: Vec::new(),
        }
    }

    /// Whether batches are recorded at all.
    pub(crate) fn enabled(&self) -> bool {
        self.writer.is_some()
    }

    /// Queues a batch behind every batch submitted before it. Call it
    /// inside the critical section that made the change, then await the
    /// [`Ack`] outside it.
    pub(crate) fn submit(&self, batch: Batch) -> Ack {
        match &self.writer {
            Some(w) if !batch.is_empty() => w.submit(batch.changes),
            _ => Ack::done(),
        }
    }

    /// Whether a shared record (e.g. a scenario a check refers to) still
    /// has to be written this run; marks it written.
    pub(crate) fn first_write(&self, id: &str) -> bool {
        self.enabled() && lock(&self.written).insert(id.to_owned())
    }

    /// After everything was deleted, shared records must be written again.
    pub(crate) fn forget_written(&self) {
        lock(&self.written).clear();
    }

    pub(crate) fn status(&self) -> StoreStatus {
        lock(&self.status).clone()
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
        for bad in ["", "sqlite:", "postgres", "file:/x"] {
            assert!(bad.parse::<StoreSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_batches_record_nothing() {
        let (d, records) = Durable::open(&StoreSpec::Memory).unwrap();
        assert!(records.is_empty());
        let mut b = d.batch();
        b.put("t", "k", "1", None, &serde_json::json!({"a": 1}), None);
        assert!(b.is_empty());
        assert!(!d.first_write("x"));
    }
}
