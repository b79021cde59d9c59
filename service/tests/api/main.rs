//! The service's one integration-test binary: the engine conformance suite
//! (run against every store), the HTTP tests, the registry-driven suite
//! over every operation, the operations' own rules, the contract verifier
//! and the ledger (app spawned on port 0 with a fresh database per test).
#![cfg(not(madsim))]

mod audit;
mod catalogue;
mod conformance;
mod contract;
mod expiry;
mod fidelity;
mod fixtures;
mod http;
mod ledger;
mod masking;
mod outbox;
mod prometheus;
mod rules;
mod support;
