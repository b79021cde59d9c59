//! The load itself: workers, each with its own keep-alive connection,
//! turning slots into logical requests and retrying every indeterminate
//! outcome with the same key until the answer is definitive.
//!
//! - Closed model: `concurrency` workers, each sends its next request when
//!   the previous one is answered.
//! - Open model: requests are due at a fixed rate; worker `w` owns slots
//!   `w, w + N, …`, and latency is measured from a slot's *intended* send
//!   time, so a stalled service is charged for the requests it delayed
//!   (coordinated omission corrected, as wrk2 does).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use accubooks_sim::history::{Attempt, History, Intent, Outcome, Request};
use accubooks_sim::workload::{self as shared, Answer, Payload, Refs, MISMATCH_CODE};
use hyper::body::Bytes;
use hyper::header::HeaderValue;
use tokio::sync::Barrier;
use tokio::time::Instant;
use uuid::Uuid;

use crate::chaos::window::WriteSample;
use crate::drill::Ack;
use crate::http::{Auth, Conn, HttpError, Outgoing, Response};
use crate::rng::{mix, Rng};
use crate::stats::{Label, Phase, Stats, END_TO_END};
use crate::workload::{FollowUp, Planner, SlotPlan, Workload};

/// Client-side bounds: every wait and every retry is limited.
#[derive(Debug, Clone, Copy)]
pub struct ClientLimits {
    /// Deadline of one attempt, connect to last byte.
    pub attempt_timeout: Duration,
    pub connect_timeout: Duration,
    /// Attempts of one logical request before it is abandoned (which the
    /// verification then reports as a liveness failure).
    pub attempts_max: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl Default for ClientLimits {
    fn default() -> Self {
        Self {
            attempt_timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(2),
            attempts_max: 200,
            backoff_base: Duration::from_millis(10),
            backoff_max: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    Closed,
    /// Requests per second, over all workers.
    Open {
        rate: f64,
    },
}

/// Live counters for the progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub attempts: AtomicU64,
    pub failures: AtomicU64,
    pub definitive: AtomicU64,
    pub abandoned: AtomicU64,
}

/// Maps an instant to its phase. Runs without faults are healthy throughout.
#[derive(Debug, Clone, Copy)]
pub struct PhaseClock {
    pub start: Instant,
    /// Offsets from `start` at which the fault and recovery phases begin.
    pub fault_at: Option<Duration>,
    pub recovery_at: Option<Duration>,
}

impl PhaseClock {
    pub fn healthy(start: Instant) -> Self {
        Self { start, fault_at: None, recovery_at: None }
    }

    pub fn phase(&self, t: Instant) -> Phase {
        let since = t.saturating_duration_since(self.start);
        match (self.fault_at, self.recovery_at) {
            (_, Some(r)) if since >= r => Phase::Recovery,
            (Some(f), _) if since >= f => Phase::Fault,
            _ => Phase::Healthy,
        }
    }
}

/// Everything a run shares.
#[derive(Clone)]
pub struct RunCtx {
    pub addrs: Arc<[SocketAddr]>,
    pub auth: Auth,
    /// The tenant the token belongs to (nil when unknown: read-API verification).
    pub tenant: Uuid,
    pub refs: Arc<Refs>,
    pub history: History,
    pub progress: Arc<Progress>,
    pub clock: PhaseClock,
    pub limits: ClientLimits,
    /// OS threads (each with its own runtime) the workers are spread over.
    pub load_threads: usize,
    /// Every write attempt, when the run measures failover windows.
    pub writes: Option<Arc<crate::chaos::window::WriteLog>>,
    /// When each logical request was first sent and answered (the restore drill).
    pub acks: Option<Arc<crate::drill::AckLog>>,
}

impl RunCtx {
    /// A run's context before its reference data exists: an empty history,
    /// no write or answer log, the clock starting now.
    pub fn new(addrs: Arc<[SocketAddr]>, auth: Auth, tenant: Uuid, limits: ClientLimits, load_threads: usize) -> Self {
        Self {
            addrs,
            auth,
            tenant,
            refs: Arc::new(Refs::default()),
            history: History::new(),
            progress: Arc::new(Progress::default()),
            clock: PhaseClock::healthy(Instant::now()),
            limits,
            load_threads,
            writes: None,
            acks: None,
        }
    }
}

/// One phase of load: a planner over some operations, a model, and bounds.
#[derive(Debug, Clone)]
pub struct PhaseSpec {
    pub planner: Planner,
    pub model: Model,
    pub concurrency: u32,
    pub requests: Option<u64>,
    pub duration: Option<Duration>,
}

impl PhaseSpec {
    /// The slot bound: `requests`, or what the rate offers over `duration`.
    fn slots_max(&self) -> u64 {
        let by_rate = match (self.model, self.duration) {
            (Model::Open { rate }, Some(d)) => Some((rate * d.as_secs_f64()).ceil() as u64),
            _ => None,
        };
        match (self.requests, by_rate) {
            (Some(r), Some(b)) => r.min(b),
            (Some(r), None) => r,
            (None, Some(b)) => b,
            (None, None) => u64::MAX,
        }
    }
}

/// Runs one phase to completion and returns its statistics. Requests in
/// flight when the duration ends are finished (retried until definitive),
/// never cut off: the verification needs every request to end.
///
/// Workers run on `ctx.load_threads` OS threads, each with its own
/// single-threaded runtime (as wrk runs one event loop per thread): a
/// worker's wake-ups never cross threads, and no runtime steals work.
pub async fn run_phase(ctx: &RunCtx, spec: &PhaseSpec) -> Stats {
    let n = spec.concurrency.max(1);
    let threads = ctx.load_threads.clamp(1, n as usize);
    let shared = Arc::new(Shared {
        next_slot: AtomicU64::new(0),
        slots_max: spec.slots_max(),
        duration: spec.duration,
        window: OnceLock::new(),
        warmed: Barrier::new(n as usize),
        groups: storm_groups(spec),
    });
    let mut results = Vec::with_capacity(threads);
    for t in 0..threads {
        let workers: Vec<Worker> = (t as u32..n)
            .step_by(threads)
            .map(|w| Worker {
                id: w,
                ctx: ctx.clone(),
                planner: spec.planner.clone(),
                conn: Conn::new(ctx.addrs.clone(), w as usize, ctx.limits.connect_timeout),
                stats: Stats::default(),
                rng: Rng::new(mix(spec.planner.seed ^ u64::from(w))),
                reads: Vec::new(),
            })
            .collect();
        let (shared, model) = (shared.clone(), spec.model);
        let (tx, rx) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new().name(format!("load-{t}")).spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a load runtime");
            let stats = rt.block_on(async move {
                let tasks: Vec<_> =
                    workers.into_iter().map(|w| tokio::spawn(w.run(shared.clone(), model, n))).collect();
                let mut stats = Stats::default();
                for t in tasks {
                    stats.merge(t.await.expect("a load worker panicked"));
                }
                stats
            });
            let _ = tx.send(stats);
        });
        spawned.expect("spawning a load thread");
        results.push(rx);
    }
    let mut stats = Stats::default();
    for rx in results {
        stats.merge(rx.await.expect("a load thread panicked"));
    }
    stats
}

struct Shared {
    next_slot: AtomicU64,
    slots_max: u64,
    duration: Option<Duration>,
    /// (start, deadline) of the measured window, fixed once every client is connected.
    window: OnceLock<(Instant, Option<Instant>)>,
    warmed: Barrier,
    /// Closed-model storms: one barrier per group of clients sharing a key.
    groups: Vec<StormGroup>,
}

impl Shared {
    fn started(&self) -> Instant {
        self.window.get().expect("the window opens before any slot").0
    }

    fn expired(&self) -> bool {
        self.window.get().and_then(|w| w.1).is_some_and(|d| Instant::now() >= d)
    }
}

struct StormGroup {
    barrier: Barrier,
    go: AtomicBool,
}

fn storm_groups(spec: &PhaseSpec) -> Vec<StormGroup> {
    match (spec.planner.workload, spec.model) {
        (Workload::Storm { size }, Model::Closed) => {
            let groups = spec.concurrency / size.max(1);
            (0..groups)
                .map(|_| StormGroup { barrier: Barrier::new(size as usize), go: AtomicBool::new(false) })
                .collect()
        }
        _ => Vec::new(),
    }
}

struct Worker {
    id: u32,
    ctx: RunCtx,
    planner: Planner,
    conn: Conn,
    stats: Stats,
    rng: Rng,
    /// The read workload's requests, one per reference customer.
    reads: Vec<Outgoing>,
}

/// What a logical request ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Acknowledged,
    Refused,
    Abandoned,
}

impl Worker {
    async fn run(mut self, shared: Arc<Shared>, model: Model, n: u32) -> Stats {
        // Every client connects before the measured window opens: hundreds
        // of simultaneous connects overflow a listen backlog, and the SYN
        // retransmits (1 s) would be charged to the first requests.
        self.conn.warm_up().await;
        shared.warmed.wait().await;
        let now = Instant::now();
        shared.window.get_or_init(|| (now, shared.duration.map(|d| now + d)));
        match (model, self.planner.workload) {
            (Model::Closed, Workload::Storm { size }) => self.run_storm(&shared, n, size).await,
            (Model::Closed, _) => {
                while !shared.expired() {
                    let slot = shared.next_slot.fetch_add(1, Ordering::Relaxed);
                    if slot >= shared.slots_max {
                        break;
                    }
                    self.slot(slot, None).await;
                }
            }
            (Model::Open { rate }, _) => {
                let mut slot = u64::from(self.id);
                while slot < shared.slots_max {
                    let intended = shared.started() + Duration::from_secs_f64(slot as f64 / rate);
                    tokio::time::sleep_until(intended).await;
                    self.slot(slot, Some(intended)).await;
                    slot += u64::from(n);
                }
            }
        }
        self.stats
    }

    /// Closed-model storm rounds: the clients of a group meet at a barrier,
    /// the leader decides whether another round starts, and then all of
    /// them send the same key at once.
    async fn run_storm(&mut self, shared: &Shared, n: u32, size: u32) {
        let g = (self.id / size) as usize;
        let Some(group) = shared.groups.get(g) else { return };
        for round in 0u64.. {
            let first_slot = round * u64::from(n) + u64::from(g as u32 * size);
            if group.barrier.wait().await.is_leader() {
                group.go.store(first_slot < shared.slots_max && !shared.expired(), Ordering::SeqCst);
            }
            group.barrier.wait().await;
            if !group.go.load(Ordering::SeqCst) {
                return;
            }
            self.slot(round * u64::from(n) + u64::from(self.id), None).await;
        }
    }

    async fn slot(&mut self, slot: u64, intended: Option<Instant>) {
        if self.planner.workload == Workload::Read {
            return self.read(slot, intended).await;
        }
        let plan = self.planner.plan(slot);
        let payload = (plan.op.build)(&self.ctx.refs, plan.pick, plan.variant);
        let end = self.logical(&plan, &payload, plan.intent, intended, plan.first_timeout).await;
        if end != End::Acknowledged {
            return;
        }
        for f in plan.follow_ups.clone() {
            match f {
                FollowUp::Reuse => {
                    self.logical(&plan, &payload, Intent::Reuse, None, None).await;
                }
                FollowUp::Mismatch => {
                    if let Some(other) = self.other_payload(&plan, &payload) {
                        self.logical(&plan, &other, Intent::Mismatch, None, None).await;
                    }
                }
            }
        }
    }

    /// A payload for the same key that the service must see as different.
    /// A generator's payload space may be small (a payment amount has 400
    /// values), so a variant can reproduce the original: step past those.
    fn other_payload(&self, plan: &SlotPlan, original: &Payload) -> Option<Payload> {
        let op = plan.op.name();
        let fp = original.fingerprint(op);
        (0..MISMATCH_TRIES_MAX)
            .map(|i| (plan.op.build)(&self.ctx.refs, plan.pick, plan.mismatch_variant + i))
            .find(|p| p.fingerprint(op) != fp)
    }

    /// Sends one logical request until its answer is definitive.
    async fn logical(
        &mut self,
        plan: &SlotPlan,
        payload: &Payload,
        intent: Intent,
        intended: Option<Instant>,
        first_timeout: Option<Duration>,
    ) -> End {
        let op = plan.op.name();
        let body = Bytes::from(serde_json::to_vec(&payload.body).expect("a Value always serialises"));
        let req = Outgoing {
            method: plan.op.method(),
            path: payload.path.as_str().into(),
            key: Some(HeaderValue::from_str(&plan.key).expect("generated keys are visible ASCII")),
            body,
        };
        let id = self.ctx.history.invoke(Request {
            id: 0,
            client: self.id,
            tenant: self.ctx.tenant,
            operation: op.to_owned(),
            key: plan.key.clone(),
            fingerprint: payload.fingerprint(op),
            intent,
        });
        let first_sent = intended.unwrap_or_else(Instant::now);
        let phase = self.ctx.clock.phase(first_sent);
        self.stats.count(phase, op).requests += 1;
        let limits = self.ctx.limits;
        for attempt in 1..=limits.attempts_max {
            let t0 = if attempt == 1 { first_sent } else { Instant::now() };
            let induced = attempt == 1 && first_timeout.is_some();
            let timeout =
                if induced { first_timeout.unwrap_or(limits.attempt_timeout) } else { limits.attempt_timeout };
            let replica = self.conn.replica();
            let result = self.conn.send(&self.ctx.auth, &req, timeout).await;
            let done = Instant::now();
            let c = classify(&result, intent, induced);
            if let Some(log) = &self.ctx.writes {
                log.push(WriteSample {
                    at_ms: micros(t0.saturating_duration_since(self.ctx.clock.start)) / 1000,
                    latency_us: micros(done - t0),
                    unavailable: result.as_ref().map_or(true, |r| r.status == 503),
                });
            }
            let attempt_phase = self.ctx.clock.phase(t0);
            self.stats.record(attempt_phase, op, c.label, micros(done - t0));
            let counters = self.stats.count(attempt_phase, op);
            counters.attempts += 1;
            counters.failures += u64::from(c.failure);
            self.ctx.progress.attempts.fetch_add(1, Ordering::Relaxed);
            self.ctx.progress.failures.fetch_add(u64::from(c.failure), Ordering::Relaxed);
            let definitive = c.outcome.is_definitive();
            let end = match &c.outcome {
                Outcome::Ok { .. } => End::Acknowledged,
                _ => End::Refused,
            };
            if let Outcome::Ok { replayed, .. } | Outcome::Rejected { replayed, .. } = &c.outcome {
                let counters = self.stats.count(phase, op);
                counters.replayed += u64::from(*replayed);
                counters.created += u64::from(!*replayed && matches!(c.outcome, Outcome::Ok { status: 201, .. }));
            }
            if let Outcome::Rejected { code, .. } = &c.outcome {
                let counters = self.stats.count(phase, op);
                counters.mismatches += u64::from(code == MISMATCH_CODE);
                counters.refused += u64::from(code != MISMATCH_CODE);
            }
            let at_ms = micros(t0.saturating_duration_since(self.ctx.clock.start)) / 1000;
            self.ctx.history.complete(Attempt {
                request: id,
                attempt,
                node: replica as u32,
                outcome: c.outcome,
                at_ms,
            });
            if definitive {
                if let Some(log) = &self.ctx.acks {
                    let since = |t: Instant| micros(t.saturating_duration_since(self.ctx.clock.start)) / 1000;
                    log.push(Ack { request: id, first_sent_ms: since(first_sent), done_ms: since(done) });
                }
                self.stats.record(phase, op, END_TO_END.into(), micros(done - first_sent));
                self.stats.count(phase, op).definitive += 1;
                self.ctx.progress.definitive.fetch_add(1, Ordering::Relaxed);
                return end;
            }
            if result.is_err() {
                // Connection trouble or a timeout: try the next replica.
                self.conn.fail_over();
            }
            tokio::time::sleep(self.backoff(attempt)).await;
        }
        self.ctx.history.abandon(id);
        self.stats.count(phase, op).abandoned += 1;
        self.ctx.progress.abandoned.fetch_add(1, Ordering::Relaxed);
        End::Abandoned
    }

    /// Exponential backoff with jitter (half to full), capped.
    fn backoff(&mut self, attempt: u32) -> Duration {
        let l = self.ctx.limits;
        let cap = l.backoff_base.saturating_mul(1 << (attempt - 1).min(16)).min(l.backoff_max);
        let us = cap.as_micros() as u64;
        Duration::from_micros(us / 2 + self.rng.below(us / 2 + 1))
    }

    /// A read of a reference customer: the cheapest authenticated request.
    async fn read(&mut self, slot: u64, intended: Option<Instant>) {
        if self.reads.is_empty() {
            // Built once per worker: the read loop measures the service, not formatting.
            self.reads = self
                .ctx
                .refs
                .customers
                .iter()
                .map(|id| Outgoing {
                    method: hyper::Method::GET,
                    path: format!("/v1/customers/{id}").into(),
                    key: None,
                    body: Bytes::new(),
                })
                .collect();
        }
        let req = &self.reads[(slot % self.reads.len() as u64) as usize];
        let t0 = intended.unwrap_or_else(Instant::now);
        let result = self.conn.send(&self.ctx.auth, req, self.ctx.limits.attempt_timeout).await;
        let done = Instant::now();
        let phase = self.ctx.clock.phase(t0);
        let (label, failure): (Label, bool) = match &result {
            Ok(r) if r.status == 200 => ("200 ok".into(), false),
            Ok(r) => (format!("{} read", r.status).into(), true),
            Err(e) => (error_label(e).into(), true),
        };
        if result.is_err() {
            self.conn.fail_over();
        }
        self.stats.record(phase, "read_customer", label, micros(done - t0));
        let c = self.stats.count(phase, "read_customer");
        c.attempts += 1;
        c.requests += 1;
        c.failures += u64::from(failure);
        c.definitive += u64::from(!failure);
        self.ctx.progress.attempts.fetch_add(1, Ordering::Relaxed);
        self.ctx.progress.definitive.fetch_add(u64::from(!failure), Ordering::Relaxed);
        self.ctx.progress.failures.fetch_add(u64::from(failure), Ordering::Relaxed);
    }
}

/// Variants tried for a mismatching payload before the follow-up is skipped.
const MISMATCH_TRIES_MAX: u64 = 16;

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn error_label(e: &HttpError) -> &'static str {
    match e {
        HttpError::Connect(_) => "connect error",
        HttpError::Connection(_) => "connection error",
        HttpError::Timeout => "timeout",
    }
}

struct Classified {
    outcome: Outcome,
    label: Label,
    failure: bool,
}

/// An attempt's outcome for the history, its table label, and whether it
/// counts as a failure. Indeterminate answers (timeouts, connection errors,
/// 409, 5xx) are retried; a deliberately induced timeout is not a failure.
fn classify(result: &Result<Response, HttpError>, intent: Intent, induced: bool) -> Classified {
    let r = match result {
        Err(HttpError::Timeout) if induced => {
            return Classified {
                outcome: shared::classify(Answer::None("timeout")),
                label: "timeout (induced)".into(),
                failure: false,
            }
        }
        Err(e) => {
            return Classified {
                outcome: shared::classify(Answer::None(&e.to_string())),
                label: error_label(e).into(),
                failure: true,
            }
        }
        Ok(r) => r,
    };
    let outcome = shared::classify(Answer::Http { status: r.status, replayed: r.replayed, body: &r.body });
    let (label, failure): (Label, bool) = match &outcome {
        Outcome::Ok { status, replayed, .. } => {
            let label = match (*status, *replayed) {
                (201, false) => "201 created".into(),
                (200, true) => "200 replayed".into(),
                (s, true) => format!("{s} replayed").into(),
                (s, false) => format!("{s}").into(),
            };
            (label, intent == Intent::Mismatch)
        }
        Outcome::Info { .. } => {
            let label = match r.status {
                409 => "409 in flight".into(),
                503 => "503 unavailable".into(),
                s => format!("{s} server error").into(),
            };
            (label, true)
        }
        Outcome::Rejected { status, code, .. } => {
            // A business rule's refusal (a stored 422, a 404 for a reference
            // gone) is the service working as specified: a definitive answer,
            // not a failure. A mismatch is expected exactly when the payload
            // changed.
            let expected = (intent == Intent::Mismatch) == (code == MISMATCH_CODE);
            let label = if code == MISMATCH_CODE { "422 mismatch".into() } else { format!("{status} {code}").into() };
            (label, !expected)
        }
    };
    Classified { outcome, label, failure }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, replayed: bool, body: &str) -> Result<Response, HttpError> {
        Ok(Response { status, replayed, location: None, body: Bytes::from(body.to_owned()) })
    }

    #[test]
    fn classification_follows_the_http_contract() {
        let id = Uuid::from_u128(9);
        let c = classify(&resp(201, false, &format!(r#"{{"id":"{id}"}}"#)), Intent::Normal, false);
        assert!(matches!(c.outcome, Outcome::Ok { status: 201, replayed: false, entity_id: Some(e), .. } if e == id));
        assert_eq!((c.label.as_ref(), c.failure), ("201 created", false));
        let c = classify(&resp(200, true, "{}"), Intent::Reuse, false);
        assert_eq!((c.label.as_ref(), c.failure), ("200 replayed", false));
        let c = classify(&resp(422, false, r#"{"code":"idempotency_key_mismatch"}"#), Intent::Mismatch, false);
        assert!(matches!(c.outcome, Outcome::Rejected { status: 422, .. }));
        assert_eq!((c.label.as_ref(), c.failure), ("422 mismatch", false));
        let c = classify(&resp(422, false, r#"{"code":"overpayment"}"#), Intent::Normal, false);
        assert!(c.outcome.is_definitive());
        assert_eq!((c.label.as_ref(), c.failure), ("422 overpayment", false), "a rule's refusal is an answer");
        let c = classify(&resp(422, false, r#"{"code":"idempotency_key_mismatch"}"#), Intent::Normal, false);
        assert!(c.failure, "a mismatch for an unchanged payload is a failure");
        let c = classify(&resp(422, false, r#"{"code":"invoice_not_voidable"}"#), Intent::Mismatch, false);
        assert!(c.failure, "a changed payload must be refused as a mismatch");
        for s in [409, 500, 503] {
            let c = classify(&resp(s, false, "{}"), Intent::Normal, false);
            assert!(!c.outcome.is_definitive(), "{s} is indeterminate");
            assert!(c.failure);
        }
        let c = classify(&Err(HttpError::Timeout), Intent::Normal, true);
        assert_eq!((c.label.as_ref(), c.failure, c.outcome.is_definitive()), ("timeout (induced)", false, false));
        let c = classify(&Err(HttpError::Connect("refused".into())), Intent::Normal, false);
        assert_eq!((c.label.as_ref(), c.failure), ("connect error", true));
        // A success answering a mismatching payload is a failure (and a checker violation).
        assert!(classify(&resp(201, false, "{}"), Intent::Mismatch, false).failure);
    }

    #[test]
    fn phases_follow_the_clock() {
        let start = Instant::now();
        let c =
            PhaseClock { start, fault_at: Some(Duration::from_secs(10)), recovery_at: Some(Duration::from_secs(20)) };
        assert_eq!(c.phase(start + Duration::from_secs(1)), Phase::Healthy);
        assert_eq!(c.phase(start + Duration::from_secs(10)), Phase::Fault);
        assert_eq!(c.phase(start + Duration::from_secs(25)), Phase::Recovery);
        assert_eq!(PhaseClock::healthy(start).phase(start + Duration::from_secs(99)), Phase::Healthy);
    }
}
