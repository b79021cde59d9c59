//! The history checker: an oracle over the recorded history and the final
//! database state. Compiles in both builds, so real (stress) runs are
//! checked by the same code as simulated ones.
//!
//! What must hold, whatever faults happened:
//! - per (tenant, operation, key): at most one `new` audit row, one entity,
//!   and exactly the operation's outbox rows;
//! - every acknowledged (2xx) write is present, in its own tenant;
//! - every success for a key carries the same body and entity id, and that
//!   id is the deterministic id;
//! - a key reused with another payload never executed, and the same
//!   payload is never refused as a mismatch (stable fingerprints);
//! - indeterminate attempts resolve to 0 or 1 effects, never 2;
//! - no internal errors (500), and every request finished (liveness);
//! - invoices are paid exactly by the sum of their payments.

use std::collections::{BTreeMap, BTreeSet};

use accubooks_service::domain::ids::TenantId;
use accubooks_service::idempotency::deterministic_id;
use accubooks_service::idempotency::key::IdempotencyKey;
use accubooks_service::ops::REGISTRY;
use accubooks_service::store::mem::MemState;
use accubooks_service::store::{AuditRecord, AuditStatus, Entity, KeyRecord, WorkflowInstance};
use serde::Serialize;
use uuid::Uuid;

use crate::history::{fnv1a, HistoryData, Intent, Outcome, Request, FNV_OFFSET};
pub use crate::violation::{KeyRef, Violation};
use crate::workload::MISMATCH_CODE;

/// The committed state the checker reads.
#[derive(Debug, Clone, Default)]
pub struct FinalState {
    pub keys: Vec<KeyRecord>,
    pub entities: Vec<Entity>,
    pub workflows: Vec<WorkflowInstance>,
    pub audit: Vec<AuditRecord>,
}

impl From<MemState> for FinalState {
    fn from(s: MemState) -> Self {
        Self {
            keys: s.keys.into_values().collect(),
            entities: s.entities.into_values().collect(),
            workflows: s.workflows.into_values().collect(),
            audit: s.audit,
        }
    }
}

impl FinalState {
    /// A hash of everything committed, for the trace hash.
    pub fn hash(&self) -> u64 {
        let mut h = FNV_OFFSET;
        for k in &self.keys {
            h = fnv1a(k.idempotency_key.as_bytes(), h);
            h = fnv1a(k.fingerprint.as_bytes(), h);
            h = fnv1a(k.response.as_ref().map_or(&b""[..], |r| r.body.as_bytes()), h);
        }
        for e in &self.entities {
            h = fnv1a(e.body.as_bytes(), h);
        }
        for w in &self.workflows {
            h = fnv1a(w.id.as_bytes(), h);
        }
        for a in &self.audit {
            h = fnv1a(a.status.as_str().as_bytes(), h);
            h = fnv1a(a.deterministic_id.as_bytes(), h);
        }
        h
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckStats {
    pub requests: u64,
    pub attempts: u64,
    pub ok: u64,
    pub replayed: u64,
    pub rejected: u64,
    pub mismatches: u64,
    /// Attempts whose outcome the client could not know.
    pub indeterminate: u64,
    /// Requests with an indeterminate attempt whose write had already
    /// happened when the client finally learned the outcome (a replay).
    pub indeterminate_resolved_executed_once: u64,
    /// Requests with an indeterminate attempt that executed only on a later attempt.
    pub indeterminate_resolved_not_executed: u64,
    pub executions: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub violations: Vec<Violation>,
    pub duplicates: u64,
    pub lost: u64,
    pub stats: CheckStats,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.violations.is_empty()
    }
}

type KeyId = (Uuid, String, String); // (tenant, operation, key hash)

pub fn check(history: &HistoryData, state: &FinalState) -> CheckReport {
    let mut r = CheckReport::default();
    let mut v = Vec::new();
    let requests: BTreeMap<u64, _> = history.requests.iter().map(|q| (q.id, q)).collect();
    r.stats.requests = requests.len() as u64;
    r.stats.attempts = history.attempts.len() as u64;

    // Executions per key, from the audit log.
    let mut new_rows: BTreeMap<KeyId, u64> = BTreeMap::new();
    for a in state.audit.iter().filter(|a| a.status == AuditStatus::New) {
        *new_rows.entry((a.company_id.0, a.operation_name.clone(), a.idempotency_key_hash.clone())).or_default() += 1;
    }
    r.stats.executions = new_rows.values().sum();
    for (k, n) in &new_rows {
        if *n > 1 {
            r.duplicates += n - 1;
            v.push(Violation::DuplicateExecution {
                tenant: k.0,
                operation: k.1.clone(),
                key_hash: k.2.clone(),
                new_rows: *n,
            });
        }
    }

    let entities: BTreeMap<Uuid, &Entity> = state.entities.iter().map(|e| (e.id, e)).collect();

    // Outbox rows per operation must match executions × workflows.
    let mut wf_per_op: BTreeMap<&str, u64> = BTreeMap::new();
    for w in &state.workflows {
        *wf_per_op.entry(w.operation_name.as_str()).or_default() += 1;
    }
    for spec in REGISTRY {
        let executed: u64 = new_rows.iter().filter(|(k, _)| k.1 == spec.name).map(|(_, n)| n).sum();
        let want = executed * spec.workflows.len() as u64;
        let got = wf_per_op.get(spec.name).copied().unwrap_or(0);
        if got != want {
            v.push(Violation::OutboxRowCount {
                operation: spec.name.to_owned(),
                rows: got,
                executions: executed,
                workflows: spec.workflows.len() as u64,
            });
        }
    }
    let mut wf_ids = BTreeSet::new();
    for w in &state.workflows {
        if !wf_ids.insert((w.trigger_entity_id, w.workflow_name.clone())) {
            v.push(Violation::OutboxTriggeredTwice { workflow: w.workflow_name.clone(), entity: w.trigger_entity_id });
        }
    }

    // Per-key view of the history.
    let mut per_key: BTreeMap<(Uuid, String), Vec<(&Request, &Outcome)>> = BTreeMap::new();
    let mut info_requests = BTreeSet::new();
    for a in &history.attempts {
        let Some(q) = requests.get(&a.request) else {
            v.push(Violation::UnknownRequest { request: a.request });
            continue;
        };
        match &a.outcome {
            Outcome::Ok { replayed, .. } => {
                r.stats.ok += 1;
                r.stats.replayed += u64::from(*replayed);
            }
            Outcome::Rejected { code, .. } => {
                r.stats.rejected += 1;
                r.stats.mismatches += u64::from(code == MISMATCH_CODE);
            }
            Outcome::Info { reason } => {
                r.stats.indeterminate += 1;
                info_requests.insert(q.id);
                if reason.starts_with("http 500") {
                    v.push(Violation::InternalError { request: q.id, key: key_ref(q) });
                }
            }
        }
        per_key.entry((q.tenant, q.key.clone())).or_default().push((q, &a.outcome));
    }

    for ((tenant, key), attempts) in &per_key {
        let mut first_ok: Option<(u64, Option<Uuid>)> = None;
        for (q, o) in attempts {
            let at = || key_ref(q);
            match o {
                Outcome::Ok { body_hash, entity_id, .. } => {
                    if q.intent == Intent::Mismatch {
                        v.push(Violation::MismatchExecuted { key: at(), answer: (*o).clone() });
                    }
                    match first_ok {
                        None => first_ok = Some((*body_hash, *entity_id)),
                        Some(f) if f != (*body_hash, *entity_id) => {
                            v.push(Violation::DifferentBodies { key: at(), first: f, other: (*body_hash, *entity_id) })
                        }
                        _ => {}
                    }
                    if let Some(id) = entity_id {
                        let want =
                            IdempotencyKey::parse(key).map(|k| deterministic_id(TenantId(*tenant), &q.operation, &k));
                        if want.as_ref().ok() != Some(id) {
                            v.push(Violation::WrongDeterministicId { key: at(), id: *id, expected: want.ok() });
                        }
                        match entities.get(id) {
                            None => {
                                r.lost += 1;
                                v.push(Violation::LostWrite { key: at(), id: *id });
                            }
                            Some(e) if e.tenant_id.0 != *tenant => {
                                v.push(Violation::TenantIsolation { key: at(), id: *id, owner: e.tenant_id.0 })
                            }
                            _ => {}
                        }
                    }
                }
                Outcome::Rejected { code, .. } if q.intent == Intent::Mismatch && code != MISMATCH_CODE => {
                    v.push(Violation::MismatchNotRefused { key: at(), code: code.clone() });
                }
                // The same payload must fingerprint the same way every time.
                Outcome::Rejected { code, .. } if q.intent != Intent::Mismatch && code == MISMATCH_CODE => {
                    v.push(Violation::SamePayloadRefused { key: at() });
                }
                _ => {}
            }
        }
    }

    for k in &state.keys {
        if k.response.is_none() {
            v.push(Violation::StuckKey {
                tenant: k.tenant_id.0,
                operation: k.operation.clone(),
                key: k.idempotency_key.clone(),
            });
        }
    }

    // How indeterminate attempts resolved.
    for id in &info_requests {
        let final_replayed = history.attempts.iter().rev().find(|a| a.request == *id && a.outcome.is_definitive());
        match final_replayed.map(|a| &a.outcome) {
            Some(Outcome::Ok { replayed: true, .. }) | Some(Outcome::Rejected { replayed: true, .. }) => {
                r.stats.indeterminate_resolved_executed_once += 1
            }
            Some(_) => r.stats.indeterminate_resolved_not_executed += 1,
            None => {}
        }
    }

    for id in &history.abandoned {
        v.push(Violation::Abandoned { request: *id, key: requests.get(id).map(|q| key_ref(q)) });
    }

    v.extend(ledger_violations(&state.entities));
    r.violations = v;
    r
}

/// Domain invariant: an invoice's `amount_paid_cents` is the sum of its
/// payments and never exceeds its total.
fn ledger_violations(entities: &[Entity]) -> Vec<Violation> {
    let mut paid: BTreeMap<Uuid, i64> = BTreeMap::new();
    for e in entities.iter().filter(|e| e.kind == "payment") {
        let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
        let (Some(inv), Some(amount)) = (body["invoice_id"].as_str(), body["amount_cents"].as_i64()) else {
            return vec![Violation::PaymentUnreadable { payment: e.id }];
        };
        let inv: Uuid = inv.parse().unwrap_or_default();
        *paid.entry(inv).or_default() += amount;
    }
    let mut v = Vec::new();
    for e in entities.iter().filter(|e| e.kind == "invoice") {
        let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
        let recorded = body["amount_paid_cents"].as_i64().unwrap_or(-1);
        let total = body["total_cents"].as_i64().unwrap_or(-1);
        let sum = paid.get(&e.id).copied().unwrap_or(0);
        if recorded != sum || recorded > total {
            v.push(Violation::InvoicePaidWrongly { invoice: e.id, recorded, payments_sum: sum, total });
        }
    }
    v
}

/// The key a history request was sent with.
pub fn key_ref(q: &Request) -> KeyRef {
    KeyRef { tenant: q.tenant, operation: q.operation.clone(), key: q.key.clone() }
}
