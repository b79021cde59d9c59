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
    match_needs_parent, records, SqlLimits, TableSql, COMPLETE_KEY, INSERT_AUDIT, INSERT_KEY, INSERT_NAMED_LOCK,
    INSERT_WORKFLOW, SELECT_KEY, SELECT_NAMED_LOCK,
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
        write_record(self.conn()?, e, |t| &t.insert)?;
        Ok(())
    }

    async fn update_entity(&mut self, e: &Entity) -> Result<(), StoreError> {
        if write_record(self.conn()?, e, |t| &t.update)? != 1 {
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

/// Inserts or updates (`statement` picks which) a record in its table: id,
/// tenant, document, version, then its typed columns read from the
/// document. The rows it changed.
fn write_record(conn: &Connection, e: &Entity, statement: fn(&TableSql) -> &String) -> Result<usize, StoreError> {
    let table = Table::for_kind(&e.kind)?;
    let (id, tenant) = (e.id.to_string(), e.tenant_id.0.to_string());
    let columns = column_cells(table, &e.body)?;
    let mut params: Vec<&dyn ToSql> = vec![&id, &tenant, &e.body, &e.version];
    params.extend(columns.iter().map(|c| c as &dyn ToSql));
    execute(conn, statement(records(false).table(table)), &params)
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
mod tests;
