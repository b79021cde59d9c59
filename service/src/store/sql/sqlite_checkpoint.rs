//! SQLite's WAL checkpoints, on a thread of their own.
//!
//! By default SQLite checkpoints inside the `COMMIT` that takes the WAL past
//! 1,000 pages: that commit copies the pages into the database file and
//! syncs it while it still holds the one writer, and every queued write
//! waits (about a fifth of the service's time under write load). The
//! writer connection turns that off (`wal_autocheckpoint = 0`); this thread
//! checkpoints instead, on its own connection:
//!
//! - every `interval`, a PASSIVE checkpoint: it copies what no reader still
//!   needs and never blocks the writer;
//! - under steady writes a PASSIVE checkpoint never catches up with the
//!   writer, and SQLite only starts the WAL over once it has; so when the WAL
//!   holds more than `restart_frames`, a RESTART checkpoint: it keeps new
//!   writers out while it copies the tail (one interval's worth) and makes
//!   the next writer start the WAL over. The WAL stays bounded.
//!
//! The thread ends when its `Checkpointer` drops; the last connection to
//! close checkpoints what is left, as SQLite always does.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::store::StoreError;

/// When and how hard to checkpoint.
#[derive(Debug, Clone, Copy)]
pub(super) struct CheckpointPolicy {
    /// Between PASSIVE checkpoints.
    pub interval: Duration,
    /// WAL frames (pages) beyond which the WAL is restarted.
    pub restart_frames: i64,
    /// How long a RESTART may wait for the writer and readers.
    pub busy_wait: Duration,
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        // 8,192 frames of 4 KiB: a 32 MiB WAL at most between restarts.
        Self { interval: Duration::from_millis(100), restart_frames: 8_192, busy_wait: Duration::from_secs(2) }
    }
}

/// The handle that keeps the checkpoint thread running.
pub(super) struct Checkpointer {
    _stop: Sender<()>,
}

impl Checkpointer {
    /// Opens a connection to `path` (already in WAL mode) and starts the thread.
    pub(super) fn start(path: &Path, policy: CheckpointPolicy) -> Result<Self, StoreError> {
        let conn = open(path, policy).map_err(|e| StoreError::Other(format!("checkpoint connection: {e}")))?;
        let (stop, stopped) = mpsc::channel::<()>();
        let file = path.to_owned();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(conn, &file, policy, stopped))
            .map_err(|e| StoreError::Other(format!("checkpoint thread: {e}")))?;
        Ok(Self { _stop: stop })
    }
}

fn open(path: &Path, policy: CheckpointPolicy) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(policy.busy_wait)?;
    // This connection writes nothing, but a checkpoint of its own would be
    // just as misplaced as the writer's.
    conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
    Ok(conn)
}

/// What one checkpoint reported: (could not finish, frames in the WAL,
/// frames copied).
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<(bool, i64, i64)> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
        Ok((r.get::<_, i64>(0)? != 0, r.get(1)?, r.get(2)?))
    })
}

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    /// PASSIVE only; the WAL held this many frames.
    Passive { frames: i64 },
    /// The WAL was over the bound and restarted.
    Restarted,
    /// The WAL was over the bound, but the restart did not finish within
    /// `busy_wait` (a long reader); the next round tries again.
    RestartIncomplete { frames: i64, copied: i64 },
}

fn round(conn: &Connection, policy: &CheckpointPolicy) -> rusqlite::Result<Round> {
    let (_, frames, _) = checkpoint(conn, "PASSIVE")?;
    if frames <= policy.restart_frames {
        return Ok(Round::Passive { frames });
    }
    Ok(match checkpoint(conn, "RESTART")? {
        (false, _, _) => Round::Restarted,
        (true, frames, copied) => Round::RestartIncomplete { frames, copied },
    })
}

fn run(conn: Connection, file: &Path, policy: CheckpointPolicy, stopped: mpsc::Receiver<()>) {
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(policy.interval) {
        match round(&conn, &policy) {
            Ok(Round::Passive { .. } | Round::Restarted) => {}
            Ok(Round::RestartIncomplete { frames, copied }) => {
                tracing::warn!(db = %file.display(), frames, copied, "WAL restart checkpoint did not finish in time")
            }
            Err(e) => tracing::warn!(db = %file.display(), error = %e, "WAL checkpoint failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory removed when the test ends.
    struct TempDir(std::path::PathBuf);
    impl TempDir {
        fn new() -> Self {
            let p = std::env::temp_dir().join(format!("accubooks-ckpt-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&p).unwrap();
            Self(p)
        }
        fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn wal_bytes(db: &Path) -> u64 {
        std::fs::metadata(db.with_extension("db-wal")).map(|m| m.len()).unwrap_or(0)
    }

    /// A writer like the store's: WAL, no checkpoints of its own.
    fn writer(db: &Path) -> Connection {
        let c = Connection::open(db).unwrap();
        let mode: String = c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        c.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0; \
             CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, pad BLOB);",
        )
        .unwrap();
        c
    }

    fn write(c: &Connection, txs: usize) {
        for _ in 0..txs {
            c.execute("INSERT INTO t (pad) VALUES (zeroblob(3000))", []).unwrap();
        }
    }

    #[test]
    fn the_writer_never_checkpoints_and_a_round_bounds_the_wal() {
        let dir = TempDir::new();
        let db = dir.path().join("c.db");
        let w = writer(&db);
        write(&w, 1_500);
        // SQLite's default would have checkpointed at 1,000 frames and
        // restarted the WAL; the writer's commits did not.
        let grown = wal_bytes(&db);
        assert!(grown > 1_500 * 4096, "WAL {grown} bytes");

        let policy = CheckpointPolicy {
            interval: Duration::from_millis(10),
            restart_frames: 100,
            busy_wait: Duration::from_secs(5),
        };
        let c = open(&db, policy).unwrap();
        assert_eq!(round(&c, &policy).unwrap(), Round::Restarted);
        // The next writes start the WAL over instead of growing it.
        write(&w, 20);
        assert_eq!(wal_bytes(&db), grown, "the WAL file was reused from its start");
        match round(&c, &policy).unwrap() {
            Round::Passive { frames } => assert!((20..=100).contains(&frames), "{frames} frames after 20 writes"),
            other => panic!("expected a PASSIVE round under the bound, got {other:?}"),
        }
        let rows: i64 = w.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 1_520);
    }

    #[test]
    fn a_reader_holding_an_old_snapshot_delays_the_restart_without_blocking_the_writer() {
        let dir = TempDir::new();
        let db = dir.path().join("r.db");
        let w = writer(&db);
        write(&w, 300);
        let reader = Connection::open(&db).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        write(&w, 300);
        let policy = CheckpointPolicy {
            interval: Duration::from_millis(10),
            restart_frames: 100,
            busy_wait: Duration::from_millis(50),
        };
        let c = open(&db, policy).unwrap();
        assert!(matches!(round(&c, &policy).unwrap(), Round::RestartIncomplete { .. }));
        write(&w, 10);
        reader.execute_batch("COMMIT").unwrap();
        assert_eq!(round(&c, &policy).unwrap(), Round::Restarted);
    }
}
