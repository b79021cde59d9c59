//! Reference data, created through the API before the load starts (and
//! before any fault): only the pools the selected operations draw from.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Bytes;
use hyper::header::HeaderValue;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::driver::RunCtx;
use crate::gen::{Need, OpGen, Refs};
use crate::http::{Conn, Outgoing};

/// Bounds of the set-up: how many of each entity, and how hard to try.
#[derive(Debug, Clone, Copy)]
pub struct SetupSize {
    pub customers: usize,
    /// Size of every per-request pool (invoices, payments, users, …): one
    /// per worker keeps concurrent requests off each other's row locks, and
    /// destructive operations (void, delete, approve) succeed that often.
    pub invoices: usize,
    pub concurrency: usize,
}

const ATTEMPTS_MAX: u32 = 100;
const RETRY_PAUSE: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("reference data: {what} could not be created (last answer: {last})")]
    GaveUp { what: String, last: String },
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

/// Creates the reference data with keys derived from `run_id`, so a rerun
/// of the same id replays instead of duplicating.
pub async fn reference_data(
    ctx: &RunCtx,
    run_id: &str,
    size: SetupSize,
    needs: &BTreeSet<Need>,
) -> Result<Refs, SetupError> {
    let has = |n: Need| needs.contains(&n);
    let count = |n: Need, c: usize| if has(n) { c } else { 0 };
    let key = |what: &'static str| {
        let run_id = run_id.to_owned();
        move |i: usize| format!("{run_id}-ref-{what}-{i}")
    };
    let mut refs = Refs::default();
    let k = key("c");
    refs.customers = create_all(ctx, count(Need::Customers, size.customers), size.concurrency, move |i| {
        (k(i), "/v1/customers", json!({ "name": format!("Reference customer {i}") }))
    })
    .await?;
    let customers = Arc::new(refs.customers.clone());
    // 10^6 × 10^9 cents: no run pays that much, so no payment is ever an overpayment.
    let invoice = move |customers: &[Uuid], i: usize| {
        json!({
            "customer_id": customers[i % customers.len()],
            "currency": "USD",
            "due_date": "2026-12-31",
            "lines": [{"description": "Reference work", "quantity": 1_000_000, "unit_price_cents": 1_000_000_000}]
        })
    };
    let (k, c) = (key("i"), customers.clone());
    refs.invoices = create_all(ctx, count(Need::Invoices, size.invoices), size.concurrency, move |i| {
        (k(i), "/v1/invoices", invoice(&c, i))
    })
    .await?;
    let (k, c) = (key("vi"), customers.clone());
    refs.voidable_invoices =
        create_all(ctx, count(Need::VoidableInvoices, size.invoices), size.concurrency, move |i| {
            (k(i), "/v1/invoices", invoice(&c, i))
        })
        .await?;
    let (k, inv) = (key("p"), Arc::new(refs.invoices.clone()));
    refs.payments = create_all(ctx, count(Need::Payments, size.invoices), size.concurrency, move |i| {
        // Far above what refunds take back (at most 50 cents each).
        (
            k(i),
            "/v1/payments",
            json!({ "invoice_id": inv[i % inv.len()], "amount_cents": 100_000_000, "method": "card" }),
        )
    })
    .await?;
    let k = key("dc");
    refs.deletable_customers =
        create_all(ctx, count(Need::DeletableCustomers, size.invoices), size.concurrency, move |i| {
            (k(i), "/v1/customers", json!({ "name": format!("Deletable customer {i}") }))
        })
        .await?;
    let k = key("v");
    refs.vendors = create_all(ctx, count(Need::Vendors, size.customers), size.concurrency, move |i| {
        (k(i), "/v1/vendors", json!({ "name": format!("Reference vendor {i}") }))
    })
    .await?;
    if has(Need::Accounts) {
        // Codes are unique per tenant: the run id keeps reruns apart.
        let (k, tag) = (key("a"), run_id.to_owned());
        let ids = create_all(ctx, 2, 2, move |i| {
            let (code, kind) = [("1000", "asset"), ("4000", "revenue")][i];
            let body = json!({ "code": format!("{code}-{tag}"), "name": format!("Account {code}"), "type": kind });
            (k(i), "/v1/accounts", body)
        })
        .await?;
        refs.accounts = Some((ids[0], ids[1]));
    }
    if has(Need::Users) {
        // An admin whose role is never changed, so `last_admin` never fires.
        let (k, tag) = (key("u"), run_id.to_owned());
        let users = create_all(ctx, size.invoices + 1, size.concurrency, move |i| {
            let role = if i == 0 { "admin" } else { "viewer" };
            let body = json!({ "email": format!("staff{i}-{tag}@example.com"), "name": "Staff", "role": role });
            (k(i), "/v1/users", body)
        })
        .await?;
        refs.users = users[1..].to_vec();
    }
    let k = key("b");
    refs.bank_accounts = create_all(ctx, count(Need::BankAccounts, size.invoices), size.concurrency, move |i| {
        let body = json!({ "holder_name": "Reference Holder", "account_number": format!("{:012}", 42 + i), "routing_number": "011000015" });
        (k(i), "/v1/bank-accounts", body)
    })
    .await?;
    let k = key("r");
    refs.payroll_runs = create_all(ctx, count(Need::PayrollRuns, size.invoices), size.concurrency, move |i| {
        let body = json!({ "period": "2026-01", "currency": "USD", "pay_date": "2026-02-01",
            "lines": [{"employee_name": format!("Employee {i}"), "gross_cents": 250_000}] });
        (k(i), "/v1/payroll-runs", body)
    })
    .await?;
    Ok(refs)
}

async fn create_all(
    ctx: &RunCtx,
    count: usize,
    concurrency: usize,
    make: impl Fn(usize) -> (String, &'static str, Value) + Send + Sync + 'static,
) -> Result<Vec<Uuid>, SetupError> {
    let make = Arc::new(make);
    let workers = concurrency.clamp(1, count.max(1));
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (ctx, make) = (ctx.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(ctx.addrs.clone(), w, ctx.limits.connect_timeout);
            let mut out = Vec::new();
            for i in (w..count).step_by(workers) {
                let (key, path, body) = make(i);
                out.push((i, create_one(&ctx, &mut conn, &key, path, &body).await?));
            }
            Ok::<_, SetupError>(out)
        }));
    }
    let mut ids = vec![Uuid::nil(); count];
    for t in tasks {
        for (i, id) in t.await.expect("set-up task panicked")? {
            ids[i] = id;
        }
    }
    Ok(ids)
}

async fn create_one(ctx: &RunCtx, conn: &mut Conn, key: &str, path: &str, body: &Value) -> Result<Uuid, SetupError> {
    let req = Outgoing {
        method: hyper::Method::POST,
        path: path.into(),
        key: Some(HeaderValue::from_str(key).expect("generated keys are visible ASCII")),
        body: Bytes::from(serde_json::to_vec(body).expect("a Value always serialises")),
    };
    let mut last = String::new();
    for _ in 0..ATTEMPTS_MAX {
        match conn.send(&ctx.auth, &req, ctx.limits.attempt_timeout).await {
            Ok(r) if r.status == 201 || r.status == 200 => {
                let v: Value = serde_json::from_slice(&r.body).unwrap_or_default();
                if let Some(id) = v.get("id").and_then(Value::as_str).and_then(|s| s.parse().ok()) {
                    return Ok(id);
                }
                last = format!("{} without an id", r.status);
            }
            Ok(r) => {
                last = format!("http {}: {}", r.status, String::from_utf8_lossy(&r.body));
                // A definitive refusal will not change on a retry.
                if (400..500).contains(&r.status) && r.status != 409 {
                    break;
                }
            }
            Err(e) => {
                last = e.to_string();
                conn.fail_over();
            }
        }
        tokio::time::sleep(RETRY_PAUSE).await;
    }
    Err(SetupError::GaveUp { what: format!("{path} key {key}"), last })
}
