//! The service's edge parsers, compiled from their own source files.

#[path = "../../src/key.rs"]
pub mod key;

#[path = "../../src/fingerprint.rs"]
pub mod fingerprint;
