//! The read-only routes: records, ledger lines, periods, key status, the
//! API document, readiness and metrics.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::extract::authenticate;
use super::problem::{code, problem, with_retry_after};
use super::state::App;
use crate::domain::ledger::LedgerLine;
use crate::idempotency::expiry::KeyState;
use crate::idempotency::key::IdempotencyKey;
use crate::ops;
use crate::store::Table;

pub(super) async fn read_entity(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    table: Table,
) -> Response {
    let tenant = match authenticate(&app, &headers).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let not_found = || problem(StatusCode::NOT_FOUND, code::NOT_FOUND, &format!("no such {}", table.kind()));
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found();
    };
    match app.store.get_entity(tenant.id, table, id).await {
        Ok(Some(e)) => json(e.body),
        Ok(_) => not_found(),
        Err(_) => unavailable(&app),
    }
}

/// The ledger lines a record posted: `{"object":"list","data":[…]}`.
pub(super) async fn read_ledger(State(app): State<App>, headers: HeaderMap, Path(source_id): Path<String>) -> Response {
    let tenant = match authenticate(&app, &headers).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let not_found = || problem(StatusCode::NOT_FOUND, code::NOT_FOUND, "no such record");
    let Ok(source_id) = Uuid::parse_str(&source_id) else {
        return not_found();
    };
    let lines = match app.store.list_entities(Some(tenant.id), Table::LedgerLines, Some(source_id)).await {
        Ok(lines) => lines,
        Err(_) => return unavailable(&app),
    };
    // The source must be this tenant's record: another tenant's id reads as
    // missing. Lines found under it prove it (they are the tenant's); a
    // record that posted none (a zero total, a customer) is looked for in
    // each table.
    if lines.is_empty() {
        let mut found = false;
        for table in Table::ALL {
            match app.store.get_entity(tenant.id, table, source_id).await {
                Ok(Some(_)) => {
                    found = true;
                    break;
                }
                Ok(None) => {}
                Err(_) => return unavailable(&app),
            }
        }
        if !found {
            return not_found();
        }
    }
    let mut data: Vec<LedgerLine> = lines.iter().filter_map(|l| serde_json::from_str(&l.body).ok()).collect();
    // Stored by id (derived, so unordered); a posting reads in line order.
    data.sort_by_key(|l| l.line);
    json(serde_json::json!({"object": "list", "source_id": source_id, "data": data}).to_string())
}

/// A period: its closed marker, or `{"status":"open"}` if it has none.
pub(super) async fn read_period(State(app): State<App>, headers: HeaderMap, Path(period): Path<String>) -> Response {
    let tenant = match authenticate(&app, &headers).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let Some(period) = crate::domain::time::Period::parse(&period) else {
        return problem(StatusCode::NOT_FOUND, code::NOT_FOUND, "a period is a calendar month YYYY-MM");
    };
    match app.store.get_entity(tenant.id, Table::ClosedPeriods, ops::closed_period_id(tenant.id, period)).await {
        Ok(Some(e)) => json(e.body),
        Ok(_) => {
            json(serde_json::json!({"object": "period", "period": period.to_string(), "status": "open"}).to_string())
        }
        Err(_) => unavailable(&app),
    }
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn unavailable(app: &App) -> Response {
    with_retry_after(
        problem(StatusCode::SERVICE_UNAVAILABLE, code::STORAGE_UNAVAILABLE, "storage is temporarily unavailable"),
        app.http.retry_after_s,
    )
}

/// `GET /v1/idempotency-keys/{key}`: a key's status and expiry, for the
/// authenticated tenant only.
pub(super) async fn read_key(State(app): State<App>, headers: HeaderMap, Path(key): Path<String>) -> Response {
    let tenant = match authenticate(&app, &headers).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let not_found = || problem(StatusCode::NOT_FOUND, code::NOT_FOUND, "no such idempotency key");
    let Ok(key) = IdempotencyKey::parse(&key) else { return not_found() };
    let record = match app.store.get_key(tenant.id, key.as_str()).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(),
        Err(_) => return unavailable(&app),
    };
    let Ok(meta) = app.store.key_meta(tenant.id, key.as_str()).await else { return unavailable(&app) };
    let created = meta.as_ref().and_then(|m| crate::domain::time::parse_utc(&m.created_at));
    let state = meta.map_or(KeyState::Active, |m| m.state);
    let ttl = app.http.key_ttl.as_secs() as i64;
    let body = serde_json::json!({
        "object": "idempotency_key",
        "operation": record.operation,
        "status": state.as_str(),
        "entity_id": record.entity_id,
        "response_status": record.response.as_ref().map(|r| r.status),
        "created_at": created.map(|(s, ms)| crate::domain::time::rfc3339(s, ms)),
        "expires_at": created.map(|(s, ms)| crate::domain::time::rfc3339(s + ttl, ms)),
    });
    json(body.to_string())
}

/// `GET /openapi.json`: the document generated from the route table.
pub(super) async fn openapi(doc: Arc<std::sync::OnceLock<String>>) -> Response {
    match doc.get() {
        Some(d) => json(d.clone()),
        None => problem(StatusCode::SERVICE_UNAVAILABLE, code::NOT_READY, "the API document is not built yet"),
    }
}

/// `GET /readyz`: the store answers; on Postgres also what its replication
/// is, with a warning when commits wait for no standby (503 instead when
/// the service requires a synchronous standby).
pub(super) async fn readyz(State(app): State<App>) -> Response {
    if app.store.ping().await.is_err() {
        return problem(StatusCode::SERVICE_UNAVAILABLE, code::NOT_READY, "storage unreachable");
    }
    match app.store.replication().await {
        Ok(None) => (StatusCode::OK, "ready").into_response(),
        Ok(Some(r)) if r.synchronous() => (StatusCode::OK, format!("ready\n{}\n", r.describe())).into_response(),
        Ok(Some(r)) if app.http.require_synchronous_standby => {
            problem(StatusCode::SERVICE_UNAVAILABLE, code::NO_SYNCHRONOUS_STANDBY, &r.describe())
        }
        Ok(Some(r)) => (StatusCode::OK, format!("ready\nwarning: {}\n", r.describe())).into_response(),
        Err(_) => problem(StatusCode::SERVICE_UNAVAILABLE, code::NOT_READY, "replication state unreadable"),
    }
}

pub(super) async fn metrics(State(app): State<App>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render()).into_response()
}
