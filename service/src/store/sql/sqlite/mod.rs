//! The SQLite store, on rusqlite alone: one inline writer, inline readers,
//! its own migrator. It compiles in both builds: the simulation runs this
//! store as `accubooks serve` does.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub(in crate::store::sql) mod checkpoint;
mod group;
mod jobs;
mod migrate;
mod reader;
mod rows;
mod store;
pub(in crate::store::sql) mod writer;

use super::SqlLimits;
use crate::store::StoreError;
use checkpoint::CheckpointPolicy;
use reader::SqliteReaders;
use rows::classify;
use writer::SqliteWriter;

/// SQLite in WAL mode. Write transactions (and out-of-transaction audit
/// rows, tenants, the jobs' statements) run inline on one connection,
/// `SqliteWriter`: they queue for it FIFO (bounded by `pool_acquire_wait`,
/// like a pool) and are serialised there, as SQLite has one writer anyway;
/// those that queue share a database transaction and its COMMIT
/// (`group.rs`), and checkpoints run apart from the commits
/// (`checkpoint.rs`). Reads run inline on read-only connections
/// (`reader.rs`), which in WAL mode never wait for the writer.
pub struct SqliteStore {
    pub(in crate::store::sql) writer: SqliteWriter,
    pub(in crate::store::sql) readers: SqliteReaders,
    limits: SqlLimits,
}

/// How the SQLite store checkpoints (the defaults are production's; the
/// simulation restarts the WAL far more often, so its checkpoint path runs
/// in every seed).
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteOptions {
    /// WAL frames beyond which the WAL is restarted; None: the default.
    pub restart_frames: Option<i64>,
    /// Between checkpoints; None: the default.
    pub checkpoint_interval: Option<Duration>,
    /// Members one group COMMIT may carry (1 to 16); None: 16.
    pub group_max: Option<usize>,
}

impl SqliteStore {
    /// Opens (creating it if missing) and migrates the database file named
    /// by `sqlite://PATH` or `sqlite:PATH`.
    pub async fn open(url: &str, limits: SqlLimits, options: SqliteOptions) -> Result<Self, StoreError> {
        let path = database_file(url)?;
        // Another connection may hold the write lock (another process, or
        // the connections of a process that is still going away): wait with
        // async pauses, within `lock_wait`, rather than parking the thread.
        rows::while_busy(limits.lock_wait, || prepare(&path)).await?;
        let mut policy = CheckpointPolicy::default();
        if let Some(frames) = options.restart_frames {
            policy.restart_frames = frames.max(1);
        }
        if let Some(interval) = options.checkpoint_interval {
            policy.interval = interval.max(Duration::from_millis(1));
        }
        let readers = SqliteReaders::new(path.clone(), limits.pool_connections_max as usize);
        let writer = SqliteWriter::open(path, limits, policy, options.group_max.unwrap_or(group::GROUP_MAX))?;
        Ok(Self { writer, readers, limits })
    }

    /// A read on an inline reader connection, retried (async pauses,
    /// within `lock_wait`) while the database is momentarily busy.
    pub(in crate::store::sql) async fn read<T>(
        &self,
        read: impl Fn(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.readers.read(self.limits.lock_wait, read).await
    }

    /// The rows of a read that binds one integer as `$1`, mapped (the
    /// compliance queries, `jobs/compliance.rs`).
    #[cfg(not(madsim))]
    pub(crate) async fn select<T>(
        &self,
        sql: &'static str,
        param: i64,
        map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        self.read(|conn| rows::query_all(conn, sql, &[&param], |row| map(row).map_err(classify))).await
    }

    /// `write` in a write transaction of its own on the writer (committed
    /// with the group, like any request's): nothing of it stays if it fails.
    pub(crate) async fn write<T>(
        &self,
        write: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.writer.write(write).await
    }
}

/// Creates the file if missing, switches it to WAL and migrates it; fails
/// at once (busy) if another connection holds the write lock.
fn prepare(path: &std::path::Path) -> Result<(), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut setup = Connection::open_with_flags(path, flags).map_err(classify)?;
    setup.busy_timeout(Duration::ZERO).map_err(classify)?;
    // WAL belongs to the file: set once, every later connection has it.
    let mode: String = setup.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).map_err(classify)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Other(format!("{} cannot use WAL (journal mode {mode})", path.display())));
    }
    setup.execute_batch("PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;").map_err(classify)?;
    migrate::run(&mut setup)
}

/// The file behind a SQLite URL (`sqlite://PATH`, `sqlite:PATH`; a query
/// such as `?mode=rwc` is ignored). In-memory databases are refused: the
/// writer, the readers and the checkpointer are separate connections to
/// one database, which only a file can give them.
pub(in crate::store::sql) fn database_file(url: &str) -> Result<PathBuf, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::Other(format!("not a SQLite URL: {url}")))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path == ":memory:" || query.split('&').any(|p| p == "mode=memory");
    if in_memory || path.is_empty() {
        return Err(StoreError::Other(format!(
            "the SQLite store needs a database file, not an in-memory database: {url}"
        )));
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_files_and_in_memory_databases_are_refused() {
        for url in ["sqlite::memory:", "sqlite://:memory:", "sqlite://x.db?mode=memory", "sqlite://", "postgres://h/d"]
        {
            assert!(matches!(database_file(url), Err(StoreError::Other(_))), "{url}");
        }
        assert_eq!(
            database_file("sqlite:///var/lib/accubooks/a.db").unwrap(),
            PathBuf::from("/var/lib/accubooks/a.db")
        );
        assert_eq!(database_file("sqlite://data/a.db?mode=rwc").unwrap(), PathBuf::from("data/a.db"));
        assert_eq!(database_file("sqlite:a.db").unwrap(), PathBuf::from("a.db"));
    }
}
