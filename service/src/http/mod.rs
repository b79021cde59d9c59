//! The HTTP adapter: extract → call the engine → map to a response.
//!
//! Architecture invariant: handlers never decide idempotency; every
//! mutation route is mounted by `routes::RouteBuilder::mount`, which routes
//! through the engine (`mutation` below).

pub mod contract;
pub mod openapi;
pub mod problem;
pub mod routes;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawPathParams, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::BodyExt;
use uuid::Uuid;

use crate::domain::ids::token_hash;
use crate::domain::ledger::LedgerLine;
use crate::engine::{Engine, EngineConfig, EngineError, WriteOutcome, WriteRequest};
use crate::http::problem::{problem_body, PROBLEM_CONTENT_TYPE};
use crate::idempotency::fingerprint::fingerprint;
use crate::idempotency::key::{IdempotencyKey, KeyError};
use crate::metrics::Metrics;
use crate::ops::{self, Operation};
use crate::store::{Store, StoredResponse, Tenant};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// HTTP-level limits.
#[derive(Debug, Clone, Copy)]
pub struct HttpConfig {
    pub request_body_bytes_max: usize,
    /// Seconds a client is told to wait (`Retry-After`) on 409 and 503.
    pub retry_after_s: u32,
    /// How long a key answers replays (reported by `GET /v1/idempotency-keys/{key}`;
    /// enforced by the key reaper).
    pub key_ttl: std::time::Duration,
    /// Upper bound on handling one request; past it the client gets 503 +
    /// `Retry-After` (`request_timeout`) and the request's transaction, if
    /// any, is rolled back with the dropped future.
    pub request_timeout: std::time::Duration,
    /// Deepest nesting of arrays and objects a JSON body may have; checked
    /// on the raw bytes before any parsing.
    pub json_depth_max: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            request_body_bytes_max: 64 * 1024,
            retry_after_s: 1,
            key_ttl: std::time::Duration::from_secs(24 * 3600),
            request_timeout: std::time::Duration::from_secs(30),
            json_depth_max: 16,
        }
    }
}

/// One service instance's shared state. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub engine: Engine,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub http: HttpConfig,
}

impl App {
    pub fn new(store: Arc<dyn Store>, engine: EngineConfig, http: HttpConfig) -> Self {
        let metrics = Arc::new(Metrics::new(ops::REGISTRY));
        let engine = Engine::new(store.clone(), metrics.clone(), engine);
        Self { engine, store, metrics, http }
    }
}

/// The whole router: infrastructure routes, reads, and every registered
/// mutation, as recorded by `routes::routes()`.
pub fn router(app: App) -> Router {
    let (limit, retry_after_s) = (app.http.request_timeout, app.http.retry_after_s);
    crate::http::routes::routes()
        .into_router()
        .with_state(app)
        .layer(axum::middleware::from_fn(move |req, next| bounded(limit, retry_after_s, req, next)))
}

/// Every request within `limit`: past it, 503 + `Retry-After`. Dropping
/// the handler's future rolls back its transaction; a commit that did land
/// is replayed on the client's retry with the same key.
async fn bounded(
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
                "request_timeout",
                "the request took too long; retry with the same key",
            ),
            retry_after_s,
        ),
    }
}

pub(crate) async fn mutation<O: Operation>(
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
    let tenant = authenticate(app, headers).await?;
    let key = idempotency_key(headers)?;
    let value = json_body(body, headers, &app.http).await?;
    let input: O::Input = serde_json::from_value(value).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", format!("body does not match the schema: {e}"))
    })?;
    let invalid = |m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", m);
    op.validate(&input).map_err(invalid)?;
    let path: Vec<String> = params.iter().map(|(_, v)| v.to_owned()).collect();
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
        Ok(WriteOutcome::Mismatch) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_mismatch",
            "this Idempotency-Key was already used with a different request",
        ),
        Ok(WriteOutcome::InFlight) => with_retry_after(
            problem(
                StatusCode::CONFLICT,
                "idempotency_key_in_flight",
                "a request with this Idempotency-Key is still being processed",
            ),
            retry_after_s,
        ),
        Err(EngineError::Unavailable(_)) => with_retry_after(
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "storage is temporarily unavailable; nothing was stored, retry with the same key",
            ),
            retry_after_s,
        ),
        Err(EngineError::Internal(_)) => {
            problem(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "internal error; nothing was stored")
        }
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
    if replayed {
        h.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    resp
}

/// Every refusal the HTTP layer produces: a problem+json with a stable code.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub retry_after_s: Option<u32>,
    pub www_authenticate: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), retry_after_s: None, www_authenticate: false }
    }

    pub fn status_code(&self) -> StatusCode {
        self.status
    }

    fn retry_after(mut self, secs: u32) -> Self {
        self.retry_after_s = Some(secs);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = problem(self.status, self.code, &self.detail);
        if let Some(s) = self.retry_after_s {
            r = with_retry_after(r, s);
        }
        if self.www_authenticate {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

pub fn problem(status: StatusCode, code: &str, detail: &str) -> Response {
    let body = problem_body(status.as_u16(), code, detail);
    (status, [(header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE)], body).into_response()
}

fn with_retry_after(mut resp: Response, secs: u32) -> Response {
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}

async fn authenticate(app: &App, headers: &HeaderMap) -> Result<Tenant, ApiError> {
    let unauthorized = |detail: &str| ApiError {
        www_authenticate: true,
        ..ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized("missing bearer token"));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .ok_or_else(|| unauthorized("malformed Authorization header"))?;
    match app.store.tenant_by_token_hash(&token_hash(token)).await {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(unauthorized("invalid or revoked token")),
        Err(_) => {
            Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "cannot verify the token now")
                .retry_after(app.http.retry_after_s))
        }
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<IdempotencyKey, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "send exactly one Idempotency-Key header",
        ));
    }
    let parsed = match first {
        None => Err(KeyError::Missing),
        Some(v) => IdempotencyKey::parse_header(v.as_bytes()),
    };
    parsed.map_err(|e| {
        let code = if e == KeyError::Missing { "missing_idempotency_key" } else { "invalid_idempotency_key" };
        ApiError::new(StatusCode::BAD_REQUEST, code, e.to_string())
    })
}

/// The request body as JSON. An action with nothing to say (a void, an
/// approval, a DELETE) may send no body and no Content-Type: that is `{}`.
async fn json_body(body: Body, headers: &HeaderMap, limits: &HttpConfig) -> Result<serde_json::Value, ApiError> {
    let bytes = read_body(body, headers, limits.request_body_bytes_max).await?;
    if bytes.is_empty() && !headers.contains_key(header::CONTENT_TYPE) {
        return Ok(serde_json::Value::Object(serde_json::Map::new()));
    }
    require_json(headers)?;
    if json_depth(&bytes) > limits.json_depth_max {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "json_too_deep",
            format!("the body nests arrays and objects deeper than {}", limits.json_depth_max),
        ));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", format!("body is not valid JSON: {e}")))
}

/// The deepest nesting of `[`/`{` outside strings. Counts only, so it is
/// linear and cannot recurse; malformed JSON is left to the parser.
pub fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")));
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send Content-Type: application/json",
        ))
    }
}

async fn read_body(body: Body, headers: &HeaderMap, max: usize) -> Result<Bytes, ApiError> {
    let too_large =
        || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body exceeds {max} bytes"));
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match http_body_util::Limited::new(body, max).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(ApiError::new(StatusCode::BAD_REQUEST, "body_read_failed", "the request body could not be read")),
    }
}

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| (0x21..=0x7e).contains(&b)))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}

pub(crate) async fn read_entity(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    kind: &'static str,
) -> Response {
    let tenant = match authenticate(&app, &headers).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let not_found = || problem(StatusCode::NOT_FOUND, "not_found", &format!("no such {kind}"));
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found();
    };
    match app.store.get_entity(tenant.id, id).await {
        Ok(Some(e)) if e.kind == kind => json(e.body),
        Ok(_) => not_found(),
        Err(_) => unavailable(&app),
    }
}

/// The ledger lines a record posted: `{"object":"list","data":[…]}`.
pub(crate) async fn read_ledger(State(app): State<App>, headers: HeaderMap, Path(source_id): Path<String>) -> Response {
    let tenant = match authenticate(&app, &headers).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let not_found = || problem(StatusCode::NOT_FOUND, "not_found", "no such record");
    let Ok(source_id) = Uuid::parse_str(&source_id) else {
        return not_found();
    };
    // The source must be this tenant's: another tenant's id reads as missing.
    match app.store.get_entity(tenant.id, source_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(_) => return unavailable(&app),
    }
    match app.store.list_entities(Some(tenant.id), crate::domain::ledger::LEDGER_LINE_KIND, Some(source_id)).await {
        Ok(lines) => {
            let mut data: Vec<LedgerLine> = lines.iter().filter_map(|l| serde_json::from_str(&l.body).ok()).collect();
            // Stored by id (derived, so unordered); a posting reads in line order.
            data.sort_by_key(|l| l.line);
            json(serde_json::json!({"object": "list", "source_id": source_id, "data": data}).to_string())
        }
        Err(_) => unavailable(&app),
    }
}

/// A period: its closed marker, or `{"status":"open"}` if it has none.
pub(crate) async fn read_period(State(app): State<App>, headers: HeaderMap, Path(period): Path<String>) -> Response {
    let tenant = match authenticate(&app, &headers).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let Some(period) = crate::domain::time::Period::parse(&period) else {
        return problem(StatusCode::NOT_FOUND, "not_found", "a period is a calendar month YYYY-MM");
    };
    match app.store.get_entity(tenant.id, ops::closed_period_id(tenant.id, period)).await {
        Ok(Some(e)) if e.kind == ops::CLOSED_PERIOD_KIND => json(e.body),
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
        problem(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "storage is temporarily unavailable"),
        app.http.retry_after_s,
    )
}

/// `GET /v1/idempotency-keys/{key}`: a key's status and expiry, for the
/// authenticated tenant only.
pub(crate) async fn read_key(State(app): State<App>, headers: HeaderMap, Path(key): Path<String>) -> Response {
    let tenant = match authenticate(&app, &headers).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let not_found = || problem(StatusCode::NOT_FOUND, "not_found", "no such idempotency key");
    let Ok(key) = IdempotencyKey::parse(&key) else { return not_found() };
    let unavailable = || {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "storage is temporarily unavailable")
            .retry_after(app.http.retry_after_s)
            .into_response()
    };
    let record = match app.store.get_key(tenant.id, key.as_str()).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(),
        Err(_) => return unavailable(),
    };
    let Ok(created) = app.store.key_created_at(tenant.id, key.as_str()).await else { return unavailable() };
    let created = created.as_deref().and_then(crate::domain::time::parse_utc);
    let ttl = app.http.key_ttl.as_secs() as i64;
    let expired = record.response.as_ref() == Some(&crate::engine::expired_key_response());
    let body = serde_json::json!({
        "object": "idempotency_key",
        "operation": record.operation,
        "status": if expired { "expired" } else { "active" },
        "entity_id": record.entity_id,
        "response_status": record.response.as_ref().map(|r| r.status),
        "created_at": created.map(|(s, ms)| crate::domain::time::rfc3339(s, ms)),
        "expires_at": created.map(|(s, ms)| crate::domain::time::rfc3339(s + ttl, ms)),
    });
    ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// `GET /openapi.json`: the document generated from the route table.
pub(crate) async fn openapi(doc: Arc<std::sync::OnceLock<String>>) -> Response {
    match doc.get() {
        Some(d) => json(d.clone()),
        None => problem(StatusCode::SERVICE_UNAVAILABLE, "not_ready", "the API document is not built yet"),
    }
}

pub(crate) async fn readyz(State(app): State<App>) -> Response {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(_) => problem(StatusCode::SERVICE_UNAVAILABLE, "not_ready", "storage unreachable"),
    }
}

pub(crate) async fn metrics(State(app): State<App>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render()).into_response()
}
