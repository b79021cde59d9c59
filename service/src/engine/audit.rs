//! The audit rows the engine writes (`new`, `replayed`, `mismatch`,
//! `rejected` in the write's transaction; `conflict` and `failed` on their
//! own; the fast path's `replayed` with its lookup), built in one place.

use super::attempt::Attempt;
use crate::ops::Operation;
use crate::store::{AuditRecord, AuditStatus};

impl<O: Operation> Attempt<'_, O> {
    /// This request's audit row. Raw keys are never stored: only their hash.
    pub(super) fn audit(
        &self,
        status: AuditStatus,
        http_status: u16,
        workflows_triggered: i32,
        error: Option<(&str, String)>,
    ) -> AuditRecord {
        let (error_type, error_message) = match error {
            Some((t, m)) => (Some(t.to_owned()), Some(m)),
            None => (None, None),
        };
        AuditRecord {
            company_id: self.req.tenant,
            operation_name: self.spec.name.to_owned(),
            idempotency_key_hash: self.key_hash.clone(),
            deterministic_id: self.ctx.entity_id,
            status,
            error_type,
            error_message,
            http_status,
            workflows_triggered,
            duration_ms: self.elapsed_ms(),
            request_id: self.req.request_id.clone(),
        }
    }
}
