//! Jobs due at a tenant's virtual time: the scheduler webhook retries and
//! resource lifecycles (checks leaving `pending`) use. Woken by the earliest
//! due time, a new job or any clock jump.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;

use crate::clock::Clocks;
use crate::ids::Millis;

struct Due<J> {
    at: Millis,
    seq: u64,
    job: J,
}

impl<J> PartialEq for Due<J> {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl<J> Eq for Due<J> {}
impl<J> PartialOrd for Due<J> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<J> Ord for Due<J> {
    /// Reversed: `BinaryHeap` pops the earliest first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

struct TimerState<J> {
    tenants: HashMap<String, BinaryHeap<Due<J>>>,
    seq: u64,
}

/// Jobs due at a tenant's virtual time.
pub(crate) struct Timers<J> {
    state: Mutex<TimerState<J>>,
    wake: Notify,
}

impl<J> Default for Timers<J> {
    fn default() -> Self {
        Timers {
            state: Mutex::new(TimerState {
                tenants: HashMap::new(),
                seq: 0,
            }),
            wake: Notify::new(),
        }
    }
}

impl<J: Send> Timers<J> {
    fn lock(&self) -> std::sync::MutexGuard<'_, TimerState<J>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `job` once the tenant's clock reaches `at`.
    pub(crate) fn schedule(&self, tenant: &str, at: Millis, job: J) {
        {
            let mut s = self.lock();
            s.seq += 1;
            let seq = s.seq;
            match s.tenants.get_mut(tenant) {
                Some(h) => h.push(Due { at, seq, job }),
                None => {
                    let mut h = BinaryHeap::new();
                    h.push(Due { at, seq, job });
                    s.tenants.insert(tenant.to_owned(), h);
                }
            }
        }
        self.wake.notify_one();
    }

    /// Forgets a tenant's pending jobs (tenant reset).
    pub(crate) fn clear_tenant(&self, tenant: &str) {
        self.lock().tenants.remove(tenant);
    }

    /// Pops what is due now; returns it with the real wait until the next job.
    fn take_due(&self, clocks: &Clocks) -> (Vec<(String, J)>, Option<Duration>) {
        let mut s = self.lock();
        let mut due = Vec::new();
        let mut next: Option<Duration> = None;
        for (tenant, heap) in s.tenants.iter_mut() {
            let now = clocks.now(tenant);
            while heap.peek().is_some_and(|d| d.at <= now) {
                if let Some(d) = heap.pop() {
                    due.push((tenant.clone(), d.job));
                }
            }
            if let Some(d) = heap.peek() {
                let wait = clocks.real_delay(d.at - now) + Duration::from_millis(1);
                next = Some(next.map_or(wait, |n| n.min(wait)));
            }
        }
        s.tenants.retain(|_, h| !h.is_empty());
        (due, next)
    }

    /// Forever: hands every due job to `handler`, sleeping until the earliest
    /// due time, a new job or a clock jump. No lock is held while waiting.
    pub(crate) async fn run(&self, clocks: &Clocks, mut handler: impl FnMut(&str, J)) {
        loop {
            // Created before looking, so a jump in between is not missed.
            let changed = clocks.changed();
            let (due, next) = self.take_due(clocks);
            for (tenant, job) in due {
                handler(&tenant, job);
            }
            let sleep = next
                .unwrap_or(Duration::from_secs(3600))
                .min(Duration::from_secs(3600));
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = changed => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_pop_in_due_order_per_tenant_clock() {
        let clocks = Clocks::new(1.0);
        let t0 = clocks.freeze("a").now_ms;
        clocks.freeze("b");
        let timers = Timers::default();
        timers.schedule("a", t0 + 2_000, 2);
        timers.schedule("a", t0 + 1_000, 1);
        timers.schedule("b", clocks.now("b") + 1_000, 9);
        assert!(timers.take_due(&clocks).0.is_empty());
        clocks.advance("a", 1_500);
        let (due, next) = timers.take_due(&clocks);
        assert_eq!(due, vec![("a".to_owned(), 1)]);
        assert!(next.is_some());
        clocks.advance("a", 10_000);
        assert_eq!(timers.take_due(&clocks).0, vec![("a".to_owned(), 2)]);
        assert!(timers.take_due(&clocks).0.is_empty(), "b's job is not due");
    }
}
