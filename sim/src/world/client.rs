//! The simulated clients: each sends its requests, retries each until it
//! gets a definitive answer (by its retry policy), and follows some with
//! the same key (a replay, a mismatch, another tenant's twin, a dependent
//! race). The workload is drawn from the seed and recorded request by
//! request, or, pinned, replayed from those records.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use madsim::runtime::{Handle, NodeHandle};
use madsim::task::NodeId;
use madsim::time::{sleep, Instant};
use serde_json::Value;

use super::{service_addr, SimDraw, TenantCtx, DRAWS_MAX};
use crate::client::{send_json, ClientError, Response};
use crate::history::{Attempt, History, Intent, Outcome, Request};
use crate::scenario::{Dependent, Draw, Draws, RequestPlan, Resolved, RetryPolicy, Twin};
use crate::workload::{self, classify, Answer, OpGen, Payload, Refs};

const BACKOFF_BASE_MS: u64 = 50;
/// An immediate-retry client's first pause after 5 failures in a row.
const IMMEDIATE_PAUSE_MS: u64 = 100;
const BACKOFF_CAP_MS: u64 = 2000;

/// What the clients were told and what they did: each client's policy
/// and, as they go, every request they send (sorted once they are done).
#[derive(Clone, Default)]
pub(super) struct Workload {
    pub(super) policies: Vec<RetryPolicy>,
    sent: Arc<Mutex<Vec<RequestPlan>>>,
}

impl Workload {
    pub(super) fn requests(&self) -> Vec<RequestPlan> {
        let mut all = self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone();
        all.sort_by_key(|p| (p.client, p.seq));
        all
    }
}

/// What the clients share.
pub(super) struct Shared {
    pub(super) cfg: Resolved,
    pub(super) tenants: Arc<Vec<TenantCtx>>,
    pub(super) history: History,
    pub(super) start: Instant,
    pub(super) healed: Arc<AtomicBool>,
}

/// The clients' tasks, the nodes they run on, and their workload's record.
/// `pinned`: each client's policy and requests, instead of drawing them
/// (the policies are drawn all the same).
pub(super) fn spawn_clients(
    handle: &Handle,
    shared: Shared,
    pinned: Option<(&[RetryPolicy], Option<&[RequestPlan]>)>,
) -> (Vec<madsim::task::JoinHandle<()>>, Vec<NodeId>, Workload) {
    let cfg = shared.cfg.clone();
    let nodes: Vec<NodeHandle> = (0..cfg.client_nodes)
        .map(|n| {
            let ip = IpAddr::V4(Ipv4Addr::new(10, 3, (n / 250) as u8, (n % 250) as u8 + 1));
            handle.create_node().name(format!("client-{n}")).ip(ip).build()
        })
        .collect();
    // The storm request is drawn once: every client sends exactly it.
    let storm = cfg.same_key.then(|| {
        let op = cfg.mix.iter().find(|(_, w)| *w > 0).map(|(o, _)| op_gen(o)).expect("validated mix");
        (op, draw_request(op, &shared.tenants[0].refs, 0).0)
    });
    let mut plans: BTreeMap<u32, Vec<RequestPlan>> = BTreeMap::new();
    for p in pinned.and_then(|(_, r)| r).into_iter().flatten() {
        plans.entry(p.client).or_default().push(p.clone());
    }
    let pinned_requests = pinned.is_some_and(|(_, r)| r.is_some());
    let mut workload = Workload::default();
    let shared = Arc::new(shared);
    let mut joins = Vec::new();
    for c in 0..cfg.clients {
        let drawn = match cfg.retry {
            RetryPolicy::Mixed => {
                [RetryPolicy::Immediate, RetryPolicy::Backoff, RetryPolicy::OtherNode][SimDraw.below(3) as usize]
            }
            p => p,
        };
        let policy = pinned.and_then(|(p, _)| p.get(c as usize).copied()).unwrap_or(drawn);
        workload.policies.push(policy);
        let mut mine = plans.remove(&c).unwrap_or_default();
        mine.sort_by_key(|p| p.seq);
        let client = Client {
            id: c,
            policy,
            shared: shared.clone(),
            storm: storm.clone(),
            plans: pinned_requests.then_some(mine),
            sent: workload.sent.clone(),
        };
        joins.push(nodes[(c % cfg.client_nodes) as usize].spawn(async move { client.run().await }));
    }
    (joins, nodes.iter().map(NodeHandle::id).collect(), workload)
}

fn answer(result: &Result<Response, ClientError>) -> Outcome {
    let reason;
    classify(match result {
        Ok(r) => Answer::Http { status: r.status, replayed: r.replayed, body: &r.body },
        Err(ClientError::Timeout) => Answer::None("timeout"),
        Err(e) => {
            reason = e.to_string();
            Answer::None(&reason)
        }
    })
}

/// A request for `op` with a drawn reference pick, and its two numbers.
fn draw_request(op: &OpGen, refs: &Refs, variant: u64) -> (Payload, Draws) {
    let pick = SimDraw.below(DRAWS_MAX);
    ((op.build)(refs, pick, variant), Draws { pick, variant })
}

fn build(op: &OpGen, refs: &Refs, d: Draws) -> Payload {
    (op.build)(refs, d.pick, d.variant)
}

fn op_gen(op: &str) -> &'static OpGen {
    workload::generator(op).expect("the scenario's mix names generated operations")
}

struct Client {
    id: u32,
    policy: RetryPolicy,
    shared: Arc<Shared>,
    storm: Option<(&'static OpGen, Payload)>,
    /// Pinned: the requests to send, instead of drawing them.
    plans: Option<Vec<RequestPlan>>,
    sent: Arc<Mutex<Vec<RequestPlan>>>,
}

impl Client {
    async fn run(mut self) {
        match self.plans.take() {
            Some(plans) => {
                for p in plans {
                    let now = self.shared.start.elapsed().as_millis() as u64;
                    if p.at_ms > now {
                        sleep(Duration::from_millis(p.at_ms - now)).await;
                    }
                    self.request(p.seq, Some(p)).await;
                }
            }
            None => {
                for r in 0..self.shared.cfg.requests_per_client {
                    self.request(r, None).await;
                }
            }
        }
    }

    /// The client's request `r` and what follows it with its key: drawn
    /// (and recorded), or as `plan` says.
    async fn request(&self, r: u32, plan: Option<RequestPlan>) {
        let cfg = &self.shared.cfg;
        let n = cfg.service_nodes;
        let total: u32 = cfg.mix.iter().map(|(_, w)| w).sum();
        // Think time spreads each client's requests over the fault phase, so
        // faults land on traffic rather than on an idle system.
        let think_ms = 2 * cfg.fault_phase_ms / u64::from(cfg.requests_per_client.max(1));
        if plan.is_none() && self.storm.is_none() && think_ms > 0 {
            sleep(Duration::from_millis(SimDraw.below(think_ms + 1))).await;
        }
        let at_ms = self.shared.start.elapsed().as_millis() as u64;
        let tenant_ix = match (&plan, &self.storm) {
            (Some(p), _) => p.tenant as usize,
            (None, Some(_)) => 0,
            (None, None) => SimDraw.below(u64::from(cfg.tenants)) as usize,
        };
        let tenant = &self.shared.tenants[tenant_ix];
        let (op, req, draws, key) = match (&plan, &self.storm) {
            (Some(p), _) => {
                let op = op_gen(&p.op);
                (op, build(op, &tenant.refs, p.payload), p.payload, format!("c{}-r{r}", self.id))
            }
            (None, Some((op, req))) => (*op, req.clone(), Draws { pick: 0, variant: 0 }, format!("storm-{r}")),
            (None, None) => {
                let mut pick = SimDraw.below(u64::from(total)) as u32;
                let op = cfg
                    .mix
                    .iter()
                    .find(|(_, w)| {
                        if pick < *w {
                            true
                        } else {
                            pick -= w;
                            false
                        }
                    })
                    .map(|(o, _)| op_gen(o))
                    .expect("weights sum to total");
                let variant = SimDraw.below(DRAWS_MAX);
                let (req, draws) = draw_request(op, &tenant.refs, variant);
                (op, req, draws, format!("c{}-r{r}", self.id))
            }
        };
        let home = (self.id + r) % n;
        let dup = plan.as_ref().map(|p| p.duplicate);
        let (done, duplicate) = self.logical(tenant, op, &req, &key, Intent::Normal, home, dup).await;
        let mut did = RequestPlan {
            client: self.id,
            seq: r,
            at_ms,
            tenant: tenant_ix as u32,
            op: op.name().to_owned(),
            payload: draws,
            duplicate,
            reuse_after_ms: None,
            mismatch: None,
            twin: None,
            dependent: None,
        };
        if done && self.storm.is_none() {
            self.follow(&mut did, plan.as_ref(), op, &req, &key, home).await;
        }
        if self.storm.is_none() {
            self.sent.lock().unwrap_or_else(|p| p.into_inner()).push(did);
        }
    }

    /// What follows a request with its key, drawn or as `plan` says; `did`
    /// records what was sent.
    async fn follow(
        &self,
        did: &mut RequestPlan,
        plan: Option<&RequestPlan>,
        op: &'static OpGen,
        req: &Payload,
        key: &str,
        home: u32,
    ) {
        let cfg = &self.shared.cfg;
        let n = cfg.service_nodes;
        let tenant_ix = did.tenant as usize;
        let tenant = &self.shared.tenants[tenant_ix];
        let pinned = plan.is_some();
        let no_dup = pinned.then_some(false);
        let reuse = match plan {
            Some(p) => p.reuse_after_ms,
            None if SimDraw.chance(cfg.key_reuse_ratio) => {
                let [lo, hi] = cfg.reuse_delay_ms;
                Some(if hi > 0 { SimDraw.range(lo, hi) } else { 0 })
            }
            None => None,
        };
        if let Some(pause) = reuse {
            if pause > 0 {
                sleep(Duration::from_millis(pause)).await;
            }
            self.logical(tenant, op, req, key, Intent::Reuse, (home + 1) % n, no_dup).await;
            did.reuse_after_ms = Some(pause);
        }
        let mismatch = match plan {
            Some(p) => p.mismatch.map(|d| (build(op, &tenant.refs, d), d)),
            None if SimDraw.chance(cfg.mismatch_ratio) => {
                let variant = DRAWS_MAX + SimDraw.below(DRAWS_MAX);
                Some(draw_request(op, &tenant.refs, variant))
            }
            None => None,
        };
        if let Some((other, d)) = mismatch {
            if other != *req {
                self.logical(tenant, op, &other, key, Intent::Mismatch, home, no_dup).await;
                did.mismatch = Some(d);
            }
        }
        // The same key string in another tenant: a key of its own there,
        // whose deterministic id must not be this one's.
        let twin = match plan {
            Some(p) => p.twin.map(|t| {
                (t.tenant as usize, build(op, &self.shared.tenants[t.tenant as usize].refs, t.payload), t.payload)
            }),
            None if cfg.tenants > 1 && SimDraw.chance(cfg.twin_tenant_ratio) => {
                let others = u64::from(cfg.tenants - 1);
                let twin_ix = (tenant_ix + 1 + SimDraw.below(others) as usize) % cfg.tenants as usize;
                let (twin_req, d) = draw_request(op, &self.shared.tenants[twin_ix].refs, SimDraw.below(DRAWS_MAX));
                Some((twin_ix, twin_req, d))
            }
            None => None,
        };
        if let Some((twin_ix, twin_req, d)) = twin {
            let twin = &self.shared.tenants[twin_ix];
            self.logical(twin, op, &twin_req, key, Intent::Normal, (home + 1) % n, no_dup).await;
            did.twin = Some(Twin { tenant: twin_ix as u32, payload: d });
        }
        let race = match plan {
            Some(p) => p.dependent.is_some(),
            None => SimDraw.chance(cfg.dependent_ratio),
        };
        if race {
            did.dependent = self.dependent(tenant, did.seq, home, plan.and_then(|p| p.dependent)).await;
        }
    }

    /// A payment racing the invoice it names: the invoice's id is the one
    /// its create's key will get, so the payment may arrive first and meet
    /// a 404 — a refusal that depends on state, never stored — and its
    /// resend with the same key, once the invoice exists, must execute
    /// (or replay, if the payment won the race after all). Returns what it
    /// sent (drawn, or `plan`).
    async fn dependent(&self, tenant: &TenantCtx, r: u32, home: u32, plan: Option<Dependent>) -> Option<Dependent> {
        let cfg = &self.shared.cfg;
        let in_mix = |name: &str| cfg.mix.iter().any(|(o, w)| o == name && *w > 0);
        if !in_mix("create_invoice") || !in_mix("record_payment") {
            return None;
        }
        let (invoice_op, payment_op) = (op_gen("create_invoice"), op_gen("record_payment"));
        let (parent_key, child_key) = (format!("c{}-r{r}-parent", self.id), format!("c{}-r{r}-child", self.id));
        let d = match plan {
            Some(d) => d,
            None => {
                let invoice = draw_request(invoice_op, &tenant.refs, SimDraw.below(DRAWS_MAX)).1;
                let payment = draw_request(payment_op, &tenant.refs, SimDraw.below(DRAWS_MAX)).1;
                Dependent { invoice, payment, head_start_ms: SimDraw.below(50) }
            }
        };
        let invoice = build(invoice_op, &tenant.refs, d.invoice);
        let invoice_id = crate::oracle::entity_id(tenant.id.0, invoice_op.name(), &parent_key);
        let mut payment = build(payment_op, &tenant.refs, d.payment);
        payment.body["invoice_id"] = Value::String(invoice_id.to_string());
        payment.body["amount_cents"] = Value::from(1);
        let n = cfg.service_nodes;
        let no_dup = plan.is_some().then_some(false);
        let child = self.logical(tenant, payment_op, &payment, &child_key, Intent::Normal, home, no_dup);
        let parent = async {
            sleep(Duration::from_millis(d.head_start_ms)).await;
            self.logical(tenant, invoice_op, &invoice, &parent_key, Intent::Normal, (home + 1) % n, no_dup).await
        };
        let ((child_done, _), (parent_done, _)) = tokio::join!(child, parent);
        if child_done && parent_done {
            self.logical(tenant, payment_op, &payment, &child_key, Intent::Reuse, home, no_dup).await;
        }
        Some(d)
    }

    /// Sends one logical request until it gets a definitive answer. Its
    /// first attempt reaches two nodes at once if `duplicate` says so
    /// (drawn when `None`). Returns whether it got one (false: it gave up,
    /// a liveness failure the checker reports) and whether the first
    /// attempt was duplicated.
    #[allow(clippy::too_many_arguments)]
    async fn logical(
        &self,
        tenant: &TenantCtx,
        op: &OpGen,
        req: &Payload,
        key: &str,
        intent: Intent,
        home: u32,
        duplicate: Option<bool>,
    ) -> (bool, bool) {
        let cfg = &self.shared.cfg;
        let n = cfg.service_nodes;
        let method = op.method();
        let (method, path, body) = (method.as_str(), req.path.as_str(), &req.body);
        let op = op.name();
        let id = self.shared.history.invoke(Request {
            id: 0,
            client: self.id,
            tenant: tenant.id.0,
            operation: op.to_owned(),
            key: key.to_owned(),
            // What the key record must store for this payload, derived from
            // the specification (the checker compares the two).
            fingerprint: req.fingerprint(op),
            intent,
        });
        let timeout = Duration::from_millis(cfg.attempt_timeout_ms);
        let mut node = home;
        let mut failures_in_row = 0u32;
        let mut duplicated = false;
        // Retries are unbounded while faults are active (a client cannot tell a
        // long partition from a dead service) and bounded once everything has
        // healed: that bound is the liveness property. A hard cap keeps a
        // runaway client from growing the history without end.
        let mut after_heal = 0u32;
        let hard_cap = cfg.attempts_max.saturating_mul(20);
        for attempt in 1..=hard_cap {
            if self.shared.healed.load(Ordering::Relaxed) {
                after_heal += 1;
                if after_heal > cfg.attempts_max {
                    break;
                }
            }
            let addr = service_addr(node);
            let dup = attempt == 1 && duplicate.unwrap_or_else(|| SimDraw.chance(cfg.duplicate_delivery_ratio));
            let outcome = if dup {
                // Duplicate delivery: the same request reaches two nodes at once.
                duplicated = true;
                let other = service_addr((node + 1) % n);
                let (a, b) = tokio::join!(
                    send_json(addr, method, path, &tenant.token, key, body, timeout),
                    send_json(other, method, path, &tenant.token, key, body, timeout)
                );
                let dup = answer(&b);
                self.record(id, attempt, (node + 1) % n, dup);
                answer(&a)
            } else {
                answer(&send_json(addr, method, path, &tenant.token, key, body, timeout).await)
            };
            let definitive = outcome.is_definitive();
            let timed_out = matches!(&outcome, Outcome::Info { reason } if reason == "timeout");
            self.record(id, attempt, node, outcome);
            if definitive {
                return (true, duplicated);
            }
            failures_in_row += 1;
            match self.policy {
                RetryPolicy::Immediate => {
                    node = (node + 1) % n;
                    // Immediate, but not a zero-time spin when every node
                    // refuses: after every 5 failures in a row a pause, 100 ms
                    // doubling to 1.6 s (a restarted node may take seconds to
                    // listen again; 100 attempts must span that, not 2 s).
                    if failures_in_row.is_multiple_of(5) {
                        let pause = IMMEDIATE_PAUSE_MS << (failures_in_row / 5 - 1).min(4);
                        sleep(Duration::from_millis(pause)).await;
                    }
                }
                RetryPolicy::OtherNode if timed_out => {
                    node = (node + 1 + SimDraw.below(u64::from(n.max(2) - 1)) as u32) % n
                }
                _ => {
                    let cap = (BACKOFF_BASE_MS << failures_in_row.min(10)).min(BACKOFF_CAP_MS);
                    sleep(Duration::from_millis(SimDraw.below(cap + 1))).await;
                }
            }
        }
        self.shared.history.abandon(id);
        (false, duplicated)
    }

    fn record(&self, request: u64, attempt: u32, node: u32, outcome: Outcome) {
        let at_ms = self.shared.start.elapsed().as_millis() as u64;
        self.shared.history.complete(Attempt { request, attempt, node, outcome, at_ms });
    }
}
