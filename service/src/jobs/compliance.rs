//! Compliance and audit-log lifecycle, straight SQL on the two dialects:
//! the rollout plan's queries (duplicates, workflow accuracy, replay rate,
//! failures), archiving, and monthly partitions on Postgres. Postgres's run
//! on sqlx, SQLite's on the store's own connections (rusqlite). Compiled
//! out under `--cfg madsim`.

use serde::Serialize;
use sqlx::{Acquire, Row};

use crate::store::sql::{Database, JobsPool, SqlLimits};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ComplianceError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Other(String),
}

/// The compliance queries are methods of the jobs' pool.
pub type Db = JobsPool;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Duplicate {
    pub deterministic_id: String,
    pub execution_count: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WorkflowMismatch {
    pub deterministic_id: String,
    pub workflows_triggered: i64,
    pub actual_workflows: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReplayRate {
    pub operation_name: String,
    pub new_count: i64,
    pub replay_count: i64,
    pub replay_rate_pct: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    pub operation_name: String,
    pub error_message: Option<String>,
    pub failure_count: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Archived {
    pub moved: u64,
    pub verified: u64,
    pub cutoff_days: u32,
}

/// The compliance queries on an opened database's jobs pool.
pub fn on(db: &Database) -> Db {
    db.jobs_pool().clone()
}

/// Opens (and migrates) the database named by `url`, for a one-off command.
pub async fn open(url: &str) -> Result<Db, ComplianceError> {
    let db = Database::open(url, SqlLimits::default()).await.map_err(|e| ComplianceError::Other(e.to_string()))?;
    Ok(on(&db))
}

/// `timestamp >= now - N days`, per dialect (SQLite stores RFC 3339 text).
macro_rules! pg_since {
    () => {
        "timestamp >= now() - make_interval(days => $1)"
    };
}
macro_rules! sqlite_since {
    () => {
        "timestamp >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || $1 || ' days')"
    };
}

/// A Postgres row read by column position, as a rusqlite row is.
struct PgColumns<'r>(&'r sqlx::postgres::PgRow);

impl PgColumns<'_> {
    fn get<T>(&self, i: usize) -> Result<T, sqlx::Error>
    where
        T: for<'v> sqlx::Decode<'v, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        self.0.try_get(i)
    }
}

/// One query in both dialects: Postgres's rows through sqlx, SQLite's
/// through the store, each mapped by column position.
macro_rules! dialect {
    ($db:expr, $days:expr, $pg:expr, $lite:expr, |$r:ident| $row:expr) => {
        match $db {
            Db::Postgres(pool) => {
                let rows = sqlx::query($pg).bind($days as i32).fetch_all(pool).await?;
                rows.iter()
                    .map(|row| {
                        let $r = PgColumns(row);
                        Ok($row)
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
                    .map_err(ComplianceError::from)
            }
            Db::Sqlite(store) => Ok(store.select($lite, i64::from($days), |$r| Ok($row)).await?),
        }
    };
}

impl Db {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// The plan's "Verify No Duplicates": should return no rows.
    pub async fn duplicates(&self, days: u32) -> Result<Vec<Duplicate>, ComplianceError> {
        dialect!(
            self,
            days,
            concat!(
                "SELECT deterministic_id::text, COUNT(*) AS execution_count FROM idempotent_write_audit_log \
                 WHERE status = 'new' AND ",
                pg_since!(),
                " GROUP BY deterministic_id HAVING COUNT(*) > 1 ORDER BY deterministic_id"
            ),
            concat!(
                "SELECT deterministic_id, COUNT(*) AS execution_count FROM idempotent_write_audit_log \
                 WHERE status = 'new' AND ",
                sqlite_since!(),
                " GROUP BY deterministic_id HAVING COUNT(*) > 1 ORDER BY deterministic_id"
            ),
            |r| Duplicate { deterministic_id: r.get(0)?, execution_count: r.get(1)? }
        )
    }

    /// The plan's "Verify Workflow Accuracy": audit rows whose
    /// `workflows_triggered` differs from the outbox rows that exist.
    pub async fn workflow_mismatches(&self, days: u32) -> Result<Vec<WorkflowMismatch>, ComplianceError> {
        dialect!(
            self,
            days,
            concat!("SELECT a.deterministic_id::text, a.workflows_triggered::bigint, COUNT(w.id) AS actual_workflows \
                 FROM idempotent_write_audit_log a LEFT JOIN workflow_instances w ON w.trigger_entity_id = a.deterministic_id \
                 WHERE a.status = 'new' AND a.", pg_since!(), " GROUP BY a.deterministic_id, a.workflows_triggered \
                 HAVING a.workflows_triggered != COUNT(w.id) ORDER BY a.deterministic_id"),
            concat!("SELECT a.deterministic_id, a.workflows_triggered, COUNT(w.id) AS actual_workflows \
                 FROM idempotent_write_audit_log a LEFT JOIN workflow_instances w ON w.trigger_entity_id = a.deterministic_id \
                 WHERE a.status = 'new' AND a.", sqlite_since!(), " GROUP BY a.deterministic_id, a.workflows_triggered \
                 HAVING a.workflows_triggered != COUNT(w.id) ORDER BY a.deterministic_id"),
            |r| WorkflowMismatch {
                deterministic_id: r.get(0)?,
                workflows_triggered: r.get(1)?,
                actual_workflows: r.get(2)?,
            }
        )
    }

    /// The plan's "Weekly replay rate by operation".
    pub async fn replay_rate(&self, days: u32) -> Result<Vec<ReplayRate>, ComplianceError> {
        dialect!(
            self,
            days,
            concat!(
                "SELECT operation_name, COUNT(*) FILTER (WHERE status = 'new') AS new_count, \
                 COUNT(*) FILTER (WHERE status = 'replayed') AS replay_count, \
                 ROUND(100.0 * COUNT(*) FILTER (WHERE status = 'replayed') / COUNT(*), 2)::float8 AS replay_rate_pct \
                 FROM idempotent_write_audit_log WHERE ",
                pg_since!(),
                " GROUP BY operation_name ORDER BY replay_rate_pct DESC, operation_name"
            ),
            concat!(
                "SELECT operation_name, COUNT(*) FILTER (WHERE status = 'new') AS new_count, \
                 COUNT(*) FILTER (WHERE status = 'replayed') AS replay_count, \
                 ROUND(100.0 * COUNT(*) FILTER (WHERE status = 'replayed') / COUNT(*), 2) AS replay_rate_pct \
                 FROM idempotent_write_audit_log WHERE ",
                sqlite_since!(),
                " GROUP BY operation_name ORDER BY replay_rate_pct DESC, operation_name"
            ),
            |r| ReplayRate {
                operation_name: r.get(0)?,
                new_count: r.get(1)?,
                replay_count: r.get(2)?,
                replay_rate_pct: r.get(3)?,
            }
        )
    }

    /// The plan's "Weekly failure analysis".
    pub async fn failures(&self, days: u32) -> Result<Vec<Failure>, ComplianceError> {
        dialect!(
            self,
            days,
            concat!(
                "SELECT operation_name, error_message, COUNT(*) AS failure_count FROM idempotent_write_audit_log \
                 WHERE status = 'failed' AND ",
                pg_since!(),
                " GROUP BY operation_name, error_message ORDER BY failure_count DESC, operation_name"
            ),
            concat!(
                "SELECT operation_name, error_message, COUNT(*) AS failure_count FROM idempotent_write_audit_log \
                 WHERE status = 'failed' AND ",
                sqlite_since!(),
                " GROUP BY operation_name, error_message ORDER BY failure_count DESC, operation_name"
            ),
            |r| Failure { operation_name: r.get(0)?, error_message: r.get(1)?, failure_count: r.get(2)? }
        )
    }

    /// Moves audit rows older than `days` into the archive table in one
    /// transaction, and commits only if every moved row is in the archive.
    pub async fn archive(&self, days: u32) -> Result<Archived, ComplianceError> {
        /// The counts of one archive run: (to move, archive before, copied, deleted, archive after).
        fn verdict(
            days: u32,
            (expected, before, inserted, deleted, after): (i64, i64, u64, u64, i64),
        ) -> Result<Archived, String> {
            let verified = (after - before) as u64;
            if inserted != expected as u64 || deleted != inserted || verified != inserted {
                return Err(format!(
                    "archive aborted, nothing moved: {expected} rows to move, {inserted} copied, {deleted} deleted, {verified} in the archive"
                ));
            }
            Ok(Archived { moved: deleted, verified, cutoff_days: days })
        }
        macro_rules! sql {
            (count_old, $cutoff:literal) => { concat!("SELECT COUNT(*) FROM idempotent_write_audit_log WHERE timestamp < ", $cutoff) };
            (copy, $cutoff:literal) => { concat!("INSERT INTO idempotent_write_audit_log_archive SELECT * FROM idempotent_write_audit_log WHERE timestamp < ", $cutoff) };
            (delete, $cutoff:literal) => { concat!("DELETE FROM idempotent_write_audit_log WHERE timestamp < ", $cutoff) };
        }
        const COUNT_ARCHIVE: &str = "SELECT COUNT(*) FROM idempotent_write_audit_log_archive";
        match self {
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let mut tx = conn.begin().await?;
                let cutoff_days = days as i32;
                let expected: i64 = sqlx::query_scalar(sql!(count_old, "now() - make_interval(days => $1)"))
                    .bind(cutoff_days)
                    .fetch_one(&mut *tx)
                    .await?;
                let before: i64 = sqlx::query_scalar(COUNT_ARCHIVE).fetch_one(&mut *tx).await?;
                let inserted = sqlx::query(sql!(copy, "now() - make_interval(days => $1)"))
                    .bind(cutoff_days)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                let deleted = sqlx::query(sql!(delete, "now() - make_interval(days => $1)"))
                    .bind(cutoff_days)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                let after: i64 = sqlx::query_scalar(COUNT_ARCHIVE).fetch_one(&mut *tx).await?;
                match verdict(days, (expected, before, inserted, deleted, after)) {
                    Ok(archived) => {
                        tx.commit().await?;
                        Ok(archived)
                    }
                    Err(m) => {
                        tx.rollback().await?;
                        Err(ComplianceError::Other(m))
                    }
                }
            }
            Db::Sqlite(store) => {
                let days_param = i64::from(days);
                let outcome = store
                    .write(|conn| {
                        let db = |e: rusqlite::Error| StoreError::Other(e.to_string());
                        let cutoff = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ?1 || ' days')";
                        let count = |sql: &str, bind: bool| -> Result<i64, StoreError> {
                            if bind {
                                conn.query_row(sql, [days_param], |r| r.get(0)).map_err(db)
                            } else {
                                conn.query_row(sql, [], |r| r.get(0)).map_err(db)
                            }
                        };
                        let expected = count(&format!("SELECT COUNT(*) FROM idempotent_write_audit_log WHERE timestamp < {cutoff}"), true)?;
                        let before = count(COUNT_ARCHIVE, false)?;
                        let inserted = conn
                            .execute(&format!("INSERT INTO idempotent_write_audit_log_archive SELECT * FROM idempotent_write_audit_log WHERE timestamp < {cutoff}"), [days_param])
                            .map_err(db)? as u64;
                        let deleted = conn
                            .execute(&format!("DELETE FROM idempotent_write_audit_log WHERE timestamp < {cutoff}"), [days_param])
                            .map_err(db)? as u64;
                        let after = count(COUNT_ARCHIVE, false)?;
                        // An Err here rolls the whole move back.
                        verdict(days, (expected, before, inserted, deleted, after)).map_err(StoreError::Other)
                    })
                    .await;
                outcome.map_err(|e| match e {
                    StoreError::Other(m) if m.starts_with("archive aborted") => ComplianceError::Other(m),
                    e => ComplianceError::Store(e),
                })
            }
        }
    }

    /// Postgres: makes sure a partition exists for this month and the next
    /// `months_ahead`, moving any rows of those months out of the DEFAULT
    /// partition first. Returns the partitions it created.
    pub async fn ensure_partitions(&self, months_ahead: u32) -> Result<Vec<String>, ComplianceError> {
        let Db::Postgres(pool) = self else { return Ok(Vec::new()) };
        let months: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT 'idempotent_write_audit_log_' || to_char(m, 'YYYY_MM'), m::date::text, (m + interval '1 month')::date::text \
             FROM generate_series(date_trunc('month', now()), date_trunc('month', now()) + make_interval(months => $1), interval '1 month') AS m",
        )
        .bind(months_ahead as i32)
        .fetch_all(pool)
        .await?;
        let mut created = Vec::new();
        for (name, from, to) in months {
            let exists: bool =
                sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL").bind(&name).fetch_one(pool).await?;
            if exists {
                continue;
            }
            // Names and bounds come from the database's own date formatting
            // above (digits, dashes, underscores), never from input.
            let valid = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid(&name) || !valid(&from) || !valid(&to) {
                return Err(ComplianceError::Other(format!("unexpected partition bound {name} {from} {to}")));
            }
            let mut tx = pool.begin().await?;
            let stmts = [
                format!("CREATE TABLE {name} (LIKE idempotent_write_audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"),
                format!(
                    "WITH moved AS (DELETE FROM idempotent_write_audit_log_default WHERE timestamp >= '{from}' AND timestamp < '{to}' RETURNING *) \
                     INSERT INTO {name} SELECT * FROM moved"
                ),
                format!("ALTER TABLE idempotent_write_audit_log ATTACH PARTITION {name} FOR VALUES FROM ('{from}') TO ('{to}')"),
            ];
            for s in stmts {
                sqlx::raw_sql(sqlx::AssertSqlSafe(s)).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            created.push(name);
        }
        Ok(created)
    }

    /// Postgres: the partitions of the audit log, oldest first.
    pub async fn partitions(&self) -> Result<Vec<String>, ComplianceError> {
        let Db::Postgres(pool) = self else { return Ok(Vec::new()) };
        Ok(sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'idempotent_write_audit_log' ORDER BY c.relname",
        )
        .fetch_all(pool)
        .await?)
    }
}
