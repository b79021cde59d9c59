//! The HTTP adapter: extract → call the engine → map to a response.
//!
//! Architecture invariant: handlers never decide idempotency; every
//! mutation route is mounted by `routes::RouteBuilder::mount`, which routes
//! through the engine (`mutation.rs`). Status codes and problem codes are
//! chosen in `problem.rs` only.

pub mod config;
pub mod contract;
pub mod extract;
mod json;
mod mutation;
pub mod openapi;
pub mod problem;
mod reads;
pub mod routes;
pub mod state;

pub use config::HttpConfig;
pub use extract::{json_depth, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, REQUEST_ID};
pub use problem::{problem, ApiError};
pub use routes::router;
pub use state::App;
