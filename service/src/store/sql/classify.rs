//! Turning sqlx errors into the engine's classes: retryable (serialization
//! failure, deadlock), unavailable (connection, timeouts, exhausted pool),
//! duplicate key, or anything else. Postgres only: SQLite's are in
//! `sqlite/rows.rs`.

use crate::store::StoreError;

pub(super) fn classify_pg(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("40001") | Some("40P01") => StoreError::Retryable(db.message().to_owned()),
            Some("23505") => StoreError::Duplicate(db.message().to_owned()),
            Some("55P03") => StoreError::LockTimeout(db.message().to_owned()),
            Some("57014") => StoreError::Unavailable(format!("statement timeout: {}", db.message())),
            // read_only_sql_transaction: the session is on a standby or a
            // demoted primary (a failover under way); nothing was written.
            Some("25006") => StoreError::Unavailable(format!("read-only session: {}", db.message())),
            // Class 08 (connection), 53 (resources), 57P0x (shutdown): transient.
            Some(c) if c.starts_with("08") || c.starts_with("53") || c.starts_with("57P") => {
                StoreError::Unavailable(db.message().to_owned())
            }
            _ => StoreError::Other(db.message().to_owned()),
        },
        _ => classify_common(e),
    }
}

/// The connection was dead before the statement did anything: the server
/// went away (restart) while the connection sat in the pool. Only a
/// statement that changes nothing on its own (`BEGIN`, a read) may be
/// retried on another connection after this.
pub(super) fn stale_connection(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        // admin_shutdown, crash_shutdown: the server's farewell, read on the next use.
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("57P01") | Some("57P02")),
        _ => false,
    }
}

/// Runs `attempt` (a statement that changes nothing) again, on another of
/// `pool`'s connections, while it fails on one that died idle: at most one
/// more time than the pool has connections.
pub(super) async fn passing_over_stale<DB, T, Fut>(
    pool: &sqlx::Pool<DB>,
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, sqlx::Error>
where
    DB: sqlx::Database,
    Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
{
    let mut tries = pool.options().get_max_connections() + 1;
    loop {
        match attempt().await {
            Err(e) if tries > 1 && stale_connection(&e) => tries -= 1,
            done => return done,
        }
    }
}

fn classify_common(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::PoolTimedOut => StoreError::PoolExhausted,
        sqlx::Error::PoolClosed => StoreError::Unavailable("connection pool closed".into()),
        sqlx::Error::Io(io) => StoreError::Unavailable(format!("i/o: {io}")),
        sqlx::Error::Tls(t) => StoreError::Unavailable(format!("tls: {t}")),
        sqlx::Error::Protocol(p) => StoreError::Unavailable(format!("protocol: {p}")),
        sqlx::Error::WorkerCrashed => StoreError::Unavailable("database worker crashed".into()),
        other => StoreError::Other(other.to_string()),
    }
}
