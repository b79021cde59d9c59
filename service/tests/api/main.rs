//! The service's one integration-test binary: the engine conformance suite
//! (run against every store), the HTTP tests, the registry-driven suite
//! over every operation, the operations' own rules, the contract verifier
//! and the ledger (app spawned on port 0 with a fresh database per test).
#![cfg(not(madsim))]

// First, so its macros are in scope for every other module.
#[macro_use]
mod support;

mod audit;
mod catalogue;
mod conformance;
mod connections;
mod constraints;
mod contract;
mod expiry;
mod failover;
mod fidelity;
mod fixtures;
mod fuzz;
mod http;
mod indexes;
mod ledger;
mod limits;
mod masking;
mod openapi;
mod outbox;
mod prometheus;
mod reports;
mod rules;
mod schema;
mod secrets;
mod sql_safety;
mod sqlite_store;
mod upgrade;
