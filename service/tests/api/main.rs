//! The service's one integration-test binary: the engine conformance suite
//! (run against every store) and the HTTP tests (app spawned on port 0 with
//! a fresh database per test).
#![cfg(not(madsim))]

mod audit;
mod conformance;
mod fidelity;
mod http;
mod prometheus;
mod support;
