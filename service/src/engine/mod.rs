//! The idempotency engine: the only place that decides whether a request
//! executes, replays, is rejected as a mismatch or waits for a same-key
//! request in flight.
//!
//! Architecture invariant: the engine knows nothing of HTTP beyond status
//! codes; it knows nothing of SQL. It talks to a `Store` and runs an
//! `Operation`'s plan inside one transaction together with the key record,
//! the outbox rows and the audit row.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;

use crate::domain::ids::{deterministic_id, workflow_id, TenantId};
use crate::domain::time::rfc3339_now;
use crate::http::problem::problem_body;
use crate::idempotency::fingerprint::FINGERPRINT_VERSION;
use crate::idempotency::gate::KeyGate;
use crate::idempotency::key::IdempotencyKey;
use crate::idempotency::recent::RecentKeys;
use crate::metrics::Metrics;
use crate::ops::{ExecCtx, Operation, Plan, Rejection};
use crate::store::{
    AuditRecord, AuditStatus, Claim, Entity, KeyClaim, KeyRecord, Store, StoreError, StoredResponse, Tx,
    WorkflowInstance, WriteSet, POOL_EXHAUSTED,
};

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
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            inflight_wait: Duration::from_secs(5),
            tx_attempts_max: 5,
            tx_retry_backoff: Duration::from_millis(5),
            same_key_waiters_max: 512,
            recent_keys_max: 100_000,
        }
    }
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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// Nothing was stored; the same request may be retried as is.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl EngineError {
    fn from_store(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) | StoreError::Retryable(m) => Self::Unavailable(m),
            StoreError::Duplicate(m) | StoreError::Other(m) => Self::Internal(m),
        }
    }

    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "storage_unavailable",
            Self::Internal(_) => "internal",
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
    gate: Arc<KeyGate>,
    recent: Arc<RecentKeys>,
}

/// The result of one transaction attempt.
type Attempt = Result<(WriteOutcome, AuditStatus, i32), StoreError>;

impl Engine {
    pub fn new(store: Arc<dyn Store>, metrics: Arc<Metrics>, config: EngineConfig) -> Self {
        let recent = Arc::new(RecentKeys::new(config.recent_keys_max));
        Self { store, metrics, config, gate: KeyGate::new(config.same_key_waiters_max), recent }
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
        #[cfg(feature = "broken-engine")]
        if true {
            return self.execute_broken(op, req, input).await;
        }
        let spec = op.spec();
        let started = tokio::time::Instant::now();
        let entity_id = deterministic_id(req.tenant, spec.name, req.key);
        let record = KeyRecord {
            tenant_id: req.tenant,
            idempotency_key: req.key.as_str().to_owned(),
            operation: spec.name.to_owned(),
            fingerprint: req.fingerprint.clone(),
            fingerprint_version: FINGERPRINT_VERSION,
            entity_id,
            response: None,
        };
        let claim = KeyClaim { record, wait: self.config.inflight_wait };
        let ctx = ExecCtx { tenant: req.tenant, entity_id, now: rfc3339_now(), path: req.path.clone() };

        // A key this instance saw complete is most likely a retry: one
        // statement replays it (verified against the key row). Anything
        // else — no record, another request, an error — takes the
        // transactional path below, which decides every case.
        if self.recent.contains(req.tenant, req.key.as_str()) {
            let key_hash = req.key.hash_hex();
            let audit = AuditRecord {
                company_id: req.tenant,
                operation_name: spec.name.to_owned(),
                idempotency_key_hash: key_hash.clone(),
                deterministic_id: entity_id,
                status: AuditStatus::Replayed,
                error_type: None,
                error_message: None,
                http_status: 0,
                workflows_triggered: 0,
                duration_ms: started.elapsed().as_millis() as i64,
                request_id: req.request_id.clone(),
            };
            match self.store.replay_completed(&claim.record, &audit).await {
                Ok(Some(resp)) => {
                    let duration = started.elapsed();
                    self.metrics.record(spec, AuditStatus::Replayed, None, 0, duration);
                    log_write(req, spec.name, &key_hash, "replayed", resp.status, duration.as_millis() as i64);
                    return Ok(WriteOutcome::Replayed(resp));
                }
                Ok(None) => {}
                Err(e) => tracing::debug!(operation = spec.name, error = %e, "replay fast path failed"),
            }
        }

        // Held until the outcome is recorded; None: too many on this key.
        let pass = self.gate.enter(req.tenant, req.key.as_str());
        let mut attempt = 1;
        let result = if pass.is_none() {
            Ok((WriteOutcome::InFlight, AuditStatus::Conflict, 0))
        } else {
            loop {
                let elapsed_ms = || started.elapsed().as_millis() as i64;
                match self.attempt(op, &claim, &ctx, req, input, elapsed_ms).await {
                    Err(StoreError::Retryable(m)) if attempt < self.config.tx_attempts_max => {
                        tracing::debug!(operation = spec.name, attempt, error = %m, "retrying transaction");
                        tokio::time::sleep(self.config.tx_retry_backoff * attempt).await;
                        attempt += 1;
                    }
                    other => break other,
                }
            }
        };
        let duration = started.elapsed();
        let duration_ms = duration.as_millis() as i64;
        let key_hash = req.key.hash_hex();
        match result {
            Ok((outcome, status, workflows)) => {
                if matches!(outcome, WriteOutcome::Executed(_) | WriteOutcome::Replayed(_)) {
                    self.recent.insert(req.tenant, req.key.as_str());
                }
                self.metrics.record(spec, status, None, workflows, duration);
                self.audit_out_of_tx(&outcome, status, spec.name, &key_hash, entity_id, req, duration_ms).await;
                log_write(req, spec.name, &key_hash, status.as_str(), outcome_status(&outcome), duration_ms);
                Ok(outcome)
            }
            Err(e) => {
                let err = EngineError::from_store(e);
                self.metrics.record(spec, AuditStatus::Failed, Some(err.error_type()), 0, duration);
                let audit = AuditRecord {
                    company_id: req.tenant,
                    operation_name: spec.name.to_owned(),
                    idempotency_key_hash: key_hash.clone(),
                    deterministic_id: entity_id,
                    status: AuditStatus::Failed,
                    error_type: Some(err.error_type().to_owned()),
                    error_message: Some(err.to_string()),
                    http_status: if matches!(err, EngineError::Unavailable(_)) { 503 } else { 500 },
                    workflows_triggered: 0,
                    duration_ms,
                    request_id: req.request_id.clone(),
                };
                // Best effort: the store may be the thing that is down. When
                // the pool itself is exhausted, waiting for it again would
                // double the caller's wait: write the row in the background.
                let http_status = audit.http_status;
                let pool_exhausted = matches!(&err, EngineError::Unavailable(m) if m == POOL_EXHAUSTED);
                if pool_exhausted {
                    let (store, request_id) = (self.store.clone(), req.request_id.clone());
                    tokio::spawn(async move {
                        if let Err(ae) = store.append_audit(&audit).await {
                            tracing::warn!(%request_id, error = %ae, "audit row for a failed write not stored");
                        }
                    });
                } else if let Err(ae) = self.store.append_audit(&audit).await {
                    tracing::warn!(request_id = %req.request_id, error = %ae, "audit row for a failed write not stored");
                }
                log_write(req, spec.name, &key_hash, "failed", http_status, duration_ms);
                Err(err)
            }
        }
    }

    /// Outcomes decided without a committed transaction (in flight) still
    /// get their audit row, written on its own.
    #[allow(clippy::too_many_arguments)]
    async fn audit_out_of_tx(
        &self,
        outcome: &WriteOutcome,
        status: AuditStatus,
        operation: &str,
        key_hash: &str,
        entity_id: Uuid,
        req: &WriteRequest<'_>,
        duration_ms: i64,
    ) {
        if !matches!(outcome, WriteOutcome::InFlight) {
            return;
        }
        let audit = AuditRecord {
            company_id: req.tenant,
            operation_name: operation.to_owned(),
            idempotency_key_hash: key_hash.to_owned(),
            deterministic_id: entity_id,
            status,
            error_type: Some("conflict".into()),
            error_message: Some("same-key request still in flight".into()),
            http_status: 409,
            workflows_triggered: 0,
            duration_ms,
            request_id: req.request_id.clone(),
        };
        if let Err(e) = self.store.append_audit(&audit).await {
            tracing::warn!(request_id = %req.request_id, error = %e, "audit row for a conflict not stored");
        }
    }

    async fn attempt<O: Operation>(
        &self,
        op: &O,
        claim: &KeyClaim,
        ctx: &ExecCtx,
        req: &WriteRequest<'_>,
        input: &O::Input,
        elapsed_ms: impl Fn() -> i64,
    ) -> Attempt {
        let mut tx = self.store.begin().await?;
        let result = self.decide_and_run(&mut tx, op, claim, ctx, req, input, &elapsed_ms).await;
        match result {
            Ok((outcome, status, wf, commit)) => {
                if commit {
                    tx.commit().await?;
                    // The acknowledgement may be lost from here on: the
                    // client's retry must replay, never re-execute.
                    buggify_delay("after_commit_before_response").await;
                } else {
                    tx.rollback().await?;
                }
                Ok((outcome, status, wf))
            }
            Err(e) => {
                // The transaction failed: roll back (a failure to do so is
                // harmless, the database aborts it when the connection goes).
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn decide_and_run<O: Operation>(
        &self,
        tx: &mut Box<dyn Tx>,
        op: &O,
        claim: &KeyClaim,
        ctx: &ExecCtx,
        req: &WriteRequest<'_>,
        input: &O::Input,
        elapsed_ms: &impl Fn() -> i64,
    ) -> Result<(WriteOutcome, AuditStatus, i32, bool), StoreError> {
        let spec = op.spec();
        let decision = Decision::from_claim(tx.claim_key(claim).await?, &claim.record)?;
        let audit = |status: AuditStatus, http: u16, wf: i32, error: Option<(&str, String)>| AuditRecord {
            company_id: req.tenant,
            operation_name: spec.name.to_owned(),
            idempotency_key_hash: req.key.hash_hex(),
            deterministic_id: ctx.entity_id,
            status,
            error_type: error.as_ref().map(|e| e.0.to_owned()),
            error_message: error.map(|e| e.1),
            http_status: http,
            workflows_triggered: wf,
            duration_ms: elapsed_ms(),
            request_id: req.request_id.clone(),
        };
        match decision {
            Decision::InFlight => Ok((WriteOutcome::InFlight, AuditStatus::Conflict, 0, false)),
            Decision::Replay(resp) => {
                tx.insert_audit(&audit(AuditStatus::Replayed, resp.status, 0, None)).await?;
                Ok((WriteOutcome::Replayed(resp), AuditStatus::Replayed, 0, true))
            }
            Decision::Mismatch(existing) => {
                let msg = format!("key first used for {}; fingerprint differs", existing.operation);
                tx.insert_audit(&audit(AuditStatus::Mismatch, 422, 0, Some(("mismatch", msg)))).await?;
                Ok((WriteOutcome::Mismatch, AuditStatus::Mismatch, 0, true))
            }
            Decision::Execute => {
                // Another same-key request now waits on this claim.
                buggify_delay("between_claim_and_execute").await;
                self.execute_claimed(tx, op, ctx, req, input, &audit).await
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn execute_claimed<O: Operation>(
        &self,
        tx: &mut Box<dyn Tx>,
        op: &O,
        ctx: &ExecCtx,
        req: &WriteRequest<'_>,
        input: &O::Input,
        audit: &impl Fn(AuditStatus, u16, i32, Option<(&str, String)>) -> AuditRecord,
    ) -> Result<(WriteOutcome, AuditStatus, i32, bool), StoreError> {
        let spec = op.spec();
        match op.plan(&mut **tx, ctx, input).await? {
            Ok(plan) => {
                let workflows = workflow_rows(spec.name, ctx, &plan);
                let wf = workflows.len() as i32;
                let resp = plan.response;
                let audit_row = audit(AuditStatus::New, resp.status, wf, None);
                let writes = WriteSet {
                    inserts: &plan.inserts,
                    updates: &plan.updates,
                    workflows: &workflows,
                    complete: Some((req.tenant, req.key.as_str(), &resp)),
                    audit: &audit_row,
                };
                match tx.write_all(&writes).await {
                    Ok(()) => Ok((WriteOutcome::Executed(resp), AuditStatus::New, wf, true)),
                    // The deterministic id is taken: this key executed once
                    // before and its record has expired. Never a second
                    // execution; nothing is stored (the transaction rolls back).
                    Err(StoreError::Duplicate(_)) => {
                        let resp = expired_key_response();
                        Ok((WriteOutcome::Rejected(resp), AuditStatus::Rejected, 0, false))
                    }
                    Err(e) => Err(e),
                }
            }
            Err(rejection) => {
                let resp = rejection_response(&rejection);
                if !rejection.definitive {
                    return Ok((WriteOutcome::Rejected(resp), AuditStatus::Rejected, 0, false));
                }
                let err = Some((rejection.code, rejection.detail.clone()));
                let audit_row = audit(AuditStatus::Rejected, resp.status, 0, err);
                let writes = WriteSet {
                    inserts: &[],
                    updates: &[],
                    workflows: &[],
                    complete: Some((req.tenant, req.key.as_str(), &resp)),
                    audit: &audit_row,
                };
                tx.write_all(&writes).await?;
                Ok((WriteOutcome::Executed(resp), AuditStatus::Rejected, 0, true))
            }
        }
    }
}

/// The outbox rows a plan triggers: one per workflow, ids derived from the
/// entity id and the workflow's name.
fn workflow_rows(operation: &str, ctx: &ExecCtx, plan: &Plan) -> Vec<WorkflowInstance> {
    plan.workflows
        .iter()
        .map(|name| WorkflowInstance {
            id: workflow_id(ctx.entity_id, name),
            tenant_id: ctx.tenant,
            workflow_name: (*name).to_owned(),
            trigger_entity_id: ctx.entity_id,
            operation_name: operation.to_owned(),
            payload: serde_json::to_string(&serde_json::json!({ "entity_id": ctx.entity_id }))
                .expect("json! always serialises"),
        })
        .collect()
}

/// A fault point for the simulator at a dangerous place: with buggify on,
/// sometimes stalls here so races and crashes land exactly here. Compiled
/// to nothing outside `--cfg madsim`.
async fn buggify_delay(point: &'static str) {
    #[cfg(madsim)]
    if madsim::buggify::buggify_with_prob(0.05) {
        use madsim::rand::Rng;
        let ms = madsim::rand::thread_rng().gen_range(1..1500u64);
        tracing::debug!(point, ms, "buggify: stalling");
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    #[cfg(not(madsim))]
    let _ = point;
}

#[cfg(feature = "broken-engine")]
impl Engine {
    /// A deliberately broken engine for the harness's self-test: the key is
    /// checked outside the transaction (check-then-act), the entity id is
    /// minted per execution and the key is recorded in a second transaction
    /// after the write commits. Concurrent duplicates and crashes between the
    /// two transactions execute twice. Never enabled outside that test.
    async fn execute_broken<O: Operation>(
        &self,
        op: &O,
        req: &WriteRequest<'_>,
        input: &O::Input,
    ) -> Result<WriteOutcome, EngineError> {
        let spec = op.spec();
        let ctx = ExecCtx { tenant: req.tenant, entity_id: Uuid::nil(), now: rfc3339_now(), path: req.path.clone() };
        let existing = self.store.get_key(req.tenant, req.key.as_str()).await.map_err(EngineError::from_store)?;
        if let Some(rec) = existing {
            if rec.fingerprint != req.fingerprint || rec.operation != spec.name {
                return Ok(WriteOutcome::Mismatch);
            }
            return Ok(rec.response.map(WriteOutcome::Replayed).unwrap_or(WriteOutcome::InFlight));
        }
        buggify_delay("broken_between_check_and_act").await;
        let ctx = ExecCtx { entity_id: Uuid::new_v4(), ..ctx };
        let run = async {
            let mut tx = self.store.begin().await?;
            let plan = match op.plan(&mut *tx, &ctx, input).await? {
                Ok(plan) => plan,
                Err(rejection) => {
                    tx.rollback().await?;
                    return Ok(WriteOutcome::Rejected(rejection_response(&rejection)));
                }
            };
            let workflows = workflow_rows(spec.name, &ctx, &plan);
            let (resp, wf) = (plan.response.clone(), workflows.len() as i32);
            let audit = AuditRecord {
                company_id: req.tenant,
                operation_name: spec.name.to_owned(),
                idempotency_key_hash: req.key.hash_hex(),
                deterministic_id: ctx.entity_id,
                status: AuditStatus::New,
                error_type: None,
                error_message: None,
                http_status: resp.status,
                workflows_triggered: wf,
                duration_ms: 0,
                request_id: req.request_id.clone(),
            };
            let writes = WriteSet {
                inserts: &plan.inserts,
                updates: &plan.updates,
                workflows: &workflows,
                complete: None,
                audit: &audit,
            };
            tx.write_all(&writes).await?;
            tx.commit().await?;
            buggify_delay("broken_between_commits").await;
            let mut tx = self.store.begin().await?;
            let record = KeyRecord {
                tenant_id: req.tenant,
                idempotency_key: req.key.as_str().to_owned(),
                operation: spec.name.to_owned(),
                fingerprint: req.fingerprint.clone(),
                fingerprint_version: FINGERPRINT_VERSION,
                entity_id: ctx.entity_id,
                response: None,
            };
            match tx.claim_key(&KeyClaim { record, wait: self.config.inflight_wait }).await? {
                Claim::Claimed => {
                    tx.complete_key(req.tenant, req.key.as_str(), &resp).await?;
                    tx.commit().await?;
                }
                _ => tx.rollback().await?,
            }
            Ok::<_, StoreError>(WriteOutcome::Executed(resp))
        };
        run.await.map_err(EngineError::from_store)
    }
}

/// The answer for a key whose record expired (and the tombstone stored for
/// expired high-risk keys): a definitive 422 that never executes anything.
pub fn expired_key_response() -> StoredResponse {
    StoredResponse {
        status: 422,
        body: problem_body(
            422,
            "idempotency_key_expired",
            "this Idempotency-Key has expired and cannot be used again; send the request with a new key",
        ),
        location: None,
    }
}

fn rejection_response(r: &Rejection) -> StoredResponse {
    StoredResponse { status: r.status, body: problem_body(r.status, r.code, &r.detail), location: None }
}

fn outcome_status(o: &WriteOutcome) -> u16 {
    match o {
        WriteOutcome::Executed(r) | WriteOutcome::Replayed(r) | WriteOutcome::Rejected(r) => r.status,
        WriteOutcome::Mismatch => 422,
        WriteOutcome::InFlight => 409,
    }
}

fn log_write(req: &WriteRequest<'_>, operation: &str, key_hash: &str, outcome: &str, status: u16, ms: i64) {
    tracing::info!(
        request_id = %req.request_id,
        tenant = %req.tenant,
        operation,
        key_hash = &key_hash[..16],
        outcome,
        status,
        duration_ms = ms,
        "idempotent write"
    );
}

/// Builds the entity an operation inserts: its id is the deterministic id.
pub fn new_entity(ctx: &ExecCtx, kind: &str, parent_id: Option<Uuid>, body: &Value) -> Entity {
    Entity {
        id: ctx.entity_id,
        tenant_id: ctx.tenant,
        kind: kind.to_owned(),
        parent_id,
        body: serde_json::to_string(body).expect("a serde_json::Value always serialises"),
        version: 1,
    }
}
