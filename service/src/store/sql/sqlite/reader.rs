//! Inline reads on SQLite: the token lookup and the replay fast path's key.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::rows::{classify, get, key_from_row, query_first};
use crate::domain::ids::TenantId;
use crate::store::sql::{TenantRow, SELECT_KEY, SELECT_TENANT_BY_TOKEN};
use crate::store::{KeyRecord, StoreError};

/// Connections for the two reads on every request's path (the token
/// lookup, the replay fast path's key), run inline as the writes are: with
/// sqlx each is a message to a connection's thread and back. In WAL mode a
/// reader never waits for the writer; the busy timeout is zero, so the rare
/// SQLITE_BUSY (a WAL restart under way) returns at once and the caller
/// asks sqlx's pool instead. Idle connections are kept up to `keep`.
pub(in crate::store::sql) struct SqliteReaders {
    path: PathBuf,
    idle: std::sync::Mutex<Vec<Connection>>,
    keep: usize,
}

impl SqliteReaders {
    pub(in crate::store::sql) fn new(path: PathBuf, keep: usize) -> Self {
        Self { path, idle: std::sync::Mutex::new(Vec::new()), keep: keep.max(1) }
    }

    fn with<T>(&self, read: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(&self.path, flags).map_err(classify)?;
                conn.busy_timeout(Duration::ZERO).map_err(classify)?;
                conn
            }
        };
        let out = read(&conn);
        if out.is_ok() {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < self.keep {
                idle.push(conn);
            }
        }
        out
    }

    /// The tenant whose unrevoked token hashes to `token_hash`.
    pub(in crate::store::sql) fn tenant_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<TenantRow>, StoreError> {
        self.with(|conn| {
            query_first(conn, SELECT_TENANT_BY_TOKEN, &[&token_hash], |row| Ok((get(row, 0)?, get(row, 1)?)))
        })
    }

    /// A key's record.
    pub(in crate::store::sql) fn key(&self, tenant: TenantId, key: &str) -> Result<Option<KeyRecord>, StoreError> {
        let tenant = tenant.0.to_string();
        self.with(|conn| query_first(conn, SELECT_KEY, &[&tenant, &key], key_from_row))
    }
}
