//! An HTTP answer as the history records it: acknowledged, definitively
//! refused, or indeterminate (the write may or may not have happened).

use serde::Deserialize;
use uuid::Uuid;

use crate::history::{hash_bytes, Outcome};

/// The problem code of a key reused with another request.
pub const MISMATCH_CODE: &str = "idempotency_key_mismatch";

/// What one attempt got back.
#[derive(Debug, Clone, Copy)]
pub enum Answer<'a> {
    Http {
        status: u16,
        replayed: bool,
        body: &'a [u8],
    },
    /// No answer (timeout, connection failure); the reason is recorded.
    None(&'a str),
}

#[derive(Deserialize)]
struct WithId {
    id: Option<Uuid>,
}

#[derive(Deserialize)]
struct Problem {
    code: Option<String>,
}

/// The `id` of a JSON body, if it has one.
pub fn entity_id(body: &[u8]) -> Option<Uuid> {
    serde_json::from_slice::<WithId>(body).ok().and_then(|w| w.id)
}

/// 2xx is acknowledged; 409 and 5xx are indeterminate (retried with the
/// same key); any other status is a definitive refusal with its problem code.
pub fn classify(answer: Answer<'_>) -> Outcome {
    let (status, replayed, body) = match answer {
        Answer::None(reason) => return Outcome::Info { reason: reason.to_owned() },
        Answer::Http { status, replayed, body } => (status, replayed, body),
    };
    if (200..300).contains(&status) {
        return Outcome::Ok { status, replayed, body_hash: hash_bytes(body), entity_id: entity_id(body) };
    }
    if status == 409 || status >= 500 {
        return Outcome::Info { reason: format!("http {status}") };
    }
    let code = serde_json::from_slice::<Problem>(body).ok().and_then(|p| p.code).unwrap_or_default();
    Outcome::Rejected { status, replayed, code, body_hash: hash_bytes(body) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, body: &str) -> Outcome {
        classify(Answer::Http { status, replayed: false, body: body.as_bytes() })
    }

    #[test]
    fn classification_follows_the_http_contract() {
        let id = Uuid::from_u128(9);
        assert!(matches!(http(201, &format!(r#"{{"id":"{id}"}}"#)), Outcome::Ok { entity_id: Some(e), .. } if e == id));
        assert!(matches!(http(200, "not json"), Outcome::Ok { entity_id: None, .. }));
        assert!(
            matches!(http(422, r#"{"code":"overpayment"}"#), Outcome::Rejected { code, .. } if code == "overpayment")
        );
        assert!(matches!(http(404, "{}"), Outcome::Rejected { code, .. } if code.is_empty()));
        for s in [409, 500, 503] {
            assert_eq!(http(s, "{}"), Outcome::Info { reason: format!("http {s}") });
        }
        assert_eq!(classify(Answer::None("timeout")), Outcome::Info { reason: "timeout".into() });
    }
}
