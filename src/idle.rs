//! Idle tenants: when each tenant was last written, and forgetting the ones
//! idle for longer than `--tenant-idle-ttl`.
//!
//! Idleness is measured on real time, not on the tenant's virtual clock: a
//! test that advances its clock by a year has not been idle for a year, and
//! a shared instance is cleaned up on the schedule its operator sees. A
//! write is any successful non-GET request carrying the tenant's key (API or
//! admin); reads never keep a tenant alive or create one. Tenants restored
//! at startup count as written then.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct Idle {
    ttl: Option<Duration>,
    last_write: Mutex<HashMap<String, Instant, foldhash::fast::RandomState>>,
}

impl Idle {
    /// `None`: tenants are kept forever.
    pub(crate) fn new(ttl: Option<Duration>) -> Self {
        Idle {
            ttl,
            last_write: Mutex::default(),
        }
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, Instant, foldhash::fast::RandomState>> {
        self.last_write.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether tenants expire at all (writes need not be noted when not).
    pub(crate) fn enabled(&self) -> bool {
        self.ttl.is_some()
    }

    /// Notes a successful write to `tenant`.
    pub(crate) fn wrote(&self, tenant: &str) {
        if !self.enabled() || tenant.is_empty() {
            return;
        }
        let now = Instant::now();
        let mut map = self.lock();
        match map.get_mut(tenant) {
            Some(at) => *at = now,
            None => {
                map.insert(tenant.to_owned(), now);
            }
        }
    }

    /// The tenants idle for the whole TTL at `now`, no longer watched.
    pub(crate) fn expired(&self, now: Instant) -> Vec<String> {
        let Some(ttl) = self.ttl else {
            return Vec::new();
        };
        let mut gone = Vec::new();
        self.lock().retain(|tenant, at| {
            let keep = now.saturating_duration_since(*at) < ttl;
            if !keep {
                gone.push(tenant.clone());
            }
            keep
        });
        gone
    }

    /// How often to look for idle tenants: a tenth of the TTL, between
    /// 100 ms and a minute.
    pub(crate) fn every(&self) -> Option<Duration> {
        let ttl = self.ttl?;
        Some((ttl / 10).clamp(Duration::from_millis(100), Duration::from_secs(60)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tenants_idle_for_the_whole_ttl_expire() {
        let idle = Idle::new(Some(Duration::from_secs(60)));
        idle.wrote("old");
        idle.wrote("new");
        let later = Instant::now() + Duration::from_secs(61);
        let mut gone = idle.expired(later);
        gone.sort();
        assert_eq!(gone, ["new", "old"]);
        assert!(idle.expired(later).is_empty(), "forgotten once");
        idle.wrote("fresh");
        assert!(idle.expired(Instant::now()).is_empty());

        let never = Idle::new(None);
        never.wrote("kept");
        assert!(never.expired(later).is_empty());
        assert!(never.every().is_none());
    }
}
