//! The integration-test binary: every test starts the sandbox on port 0 and talks HTTP.

mod helpers;

mod complycube_clients;
mod ops;
