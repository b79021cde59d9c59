//! The SQLite store: one inline writer, inline readers for the hottest
//! reads, and sqlx pools for the rest (the statements are shared with
//! Postgres, in `sql.rs`).

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub(in crate::store::sql) mod checkpoint;
mod group;
mod reader;
mod rows;
pub(in crate::store::sql) mod writer;

use super::classify::classify_sqlite;
use super::SqlLimits;
use super::TenantRow;
use crate::store::{AuditRecord, StoreError};
use reader::SqliteReaders;
use writer::{SqliteTx, SqliteWriter};

/// SQLite in WAL mode. Write transactions (and out-of-transaction audit
/// rows) run inline on one rusqlite connection, `SqliteWriter`: they queue
/// for it FIFO (bounded by `pool_acquire_wait`, like a pool) and are
/// serialised there, as SQLite has one writer anyway; those that queue
/// share a database transaction and its COMMIT (`sqlite_group.rs`), and
/// checkpoints run on a thread of their own (`sqlite_checkpoint.rs`). The
/// token lookup and the replay's key read run inline too, on read-only
/// connections (`sqlite_reader.rs`); other reads use a sqlx pool;
/// migrations, tenants and token revocation a one-connection sqlx pool,
/// which waits for the writer on SQLite's lock (`busy_timeout`).
pub struct SqliteStore {
    writer: SqliteWriter,
    pub(in crate::store::sql) readers: SqliteReaders,
    sqlx_writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str, limits: SqlLimits) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad sqlite url: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(limits.lock_wait)
            // The checkpoint thread checkpoints (sql/sqlite_checkpoint.rs):
            // a commit here would otherwise run one on its own, racing it.
            .pragma("wal_autocheckpoint", "0");
        let file = writer::database_file(url, &opts)?;
        // Connections to a file do not die: no ping before each use (with
        // SQLite each is a message to the connection's thread and back).
        let sqlx_writer = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .acquire_timeout(limits.pool_acquire_wait)
            .connect_with(opts.clone())
            .await
            .map_err(classify_sqlite)?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&sqlx_writer)
            .await
            .map_err(|e| StoreError::Other(format!("migration failed: {e}")))?;
        let reader = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(limits.pool_connections_max.max(1))
            .acquire_timeout(limits.pool_acquire_wait)
            .connect_with(opts)
            .await
            .map_err(classify_sqlite)?;
        let readers = SqliteReaders::new(file.clone(), limits.pool_connections_max as usize);
        let writer = SqliteWriter::open(file, limits)?;
        Ok(Self { writer, readers, sqlx_writer, reader })
    }

    /// The token lookup on an inline reader; None: ask sqlx's pool.
    pub(in crate::store::sql) async fn tenant_fast(
        &self,
        token_hash: &str,
    ) -> Option<Result<Option<TenantRow>, StoreError>> {
        self.readers.tenant_by_token_hash(token_hash).ok().map(Ok)
    }

    pub(in crate::store::sql) async fn begin_tx(&self) -> Result<SqliteTx, StoreError> {
        self.writer.begin().await
    }

    pub(in crate::store::sql) async fn append_audit_row(&self, a: &AuditRecord) -> Result<(), StoreError> {
        self.writer.append_audit(a).await
    }

    pub(in crate::store::sql) fn read_pool(&self) -> &SqlitePool {
        &self.reader
    }

    pub(in crate::store::sql) fn write_pool(&self) -> &SqlitePool {
        &self.sqlx_writer
    }
}
