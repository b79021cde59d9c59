//! The `Idempotency-Key` header value, parsed once at the edge.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::domain::ids::hex;

/// Upper bound on a key's length in characters (the IETF draft leaves it to
/// the server; 255 matches common practice and fits every index).
pub const IDEMPOTENCY_KEY_LEN_MAX: usize = 255;

/// A validated idempotency key: 1..=255 visible ASCII characters (0x21..=0x7E).
///
/// The header may carry the key as an RFC 8941 sf-string (`"abc"`), as the
/// IETF Idempotency-Key draft specifies, or as a bare token (`abc`); both
/// forms name the same key.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the Idempotency-Key header is missing")]
    Missing,
    #[error("the Idempotency-Key header is empty")]
    Empty,
    #[error("the Idempotency-Key is longer than {IDEMPOTENCY_KEY_LEN_MAX} characters")]
    TooLong,
    #[error("the Idempotency-Key may contain only visible ASCII characters")]
    InvalidCharacter,
    #[error("the Idempotency-Key sf-string is not terminated or has an invalid escape")]
    BadQuoting,
}

impl IdempotencyKey {
    /// Parses a raw header value (bytes, because a header may hold non-UTF-8).
    pub fn parse_header(raw: &[u8]) -> Result<Self, KeyError> {
        let trimmed = trim_ows(raw);
        let inner = if trimmed.first() == Some(&b'"') { unquote_sf_string(trimmed)? } else { trimmed.to_vec() };
        Self::from_bytes(inner)
    }

    /// Parses an already unquoted key (e.g. from a URL path).
    pub fn parse(raw: &str) -> Result<Self, KeyError> {
        Self::from_bytes(raw.as_bytes().to_vec())
    }

    fn from_bytes(bytes: Vec<u8>) -> Result<Self, KeyError> {
        if bytes.is_empty() {
            return Err(KeyError::Empty);
        }
        if bytes.len() > IDEMPOTENCY_KEY_LEN_MAX {
            return Err(KeyError::TooLong);
        }
        if !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
            return Err(KeyError::InvalidCharacter);
        }
        // All bytes are ASCII, so this cannot fail.
        Ok(Self(String::from_utf8(bytes).expect("visible ASCII is UTF-8")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stable hash for logs and the audit log, which never hold the raw key.
    pub fn hash_hex(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

/// Raw keys are client secrets of a sort: never print them by accident.
impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey(sha256:{})", &self.hash_hex()[..12])
    }
}

fn trim_ows(raw: &[u8]) -> &[u8] {
    let start = raw.iter().position(|b| *b != b' ' && *b != b'\t').unwrap_or(raw.len());
    let end = raw.iter().rposition(|b| *b != b' ' && *b != b'\t').map_or(start, |i| i + 1);
    &raw[start..end]
}

/// RFC 8941 §3.3.3: `"` chars `"`, where `\"` and `\\` are the only escapes.
fn unquote_sf_string(quoted: &[u8]) -> Result<Vec<u8>, KeyError> {
    let mut out = Vec::with_capacity(quoted.len());
    let mut iter = quoted[1..].iter();
    loop {
        match iter.next() {
            None => return Err(KeyError::BadQuoting),
            Some(b'\\') => match iter.next() {
                Some(c @ (b'"' | b'\\')) => out.push(*c),
                _ => return Err(KeyError::BadQuoting),
            },
            Some(b'"') => break,
            Some(c) => out.push(*c),
        }
    }
    if iter.next().is_some() {
        return Err(KeyError::BadQuoting);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_and_sf_string_forms_are_the_same_key() {
        let bare = IdempotencyKey::parse_header(b"order-42").unwrap();
        let quoted = IdempotencyKey::parse_header(b"\"order-42\"").unwrap();
        assert_eq!(bare, quoted);
        assert_eq!(bare.as_str(), "order-42");
    }

    #[test]
    fn sf_string_escapes_are_decoded() {
        let k = IdempotencyKey::parse_header(br#""a\"b\\c""#).unwrap();
        assert_eq!(k.as_str(), r#"a"b\c"#);
    }

    #[test]
    fn bounds_and_characters_are_enforced() {
        assert_eq!(IdempotencyKey::parse_header(b""), Err(KeyError::Empty));
        assert_eq!(IdempotencyKey::parse_header(b"\"\""), Err(KeyError::Empty));
        let max = vec![b'k'; IDEMPOTENCY_KEY_LEN_MAX];
        assert!(IdempotencyKey::parse_header(&max).is_ok());
        let over = vec![b'k'; IDEMPOTENCY_KEY_LEN_MAX + 1];
        assert_eq!(IdempotencyKey::parse_header(&over), Err(KeyError::TooLong));
        assert_eq!(IdempotencyKey::parse_header(b"a\x01b"), Err(KeyError::InvalidCharacter));
        assert_eq!(IdempotencyKey::parse_header(b"a b"), Err(KeyError::InvalidCharacter));
        assert_eq!(IdempotencyKey::parse_header("é".as_bytes()), Err(KeyError::InvalidCharacter));
        assert_eq!(IdempotencyKey::parse_header(b"\"abc"), Err(KeyError::BadQuoting));
        assert_eq!(IdempotencyKey::parse_header(b"\"a\\nb\""), Err(KeyError::BadQuoting));
        assert_eq!(IdempotencyKey::parse_header(b"\"ab\"c"), Err(KeyError::BadQuoting));
    }

    #[test]
    fn debug_never_shows_the_raw_key() {
        let k = IdempotencyKey::parse("super-secret-key").unwrap();
        assert!(!format!("{k:?}").contains("super-secret"));
    }
}
