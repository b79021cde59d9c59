//! Strict JSON request bodies: a body is one JSON object whose members
//! have distinct names, sent as `application/json` (UTF-8). serde would
//! otherwise accept a top-level array as a struct's positional form and
//! let the last of two same-named members win, so two requests that differ
//! byte for byte could be one fingerprint.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a body is not a strict JSON object.
#[derive(Debug)]
pub(super) enum StrictJsonError {
    /// Not JSON, or a member name repeated within one object.
    Invalid(String),
    /// JSON, but not an object at the top level.
    NotAnObject,
}

/// Parses `bytes` as one JSON object with no repeated member names at any
/// depth. The caller bounds the nesting depth before calling.
pub(super) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, StrictJsonError> {
    match serde_json::from_slice::<Strict>(bytes) {
        Ok(Strict(Value::Object(map))) => Ok(map),
        Ok(Strict(_)) => Err(StrictJsonError::NotAnObject),
        Err(e) => Err(StrictJsonError::Invalid(e.to_string())),
    }
}

/// Whether a Content-Type names JSON the way the API takes it:
/// `application/json`, optionally with `charset=utf-8` (any case, quoted or
/// not) and nothing else.
pub(super) fn is_json_media_type(value: &str) -> bool {
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return false;
    }
    parts.all(|p| {
        let Some((name, v)) = p.split_once('=') else { return p.trim().is_empty() };
        let v = v.trim();
        let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
        name.trim().eq_ignore_ascii_case("charset") && v.eq_ignore_ascii_case("utf-8")
    })
}

/// A `serde_json::Value` that refuses repeated member names.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON Schema's `integer` is any number without a fraction, so
        // `-432.0` is an integer to a client: parse it as one (every number
        // the API takes is an integer; i64's range bounds the conversion).
        if v.fract() == 0.0 && (i64::MIN as f64..=i64::MAX as f64).contains(&v) {
            return Ok(Value::Number((v as i64).into()));
        }
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if out.contains_key(&name) {
                return Err(de::Error::custom(format!("member {name:?} appears twice in one object")));
            }
            out.insert(name, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_only_and_every_member_name_once() {
        assert!(parse_object(br#"{"a":1,"b":{"c":[1,{"d":2}]}}"#).is_ok());
        assert!(matches!(parse_object(br#"["Acme"]"#), Err(StrictJsonError::NotAnObject)));
        assert!(matches!(parse_object(b"42"), Err(StrictJsonError::NotAnObject)));
        assert!(matches!(parse_object(br#"{"name":"a","name":"b"}"#), Err(StrictJsonError::Invalid(_))));
        assert!(matches!(parse_object(br#"{"x":{"k":1,"k":2}}"#), Err(StrictJsonError::Invalid(_))));
        assert!(matches!(parse_object(br#"{"x":[{"k":1,"k":1}]}"#), Err(StrictJsonError::Invalid(_))));
        assert!(matches!(parse_object(b"{"), Err(StrictJsonError::Invalid(_))));
    }

    #[test]
    fn integral_numbers_are_integers_in_any_spelling() {
        let body = br#"{"i":-3,"u":18446744073709551615,"f":-432.0,"e":1e3,"x":0.5}"#;
        let strict = Value::Object(parse_object(body).unwrap());
        let expected: Value =
            serde_json::from_slice(br#"{"i":-3,"u":18446744073709551615,"f":-432,"e":1000,"x":0.5}"#).unwrap();
        assert_eq!(strict, expected);
        assert!(strict["f"].is_i64() && strict["e"].is_i64());
    }

    #[test]
    fn json_media_type_is_application_json_in_utf_8() {
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
        ] {
            assert!(is_json_media_type(ok), "{ok}");
        }
        for refused in [
            "application/merge-patch+json",
            "application/json; charset=latin1",
            "application/json; profile=x",
            "text/json",
            "application/jsonx",
            "",
        ] {
            assert!(!is_json_media_type(refused), "{refused}");
        }
    }
}
