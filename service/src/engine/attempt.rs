//! One request's way through the engine: its context (the key record it
//! claims, the execution context, the clock it is timed by) and its
//! transactions — claim the key, decide, run the plan, write everything it
//! decided in one write set, and end the transaction as the decision says.

use tokio::time::Instant;

use super::{Decision, Engine, Refusal, WriteOutcome, WriteRequest};
use crate::domain::ids::{workflow_id, TenantId};
use crate::idempotency::deterministic_id;
use crate::idempotency::fingerprint::FINGERPRINT_VERSION;
use crate::ops::{ExecCtx, OpSpec, Operation, Plan};
use crate::planted::{self, Bug};
use crate::reach;
use crate::store::{AuditStatus, KeyClaim, KeyRecord, StoreError, StoredResponse, Tx, WorkflowInstance, WriteSet};

/// How a transaction ends once its decision is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TxEnd {
    /// Its writes (at least the audit row) are the outcome: commit them.
    Commit,
    /// Nothing may be stored (in flight; a state-dependent rejection; an
    /// id already taken): roll back.
    Rollback,
}

/// An outcome with what the engine records about it.
#[derive(Debug)]
pub(super) struct Decided {
    pub(super) outcome: WriteOutcome,
    pub(super) status: AuditStatus,
    pub(super) workflows: i32,
}

impl Decided {
    pub(super) fn of(outcome: WriteOutcome, status: AuditStatus, workflows: i32) -> Self {
        Self { outcome, status, workflows }
    }
}

/// Everything one request's transactions share.
pub(super) struct Attempt<'a, O: Operation> {
    pub(super) engine: &'a Engine,
    pub(super) op: &'a O,
    pub(super) spec: &'static OpSpec,
    pub(super) req: &'a WriteRequest<'a>,
    pub(super) input: &'a O::Input,
    pub(super) claim: KeyClaim,
    pub(super) ctx: ExecCtx,
    pub(super) key_hash: String,
    pub(super) started: Instant,
}

impl<'a, O: Operation> Attempt<'a, O> {
    pub(super) fn new(engine: &'a Engine, op: &'a O, req: &'a WriteRequest<'a>, input: &'a O::Input) -> Self {
        let started = Instant::now();
        let spec = op.spec();
        // PLANTED BUG (`id-ignores-tenant`): every tenant's key maps to one id.
        let id_tenant = if planted::on(Bug::IdIgnoresTenant) { TenantId(uuid::Uuid::nil()) } else { req.tenant };
        let entity_id = deterministic_id(id_tenant, spec.name, req.key);
        let record = KeyRecord {
            tenant_id: req.tenant,
            idempotency_key: req.key.as_str().to_owned(),
            operation: spec.name.to_owned(),
            fingerprint: req.fingerprint.clone(),
            fingerprint_version: FINGERPRINT_VERSION,
            entity_id,
            response: None,
        };
        let claim = KeyClaim { record, wait: engine.config.inflight_wait };
        let ctx =
            ExecCtx { tenant: req.tenant, entity_id, now: engine.config.clock.rfc3339_now(), path: req.path.clone() };
        Self { engine, op, spec, req, input, claim, ctx, key_hash: req.key.hash_hex(), started }
    }

    pub(super) fn elapsed_ms(&self) -> i64 {
        self.started.elapsed().as_millis() as i64
    }

    /// The replay fast path: the stored response of this very request, if
    /// its key is complete, with its `replayed` audit row, in one statement.
    pub(super) async fn replay_completed(&self) -> Option<StoredResponse> {
        let row = self.audit(AuditStatus::Replayed, 0, 0, None);
        match self.engine.store.replay_completed(&self.claim.record, &row).await {
            Ok(found) => found,
            Err(e) => {
                tracing::debug!(operation = self.spec.name, error = %e, "replay fast path failed");
                None
            }
        }
    }

    /// The transaction, retried (bounded) on serialization failure or deadlock.
    pub(super) async fn run(&self) -> Result<Decided, StoreError> {
        let config = &self.engine.config;
        let mut n = 1;
        loop {
            match self.once().await {
                Err(StoreError::Retryable(m)) if n < config.tx_attempts_max => {
                    tracing::debug!(operation = self.spec.name, attempt = n, error = %m, "retrying transaction");
                    tokio::time::sleep(config.tx_retry_backoff * n).await;
                    n += 1;
                }
                other => return other,
            }
        }
    }

    async fn once(&self) -> Result<Decided, StoreError> {
        let mut tx = self.engine.store.begin().await?;
        match self.decide(&mut tx).await {
            Ok((decided, TxEnd::Commit)) => {
                tx.commit().await.inspect_err(|_| reach::point("engine.commit_failed"))?;
                // The acknowledgement may be lost from here on: the
                // client's retry must replay, never re-execute.
                crate::fault::stall("after_commit_before_response").await;
                Ok(decided)
            }
            Ok((decided, TxEnd::Rollback)) => {
                tx.rollback().await?;
                Ok(decided)
            }
            Err(e) => {
                // The transaction failed: roll back (a failure to do so is
                // harmless, the database aborts it when the connection goes).
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    async fn decide(&self, tx: &mut Box<dyn Tx>) -> Result<(Decided, TxEnd), StoreError> {
        match Decision::from_claim(tx.claim_key(&self.claim).await?, &self.claim.record)? {
            Decision::InFlight => {
                reach::point("engine.same_key_waiter_timed_out");
                Ok((Decided::of(WriteOutcome::InFlight, AuditStatus::Conflict, 0), TxEnd::Rollback))
            }
            Decision::Replay(mut resp) => {
                if resp.status >= 400 {
                    reach::point("engine.stored_refusal_replayed");
                }
                if planted::on(Bug::RefusalReplayedAsSuccess) && resp.status >= 400 {
                    // PLANTED BUG (`refusal-replayed-200`).
                    resp.status = 200;
                }
                tx.insert_audit(&self.audit(AuditStatus::Replayed, resp.status, 0, None)).await?;
                Ok((Decided::of(WriteOutcome::Replayed(resp), AuditStatus::Replayed, 0), TxEnd::Commit))
            }
            Decision::Mismatch(existing) if planted::on(Bug::FingerprintIgnored) => {
                // PLANTED BUG (`fingerprint-ignored`): the first payload's answer.
                let resp = existing.response.ok_or_else(|| StoreError::Other("planted: no response".into()))?;
                tx.insert_audit(&self.audit(AuditStatus::Replayed, resp.status, 0, None)).await?;
                Ok((Decided::of(WriteOutcome::Replayed(resp), AuditStatus::Replayed, 0), TxEnd::Commit))
            }
            Decision::Mismatch(existing) => {
                reach::point("engine.mismatch_refused");
                let msg = format!("key first used for {}; fingerprint differs", existing.operation);
                let status = self.engine.responses.status(Refusal::Mismatch);
                tx.insert_audit(&self.audit(AuditStatus::Mismatch, status, 0, Some(("mismatch", msg)))).await?;
                Ok((Decided::of(WriteOutcome::Mismatch, AuditStatus::Mismatch, 0), TxEnd::Commit))
            }
            Decision::Execute => {
                // Another same-key request now waits on this claim.
                crate::fault::stall("between_claim_and_execute").await;
                self.execute_claimed(tx).await
            }
        }
    }

    async fn execute_claimed(&self, tx: &mut Box<dyn Tx>) -> Result<(Decided, TxEnd), StoreError> {
        let plan = match self.op.plan(&mut **tx, &self.ctx, self.input).await? {
            Ok(plan) => plan,
            Err(rejection) => {
                let resp = self.engine.responses.rejection(&rejection);
                // PLANTED BUG (`store-missing-reference`): stored like a rule's refusal.
                if !rejection.definitive() && !planted::on(Bug::StoreMissingReference) {
                    reach::point("engine.transient_refusal_not_stored");
                    return Ok((Decided::of(WriteOutcome::Rejected(resp), AuditStatus::Rejected, 0), TxEnd::Rollback));
                }
                let row = self.audit(AuditStatus::Rejected, resp.status, 0, Some((rejection.code, rejection.detail)));
                tx.write_all(&self.write_set(&[], &[], &[], &resp, &row)).await?;
                return Ok((Decided::of(WriteOutcome::Executed(resp), AuditStatus::Rejected, 0), TxEnd::Commit));
            }
        };
        let workflows = workflow_rows(self.spec.name, &self.ctx, &plan);
        let wf = workflows.len() as i32;
        // PLANTED BUG (`audit-new-as-replayed`).
        let status = if planted::on(Bug::AuditNewAsReplayed) { AuditStatus::Replayed } else { AuditStatus::New };
        let row = self.audit(status, plan.response.status, wf, None);
        match tx.write_all(&self.write_set(&plan.inserts, &plan.updates, &workflows, &plan.response, &row)).await {
            Ok(()) => Ok((Decided::of(WriteOutcome::Executed(plan.response), AuditStatus::New, wf), TxEnd::Commit)),
            // The deterministic id is taken: this key executed once before
            // and its record has expired. Never a second execution; nothing
            // is stored (the transaction rolls back).
            Err(StoreError::Duplicate(_)) => {
                reach::point("engine.id_taken_after_expiry");
                let resp = self.engine.responses.expired_key();
                Ok((Decided::of(WriteOutcome::Rejected(resp), AuditStatus::Rejected, 0), TxEnd::Rollback))
            }
            Err(e) => Err(e),
        }
    }

    /// Everything the claimed key's transaction writes, completing the key
    /// with `response`.
    fn write_set<'w>(
        &'w self,
        inserts: &'w [crate::store::Entity],
        updates: &'w [crate::store::Entity],
        workflows: &'w [WorkflowInstance],
        response: &'w StoredResponse,
        audit: &'w crate::store::AuditRecord,
    ) -> WriteSet<'w> {
        WriteSet {
            inserts,
            updates,
            workflows,
            // PLANTED BUG (`key-left-incomplete`): the key keeps no response.
            complete: (!planted::on(Bug::KeyLeftIncomplete)).then_some((
                self.req.tenant,
                self.req.key.as_str(),
                response,
            )),
            audit,
        }
    }

    pub(super) fn log(&self, outcome: &str, status: u16) {
        tracing::info!(
            request_id = %self.req.request_id,
            tenant = %self.req.tenant,
            operation = self.spec.name,
            key_hash = &self.key_hash[..16],
            outcome,
            status,
            duration_ms = self.elapsed_ms(),
            "idempotent write"
        );
    }
}

/// The outbox rows a plan triggers: one per workflow, ids derived from the
/// entity id and the workflow's name.
pub(super) fn workflow_rows(operation: &str, ctx: &ExecCtx, plan: &Plan) -> Vec<WorkflowInstance> {
    plan.workflows
        .iter()
        .map(|name| WorkflowInstance {
            // PLANTED BUG (`random-workflow-id`).
            id: if planted::on(Bug::RandomWorkflowId) {
                uuid::Uuid::new_v4()
            } else {
                workflow_id(ctx.entity_id, name)
            },
            tenant_id: ctx.tenant,
            workflow_name: (*name).to_owned(),
            trigger_entity_id: ctx.entity_id,
            operation_name: operation.to_owned(),
            payload: serde_json::to_string(&serde_json::json!({ "entity_id": ctx.entity_id }))
                .expect("json! always serialises"),
        })
        .collect()
}
