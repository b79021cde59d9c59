//! Canonical request fingerprints.
//!
//! The fingerprint is computed over the *parsed* request, re-serialised with
//! sorted object keys and no whitespace, so two bodies that mean the same
//! thing get the same fingerprint whatever their formatting.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::ids::hex;

/// Stored beside every fingerprint: if the canonical form ever changes, old
/// keys are compared by their own version instead of failing as mismatches.
pub const FINGERPRINT_VERSION: i32 = 1;

/// SHA-256 over operation name, path parameters and canonical body.
pub fn fingerprint(operation: &str, path_params: &[&str], body: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"accubooks-fp-v1\0");
    hasher.update(operation.as_bytes());
    hasher.update(b"\0");
    for p in path_params {
        hasher.update((p.len() as u32).to_be_bytes());
        hasher.update(p.as_bytes());
    }
    hasher.update(b"\0");
    hasher.update(canonical_json(body).as_bytes());
    hex(&hasher.finalize())
}

/// serde_json's default `Map` is ordered by key, so serialising a parsed
/// `Value` yields sorted keys and no insignificant whitespace.
pub fn canonical_json(value: &Value) -> String {
    serde_json::to_string(value).expect("a serde_json::Value always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `cargo fuzz` (fingerprint target): without serde_json's
    /// `float_roundtrip`, this float re-parsed from its canonical text was
    /// one ulp off, so canonicalising twice changed the fingerprint.
    #[test]
    fn canonical_form_is_a_fixed_point_for_floats() {
        let v: Value = serde_json::from_str("-2222333223333332222233332233333332").unwrap();
        let back: Value = serde_json::from_str(&canonical_json(&v)).unwrap();
        assert_eq!(back, v);
        assert_eq!(fingerprint("op", &[], &back), fingerprint("op", &[], &v));
    }

    #[test]
    fn formatting_and_key_order_do_not_matter() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":[1,2,{"y":true,"x":null}]}"#).unwrap();
        let b: Value = serde_json::from_str("{ \"a\" : [1, 2, {\"x\":null, \"y\":true}],\n \"b\": 1 }").unwrap();
        assert_eq!(fingerprint("op", &[], &a), fingerprint("op", &[], &b));
    }

    #[test]
    fn operation_params_and_values_matter() {
        let a: Value = serde_json::json!({"amount": 1});
        let b: Value = serde_json::json!({"amount": 2});
        assert_ne!(fingerprint("op", &[], &a), fingerprint("op", &[], &b));
        assert_ne!(fingerprint("op", &[], &a), fingerprint("op2", &[], &a));
        assert_ne!(fingerprint("op", &["x"], &a), fingerprint("op", &["y"], &a));
        assert_ne!(fingerprint("op", &["ab", "c"], &a), fingerprint("op", &["a", "bc"], &a));
    }
}
