//! The integration-test binary: every test starts the sandbox on port 0 and talks HTTP.

mod helpers;

mod admin;
mod architecture;
mod catalog;
mod complycube_check_keys;

mod complycube_check_rules;
mod complycube_check_types;
mod complycube_checks;
mod complycube_clients;
mod complycube_errors;
mod complycube_flow;
mod complycube_flow_page;
mod complycube_polling;
mod complycube_resources;
mod complycube_tools;
mod console_browser;
mod console_data;
mod console_pages;
mod contract;
mod crash;
mod durable;
mod durable_sessions;
mod faults;
mod fixture_catalog;
mod fixture_effects;
mod lifecycle;
mod ops;
mod pg;
mod pg_schema;
mod process;
mod replica_races;
mod replicas;
mod robustness;
mod scenarios;
mod sdk;
mod transfer;
mod verifik;
mod verifik_gallery;
mod webhooks;
