//! Reference data, created through the API before the load starts (and
//! before any fault): customers for invoices, and invoices for payments.

use std::sync::Arc;
use std::time::Duration;

use hyper::body::Bytes;
use hyper::header::HeaderValue;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::driver::RunCtx;
use crate::gen::Refs;
use crate::http::{Conn, Outgoing};

/// Bounds of the set-up: how many of each entity, and how hard to try.
#[derive(Debug, Clone, Copy)]
pub struct SetupSize {
    pub customers: usize,
    /// One per worker keeps concurrent payments off each other's row locks.
    pub invoices: usize,
    pub concurrency: usize,
}

const ATTEMPTS_MAX: u32 = 100;
const RETRY_PAUSE: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("reference data: {what} could not be created after {ATTEMPTS_MAX} attempts (last: {last})")]
    GaveUp { what: String, last: String },
}

/// Creates the reference data with keys derived from `run_id`, so a rerun
/// of the same id replays instead of duplicating.
pub async fn reference_data(ctx: &RunCtx, run_id: &str, size: SetupSize) -> Result<Refs, SetupError> {
    let run_id = run_id.to_owned();
    let id = run_id.clone();
    let customers = create_all(ctx, size.customers, size.concurrency, move |i| {
        (format!("{id}-ref-c-{i}"), "/v1/customers", json!({ "name": format!("Reference customer {i}") }))
    })
    .await?;
    let customers = Arc::new(customers);
    let for_invoices = customers.clone();
    let invoices = create_all(ctx, size.invoices, size.concurrency, move |i| {
        // 10^6 × 10^9 cents: no run pays that much, so no payment is ever an overpayment.
        let body = json!({
            "customer_id": for_invoices[i % for_invoices.len()],
            "currency": "USD",
            "due_date": "2026-12-31",
            "lines": [{"description": "Reference work", "quantity": 1_000_000, "unit_price_cents": 1_000_000_000}]
        });
        (format!("{run_id}-ref-i-{i}"), "/v1/invoices", body)
    })
    .await?;
    Ok(Refs { customers: customers.to_vec(), invoices })
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
            Ok(r) => last = format!("http {}: {}", r.status, String::from_utf8_lossy(&r.body)),
            Err(e) => {
                last = e.to_string();
                conn.fail_over();
            }
        }
        tokio::time::sleep(RETRY_PAUSE).await;
    }
    Err(SetupError::GaveUp { what: format!("{path} key {key}"), last })
}
