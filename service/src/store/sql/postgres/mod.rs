//! The Postgres store: its pool, its direct connections and its
//! transactions (the statements are shared with SQLite, in `sql.rs`).

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgPool, Postgres};
use sqlx::{Row, Transaction};

use super::classify::{self, classify_pg};
pub(in crate::store::sql) mod batch;
pub(in crate::store::sql) mod direct;
pub mod hosts;

use super::{pg, SqlLimits, TenantRow};
use crate::store::StoreError;
use direct::PgDirect;
use hosts::PgHosts;

/// Postgres under READ COMMITTED. A same-key duplicate blocks on the key
/// row's uncommitted insert (bounded by `lock_timeout`); rows read for
/// update are locked with `SELECT … FOR UPDATE`.
pub struct PgStore {
    /// Transactions, and the statements `direct` does not take.
    pub(in crate::store::sql) pool: PgPool,
    /// The token lookup and the replay fast path (pg_direct.rs).
    pub(in crate::store::sql) direct: Option<PgDirect>,
    /// The URL's hosts and which one fits now (`hosts.rs`).
    pub(in crate::store::sql) hosts: Arc<PgHosts>,
}

impl PgStore {
    /// Connects to the URL's hosts (one, or several as libpq lists them:
    /// `hosts.rs`), and migrates.
    pub async fn connect(url: &str, limits: SqlLimits) -> Result<Self, StoreError> {
        let hosts = Arc::new(PgHosts::parse(url)?.map_options(|o| {
            o.options([
                ("TimeZone", "UTC".to_owned()),
                ("lock_timeout", format!("{}", limits.lock_wait.as_millis())),
                ("statement_timeout", format!("{}", limits.statement_timeout.as_millis())),
                ("idle_in_transaction_session_timeout", format!("{}", limits.statement_timeout.as_millis())),
            ])
        }));
        if hosts.followed() {
            // Aim the pool at the first host that fits, skipping those down.
            let (_, probe) = hosts.connect().await.map_err(classify_pg)?;
            let _ = sqlx::Connection::close(probe).await;
        }
        let direct_share = PgDirect::share(&limits);
        let pool = hosts
            .pool_options(true)
            .max_connections((limits.pool_connections_max - direct_share).max(1))
            .acquire_timeout(limits.pool_acquire_wait)
            .connect_with(hosts.current_options())
            .await
            .map_err(classify_pg)?;
        Self::migrate(&pool).await?;
        let direct = (direct_share > 0).then(|| PgDirect::new(hosts.clone(), direct_share, limits));
        Ok(Self { pool, direct, hosts })
    }

    async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/postgres")
            .run(pool)
            .await
            .map_err(|e| StoreError::Other(format!("migration failed: {e}")))
    }

    /// The token lookup on a direct connection; None: the pool's turn.
    pub(in crate::store::sql) async fn tenant_fast(
        &self,
        token_hash: &str,
    ) -> Option<Result<Option<TenantRow>, StoreError>> {
        let direct = self.direct.as_ref()?;
        let row =
            match direct.read_optional(|| sqlx::query(pg::SELECT_TENANT_BY_TOKEN).bind(token_hash.to_owned())).await {
                Ok(row) => row,
                Err(e) => return Some(Err(e)),
            };
        Some(
            row.map(|r| Ok((r.try_get("id").map_err(classify_pg)?, r.try_get("name").map_err(classify_pg)?)))
                .transpose(),
        )
    }

    /// A connection that died in the pool (a database restart) fails its
    /// `BEGIN`, which has done nothing: the next connection is tried, up to
    /// one more than the pool holds.
    pub(in crate::store::sql) async fn begin_tx(&self) -> Result<PgTx, StoreError> {
        let tx = classify::passing_over_stale(&self.pool, || self.pool.begin()).await.map_err(classify_pg)?;
        Ok(PgTx { tx })
    }

    pub(in crate::store::sql) fn read_pool(&self) -> &PgPool {
        &self.pool
    }

    pub(in crate::store::sql) fn write_pool(&self) -> &PgPool {
        &self.pool
    }
}

pub struct PgTx {
    pub(in crate::store::sql) tx: Transaction<'static, Postgres>,
}

/// Idle connections are pinged before use, busy ones are not. sqlx's own
/// check pings on every acquire: a round trip per statement outside a
/// transaction and per transaction, which on the replay path doubled the
/// round trips. A connection that died while in use fails its next
/// statement instead; `begin_tx` and the token lookup move on to another.
pub(in crate::store::sql) const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

pub(in crate::store::sql) async fn ping_if_idle(
    conn: &mut sqlx::PgConnection,
    meta: sqlx::pool::PoolConnectionMetadata,
) -> sqlx::Result<bool> {
    if meta.idle_for >= PING_IF_IDLE_FOR {
        sqlx::Connection::ping(conn).await?;
    }
    Ok(true)
}
