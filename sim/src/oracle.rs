//! The checker's own derivations of what the service must produce: entity
//! ids, workflow ids, request fingerprints and the audit log's key hash,
//! written from their
//! specification (README, "Deterministic ids") rather than by calling the
//! service's functions. A bug in the service's derivation (say, an id that
//! ignores the tenant) then shows up as a mismatch instead of being
//! reproduced by the oracle. The golden values in the tests pin the
//! specification itself.

use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The namespace of every deterministic id, as the specification states it.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x7c1d54a4_1b7e_4d8a_9a36_5e0f3b2ca001);

/// entity id = UUIDv5(namespace, tenant (16 bytes) ‖ len(operation) (u32,
/// big-endian) ‖ operation ‖ len(key) (u32, big-endian) ‖ key).
pub fn entity_id(tenant: Uuid, operation: &str, key: &str) -> Uuid {
    let mut name = Vec::new();
    name.extend_from_slice(tenant.as_bytes());
    for part in [operation, key] {
        name.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        name.extend_from_slice(part.as_bytes());
    }
    Uuid::new_v5(&NAMESPACE, &name)
}

/// workflow id = UUIDv5(namespace, triggering entity id (16 bytes) ‖ workflow name).
pub fn workflow_id(entity: Uuid, workflow: &str) -> Uuid {
    let mut name = entity.as_bytes().to_vec();
    name.extend_from_slice(workflow.as_bytes());
    Uuid::new_v5(&NAMESPACE, &name)
}

/// fingerprint = hex SHA-256 of "accubooks-fp-v1" NUL ‖ operation NUL ‖
/// (len (u32, big-endian) ‖ path parameter)* NUL ‖ the body's canonical JSON
/// (object members sorted by name, no insignificant whitespace). The
/// workload's bodies are already in the service's canonical form (its
/// generators' test checks that), so this is what the key record stores.
pub fn fingerprint(operation: &str, path_params: &[&str], body: &Value) -> String {
    let mut h = Sha256::new();
    h.update(b"accubooks-fp-v1\0");
    h.update(operation.as_bytes());
    h.update(b"\0");
    for p in path_params {
        h.update(u32::try_from(p.len()).unwrap_or(u32::MAX).to_be_bytes());
        h.update(p.as_bytes());
    }
    h.update(b"\0");
    let mut canonical = String::new();
    write_canonical(body, &mut canonical);
    h.update(canonical.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(members) => {
            let mut names: Vec<&String> = members.keys().collect();
            names.sort();
            out.push('{');
            for (i, name) in names.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(name.clone()).to_string());
                out.push(':');
                write_canonical(&members[name.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The audit log's `idempotency_key_hash`: lower-case hex SHA-256 of the key as sent.
pub fn key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: Uuid = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);

    #[test]
    fn entity_ids_follow_the_specification() {
        // Golden values, computed apart from this code (SHA-1 of the
        // namespace and the name, per RFC 9562): a change here is a change
        // of every stored id.
        assert_eq!(entity_id(TENANT, "create_invoice", "order-1").to_string(), "b9e18272-d9a4-5571-9595-f5b11f0b8054");
        assert_eq!(
            workflow_id(Uuid::from_u128(42), "invoice_notification").to_string(),
            "a668d800-0d6c-5032-89a2-a9fedf970093"
        );
    }

    #[test]
    fn every_input_of_an_entity_id_counts() {
        let base = entity_id(TENANT, "create_invoice", "k");
        assert_ne!(base, entity_id(Uuid::from_u128(1), "create_invoice", "k"), "the tenant");
        assert_ne!(base, entity_id(TENANT, "record_payment", "k"), "the operation");
        assert_ne!(base, entity_id(TENANT, "create_invoice", "k2"), "the key");
        // Length prefixes: moving a character across the boundary changes the id.
        assert_ne!(entity_id(TENANT, "ab", "c"), entity_id(TENANT, "a", "bc"));
        assert_eq!(base.get_version_num(), 5);
    }

    #[test]
    fn workflow_ids_and_key_hashes_follow_the_specification() {
        let entity = Uuid::from_u128(42);
        assert_ne!(workflow_id(entity, "invoice_notification"), workflow_id(entity, "payment_receipt"));
        assert_eq!(workflow_id(entity, "w").get_version_num(), 5);
        assert_eq!(key_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn fingerprints_follow_the_specification() {
        // Golden values computed apart from this code (Python's hashlib and
        // json.dumps with sorted keys and compact separators).
        let body = serde_json::json!({"reason": "dup é"});
        assert_eq!(
            fingerprint("void_invoice", &["3f0c6a52-9d2e-4c1b-8a77-0d5e1f2a3b4c"], &body),
            "141cf641ec40a619acce513f11b46fd82b3fbce4678ce6dde17c959441245cfa"
        );
        let body: Value = serde_json::from_str(r#"{"name":"Acme","b":[1,{"y":true,"x":null}]}"#).unwrap();
        assert_eq!(
            fingerprint("create_customer", &[], &body),
            "9da4b9b49fb2fb10ffaae7fb30949407404f76f890dba1e0c4a6a33aed7761cb"
        );
    }
}
