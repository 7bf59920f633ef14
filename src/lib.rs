//! kyc-sandbox: a self-hosted sandbox that emulates the ComplyCube and Verifik
//! identity-verification APIs, so integration tests, CI and QA run against
//! it instead of the real vendors.
//!
//! The public surface is small on purpose: [`Config`] (and the command line
//! around it), [`build`], [`listen`] and [`serve`]. Everything else is crate-private.
//!
//! Modules in reading order:
//! - `config`: flags and `KYC_SANDBOX_*` variables (the only reader of the environment);
//! - `app`: the composition root: builds the core and the vendor plug-ins, the router, `serve`;
//! - vendor-neutral core: `core`, `tenant`, `vendor` (the plug-in trait), `reply`,
//!   `ids`, `clock`, `body`, `store`, `scenario`, `fixtures`, `journal`,
//!   `admin`, `console` (the QA web console), `delivery` (webhook outbox and
//!   tenant-clock timers), `faults`, `metrics`, `layers`, `openapi`;
//! - vendors: `complycube` (`/v1`), `verifik` (`/v2/face-recognition`).
//!
//! The core never imports a vendor module; vendors never import each other.

mod app;
mod config;

mod admin;
#[cfg(test)]
mod arbitrary;
mod body;
mod budget;
mod clock;
mod console;
mod core;
mod delivery;
mod docs;
mod faults;
mod fixtures;
mod idle;
mod ids;
mod journal;
mod layers;
mod metrics;
mod multipart;
mod number;
mod openapi;
mod persist;
mod reply;
mod scenario;
mod store;
mod tenant;
mod transfer;
mod vendor;

mod complycube;
mod verifik;

pub use app::{AppState, build, listen, serve};
pub use config::{
    Cli, Command, Config, IdleTtl, LogFormat, StoreSpec, VerifikDetectShape, VerifikExpiredBody,
    VerifikMessages, VerifikSearchShape, VerifikShape,
};
