//! Request generators: one small function per registered operation, looked
//! up by the operation's registry name. Covering a new operation is one
//! function and one table row here (plus its reference pool in `refs.rs` if
//! it needs one); the test below fails while a registered operation has none.

use accubooks_service::ops::{self, Method, OpSpec, Operation, REGISTRY};
use serde_json::{json, Value};
use uuid::Uuid;

use super::refs::{Need, Refs};

/// One request's content: path (parameters filled in), its parameters in
/// route order (they are part of the fingerprint) and the JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    pub path: String,
    pub path_params: Vec<String>,
    pub body: Value,
}

impl Payload {
    fn at(path: &str, body: Value) -> Self {
        Self { path: path.to_owned(), path_params: Vec::new(), body }
    }

    fn on(path: String, param: String, body: Value) -> Self {
        Self { path, path_params: vec![param], body }
    }

    /// The fingerprint the service must store for this request, derived
    /// from its specification (`oracle::fingerprint`); the body is in the
    /// canonical form already (see the test below).
    pub fn fingerprint(&self, operation: &str) -> String {
        let params: Vec<&str> = self.path_params.iter().map(String::as_str).collect();
        crate::oracle::fingerprint(operation, &params, &self.body)
    }
}

/// `pick` chooses among reference entities (spread so concurrent requests
/// rarely lock the same row) and keeps unique fields unique per key;
/// `variant` changes the payload without changing its shape. Neighbouring
/// variants must give different payloads (the mismatch workload steps
/// through variants until the fingerprint differs); distant ones may collide.
/// Both are plain numbers rather than a random source, so a caller derives
/// them however it must (the stress tool from seed and slot without shared
/// state, the simulation from madsim's seeded RNG). Keep `pick` below 2^40:
/// account codes carry it in hex within their 20 characters.
pub type Build = fn(refs: &Refs, pick: u64, variant: u64) -> Payload;

#[derive(Debug)]
pub struct OpGen {
    pub spec: &'static OpSpec,
    pub needs: &'static [Need],
    pub build: Build,
}

impl OpGen {
    pub fn name(&self) -> &'static str {
        self.spec.name
    }

    pub fn method(&self) -> hyper::Method {
        match self.spec.method {
            Method::Post => hyper::Method::POST,
            Method::Put => hyper::Method::PUT,
            Method::Delete => hyper::Method::DELETE,
        }
    }

    /// Where the record an execution creates reads back.
    pub fn read_path(&self, id: Uuid) -> String {
        format!("/v1/{}/{id}", self.spec.collection)
    }
}

const fn op<O: Operation>(needs: &'static [Need], build: Build) -> OpGen {
    OpGen { spec: O::SPEC, needs, build }
}

use Need::*;

pub static GENERATORS: &[OpGen] = &[
    op::<ops::CreateCustomer>(&[], create_customer),
    op::<ops::CreateVendor>(&[], create_vendor),
    op::<ops::CreateUser>(&[], create_user),
    op::<ops::CreateAccount>(&[], create_account),
    op::<ops::CreateBankAccount>(&[], create_bank_account),
    op::<ops::CreatePayrollRun>(&[], create_payroll_run),
    op::<ops::CreateInvoice>(&[Customers], create_invoice),
    op::<ops::RecordPayment>(&[Invoices], record_payment),
    op::<ops::PostJournalEntry>(&[Accounts], post_journal_entry),
    op::<ops::IssueRefund>(&[Payments], issue_refund),
    op::<ops::CreateBill>(&[Vendors], create_bill),
    op::<ops::VoidInvoice>(&[VoidableInvoices], void_invoice),
    op::<ops::ClosePeriod>(&[], close_period),
    op::<ops::UpdateBankAccount>(&[BankAccounts], update_bank_account),
    op::<ops::ChangeUserRole>(&[Users], change_user_role),
    op::<ops::DeleteCustomer>(&[DeletableCustomers], delete_customer),
    op::<ops::ApprovePayrollRun>(&[PayrollRuns], approve_payroll_run),
];

/// The month journal entries are dated in (and one close in four closes):
/// in the past of every seed (the simulated clock starts in 2022).
const JOURNAL_PERIOD: &str = "2021-06";

pub fn generator(name: &str) -> Option<&'static OpGen> {
    GENERATORS.iter().find(|g| g.name() == name)
}

/// `all` (every registered operation, in registry order) or a
/// comma-separated list of registered operation names.
pub fn select(spec: &str) -> Result<Vec<&'static OpGen>, String> {
    if spec == "all" {
        return REGISTRY
            .iter()
            .map(|s| generator(s.name).ok_or_else(|| format!("no request generator for {}", s.name)))
            .collect();
    }
    spec.split(',')
        .map(str::trim)
        .map(|n| {
            generator(n).ok_or_else(|| {
                let known: Vec<&str> = GENERATORS.iter().map(OpGen::name).collect();
                format!("unknown operation {n:?} (known: all, {})", known.join(", "))
            })
        })
        .collect()
}

fn nth(v: &[Uuid], pick: u64) -> Uuid {
    assert!(!v.is_empty(), "reference data is created before any generator runs");
    v[(pick % v.len() as u64) as usize]
}

fn create_customer(_: &Refs, _pick: u64, variant: u64) -> Payload {
    Payload::at("/v1/customers", json!({ "name": format!("Stress customer {variant}") }))
}

fn create_vendor(_: &Refs, _pick: u64, variant: u64) -> Payload {
    Payload::at("/v1/vendors", json!({ "name": format!("Stress vendor {variant}") }))
}

fn create_user(_: &Refs, pick: u64, variant: u64) -> Payload {
    // Emails are unique per tenant: the key's group makes them so.
    let body = json!({ "email": format!("u{pick}-{variant}@example.com"), "name": "Stress User", "role": "viewer" });
    Payload::at("/v1/users", body)
}

fn create_account(_: &Refs, pick: u64, variant: u64) -> Payload {
    // Codes are unique per tenant and at most 20 characters.
    let body = json!({ "code": format!("S{pick:x}.{}", variant % 1000), "name": format!("Expense {variant}"), "type": "expense" });
    Payload::at("/v1/accounts", body)
}

fn create_bank_account(_: &Refs, _pick: u64, variant: u64) -> Payload {
    let body = json!({
        "holder_name": "Stress Holder",
        "account_number": format!("{:012}", 100_000 + variant),
        "routing_number": "011000015",
    });
    Payload::at("/v1/bank-accounts", body)
}

fn create_payroll_run(_: &Refs, _pick: u64, variant: u64) -> Payload {
    let body = json!({
        "period": "2026-01",
        "currency": "USD",
        "pay_date": "2026-02-01",
        "lines": [{"employee_name": format!("Employee {variant}"), "gross_cents": 100_000 + variant % 1000}],
    });
    Payload::at("/v1/payroll-runs", body)
}

fn create_invoice(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let body = json!({
        "customer_id": nth(&refs.customers, pick),
        "currency": "USD",
        "due_date": "2026-12-31",
        "lines": [{
            "description": format!("Consulting {variant}"),
            "quantity": 1 + variant % 9,
            "unit_price_cents": 1_000 + variant % 99_000,
        }],
    });
    Payload::at("/v1/invoices", body)
}

fn record_payment(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let body = json!({
        "invoice_id": nth(&refs.invoices, pick),
        "amount_cents": 100 + variant % 400,
        "method": "bank_transfer",
    });
    Payload::at("/v1/payments", body)
}

fn post_journal_entry(refs: &Refs, _pick: u64, variant: u64) -> Payload {
    let (cash, sales) = refs.accounts.expect("reference accounts are created before the load");
    let cents = 100 + variant % 10_000;
    let body = json!({ "entry_date": format!("{JOURNAL_PERIOD}-15"), "memo": format!("Cash sale {variant}"), "lines": [
        {"account_id": cash, "currency": "USD", "debit_cents": cents, "credit_cents": 0, "description": null},
        {"account_id": sales, "currency": "USD", "debit_cents": 0, "credit_cents": cents, "description": null},
    ]});
    Payload::at("/v1/journal-entries", body)
}

fn issue_refund(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let body = json!({
        "payment_id": nth(&refs.payments, pick),
        "amount_cents": 1 + variant % 50,
        "reason": format!("refund {variant}"),
        "refund_date": null,
    });
    Payload::at("/v1/refunds", body)
}

fn create_bill(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let body = json!({
        "vendor_id": nth(&refs.vendors, pick),
        "currency": "USD",
        "due_date": "2030-06-30",
        "issue_date": null,
        "lines": [{"description": format!("Supplies {variant}"), "quantity": 1, "unit_price_cents": 100 + variant % 900}],
    });
    Payload::at("/v1/bills", body)
}

fn void_invoice(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let id = nth(&refs.voidable_invoices, pick);
    Payload::on(format!("/v1/invoices/{id}/void"), id.to_string(), json!({ "reason": format!("void {variant}") }))
}

fn close_period(_: &Refs, pick: u64, variant: u64) -> Payload {
    // Mostly long-past months; one close in four is of the month the
    // journal entries are dated in, so entries race the close of their own
    // period (before it they post, after it they are refused; never into
    // it once closed). Closing the current month would refuse the writes
    // dated today.
    let period = if pick % 4 == 3 {
        JOURNAL_PERIOD.to_owned()
    } else {
        format!("{}-{:02}", 2000 + (pick / 12) % 20, 1 + pick % 12)
    };
    Payload::on(format!("/v1/periods/{period}/close"), period, json!({ "note": format!("close {variant}") }))
}

fn update_bank_account(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let id = nth(&refs.bank_accounts, pick);
    let body = json!({
        "account_number": format!("{:011}", 5_555_000_000 + variant),
        "routing_number": "111000025",
        "holder_name": null,
    });
    Payload::on(format!("/v1/bank-accounts/{id}"), id.to_string(), body)
}

fn change_user_role(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let id = nth(&refs.users, pick);
    let role = ["viewer", "accountant", "approver"][(variant % 3) as usize];
    Payload::on(format!("/v1/users/{id}/role"), id.to_string(), json!({ "role": role }))
}

fn delete_customer(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let id = nth(&refs.deletable_customers, pick);
    Payload::on(format!("/v1/customers/{id}"), id.to_string(), json!({ "reason": format!("closed {variant}") }))
}

fn approve_payroll_run(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let id = nth(&refs.payroll_runs, pick);
    Payload::on(
        format!("/v1/payroll-runs/{id}/approve"),
        id.to_string(),
        json!({ "note": format!("checked {variant}") }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use accubooks_service::ops::{visit_all, OperationVisitor};

    fn refs() -> Refs {
        let ids = |base: u128| (0..3).map(|i| Uuid::from_u128(base + i)).collect::<Vec<_>>();
        Refs {
            customers: ids(10),
            invoices: ids(20),
            payments: ids(30),
            vendors: ids(40),
            accounts: Some((Uuid::from_u128(50), Uuid::from_u128(51))),
            users: ids(60),
            bank_accounts: ids(70),
            payroll_runs: ids(80),
            voidable_invoices: ids(90),
            deletable_customers: ids(100),
        }
    }

    #[test]
    fn every_registered_operation_has_exactly_one_generator() {
        for spec in REGISTRY {
            let g = generator(spec.name)
                .unwrap_or_else(|| panic!("no generator for {}: add one to workload/gen.rs", spec.name));
            assert_eq!(g.spec, *spec);
        }
        assert_eq!(GENERATORS.len(), REGISTRY.len(), "a generator for an operation that is not registered");
        assert_eq!(select("all").unwrap().len(), REGISTRY.len());
    }

    #[test]
    fn generators_are_deterministic_and_neighbouring_variants_differ() {
        for g in GENERATORS {
            let a = (g.build)(&refs(), 5, 11);
            assert_eq!(a, (g.build)(&refs(), 5, 11), "{}", g.name());
            let b = (g.build)(&refs(), 5, 12);
            assert_ne!(a.fingerprint(g.name()), b.fingerprint(g.name()), "{}: variants must mismatch", g.name());
            assert!(a.path.starts_with("/v1/"), "{}", g.name());
        }
    }

    /// Every generated request parses, validates and is already in the
    /// canonical form the service fingerprints (so the checker's
    /// stored-fingerprint comparison holds).
    struct Check;

    impl OperationVisitor for Check {
        fn visit<O: Operation>(&mut self, op: O) {
            let g = generator(O::SPEC.name).expect("every operation has a generator");
            for (pick, variant) in [(0, 0), (1, 1), (7, 98_999), (300, 999_999_999)] {
                let p = (g.build)(&refs(), pick, variant);
                let input: O::Input = serde_json::from_value(p.body.clone())
                    .unwrap_or_else(|e| panic!("{}: body does not match the schema: {e}", g.name()));
                op.validate(&input).unwrap_or_else(|e| panic!("{}: body fails validation: {e}", g.name()));
                op.validate_path(&p.path_params).unwrap_or_else(|e| panic!("{}: bad path: {e}", g.name()));
                assert_eq!(serde_json::to_value(&input).unwrap(), p.body, "{}: not canonical", g.name());
                assert_eq!(p.path_params.len(), O::SPEC.route.matches('{').count(), "{}", g.name());
            }
        }
    }

    #[test]
    fn generated_requests_parse_validate_and_are_canonical() {
        visit_all(&mut Check);
    }

    #[test]
    fn select_parses_lists_and_refuses_unknown_names() {
        assert_eq!(select("create_invoice, record_payment").unwrap().len(), 2);
        assert!(select("create_invoice,nope").unwrap_err().contains("unknown operation"));
    }
}
