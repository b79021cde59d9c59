//! The ledger after a mixed workload over every registered operation:
//! balanced per tenant and currency, per posting, and per account as the
//! operations say; `accubooks audit verify-ledger` agrees, and fails on a
//! ledger that does not balance.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use accubooks_service::domain::ids::{derived_id, TenantId};
use accubooks_service::domain::ledger::{self, LedgerLine, LEDGER_LINE_KIND};
use accubooks_service::domain::money::Cents;
use accubooks_service::ops::REGISTRY;
use accubooks_service::store::{Entity, StoreError, Table};
use serde_json::json;
use sqlx::Connection;
use uuid::Uuid;

use crate::fixtures::{self, make};
use crate::support::{pg_insert_from_bodies, typed_column_mismatches, Kind, TestApp, TestTenant};

/// Every operation's fixtures: the valid request (executed, replayed,
/// mismatched) and every violation, each operation in its own task.
async fn every_operation(app: &Arc<TestApp>, round: usize) {
    let mut tasks = Vec::new();
    for spec in REGISTRY {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let m = spec.method.as_str();
            let v = fixtures::valid(&app, spec.name).await.expect("fixture");
            let key = format!("mixed-{round}-{}", spec.name);
            for expected in [201, 200] {
                let r = app.request(m, &v.request.path, &v.tenant.token, &key, &v.request.body).await;
                assert_eq!(r.status, expected, "{}: {:?}", spec.name, r.body);
            }
            assert_eq!(app.request(m, &v.other.path, &v.tenant.token, &key, &v.other.body).await.status, 422);
            for (i, c) in fixtures::violations(&app, spec.name).await.expect("fixture").iter().enumerate() {
                let r = app.request(m, &c.request.path, &c.tenant.token, &format!("{key}-{i}"), &c.request.body).await;
                assert_eq!(r.status, 422, "{} / {}", spec.name, c.what);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Concurrent payments on one invoice and refunds on one payment.
async fn contention(app: &Arc<TestApp>, t: &TestTenant) {
    let c = fixtures::customer(app, t).await;
    let inv = fixtures::invoice(app, t, &c, 1_000).await;
    let mut tasks = Vec::new();
    for i in 0..25 {
        let (app, t, inv) = (app.clone(), t.clone(), inv.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({"invoice_id": inv, "amount_cents": 50, "method": "cash"});
            app.post("/v1/payments", &t.token, &format!("pay-{i}"), &body).await
        }));
    }
    let mut payments = Vec::new();
    for task in tasks {
        let r = task.await.unwrap();
        if r.status == 201 {
            payments.push(r.json()["id"].as_str().unwrap().to_owned());
        } else {
            // Refused by the balance, or by the invoice being paid already.
            assert!(["overpayment", "invoice_not_payable"].contains(&r.code().as_str()), "{:?}", r.body);
        }
    }
    assert_eq!(payments.len(), 20, "exactly the invoice's 1000 cents are paid");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (app, t, p) = (app.clone(), t.clone(), payments[0].clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({"payment_id": p, "amount_cents": 20});
            app.post("/v1/refunds", &t.token, &format!("refund-{i}"), &body).await.status
        }));
    }
    let mut ok = 0;
    for task in tasks {
        ok += usize::from(task.await.unwrap() == 201);
    }
    assert_eq!(ok, 2, "two refunds of 20 exhaust a payment of 50");
}

/// One tenant's story, with the balance each account must end on.
async fn known_story(app: &TestApp) -> (TestTenant, BTreeMap<(String, String), i64>) {
    let t = app.new_tenant().await;
    let c = fixtures::customer(app, &t).await;
    let paid = fixtures::invoice(app, &t, &c, 1_000).await;
    let p = fixtures::payment(app, &t, &paid, 600).await;
    make(app, &t, "POST", "/v1/refunds", json!({"payment_id": p, "amount_cents": 200})).await;
    let voided = fixtures::invoice(app, &t, &c, 300).await;
    make(app, &t, "POST", &format!("/v1/invoices/{voided}/void"), json!({})).await;
    let v = fixtures::vendor(app, &t).await;
    let bill = json!({"vendor_id": v, "currency": "USD", "due_date": "2030-01-01",
        "lines": [{"description": "Toner", "quantity": 10, "unit_price_cents": 25}]});
    make(app, &t, "POST", "/v1/bills", bill).await;
    let (x, y) =
        (fixtures::account(app, &t, "1200", "asset").await, fixtures::account(app, &t, "3000", "equity").await);
    let entry = json!({"entry_date": "2026-02-01", "lines": [
        {"account_id": x, "currency": "EUR", "debit_cents": 70},
        {"account_id": y, "currency": "EUR", "credit_cents": 70}]});
    make(app, &t, "POST", "/v1/journal-entries", entry).await;

    // The invoice's own lines, read back through the API.
    let lines = app.get(&format!("/v1/ledger/{paid}"), &t.token).await.json();
    let data = lines["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(
        (data[0]["account"].as_str(), data[0]["debit_cents"].as_i64()),
        (Some("accounts_receivable"), Some(1000))
    );
    assert_eq!((data[1]["account"].as_str(), data[1]["credit_cents"].as_i64()), (Some("revenue"), Some(1000)));

    let usd = |a: &str, n: i64| ((a.to_owned(), "USD".to_owned()), n);
    let eur = |a: &str, n: i64| ((a.to_owned(), "EUR".to_owned()), n);
    let expected = BTreeMap::from([
        usd("accounts_receivable", 1_000 - 600 + 300 - 300),
        usd("revenue", -1_000 - 300 + 300),
        usd("cash", 600 - 200),
        usd("sales_refunds", 200),
        usd("expenses", 250),
        usd("accounts_payable", -250),
        eur(&x, 70),
        eur(&y, -70),
    ]);
    (t, expected)
}

/// Net debit per (account, currency) of one tenant.
fn account_balances(lines: &[Entity], tenant: TenantId) -> BTreeMap<(String, String), i64> {
    let mut m: BTreeMap<(String, String), i64> = BTreeMap::new();
    for e in lines.iter().filter(|e| e.tenant_id == tenant) {
        let l: LedgerLine = serde_json::from_str(&e.body).unwrap();
        *m.entry((l.account, l.currency)).or_default() += l.debit_cents.0 - l.credit_cents.0;
    }
    m
}

fn verify_ledger_cli(url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accubooks"))
        .args(["audit", "verify-ledger", "--database-url", url])
        .env("ACCUBOOKS_LOG", "warn")
        .output()
        .expect("run accubooks");
    (out.status.success(), String::from_utf8(out.stdout).unwrap())
}

pub async fn mixed_workload_keeps_the_ledger_balanced(app: TestApp) {
    let app = Arc::new(app);
    for round in 0..2 {
        every_operation(&app, round).await;
    }
    let contended = app.new_tenant().await;
    contention(&app, &contended).await;
    let (story, expected) = known_story(&app).await;

    let lines = app.store.list_entities(None, Table::LedgerLines, None).await.unwrap();
    let report = ledger::verify(&lines);
    assert!(report.is_balanced(), "{}", report.render());
    for kind in ["invoice", "payment", "refund", "bill", "invoice_void", "journal_entry"] {
        assert!(lines.iter().any(|l| l.body.contains(&format!("\"source_kind\":\"{kind}\""))), "no {kind} posted");
    }
    assert!(report.balances.iter().any(|b| b.currency == "EUR"), "a second currency is in the ledger");
    let balances = account_balances(&lines, story.id);
    let nonzero: BTreeMap<_, _> = balances.into_iter().filter(|(_, n)| *n != 0).collect();
    let expected: BTreeMap<_, _> = expected.into_iter().filter(|(_, n)| *n != 0).collect();
    assert_eq!(nonzero, expected, "account balances of the known story");

    if app.kind == Kind::Memory {
        return; // The binary reads SQL databases only.
    }
    // The typed columns the store bound hold their documents' fields, after
    // inserts and updates (payments and voids update their invoices).
    let (rows, bad) = typed_column_mismatches(app.kind, &app.url).await;
    assert!(rows as usize > lines.len(), "{rows} rows read");
    assert!(bad.is_empty(), "typed columns that differ from their documents: {bad:?}");
    let (ok, out) = verify_ledger_cli(&app.url);
    // Shown with --nocapture: the table an auditor would read.
    println!("accubooks audit verify-ledger ({}):\n{out}", app.store.kind());
    assert!(ok, "{out}");
    assert!(out.contains("ledger balanced:"), "{out}");
    assert!(out.contains(&story.id.to_string()), "every tenant has a row: {out}");

    // A line that should never exist: the verifier and the binary refuse.
    let source = Uuid::new_v4();
    let stray = LedgerLine {
        id: derived_id(source, "ledger:0"),
        object: LEDGER_LINE_KIND.into(),
        source_id: source,
        source_kind: "journal_entry".into(),
        line: 0,
        date: "2026-01-01".into(),
        account: "cash".into(),
        currency: "USD".into(),
        debit_cents: Cents(1),
        credit_cents: Cents(0),
    };
    let body = serde_json::to_string(&stray).unwrap();
    let mut tx = app.store.begin().await.unwrap();
    tx.insert_entity(&Entity {
        id: stray.id,
        tenant_id: story.id,
        kind: LEDGER_LINE_KIND.into(),
        parent_id: Some(source),
        body: body.clone(),
        version: 1,
    })
    .await
    .unwrap();
    let committed = tx.commit().await;
    if app.kind == Kind::Postgres {
        // The deferred balance check refuses it at commit; planted past the
        // schema's triggers (as only a superuser could), the verifiers
        // still find it.
        match committed {
            Err(StoreError::Constraint(v)) => assert_eq!(v.constraint, "ledger_lines_balance", "{v:?}"),
            other => panic!("an unbalanced line must be refused at commit, got {other:?}"),
        }
        let mut conn = sqlx::PgConnection::connect(&app.url).await.unwrap();
        sqlx::raw_sql("SET session_replication_role = replica").execute(&mut conn).await.unwrap();
        let plant = pg_insert_from_bodies(
            Table::LedgerLines,
            "SELECT $1::uuid AS id, $2::uuid AS tenant_id, $3::text AS body, 1 AS version",
        );
        sqlx::query(sqlx::AssertSqlSafe(plant))
            .bind(stray.id.to_string())
            .bind(story.id.0.to_string())
            .bind(body)
            .execute(&mut conn)
            .await
            .unwrap();
    } else {
        // SQLite checks balance when a write set completes its key; a line
        // written outside the engine is for the verifiers to find.
        committed.unwrap();
    }
    let lines = app.store.list_entities(None, Table::LedgerLines, None).await.unwrap();
    assert!(!ledger::verify(&lines).is_balanced());
    let (ok, out) = verify_ledger_cli(&app.url);
    assert!(!ok, "verify-ledger must exit non-zero on an imbalance: {out}");
    assert!(out.contains("UNBALANCED"), "{out}");
}

per_store_app_suite!(mixed_workload_keeps_the_ledger_balanced);
