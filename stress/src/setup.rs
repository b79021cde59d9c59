//! Reference data, created through the API before the load starts (and
//! before any fault): only the pools the selected operations draw from.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use accubooks_sim::workload::{entity_id, DestructivePools, Need, RefRequest, Refs, SetupPlan};
use hyper::body::Bytes;
use hyper::header::HeaderValue;
use serde_json::Value;
use uuid::Uuid;

use crate::driver::RunCtx;
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

/// Reference data: enough customers to spread invoices, and invoices so
/// that concurrent payments seldom wait on one another's row lock.
const REF_CUSTOMERS: usize = 16;
const REF_INVOICES_MIN: usize = 16;
const REF_INVOICES_MAX: usize = 2000;
const SETUP_CONCURRENCY_MAX: usize = 32;

impl SetupSize {
    /// The reference data a run of `clients` concurrent clients needs.
    pub fn for_clients(clients: u32) -> Self {
        let clients = clients as usize;
        Self {
            customers: REF_CUSTOMERS,
            invoices: clients.clamp(REF_INVOICES_MIN, REF_INVOICES_MAX),
            concurrency: clients.min(SETUP_CONCURRENCY_MAX),
        }
    }
}

const ATTEMPTS_MAX: u32 = 100;
const RETRY_PAUSE: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("reference data: {what} could not be created (last answer: {last})")]
    GaveUp { what: String, last: String },
}

/// Creates the reference data with keys derived from `run_id`, so a rerun
/// of the same id replays instead of duplicating.
pub async fn reference_data(
    ctx: &RunCtx,
    run_id: &str,
    size: SetupSize,
    needs: &BTreeSet<Need>,
) -> Result<Refs, SetupError> {
    // Every invoice is far too large to overpay, and destructive operations
    // get pools of their own: the load measures the write path, not refusals.
    let plan = SetupPlan {
        tag: run_id.to_owned(),
        customers: size.customers,
        invoices: size.invoices,
        small_invoices: 0,
        destructive: DestructivePools::Separate,
    };
    let mut refs = Refs::default();
    for pool in plan.pools(needs) {
        let ids = create_all(ctx, plan.requests(pool, &refs), size.concurrency).await?;
        plan.fill(&mut refs, pool, ids);
    }
    Ok(refs)
}

async fn create_all(ctx: &RunCtx, requests: Vec<RefRequest>, concurrency: usize) -> Result<Vec<Uuid>, SetupError> {
    let count = requests.len();
    let requests = Arc::new(requests);
    let workers = concurrency.clamp(1, count.max(1));
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (ctx, requests) = (ctx.clone(), requests.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(ctx.addrs.clone(), w, ctx.limits.connect_timeout);
            let mut out = Vec::new();
            for i in (w..count).step_by(workers) {
                let r = &requests[i];
                out.push((i, create_one(&ctx, &mut conn, &r.key, r.path, &r.body).await?));
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
                if let Some(id) = entity_id(&r.body) {
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
