//! RFC 9457 problem details with a stable `code` member, and the only
//! place that chooses an HTTP status: for the adapter's own refusals, for
//! the engine's outcomes and errors, and for the operations' rejections
//! (rendered here when the engine stores them, through `Problems`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::engine::{EngineError, Refusal, Responses};
use crate::ops::{Rejection, RejectionKind};
use crate::store::StoredResponse;

/// Every problem code the HTTP adapter and the engine answer with (the
/// operations' rule, not-found and input-rule codes are in their `OpSpec`s).
pub mod code {
    /// A mutation without an Idempotency-Key (400).
    pub const MISSING_IDEMPOTENCY_KEY: &str = "missing_idempotency_key";
    /// An Idempotency-Key the parser refuses, or two of them (400).
    pub const INVALID_IDEMPOTENCY_KEY: &str = "invalid_idempotency_key";
    /// No such route, record, period or key; another tenant's reads as missing (404).
    pub const NOT_FOUND: &str = "not_found";
    /// The service cannot reach its storage, or its document is not built yet (503).
    pub const NOT_READY: &str = "not_ready";
    /// The service requires a synchronous standby and the database written
    /// to has none (`/readyz`, 503).
    pub const NO_SYNCHRONOUS_STANDBY: &str = "no_synchronous_standby";
    /// Storage did not answer within its bounds; nothing was stored (503).
    pub const STORAGE_UNAVAILABLE: &str = "storage_unavailable";
    /// The request ran past the request timeout; its transaction rolled back (503).
    pub const REQUEST_TIMEOUT: &str = "request_timeout";
    /// A missing, malformed, unknown or revoked bearer token (401).
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// A body over the body size bound (413).
    pub const BODY_TOO_LARGE: &str = "body_too_large";
    /// The body stream broke while it was read (400).
    pub const BODY_READ_FAILED: &str = "body_read_failed";
    /// A body nested deeper than the JSON depth bound (400).
    pub const JSON_TOO_DEEP: &str = "json_too_deep";
    /// Not JSON, not one object, or a member named twice (400).
    pub const INVALID_JSON: &str = "invalid_json";
    /// JSON that does not match the operation's input type (400).
    pub const INVALID_BODY: &str = "invalid_body";
    /// A value its schema refuses (422); nothing stored.
    pub const VALIDATION_FAILED: &str = "validation_failed";
    /// A Content-Type other than application/json in UTF-8 (415).
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    /// A known path with another method (405).
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    /// The key was used with another request (422).
    pub const IDEMPOTENCY_KEY_MISMATCH: &str = "idempotency_key_mismatch";
    /// A same-key request is still executing (409).
    pub const IDEMPOTENCY_KEY_IN_FLIGHT: &str = "idempotency_key_in_flight";
    /// A bug; nothing was stored (500).
    pub const INTERNAL_ERROR: &str = "internal_error";
    /// The key's TTL passed; never executes again (422).
    pub const IDEMPOTENCY_KEY_EXPIRED: &str = "idempotency_key_expired";
    /// A database constraint refused a write the operation's rules let
    /// through (a bug); nothing stored, the key stays unused (422).
    pub const CONSTRAINT_VIOLATION: &str = "constraint_violation";
}

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// The serialised problem document. Deterministic for the same inputs, so a
/// stored definitive rejection replays byte for byte.
pub fn problem_body(status: u16, code: &str, detail: &str) -> String {
    json!({
        "type": format!("urn:accubooks:problem:{code}"),
        "title": title(status),
        "status": status,
        "code": code,
        "detail": detail,
    })
    .to_string()
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

    pub(super) fn retry_after(mut self, secs: u32) -> Self {
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

pub(super) fn with_retry_after(mut resp: Response, secs: u32) -> Response {
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}

/// The status of a rejection by an operation.
fn rejection_status(kind: RejectionKind) -> u16 {
    match kind {
        RejectionKind::NotFound => 404,
        RejectionKind::Rule => 422,
    }
}

/// How the engine stores its refusals: problem documents, byte-stable so
/// that a stored one replays byte for byte.
pub struct Problems;

impl Responses for Problems {
    fn rejection(&self, r: &Rejection) -> StoredResponse {
        let status = rejection_status(r.kind);
        StoredResponse { status, body: problem_body(status, r.code, &r.detail), location: None }
    }

    fn status(&self, refusal: Refusal) -> u16 {
        refusal_status(refusal).as_u16()
    }

    fn expired_key(&self) -> StoredResponse {
        StoredResponse {
            status: 422,
            body: problem_body(
                422,
                code::IDEMPOTENCY_KEY_EXPIRED,
                "this Idempotency-Key has expired and cannot be used again; send the request with a new key",
            ),
            location: None,
        }
    }
}

/// The statuses of the engine's answers that are not stored responses.
fn refusal_status(refusal: Refusal) -> StatusCode {
    match refusal {
        Refusal::Mismatch => StatusCode::UNPROCESSABLE_ENTITY,
        Refusal::InFlight => StatusCode::CONFLICT,
        Refusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Refusal::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        // 422, not 409: this contract's 409 means "a same-key request is in
        // flight, retry after a pause", and clients retry 409 (and 5xx)
        // with the same key as indeterminate. Here the outcome is known —
        // nothing was stored — and the same request meets the same
        // constraint again while the data stays as it is, so a retry loop
        // would only repeat it. Like `validation_failed`, it is a 422 that
        // stores nothing.
        Refusal::ConstraintViolation => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The key was used before with another request (nothing executed).
pub(super) fn key_mismatch() -> Response {
    problem(
        refusal_status(Refusal::Mismatch),
        code::IDEMPOTENCY_KEY_MISMATCH,
        "this Idempotency-Key was already used with a different request",
    )
}

/// A same-key request is still executing past the wait bound.
pub(super) fn key_in_flight(retry_after_s: u32) -> Response {
    with_retry_after(
        problem(
            refusal_status(Refusal::InFlight),
            code::IDEMPOTENCY_KEY_IN_FLIGHT,
            "a request with this Idempotency-Key is still being processed",
        ),
        retry_after_s,
    )
}

/// A failed write: nothing was stored.
pub(super) fn engine_error(e: &EngineError, retry_after_s: u32) -> Response {
    match e {
        EngineError::Unavailable(_) => with_retry_after(
            problem(
                refusal_status(Refusal::Unavailable),
                code::STORAGE_UNAVAILABLE,
                "storage is temporarily unavailable; nothing was stored, retry with the same key",
            ),
            retry_after_s,
        ),
        EngineError::Internal(_) => {
            problem(refusal_status(Refusal::Internal), code::INTERNAL_ERROR, "internal error; nothing was stored")
        }
        // The constraint is named in the log and the audit row, not here:
        // the answer stays the same whichever constraint it was.
        EngineError::Constraint(_) => problem(
            refusal_status(Refusal::ConstraintViolation),
            code::CONSTRAINT_VIOLATION,
            "the database refused this write by a constraint the service did not expect it to break; \
             nothing was stored (the Idempotency-Key stays unused)",
        ),
    }
}
