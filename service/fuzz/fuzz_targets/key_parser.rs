//! `Idempotency-Key` header parsing: never panics; whatever it accepts is
//! 1–255 visible ASCII, names itself when sent bare (unless it starts with
//! a quote), and names itself again when sent as an sf-string.
#![no_main]

use accubooks_fuzz::key::{IdempotencyKey, IDEMPOTENCY_KEY_LEN_MAX};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(key) = IdempotencyKey::parse_header(data) else { return };
    let s = key.as_str();
    assert!((1..=IDEMPOTENCY_KEY_LEN_MAX).contains(&s.len()));
    assert!(s.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    assert_eq!(IdempotencyKey::parse(s).as_ref(), Ok(&key));
    if !s.starts_with('"') {
        assert_eq!(IdempotencyKey::parse_header(s.as_bytes()).as_ref(), Ok(&key));
    }
    let quoted = format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    assert_eq!(IdempotencyKey::parse_header(quoted.as_bytes()).as_ref(), Ok(&key));
});
