//! Per-operation fixtures for the registry-driven suite (`catalogue.rs`):
//! how to set up what an operation needs, a valid request, another request
//! under the same key (a mismatch), and one request per way to break each
//! of its rules. An operation without a fixture here fails the suite, so a
//! new operation cannot ship untested.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{TestApp, TestTenant};

/// A request: path (with its parameters filled in) and JSON body.
#[derive(Debug, Clone)]
pub struct Req {
    pub path: String,
    pub body: Value,
}

fn req(path: impl Into<String>, body: Value) -> Req {
    Req { path: path.into(), body }
}

/// A request that must succeed in `tenant`, and `other`: a different
/// request (body or path) that reuses its key.
pub struct Valid {
    pub tenant: TestTenant,
    pub request: Req,
    pub other: Req,
}

/// A request that must be refused with 422 `code`, in a tenant set up for it.
pub struct Violation {
    pub what: &'static str,
    pub tenant: TestTenant,
    pub request: Req,
    pub code: &'static str,
}

/// A closed period every fixture tenant can date things in.
pub const CLOSED: &str = "2020-01";

// ------------------------------------------------------------ set-up steps --

/// Runs a registered mutation with a fresh key; it must answer 201.
pub async fn make(app: &TestApp, t: &TestTenant, method: &str, path: &str, body: Value) -> Value {
    let key = format!("setup-{}", Uuid::new_v4());
    let r = app.request(method, path, &t.token, &key, &body).await;
    assert_eq!(r.status, 201, "set-up {method} {path} {body}: {:?}", r.body);
    r.json()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

pub async fn customer(app: &TestApp, t: &TestTenant) -> String {
    id(&make(app, t, "POST", "/v1/customers", json!({"name": "Globex"})).await)
}

pub fn invoice_body(customer: &str, cents: i64) -> Value {
    json!({
        "customer_id": customer,
        "currency": "USD",
        "due_date": "2030-12-31",
        "lines": [{"description": "Consulting", "quantity": 1, "unit_price_cents": cents}]
    })
}

pub async fn invoice(app: &TestApp, t: &TestTenant, customer: &str, cents: i64) -> String {
    id(&make(app, t, "POST", "/v1/invoices", invoice_body(customer, cents)).await)
}

pub async fn payment(app: &TestApp, t: &TestTenant, invoice: &str, cents: i64) -> String {
    let body = json!({"invoice_id": invoice, "amount_cents": cents, "method": "card"});
    id(&make(app, t, "POST", "/v1/payments", body).await)
}

pub async fn vendor(app: &TestApp, t: &TestTenant) -> String {
    id(&make(app, t, "POST", "/v1/vendors", json!({"name": "Initech Supplies"})).await)
}

pub async fn account(app: &TestApp, t: &TestTenant, code: &str, kind: &str) -> String {
    let body = json!({"code": code, "name": format!("Account {code}"), "type": kind});
    id(&make(app, t, "POST", "/v1/accounts", body).await)
}

pub async fn user(app: &TestApp, t: &TestTenant, email: &str, role: &str) -> String {
    id(&make(app, t, "POST", "/v1/users", json!({"email": email, "name": "Pat Doe", "role": role})).await)
}

pub async fn bank_account(app: &TestApp, t: &TestTenant) -> String {
    let body = json!({"holder_name": "Acme Ltd", "account_number": "000123456789", "routing_number": "011000015"});
    id(&make(app, t, "POST", "/v1/bank-accounts", body).await)
}

pub fn payroll_body(gross: i64) -> Value {
    json!({
        "period": "2026-01",
        "currency": "USD",
        "pay_date": "2026-02-01",
        "lines": [{"employee_name": "Ada", "gross_cents": gross}, {"employee_name": "Grace", "gross_cents": 1}]
    })
}

pub async fn payroll_run(app: &TestApp, t: &TestTenant) -> String {
    id(&make(app, t, "POST", "/v1/payroll-runs", payroll_body(500_000)).await)
}

pub async fn close(app: &TestApp, t: &TestTenant, period: &str) {
    make(app, t, "POST", &format!("/v1/periods/{period}/close"), json!({})).await;
}

/// The current month (UTC), as the service computes it.
pub fn this_period() -> String {
    accubooks_service::domain::time::rfc3339_now()[..7].to_owned()
}

// ------------------------------------------------------------------ valid --

/// A valid request for `op` in a fresh tenant, or None if `op` has no fixture.
pub async fn valid(app: &TestApp, op: &str) -> Option<Valid> {
    let t = app.new_tenant().await;
    let (request, other) = match op {
        "create_customer" => {
            (req("/v1/customers", json!({"name": "Acme"})), req("/v1/customers", json!({"name": "Other"})))
        }
        "create_vendor" => {
            (req("/v1/vendors", json!({"name": "Initech"})), req("/v1/vendors", json!({"name": "Other"})))
        }
        "create_user" => {
            let body = |role| json!({"email": "sam@example.com", "name": "Sam", "role": role});
            (req("/v1/users", body("accountant")), req("/v1/users", body("viewer")))
        }
        "create_account" => {
            let body = |code| json!({"code": code, "name": "Cash at bank", "type": "asset"});
            (req("/v1/accounts", body("1000")), req("/v1/accounts", body("1001")))
        }
        "create_bank_account" => {
            let body = |n| json!({"holder_name": "Acme Ltd", "account_number": n, "routing_number": "021000021"});
            (req("/v1/bank-accounts", body("9876543210")), req("/v1/bank-accounts", body("9876543211")))
        }
        "create_payroll_run" => {
            (req("/v1/payroll-runs", payroll_body(400_000)), req("/v1/payroll-runs", payroll_body(1)))
        }
        "create_invoice" => {
            let c = customer(app, &t).await;
            (req("/v1/invoices", invoice_body(&c, 12_345)), req("/v1/invoices", invoice_body(&c, 1)))
        }
        "record_payment" => {
            let c = customer(app, &t).await;
            let i = invoice(app, &t, &c, 1_000).await;
            let body = |cents| json!({"invoice_id": i, "amount_cents": cents, "method": "bank_transfer"});
            (req("/v1/payments", body(400)), req("/v1/payments", body(300)))
        }
        "post_journal_entry" => {
            let (cash, sales) = (account(app, &t, "1000", "asset").await, account(app, &t, "4000", "revenue").await);
            let body = |cents: i64| {
                json!({"entry_date": "2026-01-15", "memo": "Cash sale", "lines": [
                    {"account_id": cash, "currency": "USD", "debit_cents": cents},
                    {"account_id": sales, "currency": "USD", "credit_cents": cents},
                    {"account_id": cash, "currency": "EUR", "debit_cents": 70},
                    {"account_id": sales, "currency": "EUR", "credit_cents": 70}
                ]})
            };
            (req("/v1/journal-entries", body(500)), req("/v1/journal-entries", body(600)))
        }
        "issue_refund" => {
            let c = customer(app, &t).await;
            let i = invoice(app, &t, &c, 1_000).await;
            let p = payment(app, &t, &i, 600).await;
            let body = |cents| json!({"payment_id": p, "amount_cents": cents, "reason": "damaged"});
            (req("/v1/refunds", body(200)), req("/v1/refunds", body(250)))
        }
        "create_bill" => {
            let v = vendor(app, &t).await;
            let body = |cents| {
                json!({"vendor_id": v, "currency": "USD", "due_date": "2030-06-30",
                    "lines": [{"description": "Paper", "quantity": 10, "unit_price_cents": cents}]})
            };
            (req("/v1/bills", body(250)), req("/v1/bills", body(251)))
        }
        "void_invoice" => {
            let c = customer(app, &t).await;
            let path = format!("/v1/invoices/{}/void", invoice(app, &t, &c, 700).await);
            (req(&path, json!({"reason": "issued twice"})), req(&path, json!({"reason": "wrong customer"})))
        }
        "close_period" => (req("/v1/periods/2019-01/close", json!({})), req("/v1/periods/2019-02/close", json!({}))),
        "update_bank_account" => {
            let path = format!("/v1/bank-accounts/{}", bank_account(app, &t).await);
            let body = |n| json!({"account_number": n, "routing_number": "111000025"});
            (req(&path, body("55550001234")), req(&path, body("55550009999")))
        }
        "change_user_role" => {
            user(app, &t, "admin@example.com", "admin").await;
            let path = format!("/v1/users/{}/role", user(app, &t, "viewer@example.com", "viewer").await);
            (req(&path, json!({"role": "accountant"})), req(&path, json!({"role": "approver"})))
        }
        "delete_customer" => {
            let path = format!("/v1/customers/{}", customer(app, &t).await);
            (req(&path, json!({"reason": "closed their business"})), req(&path, json!({"reason": "duplicate"})))
        }
        "approve_payroll_run" => {
            let path = format!("/v1/payroll-runs/{}/approve", payroll_run(app, &t).await);
            (req(&path, json!({"note": "checked"})), req(&path, json!({"note": "double-checked"})))
        }
        _ => return None,
    };
    Some(Valid { tenant: t, request, other })
}

// ------------------------------------------------------------- violations --

fn case(what: &'static str, tenant: &TestTenant, request: Req, code: &'static str) -> Violation {
    Violation { what, tenant: tenant.clone(), request, code }
}

/// Every way to break `op`'s rules, each in a tenant of its own (so one
/// case's set-up cannot trip another's rule), or None if `op` has no fixture.
/// Input the operation refuses before it runs (`validation_failed`) counts.
pub async fn violations(app: &TestApp, op: &str) -> Option<Vec<Violation>> {
    let mut v = Vec::new();
    let t = app.new_tenant().await;
    match op {
        "create_customer" | "create_vendor" => {
            let path = if op == "create_customer" { "/v1/customers" } else { "/v1/vendors" };
            v.push(case("blank name", &t, req(path, json!({"name": "  "})), "validation_failed"));
            v.push(case("name too long", &t, req(path, json!({"name": "x".repeat(201)})), "validation_failed"));
        }
        "create_user" => {
            user(app, &t, "taken@example.com", "viewer").await;
            let body = |email: &str, role: &str| json!({"email": email, "name": "Sam", "role": role});
            v.push(case(
                "email in use (any case)",
                &t,
                req("/v1/users", body("TAKEN@example.com", "admin")),
                "email_taken",
            ));
            v.push(case("unknown role", &t, req("/v1/users", body("new@example.com", "owner")), "validation_failed"));
            v.push(case("not an email", &t, req("/v1/users", body("new.example.com", "viewer")), "validation_failed"));
        }
        "create_account" => {
            account(app, &t, "1000", "asset").await;
            let body = |code: &str, kind: &str| json!({"code": code, "name": "Cash", "type": kind});
            v.push(case("code in use", &t, req("/v1/accounts", body("1000", "expense")), "account_code_taken"));
            v.push(case("unknown type", &t, req("/v1/accounts", body("2000", "income")), "validation_failed"));
            v.push(case("bad code", &t, req("/v1/accounts", body("10 00", "asset")), "validation_failed"));
        }
        "create_bank_account" => {
            let body = |n: &str, r: &str| json!({"holder_name": "Acme", "account_number": n, "routing_number": r});
            let p = "/v1/bank-accounts";
            v.push(case("routing checksum", &t, req(p, body("123456789", "011000016")), "invalid_routing_number"));
            v.push(case("routing prefix", &t, req(p, body("123456789", "991000013")), "validation_failed"));
            v.push(case("short account", &t, req(p, body("123", "011000015")), "validation_failed"));
            v.push(case("non-digit account", &t, req(p, body("12-3456", "011000015")), "validation_failed"));
        }
        "create_payroll_run" => {
            let mut no_lines = payroll_body(1);
            no_lines["lines"] = json!([]);
            let mut bad_period = payroll_body(1);
            bad_period["period"] = json!("2026-13");
            v.push(case("no lines", &t, req("/v1/payroll-runs", no_lines), "validation_failed"));
            v.push(case("bad period", &t, req("/v1/payroll-runs", bad_period), "validation_failed"));
        }
        "create_invoice" => {
            let deleted = customer(app, &t).await;
            make(app, &t, "DELETE", &format!("/v1/customers/{deleted}"), json!({})).await;
            v.push(case("deleted customer", &t, req("/v1/invoices", invoice_body(&deleted, 100)), "customer_deleted"));
            let t2 = app.new_tenant().await;
            let c = customer(app, &t2).await;
            close(app, &t2, CLOSED).await;
            let mut dated = invoice_body(&c, 100);
            dated["issue_date"] = json!("2020-01-15");
            dated["due_date"] = json!("2020-02-15");
            v.push(case("issued in a closed period", &t2, req("/v1/invoices", dated), "period_closed"));
            let mut backwards = invoice_body(&c, 100);
            backwards["issue_date"] = json!("2031-01-01");
            v.push(case("issued after due", &t2, req("/v1/invoices", backwards), "issue_date_after_due_date"));
            // Each line at the cap, two of them: the total is one over the cap.
            let mut over = invoice_body(&c, 1_000_000_000_000_000);
            let line = over["lines"][0].clone();
            over["lines"].as_array_mut().expect("lines").push(line);
            v.push(case("total over the cap", &t2, req("/v1/invoices", over), "total_exceeds_cap"));
        }
        "record_payment" => {
            let c = customer(app, &t).await;
            let open = invoice(app, &t, &c, 1_000).await;
            let paid = invoice(app, &t, &c, 500).await;
            payment(app, &t, &paid, 500).await;
            let pay = |i: &str, cents: i64| json!({"invoice_id": i, "amount_cents": cents, "method": "card"});
            v.push(case("more than the balance", &t, req("/v1/payments", pay(&open, 1_001)), "overpayment"));
            v.push(case("invoice already paid", &t, req("/v1/payments", pay(&paid, 1)), "invoice_not_payable"));
            v.push(case("zero amount", &t, req("/v1/payments", pay(&open, 0)), "validation_failed"));
            let t2 = app.new_tenant().await;
            let c2 = customer(app, &t2).await;
            let i2 = invoice(app, &t2, &c2, 1_000).await;
            close(app, &t2, CLOSED).await;
            let mut dated = pay(&i2, 10);
            dated["payment_date"] = json!("2020-01-31");
            v.push(case("dated in a closed period", &t2, req("/v1/payments", dated), "period_closed"));
        }
        "post_journal_entry" => {
            let (a, b) = (account(app, &t, "1000", "asset").await, account(app, &t, "4000", "revenue").await);
            let line = |acct: &str, cur: &str, side: &str, cents: i64| json!({"account_id": acct, "currency": cur, side: cents});
            let entry = |lines: Vec<Value>| json!({"entry_date": "2026-01-15", "lines": lines});
            let p = "/v1/journal-entries";
            let uneven = entry(vec![line(&a, "USD", "debit_cents", 500), line(&b, "USD", "credit_cents", 400)]);
            v.push(case("debits differ from credits", &t, req(p, uneven), "unbalanced_entry"));
            let cross = entry(vec![line(&a, "USD", "debit_cents", 500), line(&b, "EUR", "credit_cents", 500)]);
            v.push(case("balanced only across currencies", &t, req(p, cross), "unbalanced_entry"));
            v.push(case("one line", &t, req(p, entry(vec![line(&a, "USD", "debit_cents", 1)])), "unbalanced_entry"));
            let stranger = Uuid::new_v4().to_string();
            let unknown = entry(vec![line(&a, "USD", "debit_cents", 5), line(&stranger, "USD", "credit_cents", 5)]);
            v.push(case("account not in the chart", &t, req(p, unknown), "unknown_account"));
            let both = entry(vec![
                json!({"account_id": a, "currency": "USD", "debit_cents": 5, "credit_cents": 5}),
                line(&b, "USD", "credit_cents", 0),
            ]);
            v.push(case("a line on both sides", &t, req(p, both), "validation_failed"));
            let t2 = app.new_tenant().await;
            let (a2, b2) = (account(app, &t2, "1000", "asset").await, account(app, &t2, "4000", "revenue").await);
            close(app, &t2, CLOSED).await;
            let dated = json!({"entry_date": "2020-01-31", "lines": [
                line(&a2, "USD", "debit_cents", 5), line(&b2, "USD", "credit_cents", 5)]});
            v.push(case("dated in a closed period", &t2, req(p, dated), "period_closed"));
            // Another tenant's account is not in this tenant's chart.
            let t3 = app.new_tenant().await;
            let mine = account(app, &t3, "1000", "asset").await;
            let theirs = entry(vec![line(&mine, "USD", "debit_cents", 5), line(&a, "USD", "credit_cents", 5)]);
            v.push(case("another tenant's account", &t3, req(p, theirs), "unknown_account"));
        }
        "issue_refund" => {
            let c = customer(app, &t).await;
            let i = invoice(app, &t, &c, 1_000).await;
            let p = payment(app, &t, &i, 600).await;
            make(app, &t, "POST", "/v1/refunds", json!({"payment_id": p, "amount_cents": 100})).await;
            let refund = |cents: i64| json!({"payment_id": p, "amount_cents": cents});
            v.push(case("more than was paid", &t, req("/v1/refunds", refund(501)), "refund_exceeds_payment"));
            v.push(case("zero", &t, req("/v1/refunds", refund(0)), "validation_failed"));
            let t2 = app.new_tenant().await;
            let c2 = customer(app, &t2).await;
            let i2 = invoice(app, &t2, &c2, 1_000).await;
            let p2 = payment(app, &t2, &i2, 1_000).await;
            close(app, &t2, CLOSED).await;
            let dated = json!({"payment_id": p2, "amount_cents": 1, "refund_date": "2020-01-02"});
            v.push(case("dated in a closed period", &t2, req("/v1/refunds", dated), "period_closed"));
        }
        "create_bill" => {
            let vd = vendor(app, &t).await;
            close(app, &t, CLOSED).await;
            let bill = |issue: &str, lines: Value| json!({"vendor_id": vd, "currency": "USD", "issue_date": issue, "due_date": "2030-01-01", "lines": lines});
            let lines = json!([{"description": "Paper", "quantity": 1, "unit_price_cents": 100}]);
            v.push(case("issued in a closed period", &t, req("/v1/bills", bill("2020-01-10", lines)), "period_closed"));
            v.push(case("no lines", &t, req("/v1/bills", bill("2026-01-10", json!([]))), "validation_failed"));
            let capped = json!({"description": "Paper", "quantity": 1, "unit_price_cents": 1_000_000_000_000_000i64});
            let two = json!([capped.clone(), capped]);
            v.push(case("total over the cap", &t, req("/v1/bills", bill("2026-01-10", two)), "total_exceeds_cap"));
            v.push(case(
                "issued after due",
                &t,
                req("/v1/bills", bill("2031-01-10", lines_again())),
                "issue_date_after_due_date",
            ));
        }
        "void_invoice" => {
            let c = customer(app, &t).await;
            let part_paid = invoice(app, &t, &c, 1_000).await;
            payment(app, &t, &part_paid, 1).await;
            let voided = invoice(app, &t, &c, 1_000).await;
            make(app, &t, "POST", &format!("/v1/invoices/{voided}/void"), json!({})).await;
            let void = |i: &str| req(format!("/v1/invoices/{i}/void"), json!({}));
            v.push(case("partly paid", &t, void(&part_paid), "invoice_not_voidable"));
            v.push(case("already void", &t, void(&voided), "invoice_not_voidable"));
            // The reversal is dated today: closing today's period refuses it.
            let t2 = app.new_tenant().await;
            let c2 = customer(app, &t2).await;
            let i2 = invoice(app, &t2, &c2, 1_000).await;
            close(app, &t2, &this_period()).await;
            v.push(case("today's period closed", &t2, void(&i2), "period_closed"));
            let long = json!({"reason": "x".repeat(501)});
            v.push(case("reason too long", &t, req(format!("/v1/invoices/{voided}/void"), long), "validation_failed"));
        }
        "close_period" => {
            close(app, &t, "2019-03").await;
            let close_req = |p: &str| req(format!("/v1/periods/{p}/close"), json!({}));
            v.push(case("closed already", &t, close_req("2019-03"), "period_already_closed"));
            v.push(case("in the future", &t, close_req("9999-12"), "period_in_future"));
            v.push(case("not a month", &t, close_req("2019-13"), "validation_failed"));
        }
        "update_bank_account" => {
            let path = format!("/v1/bank-accounts/{}", bank_account(app, &t).await);
            let body = |n: &str, r: &str| json!({"account_number": n, "routing_number": r});
            v.push(case("routing checksum", &t, req(&path, body("123456789", "021000022")), "invalid_routing_number"));
            v.push(case("account too long", &t, req(&path, body(&"9".repeat(18), "021000021")), "validation_failed"));
        }
        "change_user_role" => {
            let admin = user(app, &t, "only-admin@example.com", "admin").await;
            user(app, &t, "viewer@example.com", "viewer").await;
            let path = format!("/v1/users/{admin}/role");
            v.push(case("demote the last admin", &t, req(&path, json!({"role": "viewer"})), "last_admin"));
            v.push(case("unknown role", &t, req(&path, json!({"role": "superuser"})), "validation_failed"));
        }
        "delete_customer" => {
            let with_open = customer(app, &t).await;
            invoice(app, &t, &with_open, 100).await;
            let gone = customer(app, &t).await;
            make(app, &t, "DELETE", &format!("/v1/customers/{gone}"), json!({})).await;
            let del = |c: &str| req(format!("/v1/customers/{c}"), json!({}));
            v.push(case("open invoices", &t, del(&with_open), "customer_has_open_invoices"));
            v.push(case("deleted already", &t, del(&gone), "customer_already_deleted"));
        }
        "approve_payroll_run" => {
            let run = payroll_run(app, &t).await;
            let path = format!("/v1/payroll-runs/{run}/approve");
            make(app, &t, "POST", &path, json!({})).await;
            v.push(case("approved already", &t, req(&path, json!({"note": "again"})), "payroll_run_not_draft"));
            let draft = payroll_run(app, &t).await;
            let long = json!({"note": "x".repeat(501)});
            v.push(case(
                "note too long",
                &t,
                req(format!("/v1/payroll-runs/{draft}/approve"), long),
                "validation_failed",
            ));
        }
        _ => return None,
    }
    Some(v)
}

/// One ordinary bill line.
fn lines_again() -> Value {
    json!([{"description": "Paper", "quantity": 1, "unit_price_cents": 100}])
}
