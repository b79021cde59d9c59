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
    /// An entity with the same primary key exists. Entity ids are derived
    /// from keys, so this is the key's own earlier execution (its record
    /// expired) or a bug: the engine relies on it to refuse an expired
    /// key's reuse. Only the entities' primary key is reported this way
    /// (`tables::is_record_id_constraint`); any other unique violation is `Constraint`.
    #[error("duplicate primary key: {0}")]
    Duplicate(String),
    /// A database constraint (unique, foreign key, check, not null) refused
    /// a write. Every rule a write must obey is checked by its operation
    /// first, so this is a bug in the operation or the data: nothing of
    /// the transaction is committed.
    #[error("{0}")]
    Constraint(ConstraintViolation),
    /// Anything else the database reported (schema drift, a bad value read).
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

/// A constraint the database enforced against a write: which kind, and its
/// name as the database reports it (Postgres: the constraint's name, or
/// `table.column` for NOT NULL; SQLite and memory: `table.column`, the CHECK's
/// name or expression, or the kind alone for a foreign key, which SQLite
/// does not name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{kind} constraint {constraint} violated: {message}")]
pub struct ConstraintViolation {
    pub kind: ConstraintKind,
    pub constraint: String,
    /// The database's own message, for logs and the audit row.
    pub message: String,
}

impl ConstraintViolation {
    pub fn new(kind: ConstraintKind, constraint: impl Into<String>, message: impl Into<String>) -> Self {
        Self { kind, constraint: constraint.into(), message: message.into() }
    }
}

/// The kinds of constraint a violation is classified into (Postgres's
/// SQLSTATE class 23, SQLite's `SQLITE_CONSTRAINT_*` extended codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConstraintKind {
    /// A unique index or primary key (23505; SQLite 2067, 1555).
    Unique,
    /// A foreign key, or a restrict rule on one (23503, 23001; SQLite 787).
    ForeignKey,
    /// A CHECK constraint (23514; SQLite 275).
    Check,
    /// A NOT NULL column (23502; SQLite 1299).
    NotNull,
    /// An exclusion constraint (23P01; Postgres only).
    Exclusion,
    /// Any other code of class 23 (Postgres's 23000).
    Other,
}

impl ConstraintKind {
    /// The kind's name in logs and audit rows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unique => "unique",
            Self::ForeignKey => "foreign_key",
            Self::Check => "check",
            Self::NotNull => "not_null",
            Self::Exclusion => "exclusion",
            Self::Other => "integrity",
        }
    }
}

impl std::fmt::Display for ConstraintKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
