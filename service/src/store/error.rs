//! Why a store call failed, typed, so that no decision above the store
//! reads an error message.

use serde::{Deserialize, Serialize};

/// Why a store call failed, classified for the engine's retry policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum StoreError {
    /// Serialization failure or deadlock: the whole transaction may be retried.
    #[error("transaction conflict, retryable: {0}")]
    Retryable(String),
    /// The database is unreachable or timed out. Nothing was committed (or
    /// the outcome is unknown to this node).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// No pooled connection (or SQLite's one writer) within the pool wait
    /// bound. Nothing was tried, so nothing was committed.
    #[error("storage unavailable: connection pool wait exceeded")]
    PoolExhausted,
    /// A row or named lock stayed held past the lock wait bound (a
    /// same-key request in flight, a contended invoice). Nothing committed.
    #[error("storage unavailable: lock wait timeout: {0}")]
    LockTimeout(String),
    /// A row with the same primary key exists: only a bug or a lost key
    /// record can cause this, because entity ids are derived from keys.
    #[error("duplicate primary key: {0}")]
    Duplicate(String),
    /// Anything else the database reported (schema drift, constraint).
    #[error("storage error: {0}")]
    Other(String),
}

impl StoreError {
    /// Nothing was committed and the same request may be tried again later:
    /// the database, its pool or a lock was not available in time.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::PoolExhausted | Self::LockTimeout(_))
    }
}
