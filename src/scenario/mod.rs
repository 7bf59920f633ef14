//! The vendor-neutral scenario engine: which outcome a request gets.
//!
//! Vendors describe a request as a [`Request`] (generic parts plus the
//! vendor's [`Facts`]) and get back a [`Selected`] whose [`Effect`] they
//! apply when rendering; [`decide`] is the one step every vendor uses for
//! the transport effects. What vendor keys a scenario may use is each
//! vendor's [`Vocabulary`]. This module never imports a vendor module.

mod apply;
mod armed;
mod catalog;
mod compile;
mod engine;
mod matching;
mod merge;
mod model;
pub(crate) mod stored;
mod suggest;
mod vocabulary;

#[cfg(test)]
mod tests;

pub(crate) use apply::{decide, tag};
pub(crate) use catalog::Catalog;
pub(crate) use compile::compile;
pub(crate) use engine::{Engine, Selected, Source};
pub(crate) use matching::{Facts, NoFacts, Request};
pub(crate) use merge::deep_merge;
pub(crate) use model::{DEFAULT_NAME, Effect, Scenario};
pub(crate) use vocabulary::{Key, Kind, Vocabulary};
