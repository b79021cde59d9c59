//! The operations' own rules where they meet concurrency and each other:
//! races that must serialise (demotions, deletion against invoicing,
//! approvals, refunds, closes, unique codes and emails) and the lifecycles
//! that cross operations. Run against every store.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::fixtures::{self, make};
use crate::support::{send, Resp, TestApp, TestTenant};

/// One request of a race.
struct Shot {
    method: &'static str,
    path: String,
    key: String,
    body: Value,
}

fn shot(method: &'static str, path: impl Into<String>, key: impl Into<String>, body: Value) -> Shot {
    Shot { method, path: path.into(), key: key.into(), body }
}

/// Fires every request at once as tenant `t`; responses in request order.
async fn race(app: &Arc<TestApp>, t: &TestTenant, shots: Vec<Shot>) -> Vec<Resp> {
    let tasks: Vec<_> = shots
        .into_iter()
        .map(|s| {
            let (app, token) = (app.clone(), t.token.clone());
            tokio::spawn(async move { app.request(s.method, &s.path, &token, &s.key, &s.body).await })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

fn statuses(rs: &[Resp]) -> Vec<u16> {
    let mut s: Vec<u16> = rs.iter().map(|r| r.status).collect();
    s.sort_unstable();
    s
}

/// Exactly one 201; every other response a 422 with `code`.
fn one_wins(rs: &[Resp], code: &str, what: &str) {
    assert_eq!(rs.iter().filter(|r| r.status == 201).count(), 1, "{what}: {:?}", statuses(rs));
    for r in rs.iter().filter(|r| r.status != 201) {
        assert_eq!((r.status, r.code()), (422, code.to_owned()), "{what}");
    }
}

pub async fn concurrent_demotions_never_remove_the_last_admin(app: TestApp) {
    let app = Arc::new(app);
    for round in 0..6 {
        let t = app.new_tenant().await;
        let a = fixtures::user(&app, &t, "a@example.com", "admin").await;
        let b = fixtures::user(&app, &t, "b@example.com", "admin").await;
        let demote = |u: &str, k: &str| shot("PUT", format!("/v1/users/{u}/role"), k, json!({"role": "viewer"}));
        let rs = race(&app, &t, vec![demote(&a, "demote-a"), demote(&b, "demote-b")]).await;
        one_wins(&rs, "last_admin", &format!("round {round}"));
        let mut admins = 0;
        for u in [&a, &b] {
            admins += usize::from(app.get(&format!("/v1/users/{u}"), &t.token).await.json()["role"] == "admin");
        }
        assert_eq!(admins, 1, "round {round}: one admin remains");
    }
}

pub async fn deleting_a_customer_serialises_with_invoicing_it(app: TestApp) {
    let app = Arc::new(app);
    let mut outcomes = std::collections::BTreeSet::new();
    for round in 0..8 {
        let t = app.new_tenant().await;
        let c = fixtures::customer(&app, &t).await;
        let rs = race(
            &app,
            &t,
            vec![
                shot("DELETE", format!("/v1/customers/{c}"), "delete", json!({})),
                shot("POST", "/v1/invoices", "invoice", fixtures::invoice_body(&c, 100)),
            ],
        )
        .await;
        let (delete, invoice) = (&rs[0], &rs[1]);
        match (delete.status, invoice.status) {
            (201, 422) => assert_eq!(invoice.code(), "customer_deleted", "round {round}"),
            (422, 201) => assert_eq!(delete.code(), "customer_has_open_invoices", "round {round}"),
            other => panic!("round {round}: delete and invoice ended {other:?}"),
        }
        outcomes.insert((delete.status, invoice.status));
        let customer = app.get(&format!("/v1/customers/{c}"), &t.token).await.json();
        assert_eq!(customer.get("deleted_at").is_some(), delete.status == 201, "round {round}");
    }
    eprintln!("delete/invoice race outcomes seen: {outcomes:?}");
}

pub async fn concurrent_approvals_disburse_once(app: TestApp) {
    let app = Arc::new(app);
    let t = app.new_tenant().await;
    let run = fixtures::payroll_run(&app, &t).await;
    let shots = (0..20)
        .map(|i| shot("POST", format!("/v1/payroll-runs/{run}/approve"), format!("approve-{i}"), json!({})))
        .collect();
    let rs = race(&app, &t, shots).await;
    one_wins(&rs, "payroll_run_not_draft", "approvals");
    let wf = app.store.workflows(Some(t.id)).await.unwrap();
    assert_eq!(wf.iter().filter(|w| w.workflow_name == "payroll_disbursement").count(), 1);
    let run = app.get(&format!("/v1/payroll-runs/{run}"), &t.token).await.json();
    assert_eq!(run["status"], "approved");
}

pub async fn concurrent_refunds_stay_within_the_payment(app: TestApp) {
    let app = Arc::new(app);
    let t = app.new_tenant().await;
    let c = fixtures::customer(&app, &t).await;
    let i = fixtures::invoice(&app, &t, &c, 100).await;
    let p = fixtures::payment(&app, &t, &i, 100).await;
    let shots = (0..30)
        .map(|n| shot("POST", "/v1/refunds", format!("refund-{n}"), json!({"payment_id": p, "amount_cents": 10})))
        .collect();
    let rs = race(&app, &t, shots).await;
    assert_eq!(rs.iter().filter(|r| r.status == 201).count(), 10, "{:?}", statuses(&rs));
    assert!(rs.iter().filter(|r| r.status != 201).all(|r| r.code() == "refund_exceeds_payment"));
    let payment = app.get(&format!("/v1/payments/{p}"), &t.token).await.json();
    assert_eq!(payment["amount_refunded_cents"], 100);
}

pub async fn concurrent_unique_names_admit_one(app: TestApp) {
    let app = Arc::new(app);
    let t = app.new_tenant().await;
    let closes = (0..10).map(|n| shot("POST", "/v1/periods/2019-05/close", format!("close-{n}"), json!({}))).collect();
    one_wins(&race(&app, &t, closes).await, "period_already_closed", "closes of one period");
    let accounts = (0..10)
        .map(|n| {
            shot("POST", "/v1/accounts", format!("acct-{n}"), json!({"code": "1000", "name": "Cash", "type": "asset"}))
        })
        .collect();
    one_wins(&race(&app, &t, accounts).await, "account_code_taken", "one account code");
    let users = (0..10)
        .map(|n| {
            // Emails are unique whatever their case.
            let email = if n % 2 == 0 { "sam@example.com" } else { "SAM@Example.com" };
            let body = json!({"email": email, "name": format!("Sam {n}"), "role": "viewer"});
            shot("POST", "/v1/users", format!("user-{n}"), body)
        })
        .collect();
    one_wins(&race(&app, &t, users).await, "email_taken", "one email");
}

pub async fn lifecycles_across_operations(app: TestApp) {
    let t = app.new_tenant().await;
    let c = fixtures::customer(&app, &t).await;

    // A void stops payments; the void's reversal is readable.
    let voided = fixtures::invoice(&app, &t, &c, 500).await;
    let void = make(&app, &t, "POST", &format!("/v1/invoices/{voided}/void"), json!({"reason": "typo"})).await;
    let invoice = app.get(&format!("/v1/invoices/{voided}"), &t.token).await.json();
    assert_eq!((invoice["status"].as_str(), invoice["voided_at"].is_string()), (Some("void"), true));
    let pay = app
        .post("/v1/payments", &t.token, "pay-void", &json!({"invoice_id": voided, "amount_cents": 1, "method": "card"}))
        .await;
    assert_eq!((pay.status, pay.code()), (422, "invoice_not_payable".into()));
    let reversal = app.get(&format!("/v1/ledger/{}", void["id"].as_str().unwrap()), &t.token).await.json();
    assert_eq!(reversal["data"][0]["account"], "revenue");
    assert_eq!(reversal["data"][0]["debit_cents"], 500);

    // Settled and voided invoices do not block deleting the customer.
    let settled = fixtures::invoice(&app, &t, &c, 300).await;
    fixtures::payment(&app, &t, &settled, 300).await;
    // An action without a body needs no Content-Type either.
    let auth = format!("Bearer {}", t.token);
    let del = send(
        app.addr,
        "DELETE",
        &format!("/v1/customers/{c}"),
        &[("authorization", auth.as_bytes()), ("idempotency-key", b"delete-c")],
        Vec::new(),
    )
    .await;
    assert_eq!(del.status, 201, "{:?}", del.body);
    let deletion = app.get(del.header("location").unwrap(), &t.token).await.json();
    assert_eq!(deletion["customer_id"].as_str(), Some(c.as_str()));
    let late = app.post("/v1/invoices", &t.token, "late", &fixtures::invoice_body(&c, 1)).await;
    assert_eq!((late.status, late.code()), (422, "customer_deleted".into()));

    // A period reads open until it is closed, and its marker names the close.
    let open = app.get("/v1/periods/2018-07", &t.token).await.json();
    assert_eq!(open, json!({"object": "period", "period": "2018-07", "status": "open"}));
    let close = make(&app, &t, "POST", "/v1/periods/2018-07/close", json!({"note": "audited"})).await;
    let closed = app.get("/v1/periods/2018-07", &t.token).await.json();
    assert_eq!((closed["status"].as_str(), &closed["period_close_id"]), (Some("closed"), &close["id"]));
    assert_eq!(app.get("/v1/periods/2018-13", &t.token).await.status, 404);

    // Roles change both ways while another admin remains.
    let a = fixtures::user(&app, &t, "a@example.com", "admin").await;
    let v = fixtures::user(&app, &t, "v@example.com", "viewer").await;
    make(&app, &t, "PUT", &format!("/v1/users/{v}/role"), json!({"role": "admin"})).await;
    let change = make(&app, &t, "PUT", &format!("/v1/users/{a}/role"), json!({"role": "viewer"})).await;
    assert_eq!((change["previous_role"].as_str(), change["role"].as_str()), (Some("admin"), Some("viewer")));

    // Another tenant sees none of it.
    let other = app.new_tenant().await;
    for path in [format!("/v1/invoices/{voided}"), format!("/v1/ledger/{voided}"), format!("/v1/customers/{c}")] {
        assert_eq!(app.get(&path, &other.token).await.status, 404, "{path}");
    }
    let theirs = app.get("/v1/periods/2018-07", &other.token).await.json();
    assert_eq!(theirs["status"], "open", "periods close per tenant");
}

per_store_app_suite!(
    concurrent_demotions_never_remove_the_last_admin,
    deleting_a_customer_serialises_with_invoicing_it,
    concurrent_approvals_disburse_once,
    concurrent_refunds_stay_within_the_payment,
    concurrent_unique_names_admit_one,
    lifecycles_across_operations,
);
