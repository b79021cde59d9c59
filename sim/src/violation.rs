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
    /// An operation's outbox rows are not its executions × its workflows.
    OutboxRowCount { operation: String, rows: u64, executions: u64, workflows: u64 },
    /// One entity triggered one workflow twice.
    OutboxTriggeredTwice { workflow: String, entity: Uuid },
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
}

impl Violation {
    /// A stable name of the property, for reports and grouping.
    pub fn property(&self) -> &'static str {
        match self {
            Self::DuplicateExecution { .. } => "duplicate_execution",
            Self::OutboxRowCount { .. } => "outbox_row_count",
            Self::OutboxTriggeredTwice { .. } => "outbox_triggered_twice",
            Self::UnknownRequest { .. } => "unknown_request",
            Self::InternalError { .. } => "internal_error",
            Self::DifferentBodies { .. } => "different_bodies",
            Self::WrongDeterministicId { .. } => "wrong_deterministic_id",
            Self::LostWrite { .. } => "lost_write",
            Self::TenantIsolation { .. } => "tenant_isolation",
            Self::MismatchExecuted { .. } => "mismatch_executed",
            Self::MismatchNotRefused { .. } => "mismatch_not_refused",
            Self::SamePayloadRefused { .. } => "same_payload_refused",
            Self::AcknowledgedWithoutId { .. } => "acknowledged_without_id",
            Self::StuckKey { .. } => "stuck_key",
            Self::Abandoned { .. } => "abandoned",
            Self::PaymentUnreadable { .. } => "payment_unreadable",
            Self::InvoicePaidWrongly { .. } => "invoice_paid_wrongly",
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
            Self::OutboxRowCount { operation, rows, executions, workflows } => {
                write!(f, "outbox: {rows} workflow rows for {operation} but {executions} executions × {workflows} workflows")
            }
            Self::OutboxTriggeredTwice { workflow, entity } => {
                write!(f, "outbox: workflow {workflow} triggered twice by {entity}")
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
