//! What the checker found wrong, one variant per property. Tests and tools
//! match on the variant; the text is for people.

use std::fmt;

use serde::Serialize;
use uuid::Uuid;

use crate::history::Outcome;

/// The idempotency key a violation is about, as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct KeyRef {
    pub tenant: Uuid,
    pub operation: String,
    pub key: String,
}

/// One broken property with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "property", rename_all = "snake_case")]
pub enum Violation {
    /// More than one `new` audit row for one key. The audit log stores the
    /// key's hash only.
    DuplicateExecution { tenant: Uuid, operation: String, key_hash: String, new_rows: u64 },
    /// A `new` audit row whose entity (its deterministic id) was not committed.
    ExecutionWithoutEntity { tenant: Uuid, operation: String, entity: Uuid },
    /// An execution without one of its operation's workflows in the outbox.
    OutboxMissing { operation: String, entity: Uuid, workflow: String },
    /// An outbox row no execution of an operation with that workflow explains.
    OutboxWithoutExecution { workflow: String, entity: Uuid },
    /// An outbox row whose id is not the workflow's deterministic id.
    WrongWorkflowId { workflow: String, entity: Uuid, id: Uuid, expected: Uuid },
    /// One entity triggered one workflow twice.
    OutboxTriggeredTwice { workflow: String, entity: Uuid },
    /// A committed workflow never reached the receiver, everything healed.
    WorkflowNotDelivered { workflow: String, id: Uuid },
    /// A workflow took effect at the receiver other than once (its
    /// deliveries did not all carry its id as `Idempotency-Key`).
    DeliveryEffectNotOnce { workflow: String, id: Uuid, effects: u32, keyed_by_id: bool },
    /// The receiver got a workflow no committed write triggered.
    DeliveredWithoutCommit { id: Uuid },
    /// The history holds an attempt of a request it never invoked.
    UnknownRequest { request: u64 },
    /// A 500 answer: the service failed instead of deciding.
    InternalError { request: u64, key: KeyRef },
    /// Two successes for one key differ in body or entity id.
    DifferentBodies { key: KeyRef, first: (u64, Option<Uuid>), other: (u64, Option<Uuid>) },
    /// An acknowledged entity id is not the key's deterministic id.
    WrongDeterministicId { key: KeyRef, id: Uuid, expected: Option<Uuid> },
    /// An acknowledged write is not in the final state.
    LostWrite { key: KeyRef, id: Uuid },
    /// An entity acknowledged to one tenant belongs to another.
    TenantIsolation { key: KeyRef, id: Uuid, owner: Uuid },
    /// A key reused with another payload was executed (answered 2xx).
    MismatchExecuted { key: KeyRef, answer: Outcome },
    /// A key reused with another payload was refused, but not as a mismatch.
    MismatchNotRefused { key: KeyRef, code: String },
    /// The same payload was refused as a mismatch (unstable fingerprint).
    SamePayloadRefused { key: KeyRef },
    /// A success answered with another status than 201 (first execution) or
    /// 200 (a replay, marked `Idempotent-Replayed: true`).
    WrongSuccessStatus { key: KeyRef, status: u16, replayed: bool },
    /// Two answers for one key each claimed to be its first execution.
    SecondFirstAnswer { key: KeyRef },
    /// One key's stored outcome answered differently: a success and a
    /// refusal, or refusals with other statuses, codes or bytes.
    AnswerChanged { key: KeyRef, first: String, other: String },
    /// A refusal that depends on state (a missing reference) was stored and
    /// replayed: the retry after the reference exists must execute.
    TransientRefusalReplayed { key: KeyRef, code: String },
    /// A key's first definitive answer was `idempotency_key_expired`.
    ExpiredFreshKey { key: KeyRef },
    /// A key a client saw succeed has no `new` audit row.
    ExecutionNotAudited { key: KeyRef },
    /// A key a client saw succeed has no completed key record.
    KeyRecordMissing { key: KeyRef },
    /// The key record's stored response is not the acknowledged one.
    StoredResponseDiffers { key: KeyRef, status: u16 },
    /// The key record's fingerprint is not the first payload's.
    StoredFingerprintNotFirst { key: KeyRef },
    /// A success carried no entity id, so the write cannot be looked up.
    AcknowledgedWithoutId { key: KeyRef },
    /// A key record committed without its response: the key is stuck.
    StuckKey { tenant: Uuid, operation: String, key: String },
    /// A request never got a definitive answer.
    Abandoned { request: u64, key: Option<KeyRef> },
    /// A payment body lacks the fields the ledger check reads.
    PaymentUnreadable { payment: Uuid },
    /// An invoice's paid amount is not the sum of its payments, or exceeds its total.
    InvoicePaidWrongly { invoice: Uuid, recorded: i64, payments_sum: i64, total: i64 },
    /// The service's ledger verifier found an unbalanced tenant-currency, an
    /// unbalanced posting or a malformed line.
    LedgerUnbalanced { unbalanced_balances: u64, unbalanced_postings: u64, malformed: u64 },
    /// A payment's refunds exceed it, or do not sum to what it records.
    RefundsExceedPayment { payment: Uuid, amount: i64, recorded: i64, refunds_sum: i64 },
    /// A ledger line dated in a period whose close committed before it.
    PostedIntoClosedPeriod { tenant: Uuid, period: String, source: Uuid, line: Uuid },
    /// A figure the scenario's documentation promises (its `[expect]`).
    ClaimBroken { claim: String, bound: String, got: u64 },
}

impl Violation {
    /// A stable name of the property, for reports and grouping.
    pub fn property(&self) -> &'static str {
        match self {
            Self::DuplicateExecution { .. } => "duplicate_execution",
            Self::ExecutionWithoutEntity { .. } => "execution_without_entity",
            Self::OutboxMissing { .. } => "outbox_missing",
            Self::OutboxWithoutExecution { .. } => "outbox_without_execution",
            Self::WrongWorkflowId { .. } => "wrong_workflow_id",
            Self::OutboxTriggeredTwice { .. } => "outbox_triggered_twice",
            Self::WorkflowNotDelivered { .. } => "workflow_not_delivered",
            Self::DeliveryEffectNotOnce { .. } => "delivery_effect_not_once",
            Self::DeliveredWithoutCommit { .. } => "delivered_without_commit",
            Self::UnknownRequest { .. } => "unknown_request",
            Self::InternalError { .. } => "internal_error",
            Self::DifferentBodies { .. } => "different_bodies",
            Self::WrongDeterministicId { .. } => "wrong_deterministic_id",
            Self::LostWrite { .. } => "lost_write",
            Self::TenantIsolation { .. } => "tenant_isolation",
            Self::MismatchExecuted { .. } => "mismatch_executed",
            Self::MismatchNotRefused { .. } => "mismatch_not_refused",
            Self::SamePayloadRefused { .. } => "same_payload_refused",
            Self::WrongSuccessStatus { .. } => "wrong_success_status",
            Self::SecondFirstAnswer { .. } => "second_first_answer",
            Self::AnswerChanged { .. } => "answer_changed",
            Self::TransientRefusalReplayed { .. } => "transient_refusal_replayed",
            Self::ExpiredFreshKey { .. } => "expired_fresh_key",
            Self::ExecutionNotAudited { .. } => "execution_not_audited",
            Self::KeyRecordMissing { .. } => "key_record_missing",
            Self::StoredResponseDiffers { .. } => "stored_response_differs",
            Self::StoredFingerprintNotFirst { .. } => "stored_fingerprint_not_first",
            Self::AcknowledgedWithoutId { .. } => "acknowledged_without_id",
            Self::StuckKey { .. } => "stuck_key",
            Self::Abandoned { .. } => "abandoned",
            Self::PaymentUnreadable { .. } => "payment_unreadable",
            Self::InvoicePaidWrongly { .. } => "invoice_paid_wrongly",
            Self::LedgerUnbalanced { .. } => "ledger_unbalanced",
            Self::RefundsExceedPayment { .. } => "refunds_exceed_payment",
            Self::PostedIntoClosedPeriod { .. } => "posted_into_closed_period",
            Self::ClaimBroken { .. } => "scenario_claim_broken",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateExecution { tenant, operation, key_hash, new_rows } => write!(
                f,
                "duplicate execution: {new_rows} `new` audit rows for tenant {tenant} operation {operation} key sha256:{}",
                key_hash.get(..12).unwrap_or(key_hash)
            ),
            Self::ExecutionWithoutEntity { operation, entity, .. } => {
                write!(f, "{operation} executed (a `new` audit row) but its entity {entity} was not committed")
            }
            Self::OutboxMissing { operation, entity, workflow } => {
                write!(f, "outbox: {operation} {entity} executed without its {workflow} workflow")
            }
            Self::OutboxWithoutExecution { workflow, entity } => {
                write!(f, "outbox: {workflow} for {entity}, which no execution triggers")
            }
            Self::WrongWorkflowId { workflow, entity, id, expected } => {
                write!(f, "outbox: {workflow} for {entity} has id {id}, not the deterministic {expected}")
            }
            Self::OutboxTriggeredTwice { workflow, entity } => {
                write!(f, "outbox: workflow {workflow} triggered twice by {entity}")
            }
            Self::WorkflowNotDelivered { workflow, id } => {
                write!(f, "delivery: committed workflow {workflow} {id} never reached the receiver")
            }
            Self::DeliveryEffectNotOnce { workflow, id, effects, keyed_by_id } => write!(
                f,
                "delivery: workflow {workflow} {id} took effect {effects} times (keyed by its id: {keyed_by_id})"
            ),
            Self::DeliveredWithoutCommit { id } => {
                write!(f, "delivery: the receiver got workflow {id}, which no committed write triggered")
            }
            Self::UnknownRequest { request } => write!(f, "attempt for unknown request {request}"),
            Self::InternalError { request, key } => {
                write!(f, "internal error (500) for request {request} ({} {})", key.operation, key.key)
            }
            Self::DifferentBodies { key, .. } => {
                write!(f, "key {} of tenant {}: successes with different bodies or ids", key.key, key.tenant)
            }
            Self::WrongDeterministicId { key, id, .. } => {
                write!(f, "key {}: entity id {id} is not the deterministic id", key.key)
            }
            Self::LostWrite { key, id } => {
                write!(f, "lost acknowledged write: {} {id} (key {})", key.operation, key.key)
            }
            Self::TenantIsolation { key, id, owner } => {
                write!(f, "tenant isolation: {id} acknowledged to {} belongs to {owner}", key.tenant)
            }
            Self::MismatchExecuted { key, answer } => {
                write!(f, "key {} reused with another payload was answered {answer:?}", key.key)
            }
            Self::MismatchNotRefused { key, code } => {
                write!(f, "key {} reused with another payload was answered {code}, not a mismatch", key.key)
            }
            Self::SamePayloadRefused { key } => write!(f, "key {}: the same payload was refused as a mismatch", key.key),
            Self::WrongSuccessStatus { key, status, replayed } => write!(
                f,
                "key {}: a success answered {status} (replayed: {replayed}); first executions answer 201, replays 200",
                key.key
            ),
            Self::SecondFirstAnswer { key } => {
                write!(f, "key {}: two answers each claimed to be the first execution", key.key)
            }
            Self::AnswerChanged { key, first, other } => {
                write!(f, "key {}: answered {first}, later {other}", key.key)
            }
            Self::TransientRefusalReplayed { key, code } => {
                write!(f, "key {}: the state-dependent refusal {code} was stored and replayed", key.key)
            }
            Self::ExpiredFreshKey { key } => write!(f, "key {}: first answered idempotency_key_expired", key.key),
            Self::ExecutionNotAudited { key } => {
                write!(f, "{} key {}: acknowledged without a `new` audit row", key.operation, key.key)
            }
            Self::KeyRecordMissing { key } => {
                write!(f, "{} key {}: acknowledged without a completed key record", key.operation, key.key)
            }
            Self::StoredResponseDiffers { key, status } => {
                write!(f, "key {}: the stored response ({status}) is not the acknowledged one", key.key)
            }
            Self::StoredFingerprintNotFirst { key } => {
                write!(f, "key {}: the stored fingerprint is not the first payload's", key.key)
            }
            Self::AcknowledgedWithoutId { key } => {
                write!(f, "{} key {}: acknowledged without an entity id", key.operation, key.key)
            }
            Self::StuckKey { key, .. } => write!(f, "key {key} committed without a response (stuck)"),
            Self::Abandoned { request, key } => match key {
                Some(k) => write!(
                    f,
                    "liveness: request {request} ({} key {}) never got a definitive answer",
                    k.operation, k.key
                ),
                None => write!(f, "liveness: request {request} (?) never got a definitive answer"),
            },
            Self::PaymentUnreadable { payment } => write!(f, "payment {payment} has no invoice_id/amount_cents"),
            Self::InvoicePaidWrongly { invoice, recorded, payments_sum, total } => write!(
                f,
                "invoice {invoice}: amount_paid_cents {recorded} but payments sum to {payments_sum} (total {total})"
            ),
            Self::LedgerUnbalanced { unbalanced_balances, unbalanced_postings, malformed } => write!(
                f,
                "ledger: {unbalanced_balances} unbalanced tenant-currencies, {unbalanced_postings} unbalanced postings, {malformed} malformed lines"
            ),
            Self::RefundsExceedPayment { payment, amount, recorded, refunds_sum } => write!(
                f,
                "payment {payment} of {amount} cents records {recorded} refunded but its refunds sum to {refunds_sum}"
            ),
            Self::PostedIntoClosedPeriod { tenant, period, source, line } => write!(
                f,
                "tenant {tenant}: ledger line {line} of {source} posted into period {period} after its close committed"
            ),
            Self::ClaimBroken { claim, bound, got } => {
                write!(f, "the scenario promises {bound} {claim}; the run had {got}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_names_the_property_and_serialisation_tags_it() {
        let key = KeyRef { tenant: Uuid::nil(), operation: "create_invoice".into(), key: "k1".into() };
        let v = Violation::DuplicateExecution {
            tenant: Uuid::nil(),
            operation: "create_invoice".into(),
            key_hash: "0123456789abcdef".into(),
            new_rows: 2,
        };
        assert_eq!(
            v.to_string(),
            format!("duplicate execution: 2 `new` audit rows for tenant {} operation create_invoice key sha256:0123456789ab", Uuid::nil())
        );
        let v = Violation::LostWrite { key: key.clone(), id: Uuid::nil() };
        assert_eq!(v.to_string(), format!("lost acknowledged write: create_invoice {} (key k1)", Uuid::nil()));
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["property"], v.property());
        assert_eq!(json["key"]["key"], "k1");
        let v = Violation::Abandoned { request: 7, key: Some(key) };
        assert_eq!(v.to_string(), "liveness: request 7 (create_invoice key k1) never got a definitive answer");
    }
}
