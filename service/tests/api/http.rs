//! HTTP integration tests: every status code of the contract, bad input
//! that writes nothing, tenant isolation. Run against every store.

use std::time::Duration;

use accubooks_service::idempotency::deterministic_id;
use accubooks_service::idempotency::fingerprint::FINGERPRINT_VERSION;
use accubooks_service::idempotency::key::IdempotencyKey;
use accubooks_service::store::faulty::Step;
use accubooks_service::store::{Claim, KeyClaim, KeyRecord};
use serde_json::json;

use crate::support::{invoice_body, send, spawn_app_with, Kind, TestApp};

async fn assert_nothing_written(app: &TestApp, before: accubooks_service::store::Counts, what: &str) {
    let after = app.store.counts().await.unwrap();
    assert_eq!(after, before, "{what} wrote something");
}

pub async fn walkthrough_new_replay_mismatch(app: TestApp) {
    let tok = app.tenants.token_a.clone();
    let cust = app.customer(&tok, "cust-1").await;
    let first = app.post("/v1/invoices", &tok, "inv-1", &invoice_body(&cust, 150_000)).await;
    assert_eq!(first.status, 201);
    let id = first.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(first.header("location"), Some(format!("/v1/invoices/{id}").as_str()));
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(first.json()["total_cents"], 150_000);
    assert!(first.header("x-request-id").is_some());

    let retry = app.post("/v1/invoices", &tok, "inv-1", &invoice_body(&cust, 150_000)).await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body, first.body, "replay is byte-identical");
    assert_eq!(retry.header("location"), first.header("location"));

    let other = app.post("/v1/invoices", &tok, "inv-1", &invoice_body(&cust, 999)).await;
    assert_eq!(other.status, 422);
    assert_eq!(other.code(), "idempotency_key_mismatch");

    let read = app.get(&format!("/v1/invoices/{id}"), &tok).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, first.body);
    let read_c = app.get(&format!("/v1/customers/{cust}"), &tok).await;
    assert_eq!(read_c.status, 200);
    // A reformatted body with reordered keys is the same request.
    let raw = format!(
        "{{ \"lines\": [ {{\"unit_price_cents\": 150000, \"quantity\": 1, \"description\": \"Consulting\"}} ],\n  \"due_date\": \"2026-12-31\", \"currency\": \"USD\", \"customer_id\": \"{cust}\" }}"
    );
    let auth = format!("Bearer {tok}");
    let reformatted = send(
        app.addr,
        "POST",
        "/v1/invoices",
        &[
            ("authorization", auth.as_bytes()),
            ("idempotency-key", b"\"inv-1\""),
            ("content-type", b"application/json; charset=utf-8"),
        ],
        raw.into_bytes(),
    )
    .await;
    assert_eq!(reformatted.status, 200, "{:?}", reformatted.body);
    assert_eq!(reformatted.body, first.body);
}

pub async fn payments_update_invoices_and_rules_replay(app: TestApp) {
    let tok = app.tenants.token_a.clone();
    let cust = app.customer(&tok, "c").await;
    let inv = app.invoice(&tok, "i", &cust, 1_000).await;
    let pay = |cents: i64| json!({"invoice_id": inv, "amount_cents": cents, "method": "bank_transfer"});
    let p = app.post("/v1/payments", &tok, "p1", &pay(400)).await;
    assert_eq!(p.status, 201);
    let pid = p.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/v1/payments/{pid}"), &tok).await.body, p.body);
    let over = app.post("/v1/payments", &tok, "p2", &pay(601)).await;
    assert_eq!(over.status, 422);
    assert_eq!(over.code(), "overpayment");
    let over_again = app.post("/v1/payments", &tok, "p2", &pay(601)).await;
    assert_eq!(over_again.status, 422);
    assert_eq!(over_again.header("idempotent-replayed"), Some("true"));
    assert_eq!(over_again.body, over.body);
    let rest = app.post("/v1/payments", &tok, "p3", &pay(600)).await;
    assert_eq!(rest.status, 201);
    let invoice = app.get(&format!("/v1/invoices/{inv}"), &tok).await.json();
    assert_eq!(invoice["amount_paid_cents"], 1_000);
    assert_eq!(invoice["status"], "paid");
}

pub async fn bad_input_is_refused_and_writes_nothing(app: TestApp) {
    let tok = app.tenants.token_a.clone();
    let cust = app.customer(&tok, "c").await;
    let auth = format!("Bearer {tok}");
    let good = serde_json::to_vec(&invoice_body(&cust, 100)).unwrap();
    let before = app.store.counts().await.unwrap();
    let json_ct: (&str, &[u8]) = ("content-type", b"application/json");
    let a: (&str, &[u8]) = ("authorization", auth.as_bytes());
    let long_key = "k".repeat(256);
    // (what, headers, body, expected status, expected problem code)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a [u8])>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "malformed JSON",
            vec![a, ("idempotency-key", b"k"), json_ct],
            b"{\"customer_id\": ".to_vec(),
            400,
            "invalid_json",
        ),
        (
            "wrong schema",
            vec![a, ("idempotency-key", b"k"), json_ct],
            br#"{"customer_id": 5}"#.to_vec(),
            400,
            "invalid_body",
        ),
        (
            "unknown field",
            vec![a, ("idempotency-key", b"k"), json_ct],
            br#"{"name": "x", "tenant_id": "y"}"#.to_vec(),
            400,
            "invalid_body",
        ),
        (
            "wrong content type",
            vec![a, ("idempotency-key", b"k"), ("content-type", b"text/plain")],
            good.clone(),
            415,
            "unsupported_media_type",
        ),
        ("no content type", vec![a, ("idempotency-key", b"k")], good.clone(), 415, "unsupported_media_type"),
        (
            "oversized body",
            vec![a, ("idempotency-key", b"k"), json_ct],
            vec![b' '; 64 * 1024 + 1],
            413,
            "body_too_large",
        ),
        ("missing key", vec![a, json_ct], good.clone(), 400, "missing_idempotency_key"),
        ("empty key", vec![a, ("idempotency-key", b""), json_ct], good.clone(), 400, "invalid_idempotency_key"),
        (
            "empty sf-string key",
            vec![a, ("idempotency-key", b"\"\""), json_ct],
            good.clone(),
            400,
            "invalid_idempotency_key",
        ),
        (
            "over-long key",
            vec![a, ("idempotency-key", long_key.as_bytes()), json_ct],
            good.clone(),
            400,
            "invalid_idempotency_key",
        ),
        (
            "control character key",
            vec![a, ("idempotency-key", b"ab\tcd"), json_ct],
            good.clone(),
            400,
            "invalid_idempotency_key",
        ),
        (
            "non-ASCII key",
            vec![a, ("idempotency-key", "clé".as_bytes()), json_ct],
            good.clone(),
            400,
            "invalid_idempotency_key",
        ),
        ("missing token", vec![("idempotency-key", b"k"), json_ct], good.clone(), 401, "unauthorized"),
        (
            "invalid token",
            vec![("authorization", b"Bearer abk_nope"), ("idempotency-key", b"k"), json_ct],
            good.clone(),
            401,
            "unauthorized",
        ),
        (
            "not a bearer",
            vec![("authorization", b"Basic dXNlcjpwYXNz"), ("idempotency-key", b"k"), json_ct],
            good.clone(),
            401,
            "unauthorized",
        ),
    ];
    for (what, headers, body, status, code) in cases {
        let path = if what == "unknown field" { "/v1/customers" } else { "/v1/invoices" };
        let r = send(app.addr, "POST", path, &headers, body).await;
        assert_eq!(r.status, status, "{what}: {:?}", r.body);
        assert_eq!(r.code(), code, "{what}");
        assert_nothing_written(&app, before, what).await;
    }
    let invalid = [
        json!({"customer_id": cust, "currency": "usd", "due_date": "2026-12-31", "lines": [{"description": "x", "quantity": 1, "unit_price_cents": 1}]}),
        json!({"customer_id": cust, "currency": "USD", "due_date": "2026-02-30", "lines": [{"description": "x", "quantity": 1, "unit_price_cents": 1}]}),
        json!({"customer_id": cust, "currency": "USD", "due_date": "2026-12-31", "lines": []}),
        json!({"customer_id": cust, "currency": "USD", "due_date": "2026-12-31", "lines": [{"description": "x", "quantity": -1, "unit_price_cents": 1}]}),
    ];
    for (i, body) in invalid.iter().enumerate() {
        let r = app.post("/v1/invoices", &tok, &format!("v{i}"), body).await;
        assert_eq!(r.status, 422, "case {i}: {:?}", r.body);
        assert_eq!(r.code(), "validation_failed");
        assert_nothing_written(&app, before, "validation failure").await;
    }
    // Ten lines of 10^18 cents each would overflow i64; every field is
    // within its own bounds, so the sum rule refuses it, with its own code.
    let overflow = json!({"customer_id": cust, "currency": "USD", "due_date": "2026-12-31", "lines": vec![json!({"description": "x", "quantity": 1000000, "unit_price_cents": 1000000000000i64}); 10]});
    let r = app.post("/v1/invoices", &tok, "v-overflow", &overflow).await;
    assert_eq!((r.status, r.code()), (422, "total_exceeds_cap".to_owned()), "{:?}", r.body);
    assert_nothing_written(&app, before, "a total over the cap").await;
    let unknown_customer =
        app.post("/v1/invoices", &tok, "u", &invoice_body(&uuid::Uuid::new_v4().to_string(), 1)).await;
    assert_eq!(unknown_customer.status, 404);
    assert_eq!(unknown_customer.code(), "customer_not_found");
    assert_nothing_written(&app, before, "unknown customer").await;
}

pub async fn other_tenants_entities_are_invisible(app: TestApp) {
    let (ta, tb) = (app.tenants.token_a.clone(), app.tenants.token_b.clone());
    let cust = app.customer(&ta, "c").await;
    let inv = app.invoice(&ta, "i", &cust, 500).await;
    let before = app.store.counts().await.unwrap();
    let pay =
        app.post("/v1/payments", &tb, "p", &json!({"invoice_id": inv, "amount_cents": 100, "method": "card"})).await;
    assert_eq!(pay.status, 404);
    assert_eq!(pay.code(), "invoice_not_found");
    assert_nothing_written(&app, before, "cross-tenant payment").await;
    let get = app.get(&format!("/v1/invoices/{inv}"), &tb).await;
    assert_eq!(get.status, 404);
    assert_eq!(get.code(), "not_found");
    assert_eq!(app.get(&format!("/v1/customers/{inv}"), &ta).await.status, 404, "wrong kind is not found");
    assert_eq!(app.get("/v1/invoices/not-a-uuid", &ta).await.status, 404);

    // Tenant B sending tenant A's key string gets its own new entity.
    let b_cust = app.post("/v1/customers", &tb, "c", &json!({"name": "Acme Ltd"})).await;
    assert_eq!(b_cust.status, 201);
    assert_ne!(b_cust.json()["id"].as_str().unwrap(), cust);
    let b_id = deterministic_id(app.tenants.b, "create_customer", &IdempotencyKey::parse("c").unwrap());
    assert_eq!(b_cust.json()["id"], b_id.to_string());
}

pub async fn in_flight_duplicate_gets_409_or_busy_503(app: TestApp, kind: Kind) {
    let tok = app.tenants.token_a.clone();
    let key = IdempotencyKey::parse("held").unwrap();
    let record = KeyRecord {
        tenant_id: app.tenants.a,
        idempotency_key: "held".into(),
        operation: "create_customer".into(),
        fingerprint: "held-by-test".into(),
        fingerprint_version: FINGERPRINT_VERSION,
        entity_id: deterministic_id(app.tenants.a, "create_customer", &key),
        response: None,
    };
    let mut tx = app.store.begin().await.unwrap();
    let claim = tx.claim_key(&KeyClaim { record, wait: Duration::from_secs(1) }).await.unwrap();
    assert_eq!(claim, Claim::Claimed);
    let r = app.post("/v1/customers", &tok, "held", &json!({"name": "Acme"})).await;
    // SQLite has one writer: the duplicate waits on the write lock, and past
    // the bound cannot tell a same-key request from any other writer.
    let (status, code) =
        if kind == Kind::Sqlite { (503, "storage_unavailable") } else { (409, "idempotency_key_in_flight") };
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.code(), code);
    assert_eq!(r.header("retry-after"), Some("1"));
    tx.rollback().await.unwrap();
    let after = app.post("/v1/customers", &tok, "held", &json!({"name": "Acme"})).await;
    assert_eq!(after.status, 201, "once the holder aborts, the key executes");
}

pub async fn transient_failure_is_503_and_retry_executes(app: TestApp) {
    let tok = app.tenants.token_a.clone();
    let before = app.store.counts().await.unwrap();
    app.faulty.fail_once(Step::Commit);
    let r = app.post("/v1/customers", &tok, "k", &json!({"name": "Acme"})).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.code(), "storage_unavailable");
    assert_eq!(r.header("retry-after"), Some("1"));
    let after = app.store.counts().await.unwrap();
    assert_eq!((after.keys, after.entities), (before.keys, before.entities));
    let retry = app.post("/v1/customers", &tok, "k", &json!({"name": "Acme"})).await;
    assert_eq!(retry.status, 201);
    // A database that cannot even verify the token refuses the write the
    // same way, and the refusal is counted like the engine's own.
    let refused = |m: axum::body::Bytes| {
        String::from_utf8_lossy(&m)
            .lines()
            .find(|l| {
                l.starts_with("idempotent_writes_failed_total{") && l.contains("error_type=\"storage_unavailable\"")
            })
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let before = refused(send(app.addr, "GET", "/metrics", &[], vec![]).await.body);
    app.faulty.fail_once(Step::Authenticate);
    let r = app.post("/v1/customers", &tok, "k2", &json!({"name": "Acme"})).await;
    assert_eq!((r.status, r.code()), (503, "storage_unavailable".into()));
    let after = refused(send(app.addr, "GET", "/metrics", &[], vec![]).await.body);
    assert_eq!(after, before + 1.0, "a refused token lookup counts as a failed write");
}

pub async fn infrastructure_routes_and_metrics(app: TestApp) {
    assert_eq!(send(app.addr, "GET", "/healthz", &[], vec![]).await.status, 200);
    assert_eq!(send(app.addr, "GET", "/readyz", &[], vec![]).await.status, 200);
    let nf = send(app.addr, "GET", "/nope", &[], vec![]).await;
    assert_eq!(nf.status, 404);
    assert_eq!(nf.code(), "not_found");
    let tok = app.tenants.token_a.clone();
    app.customer(&tok, "m").await;
    assert_eq!(app.post("/v1/customers", &tok, "m", &json!({"name": "Acme Ltd"})).await.status, 200);
    let mm = app.post("/v1/customers", &tok, "m", &json!({"name": "Other"})).await;
    assert_eq!(mm.status, 422);
    let m = send(app.addr, "GET", "/metrics", &[], vec![]).await;
    assert_eq!(m.status, 200);
    let text = String::from_utf8(m.body.to_vec()).unwrap();
    for needle in [
        r#"idempotent_writes_total{operation="create_customer",status="new",type="reference"} 1"#,
        r#"idempotent_writes_total{operation="create_customer",status="replayed",type="reference"} 1"#,
        r#"idempotent_writes_replayed_total{operation="create_customer",type="reference"} 1"#,
        r#"idempotent_writes_failed_total{error_type="mismatch",operation="create_customer",type="reference"} 1"#,
        // At zero from the start: DatabaseConstraintRefusedWrite fires on its first increase.
        r#"idempotent_writes_failed_total{error_type="constraint_violation",operation="create_customer",type="reference"} 0"#,
        r#"idempotent_write_duration_ms_count{operation="create_customer",type="reference"} 3"#,
        r#"idempotent_writes_workflows_triggered_total{operation="create_invoice",type="financial"} 0"#,
    ] {
        assert!(text.contains(needle), "metrics lack {needle}\n{text}");
    }
}

/// What the server accepts is exactly what the contract says: one JSON
/// object with distinct member names, as `application/json` in UTF-8; the
/// bearer scheme in any case; a path id in any spelling the reads accept is
/// one request.
pub async fn strict_contract(app: TestApp) {
    let tok = app.tenants.token_a.clone();
    let auth = format!("Bearer {tok}");
    let a: (&str, &[u8]) = ("authorization", auth.as_bytes());
    let json_ct: (&str, &[u8]) = ("content-type", b"application/json");
    let before = app.store.counts().await.unwrap();
    // (what, content type, body, expected status, expected code)
    type Case<'a> = (&'a str, &'a [u8], &'a [u8], u16, &'a str);
    let cases: [Case; 5] = [
        ("a top-level array", b"application/json", br#"["Acme"]"#, 400, "invalid_json"),
        ("a top-level string", b"application/json", br#""Acme""#, 400, "invalid_json"),
        ("a member named twice", b"application/json", br#"{"name":"a","name":"b"}"#, 400, "invalid_json"),
        ("merge-patch+json", b"application/merge-patch+json", br#"{"name":"a"}"#, 415, "unsupported_media_type"),
        ("a latin1 charset", b"application/json; charset=latin1", br#"{"name":"a"}"#, 415, "unsupported_media_type"),
    ];
    for (what, ct, body, status, code) in cases {
        let headers = [a, ("idempotency-key", b"strict".as_slice()), ("content-type", ct)];
        let r = send(app.addr, "POST", "/v1/customers", &headers, body.to_vec()).await;
        assert_eq!(r.status, status, "{what}: {:?}", r.body);
        assert_eq!(r.code(), code, "{what}");
    }
    assert_nothing_written(&app, before, "a refused body").await;

    // The scheme of Authorization is case-insensitive.
    let lower = format!("bearer {tok}");
    let headers = [("authorization", lower.as_bytes()), ("idempotency-key", b"lower".as_slice()), json_ct];
    let r = send(app.addr, "POST", "/v1/customers", &headers, br#"{"name":"Lower Case Ltd"}"#.to_vec()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);

    // A void retried with the invoice id upper-cased or without dashes is
    // the same request: a replay, not a mismatch.
    let cust = app.customer(&tok, "strict-c").await;
    let inv = app.invoice(&tok, "strict-i", &cust, 500).await;
    let void = app.post(&format!("/v1/invoices/{inv}/void"), &tok, "strict-v", &json!({})).await;
    assert_eq!(void.status, 201, "{:?}", void.body);
    for spelling in [inv.to_uppercase(), inv.replace('-', "")] {
        let again = app.post(&format!("/v1/invoices/{spelling}/void"), &tok, "strict-v", &json!({})).await;
        assert_eq!(again.status, 200, "{spelling}: {:?}", again.body);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, void.body);
    }
}

macro_rules! http_suite {
    ($($case:ident),* $(,)?) => {
        http_suite!(@store memory, Memory; $($case),*);
        http_suite!(@store sqlite, Sqlite; $($case),*);
        http_suite!(@store postgres, Postgres; $($case),*);
    };
    (@store $module:ident, $kind:ident; $($case:ident),*) => {
        mod $module { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { super::run(crate::support::Kind::$kind, stringify!($case)).await }
        )* }
    };
}

async fn run(kind: Kind, case: &str) {
    let wait = if case == "in_flight_duplicate_gets_409_or_busy_503" {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(30)
    };
    let Some(app) = spawn_app_with(kind, wait).await else { return };
    match case {
        "walkthrough_new_replay_mismatch" => walkthrough_new_replay_mismatch(app).await,
        "payments_update_invoices_and_rules_replay" => payments_update_invoices_and_rules_replay(app).await,
        "bad_input_is_refused_and_writes_nothing" => bad_input_is_refused_and_writes_nothing(app).await,
        "other_tenants_entities_are_invisible" => other_tenants_entities_are_invisible(app).await,
        "in_flight_duplicate_gets_409_or_busy_503" => in_flight_duplicate_gets_409_or_busy_503(app, kind).await,
        "transient_failure_is_503_and_retry_executes" => transient_failure_is_503_and_retry_executes(app).await,
        "infrastructure_routes_and_metrics" => infrastructure_routes_and_metrics(app).await,
        "strict_contract" => strict_contract(app).await,
        other => panic!("unknown case {other}"),
    }
}

http_suite!(
    walkthrough_new_replay_mismatch,
    payments_update_invoices_and_rules_replay,
    bad_input_is_refused_and_writes_nothing,
    other_tenants_entities_are_invisible,
    in_flight_duplicate_gets_409_or_busy_503,
    transient_failure_is_503_and_retry_executes,
    infrastructure_routes_and_metrics,
    strict_contract,
);
