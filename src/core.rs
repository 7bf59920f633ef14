//! The vendor-neutral core every module may use: configuration, tenant
//! clocks, the scenario engine, the journal, fixtures, metrics, the webhook
//! outbox and faults, plus every vendor's per-tenant data as a
//! [`TenantData`] handle. It never names a vendor.

use std::sync::Arc;

use crate::clock::Clocks;
use crate::config::Config;
use crate::delivery::Outbox;
use crate::faults::Faults;
use crate::fixtures;
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::scenario::Engine;
use crate::tenant::TenantData;

pub(crate) struct Core {
    pub(crate) config: Config,
    pub(crate) clocks: Clocks,
    pub(crate) scenarios: Engine,
    pub(crate) journal: Journal,
    pub(crate) fixtures: fixtures::Status,
    /// Every vendor's per-tenant data and the outbox, for tenant resets.
    pub(crate) tenant_data: Vec<Arc<dyn TenantData>>,
    /// Prometheus counters (`GET /metrics`).
    pub(crate) metrics: Metrics,
    /// Webhook deliveries waiting, in flight and done.
    pub(crate) outbox: Arc<Outbox>,
    pub(crate) faults: Faults,
    /// Becomes `true` when the server starts shutting down, so long-lived
    /// streams (the console's live feed) end and let it finish.
    pub(crate) stopping: tokio::sync::watch::Sender<bool>,
}

impl Core {
    /// Forgets everything one tenant holds: its data in every vendor, the
    /// outbox, armed scenarios, journal, clock and fault profile.
    pub(crate) fn reset_tenant(&self, tenant: &str) {
        self.scenarios.reset(tenant);
        self.journal.reset(tenant);
        self.clocks.reset(tenant);
        self.faults.reset_tenant(tenant);
        for d in &self.tenant_data {
            d.reset_tenant(tenant);
        }
    }

    /// [`Core::reset_tenant`] for every tenant.
    pub(crate) fn reset_all(&self) {
        self.scenarios.reset_all();
        self.journal.reset_all();
        self.clocks.reset_all();
        self.faults.reset_all();
        for d in &self.tenant_data {
            d.reset_all();
        }
    }
}
