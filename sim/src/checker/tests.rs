//! One test per property: a consistent world passes, and each test breaks
//! exactly one promise by hand and must see its violation reported.

use accubooks_service::domain::ids::TenantId;
use accubooks_service::store::{AuditRecord, AuditStatus, Entity, KeyRecord, StoredResponse, WorkflowInstance};
use uuid::Uuid;

use super::{check, FinalState, Received, Violation, EXPIRED_CODE};
use crate::history::{hash_bytes, Attempt, HistoryData, Intent, Outcome, Request};
use crate::oracle;
use crate::workload::MISMATCH_CODE;

const TENANT: Uuid = Uuid::from_u128(0xaaaa);
const OTHER_TENANT: Uuid = Uuid::from_u128(0xbbbb);
const INVOICE_KEY: &str = "inv-1";
const PAYMENT_KEY: &str = "pay-1";

/// A run in which every promise holds: an invoice created (201), replayed
/// (200) and refused as a mismatch for another payload; a payment refused by
/// a stored rule (`overpayment`) and that refusal replayed.
struct World {
    history: HistoryData,
    state: FinalState,
}

fn invoice_id() -> Uuid {
    oracle::entity_id(TENANT, "create_invoice", INVOICE_KEY)
}

fn invoice_body() -> String {
    format!(r#"{{"id":"{}","object":"invoice","total_cents":500,"amount_paid_cents":0}}"#, invoice_id())
}

fn overpayment_body() -> String {
    r#"{"type":"about:blank","status":422,"code":"overpayment"}"#.to_owned()
}

fn request(id: u64, operation: &str, key: &str, fingerprint: &str, intent: Intent) -> Request {
    Request {
        id,
        client: 0,
        tenant: TENANT,
        operation: operation.into(),
        key: key.into(),
        fingerprint: fingerprint.into(),
        intent,
    }
}

fn attempt(request: u64, outcome: Outcome) -> Attempt {
    Attempt { request, attempt: 1, node: 0, outcome, at_ms: 0 }
}

fn ok(status: u16, replayed: bool, body: &str, id: Uuid) -> Outcome {
    Outcome::Ok { status, replayed, body_hash: hash_bytes(body.as_bytes()), entity_id: Some(id) }
}

fn refused(status: u16, replayed: bool, code: &str, body: &str) -> Outcome {
    Outcome::Rejected { status, replayed, code: code.into(), body_hash: hash_bytes(body.as_bytes()) }
}

fn audit(operation: &str, key: &str, status: AuditStatus, http_status: u16) -> AuditRecord {
    AuditRecord {
        company_id: TenantId(TENANT),
        operation_name: operation.into(),
        idempotency_key_hash: oracle::key_hash(key),
        deterministic_id: oracle::entity_id(TENANT, operation, key),
        status,
        error_type: None,
        error_message: None,
        http_status,
        workflows_triggered: 0,
        duration_ms: 1,
        request_id: "r".into(),
    }
}

fn entity(id: Uuid, kind: &str, body: String) -> Entity {
    Entity { id, tenant_id: TenantId(TENANT), kind: kind.into(), parent_id: None, body, version: 1 }
}

fn workflow(entity: Uuid, name: &str, operation: &str) -> WorkflowInstance {
    WorkflowInstance {
        id: oracle::workflow_id(entity, name),
        tenant_id: TenantId(TENANT),
        workflow_name: name.into(),
        trigger_entity_id: entity,
        operation_name: operation.into(),
        payload: "{}".into(),
    }
}

fn key_record(operation: &str, key: &str, fingerprint: &str, status: u16, body: String) -> KeyRecord {
    KeyRecord {
        tenant_id: TenantId(TENANT),
        idempotency_key: key.into(),
        operation: operation.into(),
        fingerprint: fingerprint.into(),
        fingerprint_version: 1,
        entity_id: oracle::entity_id(TENANT, operation, key),
        response: Some(StoredResponse { status, body, location: None }),
    }
}

fn world() -> World {
    let id = invoice_id();
    let history = HistoryData {
        requests: vec![
            request(0, "create_invoice", INVOICE_KEY, "fp-invoice", Intent::Normal),
            request(1, "create_invoice", INVOICE_KEY, "fp-invoice", Intent::Reuse),
            request(2, "create_invoice", INVOICE_KEY, "fp-other", Intent::Mismatch),
            request(3, "record_payment", PAYMENT_KEY, "fp-payment", Intent::Normal),
            request(4, "record_payment", PAYMENT_KEY, "fp-payment", Intent::Reuse),
        ],
        attempts: vec![
            attempt(0, Outcome::Info { reason: "timeout".into() }),
            attempt(0, ok(201, false, &invoice_body(), id)),
            attempt(1, ok(200, true, &invoice_body(), id)),
            attempt(2, refused(422, false, MISMATCH_CODE, "{}")),
            attempt(3, refused(422, false, "overpayment", &overpayment_body())),
            attempt(4, refused(422, true, "overpayment", &overpayment_body())),
        ],
        abandoned: vec![],
    };
    let state = FinalState {
        keys: vec![
            key_record("create_invoice", INVOICE_KEY, "fp-invoice", 201, invoice_body()),
            key_record("record_payment", PAYMENT_KEY, "fp-payment", 422, overpayment_body()),
        ],
        entities: vec![entity(id, "invoice", invoice_body())],
        workflows: vec![workflow(id, "invoice_email", "create_invoice")],
        audit: vec![
            audit("create_invoice", INVOICE_KEY, AuditStatus::New, 201),
            audit("create_invoice", INVOICE_KEY, AuditStatus::Replayed, 200),
            audit("create_invoice", INVOICE_KEY, AuditStatus::Mismatch, 422),
            audit("record_payment", PAYMENT_KEY, AuditStatus::Rejected, 422),
            audit("record_payment", PAYMENT_KEY, AuditStatus::Replayed, 422),
        ],
        received: Some(
            [(oracle::workflow_id(id, "invoice_email"), Received { deliveries: 2, effects: 1, keyed_by_id: true })]
                .into(),
        ),
    };
    World { history, state }
}

/// The properties the report names; the world must report `property` (and
/// may report others that follow from the same break).
fn reported(w: &World) -> Vec<&'static str> {
    check(&w.history, &w.state).violations.iter().map(Violation::property).collect()
}

fn assert_reports(w: &World, property: &str) {
    let found = reported(w);
    assert!(found.contains(&property), "expected {property}, got {found:?}");
}

fn set_outcome(w: &mut World, index: usize, outcome: Outcome) {
    w.history.attempts[index].outcome = outcome;
}

#[test]
fn a_consistent_world_passes() {
    let w = world();
    let report = check(&w.history, &w.state);
    assert!(report.ok(), "{:#?}", report.violations);
    assert_eq!(report.stats.executions, 1);
    assert_eq!((report.duplicates, report.lost), (0, 0));
}

#[test]
fn two_new_rows_for_one_key_are_a_duplicate_execution() {
    let mut w = world();
    w.state.audit.push(audit("create_invoice", INVOICE_KEY, AuditStatus::New, 201));
    assert_reports(&w, "duplicate_execution");
    assert_eq!(check(&w.history, &w.state).duplicates, 1);
}

#[test]
fn an_acknowledged_key_without_a_new_row_is_reported() {
    let mut w = world();
    w.state.audit.retain(|a| a.status != AuditStatus::New);
    assert_reports(&w, "execution_not_audited");
}

#[test]
fn a_new_row_without_its_entity_is_reported() {
    let mut w = world();
    w.state.entities.clear();
    assert_reports(&w, "execution_without_entity");
    assert_reports(&w, "lost_write");
}

#[test]
fn an_acknowledged_key_without_its_record_is_reported() {
    let mut w = world();
    w.state.keys.retain(|k| k.idempotency_key != INVOICE_KEY);
    assert_reports(&w, "key_record_missing");
}

#[test]
fn a_stored_response_other_than_the_acknowledged_one_is_reported() {
    let mut w = world();
    w.state.keys[0].response.as_mut().unwrap().body = invoice_body().replace("500", "501");
    assert_reports(&w, "stored_response_differs");
    // An expired key's tombstone is not the acknowledged answer, and need not be.
    let mut w = world();
    w.state.keys[0].response.as_mut().unwrap().body = format!(r#"{{"code":"{EXPIRED_CODE}"}}"#);
    assert!(!reported(&w).contains(&"stored_response_differs"));
}

#[test]
fn a_stored_fingerprint_other_than_the_first_payloads_is_reported() {
    let mut w = world();
    w.state.keys[0].fingerprint = "fp-other".into();
    assert_reports(&w, "stored_fingerprint_not_first");
}

#[test]
fn an_execution_without_its_workflow_is_reported() {
    let mut w = world();
    w.state.workflows.clear();
    assert_reports(&w, "outbox_missing");
}

#[test]
fn a_workflow_no_execution_explains_is_reported() {
    let mut w = world();
    w.state.workflows.push(workflow(Uuid::from_u128(7), "invoice_email", "create_invoice"));
    assert_reports(&w, "outbox_without_execution");
}

#[test]
fn a_workflow_id_other_than_the_deterministic_one_is_reported() {
    let mut w = world();
    w.state.workflows[0].id = Uuid::from_u128(8);
    assert_reports(&w, "wrong_workflow_id");
}

#[test]
fn one_workflow_triggered_twice_is_reported() {
    let mut w = world();
    let again = w.state.workflows[0].clone();
    w.state.workflows.push(again);
    assert_reports(&w, "outbox_triggered_twice");
}

#[test]
fn a_first_execution_must_answer_201_and_a_replay_200() {
    let mut w = world();
    set_outcome(&mut w, 1, ok(200, false, &invoice_body(), invoice_id()));
    assert_reports(&w, "wrong_success_status");
    let mut w = world();
    set_outcome(&mut w, 2, ok(201, true, &invoice_body(), invoice_id()));
    assert_reports(&w, "wrong_success_status");
}

#[test]
fn a_replay_not_marked_as_one_is_a_second_first_answer() {
    let mut w = world();
    set_outcome(&mut w, 2, ok(201, false, &invoice_body(), invoice_id()));
    assert_reports(&w, "second_first_answer");
}

#[test]
fn a_stored_refusal_replayed_as_a_success_is_reported() {
    let mut w = world();
    set_outcome(&mut w, 5, ok(200, true, &overpayment_body(), Uuid::nil()));
    assert_reports(&w, "answer_changed");
}

#[test]
fn a_stored_refusal_replayed_with_other_bytes_is_reported() {
    let mut w = world();
    set_outcome(&mut w, 5, refused(422, true, "overpayment", r#"{"code":"overpayment","detail":"other"}"#));
    assert_reports(&w, "answer_changed");
}

#[test]
fn a_missing_reference_refusal_replayed_is_reported() {
    let mut w = world();
    w.history.requests.push(request(5, "record_payment", "pay-2", "fp-2", Intent::Normal));
    w.history.attempts.push(attempt(5, refused(404, false, "invoice_not_found", "{}")));
    assert!(reported(&w).is_empty(), "a 404 answered once is allowed");
    w.history.requests.push(request(6, "record_payment", "pay-2", "fp-2", Intent::Reuse));
    w.history.attempts.push(attempt(6, refused(404, true, "invoice_not_found", "{}")));
    assert_reports(&w, "transient_refusal_replayed");
}

#[test]
fn a_key_that_first_answers_expired_is_reported() {
    let mut w = world();
    w.history.requests.push(request(5, "record_payment", "pay-3", "fp-3", Intent::Normal));
    w.history.attempts.push(attempt(5, refused(422, false, EXPIRED_CODE, "{}")));
    assert_reports(&w, "expired_fresh_key");
}

#[test]
fn a_mismatch_must_be_refused_422_as_a_mismatch() {
    let mut w = world();
    set_outcome(&mut w, 3, refused(422, false, "overpayment", "{}"));
    assert_reports(&w, "mismatch_not_refused");
    let mut w = world();
    set_outcome(&mut w, 3, refused(400, false, MISMATCH_CODE, "{}"));
    assert_reports(&w, "mismatch_not_refused");
    let mut w = world();
    set_outcome(&mut w, 3, ok(200, true, &invoice_body(), invoice_id()));
    assert_reports(&w, "mismatch_executed");
}

#[test]
fn the_same_payload_refused_as_a_mismatch_is_reported() {
    let mut w = world();
    set_outcome(&mut w, 2, refused(422, false, MISMATCH_CODE, "{}"));
    assert_reports(&w, "same_payload_refused");
}

#[test]
fn an_id_that_ignores_the_tenant_is_reported() {
    // The id the oracle derives for another tenant's use of the same key
    // string: what a derivation that drops the tenant would hand out to both.
    let mut w = world();
    let shared = oracle::entity_id(OTHER_TENANT, "create_invoice", INVOICE_KEY);
    for i in [1, 2] {
        set_outcome(&mut w, i, ok(if i == 1 { 201 } else { 200 }, i == 2, &invoice_body(), shared));
    }
    assert_reports(&w, "wrong_deterministic_id");
}

#[test]
fn an_entity_acknowledged_to_another_tenant_is_reported() {
    let mut w = world();
    w.state.entities[0].tenant_id = TenantId(OTHER_TENANT);
    assert_reports(&w, "tenant_isolation");
}

#[test]
fn a_key_without_its_response_is_stuck() {
    let mut w = world();
    w.state.keys[1].response = None;
    assert_reports(&w, "stuck_key");
}

#[test]
fn internal_errors_and_abandoned_requests_are_reported() {
    let mut w = world();
    set_outcome(&mut w, 0, Outcome::Info { reason: "http 500".into() });
    assert_reports(&w, "internal_error");
    let mut w = world();
    w.history.abandoned.push(4);
    assert_reports(&w, "abandoned");
    let mut w = world();
    w.history.attempts.push(attempt(99, Outcome::Info { reason: "timeout".into() }));
    assert_reports(&w, "unknown_request");
}

#[test]
fn an_unbalanced_ledger_is_reported() {
    let mut w = world();
    let line = serde_json::json!({
        "id": Uuid::from_u128(11), "object": "ledger_line", "source_id": invoice_id(), "source_kind": "invoice",
        "line": 1, "date": "2026-01-01", "account": "accounts_receivable", "currency": "USD",
        "debit_cents": 500, "credit_cents": 0,
    });
    w.state.entities.push(entity(Uuid::from_u128(11), "ledger_line", line.to_string()));
    assert_reports(&w, "ledger_unbalanced");
}

#[test]
fn refunds_beyond_their_payment_are_reported() {
    let mut w = world();
    let payment = Uuid::from_u128(21);
    w.state.entities.push(entity(
        payment,
        "payment",
        format!(r#"{{"invoice_id":"{}","amount_cents":100,"amount_refunded_cents":100}}"#, Uuid::from_u128(99)),
    ));
    w.state.entities.push(entity(
        Uuid::from_u128(22),
        "refund",
        format!(r#"{{"payment_id":"{payment}","amount_cents":150}}"#),
    ));
    assert_reports(&w, "refunds_exceed_payment");
}

#[test]
fn an_invoice_paid_other_than_by_its_payments_is_reported() {
    let mut w = world();
    w.state.entities[0].body = invoice_body().replace(r#""amount_paid_cents":0"#, r#""amount_paid_cents":50"#);
    assert_reports(&w, "invoice_paid_wrongly");
}

#[test]
fn a_committed_workflow_never_delivered_is_reported() {
    let mut w = world();
    w.state.received.as_mut().unwrap().clear();
    assert_reports(&w, "workflow_not_delivered");
}

#[test]
fn a_workflow_that_took_effect_twice_is_reported() {
    let mut w = world();
    let id = oracle::workflow_id(invoice_id(), "invoice_email");
    w.state.received.as_mut().unwrap().insert(id, Received { deliveries: 2, effects: 2, keyed_by_id: false });
    assert_reports(&w, "delivery_effect_not_once");
}

#[test]
fn a_delivery_no_committed_write_triggered_is_reported() {
    let mut w = world();
    let stray = Received { deliveries: 1, effects: 1, keyed_by_id: true };
    w.state.received.as_mut().unwrap().insert(Uuid::from_u128(5), stray);
    assert_reports(&w, "delivered_without_commit");
}

fn expiring() -> super::CheckOptions {
    super::CheckOptions { keys_expire: true }
}

#[test]
fn with_keys_expiring_only_a_high_risk_key_must_keep_its_record() {
    // create_invoice is financial: the reaper may delete its key.
    let mut w = world();
    w.state.keys.retain(|k| k.idempotency_key != INVOICE_KEY);
    let found: Vec<_> =
        super::check_with(&w.history, &w.state, &expiring()).violations.iter().map(Violation::property).collect();
    assert!(!found.contains(&"key_record_missing"), "{found:?}");
    // void_invoice is high-risk: expired, it is a tombstone, never gone.
    let mut w = world();
    let key = "void-1";
    let id = oracle::entity_id(TENANT, "void_invoice", key);
    let body = format!(r#"{{"id":"{id}","object":"invoice_void"}}"#);
    w.history.requests.push(request(5, "void_invoice", key, "fp-void", Intent::Normal));
    w.history.attempts.push(attempt(5, ok(201, false, &body, id)));
    w.state.entities.push(entity(id, "invoice_void", body));
    w.state.audit.push(audit("void_invoice", key, AuditStatus::New, 201));
    w.state.workflows.push(workflow(id, "invoice_voided", "void_invoice"));
    w.state
        .received
        .as_mut()
        .unwrap()
        .insert(oracle::workflow_id(id, "invoice_voided"), Received { deliveries: 1, effects: 1, keyed_by_id: true });
    let found: Vec<_> =
        super::check_with(&w.history, &w.state, &expiring()).violations.iter().map(Violation::property).collect();
    assert!(found.contains(&"key_record_missing"), "a deleted high-risk key is reported: {found:?}");
}

#[test]
fn an_expired_answer_after_an_unknown_outcome_is_not_a_fresh_key() {
    let mut w = world();
    w.history.requests.push(request(5, "record_payment", "pay-4", "fp-4", Intent::Normal));
    w.history.attempts.push(attempt(5, Outcome::Info { reason: "timeout".into() }));
    w.history.attempts.push(attempt(5, refused(422, false, EXPIRED_CODE, "{}")));
    assert!(!reported(&w).contains(&"expired_fresh_key"), "the first attempt may have executed");
}

/// A balanced posting of the invoice dated 2021-06-15 and a close of
/// 2021-06, the close's `new` row committed at audit position `close_at`.
fn posting_and_close(w: &mut World, close_at: usize) {
    for (n, (debit, credit)) in [(500, 0), (0, 500)].into_iter().enumerate() {
        let id = Uuid::from_u128(30 + n as u128);
        let line = serde_json::json!({
            "id": id, "object": "ledger_line", "source_id": invoice_id(), "source_kind": "invoice",
            "line": n, "date": "2021-06-15", "account": if n == 0 { "accounts_receivable" } else { "revenue" },
            "currency": "USD", "debit_cents": debit, "credit_cents": credit,
        });
        w.state.entities.push(entity(id, "ledger_line", line.to_string()));
    }
    let close = oracle::entity_id(TENANT, "close_period", "close-1");
    let body = serde_json::json!({ "id": close, "object": "period_close", "period": "2021-06" });
    w.state.entities.push(entity(close, "period_close", body.to_string()));
    w.state.audit.insert(close_at, audit("close_period", "close-1", AuditStatus::New, 201));
}

#[test]
fn a_posting_committed_after_its_periods_close_is_reported() {
    let invoice_at = |w: &World| {
        w.state.audit.iter().position(|a| a.status == AuditStatus::New && a.deterministic_id == invoice_id()).unwrap()
    };
    // The close committed before the invoice's posting: a violation.
    let mut w = world();
    let at = invoice_at(&w);
    posting_and_close(&mut w, at);
    assert_reports(&w, "posted_into_closed_period");
    // The close committed after it: the posting was in an open period.
    let mut w = world();
    let at = invoice_at(&w) + 1;
    posting_and_close(&mut w, at);
    assert!(!reported(&w).contains(&"posted_into_closed_period"), "{:?}", reported(&w));
}

#[test]
fn a_scenario_claim_is_checked_against_the_run() {
    use crate::scenario::Expect;
    let stats = super::CheckStats {
        indeterminate: 2,
        conflicts: 1,
        workload_executions: 3,
        replayed: 10,
        ..Default::default()
    };
    let broken = |e: Expect| super::claim_violations(&e, &stats).iter().map(ToString::to_string).collect::<Vec<_>>();
    assert!(broken(Expect {
        indeterminate_max: Some(2),
        conflicts_max: Some(1),
        executions: Some(3),
        replays_min: Some(10)
    })
    .is_empty());
    assert_eq!(
        broken(Expect { indeterminate_max: Some(0), ..Default::default() }),
        ["the scenario promises at most 0 indeterminate attempts; the run had 2"]
    );
    assert_eq!(broken(Expect { conflicts_max: Some(0), ..Default::default() }).len(), 1);
    assert_eq!(
        broken(Expect { executions: Some(1), ..Default::default() }),
        ["the scenario promises exactly 1 executions of the clients' keys; the run had 3"]
    );
    assert_eq!(broken(Expect { replays_min: Some(499), ..Default::default() }).len(), 1);
    assert!(super::claim_violations(&Expect::default(), &stats).is_empty(), "no claim, nothing to break");
}

#[test]
fn a_forgotten_key_may_execute_another_payload_only_if_its_first_never_executed() {
    let found = |w: &World, options: &super::CheckOptions| -> Vec<&'static str> {
        super::check_with(&w.history, &w.state, options).violations.iter().map(Violation::property).collect()
    };
    // The payment key's first payload was refused (nothing executed); once
    // reaped, another payload under the key executes as a fresh key.
    let mut w = world();
    let id = oracle::entity_id(TENANT, "record_payment", PAYMENT_KEY);
    let body = format!(r#"{{"id":"{id}","object":"payment"}}"#);
    w.history.requests.push(request(5, "record_payment", PAYMENT_KEY, "fp-payment-2", Intent::Mismatch));
    w.history.attempts.push(attempt(5, ok(201, false, &body, id)));
    w.state.audit.push(audit("record_payment", PAYMENT_KEY, AuditStatus::New, 201));
    w.state.keys.retain(|k| k.idempotency_key != PAYMENT_KEY);
    assert!(!found(&w, &expiring()).contains(&"mismatch_executed"), "{:?}", found(&w, &expiring()));
    assert!(found(&w, &Default::default()).contains(&"mismatch_executed"), "keys that never expire");
    // The invoice key's first payload executed: another payload must never.
    let mut w = world();
    let other = format!(r#"{{"id":"{}","object":"invoice","total_cents":900}}"#, invoice_id());
    set_outcome(&mut w, 3, ok(201, false, &other, invoice_id()));
    assert!(found(&w, &expiring()).contains(&"mismatch_executed"), "{:?}", found(&w, &expiring()));
}
