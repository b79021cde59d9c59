//! The history checker: an oracle over the recorded history and the final
//! database state. Compiles in both builds, so real (stress) runs are
//! checked by the same code as simulated ones.
//!
//! What must hold, whatever faults happened:
//! - executions: at most one `new` audit row per (tenant, operation, key);
//!   exactly one, a completed key record and the entity for every key a
//!   client saw succeed; every `new` row's entity exists;
//! - the outbox, per execution: one row per workflow of the operation,
//!   with the deterministic workflow id; no row without an execution;
//! - every acknowledged (2xx) write is present, in its own tenant;
//! - answers: the first execution answers 201 and every replay 200 marked
//!   `Idempotent-Replayed`; one key never gets two first executions; every
//!   success for a key carries the same body and the deterministic id; a
//!   stored refusal replays with its status and bytes and never turns into
//!   a success (or the other way round); a refusal that depends on state
//!   (a missing reference) is never replayed; a key never first answers
//!   `idempotency_key_expired`;
//! - the key record keeps the first payload's fingerprint and exactly the
//!   response that was acknowledged;
//! - a key reused with another payload is answered 422
//!   `idempotency_key_mismatch` and never executes; the same payload is
//!   never refused as a mismatch (stable fingerprints);
//! - indeterminate attempts resolve to 0 or 1 effects, never 2;
//! - no internal errors (500), and every request finished (liveness);
//! - the books: the ledger balances per tenant and currency and per posting
//!   (the service's own verifier), invoices are paid exactly by their
//!   payments, refunds never exceed their payment.
//!
//! Ids and hashes are recomputed by `oracle` from their specification, not
//! by the service's functions.

use std::collections::{BTreeMap, BTreeSet};

use accubooks_service::ops::{Category, OpSpec, REGISTRY};
use accubooks_service::store::mem::MemState;
use accubooks_service::store::{AuditRecord, AuditStatus, Entity, KeyRecord, WorkflowInstance};
use serde::Serialize;
use uuid::Uuid;

use crate::history::{fnv1a, hash_bytes, HistoryData, Intent, Outcome, Request, FNV_OFFSET};
use crate::oracle;
use crate::scenario::Expect;
pub use crate::violation::{KeyRef, Violation};
use crate::workload::MISMATCH_CODE;

/// The refusal of a replay after the key's TTL (financial keys are kept as
/// tombstones that answer it).
pub const EXPIRED_CODE: &str = "idempotency_key_expired";

/// The committed state the checker reads.
#[derive(Debug, Clone, Default)]
pub struct FinalState {
    pub keys: Vec<KeyRecord>,
    pub entities: Vec<Entity>,
    pub workflows: Vec<WorkflowInstance>,
    pub audit: Vec<AuditRecord>,
    /// What the webhook receiver got, per workflow id, once everything had
    /// healed and the dispatchers had caught up (None: no receiver ran).
    pub received: Option<BTreeMap<Uuid, Received>>,
}

/// One workflow at the webhook receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Received {
    /// Deliveries that arrived (at least once is the dispatcher's promise).
    pub deliveries: u32,
    /// Times its effect was applied: once per distinct `Idempotency-Key`.
    pub effects: u32,
    /// Every delivery carried the workflow id as its `Idempotency-Key`.
    pub keyed_by_id: bool,
}

impl From<MemState> for FinalState {
    fn from(s: MemState) -> Self {
        Self {
            keys: s.keys.into_values().collect(),
            entities: s.entities.into_values().collect(),
            workflows: s.workflows.into_values().collect(),
            audit: s.audit,
            received: None,
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
        for (id, r) in self.received.iter().flatten() {
            h = fnv1a(id.as_bytes(), h);
            h = fnv1a(&r.deliveries.to_be_bytes(), h);
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
    /// Refusals of a missing reference (404, never stored).
    pub missing_reference_refusals: u64,
    /// Keys refused for a missing reference that later executed.
    pub executed_after_missing_reference: u64,
    /// Key strings sent by more than one tenant.
    pub keys_shared_across_tenants: u64,
    /// Executions of the keys the clients sent (reference data aside).
    pub workload_executions: u64,
    /// Attempts answered 409 (a same-key request still in flight).
    pub conflicts: u64,
    /// Writes refused because their period was closed (`period_closed`).
    pub closed_period_refusals: u64,
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

/// What the run allows that the checker must know of.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Keys expire within the run (a short TTL): the reaper deletes expired
    /// keys of operations that are not high-risk, so only high-risk keys
    /// must keep a record (their tombstone).
    pub keys_expire: bool,
}

pub fn check(history: &HistoryData, state: &FinalState) -> CheckReport {
    check_with(history, state, &CheckOptions::default())
}

pub fn check_with(history: &HistoryData, state: &FinalState, options: &CheckOptions) -> CheckReport {
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
    v.extend(execution_effects(state, &entities));
    v.extend(outbox_violations(state));
    if let Some(received) = &state.received {
        v.extend(delivery_violations(&state.workflows, received));
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
                r.stats.closed_period_refusals += u64::from(code == "period_closed");
            }
            Outcome::Info { reason } => {
                r.stats.indeterminate += 1;
                r.stats.conflicts += u64::from(reason == "http 409");
                info_requests.insert(q.id);
                if reason.starts_with("http 500") {
                    v.push(Violation::InternalError { request: q.id, key: key_ref(q) });
                }
            }
        }
        per_key.entry((q.tenant, q.key.clone())).or_default().push((q, &a.outcome));
    }

    let keys: BTreeMap<(Uuid, String), &KeyRecord> =
        state.keys.iter().map(|k| ((k.tenant_id.0, k.idempotency_key.clone()), k)).collect();
    let audit_new: BTreeSet<(Uuid, &str, &str)> = state
        .audit
        .iter()
        .filter(|a| a.status == AuditStatus::New)
        .map(|a| (a.company_id.0, a.operation_name.as_str(), a.idempotency_key_hash.as_str()))
        .collect();
    let mut tenants_per_key: BTreeMap<&str, BTreeSet<Uuid>> = BTreeMap::new();
    for ((tenant, key), attempts) in &per_key {
        tenants_per_key.entry(key.as_str()).or_default().insert(*tenant);
        let not_found = |q: &Request, code: &str| spec(&q.operation).is_some_and(|s| s.not_found.contains(&code));
        let refused_missing =
            attempts.iter().filter(|(q, o)| matches!(o, Outcome::Rejected { code, .. } if not_found(q, code))).count()
                as u64;
        r.stats.missing_reference_refusals += refused_missing;
        if refused_missing > 0 && attempts.iter().any(|(_, o)| matches!(o, Outcome::Ok { .. })) {
            r.stats.executed_after_missing_reference += 1;
        }
        let mut first_ok: Option<(u64, Option<Uuid>)> = None;
        // Another payload of this key executed. Once a key is reaped it is
        // forgotten: a payload whose first sending was refused (nothing
        // executed) may then execute as a fresh key, after which the key
        // holds that payload (still one execution per key: checked above).
        let executed_other = |q: &Request| {
            attempts.iter().any(|(p, o)| p.fingerprint != q.fingerprint && matches!(o, Outcome::Ok { .. }))
        };
        for (q, o) in attempts {
            let at = || key_ref(q);
            let forgotten = may_be_reaped(options, &q.operation);
            match o {
                Outcome::Ok { body_hash, entity_id, .. } => {
                    if q.intent == Intent::Mismatch && (!forgotten || executed_other(q)) {
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
                        let want = oracle::entity_id(*tenant, &q.operation, key);
                        if *id != want {
                            v.push(Violation::WrongDeterministicId { key: at(), id: *id, expected: Some(want) });
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
                Outcome::Rejected { status, code, .. }
                    if q.intent == Intent::Mismatch
                        && (code != MISMATCH_CODE || *status != 422)
                        // A reaped key's first payload is forgotten: its reuse
                        // is refused by what the request meets (a rule, or the
                        // taken id: expired), never executed (checked above).
                        && !may_be_reaped(options, &q.operation) =>
                {
                    v.push(Violation::MismatchNotRefused { key: at(), code: format!("{status} {code}") });
                }
                // The same payload must fingerprint the same way every time.
                Outcome::Rejected { code, .. }
                    if q.intent != Intent::Mismatch && code == MISMATCH_CODE && !(forgotten && executed_other(q)) =>
                {
                    v.push(Violation::SamePayloadRefused { key: at() });
                }
                _ => {}
            }
        }
        v.extend(answer_violations(attempts, options));
        v.extend(key_record_violations(
            *tenant,
            key,
            attempts,
            keys.get(&(*tenant, key.clone())).copied(),
            &audit_new,
            options,
        ));
    }

    r.stats.keys_shared_across_tenants = tenants_per_key.values().filter(|t| t.len() > 1).count() as u64;
    let sent: BTreeSet<KeyId> =
        history.requests.iter().map(|q| (q.tenant, q.operation.clone(), oracle::key_hash(&q.key))).collect();
    r.stats.workload_executions = new_rows.iter().filter(|(k, _)| sent.contains(*k)).map(|(_, n)| n).sum();

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

    v.extend(books::ledger_violations(&state.entities));
    v.extend(books::books_violations(&state.entities));
    v.extend(books::closed_period_violations(state));
    r.violations = v;
    r
}

/// The scenario's own claims (its `[expect]` table): each a bound on the
/// run's figures that its documentation promises.
pub fn claim_violations(expect: &Expect, stats: &CheckStats) -> Vec<Violation> {
    let mut v = Vec::new();
    let mut at_most = |claim: &str, bound: Option<u64>, got: u64| {
        if let Some(bound) = bound.filter(|b| got > *b) {
            v.push(Violation::ClaimBroken { claim: claim.to_owned(), bound: format!("at most {bound}"), got });
        }
    };
    at_most("indeterminate attempts", expect.indeterminate_max, stats.indeterminate);
    at_most("409 answers", expect.conflicts_max, stats.conflicts);
    if let Some(n) = expect.executions.filter(|n| *n != stats.workload_executions) {
        let got = stats.workload_executions;
        v.push(Violation::ClaimBroken {
            claim: "executions of the clients' keys".into(),
            bound: format!("exactly {n}"),
            got,
        });
    }
    if let Some(n) = expect.replays_min.filter(|n| stats.replayed < *n) {
        v.push(Violation::ClaimBroken { claim: "replays".into(), bound: format!("at least {n}"), got: stats.replayed });
    }
    v
}

fn spec(operation: &str) -> Option<&'static OpSpec> {
    REGISTRY.iter().copied().find(|s| s.name == operation)
}

/// Keys of `operation` may be deleted by the reaper within the run: keys
/// expire, and the operation is not high-risk (those keep a tombstone).
fn may_be_reaped(options: &CheckOptions, operation: &str) -> bool {
    options.keys_expire && spec(operation).is_some_and(|s| s.category != Category::HighRisk)
}

/// Every `new` audit row is an execution: its entity (the deterministic id
/// the row names) was committed with it.
fn execution_effects(state: &FinalState, entities: &BTreeMap<Uuid, &Entity>) -> Vec<Violation> {
    state
        .audit
        .iter()
        .filter(|a| a.status == AuditStatus::New && !entities.contains_key(&a.deterministic_id))
        .map(|a| Violation::ExecutionWithoutEntity {
            tenant: a.company_id.0,
            operation: a.operation_name.clone(),
            entity: a.deterministic_id,
        })
        .collect()
}

/// Per execution, the operation's workflows, each once, with its
/// deterministic id; nothing for what never executed.
fn outbox_violations(state: &FinalState) -> Vec<Violation> {
    let mut v = Vec::new();
    let executions: BTreeMap<Uuid, &str> = state
        .audit
        .iter()
        .filter(|a| a.status == AuditStatus::New)
        .map(|a| (a.deterministic_id, a.operation_name.as_str()))
        .collect();
    let mut rows: BTreeMap<(Uuid, &str), Vec<&WorkflowInstance>> = BTreeMap::new();
    for w in &state.workflows {
        rows.entry((w.trigger_entity_id, w.workflow_name.as_str())).or_default().push(w);
    }
    for (entity, operation) in &executions {
        for workflow in spec(operation).map_or(&[][..], |s| s.workflows) {
            if !rows.contains_key(&(*entity, *workflow)) {
                v.push(Violation::OutboxMissing {
                    operation: (*operation).to_owned(),
                    entity: *entity,
                    workflow: (*workflow).to_owned(),
                });
            }
        }
    }
    for ((entity, workflow), found) in &rows {
        if found.len() > 1 {
            v.push(Violation::OutboxTriggeredTwice { workflow: (*workflow).to_owned(), entity: *entity });
        }
        let expected = oracle::workflow_id(*entity, workflow);
        for w in found {
            let wanted = executions.get(entity).and_then(|op| spec(op)).is_some_and(|s| s.workflows.contains(workflow));
            if !wanted {
                v.push(Violation::OutboxWithoutExecution { workflow: (*workflow).to_owned(), entity: *entity });
            }
            if w.id != expected {
                v.push(Violation::WrongWorkflowId {
                    workflow: (*workflow).to_owned(),
                    entity: *entity,
                    id: w.id,
                    expected,
                });
            }
        }
    }
    v
}

/// After healing, every committed workflow reached the receiver at least
/// once, under its own id as `Idempotency-Key`, and took effect exactly
/// once; nothing arrived that no committed write triggered.
fn delivery_violations(workflows: &[WorkflowInstance], received: &BTreeMap<Uuid, Received>) -> Vec<Violation> {
    let mut v = Vec::new();
    let committed: BTreeMap<Uuid, &WorkflowInstance> = workflows.iter().map(|w| (w.id, w)).collect();
    for (id, w) in &committed {
        match received.get(id) {
            None => v.push(Violation::WorkflowNotDelivered { workflow: w.workflow_name.clone(), id: *id }),
            Some(r) if r.effects != 1 || !r.keyed_by_id => v.push(Violation::DeliveryEffectNotOnce {
                workflow: w.workflow_name.clone(),
                id: *id,
                effects: r.effects,
                keyed_by_id: r.keyed_by_id,
            }),
            Some(_) => {}
        }
    }
    for id in received.keys().filter(|id| !committed.contains_key(id)) {
        v.push(Violation::DeliveredWithoutCommit { id: *id });
    }
    v
}

/// What a definitive answer says about the key's stored outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stored {
    Success(u64),
    Refusal { status: u16, code: String, body_hash: u64 },
}

impl std::fmt::Display for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Success(h) => write!(f, "success (body {h:016x})"),
            Self::Refusal { status, code, body_hash } => write!(f, "{status} {code} (body {body_hash:016x})"),
        }
    }
}

/// The answers one key got for its own payload (not the mismatching ones):
/// one first execution at most, answered 201, replays answered 200 and
/// marked; one stored outcome (a success or a rule refusal) however often
/// it is asked; a refusal that depends on state is never replayed; no key
/// first answers that it expired.
fn answer_violations(attempts: &[(&Request, &Outcome)], options: &CheckOptions) -> Vec<Violation> {
    let mut v = Vec::new();
    let mut executed = 0u32;
    let mut stored: Option<Stored> = None;
    // An answer already given, or an attempt whose outcome the client
    // could not know (it may have executed): either makes a later
    // `idempotency_key_expired` possible.
    let mut may_have_executed = false;
    for (q, o) in attempts.iter() {
        if q.intent == Intent::Mismatch {
            may_have_executed |= o.is_definitive();
            continue;
        }
        let at = || key_ref(q);
        let rules = spec(&q.operation).map_or(&[][..], |s| s.rules);
        let not_found = spec(&q.operation).map_or(&[][..], |s| s.not_found);
        let this = match o {
            Outcome::Info { .. } => {
                may_have_executed = true;
                continue;
            }
            Outcome::Ok { status, replayed, body_hash, .. } => {
                let wanted = if *replayed { 200 } else { 201 };
                if *status != wanted {
                    v.push(Violation::WrongSuccessStatus { key: at(), status: *status, replayed: *replayed });
                }
                if !*replayed {
                    executed += 1;
                    if executed == 2 {
                        v.push(Violation::SecondFirstAnswer { key: at() });
                    }
                }
                Some(Stored::Success(*body_hash))
            }
            Outcome::Rejected { status, replayed, code, body_hash } => {
                if *replayed && not_found.contains(&code.as_str()) {
                    v.push(Violation::TransientRefusalReplayed { key: at(), code: code.clone() });
                }
                if code == EXPIRED_CODE && !may_have_executed {
                    v.push(Violation::ExpiredFreshKey { key: at() });
                }
                rules.contains(&code.as_str()).then(|| Stored::Refusal {
                    status: *status,
                    code: code.clone(),
                    body_hash: *body_hash,
                })
            }
        };
        may_have_executed = true;
        let Some(this) = this else { continue };
        if may_be_reaped(options, &q.operation) {
            // Reaped, the key is forgotten: a later answer may differ (never
            // by executing again: one `new` row per key is checked apart).
            continue;
        }
        match &stored {
            None => stored = Some(this),
            // Two successes with other bodies are `DifferentBodies`, reported above.
            Some(Stored::Success(_)) if matches!(this, Stored::Success(_)) => {}
            Some(first) if *first != this => {
                v.push(Violation::AnswerChanged { key: at(), first: first.to_string(), other: this.to_string() });
            }
            Some(_) => {}
        }
    }
    v
}

/// An executed key (a client saw it succeed) has exactly one `new` audit
/// row and a completed key record; the record holds the first payload's
/// fingerprint and exactly the answer that was acknowledged.
fn key_record_violations(
    tenant: Uuid,
    key: &str,
    attempts: &[(&Request, &Outcome)],
    record: Option<&KeyRecord>,
    audit_new: &BTreeSet<(Uuid, &str, &str)>,
    options: &CheckOptions,
) -> Vec<Violation> {
    let mut v = Vec::new();
    let own = || attempts.iter().filter(|(q, _)| q.intent != Intent::Mismatch);
    let acknowledged = own().find_map(|(q, o)| match o {
        Outcome::Ok { body_hash, .. } => Some((*q, *body_hash)),
        _ => None,
    });
    if let Some((q, body_hash)) = acknowledged {
        let hash = oracle::key_hash(key);
        if !audit_new.contains(&(tenant, q.operation.as_str(), hash.as_str())) {
            v.push(Violation::ExecutionNotAudited { key: key_ref(q) });
        }
        if may_be_reaped(options, &q.operation) {
            // Its record may be gone, or a later reuse's.
            return v;
        }
        match record.and_then(|r| r.response.as_ref().map(|resp| (r, resp))) {
            None => v.push(Violation::KeyRecordMissing { key: key_ref(q) }),
            Some((_, resp)) if !resp.body.contains(EXPIRED_CODE) && hash_bytes(resp.body.as_bytes()) != body_hash => {
                v.push(Violation::StoredResponseDiffers { key: key_ref(q), status: resp.status })
            }
            Some(_) => {}
        }
    }
    if let (Some(first), Some(record)) = (own().map(|(q, _)| *q).next(), record) {
        if may_be_reaped(options, &first.operation) {
            return v;
        }
        if record.fingerprint != first.fingerprint {
            v.push(Violation::StoredFingerprintNotFirst { key: key_ref(first) });
        }
    }
    v
}

/// The key a history request was sent with.
pub fn key_ref(q: &Request) -> KeyRef {
    KeyRef { tenant: q.tenant, operation: q.operation.clone(), key: q.key.clone() }
}

/// The books' properties: the ledger, payments, refunds, closed periods.
mod books;

#[cfg(test)]
mod tests;
