//! The mutation pipeline every registered operation is mounted with:
//! authenticate → key → bounded JSON body → typed input → validate →
//! fingerprint → `Engine::execute` → the outcome as a response.

use axum::body::Body;
use axum::extract::{RawPathParams, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::extract::{authenticate, idempotency_key, json_body, request_id, IDEMPOTENT_REPLAYED, REQUEST_ID};
use super::problem::{
    code, engine_error, key_in_flight, key_mismatch, problem, with_retry_after, ApiError, PROBLEM_CONTENT_TYPE,
};
use super::state::App;
use crate::engine::{EngineError, WriteOutcome, WriteRequest};
use crate::idempotency::fingerprint::fingerprint;
use crate::ops::Operation;
use crate::store::StoredResponse;

/// Every request within `limit`: past it, 503 + `Retry-After`. Dropping
/// the handler's future rolls back its transaction; a commit that did land
/// is replayed on the client's retry with the same key.
pub(super) async fn bounded(
    limit: std::time::Duration,
    retry_after_s: u32,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => with_retry_after(
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                code::REQUEST_TIMEOUT,
                "the request took too long; retry with the same key",
            ),
            retry_after_s,
        ),
    }
}

pub(super) async fn mutation<O: Operation>(
    op: &O,
    State(app): State<App>,
    params: RawPathParams,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = request_id(&headers);
    let mut resp = match mutation_inner(op, &app, params, &headers, body, &request_id).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    resp
}

async fn mutation_inner<O: Operation>(
    op: &O,
    app: &App,
    params: RawPathParams,
    headers: &HeaderMap,
    body: Body,
    request_id: &str,
) -> Result<Response, ApiError> {
    let started = tokio::time::Instant::now();
    let tenant = authenticate(app, headers).await.inspect_err(|e| {
        // A database that is down refuses every write here, before the
        // engine: count it as the engine counts its own 503s, so the
        // writes-refused alert sees a full outage too.
        if e.code == code::STORAGE_UNAVAILABLE {
            let failed = crate::store::AuditStatus::Failed;
            app.metrics.record(op.spec(), failed, Some(code::STORAGE_UNAVAILABLE), 0, started.elapsed());
        }
    })?;
    let key = idempotency_key(headers)?;
    let value = json_body(body, headers, &app.http).await?;
    let input: O::Input = serde_json::from_value(value).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_BODY, format!("body does not match the schema: {e}"))
    })?;
    let invalid = |m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code::VALIDATION_FAILED, m);
    op.validate(&input).map_err(invalid)?;
    op.check(&input).map_err(|r| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, r.code, r.detail))?;
    // Every spelling of an id the reads accept (upper case, no dashes) is
    // one request: ids are fingerprinted in their canonical form.
    let path: Vec<String> = params.iter().map(|(_, v)| canonical_path_param(v)).collect();
    op.validate_path(&path).map_err(invalid)?;
    let path_refs: Vec<&str> = path.iter().map(String::as_str).collect();
    // Fingerprint the parsed, typed input: formatting never matters.
    let canonical = serde_json::to_value(&input).expect("inputs always serialise");
    let req = WriteRequest {
        tenant: tenant.id,
        key: &key,
        fingerprint: fingerprint(op.spec().name, &path_refs, &canonical),
        request_id: request_id.to_owned(),
        path,
    };
    let outcome = app.engine.execute(op, &req, &input).await;
    Ok(respond(outcome, app.http.retry_after_s))
}

fn respond(outcome: Result<WriteOutcome, EngineError>, retry_after_s: u32) -> Response {
    match outcome {
        Ok(WriteOutcome::Executed(r)) | Ok(WriteOutcome::Rejected(r)) => stored(&r, false),
        Ok(WriteOutcome::Replayed(r)) => stored(&r, true),
        Ok(WriteOutcome::Mismatch) => key_mismatch(),
        Ok(WriteOutcome::InFlight) => key_in_flight(retry_after_s),
        Err(e) => engine_error(&e, retry_after_s),
    }
}

/// A stored response, byte for byte. A replay of a success answers 200.
fn stored(r: &StoredResponse, replayed: bool) -> Response {
    let status = if replayed && (200..300).contains(&r.status) { 200 } else { r.status };
    let ct = if r.status >= 400 { PROBLEM_CONTENT_TYPE } else { "application/json" };
    let mut resp = Response::new(Body::from(r.body.clone()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    if let Some(loc) = r.location.as_deref().and_then(|l| HeaderValue::from_str(l).ok()) {
        h.insert(header::LOCATION, loc);
    }
    // PLANTED BUG (`no-replay-marker`): a replay looks like a first answer.
    if replayed && !crate::planted::on(crate::planted::Bug::NoReplayMarker) {
        h.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    resp
}

/// A path parameter as it is fingerprinted and executed: a UUID in its
/// hyphenated lower-case form, anything else as sent.
fn canonical_path_param(value: &str) -> String {
    uuid::Uuid::try_parse(value).map_or_else(|_| value.to_owned(), |id| id.hyphenated().to_string())
}
