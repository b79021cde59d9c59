//! A deliberately broken engine for the harness's self-test: the key is
//! checked outside the transaction (check-then-act), the entity id is
//! minted per execution and the key is recorded in a second transaction
//! after the write commits. Concurrent duplicates and crashes between the
//! two transactions execute twice. Never enabled outside that test.

use uuid::Uuid;

use super::attempt::{workflow_rows, Attempt};
use super::{Engine, EngineError, WriteOutcome, WriteRequest};
use crate::ops::{ExecCtx, Operation};
use crate::store::{AuditStatus, Claim, KeyClaim, StoreError, WriteSet};

pub(super) async fn execute<O: Operation>(
    engine: &Engine,
    op: &O,
    req: &WriteRequest<'_>,
    input: &O::Input,
) -> Result<WriteOutcome, EngineError> {
    let attempt = Attempt::new(engine, op, req, input);
    let spec = attempt.spec;
    let existing = engine.store.get_key(req.tenant, req.key.as_str()).await.map_err(EngineError::from_store)?;
    if let Some(rec) = existing {
        if rec.fingerprint != req.fingerprint || rec.operation != spec.name {
            return Ok(WriteOutcome::Mismatch);
        }
        return Ok(rec.response.map(WriteOutcome::Replayed).unwrap_or(WriteOutcome::InFlight));
    }
    crate::fault::stall("broken_between_check_and_act").await;
    let ctx = ExecCtx { entity_id: Uuid::new_v4(), ..attempt.ctx.clone() };
    let run = async {
        let mut tx = engine.store.begin().await?;
        let plan = match op.plan(&mut *tx, &ctx, input).await? {
            Ok(plan) => plan,
            Err(rejection) => {
                tx.rollback().await?;
                return Ok(WriteOutcome::Rejected(engine.responses.rejection(&rejection)));
            }
        };
        let workflows = workflow_rows(spec.name, &ctx, &plan);
        let (resp, wf) = (plan.response.clone(), workflows.len() as i32);
        let audit = crate::store::AuditRecord {
            deterministic_id: ctx.entity_id,
            duration_ms: 0,
            ..attempt.audit(AuditStatus::New, resp.status, wf, None)
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
        crate::fault::stall("broken_between_commits").await;
        let mut tx = engine.store.begin().await?;
        let record = crate::store::KeyRecord { entity_id: ctx.entity_id, ..attempt.claim.record.clone() };
        match tx.claim_key(&KeyClaim { record, wait: engine.config.inflight_wait }).await? {
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
