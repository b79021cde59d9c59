//! What makes a write idempotent, apart from the engine that decides:
//! the parsed key, the request fingerprint, the deterministic id, the
//! per-key gate for same-key waiters, the recent-keys hint of the replay
//! fast path and a key's expiry state.

pub mod expiry;
pub mod fingerprint;
pub mod gate;
pub mod key;
pub mod recent;

use uuid::Uuid;

use crate::domain::ids::{TenantId, ID_NAMESPACE};
use key::IdempotencyKey;

/// entity id = UUIDv5(namespace, tenant ‖ operation ‖ key). Lengths are
/// prefixed so distinct triples can never concatenate to the same bytes.
/// It is the primary key of the record an execution creates, so even a
/// lost key record cannot produce a second row.
pub fn deterministic_id(tenant: TenantId, operation: &str, key: &IdempotencyKey) -> Uuid {
    let mut name = Vec::with_capacity(16 + operation.len() + key.as_str().len() + 8);
    name.extend_from_slice(tenant.0.as_bytes());
    name.extend_from_slice(&(operation.len() as u32).to_be_bytes());
    name.extend_from_slice(operation.as_bytes());
    name.extend_from_slice(&(key.as_str().len() as u32).to_be_bytes());
    name.extend_from_slice(key.as_str().as_bytes());
    Uuid::new_v5(&ID_NAMESPACE, &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_id_depends_on_every_part() {
        let t1 = TenantId(Uuid::from_u128(1));
        let t2 = TenantId(Uuid::from_u128(2));
        let k = IdempotencyKey::parse("k").unwrap();
        let a = deterministic_id(t1, "create_invoice", &k);
        assert_eq!(a, deterministic_id(t1, "create_invoice", &k));
        assert_ne!(a, deterministic_id(t2, "create_invoice", &k));
        assert_ne!(a, deterministic_id(t1, "record_payment", &k));
        assert_ne!(a, deterministic_id(t1, "create_invoice", &IdempotencyKey::parse("k2").unwrap()));
        assert_eq!(a.get_version_num(), 5);
    }
}
