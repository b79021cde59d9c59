//! The idempotency engine: the only place that decides whether a request
//! executes, replays, is rejected as a mismatch or waits for a same-key
//! request in flight.
//!
//! Architecture invariant: the engine knows nothing of HTTP or SQL. It
//! talks to a `Store`, runs an `Operation`'s plan inside one transaction
//! together with the key record, the outbox rows and the audit row, and
//! renders what it stores through `Responses` (the HTTP adapter's problem
//! documents); status codes appear only as data in stored responses.
//!
//! - `attempt.rs`: one request's context and its transactions (claim →
//!   decision → plan → write set → commit or roll back);
//! - `audit.rs`: every audit row the engine writes, built in one place;
//! - `broken.rs`: a deliberately broken engine (the planted bug `broken-engine`).

mod attempt;
mod audit;
#[cfg(feature = "planted")]
mod broken;

use std::sync::Arc;
use std::time::Duration;

use crate::domain::ids::TenantId;
use crate::domain::time::Clock;
use crate::idempotency::gate::KeyGate;
use crate::idempotency::key::IdempotencyKey;
use crate::idempotency::recent::RecentKeys;
use crate::metrics::Metrics;
use crate::ops::{Operation, Rejection};
use crate::store::{AuditStatus, Claim, ConstraintViolation, KeyRecord, Store, StoreError, StoredResponse};

use attempt::{Attempt, Decided};

/// Engine limits. Every wait and retry is bounded.
#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    /// How long a duplicate waits for a same-key request in flight before 409.
    pub inflight_wait: Duration,
    /// Attempts of one transaction on serialization failure or deadlock.
    pub tx_attempts_max: u32,
    /// Base backoff between those attempts (multiplied by the attempt number).
    pub tx_retry_backoff: Duration,
    /// Requests that may wait on one (tenant, key) while another executes;
    /// one more answers 409 + `Retry-After` at once.
    pub same_key_waiters_max: usize,
    /// Keys remembered as completed on this instance, for the replay fast
    /// path (0 turns it off). About 40 bytes each.
    pub recent_keys_max: usize,
    /// The clock that dates executions (`ExecCtx::now`).
    pub clock: Clock,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            inflight_wait: Duration::from_secs(5),
            tx_attempts_max: 5,
            tx_retry_backoff: Duration::from_millis(5),
            same_key_waiters_max: 512,
            recent_keys_max: 100_000,
            clock: Clock::SYSTEM,
        }
    }
}

/// How the engine's outcomes are answered: the adapter above decides
/// their bytes and statuses (`http::problem::Problems`); the engine stores
/// and replays the bytes, and records the statuses in audit rows and logs.
pub trait Responses: Send + Sync + 'static {
    /// A rejection by an operation.
    fn rejection(&self, rejection: &Rejection) -> StoredResponse;
    /// A key whose record expired (and the tombstone kept for expired
    /// high-risk keys): a definitive refusal that never executes anything.
    fn expired_key(&self) -> StoredResponse;
    /// The status of an outcome that is not a stored response.
    fn status(&self, refusal: Refusal) -> u16;
}

/// The engine's answers that are not stored responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The key was used with another request.
    Mismatch,
    /// A same-key request is still executing.
    InFlight,
    /// Nothing was stored; a retry may succeed.
    Unavailable,
    /// Nothing was stored; a bug.
    Internal,
    /// A database constraint refused a write the operation's rules let
    /// through. Nothing was stored; a bug, but one the request meets every
    /// time while the data stays as it is.
    ConstraintViolation,
}

/// What the claim told the engine to do: the engine's decision, as a type.
#[derive(Debug)]
pub enum Decision {
    /// This transaction owns the key: run the operation.
    Execute,
    /// A committed outcome exists for the same request: return it.
    Replay(StoredResponse),
    /// The key was used for a different request: refuse.
    Mismatch(KeyRecord),
    /// A same-key transaction is still open past the wait bound.
    InFlight,
}

impl Decision {
    fn from_claim(claim: Claim, request: &KeyRecord) -> Result<Self, StoreError> {
        match claim {
            Claim::Claimed => Ok(Self::Execute),
            Claim::InFlight => Ok(Self::InFlight),
            Claim::Existing(rec) => {
                let same = rec.operation == request.operation
                    && rec.fingerprint_version == request.fingerprint_version
                    && rec.fingerprint == request.fingerprint;
                if !same {
                    return Ok(Self::Mismatch(rec));
                }
                match rec.response {
                    Some(resp) => Ok(Self::Replay(resp)),
                    // A committed key always carries its response (the same
                    // transaction completes it), so only a bug gets here.
                    None => Err(StoreError::Other("committed key without a response".into())),
                }
            }
        }
    }
}

/// What the caller (an HTTP adapter) gets back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// First execution; its response (2xx, or a stored definitive 4xx) is committed.
    Executed(StoredResponse),
    /// The stored response of an earlier execution.
    Replayed(StoredResponse),
    /// The key was already used with a different payload; nothing executed.
    Mismatch,
    /// A same-key request is still in flight; retry after a pause.
    InFlight,
    /// A rejection that depends on state which may change (e.g. a referenced
    /// entity not found); nothing was stored, so a retry re-evaluates.
    Rejected(StoredResponse),
}

impl WriteOutcome {
    /// The status the client sees, for logs and audit rows.
    fn status(&self, responses: &dyn Responses) -> u16 {
        match self {
            Self::Executed(r) | Self::Replayed(r) | Self::Rejected(r) => r.status,
            Self::Mismatch => responses.status(Refusal::Mismatch),
            Self::InFlight => responses.status(Refusal::InFlight),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// Nothing was stored; the same request may be retried as is.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// A database constraint refused the write (a bug: the operation's rules
    /// let it through). The transaction rolled back, key record included,
    /// as for any failure: nothing was stored, so nothing is replayed, and
    /// the same request meets the same constraint until the data or the
    /// rules change. Storing it with the key as a definitive answer would
    /// keep the bug's answer under that key for good.
    #[error("constraint violation: {0}")]
    Constraint(ConstraintViolation),
}

impl EngineError {
    fn from_store(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) | StoreError::Retryable(m) => Self::Unavailable(m),
            StoreError::PoolExhausted => Self::Unavailable("connection pool wait exceeded".into()),
            StoreError::LockTimeout(m) => Self::Unavailable(format!("lock wait timeout: {m}")),
            StoreError::Duplicate(m) | StoreError::Other(m) => Self::Internal(m),
            StoreError::Constraint(v) => Self::Constraint(v),
        }
    }

    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "storage_unavailable",
            Self::Internal(_) => "internal",
            Self::Constraint(_) => "constraint_violation",
        }
    }

    pub fn refusal(&self) -> Refusal {
        match self {
            Self::Unavailable(_) => Refusal::Unavailable,
            Self::Internal(_) => Refusal::Internal,
            Self::Constraint(_) => Refusal::ConstraintViolation,
        }
    }
}

/// One idempotent write request, fully parsed.
pub struct WriteRequest<'a> {
    pub tenant: TenantId,
    pub key: &'a IdempotencyKey,
    pub fingerprint: String,
    pub request_id: String,
    /// Path parameters (e.g. the invoice id of a void), already validated.
    pub path: Vec<String>,
}

#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    config: EngineConfig,
    responses: Arc<dyn Responses>,
    gate: Arc<KeyGate>,
    recent: Arc<RecentKeys>,
}

impl Engine {
    pub fn new(
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
        config: EngineConfig,
        responses: Arc<dyn Responses>,
    ) -> Self {
        let recent = Arc::new(RecentKeys::new(config.recent_keys_max));
        Self { store, metrics, config, responses, gate: KeyGate::new(config.same_key_waiters_max), recent }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Runs `op` for `req` exactly once per (tenant, key), however many
    /// times and however concurrently it is called.
    pub async fn execute<O: Operation>(
        &self,
        op: &O,
        req: &WriteRequest<'_>,
        input: &O::Input,
    ) -> Result<WriteOutcome, EngineError> {
        #[cfg(feature = "planted")]
        if crate::planted::on(crate::planted::Bug::BrokenEngine) {
            return broken::execute(self, op, req, input).await;
        }
        let attempt = Attempt::new(self, op, req, input);

        // A key this instance saw complete is most likely a retry: one
        // statement replays it (verified against the key row). Anything
        // else — no record, another request, an error — takes the
        // transactional path below, which decides every case.
        if self.recent.contains(req.tenant, req.key.as_str()) {
            if let Some(resp) = attempt.replay_completed().await {
                let decided = Decided::of(WriteOutcome::Replayed(resp), AuditStatus::Replayed, 0);
                self.metrics.record(attempt.spec, decided.status, None, 0, attempt.started.elapsed());
                attempt.log(decided.status.as_str(), decided.outcome.status(self.responses.as_ref()));
                return Ok(decided.outcome);
            }
        }

        // Held until the outcome is recorded; None: too many on this key.
        let pass = self.gate.enter(req.tenant, req.key.as_str());
        let result = match &pass {
            None => Ok(Decided::of(WriteOutcome::InFlight, AuditStatus::Conflict, 0)),
            Some(_) => attempt.run().await,
        };
        if pass.is_some_and(|p| p.beside_others) && matches!(result, Ok(Decided { status: AuditStatus::Replayed, .. }))
        {
            crate::reach::point("engine.same_key_replayed_after_wait");
        }
        match result {
            Ok(decided) => Ok(self.finish(&attempt, decided).await),
            Err(e) => Err(self.fail(&attempt, e).await),
        }
    }

    /// Records a decided outcome: the replay hint, metrics, the audit row of
    /// an outcome decided outside a committed transaction, the log line.
    async fn finish<O: Operation>(&self, attempt: &Attempt<'_, O>, decided: Decided) -> WriteOutcome {
        let Decided { outcome, status, workflows } = decided;
        if matches!(outcome, WriteOutcome::Executed(_) | WriteOutcome::Replayed(_)) {
            self.recent.insert(attempt.req.tenant, attempt.req.key.as_str());
        }
        self.metrics.record(attempt.spec, status, None, workflows, attempt.started.elapsed());
        if matches!(outcome, WriteOutcome::InFlight) {
            // No transaction committed it: the conflict's row is written on its own.
            let conflict = self.responses.status(Refusal::InFlight);
            let row = attempt.audit(status, conflict, 0, Some(("conflict", "same-key request still in flight".into())));
            if let Err(e) = self.store.append_audit(&row).await {
                tracing::warn!(request_id = %attempt.req.request_id, error = %e, "audit row for a conflict not stored");
            }
        }
        attempt.log(status.as_str(), outcome.status(self.responses.as_ref()));
        outcome
    }

    /// Records a failed write (nothing was stored) and says why.
    async fn fail<O: Operation>(&self, attempt: &Attempt<'_, O>, e: StoreError) -> EngineError {
        let pool_exhausted = matches!(e, StoreError::PoolExhausted);
        if matches!(e, StoreError::Unavailable(_)) {
            crate::reach::point("engine.store_unavailable");
        }
        let err = EngineError::from_store(e);
        if let EngineError::Constraint(v) = &err {
            // Not the client's doing and not transient: the operation's rules
            // let through a write the schema refuses. Someone must look.
            tracing::error!(
                request_id = %attempt.req.request_id,
                tenant = %attempt.req.tenant,
                operation = attempt.spec.name,
                constraint = %v.constraint,
                constraint_kind = v.kind.as_str(),
                error = %v.message,
                "bug: a database constraint refused a write the operation's rules let through; nothing was stored"
            );
        }
        self.metrics.record(attempt.spec, AuditStatus::Failed, Some(err.error_type()), 0, attempt.started.elapsed());
        let http_status = self.responses.status(err.refusal());
        let row = attempt.audit(AuditStatus::Failed, http_status, 0, Some((err.error_type(), err.to_string())));
        // Best effort: the store may be the thing that is down. When the
        // pool itself is exhausted, waiting for it again would double the
        // caller's wait: write the row in the background.
        if pool_exhausted {
            let (store, request_id) = (self.store.clone(), attempt.req.request_id.clone());
            tokio::spawn(async move {
                if let Err(ae) = store.append_audit(&row).await {
                    tracing::warn!(%request_id, error = %ae, "audit row for a failed write not stored");
                }
            });
        } else if let Err(ae) = self.store.append_audit(&row).await {
            tracing::warn!(request_id = %attempt.req.request_id, error = %ae, "audit row for a failed write not stored");
        }
        attempt.log("failed", http_status);
        err
    }
}
