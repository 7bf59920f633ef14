//! The vendor-neutral core every module may use: configuration, tenant
//! clocks, the scenario engine, the journal, fixtures, metrics, the webhook
//! outbox, faults and the durable store, plus every vendor's per-tenant data
//! as a [`TenantData`] handle. It never names a vendor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::clock::Clocks;
use crate::config::Config;
use crate::delivery::Outbox;
use crate::faults::Faults;
use crate::fixtures;
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::persist::{Ack, Applied, Change, Durable, Record};
use crate::scenario::Engine;
use crate::scenario::stored::{self as stored_scenarios, Restored};
use crate::tenant::{RestoreContext, TenantData};

pub(crate) struct Core {
    pub(crate) config: Config,
    pub(crate) clocks: Clocks,
    pub(crate) scenarios: Engine,
    pub(crate) journal: Journal,
    pub(crate) fixtures: fixtures::Status,
    /// Every vendor's per-tenant data.
    pub(crate) vendor_data: Vec<Arc<dyn TenantData>>,
    /// Prometheus counters (`GET /metrics`).
    pub(crate) metrics: Metrics,
    /// Webhook deliveries waiting, in flight and done.
    pub(crate) outbox: Arc<Outbox>,
    pub(crate) faults: Faults,
    /// Where every change is made durable (nowhere in memory mode).
    pub(crate) durable: Arc<Durable>,
    /// When each tenant was last written, for forgetting idle ones.
    pub(crate) idle: crate::idle::Idle,
    /// Becomes `true` when the server starts shutting down, so long-lived
    /// streams (the console's live feed) end and let it finish.
    pub(crate) stopping: tokio::sync::watch::Sender<bool>,
    /// Stored scenarios restored so far: records of other replicas refer to
    /// scenarios written in earlier changes.
    pub(crate) restored: Mutex<Restored>,
}

impl Core {
    /// Every holder of per-tenant data: the vendors, the outbox, clocks,
    /// armed scenarios and fault profiles.
    pub(crate) fn parts(&self) -> Vec<&dyn TenantData> {
        let mut parts: Vec<&dyn TenantData> = self.vendor_data.iter().map(|d| d.as_ref()).collect();
        parts.push(self.outbox.as_ref());
        parts.push(&self.clocks);
        parts.push(self.scenarios.armed_set());
        parts.push(&self.faults);
        parts
    }

    /// Forgets idle tenants (every part, the journal, their durable records)
    /// until the process ends; returns at once when tenants never expire.
    /// Writes other replicas made count as writes here too.
    pub(crate) async fn sweep_idle(self: Arc<Self>) {
        let Some(every) = self.idle.every() else {
            return;
        };
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // Replicas sharing a store all note every write (their own and
            // the ones they apply); only the leader forgets, once for all.
            if !self.durable.leads() {
                continue;
            }
            for tenant in self.idle.expired(std::time::Instant::now()) {
                let ack = self.reset_tenant(&tenant);
                if let Err(e) = ack.wait().await {
                    tracing::error!(error = %e, %tenant, "an idle tenant's records could not be deleted");
                } else {
                    tracing::info!(%tenant, "forgot an idle tenant");
                }
            }
        }
    }

    /// Forgets everything one tenant holds: its data in every vendor, the
    /// outbox, armed scenarios, journal, clock and fault profile, durable
    /// records included. Returns the commit to wait for.
    pub(crate) fn reset_tenant(&self, tenant: &str) -> Ack {
        let mut batch = self.durable.batch();
        batch.push(Change::DeleteTenant(tenant.to_owned()));
        let ack = self.durable.submit(batch);
        self.journal.reset(tenant);
        for part in self.parts() {
            part.reset_tenant(tenant);
        }
        ack
    }

    /// [`Core::reset_tenant`] for every tenant.
    pub(crate) fn reset_all(&self) -> Ack {
        let mut batch = self.durable.batch();
        batch.push(Change::DeleteAll);
        let ack = self.durable.submit(batch);
        self.durable.forget_written();
        self.journal.reset_all();
        for part in self.parts() {
            part.reset_all();
        }
        ack
    }

    /// Puts stored records back into every part (startup and import).
    /// Scenario records come first: checks refer to them.
    pub(crate) fn restore(&self, records: &[Record]) -> Result<(), String> {
        let refs: Vec<&Record> = records.iter().collect();
        self.restore_refs(&refs)
    }

    fn restore_refs(&self, records: &[&Record]) -> Result<(), String> {
        let mut scenarios = self.restored.lock().unwrap_or_else(|e| e.into_inner());
        // Other replicas' checks may refer to a scenario this one wrote.
        let mine = self.durable.take_shared();
        for r in mine
            .iter()
            .chain(records.iter().copied())
            .filter(|r| r.kind == stored_scenarios::KIND)
        {
            scenarios.add(r, self.scenarios.vocabularies());
        }
        let ctx = RestoreContext {
            scenarios: &scenarios,
        };
        let parts = self.parts();
        let mut groups: HashMap<usize, Vec<&Record>> = HashMap::new();
        for r in records.iter().filter(|r| r.kind != stored_scenarios::KIND) {
            let i = parts.iter().position(|p| p.owns(&r.kind)).ok_or_else(|| {
                format!(
                    "record kind '{}' is unknown to this build (written by a newer kyc-sandbox?)",
                    r.kind
                )
            })?;
            groups.entry(i).or_default().push(*r);
        }
        let mut order: Vec<usize> = groups.keys().copied().collect();
        order.sort_unstable();
        for i in order {
            parts[i].restore(&groups[&i], &ctx)?;
        }
        Ok(())
    }

    /// Applies what other replicas changed, in order: puts restore their
    /// records (runs of puts together, scenarios first), deletes forget them,
    /// resets forget all but the records they keep.
    pub(crate) fn apply(&self, items: &[Applied]) {
        let parts = self.parts();
        let mut run: Vec<&Record> = Vec::new();
        let flush = |run: &mut Vec<&Record>| {
            if !run.is_empty() {
                if let Err(e) = self.restore_refs(run) {
                    tracing::error!(error = %e, "a record of another replica does not load");
                }
                run.clear();
            }
        };
        for item in items {
            match item {
                Applied::Put(r) => {
                    self.idle.wrote(&r.tenant);
                    run.push(r);
                }
                Applied::Delete { tenant, kind, id } => {
                    self.idle.wrote(tenant);
                    flush(&mut run);
                    if let Some(p) = parts.iter().find(|p| p.owns(kind)) {
                        p.forget(tenant, kind, id);
                    }
                }
                Applied::Reset { tenant, keep } => {
                    flush(&mut run);
                    let kept = self.kept(keep);
                    self.journal.reset(tenant);
                    for part in &parts {
                        part.reset_tenant(tenant);
                    }
                    flush(&mut kept.iter().collect());
                }
                Applied::ResetAll { keep } => {
                    flush(&mut run);
                    let kept = self.kept(keep);
                    self.journal.reset_all();
                    for part in &parts {
                        part.reset_all();
                    }
                    self.durable.forget_written();
                    flush(&mut kept.iter().collect());
                }
            }
        }
        flush(&mut run);
    }

    /// The records memory holds under `keys` (a reset keeps them).
    fn kept(&self, keys: &[(String, String, String)]) -> Vec<Record> {
        let mut tenants: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
        tenants.sort_unstable();
        tenants.dedup();
        let wanted: std::collections::HashSet<(&str, &str, &str)> = keys
            .iter()
            .map(|(t, k, id)| (t.as_str(), k.as_str(), id.as_str()))
            .collect();
        tenants
            .into_iter()
            .flat_map(|t| self.export(t))
            .filter(|r| wanted.contains(&(r.tenant.as_str(), r.kind.as_str(), r.id.as_str())))
            .collect()
    }

    /// Makes memory reflect every change other replicas committed before
    /// this call (nothing to do unless the store is shared).
    pub(crate) async fn catch_up(&self) -> Result<(), String> {
        self.durable.catch_up(|f| self.apply(f)).await
    }

    /// Every record one tenant holds (the outbox's history aside).
    pub(crate) fn export(&self, tenant: &str) -> Vec<Record> {
        self.parts().iter().flat_map(|p| p.export(tenant)).collect()
    }

    /// The records of `incoming` the tenant already holds (import collisions).
    pub(crate) fn collisions<'a>(&self, incoming: &'a [Record]) -> Vec<&'a Record> {
        let parts = self.parts();
        incoming
            .iter()
            .filter(|r| parts.iter().any(|p| p.contains(r)))
            .collect()
    }
}
