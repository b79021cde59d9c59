//! The SQLite writer's tests: its error classification, against real
//! constraint violations.

use rusqlite::ffi;

use super::*;
use crate::store::{ConstraintKind, ConstraintViolation};

/// A WAL database file of its own, with one table, and a second
/// connection to it (standing in for another process's).
fn database() -> (PathBuf, Connection) {
    let path = std::env::temp_dir().join(format!("accubooks-writer-{}.db", Uuid::new_v4().simple()));
    let other = Connection::open(&path).unwrap();
    other.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER NOT NULL);").unwrap();
    (path, other)
}

fn count(conn: &Connection) -> i64 {
    query_first(conn, "SELECT COUNT(*) FROM t", &[], |row| get(row, 0)).unwrap().unwrap()
}

#[test]
fn placeholders_bind_by_number_not_by_position() {
    let conn = Connection::open_in_memory().unwrap();
    // SQLite numbers these 1, 2, 3 in order of appearance: $2 is the first.
    let got: String =
        query_first(&conn, "SELECT $2 || $1 || $3", &[&"a", &"b", &"c"], |row| get(row, 0)).unwrap().unwrap();
    assert_eq!(got, "bac");
    let got: i64 = query_first(&conn, "SELECT $1 + $1 * $2", &[&2, &10], |row| get(row, 0)).unwrap().unwrap();
    assert_eq!(got, 22);
}

#[test]
fn a_parameter_count_mismatch_is_refused() {
    let conn = Connection::open_in_memory().unwrap();
    let r = query_first(&conn, "SELECT $1, $2", &[&1], |_| Ok(()));
    assert!(matches!(r, Err(StoreError::Other(_))), "{r:?}");
}

#[test]
fn errors_are_classified_in_the_stores_terms() {
    let failure = |code| rusqlite::Error::SqliteFailure(ffi::Error::new(code), Some("m".into()));
    assert_eq!(classify(failure(ffi::SQLITE_BUSY)), StoreError::Unavailable("database busy: m".into()));
    assert!(matches!(classify(failure(ffi::SQLITE_BUSY_SNAPSHOT)), StoreError::Unavailable(_)));
    assert!(matches!(classify(failure(ffi::SQLITE_LOCKED_SHAREDCACHE)), StoreError::Unavailable(_)));
    assert_eq!(
        classify(failure(ffi::SQLITE_CONSTRAINT_TRIGGER)),
        StoreError::Constraint(ConstraintViolation::new(ConstraintKind::Check, "m", "m")),
        "a trigger's RAISE(ABORT) is the schema refusing the write"
    );
    assert_eq!(classify(failure(ffi::SQLITE_IOERR)), StoreError::Other("m".into()));
}

/// SQLite's constraint codes (2067 unique, 1555 primary key, 787
/// foreign key, 275 check, 1299 not null) as the store's: a records table's
/// primary key is the deterministic id taken (`Duplicate`), every other
/// violation a `Constraint` of its kind, named as SQLite names it.
#[test]
fn constraint_violations_are_classified_by_extended_code() {
    let failure = |code, m: &str| rusqlite::Error::SqliteFailure(ffi::Error::new(code), Some(m.into()));
    let constraint = |kind, name: &str, m: &str| StoreError::Constraint(ConstraintViolation::new(kind, name, m));
    assert_eq!((ffi::SQLITE_CONSTRAINT_UNIQUE, ffi::SQLITE_CONSTRAINT_PRIMARYKEY), (2067, 1555));
    assert_eq!((ffi::SQLITE_CONSTRAINT_FOREIGNKEY, ffi::SQLITE_CONSTRAINT_CHECK), (787, 275));
    assert_eq!(ffi::SQLITE_CONSTRAINT_NOTNULL, 1299);

    let id = "UNIQUE constraint failed: invoices.id";
    assert_eq!(classify(failure(ffi::SQLITE_CONSTRAINT_PRIMARYKEY, id)), StoreError::Duplicate(id.into()));
    assert_eq!(classify(failure(ffi::SQLITE_CONSTRAINT_UNIQUE, id)), StoreError::Duplicate(id.into()));
    let outbox = "UNIQUE constraint failed: workflow_instances.id";
    assert_eq!(
        classify(failure(ffi::SQLITE_CONSTRAINT_PRIMARYKEY, outbox)),
        constraint(ConstraintKind::Unique, "workflow_instances.id", outbox)
    );
    let token = "UNIQUE constraint failed: tenants.token_hash";
    assert_eq!(
        classify(failure(ffi::SQLITE_CONSTRAINT_UNIQUE, token)),
        constraint(ConstraintKind::Unique, "tenants.token_hash", token)
    );
    let fk = "FOREIGN KEY constraint failed";
    assert_eq!(
        classify(failure(ffi::SQLITE_CONSTRAINT_FOREIGNKEY, fk)),
        constraint(ConstraintKind::ForeignKey, "foreign_key", fk)
    );
    let check = "CHECK constraint failed: state IN ('active', 'expired')";
    assert_eq!(
        classify(failure(ffi::SQLITE_CONSTRAINT_CHECK, check)),
        constraint(ConstraintKind::Check, "state IN ('active', 'expired')", check)
    );
    let not_null = "NOT NULL constraint failed: invoices.body";
    assert_eq!(
        classify(failure(ffi::SQLITE_CONSTRAINT_NOTNULL, not_null)),
        constraint(ConstraintKind::NotNull, "invoices.body", not_null)
    );
}

/// The same, from real statements: SQLite's messages are what the names
/// are parsed from.
#[test]
fn real_constraint_violations_name_their_constraint() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; \
         CREATE TABLE invoices (id TEXT PRIMARY KEY, body TEXT NOT NULL); \
         CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE, n INTEGER CONSTRAINT n_positive CHECK (n > 0)); \
         CREATE TABLE c (p_id INTEGER REFERENCES p (id)); \
         INSERT INTO invoices VALUES ('a', '{}'); INSERT INTO p VALUES (1, 'x', 1);",
    )
    .unwrap();
    let run = |sql: &str| execute(&conn, sql, &[]).unwrap_err();
    assert!(matches!(run("INSERT INTO invoices VALUES ('a', '{}')"), StoreError::Duplicate(_)));
    let named = |e: StoreError| match e {
        StoreError::Constraint(v) => (v.kind, v.constraint),
        other => panic!("not a constraint violation: {other:?}"),
    };
    assert_eq!(named(run("INSERT INTO p VALUES (2, 'x', 1)")), (ConstraintKind::Unique, "p.code".into()));
    assert_eq!(named(run("INSERT INTO p VALUES (1, 'y', 1)")), (ConstraintKind::Unique, "p.id".into()));
    assert_eq!(named(run("INSERT INTO p VALUES (3, 'z', 0)")), (ConstraintKind::Check, "n_positive".into()));
    assert_eq!(named(run("INSERT INTO c VALUES (9)")), (ConstraintKind::ForeignKey, "foreign_key".into()));
    let not_null = run("INSERT INTO invoices VALUES ('b', NULL)");
    assert_eq!(named(not_null), (ConstraintKind::NotNull, "invoices.body".into()));
    // A trigger's RAISE(ABORT): how a check across rows refuses a write.
    conn.execute_batch(
        "CREATE TRIGGER c_limit BEFORE INSERT ON c WHEN (SELECT COUNT(*) FROM c) >= 1 \
         BEGIN SELECT RAISE(ABORT, 'one child at most'); END; INSERT INTO c VALUES (1);",
    )
    .unwrap();
    let e = run("INSERT INTO c VALUES (1)");
    assert!(matches!(&e, StoreError::Constraint(v) if v.message.contains("one child at most")), "{e:?}");
    assert_eq!(named(e), (ConstraintKind::Check, "one child at most".into()), "the trigger's message names it");
}

/// The other connection holds the write lock and lets go from a task on
/// the same (current-thread) runtime: `begin` must wait without parking
/// the thread, or that task could never run.
#[tokio::test]
async fn begin_waits_for_another_writer_without_parking_the_thread() {
    let (path, other) = database();
    let limits = SqlLimits { lock_wait: Duration::from_secs(10), ..SqlLimits::default() };
    let writer = SqliteWriter::open(path.clone(), limits, CheckpointPolicy::default(), GROUP_MAX).unwrap();
    other.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);").unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        other.execute_batch("COMMIT").unwrap();
    });
    let started = std::time::Instant::now();
    let tx = writer.begin().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "waited {:?}", started.elapsed());
    assert_eq!(count(tx.conn().unwrap()), 1);
    release.await.unwrap();
}

/// A caller that gives up between its release and the group's COMMIT
/// (its request timed out, its client went away) must not take the
/// group down with it: its writes commit with the group, unanswered.
#[tokio::test]
async fn a_member_dropped_after_its_release_commits_with_the_group() {
    let (path, _other) = database();
    let writer = SqliteWriter::open(path, SqlLimits::default(), CheckpointPolicy::default(), GROUP_MAX).unwrap();
    let mut tx = writer.begin().await.unwrap();
    execute(tx.conn().unwrap(), "INSERT INTO t VALUES ($1)", &[&9]).unwrap();
    execute(tx.conn().unwrap(), MEMBER_RELEASE, &[]).unwrap();
    tx.released = true;
    drop(tx);
    let tx = writer.begin().await.unwrap();
    assert_eq!(count(tx.conn().unwrap()), 1, "the released member's write committed");
}

#[tokio::test]
async fn a_dropped_transaction_rolls_back_and_frees_the_writer() {
    let (path, _other) = database();
    let writer = SqliteWriter::open(path, SqlLimits::default(), CheckpointPolicy::default(), GROUP_MAX).unwrap();
    let tx = writer.begin().await.unwrap();
    execute(tx.conn().unwrap(), "INSERT INTO t VALUES ($1)", &[&7]).unwrap();
    drop(tx);
    let tx = writer.begin().await.unwrap();
    assert_eq!(count(tx.conn().unwrap()), 0);
    execute(tx.conn().unwrap(), "INSERT INTO t VALUES ($1)", &[&8]).unwrap();
    Box::new(tx).commit().await.unwrap();
    let tx = writer.begin().await.unwrap();
    assert_eq!(count(tx.conn().unwrap()), 1);
}

#[tokio::test]
async fn a_held_writer_answers_pool_exhausted_after_the_wait() {
    let (path, _other) = database();
    let limits = SqlLimits { pool_acquire_wait: Duration::from_millis(50), ..SqlLimits::default() };
    let writer = SqliteWriter::open(path, limits, CheckpointPolicy::default(), GROUP_MAX).unwrap();
    let _held = writer.begin().await.unwrap();
    let second = writer.begin().await.map(drop);
    assert_eq!(second, Err(StoreError::PoolExhausted));
}

/// Rows of `t` as another connection sees them: committed ones only.
fn committed(other: &Connection) -> Vec<i64> {
    let mut stmt = other.prepare("SELECT x FROM t ORDER BY x").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

async fn insert_and_commit(writer: Arc<SqliteWriter>, x: i64) -> Result<(), StoreError> {
    let tx = writer.begin().await?;
    execute(tx.conn()?, "INSERT INTO t VALUES ($1)", &[&x])?;
    Box::new(tx).commit().await
}

#[tokio::test]
async fn queued_transactions_share_commits_and_each_is_acknowledged_after_its_own() {
    for max in [GROUP_MAX, 4, 1] {
        let groups = sixty_four_queued(max).await;
        assert!(groups >= 64_u64.div_ceil(max as u64), "{groups} commits for 64 transactions, groups of {max}");
        assert!(max == 1 || groups < 64, "{groups} commits for 64 transactions, groups of {max}");
    }
    assert_eq!(sixty_four_queued(1).await, 64, "groups of one: every transaction commits alone");
}

/// 64 transactions queued behind a first one; the COMMITs they took.
async fn sixty_four_queued(max: usize) -> u64 {
    let (path, other) = database();
    let writer = Arc::new(SqliteWriter::open(path, SqlLimits::default(), CheckpointPolicy::default(), max).unwrap());
    let before = writer.group.generation();
    // The first holds the writer until the other 63 queue behind it.
    let first = writer.begin().await.unwrap();
    execute(first.conn().unwrap(), "INSERT INTO t VALUES (0)", &[]).unwrap();
    let tasks: Vec<_> = (1..64).map(|x| tokio::spawn(insert_and_commit(writer.clone(), x))).collect();
    while writer.group.queued.load(std::sync::atomic::Ordering::Acquire) < 63 {
        tokio::task::yield_now().await;
    }
    Box::new(first).commit().await.unwrap();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(committed(&other), (0..64).collect::<Vec<_>>());
    writer.group.generation() - before
}

/// A writer on a fresh database, a transaction A on it that wrote 1,
/// and the other connection.
async fn writer_and_a() -> (Arc<SqliteWriter>, SqliteTx, Connection) {
    let (path, other) = database();
    let writer =
        Arc::new(SqliteWriter::open(path, SqlLimits::default(), CheckpointPolicy::default(), GROUP_MAX).unwrap());
    let a = writer.begin().await.unwrap();
    execute(a.conn().unwrap(), "INSERT INTO t VALUES (1)", &[]).unwrap();
    (writer, a, other)
}

async fn until_queued(writer: &SqliteWriter) {
    while writer.group.queued.load(std::sync::atomic::Ordering::Acquire) == 0 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_rollback_in_a_group_undoes_only_its_own_writes() {
    let (writer, a, other) = writer_and_a().await;
    // B queues behind A, so A's commit waits for the group.
    let b = tokio::spawn({
        let writer = writer.clone();
        async move {
            let b = writer.begin().await.unwrap();
            // B sees A's writes (they commit first, or neither does).
            assert_eq!(count(b.conn().unwrap()), 1);
            execute(b.conn().unwrap(), "INSERT INTO t VALUES (2)", &[]).unwrap();
            Box::new(b).rollback().await.unwrap();
        }
    });
    until_queued(&writer).await;
    assert_eq!(committed(&other), Vec::<i64>::new());
    Box::new(a).commit().await.unwrap();
    b.await.unwrap();
    assert_eq!(committed(&other), vec![1]);
    insert_and_commit(writer, 3).await.unwrap();
    assert_eq!(committed(&other), vec![1, 3]);
}

/// The request queued behind a waiting member gives up before its
/// turn: the member ends the group itself.
#[tokio::test]
async fn a_waiting_member_commits_the_group_when_the_queue_gives_up() {
    let (writer, a, other) = writer_and_a().await;
    let b = tokio::spawn({
        let writer = writer.clone();
        async move {
            let _b = writer.begin().await;
            std::future::pending::<()>().await;
        }
    });
    until_queued(&writer).await;
    let a = tokio::spawn(Box::new(a).commit());
    while writer.group.waiting() == 0 {
        tokio::task::yield_now().await;
    }
    b.abort();
    let outcome = tokio::time::timeout(Duration::from_secs(10), a).await.expect("A was left waiting");
    outcome.unwrap().unwrap();
    assert_eq!(committed(&other), vec![1]);
}
