//! Scenarios as durable records: a check keeps the scenario that decided it
//! across restarts, even when the fixture catalog changes meanwhile. Each
//! distinct scenario is stored once, under its content digest.

use std::collections::HashMap;
use std::sync::Arc;

use super::compile::compile;
use super::model::Scenario;
use super::vocabulary::Vocabulary;
use crate::persist::{Batch, Change, Durable, Record};

/// The record kind of a stored scenario.
pub(crate) const KIND: &str = "scenario";
/// Stored scenarios belong to no tenant: any tenant's checks may share one.
pub(crate) const SHARED: &str = "";

/// Adds the scenario's record to `batch` unless it was written already.
pub(crate) fn put(batch: &mut Batch, durable: &Durable, s: &Scenario) {
    if batch.enabled() && durable.first_write(&s.digest) {
        let r = record(s);
        durable.wrote_shared(&r);
        batch.push(Change::Put(r));
    }
}

/// The scenario as a record (for exports).
pub(crate) fn record(s: &Scenario) -> Record {
    Record {
        tenant: SHARED.to_owned(),
        kind: KIND.to_owned(),
        id: s.digest.clone(),
        owner: None,
        body: serde_json::to_vec(s).unwrap_or_default(),
        data: None,
    }
}

/// Stored scenarios by digest, compiled again for this build's vocabularies.
#[derive(Default)]
pub(crate) struct Restored {
    by_digest: HashMap<String, Arc<Scenario>>,
}

impl Restored {
    /// Reads one stored scenario; one that no longer compiles is skipped
    /// (its checks render as decided by no scenario) and named in the log.
    pub(crate) fn add(&mut self, record: &Record, vocabularies: &[&'static Vocabulary]) {
        let parsed = serde_json::from_slice::<Scenario>(&record.body)
            .map_err(|e| e.to_string())
            .and_then(|s| compile(s, vocabularies));
        match parsed {
            Ok(mut s) => {
                // Keep the stored digest: checks refer to it.
                s.digest = record.id.clone();
                self.by_digest.insert(record.id.clone(), Arc::new(s));
            }
            Err(e) => {
                tracing::warn!(digest = %record.id, error = %e, "a stored scenario no longer loads")
            }
        }
    }

    pub(crate) fn get(&self, digest: &str) -> Option<Arc<Scenario>> {
        self.by_digest.get(digest).cloned()
    }
}
