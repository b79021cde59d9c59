//! The one database opener: a URL names a dialect; opening it connects,
//! migrates once and builds everything the process uses on it — the
//! request path's store and what the background and administrative jobs
//! run on (so `serve` opens its database once). Under `--cfg madsim` only
//! SQLite exists.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
#[cfg(not(madsim))]
use sqlx::postgres::PgPool;

#[cfg(not(madsim))]
use super::postgres::hosts::{Follower, PgHosts};
#[cfg(not(madsim))]
use super::{jobs, PgStore};
use super::{SqlLimits, SqliteOptions, SqliteStore};
use crate::store::{Delivery, JobStore, Reaped, Store, StoreError, StoredResponse};

/// How long a Postgres job waits for its pool. Jobs are not latency-bound:
/// they may wait behind a burst of requests.
#[cfg(not(madsim))]
const JOBS_WAIT: Duration = Duration::from_secs(30);

/// Connections of the jobs' pool on Postgres (dispatcher, reaper and the
/// compliance queries at once).
#[cfg(not(madsim))]
const JOBS_PG_CONNECTIONS_MAX: u32 = 3;

/// What the jobs run on: on Postgres a small pool apart from the request
/// path's, so a burst of requests never starves them (nor they the
/// requests); on SQLite the store itself, whose one writer queues the jobs'
/// transactions FIFO with the requests'.
#[derive(Clone)]
pub enum JobsPool {
    Sqlite(Arc<SqliteStore>),
    #[cfg(not(madsim))]
    Postgres(PgPool),
}

/// An opened, migrated database.
#[derive(Clone)]
pub struct Database {
    store: Arc<dyn Store>,
    jobs: JobsPool,
    /// With several Postgres hosts: what re-aims both pools at the host
    /// that fits (`postgres/hosts.rs`), for as long as the database is open.
    #[cfg(not(madsim))]
    _follower: Option<Arc<Follower>>,
    #[cfg(not(madsim))]
    pg_hosts: Option<Arc<PgHosts>>,
}

impl Database {
    /// Opens the database named by `sqlite://…` or `postgres://…`.
    pub async fn open(url: &str, limits: SqlLimits) -> Result<Self, StoreError> {
        Self::open_with(url, limits, SqliteOptions::default()).await
    }

    /// `open`, with SQLite's checkpoint settings (the simulation's).
    pub async fn open_with(url: &str, limits: SqlLimits, sqlite: SqliteOptions) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            let store = Arc::new(SqliteStore::open(url, limits, sqlite).await?);
            return Ok(Self {
                store: store.clone(),
                jobs: JobsPool::Sqlite(store),
                #[cfg(not(madsim))]
                _follower: None,
                #[cfg(not(madsim))]
                pg_hosts: None,
            });
        }
        #[cfg(not(madsim))]
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let store = PgStore::connect(url, limits).await?;
            let hosts = Arc::new(PgHosts::parse(url)?);
            let jobs = hosts
                .pool_options(false)
                .max_connections(JOBS_PG_CONNECTIONS_MAX)
                .acquire_timeout(JOBS_WAIT)
                .connect_with(store.hosts.current_options_for(&hosts))
                .await
                .map_err(|e| StoreError::Unavailable(format!("jobs pool: {e}")))?;
            let follower = store.hosts.followed().then(|| {
                Arc::new(store.hosts.follow(vec![(store.pool.clone(), store.hosts.clone()), (jobs.clone(), hosts)]))
            });
            let pg_hosts = Some(store.hosts.clone());
            return Ok(Self { store: Arc::new(store), jobs: JobsPool::Postgres(jobs), _follower: follower, pg_hosts });
        }
        Err(StoreError::Other(format!(
            "unsupported database URL scheme (expected sqlite:// or postgres://): {}",
            url.split(':').next().unwrap_or("")
        )))
    }

    /// The request path's store.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// What the jobs run on.
    pub fn jobs_pool(&self) -> &JobsPool {
        &self.jobs
    }

    /// The jobs' side of the store.
    pub fn jobs_store(&self) -> Arc<dyn JobStore> {
        Arc::new(self.jobs.clone())
    }

    /// On Postgres, the host (`host:port`) new connections go to now: the
    /// first of the URL's hosts that fits its `target_session_attrs`.
    pub fn postgres_host(&self) -> Option<String> {
        #[cfg(not(madsim))]
        return self.pg_hosts.as_ref().map(|h| h.current_host().host_port());
        #[cfg(madsim)]
        None
    }

    pub fn is_postgres(&self) -> bool {
        !matches!(self.jobs, JobsPool::Sqlite(_))
    }
}

#[async_trait]
impl JobStore for JobsPool {
    async fn claim_workflows(&self, batch: u32, lease: Duration) -> Result<Vec<Delivery>, StoreError> {
        match self {
            Self::Sqlite(s) => s.claim_workflows(batch, lease).await,
            #[cfg(not(madsim))]
            Self::Postgres(p) => jobs::claim(p, batch, lease).await,
        }
    }

    async fn mark_delivered(&self, ids: &[String]) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.mark_delivered(ids).await,
            #[cfg(not(madsim))]
            Self::Postgres(p) => jobs::mark_delivered(p, ids).await,
        }
    }

    async fn schedule_retry(
        &self,
        id: &str,
        backoff: Duration,
        attempts_max: i32,
        error: &str,
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.schedule_retry(id, backoff, attempts_max, error).await,
            #[cfg(not(madsim))]
            Self::Postgres(p) => jobs::schedule_retry(p, id, backoff, attempts_max, error).await,
        }
    }

    async fn expire_keys(
        &self,
        ttl: Duration,
        high_risk: &[&str],
        tombstone: &StoredResponse,
    ) -> Result<Reaped, StoreError> {
        match self {
            Self::Sqlite(s) => s.expire_keys(ttl, high_risk, tombstone).await,
            #[cfg(not(madsim))]
            Self::Postgres(p) => jobs::expire_keys(p, ttl, high_risk, tombstone).await,
        }
    }
}
