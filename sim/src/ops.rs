//! Request generators: a valid payload for every operation the harness
//! drives, built from the seed and the world's reference data.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::scenario::Draw;

/// Operations the harness can generate requests for.
pub const SUPPORTED: &[&str] = &["create_customer", "create_invoice", "record_payment"];

/// A tenant's reference data, created before the faults start.
#[derive(Debug, Clone, Default)]
pub struct Refs {
    pub customers: Vec<Uuid>,
    pub invoices: Vec<Uuid>,
}

/// (path, body) for `op`. `variant` changes the payload without changing
/// its shape, so the same key with another variant is a mismatch.
pub fn request(op: &str, refs: &Refs, d: &mut impl Draw, variant: u64) -> (String, Value) {
    let pick = |v: &[Uuid], d: &mut dyn FnMut(u64) -> u64| v[d(v.len() as u64) as usize];
    let mut below = |n: u64| d.below(n);
    match op {
        "create_customer" => ("/v1/customers".into(), json!({ "name": format!("Customer {variant}") })),
        "create_invoice" => {
            let customer = pick(&refs.customers, &mut below);
            let body = json!({
                "customer_id": customer,
                "currency": "USD",
                "due_date": "2026-12-31",
                "lines": [{"description": format!("Work {variant}"), "quantity": 1 + variant % 5, "unit_price_cents": 1000 + variant % 997}]
            });
            ("/v1/invoices".into(), body)
        }
        "record_payment" => {
            let invoice = pick(&refs.invoices, &mut below);
            let body = json!({ "invoice_id": invoice, "amount_cents": 100 + variant % 400, "method": "bank_transfer" });
            ("/v1/payments".into(), body)
        }
        other => panic!("no generator for {other}: add one to sim/src/ops.rs"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_operation_the_harness_claims_exists() {
        for op in SUPPORTED {
            assert!(
                accubooks_service::ops::REGISTRY.iter().any(|s| s.name == *op),
                "{op} is not a registered operation"
            );
        }
    }
}
