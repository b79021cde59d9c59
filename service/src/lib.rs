//! AccuBooks idempotent write service.
//!
//! Entry points: [`http::router`] builds the axum Router, [`serve::serve`]
//! runs the accept loop, [`engine::Engine::execute`] is the one place that
//! decides idempotency. See ARCHITECTURE.md for the codemap.

pub mod contract;
pub mod engine;
pub mod fingerprint;
pub mod http;
pub mod ids;
pub mod key;
pub mod ledger;
pub mod metrics;
pub mod ops;
pub mod problem;
pub mod routes;
pub mod serve;
pub mod store;
pub mod time;
