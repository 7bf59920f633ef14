//! Per-tenant ComplyCube data. Each API key owns one [`Tenant`] behind its own
//! mutex; handlers reach it only through [`Store::read`] and
//! [`Store::write`], whose closures cannot `.await`, so no lock is ever held
//! across one. A write's changes go to the durable store in the same
//! critical section and the write returns once they are committed; a tenant
//! comes into being only through a successful write.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, RwLock};

use super::error::ApiError;
use super::persist;
use super::tenant::Tenant;
use super::webhook::SIGNATURE_HEADER;
use crate::delivery::{Directory, Target};
use crate::ids::ObjectId;
use crate::persist::{Ack, Batch, Durable, Record};
use crate::tenant::{RestoreContext, TenantData};

/// What a read of a tenant that never wrote anything sees.
static EMPTY: LazyLock<Tenant> = LazyLock::new(Tenant::default);

pub(crate) struct Store {
    tenants: RwLock<HashMap<String, Arc<Mutex<Tenant>>, foldhash::fast::RandomState>>,
    durable: Arc<Durable>,
    /// Which tenant each hosted Flow session belongs to: its page is
    /// reached by the session's random id alone.
    flows: RwLock<HashMap<ObjectId, String>>,
}

fn lock(t: &Mutex<Tenant>) -> std::sync::MutexGuard<'_, Tenant> {
    t.lock().unwrap_or_else(|e| e.into_inner())
}

impl Store {
    pub(crate) fn new(durable: Arc<Durable>) -> Self {
        Store {
            tenants: RwLock::default(),
            durable,
            flows: RwLock::default(),
        }
    }

    fn existing(&self, key: &str) -> Option<Arc<Mutex<Tenant>>> {
        self.tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Runs `f` on the tenant's data (an empty tenant when it never wrote).
    pub(crate) fn read<R>(&self, key: &str, f: impl FnOnce(&Tenant) -> R) -> R {
        match self.existing(key) {
            Some(t) => f(&lock(&t)),
            None => f(&EMPTY),
        }
    }

    /// Runs `f` with the tenant's data locked, queues what it changed for
    /// the durable store, and returns the outcome with the commit to wait for.
    fn apply<R>(
        &self,
        key: &str,
        f: impl FnOnce(&mut Tenant, &mut Batch) -> Result<R, ApiError>,
    ) -> Result<(R, Ack), ApiError> {
        let finish = |t: &mut Tenant, mut batch: Batch, out: Result<R, ApiError>| {
            t.forget_renderings();
            persist::drain(t, key, &self.durable, &mut batch);
            let ack = self.durable.submit(batch);
            out.map(|r| (r, ack))
        };
        if let Some(t) = self.existing(key) {
            let mut guard = lock(&t);
            let mut batch = self.durable.batch();
            let out = f(&mut guard, &mut batch);
            return finish(&mut guard, batch, out);
        }
        // A new tenant exists only if the write succeeds; holding the map's
        // write lock meanwhile makes a concurrent first write wait for it.
        let mut map = self.tenants.write().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = map.get(key).cloned() {
            drop(map);
            let mut guard = lock(&t);
            let mut batch = self.durable.batch();
            let out = f(&mut guard, &mut batch);
            return finish(&mut guard, batch, out);
        }
        let mut fresh = Tenant::default();
        let mut batch = self.durable.batch();
        let out = f(&mut fresh, &mut batch);
        let ok = out.is_ok();
        let out = finish(&mut fresh, batch, out);
        if ok {
            map.insert(key.to_owned(), Arc::new(Mutex::new(fresh)));
        }
        out
    }

    /// Changes the tenant's data and returns once the change is durable.
    pub(crate) async fn write<R>(
        &self,
        key: &str,
        f: impl FnOnce(&mut Tenant, &mut Batch) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let (r, ack) = self.apply(key, f)?;
        ack.wait().await.map_err(ApiError::from)?;
        Ok(r)
    }

    /// Changes the tenant's data from background work: queued behind every
    /// earlier change, not waited for.
    pub(crate) fn write_detached(&self, key: &str, f: impl FnOnce(&mut Tenant, &mut Batch)) {
        let _ = self.apply(key, |t, b| {
            f(t, b);
            Ok(())
        });
    }

    /// Remembers that a Flow session belongs to `tenant`.
    pub(crate) fn index_flow(&self, id: ObjectId, tenant: &str) {
        self.flows
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, tenant.to_owned());
    }

    /// The tenant a Flow session belongs to.
    pub(crate) fn flow_tenant(&self, id: &ObjectId) -> Option<String> {
        self.flows
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Every tenant that has written something.
    pub(crate) fn tenant_keys(&self) -> Vec<String> {
        self.tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }
}

impl TenantData for Store {
    fn reset_tenant(&self, tenant: &str) {
        self.tenants
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant);
        self.flows
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, t| t != tenant);
    }

    fn reset_all(&self) {
        self.tenants
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.flows
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn owns(&self, kind: &str) -> bool {
        kind.starts_with(persist::PREFIX)
    }

    fn restore(&self, records: &[&Record], ctx: &RestoreContext<'_>) -> Result<(), String> {
        let mut by_tenant: HashMap<&str, Vec<&Record>> = HashMap::new();
        for r in records {
            by_tenant.entry(r.tenant.as_str()).or_default().push(r);
        }
        let mut map = self.tenants.write().unwrap_or_else(|e| e.into_inner());
        for (tenant, list) in by_tenant {
            let t = map.entry(tenant.to_owned()).or_default().clone();
            let mut guard = lock(&t);
            persist::restore(&mut guard, &list, ctx.scenarios)?;
            for s in guard.flow_sessions.iter_oldest() {
                self.index_flow(s.id, tenant);
            }
        }
        Ok(())
    }

    fn forget(&self, tenant: &str, kind: &str, id: &str) {
        if let Some(t) = self.existing(tenant) {
            let mut guard = lock(&t);
            guard.forget_renderings();
            persist::forget(&mut guard, kind, id);
        }
    }

    fn export(&self, tenant: &str) -> Vec<Record> {
        self.read(tenant, |t| persist::export(t, tenant))
    }

    fn contains(&self, record: &Record) -> bool {
        self.read(&record.tenant, |t| persist::contains(t, record))
    }

    fn census(&self) -> crate::tenant::Census {
        let tenants: Vec<(String, Arc<Mutex<Tenant>>)> = self
            .tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, t)| (k.clone(), t.clone()))
            .collect();
        tenants
            .into_iter()
            .filter_map(|(key, t)| {
                let t = t.lock().unwrap_or_else(|e| e.into_inner());
                let counts: Vec<(&'static str, usize)> = [
                    ("clients", t.clients.len()),
                    ("checks", t.checks.len()),
                    ("documents", t.documents.len()),
                    ("live photos", t.live_photos.len()),
                    ("live videos", t.live_videos.len()),
                    ("webhooks", t.webhooks.len()),
                    ("flow sessions", t.flow_sessions.len()),
                    ("workflow sessions", t.workflow_sessions.len()),
                    ("audit log entries", t.audit_log.len()),
                ]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .collect();
                (!counts.is_empty()).then_some((key, counts))
            })
            .collect()
    }
}

/// The outbox looks webhooks up here at each attempt.
impl Directory for Store {
    fn target(&self, tenant: &str, webhook_id: &str) -> Option<Target> {
        let id = ObjectId::parse(webhook_id)?;
        self.read(tenant, |t| {
            t.webhooks.get(&id).map(|w| Target {
                url: w.url.clone(),
                secret: w.secret.clone(),
                enabled: w.enabled,
            })
        })
    }

    fn signature_header(&self) -> &'static str {
        SIGNATURE_HEADER
    }

    fn disable(&self, tenant: &str, webhook_id: &str) {
        let Some(id) = ObjectId::parse(webhook_id) else {
            return;
        };
        self.write_detached(tenant, |t, _| {
            if let Some(w) = t.webhooks.get_mut(&id) {
                w.enabled = false;
            }
        });
    }
}
