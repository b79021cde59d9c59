//! SQLite's WAL checkpoints, on a thread of their own (a task of the node
//! under simulation, where threads do not exist).
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
//!   writer, and SQLite only starts the WAL over once one has; so when the
//!   WAL holds more than `restart_frames`, the thread takes the writer's own
//!   lock (queueing FIFO with the requests, so SQLite's busy handler never
//!   races a writer that relocks at once: measured, that starved a RESTART
//!   for 1.6 s while the WAL grew to 700 MB), copying on while it waits, and
//!   runs a RESTART: it copies the rest and the next write starts the WAL
//!   over. The writer truncates a WAL file longer than `JOURNAL_SIZE_LIMIT`
//!   when it does.
//!
//! The thread ends when its `Checkpointer` drops; the last connection to
//! close checkpoints what is left, as SQLite always does.
//!
//! Under `--cfg madsim` the same rounds run on a task: it sleeps between
//! rounds, and for a RESTART it queues for the writer's lock as the thread
//! does (then, with buggify on, may stall while holding it), so the
//! simulation pauses writers around checkpoints as production does.

use std::path::Path;
#[cfg(not(madsim))]
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use super::group::GroupCommit;
use crate::store::StoreError;

/// When and how hard to checkpoint.
#[derive(Debug, Clone, Copy)]
pub(in crate::store::sql) struct CheckpointPolicy {
    /// Between PASSIVE checkpoints.
    pub interval: Duration,
    /// WAL frames (pages) beyond which the WAL is restarted.
    pub restart_frames: i64,
    /// How long a RESTART may wait for readers (and other processes'
    /// writers) while this process's writer is paused.
    pub busy_wait: Duration,
}

/// Bytes the writer truncates the WAL file to when it starts it over.
pub(in crate::store::sql) const JOURNAL_SIZE_LIMIT: i64 = 64 << 20;

impl Default for CheckpointPolicy {
    fn default() -> Self {
        // 16,384 frames of 4 KiB: 64 MiB between restarts (about half a
        // second at 3,000 invoices/s). A restart pauses the writer for what
        // was written since the last 5 ms copy, plus a sync: 3–31 ms
        // measured at 500 clients (with 32,768 frames, when the WAL file
        // reached 272 MB at most; it shrinks back to `JOURNAL_SIZE_LIMIT`
        // on each restart).
        Self { interval: Duration::from_millis(100), restart_frames: 16_384, busy_wait: Duration::from_millis(250) }
    }
}

/// Between the PASSIVE rounds that copy while a RESTART waits for the writer.
#[cfg(not(madsim))]
const CATCH_UP_PAUSE: Duration = Duration::from_millis(5);

/// The handle that keeps the checkpoint thread (or task) running.
pub(in crate::store::sql) struct Checkpointer {
    #[cfg(not(madsim))]
    _stop: Sender<()>,
    #[cfg(madsim)]
    task: tokio::task::JoinHandle<()>,
}

#[cfg(madsim)]
impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Checkpointer {
    /// Opens a connection to `path` (already in WAL mode) and starts the
    /// thread; `writer` is the write connection's lock, held for RESTARTs.
    pub(in crate::store::sql) fn start(
        path: &Path,
        policy: CheckpointPolicy,
        writer: Arc<Mutex<Connection>>,
        group: Arc<GroupCommit>,
    ) -> Result<Self, StoreError> {
        let conn = open(path, policy).map_err(|e| StoreError::Other(format!("checkpoint connection: {e}")))?;
        let file = path.to_owned();
        #[cfg(not(madsim))]
        {
            let (stop, stopped) = mpsc::channel::<()>();
            std::thread::Builder::new()
                .name("sqlite-checkpoint".into())
                .spawn(move || run(conn, &file, policy, (&writer, &group), stopped))
                .map_err(|e| StoreError::Other(format!("checkpoint thread: {e}")))?;
            Ok(Self { _stop: stop })
        }
        #[cfg(madsim)]
        {
            // Only ever locked between awaits: it makes the connection
            // shareable by the (Send) task without holding it across one.
            let conn = std::sync::Mutex::new(conn);
            let task = tokio::spawn(async move {
                let mut idle_at = None;
                loop {
                    tokio::time::sleep(policy.interval).await;
                    let outcome = round_on_task(&conn, &policy, (&writer, &group), &mut idle_at).await;
                    report(&file, outcome);
                }
            });
            Ok(Self { task })
        }
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

/// `idle_at`: the WAL's frames when the previous round found it fully
/// copied. Unchanged and still fully copied, nothing was written since:
/// the next write starts the WAL over by itself. (Under load a fully
/// copied WAL does not suffice: SQLite starts over only if no reader is
/// reading at the moment a write begins, and with reads on every request's
/// path one nearly always is.)
/// A PASSIVE checkpoint; the round it was, or None if the WAL must now
/// be restarted.
fn passive(conn: &Connection, policy: &CheckpointPolicy, idle_at: &mut Option<i64>) -> rusqlite::Result<Option<Round>> {
    let (_, frames, copied) = checkpoint(conn, "PASSIVE")?;
    let settled = copied >= frames && *idle_at == Some(frames);
    *idle_at = (copied >= frames).then_some(frames);
    Ok((frames <= policy.restart_frames || settled).then_some(Round::Passive { frames }))
}

fn restart(conn: &Connection) -> rusqlite::Result<Round> {
    match checkpoint(conn, "RESTART")? {
        (false, _, _) => {
            crate::reach::point("sqlite.checkpoint_restart");
            Ok(Round::Restarted)
        }
        (true, frames, copied) => Ok(Round::RestartIncomplete { frames, copied }),
    }
}

#[cfg(not(madsim))]
fn round(
    conn: &Connection,
    policy: &CheckpointPolicy,
    writer: Option<(&Mutex<Connection>, &GroupCommit)>,
    idle_at: &mut Option<i64>,
) -> rusqlite::Result<Round> {
    if let Some(round) = passive(conn, policy, idle_at)? {
        return Ok(round);
    }
    let restart = || restart(conn);
    let Some((writer, group)) = writer else { return restart() };
    // Queue for the writer's lock on a helper thread (behind the requests
    // already waiting), and keep copying meanwhile: the RESTART then has
    // only the last few milliseconds' frames to copy while writes wait.
    std::thread::scope(|scope| {
        let (held_tx, held) = mpsc::channel::<()>();
        let (done, done_rx) = mpsc::channel::<()>();
        scope.spawn(move || {
            let paused = writer.blocking_lock();
            if !paused.is_autocommit() {
                // A group transaction waits for its COMMIT (sqlite_group.rs):
                // it ends now, its members are told.
                let _ = group.commit(&paused);
            }
            let _ = held_tx.send(());
            let _ = done_rx.recv();
        });
        while let Err(RecvTimeoutError::Timeout) = held.recv_timeout(CATCH_UP_PAUSE) {
            checkpoint(conn, "PASSIVE")?;
        }
        let outcome = restart();
        drop(done);
        outcome
    })
}

/// The round on the simulation's task: the writer's lock is awaited
/// (FIFO behind the requests), held for the RESTART alone.
#[cfg(madsim)]
async fn round_on_task(
    conn: &std::sync::Mutex<Connection>,
    policy: &CheckpointPolicy,
    (writer, group): (&Mutex<Connection>, &GroupCommit),
    idle_at: &mut Option<i64>,
) -> rusqlite::Result<Round> {
    let lock = || conn.lock().unwrap_or_else(|p| p.into_inner());
    let copied = passive(&lock(), policy, idle_at)?;
    if let Some(round) = copied {
        return Ok(round);
    }
    let paused = writer.lock().await;
    if !paused.is_autocommit() {
        // A group transaction waits for its COMMIT (group.rs): it ends now.
        let _ = group.commit(&paused);
    }
    crate::fault::stall("sqlite_checkpoint_restart").await;
    let outcome = restart(&lock());
    drop(paused);
    outcome
}

fn report(file: &Path, outcome: rusqlite::Result<Round>) {
    match outcome {
        Ok(Round::Passive { .. } | Round::Restarted) => {}
        Ok(Round::RestartIncomplete { frames, copied }) => {
            tracing::warn!(db = %file.display(), frames, copied, "WAL restart checkpoint did not finish in time")
        }
        Err(e) => tracing::warn!(db = %file.display(), error = %e, "WAL checkpoint failed"),
    }
}

#[cfg(not(madsim))]
fn run(
    conn: Connection,
    file: &Path,
    policy: CheckpointPolicy,
    writer: (&Mutex<Connection>, &GroupCommit),
    stopped: mpsc::Receiver<()>,
) {
    let mut idle_at = None;
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(policy.interval) {
        report(file, round(&conn, &policy, Some(writer), &mut idle_at));
    }
}

#[cfg(all(test, not(madsim)))]
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

    fn policy(busy_wait_ms: u64) -> CheckpointPolicy {
        CheckpointPolicy {
            interval: Duration::from_millis(10),
            restart_frames: 100,
            busy_wait: Duration::from_millis(busy_wait_ms),
        }
    }

    /// 300 writes, a reader that keeps their snapshot, 300 more writes:
    /// no checkpoint can copy the last 300 while the reader lasts.
    fn pinned_wal(db: &Path) -> (Arc<Mutex<Connection>>, Connection) {
        let w = writer(db);
        write(&w, 300);
        let reader = Connection::open(db).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        write(&w, 300);
        (Arc::new(Mutex::new(w)), reader)
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

        let policy = policy(5_000);
        let c = open(&db, policy).unwrap();
        let mut idle_at = None;
        assert_eq!(round(&c, &policy, None, &mut idle_at).unwrap(), Round::Restarted);
        // Nothing written since: the next round leaves the writer alone.
        match round(&c, &policy, None, &mut idle_at).unwrap() {
            Round::Passive { frames } => assert!(frames >= 1_500, "{frames} frames"),
            other => panic!("nothing written since the restart, got {other:?}"),
        }
        // The next writes start the WAL over instead of growing it.
        write(&w, 20);
        assert_eq!(wal_bytes(&db), grown, "the WAL file was reused from its start");
        match round(&c, &policy, None, &mut idle_at).unwrap() {
            Round::Passive { frames } => assert!((20..=100).contains(&frames), "{frames} frames after 20 writes"),
            other => panic!("expected a PASSIVE round under the bound, got {other:?}"),
        }
        let rows: i64 = w.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 1_520);
    }

    #[test]
    fn a_reader_holding_an_old_snapshot_delays_the_restart_and_nothing_is_lost() {
        let dir = TempDir::new();
        let db = dir.path().join("r.db");
        let (w, reader) = pinned_wal(&db);
        let policy = policy(50);
        let c = open(&db, policy).unwrap();
        assert!(matches!(
            round(&c, &policy, Some((&w, &GroupCommit::default())), &mut None).unwrap(),
            Round::RestartIncomplete { .. }
        ));
        write(&w.blocking_lock(), 10);
        reader.execute_batch("COMMIT").unwrap();
        let grown = wal_bytes(&db);
        assert_eq!(round(&c, &policy, Some((&w, &GroupCommit::default())), &mut None).unwrap(), Round::Restarted);
        write(&w.blocking_lock(), 5);
        assert_eq!(wal_bytes(&db), grown, "the WAL started over");
        let rows: i64 = w.blocking_lock().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 615);
    }

    #[test]
    fn a_restart_waits_for_the_writers_lock() {
        let dir = TempDir::new();
        let db = dir.path().join("w.db");
        let (w, _reader) = pinned_wal(&db);
        let policy = policy(50);
        let c = open(&db, policy).unwrap();
        // A write transaction in progress holds the writer for 200 ms.
        let (held_tx, held) = mpsc::channel();
        let holder = {
            let w = w.clone();
            std::thread::spawn(move || {
                let conn = w.blocking_lock();
                conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO t (pad) VALUES (zeroblob(10));").unwrap();
                held_tx.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(200));
                conn.execute_batch("COMMIT").unwrap();
            })
        };
        held.recv().unwrap();
        let started = std::time::Instant::now();
        let outcome = round(&c, &policy, Some((&w, &GroupCommit::default())), &mut None).unwrap();
        let waited = started.elapsed();
        holder.join().unwrap();
        // The RESTART ran only after the transaction committed (the reader
        // still pins the WAL, so it could not finish either way).
        assert!(waited >= Duration::from_millis(150), "the RESTART ran after {waited:?}, inside the transaction");
        assert!(matches!(outcome, Round::RestartIncomplete { .. }), "{outcome:?}");
    }
}
