//! Statements on a rusqlite connection: bind `$N` parameters by name, run,
//! map rows to records, and classify rusqlite's errors in the store's
//! terms. The writer, the group commit, the readers and the jobs share them.

use rusqlite::types::FromSql;
use rusqlite::{CachedStatement, Connection, ErrorCode, Row, ToSql};

use crate::domain::ids::TenantId;
use crate::store::sql::{opt_uuid, parse_uuid};
use crate::store::{
    is_record_id_constraint, AuditRecord, AuditStatus, ConstraintKind, ConstraintViolation, Delivery, Entity,
    KeyRecord, StoreError, StoredResponse, WorkflowInstance,
};

/// Placeholder names, `$1` first: the most any statement here binds.
/// (A record's insert: 4 + its typed columns, at most 8.)
const PARAMETERS: [&str; 16] =
    ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$16"];

/// The cached statement for `sql` with `params` bound to `$1`, `$2`, … by
/// name: SQLite numbers `$N` placeholders in order of first appearance, not
/// by N (the invoice-status count uses `$5` before `$4`).
pub(in crate::store::sql) fn prepare<'c>(
    conn: &'c Connection,
    sql: &str,
    params: &[&dyn ToSql],
) -> Result<CachedStatement<'c>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(classify)?;
    if params.len() > PARAMETERS.len() || stmt.parameter_count() != params.len() {
        return Err(StoreError::Other(format!(
            "statement has {} parameters, {} bound: {sql}",
            stmt.parameter_count(),
            params.len()
        )));
    }
    for (name, value) in PARAMETERS.iter().zip(params) {
        stmt.raw_bind_parameter(*name, value).map_err(classify)?;
    }
    Ok(stmt)
}

/// A record's typed column values as SQLite's `json_extract(body,
/// '$.field')` reads them: integers as integers, reals as reals, strings
/// as text, `true`/`false` as 1/0, `null` as NULL, objects and arrays as
/// their JSON text.
pub(in crate::store::sql) fn column_cells(
    t: crate::store::Table,
    body: &str,
) -> Result<Vec<rusqlite::types::Value>, StoreError> {
    use rusqlite::types::Value as Cell;
    use serde_json::Value as Json;
    Ok(crate::store::tables::column_values(t, body)?
        .into_iter()
        .map(|v| match v {
            Json::Null => Cell::Null,
            Json::Bool(b) => Cell::Integer(i64::from(b)),
            Json::Number(n) => {
                n.as_i64().map(Cell::Integer).or_else(|| n.as_f64().map(Cell::Real)).unwrap_or(Cell::Null)
            }
            Json::String(s) => Cell::Text(s),
            other => Cell::Text(other.to_string()),
        })
        .collect())
}

/// Runs a statement that returns no rows; the number of rows it changed.
pub(in crate::store::sql) fn execute(conn: &Connection, sql: &str, params: &[&dyn ToSql]) -> Result<usize, StoreError> {
    prepare(conn, sql, params)?.raw_execute().map_err(classify)
}

pub(in crate::store::sql) fn query_first<T>(
    conn: &Connection,
    sql: &str,
    params: &[&dyn ToSql],
    map: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut stmt = prepare(conn, sql, params)?;
    let mut rows = stmt.raw_query();
    rows.next().map_err(classify)?.map(map).transpose()
}

pub(in crate::store::sql) fn query_all<T>(
    conn: &Connection,
    sql: &str,
    params: &[&dyn ToSql],
    mut map: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = prepare(conn, sql, params)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(classify)? {
        out.push(map(row)?);
    }
    Ok(out)
}

pub(in crate::store::sql) fn get<T: FromSql>(row: &Row<'_>, column: impl rusqlite::RowIndex) -> Result<T, StoreError> {
    row.get(column).map_err(classify)
}

pub(in crate::store::sql) fn key_from_row(row: &Row<'_>) -> Result<KeyRecord, StoreError> {
    let status: Option<i32> = get(row, "response_status")?;
    let body: Option<String> = get(row, "response_body")?;
    let response = match (status, body) {
        (Some(status), Some(body)) => Some(StoredResponse {
            status: u16::try_from(status).map_err(|_| StoreError::Other("bad status".into()))?,
            body,
            location: get(row, "response_location")?,
        }),
        _ => None,
    };
    Ok(KeyRecord {
        tenant_id: TenantId(parse_uuid(&get::<String>(row, "tenant_id")?)?),
        idempotency_key: get(row, "idempotency_key")?,
        operation: get(row, "operation")?,
        fingerprint: get(row, "fingerprint")?,
        fingerprint_version: get(row, "fingerprint_version")?,
        entity_id: parse_uuid(&get::<String>(row, "entity_id")?)?,
        response,
    })
}

pub(in crate::store::sql) fn entity_from_row(row: &Row<'_>) -> Result<Entity, StoreError> {
    Ok(Entity {
        id: parse_uuid(&get::<String>(row, "id")?)?,
        tenant_id: TenantId(parse_uuid(&get::<String>(row, "tenant_id")?)?),
        kind: get(row, "kind")?,
        parent_id: opt_uuid(get(row, "parent_id")?)?,
        body: get(row, "body")?,
        version: get(row, "version")?,
    })
}

pub(in crate::store::sql) fn audit_from_row(row: &Row<'_>) -> Result<AuditRecord, StoreError> {
    let status: String = get(row, "status")?;
    let http_status: i32 = get(row, "http_status")?;
    Ok(AuditRecord {
        company_id: TenantId(parse_uuid(&get::<String>(row, "company_id")?)?),
        operation_name: get(row, "operation_name")?,
        idempotency_key_hash: get(row, "idempotency_key_hash")?,
        deterministic_id: parse_uuid(&get::<String>(row, "deterministic_id")?)?,
        status: AuditStatus::parse(&status)
            .ok_or_else(|| StoreError::Other(format!("unknown audit status {status}")))?,
        error_type: get(row, "error_type")?,
        error_message: get(row, "error_message")?,
        http_status: u16::try_from(http_status).map_err(|_| StoreError::Other("bad status".into()))?,
        workflows_triggered: get(row, "workflows_triggered")?,
        duration_ms: get(row, "duration_ms")?,
        request_id: get(row, "request_id")?,
    })
}

pub(in crate::store::sql) fn workflow_from_row(row: &Row<'_>) -> Result<WorkflowInstance, StoreError> {
    Ok(WorkflowInstance {
        id: parse_uuid(&get::<String>(row, "id")?)?,
        tenant_id: TenantId(parse_uuid(&get::<String>(row, "tenant_id")?)?),
        workflow_name: get(row, "workflow_name")?,
        trigger_entity_id: parse_uuid(&get::<String>(row, "trigger_entity_id")?)?,
        operation_name: get(row, "operation_name")?,
        payload: get(row, "payload")?,
    })
}

pub(in crate::store::sql) fn delivery_from_row(row: &Row<'_>) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: get(row, "id")?,
        tenant_id: get(row, "tenant_id")?,
        workflow_name: get(row, "workflow_name")?,
        trigger_entity_id: get(row, "trigger_entity_id")?,
        operation_name: get(row, "operation_name")?,
        payload: get(row, "payload")?,
        attempts: get(row, "attempts")?,
    })
}

/// Pauses between attempts while the database is busy.
const BUSY_PAUSE_MIN: std::time::Duration = std::time::Duration::from_millis(1);
const BUSY_PAUSE_MAX: std::time::Duration = std::time::Duration::from_millis(32);

/// Runs `attempt` (which must fail at once, not wait, when the database is
/// busy) until it is not busy or `wait` has passed, pausing asynchronously
/// in between: a wait for another connection never parks the thread.
pub(in crate::store::sql) async fn while_busy<T>(
    wait: std::time::Duration,
    mut attempt: impl FnMut() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut pause = BUSY_PAUSE_MIN;
    loop {
        match attempt() {
            Err(e) if is_busy_error(&e) && tokio::time::Instant::now() + pause <= deadline => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(BUSY_PAUSE_MAX);
            }
            done => return done,
        }
    }
}

/// How `classify` starts the message of a busy or locked database.
const BUSY: &str = "database busy";

/// A busy or locked database, as `classify` reports it: nothing was done,
/// and the same statement may succeed a moment later.
pub(in crate::store::sql) fn is_busy_error(e: &StoreError) -> bool {
    matches!(e, StoreError::Unavailable(m) if m.starts_with(BUSY))
}

pub(in crate::store::sql) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

/// rusqlite errors in the engine's classes: busy or locked (any extended
/// code) → unavailable, the entities' primary key → duplicate, another
/// unique, primary-key, foreign-key, CHECK or NOT NULL violation →
/// constraint, anything else → other.
pub(in crate::store::sql) fn classify(e: rusqlite::Error) -> StoreError {
    use rusqlite::ffi;
    match &e {
        rusqlite::Error::SqliteFailure(err, message) => {
            let message = message.clone().unwrap_or_else(|| err.to_string());
            let kind = match err.extended_code {
                _ if is_busy(&e) => return StoreError::Unavailable(format!("{BUSY}: {message}")),
                ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => ConstraintKind::Unique,
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ConstraintKind::ForeignKey,
                ffi::SQLITE_CONSTRAINT_CHECK => ConstraintKind::Check,
                ffi::SQLITE_CONSTRAINT_NOTNULL => ConstraintKind::NotNull,
                // The schema's triggers check what a row cannot state and
                // RAISE(ABORT, '<constraint name>') (migrations 0015).
                ffi::SQLITE_CONSTRAINT_TRIGGER => {
                    return StoreError::Constraint(ConstraintViolation::new(ConstraintKind::Check, &message, &message))
                }
                // The rest of the family: a trigger's RAISE(ABORT, …), a
                // STRICT table's datatype, a rowid: still the schema refusing
                // the write, never a 500.
                _ if err.code == ffi::ErrorCode::ConstraintViolation => ConstraintKind::Other,
                _ => return StoreError::Other(message),
            };
            // "UNIQUE constraint failed: entities.id", "CHECK constraint
            // failed: name"; a foreign key is not named ("FOREIGN KEY
            // constraint failed"): then its kind names it.
            let name = message.split_once("constraint failed: ").map_or(kind.as_str(), |(_, n)| n).to_owned();
            if kind == ConstraintKind::Unique && is_record_id_constraint(&name) {
                return StoreError::Duplicate(message);
            }
            StoreError::Constraint(ConstraintViolation::new(kind, name, message))
        }
        _ => StoreError::Other(e.to_string()),
    }
}
