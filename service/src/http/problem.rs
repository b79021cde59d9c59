//! RFC 9457 problem details with a stable `code` member.

use serde_json::json;

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
