//! The integration-test binary: every test starts the sandbox on port 0 and talks HTTP.

mod helpers;

mod admin;
mod complycube_clients;
mod fixture_catalog;
mod scenarios;
