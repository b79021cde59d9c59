//! SQLite's schema migrations, run on a rusqlite connection.
//!
//! The history table is the one databases created by earlier releases
//! already have, `_sqlx_migrations` (version, description, installed_on,
//! success, checksum = SHA-384 of the file, execution_time in ns), kept in
//! the same form, so a database moves between releases either way. Each
//! migration runs in one `BEGIN IMMEDIATE` transaction with its history
//! row; a second process migrating at the same time waits for the lock and
//! then finds the version applied.
//!
//! Refused, as before: a database with a failed (dirty) migration, one
//! whose applied migration differs from this release's file, and one with
//! migrations this release does not know (a newer release's).

use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha384};

use super::rows::classify;
use crate::store::StoreError;

/// One migration file: its version, its description (the file name after
/// the version, underscores as spaces) and its SQL.
struct Migration {
    version: i64,
    description: &'static str,
    sql: &'static str,
}

macro_rules! migrations {
    ($($version:literal $description:literal $file:literal),* $(,)?) => {
        &[$(Migration { version: $version, description: $description, sql: include_str!(concat!("../../../../migrations/sqlite/", $file)) }),*]
    };
}

/// Every file of `migrations/sqlite`, in order (a test checks the
/// directory holds exactly these).
const MIGRATIONS: &[Migration] = migrations![
    1 "init" "0001_init.sql",
    2 "named locks" "0002_named_locks.sql",
    10 "audit partitions" "0010_audit_partitions.sql",
    11 "outbox delivery" "0011_outbox_delivery.sql",
    12 "field indexes" "0012_field_indexes.sql",
    13 "outbox open index" "0013_outbox_open_index.sql",
    14 "key state" "0014_key_state.sql",
    15 "typed tables" "0015_typed_tables.sql",
    17 "outbox indexes" "0017_outbox_indexes.sql",
];

const HISTORY_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations ( \
     version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
     installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
     checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)";

fn checksum(sql: &str) -> Vec<u8> {
    Sha384::digest(sql.as_bytes()).to_vec()
}

fn failed(what: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("migration failed: {what}"))
}

/// Brings the database on `conn` to this release's schema. While another
/// connection holds the write lock it fails busy (after the connection's
/// busy timeout), having applied whole migrations only: the caller waits
/// and runs it again.
pub(in crate::store::sql) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(HISTORY_TABLE).map_err(classify)?;
    let applied = applied(conn)?;
    if let Some((version, _, _)) = applied.iter().find(|(_, success, _)| !success) {
        return Err(failed(format!(
            "migration {version} is partially applied; fix and remove it from _sqlx_migrations"
        )));
    }
    for (version, _, sum) in &applied {
        match MIGRATIONS.iter().find(|m| m.version == *version) {
            None => return Err(failed(format!("migration {version} was applied but is unknown to this release"))),
            Some(m) if checksum(m.sql) != *sum => {
                return Err(failed(format!("migration {version} was applied but has been modified")))
            }
            Some(_) => {}
        }
    }
    for m in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(classify)?;
        // Under the write lock: another process may have applied it meanwhile.
        let done: Option<i64> = tx
            .query_row("SELECT version FROM _sqlx_migrations WHERE version = ?1", [m.version], |r| r.get(0))
            .optional()
            .map_err(classify)?;
        if done.is_some() {
            continue;
        }
        let started = Instant::now();
        tx.execute_batch(m.sql).map_err(|e| failed(format!("{} ({}): {e}", m.version, m.description)))?;
        let elapsed = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (?1, ?2, TRUE, ?3, ?4)",
            rusqlite::params![m.version, m.description, checksum(m.sql), elapsed],
        )
        .map_err(classify)?;
        tx.commit().map_err(classify)?;
    }
    Ok(())
}

/// (version, success, checksum) of every recorded migration.
fn applied(conn: &Connection) -> Result<Vec<(i64, bool, Vec<u8>)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version").map_err(classify)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(classify)?;
    rows.collect::<Result<_, _>>().map_err(classify)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db() -> (std::path::PathBuf, Connection) {
        let path = std::env::temp_dir().join(format!("accubooks-migrate-{}.db", uuid::Uuid::new_v4().simple()));
        let conn = Connection::open(&path).unwrap();
        (path, conn)
    }

    #[test]
    fn the_list_is_the_directory() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|f| f.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> =
            MIGRATIONS.iter().map(|m| format!("{:04}_{}.sql", m.version, m.description.replace(' ', "_"))).collect();
        assert_eq!(files, listed, "every file in migrations/sqlite is listed in MIGRATIONS, in order");
        for (file, m) in files.iter().zip(MIGRATIONS) {
            assert_eq!(std::fs::read_to_string(format!("{dir}/{file}")).unwrap(), m.sql, "{file}");
        }
    }

    #[test]
    fn migrating_twice_applies_each_file_once_and_records_it() {
        let (_path, mut conn) = temp_db();
        run(&mut conn).unwrap();
        run(&mut conn).unwrap();
        let recorded = applied(&conn).unwrap();
        assert_eq!(recorded.len(), MIGRATIONS.len());
        for ((version, success, sum), m) in recorded.iter().zip(MIGRATIONS) {
            assert_eq!((*version, *success), (m.version, true));
            assert_eq!(sum.len(), 48, "SHA-384");
            assert_eq!(*sum, checksum(m.sql));
        }
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'idempotency_keys'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn a_modified_dirty_or_unknown_migration_is_refused() {
        let (_path, mut conn) = temp_db();
        run(&mut conn).unwrap();
        conn.execute("UPDATE _sqlx_migrations SET checksum = X'00' WHERE version = 2", []).unwrap();
        assert!(matches!(run(&mut conn), Err(StoreError::Other(m)) if m.contains("modified")));
        conn.execute("UPDATE _sqlx_migrations SET checksum = ?1 WHERE version = 2", [checksum(MIGRATIONS[1].sql)])
            .unwrap();
        conn.execute("UPDATE _sqlx_migrations SET success = FALSE WHERE version = 14", []).unwrap();
        assert!(matches!(run(&mut conn), Err(StoreError::Other(m)) if m.contains("partially")));
        conn.execute("UPDATE _sqlx_migrations SET success = TRUE WHERE version = 14", []).unwrap();
        conn.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99, 'later', TRUE, X'00', 0)",
            [],
        )
        .unwrap();
        assert!(matches!(run(&mut conn), Err(StoreError::Other(m)) if m.contains("unknown")));
    }
}
