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
#[cfg(not(madsim))]
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::engine::EngineConfig;
use crate::http::{router, App, HttpConfig};
#[cfg(not(madsim))]
use crate::jobs::key_reaper::Reaper;
#[cfg(not(madsim))]
use crate::jobs::outbox::{DispatchConfig, Dispatcher, Sink};
use crate::serve::{serve, ServeConfig};
#[cfg(not(madsim))]
use crate::store::sql::Database;
use crate::store::Store;

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

/// The background jobs of a service on a SQL database.
#[cfg(not(madsim))]
pub struct JobsConfig {
    /// The outbox dispatcher's sink and limits; None: no dispatcher in this
    /// process (another replica or `workflows run-once` delivers).
    pub dispatcher: Option<(Arc<dyn Sink>, DispatchConfig)>,
    /// How long keys answer replays before the reaper expires them.
    pub key_ttl: Duration,
    /// Time between two passes of the key reaper.
    pub reap_every: Duration,
    /// Monthly audit-log partitions ensured ahead at start (Postgres only).
    pub audit_partitions_ahead: u32,
}

/// Running background jobs; `stop` ends them and waits.
#[derive(Default)]
pub struct Jobs {
    stop: Option<tokio::sync::watch::Sender<bool>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Jobs {
    /// No background jobs (the in-memory and simulated stores).
    pub fn none() -> Self {
        Self::default()
    }

    /// Starts the jobs on the service's own database (no second open).
    #[cfg(not(madsim))]
    pub async fn start(db: &Database, config: JobsConfig) -> Result<Self, crate::jobs::compliance::ComplianceError> {
        if db.is_postgres() {
            let created = crate::jobs::compliance::on(db).ensure_partitions(config.audit_partitions_ahead).await?;
            tracing::info!(?created, "audit log partitions ensured");
        }
        let (stop, _) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        if let Some((sink, dispatch)) = config.dispatcher {
            tasks.push(tokio::spawn(Dispatcher::new(db, sink, dispatch).run(stop.subscribe())));
        }
        let reaper = Reaper::new(db, config.key_ttl);
        tasks.push(tokio::spawn(reap_periodically(reaper, config.reap_every, stop.subscribe())));
        Ok(Self { stop: Some(stop), tasks })
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
#[cfg(not(madsim))]
async fn reap_periodically(reaper: Reaper, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match reaper.reap().await {
            Ok(r) => tracing::info!(tombstoned = r.tombstoned, deleted = r.deleted, "idempotency keys reaped"),
            Err(e) => tracing::warn!(error = %e, "idempotency key reaper failed"),
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
