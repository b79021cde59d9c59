//! Identifiers: tenants, deterministic entity ids, workflow ids, tokens.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Namespace of every deterministic id this service derives. Changing it
/// would change every id: never do.
pub const ID_NAMESPACE: Uuid = Uuid::from_u128(0x7c1d_54a4_1b7e_4d8a_9a36_5e0f_3b2c_a001);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(pub Uuid);

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An outbox row's id: one per (triggering entity, workflow), so consumers can dedupe.
pub fn workflow_id(entity_id: Uuid, workflow: &str) -> Uuid {
    let mut name = entity_id.as_bytes().to_vec();
    name.extend_from_slice(workflow.as_bytes());
    Uuid::new_v5(&ID_NAMESPACE, &name)
}

/// Namespace of ids derived from another id (ledger lines of an entry, a
/// period's lock row). Separate from `ID_NAMESPACE`, so a derived id can
/// never equal an entity id or a workflow id whatever the label.
pub const DERIVED_NAMESPACE: Uuid = Uuid::from_u128(0x7c1d_54a4_1b7e_4d8a_9a36_5e0f_3b2c_a002);

/// The id of a row an operation writes besides its own record:
/// UUIDv5(parent ‖ label). A retry derives the same ids from the same
/// parent, so an extra row can never be written twice.
pub fn derived_id(parent: Uuid, label: &str) -> Uuid {
    let mut name = parent.as_bytes().to_vec();
    name.extend_from_slice(label.as_bytes());
    Uuid::new_v5(&DERIVED_NAMESPACE, &name)
}

/// A bearer token: 256 random bits, shown once; only its SHA-256 is stored.
pub struct Token(String);

impl Token {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self(format!("abk_{}", hex(&bytes))))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash_hex(&self) -> String {
        token_hash(&self.0)
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Tests and the simulation need tokens drawn from their own seed.
pub fn token_from_seed(seed: u128) -> Token {
    Token(format!("abk_{}", hex(&Sha256::digest(seed.to_be_bytes()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let parent = Uuid::from_u128(7);
        assert_eq!(derived_id(parent, "ledger:0"), derived_id(parent, "ledger:0"));
        assert_ne!(derived_id(parent, "ledger:0"), derived_id(parent, "ledger:1"));
        assert_ne!(derived_id(parent, "ledger:0"), derived_id(Uuid::from_u128(8), "ledger:0"));
        assert_ne!(derived_id(parent, "invoice_email"), workflow_id(parent, "invoice_email"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = Token::generate().unwrap();
        let b = Token::generate().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 4 + 64);
        assert_eq!(a.hash_hex(), token_hash(a.expose()));
        assert_ne!(a.hash_hex(), a.expose());
    }
}
