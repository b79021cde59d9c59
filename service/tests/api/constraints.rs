//! A database constraint that refuses a write its operation's rules let
//! through is a bug, and is answered as one: 422 `constraint_violation`
//! (problem+json), nothing stored — the key record included, so a retry
//! meets the same constraint and answers the same — an audit row `failed`
//! naming the constraint, and `idempotent_writes_failed_total` counts it.
//! Only the entities' primary key keeps its own meaning (`Duplicate`: an
//! expired key's reuse, `expiry.rs`), in every store.

use accubooks_service::domain::ids::{workflow_id, TenantId};
use accubooks_service::idempotency::deterministic_id;
use accubooks_service::idempotency::key::IdempotencyKey;
use accubooks_service::store::{
    AuditStatus, ConstraintKind, Entity, Store, StoreError, Table, Tenant, WorkflowInstance,
};
use serde_json::json;
use sqlx::Connection;
use uuid::Uuid;

use crate::support::{invoice_body, send, Kind, TestApp};

/// The invoice `key` creates for `tenant`: its deterministic id.
fn invoice_id(tenant: TenantId, key: &str) -> Uuid {
    deterministic_id(tenant, "create_invoice", &IdempotencyKey::parse(key).unwrap())
}

/// An outbox row holding the id that `create_invoice` under `key` derives
/// for its `invoice_email` workflow: a row left behind without its entity
/// (as a restore that missed one table would leave it). Nothing in the
/// invoice's rules looks at the outbox, so the write passes them and the
/// outbox table's primary key refuses it.
fn stray_outbox_row(tenant: TenantId, key: &str) -> WorkflowInstance {
    let entity = invoice_id(tenant, key);
    WorkflowInstance {
        id: workflow_id(entity, "invoice_email"),
        tenant_id: tenant,
        workflow_name: "invoice_email".into(),
        trigger_entity_id: entity,
        operation_name: "create_invoice".into(),
        payload: json!({ "entity_id": entity }).to_string(),
    }
}

async fn plant(store: &dyn Store, row: &WorkflowInstance) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_workflow(row).await.unwrap();
    tx.commit().await.unwrap();
}

/// Runs SQL on the app's database, beside the service (SQL stores only).
async fn sql(url: &str, statement: &str) {
    let statement = sqlx::AssertSqlSafe(statement.to_owned());
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql(statement).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(statement).execute(&mut c).await.unwrap();
    }
}

/// `idempotent_writes_failed_total` for one operation and error type.
async fn failed_total(app: &TestApp, operation: &str, error_type: &str) -> u64 {
    let m = send(app.addr, "GET", "/metrics", &[], vec![]).await;
    let text = String::from_utf8(m.body.to_vec()).unwrap();
    let (op, et) = (format!("operation=\"{operation}\""), format!("error_type=\"{error_type}\""));
    text.lines()
        .filter(|l| l.starts_with("idempotent_writes_failed_total{") && l.contains(&op) && l.contains(&et))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum()
}

/// The `failed` audit rows with `error_type` `constraint_violation`.
async fn constraint_rows(app: &TestApp, tenant: TenantId) -> Vec<accubooks_service::store::AuditRecord> {
    let rows = app.store.audit_rows(Some(tenant)).await.unwrap();
    rows.into_iter().filter(|a| a.error_type.as_deref() == Some("constraint_violation")).collect()
}

/// The planted stray outbox row makes `create_invoice` break the outbox's
/// primary key, on every store: 422 `constraint_violation`, nothing stored
/// (no entity, no outbox row, no key record), the same answer on a retry,
/// and the next request with another key executes as usual.
pub async fn a_constraint_violation_is_422_and_stores_nothing(app: TestApp) {
    let (tenant, tok) = (app.tenants.a, app.tenants.token_a.clone());
    let customer = app.customer(&tok, "cust").await;
    let planted = stray_outbox_row(tenant, "inv-planted");
    plant(app.store.as_ref(), &planted).await;
    let body = invoice_body(&customer, 42_00);
    let before = app.store.counts().await.unwrap();

    let refused = app.post("/v1/invoices", &tok, "inv-planted", &body).await;
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.code(), "constraint_violation", "problem+json with the stable code");
    assert_eq!(refused.json()["status"], 422);
    assert_eq!(refused.header("idempotent-replayed"), None);
    assert_eq!(refused.header("location"), None);

    // Nothing stored: the transaction rolled back, the key record with it.
    let after = app.store.counts().await.unwrap();
    assert_eq!(
        (after.keys, after.entities, after.workflows, after.audit_new),
        (before.keys, before.entities, before.workflows, before.audit_new),
        "the refused write left something behind"
    );
    assert_eq!(after.audit_rows, before.audit_rows + 1, "only the failed write's own audit row");
    assert!(app.store.get_key(tenant, "inv-planted").await.unwrap().is_none(), "the key stays unused");
    assert_eq!(app.get("/v1/idempotency-keys/inv-planted", &tok).await.status, 404);
    let invoice = invoice_id(tenant, "inv-planted");
    assert!(app.store.get_entity(tenant, Table::Invoices, invoice).await.unwrap().is_none());
    assert_eq!(app.store.workflows(Some(tenant)).await.unwrap(), vec![planted.clone()], "the stray row only");

    // The audit row says what happened and names the constraint.
    let rows = constraint_rows(&app, tenant).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].status, rows[0].http_status), (AuditStatus::Failed, 422));
    assert_eq!(rows[0].deterministic_id, invoice);
    let message = rows[0].error_message.as_deref().unwrap_or_default();
    assert!(message.contains("unique constraint") && message.contains("workflow_instances"), "{message}");
    assert_eq!(failed_total(&app, "create_invoice", "constraint_violation").await, 1);

    // A retry meets the same constraint: the same answer, byte for byte,
    // still not a replay (nothing was stored to replay), still nothing stored.
    let again = app.post("/v1/invoices", &tok, "inv-planted", &body).await;
    assert_eq!((again.status, again.header("idempotent-replayed")), (422, None));
    assert_eq!(again.body, refused.body);
    let retried = app.store.counts().await.unwrap();
    assert_eq!((retried.keys, retried.entities, retried.workflows), (before.keys, before.entities, before.workflows));
    assert_eq!(constraint_rows(&app, tenant).await.len(), 2);
    assert_eq!(failed_total(&app, "create_invoice", "constraint_violation").await, 2);

    // The service is not wedged: the same invoice under another key executes.
    let other = app.post("/v1/invoices", &tok, "inv-other", &body).await;
    assert_eq!(other.status, 201, "{:?}", other.body);

    // On SQL the stray row can be removed by hand; then the same key, never
    // used, executes for the first time.
    if app.kind != Kind::Memory {
        sql(&app.url, &format!("DELETE FROM workflow_instances WHERE id = '{}'", planted.id)).await;
        let first = app.post("/v1/invoices", &tok, "inv-planted", &body).await;
        assert_eq!((first.status, first.header("idempotent-replayed")), (201, None), "{:?}", first.body);
        assert_eq!(first.json()["id"], invoice.to_string());
        let replay = app.post("/v1/invoices", &tok, "inv-planted", &body).await;
        assert_eq!((replay.status, replay.header("idempotent-replayed")), (200, Some("true")));
    }
}

/// Every store gives the same variant for the same violation: the
/// entities' primary key is `Duplicate` (the engine's expired-key
/// refusal), the outbox's and the tenants' uniqueness `Constraint`.
pub async fn stores_agree_on_which_violation_is_which(app: TestApp) {
    let tenant = app.tenants.a;
    let store = app.store.as_ref();
    let entity = Entity {
        id: Uuid::new_v4(),
        tenant_id: tenant,
        kind: "customer".into(),
        parent_id: None,
        body: json!({"name": "Acme"}).to_string(),
        version: 1,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_entity(&entity).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let taken = tx.insert_entity(&entity).await;
    assert!(matches!(taken, Err(StoreError::Duplicate(_))), "{taken:?}");
    let _ = tx.rollback().await;

    let row = stray_outbox_row(tenant, "k");
    plant(store, &row).await;
    let mut tx = store.begin().await.unwrap();
    match tx.insert_workflow(&row).await {
        Err(StoreError::Constraint(v)) => {
            assert_eq!(v.kind, ConstraintKind::Unique);
            assert!(v.constraint.starts_with("workflow_instances"), "{v:?}");
        }
        other => panic!("an outbox id taken is a constraint violation, got {other:?}"),
    }
    let _ = tx.rollback().await;

    // A second tenant with the first one's token hash: the UNIQUE token_hash.
    let hash = accubooks_service::domain::ids::Token::generate().unwrap().hash_hex();
    let first = Tenant { id: TenantId(Uuid::new_v4()), name: "First".into() };
    store.create_tenant(&first, &hash).await.unwrap();
    let second = Tenant { id: TenantId(Uuid::new_v4()), name: "Second".into() };
    match store.create_tenant(&second, &hash).await {
        Err(StoreError::Constraint(v)) => {
            assert_eq!(v.kind, ConstraintKind::Unique);
            assert!(v.constraint.contains("token_hash"), "{v:?}");
        }
        other => panic!("a token hash taken is a constraint violation, got {other:?}"),
    }
}

per_store_app_suite!(a_constraint_violation_is_422_and_stores_nothing, stores_agree_on_which_violation_is_which);

/// A constraint a DBA adds that no operation's rule states (here: one
/// customer name per tenant) refuses the second customer of that name with
/// 422 `constraint_violation`; the key stays unused, so once the constraint
/// is dropped the same request executes.
pub async fn a_dba_unique_index_refuses_with_constraint_violation(kind: Kind) {
    let Some(app) = crate::support::spawn_app_with(kind, std::time::Duration::from_secs(30)).await else { return };
    sql(&app.url, "CREATE UNIQUE INDEX planted_customer_name ON customers (tenant_id, name)").await;
    let tok = app.tenants.token_a.clone();
    let acme = json!({"name": "Acme"});
    assert_eq!(app.post("/v1/customers", &tok, "c-1", &acme).await.status, 201);
    let before = app.store.counts().await.unwrap();
    let refused = app.post("/v1/customers", &tok, "c-2", &acme).await;
    assert_eq!((refused.status, refused.code().as_str()), (422, "constraint_violation"), "{:?}", refused.body);
    let after = app.store.counts().await.unwrap();
    assert_eq!((after.keys, after.entities, after.audit_new), (before.keys, before.entities, before.audit_new));
    assert!(app.store.get_key(app.tenants.a, "c-2").await.unwrap().is_none());
    let rows = constraint_rows(&app, app.tenants.a).await;
    assert_eq!(rows.len(), 1);
    let message = rows[0].error_message.as_deref().unwrap_or_default();
    // Postgres names the index; SQLite names its columns.
    let named = if kind == Kind::Sqlite { "customers.name" } else { "planted_customer_name" };
    assert!(message.contains(named), "the audit row names the index: {message}");
    // Another name, and another tenant's Acme, pass the index.
    assert_eq!(app.post("/v1/customers", &tok, "c-3", &json!({"name": "Globex"})).await.status, 201);
    assert_eq!(app.post("/v1/customers", &app.tenants.token_b, "c-2", &acme).await.status, 201);

    sql(&app.url, "DROP INDEX planted_customer_name").await;
    let first = app.post("/v1/customers", &tok, "c-2", &acme).await;
    assert_eq!((first.status, first.header("idempotent-replayed")), (201, None), "{:?}", first.body);
}

/// SQL stores only (the memory store has no indexes to add); not named
/// `sqlite`/`postgres`, which the per-store suite above takes.
mod dba_index {
    use crate::support::Kind;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::a_dba_unique_index_refuses_with_constraint_violation(Kind::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::a_dba_unique_index_refuses_with_constraint_violation(Kind::Postgres).await
    }
}

/// A document's lines are written by its header's insert and never change
/// (Postgres, migration 0018): an insert into a lines table made straight
/// away, an update and a delete of a line are each refused by the lines
/// table's `_written_with_header`, and nothing changes; the service's own
/// writes (the header's trigger) still write lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_lines_are_written_with_their_header_only() {
    let Some(app) = crate::support::spawn_app_with(Kind::Postgres, std::time::Duration::from_secs(30)).await else {
        return;
    };
    let tok = app.tenants.token_a.clone();
    let customer = app.post("/v1/customers", &tok, "c-1", &json!({"name": "Acme"})).await;
    assert_eq!(customer.status, 201);
    let customer_id = customer.json()["id"].as_str().unwrap().to_owned();
    let invoice = app.post("/v1/invoices", &tok, "i-1", &invoice_body(&customer_id, 1_500)).await;
    assert_eq!(invoice.status, 201, "{:?}", invoice.body);
    let id = invoice.json()["id"].as_str().unwrap().to_owned();

    let mut c = sqlx::PgConnection::connect(&app.url).await.unwrap();
    async fn lines(c: &mut sqlx::PgConnection, id: &str) -> (i64, i64) {
        sqlx::query_as(
            "SELECT count(*), COALESCE(sum(amount_cents), 0)::bigint FROM invoice_lines WHERE invoice_id = $1::uuid",
        )
        .bind(id)
        .fetch_one(c)
        .await
        .unwrap()
    }
    assert_eq!(lines(&mut c, &id).await, (1, 1_500), "the header's insert wrote its line");
    let tenant = app.tenants.a.0.to_string();
    let refused = [
        format!(
            "INSERT INTO invoice_lines (invoice_id, line_no, tenant_id, description, quantity, unit_price_cents, \
             amount_cents) VALUES ('{id}', 2, '{tenant}', 'Extra', 1, 700, 700)"
        ),
        format!("UPDATE invoice_lines SET quantity = 2, amount_cents = 3000 WHERE invoice_id = '{id}'"),
        format!("DELETE FROM invoice_lines WHERE invoice_id = '{id}'"),
    ];
    for statement in refused {
        let err = sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone())).execute(&mut c).await.unwrap_err();
        let db = err.as_database_error().unwrap_or_else(|| panic!("{statement}: {err}"));
        assert_eq!(db.code().as_deref(), Some("23514"), "{statement}: {db}");
        assert_eq!(db.constraint(), Some("invoice_lines_written_with_header"), "{statement}: {db}");
        assert_eq!(lines(&mut c, &id).await, (1, 1_500), "{statement} changed nothing");
    }
    // Every lines table has both triggers.
    let triggers: Vec<(String,)> = sqlx::query_as(
        "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%\\_lines\\_%' \
         AND tgrelid::regclass::text IN ('invoice_lines', 'bill_lines', 'payroll_lines') ORDER BY 1",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let names: Vec<&str> = triggers.iter().map(|(n,)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "bill_lines_fixed",
            "bill_lines_written_with_header",
            "invoice_lines_fixed",
            "invoice_lines_written_with_header",
            "payroll_lines_fixed",
            "payroll_lines_written_with_header"
        ]
    );
    // And the service's next invoice still writes its lines.
    let second = app.post("/v1/invoices", &tok, "i-2", &invoice_body(&customer_id, 900)).await;
    assert_eq!(second.status, 201, "{:?}", second.body);
}
