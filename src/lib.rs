//! kyc-sandbox: a self-hosted sandbox that emulates the ComplyCube and Verifik
//! identity-verification APIs, so integration tests, CI and QA run against
//! it instead of the real vendors.
//!
//! Modules in reading order:
//! - [`config`]: flags and `KYC_SANDBOX_*` variables (the only reader of the environment);
//! - [`app`]: the composition root: shared state, the router, `serve`;
//! - vendor-neutral core: [`ids`], [`clock`], [`body`], [`store`], [`scenario`],
//!   [`fixtures`], [`journal`], [`admin`], [`delivery`] (webhook outbox and
//!   tenant-clock timers), [`faults`] (latency, errors, drops, rate limit);
//! - vendors: [`complycube`] (`/v1`), [`verifik`] (`/v2/face-recognition`).
//!
//! The core never imports a vendor module; vendors never import each other.

pub mod app;
pub mod config;

pub mod admin;
pub mod body;
pub mod clock;
pub mod delivery;
pub mod faults;
pub mod fixtures;
pub mod ids;
pub mod journal;
pub mod metrics;
pub mod openapi;
pub mod scenario;
pub mod store;

pub mod complycube;
pub mod verifik;

pub use app::{AppState, build, router, serve};
pub use config::Config;
