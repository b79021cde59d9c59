//! Idempotency-key expiry on SQLite and Postgres: after the TTL a
//! high-risk key is a tombstone (the same request is refused, never
//! re-executed; another payload is a mismatch) and a financial key's record
//! is gone, yet its reuse still cannot execute twice.

use std::process::Command;
use std::time::Duration;

use serde_json::json;
use sqlx::Connection;

use crate::support::{spawn_app_with, Kind};

async fn backdate(url: &str, keys: &[&str]) {
    let list = keys.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
    if url.starts_with("sqlite:") {
        let sql = format!(
            "UPDATE idempotency_keys SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-25 hours') WHERE idempotency_key IN ({list})"
        );
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await.unwrap();
    } else {
        let sql = format!(
            "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key IN ({list})"
        );
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await.unwrap();
    }
}

fn reap(url: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_accubooks"))
        .args(["keys", "reap", "--ttl-hours", "24", "--database-url", url])
        .env("ACCUBOOKS_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub async fn expired_keys_never_execute_twice(kind: Kind) {
    let Some(app) = spawn_app_with(kind, Duration::from_secs(30)).await else { return };
    let tok = app.tenants.token_a.clone();
    let cust = app.customer(&tok, "cust").await;
    let invoice = json!({"customer_id": cust, "currency": "USD", "due_date": "2026-12-31",
        "lines": [{"description": "Audit", "quantity": 1, "unit_price_cents": 90_000}]});
    assert_eq!(app.post("/v1/invoices", &tok, "inv", &invoice).await.status, 201);
    assert_eq!(app.post("/v1/periods/2019-03/close", &tok, "close", &json!({})).await.status, 201);

    let status = app.get("/v1/idempotency-keys/inv", &tok).await;
    assert_eq!(status.status, 200);
    let v = status.json();
    assert_eq!((v["status"].as_str(), v["operation"].as_str()), (Some("active"), Some("create_invoice")));
    let (created, expires) = (v["created_at"].as_str().unwrap(), v["expires_at"].as_str().unwrap());
    let (c, _) = accubooks_service::domain::time::parse_utc(created).unwrap();
    let (e, _) = accubooks_service::domain::time::parse_utc(expires).unwrap();
    assert_eq!(e - c, 24 * 3600, "expires 24 h after first use");
    assert_eq!(app.get("/v1/idempotency-keys/inv", &app.tenants.token_b).await.status, 404, "tenant-scoped");

    assert!(reap(&app.url).contains("0 high-risk key(s) tombstoned, 0 expired key(s) deleted"), "nothing expired yet");
    backdate(&app.url, &["cust", "inv", "close"]).await;
    let before = app.store.counts().await.unwrap();
    let out = reap(&app.url);
    assert!(out.contains("1 high-risk key(s) tombstoned, 2 expired key(s) deleted"), "{out}");

    // High-risk: the same request is refused from the tombstone.
    let again = app.post("/v1/periods/2019-03/close", &tok, "close", &json!({})).await;
    assert_eq!(again.status, 422);
    assert_eq!(again.code(), "idempotency_key_expired");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = app.post("/v1/periods/2019-04/close", &tok, "close", &json!({})).await;
    assert_eq!(other.code(), "idempotency_key_mismatch", "the tombstone keeps the fingerprint");
    assert_eq!(app.get("/v1/idempotency-keys/close", &tok).await.json()["status"], "expired");

    // Financial: the record is gone, but the entity id is taken.
    assert_eq!(app.get("/v1/idempotency-keys/inv", &tok).await.status, 404);
    let reuse = app.post("/v1/invoices", &tok, "inv", &invoice).await;
    assert_eq!(reuse.status, 422, "{:?}", reuse.body);
    assert_eq!(reuse.code(), "idempotency_key_expired");
    let after = app.store.counts().await.unwrap();
    assert_eq!(
        (after.entities, after.workflows, after.audit_new),
        (before.entities, before.workflows, before.audit_new)
    );
    assert_eq!(after.keys, before.keys - 2, "the two expired financial/reference keys stay deleted");
    assert!(reap(&app.url).contains("0 high-risk key(s) tombstoned, 0 expired key(s) deleted"), "idempotent");
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn expired_keys_never_execute_twice() {
        super::expired_keys_never_execute_twice(crate::support::Kind::Sqlite).await
    }
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn expired_keys_never_execute_twice() {
        super::expired_keys_never_execute_twice(crate::support::Kind::Postgres).await
    }
}
