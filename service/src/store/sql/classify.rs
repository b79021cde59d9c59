//! Turning sqlx errors into the engine's classes: retryable (serialization
//! failure, deadlock), unavailable (connection, timeouts, exhausted pool),
//! an entity id taken, another constraint violated, or anything else.
//! Postgres only: SQLite's are in `sqlite/rows.rs`.

use crate::store::{is_record_id_constraint, ConstraintKind, ConstraintViolation, StoreError};

pub(super) fn classify_pg(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("40001") | Some("40P01") => StoreError::Retryable(db.message().to_owned()),
            // Class 23, integrity constraint violation.
            Some(c) if c.starts_with("23") => {
                let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
                let column = pg.and_then(|p| p.table().zip(p.column())).map(|(t, c)| format!("{t}.{c}"));
                pg_constraint(c, db.constraint().map(str::to_owned).or(column), db.message())
            }
            // Class 22, data exception, on a write: a value a typed column
            // cannot hold (a document's date that is no calendar date).
            // The schema refused it, as a CHECK would have.
            Some(c) if c.starts_with("22") => StoreError::Constraint(ConstraintViolation::new(
                ConstraintKind::Other,
                db.constraint().unwrap_or("data_exception"),
                db.message(),
            )),
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

/// A class-23 SQLSTATE in the store's terms: a records table's primary key is
/// `Duplicate` (the engine's expired-key refusal relies on it), every other
/// constraint is `Constraint`, named as Postgres names it (a NOT NULL
/// violation has no constraint name: its `table.column`).
fn pg_constraint(code: &str, name: Option<String>, message: &str) -> StoreError {
    let name = name.unwrap_or_default();
    let kind = match code {
        "23505" if is_record_id_constraint(&name) => {
            return StoreError::Duplicate(message.to_owned());
        }
        "23505" => ConstraintKind::Unique,
        "23503" | "23001" => ConstraintKind::ForeignKey,
        "23514" => ConstraintKind::Check,
        "23502" => ConstraintKind::NotNull,
        "23P01" => ConstraintKind::Exclusion,
        _ => ConstraintKind::Other,
    };
    StoreError::Constraint(ConstraintViolation::new(kind, name, message))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(code: &str, name: &str) -> StoreError {
        pg_constraint(code, Some(name.to_owned()), "m")
    }

    fn constraint(kind: ConstraintKind, name: &str) -> StoreError {
        StoreError::Constraint(ConstraintViolation::new(kind, name, "m"))
    }

    #[test]
    fn class_23_is_a_constraint_violation_except_the_entity_id() {
        // The deterministic id taken: the engine's expired-key refusal.
        assert_eq!(violation("23505", "invoices_pkey"), StoreError::Duplicate("m".into()));
        // Every other unique violation is a constraint, however near the id.
        let outbox = violation("23505", "workflow_instances_pkey");
        assert_eq!(outbox, constraint(ConstraintKind::Unique, "workflow_instances_pkey"));
        assert_eq!(
            violation("23505", "tenants_token_hash_key"),
            constraint(ConstraintKind::Unique, "tenants_token_hash_key")
        );
        let fk = violation("23503", "invoices_customer_fk");
        assert_eq!(fk, constraint(ConstraintKind::ForeignKey, "invoices_customer_fk"));
        assert_eq!(violation("23001", "r"), constraint(ConstraintKind::ForeignKey, "r"));
        let check = violation("23514", "idempotency_keys_state_check");
        assert_eq!(check, constraint(ConstraintKind::Check, "idempotency_keys_state_check"));
        assert_eq!(violation("23502", "invoices.body"), constraint(ConstraintKind::NotNull, "invoices.body"));
        assert_eq!(violation("23P01", "x"), constraint(ConstraintKind::Exclusion, "x"));
        assert_eq!(violation("23000", "x"), constraint(ConstraintKind::Other, "x"));
        // No name reported: still a constraint, named by nothing.
        assert_eq!(pg_constraint("23503", None, "m"), constraint(ConstraintKind::ForeignKey, ""));
    }
}
