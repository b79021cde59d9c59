//! The composition root: configuration → database → store → engine →
//! router → background jobs. `accubooks serve`, the tests' `spawn_app` and
//! every simulated service node build the service here; they differ only
//! in the store they pass in (SQLite or Postgres from `Database::open`, the
//! in-memory store, the simulation's remote store) and the runtime they
//! run on.
//!
//! Architecture invariant: nothing else wires an engine to a router or
//! starts a job; a new piece of the service is added here once and is then
//! in production, in the tests and in the simulation alike.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::engine::EngineConfig;
use crate::http::{router, App, HttpConfig};
use crate::jobs::key_reaper::Reaper;
use crate::jobs::outbox::{DispatchConfig, Dispatcher, Sink};
use crate::serve::{serve, ServeConfig};
use crate::store::{JobStore, Store};

/// Everything one service instance is configured with.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServiceConfig {
    pub engine: EngineConfig,
    pub http: HttpConfig,
    pub serve: ServeConfig,
}

/// One service instance: its shared state and its router, ready to serve.
pub struct Service {
    pub app: App,
    pub router: Router,
    serve: ServeConfig,
}

impl Service {
    /// Builds the engine and the router on `store`.
    pub fn build(store: Arc<dyn Store>, config: ServiceConfig) -> Self {
        let app = App::new(store, config.engine, config.http);
        let router = router(app.clone());
        Self { app, router, serve: config.serve }
    }

    /// Serves on `listener` until `shutdown` completes, then stops `jobs`.
    pub async fn run(self, listener: TcpListener, jobs: Jobs, shutdown: impl Future<Output = ()> + Send + 'static) {
        serve(listener, self.router, self.serve, shutdown).await;
        jobs.stop().await;
    }
}

/// The background jobs a service runs beside its requests.
pub struct JobsConfig {
    /// The outbox dispatcher's sink and limits; None: no dispatcher in this
    /// process (another replica or `workflows run-once` delivers).
    pub dispatcher: Option<(Arc<dyn Sink>, DispatchConfig)>,
    /// How long keys answer replays before the reaper expires them; None:
    /// no reaper in this process.
    pub key_ttl: Option<Duration>,
    /// Time between two passes of the key reaper.
    pub reap_every: Duration,
}

/// Running background jobs; `stop` ends them and waits.
#[derive(Default)]
pub struct Jobs {
    stop: Option<tokio::sync::watch::Sender<bool>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Jobs {
    /// No background jobs.
    pub fn none() -> Self {
        Self::default()
    }

    /// Starts the configured jobs on a store's jobs side (for SQL, the
    /// service's own opened database: `Database::jobs_store`).
    pub fn start(store: Arc<dyn JobStore>, config: JobsConfig) -> Self {
        let (stop, _) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        if let Some((sink, dispatch)) = config.dispatcher {
            tasks.push(tokio::spawn(Dispatcher::new(store.clone(), sink, dispatch).run(stop.subscribe())));
        }
        if let Some(ttl) = config.key_ttl {
            let reaper = Reaper::new(store, ttl);
            tasks.push(tokio::spawn(reap_periodically(reaper, config.reap_every, stop.subscribe())));
        }
        Self { stop: Some(stop), tasks }
    }

    pub async fn stop(self) {
        if let Some(stop) = self.stop {
            let _ = stop.send(true);
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Expires keys every `every` until `stop`.
async fn reap_periodically(reaper: Reaper, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match reaper.reap().await {
            Ok(r) => {
                if r.tombstoned > 0 {
                    crate::reach::point("reaper.tombstoned");
                }
                if r.deleted > 0 {
                    crate::reach::point("reaper.deleted");
                }
                tracing::info!(tombstoned = r.tombstoned, deleted = r.deleted, "idempotency keys reaped")
            }
            Err(e) => tracing::warn!(error = %e, "idempotency key reaper failed"),
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
