//! SQLite's write transactions: one rusqlite connection whose statements run
//! inline, on the task that issues them.
//!
//! SQLite has one writer, so the write path is one connection behind an
//! async FIFO mutex: a `SqliteTx` holds it from its start until it commits,
//! rolls back or is dropped, and each statement (microseconds) runs on the
//! runtime thread that asks for it — no thread hand-off per statement.
//! Transactions that follow each other share one database transaction and
//! its COMMIT (`group.rs`).
//!
//! Architecture invariant: nothing here parks a runtime thread waiting for
//! another connection. The one statement that can wait, `BEGIN IMMEDIATE`
//! (another process may hold the lock), is retried with async sleeps
//! (bounded by `lock_wait`).
//!
//! Architecture invariant: no statement runs outside the transaction. SQLite
//! rolls a transaction back by itself on some errors (a full disk, I/O), and
//! a later statement would then autocommit; every call checks first.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, ToSql};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

use super::checkpoint::{CheckpointPolicy, Checkpointer, JOURNAL_SIZE_LIMIT};
#[cfg(test)]
use super::group::GROUP_MAX;
use super::group::{GroupCommit, MEMBER_BEGIN, MEMBER_RELEASE, MEMBER_ROLLBACK};
use super::rows::{
    classify, column_cells, entity_from_row, execute, get, key_from_row, query_all, query_first, while_busy,
};
use crate::domain::ids::TenantId;
use crate::store::sql::{
    match_needs_parent, records, SqlLimits, COMPLETE_KEY, INSERT_AUDIT, INSERT_KEY, INSERT_NAMED_LOCK, INSERT_WORKFLOW,
    SELECT_KEY, SELECT_NAMED_LOCK,
};
use crate::store::{
    AuditRecord, Claim, Entity, FieldMatch, IndexedField, KeyClaim, LockMode, StoreError, StoredResponse, Table, Tx,
    WorkflowInstance,
};

/// Every statement of the write path (about twenty) stays prepared.
const STATEMENTS_CACHED: usize = 32;

/// `Tx::count_matching`'s statements, written for SQLite's expression indexes.
fn count_sql(field: IndexedField) -> &'static str {
    crate::store::sql::count_matching_sql(false, field)
}

/// The one connection write transactions run on, and the bounds on waiting
/// for it.
pub(in crate::store::sql) struct SqliteWriter {
    conn: Arc<Mutex<Connection>>,
    group: Arc<GroupCommit>,
    limits: SqlLimits,
    _checkpointer: Checkpointer,
}

impl SqliteWriter {
    /// Opens `path`, already created, switched to WAL and migrated.
    pub(in crate::store::sql) fn open(
        path: PathBuf,
        limits: SqlLimits,
        policy: CheckpointPolicy,
        group_max: usize,
    ) -> Result<Self, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(classify)?;
        // Checkpoints run apart, not in this writer's commits (checkpoint.rs).
        conn.execute_batch(&format!(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0; \
             PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT};"
        ))
        .map_err(classify)?;
        conn.busy_timeout(limits.lock_wait).map_err(classify)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS_CACHED);
        // WAL belongs to the file: without it the readers would block on
        // (and be blocked by) every write transaction.
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0)).map_err(classify)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Other(format!("{} is in journal mode {mode}, not WAL", path.display())));
        }
        let conn = Arc::new(Mutex::new(conn));
        let group = Arc::new(GroupCommit::with_max(group_max));
        let checkpointer = Checkpointer::start(&path, policy, conn.clone(), group.clone())?;
        Ok(Self { conn, group, limits, _checkpointer: checkpointer })
    }

    /// Waits (FIFO, at most `pool_acquire_wait`) for the connection, then
    /// starts a write transaction on it: in the open group's, or a new one.
    pub(in crate::store::sql) async fn begin(&self) -> Result<SqliteTx, StoreError> {
        let queued = self.group.queue();
        let mut conn = tokio::time::timeout(self.limits.pool_acquire_wait, self.conn.clone().lock_owned())
            .await
            .map_err(|_| StoreError::PoolExhausted)?;
        drop(queued);
        if conn.is_autocommit() {
            if self.group.waiting() > 0 {
                // The database rolled the group back by itself.
                self.group.fail(StoreError::Other("the database rolled the transaction back".into()));
            }
            begin_immediate(&mut conn, self.limits.lock_wait).await?;
        }
        let tx = SqliteTx { conn: Some(conn), writer: self.conn.clone(), group: self.group.clone(), released: false };
        execute(tx.conn()?, MEMBER_BEGIN, &[])?;
        Ok(tx)
    }

    /// One audit row in a transaction of its own.
    pub(in crate::store::sql) async fn append_audit(&self, a: &AuditRecord) -> Result<(), StoreError> {
        self.write(|conn| insert_audit(conn, a)).await
    }

    /// `write` in a transaction of its own: committed (with the group) if
    /// it returns Ok, rolled back otherwise.
    pub(in crate::store::sql) async fn write<T>(
        &self,
        write: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self.begin().await?;
        // On an error the drop rolls back.
        let out = write(tx.conn()?)?;
        tx.finish().await?;
        Ok(out)
    }
}

/// `BEGIN IMMEDIATE`: takes the write lock now rather than at the first
/// write, so a transaction never fails to upgrade. While another connection
/// (another process's, or a checkpoint's) holds the lock, SQLite's busy
/// handler would sleep on this thread; the wait is async sleeps instead,
/// within the same `lock_wait`.
async fn begin_immediate(conn: &mut Connection, lock_wait: Duration) -> Result<(), StoreError> {
    while_busy(lock_wait, move || try_begin_immediate(conn, lock_wait).map_err(classify)).await
}

/// One attempt that fails at once if the lock is taken.
fn try_begin_immediate(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::ZERO)?;
    let begun = conn.prepare_cached("BEGIN IMMEDIATE").and_then(|mut s| s.raw_execute());
    conn.busy_timeout(busy_timeout)?;
    begun.map(drop)
}

/// One write transaction: a savepoint in the group's. Holds the writer
/// until it commits, rolls back or is dropped; a drop rolls back.
pub struct SqliteTx {
    /// Until the transaction ends.
    conn: Option<OwnedMutexGuard<Connection>>,
    writer: Arc<Mutex<Connection>>,
    group: Arc<GroupCommit>,
    /// Its savepoint is released: its writes are the group's, to be
    /// committed with it (even if this is dropped before the COMMIT).
    released: bool,
}

impl SqliteTx {
    /// The connection, while this transaction is still open on it.
    fn conn(&self) -> Result<&Connection, StoreError> {
        match &self.conn {
            Some(conn) if !conn.is_autocommit() => Ok(conn),
            Some(_) => Err(StoreError::Other("the database rolled the transaction back".into())),
            None => Err(StoreError::Other("the transaction has ended".into())),
        }
    }

    /// Commits: this transaction's writes join the group's, which commits
    /// now, or later with those of the requests queued behind (then this
    /// waits for that COMMIT and returns its outcome).
    async fn finish(mut self) -> Result<(), StoreError> {
        // On failure still open: the drop rolls this transaction back.
        execute(self.conn()?, MEMBER_RELEASE, &[])?;
        self.released = true;
        // A stall here holds the writer between this member's savepoint and
        // the group's COMMIT: the members queued behind it wait, a node kill
        // loses every uncommitted member.
        crate::fault::stall("sqlite_member_released_before_commit").await;
        let conn = self.conn.take().expect("checked open above");
        if !self.group.defer() {
            return self.group.commit(&conn);
        }
        let (generation, mut outcome) = self.group.wait();
        drop(conn);
        if crate::planted::on(crate::planted::Bug::GroupAck) {
            // PLANTED BUG (`group-ack`): the member is acknowledged before
            // the group's COMMIT. A crash before that COMMIT loses a write
            // its client was told is stored.
            return Ok(());
        }
        let lost = || Err(StoreError::Other("the group commit ended without an outcome".into()));
        tokio::select! {
            told = &mut outcome => told.unwrap_or_else(|_| lost()),
            conn = self.writer.clone().lock_owned() => {
                // Nobody has ended the group yet: end it here.
                if self.group.generation() == generation {
                    crate::reach::point("sqlite.waiter_committed_group");
                    // Every waiting member, this one too, is told the outcome.
                    let _ = self.group.commit(&conn);
                }
                drop(conn);
                outcome.await.unwrap_or_else(|_| lost())
            }
        }
    }

    /// Undoes this transaction's writes only; the group's transaction ends
    /// now unless members wait for it and requests queue to continue it.
    /// Dropped after its savepoint was released (its caller gave up between
    /// the release and the COMMIT), it undoes nothing: its writes stay in the
    /// group and commit with it, an outcome its caller never learns, as
    /// after a lost acknowledgement.
    fn roll_back(&mut self) -> Result<(), StoreError> {
        let Some(conn) = self.conn.take() else { return Ok(()) };
        if conn.is_autocommit() {
            // The database rolled the whole group back by itself.
            let lost = StoreError::Other("the database rolled the transaction back".into());
            self.group.fail(lost.clone());
            return Err(lost);
        }
        if self.released {
            if self.group.waiting() == 0 || !self.group.defer() {
                self.group.commit(&conn)?;
            }
            return Ok(());
        }
        let undone = execute(&conn, MEMBER_ROLLBACK, &[]).and_then(|_| execute(&conn, MEMBER_RELEASE, &[]));
        if let Err(e) = undone {
            // Where the group stands is unknown: all of it goes.
            if let Err(e) = execute(&conn, "ROLLBACK", &[]) {
                tracing::warn!(error = %e, "rolling back a SQLite group transaction failed");
            }
            self.group.fail(e.clone());
            return Err(e);
        }
        if self.group.waiting() > 0 {
            crate::reach::point("sqlite.member_rolled_back_in_group");
        }
        if self.group.waiting() == 0 || !self.group.defer() {
            // An empty group's COMMIT writes nothing; it frees the write lock.
            self.group.commit(&conn)?;
        }
        Ok(())
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if let Err(e) = self.roll_back() {
            tracing::warn!(error = %e, "rolling back a dropped SQLite transaction failed");
        }
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn claim_key(&mut self, claim: &KeyClaim) -> Result<Claim, StoreError> {
        // No wait: this transaction is the only writer, so a key row is
        // either committed or absent.
        let conn = self.conn()?;
        let r = &claim.record;
        let tenant = r.tenant_id.0.to_string();
        let entity = r.entity_id.to_string();
        let params: [&dyn ToSql; 6] =
            [&tenant, &r.idempotency_key, &r.operation, &r.fingerprint, &r.fingerprint_version, &entity];
        if execute(conn, INSERT_KEY, &params)? == 1 {
            return Ok(Claim::Claimed);
        }
        match query_first(conn, SELECT_KEY, &[&tenant, &r.idempotency_key], key_from_row)? {
            Some(existing) => Ok(Claim::Existing(existing)),
            None => Err(StoreError::Other("key row neither inserted nor found".into())),
        }
    }

    async fn complete_key(&mut self, tenant: TenantId, key: &str, response: &StoredResponse) -> Result<(), StoreError> {
        let tenant = tenant.0.to_string();
        let status = i32::from(response.status);
        let params: [&dyn ToSql; 5] = [&tenant, &key, &status, &response.body, &response.location];
        if execute(self.conn()?, COMPLETE_KEY, &params)? != 1 {
            return Err(StoreError::Other("complete_key matched no claimed key".into()));
        }
        Ok(())
    }

    async fn get_entity(
        &mut self,
        tenant: TenantId,
        table: Table,
        id: Uuid,
        _for_update: bool,
    ) -> Result<Option<Entity>, StoreError> {
        // The one writer already excludes every other writer: nothing to lock.
        let sql = records(false).table(table).get.as_str();
        let (id, tenant) = (id.to_string(), tenant.0.to_string());
        query_first(self.conn()?, sql, &[&id, &tenant], entity_from_row)
    }

    async fn list_entities(
        &mut self,
        tenant: TenantId,
        table: Table,
        parent: Option<Uuid>,
    ) -> Result<Vec<Entity>, StoreError> {
        let sql = records(false).table(table).list.as_str();
        let (tenant, parent) = (tenant.0.to_string(), parent.map(|p| p.to_string()));
        query_all(self.conn()?, sql, &[&tenant, &parent], entity_from_row)
    }

    async fn count_matching(&mut self, m: &FieldMatch) -> Result<u64, StoreError> {
        let conn = self.conn()?;
        let tenant = m.tenant.0.to_string();
        let except = m.except.map(|id| id.to_string());
        let limit = i64::from(m.limit);
        // $5, the parent, is bound only where the statement has it.
        let (parent, bound) = match (match_needs_parent(m.field), m.parent) {
            (false, _) => (String::new(), 4),
            (true, Some(parent)) => (parent.to_string(), 5),
            (true, None) => return Err(StoreError::Other(format!("{:?} is looked up under a parent", m.field))),
        };
        let params: [&dyn ToSql; 5] = [&tenant, &m.value, &except, &limit, &parent];
        let n: i64 = query_first(conn, count_sql(m.field), &params[..bound], |row| get(row, 0))?
            .ok_or_else(|| StoreError::Other("COUNT returned no row".into()))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn lock(&mut self, tenant: TenantId, name: &str, _mode: LockMode) -> Result<(), StoreError> {
        // The same statements as on Postgres, without row locks: the row
        // records the name, and the one writer already excludes.
        let conn = self.conn()?;
        let tenant = tenant.0.to_string();
        execute(conn, INSERT_NAMED_LOCK, &[&tenant, &name])?;
        match query_first(conn, SELECT_NAMED_LOCK, &[&tenant, &name], |_| Ok(()))? {
            Some(()) => Ok(()),
            None => Err(StoreError::Other(format!("named lock {name} neither inserted nor found"))),
        }
    }

    async fn insert_entity(&mut self, e: &Entity) -> Result<(), StoreError> {
        let table = Table::for_kind(&e.kind)?;
        let sql = records(false).table(table).insert.as_str();
        let (id, tenant) = (e.id.to_string(), e.tenant_id.0.to_string());
        let columns = column_cells(table, &e.body)?;
        let mut params: Vec<&dyn ToSql> = vec![&id, &tenant, &e.body, &e.version];
        params.extend(columns.iter().map(|c| c as &dyn ToSql));
        execute(self.conn()?, sql, &params)?;
        Ok(())
    }

    async fn update_entity(&mut self, e: &Entity) -> Result<(), StoreError> {
        let table = Table::for_kind(&e.kind)?;
        let sql = records(false).table(table).update.as_str();
        let (id, tenant) = (e.id.to_string(), e.tenant_id.0.to_string());
        let columns = column_cells(table, &e.body)?;
        let mut params: Vec<&dyn ToSql> = vec![&id, &tenant, &e.body, &e.version];
        params.extend(columns.iter().map(|c| c as &dyn ToSql));
        if execute(self.conn()?, sql, &params)? != 1 {
            return Err(StoreError::Retryable("entity version changed under update".into()));
        }
        Ok(())
    }

    async fn insert_workflow(&mut self, w: &WorkflowInstance) -> Result<(), StoreError> {
        let (id, tenant, trigger) = (w.id.to_string(), w.tenant_id.0.to_string(), w.trigger_entity_id.to_string());
        let params: [&dyn ToSql; 6] = [&id, &tenant, &w.workflow_name, &trigger, &w.operation_name, &w.payload];
        execute(self.conn()?, INSERT_WORKFLOW, &params)?;
        Ok(())
    }

    async fn insert_audit(&mut self, a: &AuditRecord) -> Result<(), StoreError> {
        insert_audit(self.conn()?, a)
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.finish().await
    }

    async fn rollback(mut self: Box<Self>) -> Result<(), StoreError> {
        // A stall while the writer is held by a member about to roll back.
        crate::fault::stall("sqlite_member_rolling_back").await;
        self.roll_back()
    }
}

fn insert_audit(conn: &Connection, a: &AuditRecord) -> Result<(), StoreError> {
    let (company, entity, http_status) =
        (a.company_id.0.to_string(), a.deterministic_id.to_string(), i32::from(a.http_status));
    let params: [&dyn ToSql; 11] = [
        &company,
        &a.operation_name,
        &a.idempotency_key_hash,
        &entity,
        &a.status.as_str(),
        &a.error_type,
        &a.error_message,
        &http_status,
        &a.workflows_triggered,
        &a.duration_ms,
        &a.request_id,
    ];
    execute(conn, INSERT_AUDIT, &params)?;
    Ok(())
}

#[cfg(test)]
mod tests {
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
        let writer =
            Arc::new(SqliteWriter::open(path, SqlLimits::default(), CheckpointPolicy::default(), max).unwrap());
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
}
