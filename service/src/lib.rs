//! AccuBooks idempotent write service.
//!
//! Entry points: [`http::router`] builds the axum Router, [`serve::serve`]
//! runs the accept loop, [`engine::Engine::execute`] is the one place that
//! decides idempotency. See ARCHITECTURE.md for the codemap.

#[cfg(not(madsim))]
pub mod compliance;
pub mod contract;
pub mod engine;
pub mod fingerprint;
pub mod http;
pub mod ids;
pub mod io;
pub mod key;
pub mod key_gate;
#[cfg(not(madsim))]
pub mod keys;
pub mod ledger;
pub mod metrics;
pub mod openapi;
pub mod ops;
#[cfg(not(madsim))]
pub mod outbox;
pub mod problem;
pub mod recent_keys;
pub mod routes;
pub mod serve;
pub mod store;
pub mod time;
