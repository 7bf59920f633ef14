//! Checks already rendered, kept as the bytes `GET /v1/checks/{id}` answers,
//! so polling a check costs a lookup instead of building its JSON again.
//!
//! A check renders one of two ways: `pending` until its `complete_at` on the
//! tenant's clock, then `complete` (or `failed`) with a result that no longer
//! depends on the time. Each form is kept under its own flag and is valid
//! until the check, or anything it renders from, changes: every write
//! forgets what it may have changed (`Tenant::forget_renderings`) before it
//! is committed. Bounded per tenant by bytes; the oldest renderings go first.
//! Filled by reads only, so storing checks costs nothing here.
//!
//! Complete checks' outcomes are kept the same way (a few bytes each, one
//! per complete check at most), so filtering by `result.outcome` builds a
//! check's result once per change rather than on every list request.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use serde_json::Value;

use super::check::Check;
use crate::ids::{Millis, ObjectId};

/// Bytes of rendered JSON kept per tenant (a few hundred checks).
const BUDGET: usize = 256 * 1024;

#[derive(Default)]
pub(crate) struct Rendered {
    inner: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    by_id: HashMap<ObjectId, (bool, Bytes), foldhash::fast::RandomState>,
    /// Insertion order, oldest first (ids may repeat after a re-render).
    order: VecDeque<ObjectId>,
    bytes: usize,
    /// Complete checks' outcomes.
    outcomes: HashMap<ObjectId, Arc<str>, foldhash::fast::RandomState>,
}

impl Kept {
    fn remove(&mut self, id: &ObjectId) {
        if let Some((_, json)) = self.by_id.remove(id) {
            self.bytes -= json.len();
        }
    }

    fn clear(&mut self) {
        self.by_id.clear();
        self.order.clear();
        self.bytes = 0;
        self.outcomes.clear();
    }
}

impl Rendered {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The check's JSON at `now`: the kept bytes of its current form, or
    /// `render`'s, serialised once and kept.
    pub(crate) fn json(&self, c: &Check, now: Millis, render: impl FnOnce() -> Value) -> Bytes {
        let complete = c.is_complete(now);
        if let Some((form, json)) = self.lock().by_id.get(&c.id) {
            if *form == complete {
                return json.clone();
            }
        }
        let json = Bytes::from(serde_json::to_vec(&render()).unwrap_or_default());
        if json.len() <= BUDGET / 4 {
            let mut kept = self.lock();
            kept.remove(&c.id);
            while kept.bytes + json.len() > BUDGET {
                match kept.order.pop_front() {
                    Some(old) => kept.remove(&old),
                    None => break,
                }
            }
            kept.bytes += json.len();
            kept.by_id.insert(c.id, (complete, json.clone()));
            kept.order.push_back(c.id);
            if kept.order.len() > 4 * kept.by_id.len() + 64 {
                // Re-renders left stale ids behind: keep the queue short.
                let Kept { by_id, order, .. } = &mut *kept;
                let mut seen = std::collections::HashSet::new();
                order.retain(|id| by_id.contains_key(id) && seen.insert(*id));
            }
        }
        json
    }

    /// Forgets everything (the tenant's data was replaced or restored).
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    /// The outcome of a complete check: kept, or `compute`'s, then kept.
    pub(crate) fn outcome(&self, c: &Check, compute: impl FnOnce() -> String) -> Arc<str> {
        if let Some(o) = self.lock().outcomes.get(&c.id) {
            return o.clone();
        }
        let o: Arc<str> = compute().into();
        self.lock().outcomes.insert(c.id, o.clone());
        o
    }

    /// Forgets one check's renderings and outcome.
    pub(crate) fn forget(&self, id: &ObjectId) {
        let mut kept = self.lock();
        kept.remove(id);
        kept.outcomes.remove(id);
    }

    /// Whether nothing is kept (so a write has nothing to forget).
    pub(crate) fn is_empty(&self) -> bool {
        let kept = self.lock();
        kept.by_id.is_empty() && kept.outcomes.is_empty()
    }
}
