//! The recorded history of a run: every attempt a client made, as
//! invoke → ok | rejected | info (indeterminate), in the order it happened.
//! Compiles in both builds: the stress tool records real runs the same way.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why a client sent a request with this key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Intent {
    /// The first use of a key.
    Normal,
    /// The same key and payload again after a definitive answer (a replay is expected).
    Reuse,
    /// The same key with a different payload (a mismatch is expected).
    Mismatch,
}

/// What one attempt returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// 2xx: the write is acknowledged. `entity_id` is the body's `id`.
    Ok { status: u16, replayed: bool, body_hash: u64, entity_id: Option<Uuid> },
    /// A definitive 4xx with its problem `code` (stored rejections, mismatches).
    Rejected { status: u16, replayed: bool, code: String, body_hash: u64 },
    /// Indeterminate: timeout, connection failure, 409, 5xx. The write may
    /// or may not have happened; a retry finds out.
    Info { reason: String },
}

impl Outcome {
    pub fn is_definitive(&self) -> bool {
        !matches!(self, Self::Info { .. })
    }
}

/// One logical request (a key and a payload), retried until definitive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub client: u32,
    pub tenant: Uuid,
    pub operation: String,
    pub key: String,
    /// The service's fingerprint of this payload (the same function).
    pub fingerprint: String,
    pub intent: Intent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub request: u64,
    pub attempt: u32,
    /// Which service node (index) the attempt went to.
    pub node: u32,
    pub outcome: Outcome,
    /// Virtual (or wall) milliseconds since the run started.
    pub at_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistoryData {
    pub requests: Vec<Request>,
    pub attempts: Vec<Attempt>,
    /// Logical requests whose client gave up without a definitive answer.
    pub abandoned: Vec<u64>,
}

/// A shared, append-only recorder.
#[derive(Clone, Default)]
pub struct History {
    inner: Arc<Mutex<HistoryData>>,
}

impl History {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HistoryData> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn invoke(&self, mut request: Request) -> u64 {
        let mut h = self.lock();
        request.id = h.requests.len() as u64;
        let id = request.id;
        h.requests.push(request);
        id
    }

    pub fn complete(&self, attempt: Attempt) {
        self.lock().attempts.push(attempt);
    }

    pub fn abandon(&self, request: u64) {
        self.lock().abandoned.push(request);
    }

    pub fn snapshot(&self) -> HistoryData {
        self.lock().clone()
    }
}

/// FNV-1a, 64 bit: stable across builds and platforms, no dependency.
pub fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

pub fn hash_bytes(bytes: &[u8]) -> u64 {
    fnv1a(bytes, FNV_OFFSET)
}
