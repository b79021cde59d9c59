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
                "idempotency_key_expired",
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
    }
}

/// The key was used before with another request (nothing executed).
pub(super) fn key_mismatch() -> Response {
    problem(
        refusal_status(Refusal::Mismatch),
        "idempotency_key_mismatch",
        "this Idempotency-Key was already used with a different request",
    )
}

/// A same-key request is still executing past the wait bound.
pub(super) fn key_in_flight(retry_after_s: u32) -> Response {
    with_retry_after(
        problem(
            refusal_status(Refusal::InFlight),
            "idempotency_key_in_flight",
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
                "storage_unavailable",
                "storage is temporarily unavailable; nothing was stored, retry with the same key",
            ),
            retry_after_s,
        ),
        EngineError::Internal(_) => {
            problem(refusal_status(Refusal::Internal), "internal_error", "internal error; nothing was stored")
        }
    }
}
