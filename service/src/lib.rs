//! AccuBooks idempotent write service.
//!
//! Entry points: [`app::App::build`] is the composition root (store →
//! engine → router → background jobs), [`serve::serve`] runs the accept
//! loop, [`engine::Engine::execute`] is the one place that decides
//! idempotency. See ARCHITECTURE.md for the codemap; the modules below are
//! listed from the top of the dependency order down.

pub mod app;
pub mod domain;
pub mod engine;
pub mod fault;
pub mod http;
pub mod idempotency;
pub mod jobs;
pub mod metrics;
pub mod ops;
pub mod planted;
pub mod reach;
pub mod serve;
pub mod store;
