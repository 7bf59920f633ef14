//! Vendor-neutral fault injection: latency, injected error statuses, dropped
//! connections and a per-key rate limit.
//!
//! Faults come from three places, the most specific winning:
//! 1. the `X-Sandbox-Fault` request header (`drop`, `error`, `error:503`,
//!    `latency:250`, `rate-limit`, comma-separated);
//! 2. a tenant's fault profile set through `PUT /__admin/faults`;
//! 3. the global flags (`--latency-ms`, `--fault-error-rate`, …).
//!
//! Random draws (jitter, error and drop rates) come from a per-tenant RNG
//! seeded with the profile's seed, so a given tenant replays the same
//! sequence of faults for the same sequence of requests. This module decides
//! *what* happens; the vendor's [`Replies`](crate::reply::Replies) render it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::persist::{Ack, Durable, Record};
use crate::tenant::{RestoreContext, TenantData};

/// The request header that asks for a fault on one request.
pub(crate) const FAULT_HEADER: &str = "x-sandbox-fault";

/// Requests per window the documented sandbox rate limit allows.
pub(crate) const RATE_LIMIT_REQUESTS: usize = 5;
pub(crate) const RATE_LIMIT_WINDOW: Duration = Duration::from_secs(1);

/// What faults apply to a tenant's requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct Profile {
    pub(crate) latency_ms: u64,
    pub(crate) latency_jitter_ms: u64,
    /// 0..1: share of requests answered with `error_status`.
    pub(crate) error_rate: f64,
    pub(crate) error_status: u16,
    /// 0..1: share of requests whose connection is dropped.
    pub(crate) drop_rate: f64,
    /// The vendor's documented rate limit (where it documents one).
    pub(crate) rate_limit: bool,
    pub(crate) seed: u64,
}

impl Profile {
    pub(crate) fn from_config(c: &Config) -> Self {
        Profile {
            latency_ms: c.latency_ms,
            latency_jitter_ms: c.latency_jitter_ms,
            error_rate: c.fault_error_rate,
            error_status: c.fault_error_status,
            drop_rate: c.fault_drop_rate,
            rate_limit: c.rate_limit,
            seed: c.fault_seed,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        for (name, v) in [("errorRate", self.error_rate), ("dropRate", self.drop_rate)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("'{name}' must be between 0 and 1"));
            }
        }
        if !(400..=599).contains(&self.error_status) {
            return Err("'errorStatus' must be between 400 and 599".into());
        }
        Ok(())
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Pass,
    /// Answer with this status and the vendor's error body.
    Error(u16),
    /// The vendor's rate-limit answer.
    RateLimited,
    /// Close the connection without a response.
    Drop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) latency: Option<Duration>,
    pub(crate) action: Action,
}

struct TenantFaults {
    profile: Option<Profile>,
    rng: StdRng,
    hits: VecDeque<Instant>,
}

pub(crate) struct Faults {
    global: Profile,
    /// Whether the global profile injects anything.
    global_active: bool,
    /// Tenants with their own profile.
    custom: AtomicUsize,
    tenants: Mutex<HashMap<String, TenantFaults>>,
    durable: Option<Arc<Durable>>,
}

/// Keys with fault state past which idle ones (no profile of their own, no
/// request in the rate-limit window) are forgotten; a forgotten key's
/// draws start again from the seed.
const KEPT_STATES: usize = 4096;

/// The record kind of a tenant's fault profile.
const KIND: &str = "faults";

impl Faults {
    pub(crate) fn new(global: Profile) -> Self {
        let global_active = global
            != Profile {
                error_status: global.error_status,
                seed: global.seed,
                ..Profile::default()
            };
        Faults {
            global,
            global_active,
            custom: AtomicUsize::new(0),
            tenants: Mutex::new(HashMap::new()),
            durable: None,
        }
    }

    /// Faults whose tenant profiles are kept in the durable store.
    pub(crate) fn durable(global: Profile, durable: Arc<Durable>) -> Self {
        Faults {
            durable: Some(durable),
            ..Faults::new(global)
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TenantFaults>> {
        self.tenants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether anything could ever be injected (skips all work when not).
    fn idle(&self) -> bool {
        !self.global_active && self.custom.load(Ordering::Relaxed) == 0
    }

    /// The profile in force for a tenant.
    pub(crate) fn profile(&self, tenant: &str) -> Profile {
        self.lock()
            .get(tenant)
            .and_then(|t| t.profile.clone())
            .unwrap_or_else(|| self.global.clone())
    }

    /// Sets (or with `None` clears) a tenant's profile; restarts its RNG.
    /// Returns the commit of the stored profile.
    pub(crate) fn set_profile(&self, tenant: &str, profile: Option<Profile>) -> Ack {
        let mut batch = self.durable.as_ref().map(|d| d.batch()).unwrap_or_default();
        match &profile {
            Some(p) => batch.put(tenant, KIND, KIND, None, p, None),
            None => batch.delete(tenant, KIND, KIND),
        }
        let _map = self.apply_profile(tenant, profile);
        match &self.durable {
            Some(d) => d.submit(batch),
            None => Ack::done(),
        }
    }

    /// Sets the profile in memory; returns the lock so a caller can order
    /// its durable write under it.
    fn apply_profile(
        &self,
        tenant: &str,
        profile: Option<Profile>,
    ) -> std::sync::MutexGuard<'_, HashMap<String, TenantFaults>> {
        let seed = profile.as_ref().unwrap_or(&self.global).seed;
        let mut map = self.lock();
        let t = map
            .entry(tenant.to_owned())
            .or_insert_with(|| TenantFaults {
                profile: None,
                rng: StdRng::seed_from_u64(seed),
                hits: VecDeque::new(),
            });
        match (t.profile.is_some(), profile.is_some()) {
            (false, true) => {
                self.custom.fetch_add(1, Ordering::Relaxed);
            }
            (true, false) => {
                self.custom.fetch_sub(1, Ordering::Relaxed);
            }
            _ => {}
        }
        t.profile = profile;
        t.rng = StdRng::seed_from_u64(seed);
        t.hits.clear();
        map
    }

    /// Decides the fate of one request. `rate_limited_api` says whether the
    /// vendor documents a rate limit for this route.
    pub(crate) fn decide(
        &self,
        tenant: &str,
        header: Option<&str>,
        rate_limited_api: bool,
    ) -> Plan {
        let mut plan = Plan {
            latency: None,
            action: Action::Pass,
        };
        if let Some(h) = header {
            for part in h.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (name, arg) = part.split_once(':').unwrap_or((part, ""));
                match (name.trim().to_ascii_lowercase().as_str(), arg.trim()) {
                    ("drop", _) => plan.action = Action::Drop,
                    ("error", "") => plan.action = Action::Error(500),
                    ("error", s) => {
                        plan.action = Action::Error(
                            s.parse()
                                .ok()
                                .filter(|s| (400..=599).contains(s))
                                .unwrap_or(500),
                        )
                    }
                    ("rate-limit", _) => plan.action = Action::RateLimited,
                    ("latency", ms) => {
                        plan.latency = ms.parse().ok().map(Duration::from_millis);
                    }
                    _ => {}
                }
            }
            if plan.action != Action::Pass || plan.latency.is_some() {
                return plan;
            }
        }
        if self.idle() {
            return plan;
        }
        let mut map = self.lock();
        if map.len() >= KEPT_STATES && !map.contains_key(tenant) {
            // Keys without their own profile and with no request in the
            // rate-limit window hold nothing worth keeping: forgetting them
            // bounds this map by the keys active within one window.
            let now = Instant::now();
            map.retain(|_, t| {
                t.profile.is_some()
                    || t.hits
                        .back()
                        .is_some_and(|h| now.duration_since(*h) < RATE_LIMIT_WINDOW)
            });
        }
        let t = map
            .entry(tenant.to_owned())
            .or_insert_with(|| TenantFaults {
                profile: None,
                rng: StdRng::seed_from_u64(self.global.seed),
                hits: VecDeque::new(),
            });
        let p = t.profile.clone().unwrap_or_else(|| self.global.clone());
        let mut latency = p.latency_ms;
        if p.latency_jitter_ms > 0 {
            latency += t.rng.gen_range(0..=p.latency_jitter_ms);
        }
        if latency > 0 {
            plan.latency = Some(Duration::from_millis(latency));
        }
        if p.rate_limit && rate_limited_api {
            let now = Instant::now();
            while t
                .hits
                .front()
                .is_some_and(|h| now.duration_since(*h) >= RATE_LIMIT_WINDOW)
            {
                t.hits.pop_front();
            }
            if t.hits.len() >= RATE_LIMIT_REQUESTS {
                plan.action = Action::RateLimited;
                return plan;
            }
            t.hits.push_back(now);
        }
        if p.error_rate > 0.0 && t.rng.gen_bool(p.error_rate.clamp(0.0, 1.0)) {
            plan.action = Action::Error(p.error_status);
        } else if p.drop_rate > 0.0 && t.rng.gen_bool(p.drop_rate.clamp(0.0, 1.0)) {
            plan.action = Action::Drop;
        }
        plan
    }

    /// Whether the tenant has its own profile (not the global one).
    pub(crate) fn has_custom(&self, tenant: &str) -> bool {
        self.lock().get(tenant).is_some_and(|t| t.profile.is_some())
    }

    /// Forgets the tenant's profile, RNG and rate-limit window (tenant reset).
    pub(crate) fn reset_tenant(&self, tenant: &str) {
        if self
            .lock()
            .remove(tenant)
            .is_some_and(|t| t.profile.is_some())
        {
            self.custom.fetch_sub(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn reset_all(&self) {
        self.lock().clear();
        self.custom.store(0, Ordering::Relaxed);
    }
}

impl TenantData for Faults {
    fn reset_tenant(&self, tenant: &str) {
        Faults::reset_tenant(self, tenant);
    }

    fn reset_all(&self) {
        Faults::reset_all(self);
    }

    fn owns(&self, kind: &str) -> bool {
        kind == KIND
    }

    fn restore(&self, records: &[&Record], _: &RestoreContext<'_>) -> Result<(), String> {
        for r in records {
            let p: Profile = serde_json::from_slice(&r.body)
                .map_err(|e| format!("fault profile of {}: {e}", r.tenant))?;
            drop(self.apply_profile(&r.tenant, Some(p)));
        }
        Ok(())
    }

    fn forget(&self, tenant: &str, _: &str, _: &str) {
        Faults::reset_tenant(self, tenant);
    }

    fn export(&self, tenant: &str) -> Vec<Record> {
        self.lock()
            .get(tenant)
            .and_then(|t| t.profile.as_ref())
            .map(|p| Record {
                tenant: tenant.to_owned(),
                kind: KIND.to_owned(),
                id: KIND.to_owned(),
                owner: None,
                body: serde_json::to_vec(p).unwrap_or_default(),
                data: None,
            })
            .into_iter()
            .collect()
    }

    fn contains(&self, _: &Record) -> bool {
        false
    }

    fn census(&self) -> crate::tenant::Census {
        self.lock()
            .iter()
            .filter(|(_, t)| t.profile.is_some())
            .map(|(tenant, _)| (tenant.clone(), vec![("fault profile", 1)]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(error_rate: f64, seed: u64) -> Profile {
        Profile {
            error_rate,
            error_status: 503,
            seed,
            ..Profile::default()
        }
    }

    #[test]
    fn same_seed_same_sequence_per_tenant() {
        let f = Faults::new(profile(0.5, 7));
        let seq = |t: &str| -> Vec<bool> {
            (0..32)
                .map(|_| f.decide(t, None, true).action == Action::Error(503))
                .collect()
        };
        let a = seq("a");
        assert_eq!(a, seq("b"));
        assert!(a.contains(&true) && a.contains(&false));
        let g = Faults::new(profile(0.5, 8));
        let other: Vec<bool> = (0..32)
            .map(|_| g.decide("a", None, true).action == Action::Error(503))
            .collect();
        assert_ne!(a, other);
    }

    #[test]
    fn header_wins_and_parses() {
        let f = Faults::new(Profile::default());
        assert_eq!(f.decide("a", Some("drop"), true).action, Action::Drop);
        assert_eq!(
            f.decide("a", Some("error:418"), true).action,
            Action::Error(418)
        );
        let p = f.decide("a", Some("latency:5"), true);
        assert_eq!(p.latency, Some(Duration::from_millis(5)));
        assert_eq!(f.decide("a", None, true).action, Action::Pass);
    }

    #[test]
    fn rate_limit_allows_five_per_second() {
        let f = Faults::new(Profile {
            rate_limit: true,
            ..Profile::default()
        });
        let limited = (0..10)
            .filter(|_| f.decide("a", None, true).action == Action::RateLimited)
            .count();
        assert_eq!(limited, 5);
        assert_eq!(f.decide("b", None, false).action, Action::Pass);
    }
}
