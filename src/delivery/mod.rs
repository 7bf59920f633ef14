//! Vendor-neutral webhook delivery: the outbox and its workers, signing and
//! retry policy, and the tenant-clock timers that retries and resource
//! lifecycles share.

mod model;
mod outbox;
mod signing;
mod stored;
mod timers;

pub(crate) use model::{DeliveryFilter, DeliveryState, Directory, Event, NewDelivery, Target};
pub(crate) use outbox::{Limits, Outbox};
pub(crate) use timers::Timers;
