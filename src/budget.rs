//! How much request body the sandbox holds at once, across every request.
//!
//! Each route has a body limit sized to what its vendor accepts
//! ([`crate::vendor::Vendor::body_limit`]); the budget bounds their sum. A
//! request reserves what it may hold (its `Content-Length`, or its route's
//! limit when the length is not announced) before its body is read, and
//! gives it back when its answer is ready. Beyond the budget a request waits
//! [`WAIT`] for room, then gets the vendor's 503.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request waits for room before it is refused.
pub(crate) const WAIT: Duration = Duration::from_secs(2);

/// The budget is counted in units of this many bytes.
const UNIT: usize = 1024;

/// Request bodies in flight, bounded.
pub(crate) struct BodyBudget {
    room: Arc<Semaphore>,
    units: usize,
    wait: Duration,
}

/// Room held for one request's body; given back when dropped.
pub(crate) struct Reserved(#[expect(dead_code, reason = "held for its drop")] OwnedSemaphorePermit);

impl BodyBudget {
    pub(crate) fn new(bytes: usize) -> Self {
        Self::waiting(bytes, WAIT)
    }

    fn waiting(bytes: usize, wait: Duration) -> Self {
        let units = bytes
            .div_ceil(UNIT)
            .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
        BodyBudget {
            room: Arc::new(Semaphore::new(units)),
            units,
            wait,
        }
    }

    /// Reserves room for `bytes` (a body larger than the whole budget takes
    /// all of it), waiting up to the budget's wait; `None` when there was none.
    pub(crate) async fn reserve(&self, bytes: usize) -> Option<Reserved> {
        let units = bytes.div_ceil(UNIT).clamp(1, self.units);
        let units = u32::try_from(units).unwrap_or(u32::MAX);
        let wanted = self.room.clone().acquire_many_owned(units);
        match tokio::time::timeout(self.wait, wanted).await {
            Ok(Ok(permit)) => Some(Reserved(permit)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn room_comes_back_when_a_reservation_is_dropped() {
        let budget = BodyBudget::waiting(10 * UNIT, Duration::from_millis(10));
        let held = budget.reserve(8 * UNIT).await.expect("room");
        // Larger than what is left: refused once the wait is over.
        assert!(budget.reserve(4 * UNIT).await.is_none());
        drop(held);
        assert!(budget.reserve(4 * UNIT).await.is_some());
        // Larger than the whole budget: takes all of it.
        assert!(budget.reserve(100 * UNIT).await.is_some());
    }
}
