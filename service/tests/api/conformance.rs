//! The engine conformance suite: the same cases, run against every store.
//! The in-memory store is trusted only as far as these agree.

use std::sync::Arc;
use std::time::Duration;

use accubooks_service::domain::ids::TenantId;
use accubooks_service::engine::{EngineError, WriteOutcome, WriteRequest};
use accubooks_service::idempotency::deterministic_id;
use accubooks_service::idempotency::fingerprint::fingerprint;
use accubooks_service::idempotency::key::IdempotencyKey;
use accubooks_service::ops::{
    ChangeUserRole, ChangeUserRoleInput, CreateCustomer, CreateCustomerInput, CreateInvoice, CreateInvoiceInput,
    CreateUser, CreateUserInput, InvoiceLineInput, Operation, RecordPayment, RecordPaymentInput,
};
use accubooks_service::store::faulty::Step;
use accubooks_service::store::{AuditStatus, Counts, LockMode, StoredResponse, Table};
use uuid::Uuid;

use crate::support::EngineHarness;

fn key(s: &str) -> IdempotencyKey {
    IdempotencyKey::parse(s).unwrap()
}

async fn run<O: Operation>(
    h: &EngineHarness,
    op: &O,
    tenant: TenantId,
    k: &str,
    input: &O::Input,
) -> Result<WriteOutcome, EngineError> {
    run_at(h, op, tenant, k, &[], input).await
}

/// The same, for an operation with path parameters.
async fn run_at<O: Operation>(
    h: &EngineHarness,
    op: &O,
    tenant: TenantId,
    k: &str,
    path: &[&str],
    input: &O::Input,
) -> Result<WriteOutcome, EngineError> {
    let key = key(k);
    let value = serde_json::to_value(input).unwrap();
    let req = WriteRequest {
        tenant,
        key: &key,
        fingerprint: fingerprint(op.spec().name, path, &value),
        request_id: format!("req-{k}"),
        path: path.iter().map(|p| (*p).to_owned()).collect(),
    };
    h.engine.execute(op, &req, input).await
}

fn executed(o: Result<WriteOutcome, EngineError>) -> StoredResponse {
    match o {
        Ok(WriteOutcome::Executed(r)) => r,
        other => panic!("expected Executed, got {other:?}"),
    }
}

fn replayed(o: Result<WriteOutcome, EngineError>) -> StoredResponse {
    match o {
        Ok(WriteOutcome::Replayed(r)) => r,
        other => panic!("expected Replayed, got {other:?}"),
    }
}

fn customer(name: &str) -> CreateCustomerInput {
    CreateCustomerInput { name: name.into() }
}

fn invoice(customer: Uuid, cents: i64) -> CreateInvoiceInput {
    CreateInvoiceInput {
        customer_id: customer,
        currency: "USD".into(),
        due_date: "2026-12-31".into(),
        lines: vec![InvoiceLineInput { description: "Work".into(), quantity: 1, unit_price_cents: cents }],
        issue_date: None,
    }
}

async fn counts(h: &EngineHarness) -> Counts {
    h.store.counts().await.unwrap()
}

async fn new_customer(h: &EngineHarness, k: &str) -> Uuid {
    let r = executed(run(h, &CreateCustomer, h.tenants.a, k, &customer("Acme")).await);
    serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["id"].as_str().unwrap().parse().unwrap()
}

pub async fn new_then_replay_is_byte_identical(h: EngineHarness) {
    let first = executed(run(&h, &CreateCustomer, h.tenants.a, "k1", &customer("Acme")).await);
    assert_eq!(first.status, 201);
    let id = deterministic_id(h.tenants.a, "create_customer", &key("k1"));
    assert_eq!(first.location.as_deref(), Some(format!("/v1/customers/{id}").as_str()));
    let body: serde_json::Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["id"], id.to_string(), "the entity id is the deterministic id");
    for _ in 0..3 {
        let again = replayed(run(&h, &CreateCustomer, h.tenants.a, "k1", &customer("Acme")).await);
        assert_eq!(again, first, "replay is the stored response, byte for byte");
    }
    let c = counts(&h).await;
    assert_eq!((c.keys, c.entities, c.audit_new, c.audit_rows), (1, 1, 1, 4));
    let audit = h.store.audit_rows(Some(h.tenants.a)).await.unwrap();
    assert_eq!(audit.iter().filter(|a| a.status == AuditStatus::Replayed).count(), 3);
    assert!(audit.iter().all(|a| a.deterministic_id == id && a.idempotency_key_hash == key("k1").hash_hex()));
    // Listing keys returns the same committed record as the point lookup, scoped by tenant.
    let listed = h.store.keys(Some(h.tenants.a)).await.unwrap();
    let stored = h.store.get_key(h.tenants.a, "k1").await.unwrap().expect("key committed");
    assert_eq!(listed, vec![stored.clone()]);
    assert_eq!(stored.response.as_ref(), Some(&first));
    assert!(h.store.keys(Some(h.tenants.b)).await.unwrap().is_empty());
    assert_eq!(h.store.keys(None).await.unwrap().len(), 1);
}

/// A key this engine saw complete replays in one verified step, without a
/// transaction; a hint that no longer holds (another payload) falls back to
/// the transactional path, which decides.
pub async fn replay_fast_path_is_one_verified_step(h: EngineHarness) {
    let first = executed(run(&h, &CreateCustomer, h.tenants.a, "k1", &customer("Acme")).await);
    // Any transaction would trip this fault: the replay must not begin one.
    h.faulty.fail_once(Step::Begin);
    let again = replayed(run(&h, &CreateCustomer, h.tenants.a, "k1", &customer("Acme")).await);
    assert_eq!(again, first, "the stored response, byte for byte");
    assert!(h.faulty.armed(), "the replay ran no transaction");
    h.faulty.disarm();
    let audit = h.store.audit_rows(Some(h.tenants.a)).await.unwrap();
    let rows: Vec<_> = audit.iter().filter(|a| a.status == AuditStatus::Replayed).collect();
    assert_eq!(rows.len(), 1, "one audit row for the replay");
    assert_eq!((rows[0].http_status, rows[0].request_id.as_str()), (201, "req-k1"));
    assert_eq!(rows[0].deterministic_id, deterministic_id(h.tenants.a, "create_customer", &key("k1")));
    // The same key with another payload is still a mismatch, executing nothing.
    let before = counts(&h).await;
    let other = run(&h, &CreateCustomer, h.tenants.a, "k1", &customer("Globex")).await;
    assert_eq!(other, Ok(WriteOutcome::Mismatch));
    let after = counts(&h).await;
    assert_eq!((after.keys, after.entities, after.audit_new), (before.keys, before.entities, before.audit_new));
    // Another tenant's identical key is not this tenant's record: it executes.
    let b = executed(run(&h, &CreateCustomer, h.tenants.b, "k1", &customer("Acme")).await);
    assert_ne!(b.body, first.body);
}

pub async fn mismatch_is_refused_and_executes_nothing(h: EngineHarness) {
    executed(run(&h, &CreateCustomer, h.tenants.a, "k1", &customer("Acme")).await);
    let before = counts(&h).await;
    let other = run(&h, &CreateCustomer, h.tenants.a, "k1", &customer("Globex")).await;
    assert_eq!(other, Ok(WriteOutcome::Mismatch));
    let after = counts(&h).await;
    assert_eq!(
        (after.keys, after.entities, after.workflows, after.audit_new),
        (before.keys, before.entities, before.workflows, before.audit_new)
    );
    let audit = h.store.audit_rows(None).await.unwrap();
    let m: Vec<_> = audit.iter().filter(|a| a.status == AuditStatus::Mismatch).collect();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].error_type.as_deref(), Some("mismatch"));
    // The stored outcome is untouched: the original request still replays.
    replayed(run(&h, &CreateCustomer, h.tenants.a, "k1", &customer("Acme")).await);
    // The same key on another operation is a mismatch too, never an execution.
    let cross = run(&h, &CreateInvoice, h.tenants.a, "k1", &invoice(Uuid::new_v4(), 100)).await;
    assert_eq!(cross, Ok(WriteOutcome::Mismatch));
}

pub async fn concurrent_same_key_500_executes_once(h: EngineHarness) {
    let cust = new_customer(&h, "cust").await;
    let h = Arc::new(h);
    let mut tasks = Vec::new();
    for _ in 0..500 {
        let h = h.clone();
        tasks.push(tokio::spawn(
            async move { run(&h, &CreateInvoice, h.tenants.a, "storm", &invoice(cust, 12_345)).await },
        ));
    }
    let mut new = Vec::new();
    let mut replays = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(WriteOutcome::Executed(r)) => new.push(r),
            Ok(WriteOutcome::Replayed(r)) => replays.push(r),
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(new.len(), 1, "exactly one execution");
    assert_eq!(replays.len(), 499);
    assert!(replays.iter().all(|r| r == &new[0]), "every replay carries the identical body");
    let invoice_id = deterministic_id(h.tenants.a, "create_invoice", &key("storm"));
    let entities = h.store.entities(Some(h.tenants.a)).await.unwrap();
    assert_eq!(entities.iter().filter(|e| e.id == invoice_id).count(), 1);
    assert_eq!(entities.iter().filter(|e| e.kind == "invoice").count(), 1);
    let wf = h.store.workflows(None).await.unwrap();
    assert_eq!(wf.len(), 1, "one outbox row");
    assert_eq!((wf[0].trigger_entity_id, wf[0].workflow_name.as_str()), (invoice_id, "invoice_email"));
    let audit = h.store.audit_rows(None).await.unwrap();
    let inv: Vec<_> = audit.iter().filter(|a| a.operation_name == "create_invoice").collect();
    assert_eq!(inv.iter().filter(|a| a.status == AuditStatus::New).count(), 1);
    assert_eq!(inv.iter().filter(|a| a.status == AuditStatus::Replayed).count(), 499);
}

pub async fn distinct_keys_500_make_500_entities(h: EngineHarness) {
    let h = Arc::new(h);
    let mut tasks = Vec::new();
    for i in 0..500 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            run(&h, &CreateCustomer, h.tenants.a, &format!("c-{i}"), &customer(&format!("Customer {i}"))).await
        }));
    }
    for t in tasks {
        assert_eq!(executed(t.await.unwrap()).status, 201);
    }
    let c = counts(&h).await;
    assert_eq!((c.keys, c.entities, c.audit_new), (500, 500, 500));
}

pub async fn transient_failure_persists_nothing_and_retry_executes(h: EngineHarness) {
    let cust = new_customer(&h, "cust").await;
    let steps = [
        Step::Begin,
        Step::Claim,
        Step::GetEntity,
        Step::InsertEntity,
        Step::InsertWorkflow,
        Step::CompleteKey,
        Step::InsertAudit,
        Step::Commit,
    ];
    for (i, step) in steps.into_iter().enumerate() {
        let k = format!("inv-{i}");
        let before = counts(&h).await;
        h.faulty.fail_once(step);
        let failed = run(&h, &CreateInvoice, h.tenants.a, &k, &invoice(cust, 500)).await;
        assert!(matches!(failed, Err(EngineError::Unavailable(_))), "{step:?}: {failed:?}");
        assert!(!h.faulty.armed(), "{step:?} fault fired");
        let after = counts(&h).await;
        assert_eq!(
            (after.keys, after.entities, after.workflows, after.audit_new),
            (before.keys, before.entities, before.workflows, before.audit_new),
            "{step:?} left a partial write"
        );
        assert!(h.store.get_key(h.tenants.a, &k).await.unwrap().is_none(), "{step:?} left a stuck key");
        // The retry executes afresh (it is not a replay of a failure).
        let retry = executed(run(&h, &CreateInvoice, h.tenants.a, &k, &invoice(cust, 500)).await);
        assert_eq!(retry.status, 201, "{step:?}");
        let failed_rows = h.store.audit_rows(None).await.unwrap();
        assert!(failed_rows
            .iter()
            .any(|a| a.status == AuditStatus::Failed && a.error_type.as_deref() == Some("storage_unavailable")));
    }
}

pub async fn tenants_are_isolated(h: EngineHarness) {
    let a = executed(run(&h, &CreateCustomer, h.tenants.a, "shared-key", &customer("Acme")).await);
    let b = executed(run(&h, &CreateCustomer, h.tenants.b, "shared-key", &customer("Acme")).await);
    assert_ne!(a.body, b.body, "tenant B gets its own entity, never A's response");
    let b_id = deterministic_id(h.tenants.b, "create_customer", &key("shared-key"));
    assert!(b.body.contains(&b_id.to_string()));
    let a_id = deterministic_id(h.tenants.a, "create_customer", &key("shared-key"));
    assert!(
        h.store.get_entity(h.tenants.b, Table::Customers, a_id).await.unwrap().is_none(),
        "B cannot read A's entity"
    );
    assert!(h.store.get_entity(h.tenants.a, Table::Customers, a_id).await.unwrap().is_some());
}

pub async fn definitive_rejection_is_stored_and_replayed(h: EngineHarness) {
    let cust = new_customer(&h, "cust").await;
    let inv = executed(run(&h, &CreateInvoice, h.tenants.a, "inv", &invoice(cust, 1_000)).await);
    let inv_id: Uuid =
        serde_json::from_str::<serde_json::Value>(&inv.body).unwrap()["id"].as_str().unwrap().parse().unwrap();
    let pay = |cents| RecordPaymentInput {
        invoice_id: inv_id,
        amount_cents: cents,
        method: "card".into(),
        payment_date: None,
    };
    let over = executed(run(&h, &RecordPayment, h.tenants.a, "p-over", &pay(1_001)).await);
    assert_eq!(over.status, 422);
    assert!(over.body.contains("\"code\":\"overpayment\""));
    let again = replayed(run(&h, &RecordPayment, h.tenants.a, "p-over", &pay(1_001)).await);
    assert_eq!(again, over);
    let ok = executed(run(&h, &RecordPayment, h.tenants.a, "p-1", &pay(1_000)).await);
    assert_eq!(ok.status, 201);
    let invoice_now = h.store.get_entity(h.tenants.a, Table::Invoices, inv_id).await.unwrap().unwrap();
    assert!(invoice_now.body.contains("\"status\":\"paid\""), "{}", invoice_now.body);
    assert_eq!(invoice_now.version, 2);
    // A referenced entity missing (or another tenant's) stores nothing.
    let before = counts(&h).await;
    let other_tenant = run(&h, &RecordPayment, h.tenants.b, "p-b", &pay(1)).await;
    assert!(matches!(other_tenant, Ok(WriteOutcome::Rejected(ref r)) if r.status == 404), "{other_tenant:?}");
    let after = counts(&h).await;
    assert_eq!(
        (after.keys, after.entities, after.workflows, after.audit_rows),
        (before.keys, before.entities, before.workflows, before.audit_rows)
    );
}

pub async fn concurrent_payments_never_overpay(h: EngineHarness) {
    let cust = new_customer(&h, "cust").await;
    let inv = executed(run(&h, &CreateInvoice, h.tenants.a, "inv", &invoice(cust, 100)).await);
    let inv_id: Uuid =
        serde_json::from_str::<serde_json::Value>(&inv.body).unwrap()["id"].as_str().unwrap().parse().unwrap();
    let h = Arc::new(h);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let input =
                RecordPaymentInput { invoice_id: inv_id, amount_cents: 10, method: "cash".into(), payment_date: None };
            executed(run(&h, &RecordPayment, h.tenants.a, &format!("pay-{i}"), &input).await)
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap().status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 10, "exactly the balance is paid");
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 30);
    let body = h.store.get_entity(h.tenants.a, Table::Invoices, inv_id).await.unwrap().unwrap().body;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["amount_paid_cents"], 100);
    assert_eq!(v["status"], "paid");
}

fn body_id(r: &StoredResponse) -> Uuid {
    serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["id"].as_str().unwrap().parse().unwrap()
}

async fn role_of(h: &EngineHarness, user: Uuid) -> String {
    let e = h.store.get_entity(h.tenants.a, Table::Users, user).await.unwrap().unwrap();
    serde_json::from_str::<serde_json::Value>(&e.body).unwrap()["role"].as_str().unwrap().to_owned()
}

/// The steps only some operations take (named locks, listings, updates)
/// fail as cleanly as the rest: nothing persists, the key stays free.
pub async fn transient_failure_at_lock_list_and_update_persists_nothing(h: EngineHarness) {
    let admin = |email: String| CreateUserInput { email, name: "Admin".into(), role: "admin".into() };
    let demote = ChangeUserRoleInput { role: "viewer".into() };
    for (i, step) in [Step::Lock, Step::GetEntity, Step::CountMatching, Step::UpdateEntity, Step::InsertEntity]
        .into_iter()
        .enumerate()
    {
        let target = body_id(&executed(
            run(&h, &CreateUser, h.tenants.a, &format!("u-{i}"), &admin(format!("{i}@a.example"))).await,
        ));
        executed(run(&h, &CreateUser, h.tenants.a, &format!("v-{i}"), &admin(format!("{i}@b.example"))).await);
        let (k, path) = (format!("demote-{i}"), target.to_string());
        let before = counts(&h).await;
        h.faulty.fail_once(step);
        let failed = run_at(&h, &ChangeUserRole, h.tenants.a, &k, &[&path], &demote).await;
        assert!(matches!(failed, Err(EngineError::Unavailable(_))), "{step:?}: {failed:?}");
        assert!(!h.faulty.armed(), "{step:?} fault fired");
        let after = counts(&h).await;
        assert_eq!((after.keys, after.entities, after.audit_new), (before.keys, before.entities, before.audit_new));
        assert!(h.store.get_key(h.tenants.a, &k).await.unwrap().is_none(), "{step:?} left a stuck key");
        assert_eq!(role_of(&h, target).await, "admin", "{step:?} changed the role");
        let retry = executed(run_at(&h, &ChangeUserRole, h.tenants.a, &k, &[&path], &demote).await);
        assert_eq!(retry.status, 201, "{step:?}");
        assert_eq!(role_of(&h, target).await, "viewer", "{step:?}");
    }
}

/// Named locks: shared holders coexist, an exclusive one waits for them and
/// excludes new shared ones, and names are per tenant.
pub async fn named_locks_share_and_exclude(h: EngineHarness) {
    if h.store.kind() == "sqlite" {
        return sqlite_transactions_exclude_each_other(h).await;
    }
    let (t, name) = (h.tenants.a, "period:2026-01");
    // The lock's row exists from its first use on; until that commits, a
    // second first use waits on the insert. Use it once beforehand.
    let mut first = h.store.begin().await.unwrap();
    first.lock(t, name, LockMode::Shared).await.unwrap();
    first.commit().await.unwrap();

    let mut s1 = h.store.begin().await.unwrap();
    let mut s2 = h.store.begin().await.unwrap();
    s1.lock(t, name, LockMode::Shared).await.unwrap();
    s2.lock(t, name, LockMode::Shared).await.unwrap();
    let store = h.store.clone();
    let exclusive = tokio::spawn(async move {
        let mut x = store.begin().await.unwrap();
        x.lock(t, name, LockMode::Exclusive).await.unwrap();
        x
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!exclusive.is_finished(), "an exclusive lock waits for shared holders");
    let mut other_tenant = h.store.begin().await.unwrap();
    other_tenant.lock(h.tenants.b, name, LockMode::Exclusive).await.unwrap();
    other_tenant.rollback().await.unwrap();
    s1.commit().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!exclusive.is_finished(), "one shared holder is still there");
    s2.rollback().await.unwrap();
    let x = tokio::time::timeout(Duration::from_secs(10), exclusive).await.expect("exclusive granted").unwrap();

    let store = h.store.clone();
    let shared = tokio::spawn(async move {
        let mut s = store.begin().await.unwrap();
        s.lock(t, name, LockMode::Shared).await.unwrap();
        s.rollback().await.unwrap();
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!shared.is_finished(), "a shared lock waits for the exclusive holder");
    x.commit().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), shared).await.expect("shared granted").unwrap();
}

/// SQLite admits one write transaction at a time (`BEGIN IMMEDIATE` on a
/// one-connection writer pool), so any lock is as good as exclusive there:
/// a second transaction does not even begin while one holds a lock.
async fn sqlite_transactions_exclude_each_other(h: EngineHarness) {
    let mut holder = h.store.begin().await.unwrap();
    holder.lock(h.tenants.a, "period:2026-01", LockMode::Shared).await.unwrap();
    let store = h.store.clone();
    let second = tokio::spawn(async move { store.begin().await.unwrap().rollback().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "a second write transaction waits for the first");
    holder.commit().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), second).await.expect("begins once the first ends").unwrap();
}

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        conformance!(@store memory, Memory; $($case),*);
        conformance!(@store sqlite, Sqlite; $($case),*);
        conformance!(@store postgres, Postgres; $($case),*);
    };
    (@store $module:ident, $kind:ident; $($case:ident),*) => {
        mod $module { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                // None only for Postgres outside CI when it is unreachable.
                let Some(h) = crate::support::engine_harness(crate::support::Kind::$kind).await else { return };
                super::$case(h).await;
            }
        )* }
    };
}

conformance!(
    new_then_replay_is_byte_identical,
    replay_fast_path_is_one_verified_step,
    mismatch_is_refused_and_executes_nothing,
    concurrent_same_key_500_executes_once,
    distinct_keys_500_make_500_entities,
    transient_failure_persists_nothing_and_retry_executes,
    tenants_are_isolated,
    definitive_rejection_is_stored_and_replayed,
    concurrent_payments_never_overpay,
    transient_failure_at_lock_list_and_update_persists_nothing,
    named_locks_share_and_exclude,
);
