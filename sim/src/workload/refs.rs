//! Reference data: the entities a tenant's generated requests point at,
//! created through the API before the load (and before any fault). The plan
//! here says what to create, in which order and with which keys; each tool
//! sends it with its own client.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use uuid::Uuid;

use super::gen::OpGen;

/// Reference data a tenant's requests point at, created before the load.
#[derive(Debug, Clone, Default)]
pub struct Refs {
    pub customers: Vec<Uuid>,
    /// Invoices with totals far above anything a run pays (after the
    /// plan's `small_invoices`), so payments are refused as overpayments
    /// only where a run means them to be.
    pub invoices: Vec<Uuid>,
    /// Large payments, so refunds stay below them.
    pub payments: Vec<Uuid>,
    pub vendors: Vec<Uuid>,
    /// (cash, sales) accounts of the chart of accounts.
    pub accounts: Option<(Uuid, Uuid)>,
    /// Users other than the tenant's admin (whose role is never changed).
    pub users: Vec<Uuid>,
    pub bank_accounts: Vec<Uuid>,
    pub payroll_runs: Vec<Uuid>,
    /// Invoices `void_invoice` touches.
    pub voidable_invoices: Vec<Uuid>,
    /// Customers `delete_customer` touches.
    pub deletable_customers: Vec<Uuid>,
}

/// Which reference pools an operation draws from (set-up creates the
/// union). Declared in creation order: a pool comes after the pools its
/// entities point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    Customers,
    Invoices,
    Payments,
    Vendors,
    Accounts,
    Users,
    BankAccounts,
    PayrollRuns,
    VoidableInvoices,
    DeletableCustomers,
}

/// The pools `ops` need, including what those pools are built from.
pub fn needs(ops: &[&OpGen]) -> BTreeSet<Need> {
    let mut n: BTreeSet<Need> = ops.iter().flat_map(|g| g.needs.iter().copied()).collect();
    if n.contains(&Need::Payments) {
        n.insert(Need::Invoices);
    }
    if n.contains(&Need::Invoices) || n.contains(&Need::VoidableInvoices) {
        n.insert(Need::Customers);
    }
    n
}

/// Where destructive operations (void, delete) find their targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestructivePools {
    /// Pools of their own, so voiding and deleting never take away what
    /// the other operations need (a load run measures the write path).
    Separate,
    /// The pools every other operation uses, so a void races the payments
    /// on its invoice and a delete the invoices of its customer (a
    /// simulation exercises those rules under faults).
    Shared,
}

/// What to create for a tenant.
#[derive(Debug, Clone)]
pub struct SetupPlan {
    /// Prefixes every key, and tags the values unique per tenant (account
    /// codes, emails), so a rerun with the same tag replays instead of
    /// duplicating.
    pub tag: String,
    /// Customers and vendors.
    pub customers: usize,
    /// Size of every per-request pool (invoices, payments, users, …).
    pub invoices: usize,
    /// The first invoices are this small (15.00), so concurrent payments
    /// overpay them and the stored-rejection path runs too.
    pub small_invoices: usize,
    pub destructive: DestructivePools,
}

/// One reference entity to create; its answer's `id` joins the pool.
#[derive(Debug, Clone, PartialEq)]
pub struct RefRequest {
    pub key: String,
    pub path: &'static str,
    pub body: Value,
}

const SMALL_INVOICE_CENTS: u64 = 1_500;

impl SetupPlan {
    /// The pools to create for `needs`, in creation order.
    pub fn pools(&self, needs: &BTreeSet<Need>) -> Vec<Need> {
        needs.iter().map(|n| self.source(*n)).collect::<BTreeSet<_>>().into_iter().collect()
    }

    /// The pool a need is served from.
    fn source(&self, need: Need) -> Need {
        match (self.destructive, need) {
            (DestructivePools::Shared, Need::VoidableInvoices) => Need::Invoices,
            (DestructivePools::Shared, Need::DeletableCustomers) => Need::Customers,
            (_, n) => n,
        }
    }

    /// The requests that create `pool`, given the pools created before it.
    pub fn requests(&self, pool: Need, refs: &Refs) -> Vec<RefRequest> {
        let tag = &self.tag;
        let at = |what: &str, i: usize, path: &'static str, body: Value| RefRequest {
            key: format!("{tag}-ref-{what}-{i}"),
            path,
            body,
        };
        let invoice = |i: usize| {
            // 10^6 × 10^9 cents: no run pays that much.
            let (quantity, cents) =
                if i < self.small_invoices { (1, SMALL_INVOICE_CENTS) } else { (1_000_000, 1_000_000_000) };
            json!({
                "customer_id": refs.customers[i % refs.customers.len()],
                "currency": "USD",
                "due_date": "2026-12-31",
                "lines": [{"description": "Reference work", "quantity": quantity, "unit_price_cents": cents}]
            })
        };
        let n = self.invoices;
        match pool {
            Need::Customers => (0..self.customers)
                .map(|i| at("c", i, "/v1/customers", json!({ "name": format!("Reference customer {i}") })))
                .collect(),
            Need::Invoices => (0..n).map(|i| at("i", i, "/v1/invoices", invoice(i))).collect(),
            Need::VoidableInvoices => (0..n).map(|i| at("vi", i, "/v1/invoices", invoice(i))).collect(),
            Need::Payments => {
                // On the large invoices only, and far above what refunds
                // take back (at most 50 cents each).
                let large = &refs.invoices[self.small_invoices.min(refs.invoices.len())..];
                (0..n)
                    .map(|i| {
                        let body =
                            json!({ "invoice_id": large[i % large.len()], "amount_cents": 100_000_000, "method": "card" });
                        at("p", i, "/v1/payments", body)
                    })
                    .collect()
            }
            Need::DeletableCustomers => (0..n)
                .map(|i| at("dc", i, "/v1/customers", json!({ "name": format!("Deletable customer {i}") })))
                .collect(),
            Need::Vendors => (0..self.customers)
                .map(|i| at("v", i, "/v1/vendors", json!({ "name": format!("Reference vendor {i}") })))
                .collect(),
            Need::Accounts => [("1000", "asset"), ("4000", "revenue")]
                .into_iter()
                .enumerate()
                .map(|(i, (code, kind))| {
                    // Codes are unique per tenant: the tag keeps reruns apart.
                    let body = json!({ "code": format!("{code}-{tag}"), "name": format!("Account {code}"), "type": kind });
                    at("a", i, "/v1/accounts", body)
                })
                .collect(),
            Need::Users => (0..=n)
                .map(|i| {
                    // The first is an admin whose role is never changed, so
                    // `last_admin` never fires.
                    let role = if i == 0 { "admin" } else { "viewer" };
                    let body = json!({ "email": format!("staff{i}-{tag}@example.com"), "name": "Staff", "role": role });
                    at("u", i, "/v1/users", body)
                })
                .collect(),
            Need::BankAccounts => (0..n)
                .map(|i| {
                    let body = json!({ "holder_name": "Reference Holder", "account_number": format!("{:012}", 42 + i), "routing_number": "011000015" });
                    at("b", i, "/v1/bank-accounts", body)
                })
                .collect(),
            Need::PayrollRuns => (0..n)
                .map(|i| {
                    let body = json!({ "period": "2026-01", "currency": "USD", "pay_date": "2026-02-01",
                        "lines": [{"employee_name": format!("Employee {i}"), "gross_cents": 250_000}] });
                    at("r", i, "/v1/payroll-runs", body)
                })
                .collect(),
        }
    }

    /// Records the ids `requests(pool, …)` created, in request order.
    pub fn fill(&self, refs: &mut Refs, pool: Need, ids: Vec<Uuid>) {
        match pool {
            Need::Customers => refs.customers = ids,
            Need::Invoices => refs.invoices = ids,
            Need::Payments => refs.payments = ids,
            Need::Vendors => refs.vendors = ids,
            Need::Accounts => refs.accounts = Some((ids[0], ids[1])),
            Need::Users => refs.users = ids[1..].to_vec(),
            Need::BankAccounts => refs.bank_accounts = ids,
            Need::PayrollRuns => refs.payroll_runs = ids,
            Need::VoidableInvoices => refs.voidable_invoices = ids,
            Need::DeletableCustomers => refs.deletable_customers = ids,
        }
        if self.destructive == DestructivePools::Shared {
            match pool {
                Need::Invoices => refs.voidable_invoices = refs.invoices.clone(),
                Need::Customers => refs.deletable_customers = refs.customers.clone(),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::gen::GENERATORS;

    fn plan(destructive: DestructivePools) -> SetupPlan {
        SetupPlan { tag: "t".into(), customers: 2, invoices: 4, small_invoices: 1, destructive }
    }

    /// Runs a plan with made-up ids, as a tool would with real answers.
    fn run(plan: &SetupPlan) -> Refs {
        let mut refs = Refs::default();
        let mut next = 1u128;
        for pool in plan.pools(&needs(&GENERATORS.iter().collect::<Vec<_>>())) {
            let ids = plan
                .requests(pool, &refs)
                .iter()
                .map(|_| {
                    next += 1;
                    Uuid::from_u128(next)
                })
                .collect();
            plan.fill(&mut refs, pool, ids);
        }
        refs
    }

    #[test]
    fn every_pool_an_operation_draws_from_is_filled() {
        for destructive in [DestructivePools::Separate, DestructivePools::Shared] {
            let refs = run(&plan(destructive));
            for pool in [
                &refs.customers,
                &refs.invoices,
                &refs.payments,
                &refs.vendors,
                &refs.users,
                &refs.bank_accounts,
                &refs.payroll_runs,
                &refs.voidable_invoices,
                &refs.deletable_customers,
            ] {
                assert!(!pool.is_empty(), "{destructive:?}: {refs:?}");
            }
            assert!(refs.accounts.is_some());
            let shared = refs.voidable_invoices == refs.invoices && refs.deletable_customers == refs.customers;
            assert_eq!(shared, destructive == DestructivePools::Shared, "{refs:?}");
        }
    }

    #[test]
    fn payments_never_target_small_invoices() {
        let p = plan(DestructivePools::Separate);
        let refs = run(&p);
        let small = &refs.invoices[..p.small_invoices];
        for r in p.requests(Need::Payments, &refs) {
            let invoice: Uuid = r.body["invoice_id"].as_str().unwrap().parse().unwrap();
            assert!(!small.contains(&invoice));
        }
    }
}
