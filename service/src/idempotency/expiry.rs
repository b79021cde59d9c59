//! A key's expiry state. Keys answer replays for a TTL; then the reaper
//! (`jobs::key_reaper`) deletes them or, for high-risk operations, keeps
//! them as tombstones whose state says so.

use serde::{Deserialize, Serialize};

/// Where a key record is in its life. Stored with the record, never
/// inferred from its stored response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// Within its TTL: a retry replays its stored response.
    #[default]
    Active,
    /// Past its TTL and kept as a tombstone: every use answers the
    /// expired-key refusal, and nothing ever executes under it again.
    Expired,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "expired" => Some(Self::Expired),
            _ => None,
        }
    }
}
