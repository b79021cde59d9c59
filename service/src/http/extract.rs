//! What every request carries, parsed once: the tenant (from its bearer
//! token), the Idempotency-Key, the bounded JSON body, the request id.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use http_body_util::BodyExt;
use uuid::Uuid;

use super::config::HttpConfig;
use super::json::{is_json_media_type, parse_object, StrictJsonError};
use super::problem::code;
use super::problem::ApiError;
use super::state::App;
use crate::domain::ids::token_hash;
use crate::idempotency::key::{IdempotencyKey, KeyError};
use crate::store::Tenant;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub(super) async fn authenticate(app: &App, headers: &HeaderMap) -> Result<Tenant, ApiError> {
    let unauthorized = |detail: &str| ApiError {
        www_authenticate: true,
        ..ApiError::new(StatusCode::UNAUTHORIZED, code::UNAUTHORIZED, detail)
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized("missing bearer token"));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.trim_start().split_once(' '))
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .ok_or_else(|| unauthorized("malformed Authorization header"))?;
    match app.store.tenant_by_token_hash(&token_hash(token)).await {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(unauthorized("invalid or revoked token")),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::STORAGE_UNAVAILABLE,
            "cannot verify the token now",
        )
        .retry_after(app.http.retry_after_s)),
    }
}

pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<IdempotencyKey, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::INVALID_IDEMPOTENCY_KEY,
            "send exactly one Idempotency-Key header",
        ));
    }
    let parsed = match first {
        None => Err(KeyError::Missing),
        Some(v) => IdempotencyKey::parse_header(v.as_bytes()),
    };
    parsed.map_err(|e| {
        let code = if e == KeyError::Missing { code::MISSING_IDEMPOTENCY_KEY } else { code::INVALID_IDEMPOTENCY_KEY };
        ApiError::new(StatusCode::BAD_REQUEST, code, e.to_string())
    })
}

/// The request body as JSON. An action with nothing to say (a void, an
/// approval, a DELETE) may send no body and no Content-Type: that is `{}`.
pub(super) async fn json_body(
    body: Body,
    headers: &HeaderMap,
    limits: &HttpConfig,
) -> Result<serde_json::Value, ApiError> {
    let bytes = read_body(body, headers, limits.request_body_bytes_max).await?;
    if bytes.is_empty() && !headers.contains_key(header::CONTENT_TYPE) {
        return Ok(serde_json::Value::Object(serde_json::Map::new()));
    }
    require_json(headers)?;
    if json_depth(&bytes) > limits.json_depth_max {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::JSON_TOO_DEEP,
            format!("the body nests arrays and objects deeper than {}", limits.json_depth_max),
        ));
    }
    match parse_object(&bytes) {
        Ok(map) => Ok(serde_json::Value::Object(map)),
        Err(StrictJsonError::Invalid(e)) => {
            Err(ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_JSON, format!("body is not valid JSON: {e}")))
        }
        Err(StrictJsonError::NotAnObject) => {
            Err(ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_JSON, "the body must be a JSON object"))
        }
    }
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

pub(super) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let ok = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(is_json_media_type);
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::UNSUPPORTED_MEDIA_TYPE,
            "send Content-Type: application/json",
        ))
    }
}

pub(super) async fn read_body(body: Body, headers: &HeaderMap, max: usize) -> Result<Bytes, ApiError> {
    let too_large =
        || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, code::BODY_TOO_LARGE, format!("the body exceeds {max} bytes"));
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match http_body_util::Limited::new(body, max).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => {
            Err(ApiError::new(StatusCode::BAD_REQUEST, code::BODY_READ_FAILED, "the request body could not be read"))
        }
    }
}

pub(super) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| (0x21..=0x7e).contains(&b)))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}
