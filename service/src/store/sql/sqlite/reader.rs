//! Reads on SQLite, inline: read-only connections whose statements run on
//! the task that asks, as the writer's do.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::rows::{classify, while_busy};
use crate::store::StoreError;

/// Read-only connections, reused. In WAL mode a reader never waits for the
/// writer; the busy timeout is zero, so the rare SQLITE_BUSY (a WAL restart
/// or recovery under way) returns at once and the read is tried again
/// after an async pause, never parking the runtime thread. Idle
/// connections are kept up to `keep`.
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

    /// Runs `read` on a reader; while the database answers busy, again
    /// after a pause, until `wait` has passed.
    pub(in crate::store::sql) async fn read<T>(
        &self,
        wait: Duration,
        read: impl Fn(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        while_busy(wait, || self.with(&read)).await
    }
}
