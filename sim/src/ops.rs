//! Request generators: a valid request for every registered operation,
//! built from the seed and the tenant's reference data.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::scenario::Draw;

/// Operations the harness can generate requests for: every registered one
/// (a test fails when an operation is registered without a generator here).
pub const SUPPORTED: &[&str] = &[
    "create_customer",
    "create_vendor",
    "create_user",
    "create_account",
    "create_bank_account",
    "create_payroll_run",
    "create_invoice",
    "record_payment",
    "post_journal_entry",
    "issue_refund",
    "create_bill",
    "void_invoice",
    "close_period",
    "update_bank_account",
    "change_user_role",
    "delete_customer",
    "approve_payroll_run",
];

/// A tenant's reference data, created through the API before any fault.
#[derive(Debug, Clone, Default)]
pub struct Refs {
    pub customers: Vec<Uuid>,
    pub invoices: Vec<Uuid>,
    pub payments: Vec<Uuid>,
    pub vendors: Vec<Uuid>,
    /// (cash, sales) accounts of the chart of accounts.
    pub accounts: Option<(Uuid, Uuid)>,
    /// Users other than the tenant's admin (whose role is never changed).
    pub users: Vec<Uuid>,
    pub bank_accounts: Vec<Uuid>,
    pub payroll_runs: Vec<Uuid>,
}

/// One generated request.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub method: &'static str,
    pub path: String,
    /// The path parameters, as the service's router extracts them.
    pub params: Vec<String>,
    pub body: Value,
}

fn post(path: impl Into<String>, body: Value) -> Generated {
    Generated { method: "POST", path: path.into(), params: Vec::new(), body }
}

fn pick(v: &[Uuid], d: &mut impl Draw) -> Uuid {
    v[d.below(v.len() as u64) as usize]
}

/// A request for `op`. `variant` changes the payload without changing its
/// shape, so the same key with another variant is a mismatch.
pub fn request(op: &str, r: &Refs, d: &mut impl Draw, variant: u64) -> Generated {
    let on = |method: &'static str, id: Uuid, path: String, body: Value| Generated {
        method,
        path,
        params: vec![id.to_string()],
        body,
    };
    match op {
        "create_customer" => post("/v1/customers", json!({ "name": format!("Customer {variant}") })),
        "create_vendor" => post("/v1/vendors", json!({ "name": format!("Vendor {variant}") })),
        "create_user" => post(
            "/v1/users",
            json!({ "email": format!("user{variant}@example.com"), "name": "Sim User", "role": "viewer" }),
        ),
        "create_account" => post(
            "/v1/accounts",
            json!({ "code": format!("{}", 5000 + variant % 4000), "name": format!("Expense {variant}"), "type": "expense" }),
        ),
        "create_bank_account" => post(
            "/v1/bank-accounts",
            json!({ "holder_name": "Sim Holder", "account_number": format!("{:012}", 100_000 + variant), "routing_number": "011000015" }),
        ),
        "create_payroll_run" => post(
            "/v1/payroll-runs",
            json!({ "period": "2026-01", "currency": "USD", "pay_date": "2026-02-01",
                    "lines": [{"employee_name": format!("Employee {variant}"), "gross_cents": 100_000 + variant % 1000}] }),
        ),
        "create_invoice" => post(
            "/v1/invoices",
            json!({
                "customer_id": pick(&r.customers, d),
                "currency": "USD",
                "due_date": "2026-12-31",
                "lines": [{"description": format!("Work {variant}"), "quantity": 1 + variant % 5, "unit_price_cents": 1000 + variant % 997}]
            }),
        ),
        "record_payment" => post(
            "/v1/payments",
            json!({ "invoice_id": pick(&r.invoices, d), "amount_cents": 100 + variant % 400, "method": "bank_transfer" }),
        ),
        "post_journal_entry" => {
            let (cash, sales) = r.accounts.expect("reference accounts");
            let cents = 100 + variant % 10_000;
            post(
                "/v1/journal-entries",
                json!({ "entry_date": "2026-01-15", "memo": format!("Cash sale {variant}"), "lines": [
                    {"account_id": cash, "currency": "USD", "debit_cents": cents},
                    {"account_id": sales, "currency": "USD", "credit_cents": cents}
                ]}),
            )
        }
        "issue_refund" => post(
            "/v1/refunds",
            json!({ "payment_id": pick(&r.payments, d), "amount_cents": 1 + variant % 50, "reason": format!("refund {variant}") }),
        ),
        "create_bill" => post(
            "/v1/bills",
            json!({ "vendor_id": pick(&r.vendors, d), "currency": "USD", "due_date": "2030-06-30",
                    "lines": [{"description": format!("Supplies {variant}"), "quantity": 1, "unit_price_cents": 100 + variant % 900}] }),
        ),
        "void_invoice" => {
            let id = pick(&r.invoices, d);
            on("POST", id, format!("/v1/invoices/{id}/void"), json!({ "reason": format!("void {variant}") }))
        }
        "close_period" => {
            // Long-past periods only: closing the current one would refuse
            // every later dated write and starve the rest of the mix.
            let period = format!("{}-{:02}", 2015 + variant % 5, 1 + variant % 12);
            Generated {
                method: "POST",
                path: format!("/v1/periods/{period}/close"),
                params: vec![period],
                body: json!({}),
            }
        }
        "update_bank_account" => {
            let id = pick(&r.bank_accounts, d);
            on(
                "PUT",
                id,
                format!("/v1/bank-accounts/{id}"),
                json!({ "account_number": format!("{:011}", 5_555_000_000 + variant), "routing_number": "111000025" }),
            )
        }
        "change_user_role" => {
            let id = pick(&r.users, d);
            let role = ["viewer", "accountant", "approver"][(variant % 3) as usize];
            on("PUT", id, format!("/v1/users/{id}/role"), json!({ "role": role }))
        }
        "delete_customer" => {
            let id = pick(&r.customers, d);
            on("DELETE", id, format!("/v1/customers/{id}"), json!({ "reason": format!("closed {variant}") }))
        }
        "approve_payroll_run" => {
            let id = pick(&r.payroll_runs, d);
            on("POST", id, format!("/v1/payroll-runs/{id}/approve"), json!({ "note": format!("checked {variant}") }))
        }
        other => panic!("no generator for {other}: add one to sim/src/ops.rs"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_operation_has_a_generator() {
        for spec in accubooks_service::ops::REGISTRY {
            assert!(SUPPORTED.contains(&spec.name), "{} is registered but the harness cannot generate it", spec.name);
        }
        for op in SUPPORTED {
            assert!(accubooks_service::ops::REGISTRY.iter().any(|s| s.name == *op), "{op} is not registered");
        }
    }
}
