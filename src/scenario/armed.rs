//! Scenarios armed for a tenant: the first layer of selection. An armed
//! scenario applies to the requests its own scope rules accept, for its
//! remaining uses or until removed; arming, disarming and every consumed
//! use are kept in the durable store, so "the next 3 checks" stays 3
//! across a restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::compile::compile;
use super::matching::Request;
use super::model::Scenario;
use super::vocabulary::Vocabulary;
use crate::persist::{Ack, Batch, Durable, Record};
use crate::tenant::{RestoreContext, TenantData};

/// The record kind of an armed scenario.
const KIND: &str = "armed";

#[derive(Debug, Clone)]
struct Armed {
    scenario: Arc<Scenario>,
    /// Uses left; `None`: until removed.
    remaining: Option<u32>,
    /// Arming order (the first armed applies first).
    order: u64,
}

#[derive(Serialize, Deserialize)]
struct StoredArmed {
    scenario: Scenario,
    /// The fixture file it came from, if armed by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    remaining: Option<u32>,
    order: u64,
}

#[derive(Default)]
struct Inner {
    tenants: HashMap<String, Vec<Armed>>,
    next_order: u64,
}

/// Every tenant's armed scenarios.
pub(crate) struct ArmedSet {
    inner: Mutex<Inner>,
    vocabularies: Vec<&'static Vocabulary>,
    durable: Option<Arc<Durable>>,
}

fn record(tenant: &str, a: &Armed) -> Record {
    let stored = StoredArmed {
        scenario: (*a.scenario).clone(),
        file: a.scenario.file.clone(),
        remaining: a.remaining,
        order: a.order,
    };
    Record {
        tenant: tenant.to_owned(),
        kind: KIND.to_owned(),
        id: a.scenario.name.to_ascii_lowercase(),
        owner: None,
        body: serde_json::to_vec(&stored).unwrap_or_default(),
        data: None,
    }
}

impl ArmedSet {
    pub(crate) fn new(
        vocabularies: Vec<&'static Vocabulary>,
        durable: Option<Arc<Durable>>,
    ) -> Self {
        ArmedSet {
            inner: Mutex::default(),
            vocabularies,
            durable,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn batch(&self) -> Batch {
        self.durable.as_ref().map(|d| d.batch()).unwrap_or_default()
    }

    fn submit(&self, batch: Batch) -> Ack {
        match &self.durable {
            Some(d) => d.submit(batch),
            None => Ack::done(),
        }
    }

    /// Arms a compiled `scenario` for `tenant` (replacing one of the same name).
    pub(crate) fn arm(&self, tenant: &str, scenario: Scenario, times: Option<u32>) -> Ack {
        let mut inner = self.lock();
        inner.next_order += 1;
        let order = inner.next_order;
        let list = inner.tenants.entry(tenant.to_owned()).or_default();
        list.retain(|a| !a.scenario.name.eq_ignore_ascii_case(&scenario.name));
        let armed = Armed {
            scenario: Arc::new(scenario),
            remaining: times,
            order,
        };
        let mut batch = self.batch();
        if batch.enabled() {
            batch.push(crate::persist::Change::Put(record(tenant, &armed)));
        }
        list.push(armed);
        self.submit(batch)
    }

    /// Removes an armed scenario; `None` when none by that name was armed.
    pub(crate) fn disarm(&self, tenant: &str, name: &str) -> Option<Ack> {
        let mut inner = self.lock();
        let list = inner.tenants.get_mut(tenant)?;
        let before = list.len();
        list.retain(|a| !a.scenario.name.eq_ignore_ascii_case(name));
        if before == list.len() {
            return None;
        }
        if list.is_empty() {
            inner.tenants.remove(tenant);
        }
        let mut batch = self.batch();
        batch.delete(tenant, KIND, &name.to_ascii_lowercase());
        Some(self.submit(batch))
    }

    /// The tenant's armed scenarios with their remaining uses.
    pub(crate) fn list(&self, tenant: &str) -> Vec<(Arc<Scenario>, Option<u32>)> {
        self.lock()
            .tenants
            .get(tenant)
            .map(|l| {
                l.iter()
                    .map(|a| (a.scenario.clone(), a.remaining))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Tenants with armed scenarios, and how many each.
    pub(crate) fn counts(&self) -> Vec<(String, usize)> {
        self.lock()
            .tenants
            .iter()
            .map(|(t, l)| (t.clone(), l.len()))
            .collect()
    }

    /// The first armed scenario that applies to `req`, one use consumed.
    pub(crate) fn take(&self, tenant: &str, req: &Request<'_>) -> Option<(Arc<Scenario>, Ack)> {
        let mut inner = self.lock();
        let list = inner.tenants.get_mut(tenant)?;
        let i = list.iter().position(|a| a.scenario.applies_to(req))?;
        let scenario = list[i].scenario.clone();
        let mut batch = self.batch();
        let shared = self.durable.as_ref().is_some_and(|d| d.shared());
        if let Some(n) = list[i].remaining.as_mut() {
            let before = *n;
            *n = n.saturating_sub(1);
            if shared {
                // Replicas: the use counts only if no other replica took
                // it first (see `Engine::refresh_armed`).
                let id = scenario.name.to_ascii_lowercase();
                let left = *n;
                let after = (left > 0).then(|| record(tenant, &list[i]));
                if left == 0 {
                    list.remove(i);
                    if list.is_empty() {
                        inner.tenants.remove(tenant);
                    }
                }
                batch.push(crate::persist::Change::Consume {
                    tenant: tenant.to_owned(),
                    kind: KIND,
                    id,
                    before,
                    after,
                });
            } else if *n == 0 {
                batch.delete(tenant, KIND, &scenario.name.to_ascii_lowercase());
                list.remove(i);
                if list.is_empty() {
                    inner.tenants.remove(tenant);
                }
            } else if batch.enabled() {
                batch.push(crate::persist::Change::Put(record(tenant, &list[i])));
            }
        }
        Some((scenario, self.submit(batch)))
    }
}

impl ArmedSet {
    /// Replaces the tenant's armed scenario `name` with what the shared
    /// store holds now (after another replica consumed a use first).
    pub(crate) async fn refresh(&self, tenant: &str, name: &str) -> Result<(), String> {
        let Some(durable) = &self.durable else {
            return Ok(());
        };
        let id = name.to_ascii_lowercase();
        match durable.read(tenant, KIND, &id).await? {
            Some(r) => self.restore(&[&r], &RestoreContext::none()),
            None => {
                self.forget(tenant, KIND, &id);
                Ok(())
            }
        }
    }
}

impl TenantData for ArmedSet {
    fn reset_tenant(&self, tenant: &str) {
        self.lock().tenants.remove(tenant);
    }

    fn reset_all(&self) {
        self.lock().tenants.clear();
    }

    fn owns(&self, kind: &str) -> bool {
        kind == KIND
    }

    /// An armed scenario that no longer compiles is skipped and logged.
    fn restore(&self, records: &[&Record], _: &RestoreContext<'_>) -> Result<(), String> {
        let mut inner = self.lock();
        for r in records {
            let stored: StoredArmed = serde_json::from_slice(&r.body)
                .map_err(|e| format!("armed scenario {}: {e}", r.id))?;
            match compile(stored.scenario, &self.vocabularies) {
                Ok(mut s) => {
                    s.file = stored.file;
                    inner.next_order = inner.next_order.max(stored.order);
                    let list = inner.tenants.entry(r.tenant.clone()).or_default();
                    list.retain(|a| !a.scenario.name.eq_ignore_ascii_case(&s.name));
                    list.push(Armed {
                        scenario: Arc::new(s),
                        remaining: stored.remaining,
                        order: stored.order,
                    });
                    list.sort_by_key(|a| a.order);
                }
                Err(e) => {
                    tracing::warn!(scenario = %r.id, error = %e, "an armed scenario no longer loads")
                }
            }
        }
        Ok(())
    }

    fn forget(&self, tenant: &str, _: &str, id: &str) {
        let mut inner = self.lock();
        if let Some(list) = inner.tenants.get_mut(tenant) {
            list.retain(|a| !a.scenario.name.eq_ignore_ascii_case(id));
            if list.is_empty() {
                inner.tenants.remove(tenant);
            }
        }
    }

    fn export(&self, tenant: &str) -> Vec<Record> {
        self.lock()
            .tenants
            .get(tenant)
            .map(|l| l.iter().map(|a| record(tenant, a)).collect())
            .unwrap_or_default()
    }

    fn contains(&self, r: &Record) -> bool {
        self.lock().tenants.get(&r.tenant).is_some_and(|l| {
            l.iter()
                .any(|a| a.scenario.name.eq_ignore_ascii_case(&r.id))
        })
    }

    fn census(&self) -> crate::tenant::Census {
        self.counts()
            .into_iter()
            .map(|(t, n)| (t, vec![("armed scenarios", n)]))
            .collect()
    }
}
