//! What makes a write idempotent, apart from the engine that decides:
//! the parsed key, the request fingerprint, the deterministic id, the
//! per-key gate for same-key waiters, the recent-keys hint of the replay
//! fast path and a key's expiry state.

pub mod expiry;
pub mod fingerprint;
pub mod gate;
pub mod key;
pub mod recent;
