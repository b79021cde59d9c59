//! Postgres connections for the one-statement calls outside transactions
//! (the token lookup, the replay fast path), kept outside sqlx's pool.
//!
//! sqlx's pool pings every connection given back to it (a Sync message and
//! its answer), and that cannot be turned off: for a replay, whose two
//! statements each borrowed a pooled connection, two of its four round
//! trips. Here a connection goes back to the idle list as it is, once its
//! statement has succeeded; one whose statement failed, or whose caller
//! went away mid-statement, is closed rather than reused. A connection
//! idle for `PING_IF_IDLE_FOR` or more is pinged before use, as the pool's
//! are. With several hosts (`hosts.rs`) a new connection walks them, and
//! an idle one opened before the last switch of host is closed.
//!
//! The connections count against `SqlLimits::pool_connections_max`: with
//! 4 or more, a quarter of them are here and the rest in the pool (below
//! 4, none: the pool serves every statement).

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sqlx::postgres::{PgArguments, PgConnection, PgRow, Postgres};
use sqlx::query::Query;
use sqlx::Connection;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::hosts::PgHosts;
use super::PING_IF_IDLE_FOR;
use crate::store::sql::classify::{classify_pg, stale_connection};
use crate::store::sql::SqlLimits;
use crate::store::StoreError;

pub(in crate::store::sql) struct PgDirect {
    hosts: Arc<PgHosts>,
    /// Idle connections: when each was opened and when it went idle.
    idle: Mutex<Vec<(PgConnection, Instant, Instant)>>,
    /// One per connection open or being opened.
    permits: Semaphore,
    size: u32,
    limits: SqlLimits,
}

/// A connection of `PgDirect`, closed when dropped unless `release`d.
pub(in crate::store::sql) struct DirectConn<'a> {
    conn: Option<PgConnection>,
    opened: Instant,
    direct: &'a PgDirect,
    _permit: SemaphorePermit<'a>,
}

impl DirectConn<'_> {
    /// Back to the idle list: the statement succeeded.
    pub(in crate::store::sql) fn release(mut self) {
        if let Some(conn) = self.conn.take() {
            self.direct.idle.lock().unwrap_or_else(|p| p.into_inner()).push((conn, self.opened, Instant::now()));
        }
    }
}

impl Deref for DirectConn<'_> {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        self.conn.as_ref().expect("present until released")
    }
}

impl DerefMut for DirectConn<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.conn.as_mut().expect("present until released")
    }
}

impl PgDirect {
    /// How many of `limits.pool_connections_max` connections are direct.
    pub(in crate::store::sql) fn share(limits: &SqlLimits) -> u32 {
        if limits.pool_connections_max >= 4 {
            limits.pool_connections_max / 4
        } else {
            0
        }
    }

    pub(in crate::store::sql) fn new(hosts: Arc<PgHosts>, size: u32, limits: SqlLimits) -> Self {
        Self { hosts, idle: Mutex::new(Vec::new()), permits: Semaphore::new(size as usize), size, limits }
    }

    /// An idle connection (pinged if it idled long), or a new one; waits at
    /// most `pool_acquire_wait` for a free slot.
    pub(in crate::store::sql) async fn acquire(&self) -> Result<DirectConn<'_>, StoreError> {
        let permit = tokio::time::timeout(self.limits.pool_acquire_wait, self.permits.acquire())
            .await
            .map_err(|_| StoreError::PoolExhausted)?
            .map_err(|_| StoreError::Unavailable("connection pool closed".into()))?;
        loop {
            let next = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let Some((mut conn, opened, since)) = next else { break };
            if self.hosts.predates_switch(opened.elapsed()) {
                continue;
            }
            if since.elapsed() < PING_IF_IDLE_FOR || conn.ping().await.is_ok() {
                return Ok(DirectConn { conn: Some(conn), opened, direct: self, _permit: permit });
            }
        }
        let conn = if self.hosts.followed() {
            self.hosts.connect().await.map_err(classify_pg)?.1
        } else {
            PgConnection::connect_with(&self.hosts.current_options()).await.map_err(classify_pg)?
        };
        Ok(DirectConn { conn: Some(conn), opened: Instant::now(), direct: self, _permit: permit })
    }

    /// Runs a statement that changes nothing and returns at most one row,
    /// passing over connections that died idle (a database restart), as
    /// `PgStore::begin_tx` does. `statement` builds it afresh for each try.
    pub(in crate::store::sql) async fn read_optional(
        &self,
        statement: impl Fn() -> Query<'static, Postgres, PgArguments>,
    ) -> Result<Option<PgRow>, StoreError> {
        let mut tries = self.size + 1;
        loop {
            let mut conn = self.acquire().await?;
            match statement().fetch_optional(&mut *conn).await {
                Ok(row) => {
                    conn.release();
                    return Ok(row);
                }
                Err(e) if tries > 1 && stale_connection(&e) => tries -= 1,
                Err(e) => return Err(classify_pg(e)),
            }
        }
    }
}
