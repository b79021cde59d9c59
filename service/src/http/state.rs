//! One service instance's shared state, as every handler sees it.

use std::sync::Arc;

use super::config::HttpConfig;
use super::problem::Problems;
use crate::engine::{Engine, EngineConfig};
use crate::metrics::Metrics;
use crate::ops;
use crate::store::Store;

/// One service instance's shared state. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub engine: Engine,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub http: HttpConfig,
}

impl App {
    pub fn new(store: Arc<dyn Store>, engine: EngineConfig, http: HttpConfig) -> Self {
        let metrics = Arc::new(Metrics::new(ops::REGISTRY));
        let engine = Engine::new(store.clone(), metrics.clone(), engine, Arc::new(Problems));
        Self { engine, store, metrics, http }
    }
}
