//! The fingerprint canonicaliser: for any JSON the service would accept,
//! the canonical form parses back to the same value, is a fixed point, and
//! gives the same fingerprint; never panics.
#![no_main]

use accubooks_fuzz::fingerprint::{canonical_json, fingerprint};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let canonical = canonical_json(&value);
    let back: Value = serde_json::from_str(&canonical).expect("the canonical form is JSON");
    assert_eq!(back, value);
    assert_eq!(canonical_json(&back), canonical);
    assert_eq!(fingerprint("op", &["p"], &value), fingerprint("op", &["p"], &back));
});
