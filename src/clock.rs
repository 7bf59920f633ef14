//! Per-tenant virtual clocks.
//!
//! Every timestamp the sandbox writes and every delay it waits on is read from
//! here, never from `Utc::now()` directly, so a test can freeze a tenant's time
//! and jump it forward (`POST /__admin/clock/advance`) instead of sleeping.
//!
//! Virtual time for a tenant is `start_wall + real_elapsed × scale + offset`,
//! or a fixed instant while frozen. `scale` > 1 compresses every delay for
//! whole-suite runs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::ids::Millis;
use crate::persist::{Ack, Durable, Record};
use crate::tenant::{RestoreContext, TenantData};

/// The record kind of a tenant's clock.
const KIND: &str = "clock";

/// How far a tenant's clock may run ahead of real time: ten thousand years.
pub(crate) const MAX_OFFSET_MS: Millis = 10_000 * 366 * 86_400_000;

#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantClock {
    offset_ms: Millis,
    frozen_at: Option<Millis>,
}

/// What an admin sees of a tenant's clock.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClockView {
    pub(crate) now_ms: Millis,
    pub(crate) offset_ms: Millis,
    pub(crate) frozen: bool,
    pub(crate) scale: f64,
}

pub(crate) struct Clocks {
    scale: f64,
    start_real: Instant,
    start_wall: Millis,
    tenants: Mutex<HashMap<String, TenantClock>>,
    /// Whether any tenant's clock was ever adjusted: until then every read
    /// is the base time, without the lock.
    adjusted: AtomicBool,
    /// Woken whenever any clock jumps, so schedulers re-evaluate what is due.
    changed: Notify,
    durable: Option<Arc<Durable>>,
}

impl Clocks {
    pub(crate) fn new(scale: f64) -> Self {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        Clocks {
            scale,
            start_real: Instant::now(),
            start_wall: chrono::Utc::now().timestamp_millis(),
            tenants: Mutex::new(HashMap::new()),
            adjusted: AtomicBool::new(false),
            changed: Notify::new(),
            durable: None,
        }
    }

    /// Clocks whose adjustments are kept in the durable store.
    pub(crate) fn durable(scale: f64, durable: Arc<Durable>) -> Self {
        Clocks {
            durable: Some(durable),
            ..Clocks::new(scale)
        }
    }

    /// Hands the tenant's clock as it stands to the durable store.
    pub(crate) fn save(&self, tenant: &str) -> Ack {
        let Some(durable) = self.durable.as_ref().filter(|d| d.enabled()) else {
            return Ack::done();
        };
        let map = self.lock();
        let mut batch = durable.batch();
        match map.get(tenant) {
            Some(c) => batch.put(tenant, KIND, KIND, None, c, None),
            None => batch.delete(tenant, KIND, KIND),
        }
        durable.submit(batch)
    }

    fn base_now(&self) -> Millis {
        let elapsed = self.start_real.elapsed().as_secs_f64() * 1000.0 * self.scale;
        self.start_wall + elapsed as Millis
    }

    fn tenant(&self, tenant: &str) -> TenantClock {
        if !self.adjusted.load(Ordering::Acquire) {
            return TenantClock::default();
        }
        self.lock().get(tenant).copied().unwrap_or_default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TenantClock>> {
        self.tenants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The map to change: from now on, reads look tenants up.
    fn lock_for_change(&self) -> std::sync::MutexGuard<'_, HashMap<String, TenantClock>> {
        let map = self.lock();
        self.adjusted.store(true, Ordering::Release);
        map
    }

    /// The tenant's current virtual time.
    pub(crate) fn now(&self, tenant: &str) -> Millis {
        let t = self.tenant(tenant);
        t.frozen_at.unwrap_or_else(|| self.base_now() + t.offset_ms)
    }

    pub(crate) fn view(&self, tenant: &str) -> ClockView {
        let t = self.tenant(tenant);
        ClockView {
            now_ms: self.now(tenant),
            offset_ms: t.offset_ms,
            frozen: t.frozen_at.is_some(),
            scale: self.scale,
        }
    }

    /// Moves the tenant's clock forward by `ms` (frozen or not); `None`
    /// (and no change) when that would take it beyond [`MAX_OFFSET_MS`].
    pub(crate) fn advance(&self, tenant: &str, ms: Millis) -> Option<ClockView> {
        {
            let mut map = self.lock_for_change();
            let t = map.entry(tenant.to_owned()).or_default();
            let offset = t
                .offset_ms
                .checked_add(ms)
                .filter(|o| o.abs() <= MAX_OFFSET_MS)?;
            t.offset_ms = offset;
            if let Some(f) = t.frozen_at.as_mut() {
                *f += ms;
            }
        }
        self.changed.notify_waiters();
        Some(self.view(tenant))
    }

    /// Stops the tenant's clock at its current time.
    pub(crate) fn freeze(&self, tenant: &str) -> ClockView {
        let now = self.now(tenant);
        self.lock_for_change()
            .entry(tenant.to_owned())
            .or_default()
            .frozen_at = Some(now);
        self.view(tenant)
    }

    /// Lets the tenant's clock run again from where it stands.
    pub(crate) fn unfreeze(&self, tenant: &str) -> ClockView {
        let base = self.base_now();
        {
            let mut map = self.lock_for_change();
            let t = map.entry(tenant.to_owned()).or_default();
            if let Some(f) = t.frozen_at.take() {
                t.offset_ms = f - base;
            }
        }
        self.changed.notify_waiters();
        self.view(tenant)
    }

    /// Forgets one tenant's clock adjustments (tenant reset).
    pub(crate) fn reset(&self, tenant: &str) {
        self.lock().remove(tenant);
        self.changed.notify_waiters();
    }

    pub(crate) fn reset_all(&self) {
        self.lock().clear();
        self.changed.notify_waiters();
    }

    /// How long to really sleep for `virtual_ms` of the tenant's time to pass.
    pub(crate) fn real_delay(&self, virtual_ms: Millis) -> Duration {
        if virtual_ms <= 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(virtual_ms as f64 / 1000.0 / self.scale)
    }

    /// Resolves when some tenant's clock jumps. The future listens from the
    /// moment it is created (not first polled), so a scheduler can create it,
    /// look at what is due, then wait without missing a jump in between.
    pub(crate) fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }
}

impl TenantData for Clocks {
    fn reset_tenant(&self, tenant: &str) {
        self.reset(tenant);
    }

    fn reset_all(&self) {
        Clocks::reset_all(self);
    }

    fn owns(&self, kind: &str) -> bool {
        kind == KIND
    }

    fn restore(&self, records: &[&Record], _: &RestoreContext<'_>) -> Result<(), String> {
        let mut map = self.lock_for_change();
        for r in records {
            let c: TenantClock = serde_json::from_slice(&r.body)
                .map_err(|e| format!("clock of {}: {e}", r.tenant))?;
            map.insert(r.tenant.clone(), c);
        }
        drop(map);
        self.changed.notify_waiters();
        Ok(())
    }

    fn forget(&self, tenant: &str, _: &str, _: &str) {
        self.reset(tenant);
    }

    fn export(&self, tenant: &str) -> Vec<Record> {
        self.lock()
            .get(tenant)
            .map(|c| Record {
                tenant: tenant.to_owned(),
                kind: KIND.to_owned(),
                id: KIND.to_owned(),
                owner: None,
                body: serde_json::to_vec(c).unwrap_or_default(),
                data: None,
            })
            .into_iter()
            .collect()
    }

    fn contains(&self, _: &Record) -> bool {
        false
    }

    /// A clock is a setting, not data a tenant holds: nothing to count.
    fn census(&self) -> crate::tenant::Census {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_only_moves_when_advanced() {
        let c = Clocks::new(1.0);
        let t0 = c.freeze("test_a").now_ms;
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(c.now("test_a"), t0);
        c.advance("test_a", 60_000).unwrap();
        assert_eq!(c.now("test_a"), t0 + 60_000);
        // Another tenant is untouched.
        assert!(c.now("test_b") < t0 + 60_000);
    }

    #[test]
    fn unfreeze_continues_from_the_frozen_instant() {
        let c = Clocks::new(1.0);
        let f = c.freeze("k").now_ms;
        c.advance("k", 10_000).unwrap();
        c.unfreeze("k");
        let now = c.now("k");
        assert!(now >= f + 10_000 && now < f + 11_000);
    }

    #[test]
    fn advancing_past_the_bound_changes_nothing() {
        let c = Clocks::new(1.0);
        let before = c.view("k").offset_ms;
        assert!(c.advance("k", Millis::MAX).is_none());
        assert!(c.advance("k", MAX_OFFSET_MS).is_some());
        assert!(c.advance("k", 1).is_none());
        assert_eq!(c.view("k").offset_ms, before + MAX_OFFSET_MS);
    }
}
