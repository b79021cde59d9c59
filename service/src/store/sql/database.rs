//! The one database opener: a URL names a dialect; opening it connects,
//! migrates once and builds everything the process uses on it — the
//! request path's store and the small pool the background and
//! administrative jobs share (so `serve` opens its database once).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use super::{PgStore, SqlLimits, SqliteStore};
use crate::store::{JobStore, Store, StoreError};

/// How long a job waits for its pool or, on SQLite, for the writer's lock.
/// Jobs are not latency-bound: they may wait behind a burst of requests.
const JOBS_WAIT: Duration = Duration::from_secs(30);

/// Connections of the jobs' pool on Postgres (dispatcher, reaper and the
/// compliance queries at once). SQLite has one writer: one connection.
const JOBS_PG_CONNECTIONS_MAX: u32 = 3;

/// The connections the jobs share, apart from the request path's pools so
/// a burst of requests never starves them (nor they the requests).
#[derive(Clone)]
pub enum JobsPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An opened, migrated database.
#[derive(Clone)]
pub struct Database {
    store: Arc<dyn Store>,
    jobs: JobsPool,
}

impl Database {
    /// Opens the database named by `sqlite://…` or `postgres://…`.
    pub async fn open(url: &str, limits: SqlLimits) -> Result<Self, StoreError> {
        let bad = |e: sqlx::Error| StoreError::Other(format!("bad database url: {e}"));
        let pool_err = |e: sqlx::Error| StoreError::Unavailable(format!("jobs pool: {e}"));
        if url.starts_with("sqlite:") {
            let store = SqliteStore::connect(url, limits).await?;
            // Checkpoints are the store's checkpoint thread's alone.
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(bad)?
                .busy_timeout(JOBS_WAIT)
                .pragma("wal_autocheckpoint", "0");
            let jobs = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(JOBS_WAIT)
                .connect_with(opts)
                .await
                .map_err(pool_err)?;
            Ok(Self { store: Arc::new(store), jobs: JobsPool::Sqlite(jobs) })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let store = PgStore::connect(url, limits).await?;
            let opts = PgConnectOptions::from_str(url).map_err(bad)?;
            let jobs = PgPoolOptions::new()
                .max_connections(JOBS_PG_CONNECTIONS_MAX)
                .acquire_timeout(JOBS_WAIT)
                .connect_with(opts)
                .await
                .map_err(pool_err)?;
            Ok(Self { store: Arc::new(store), jobs: JobsPool::Postgres(jobs) })
        } else {
            Err(StoreError::Other(format!(
                "unsupported database URL scheme (expected sqlite:// or postgres://): {}",
                url.split(':').next().unwrap_or("")
            )))
        }
    }

    /// The request path's store.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The jobs' connections.
    pub fn jobs_pool(&self) -> &JobsPool {
        &self.jobs
    }

    /// The jobs' side of the store, on the jobs' connections.
    pub fn jobs_store(&self) -> Arc<dyn JobStore> {
        Arc::new(self.jobs.clone())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.jobs, JobsPool::Postgres(_))
    }
}
