//! The compliance CLI and the audit log's lifecycle on SQLite and Postgres:
//! the plan's queries, violations planted by SQL that must make the
//! commands exit non-zero and name them, archiving with verified counts,
//! and monthly partitions on Postgres.

use std::process::{Command, Output};
use std::time::Duration;

use accubooks_service::jobs::compliance;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::support::{spawn_app_with, Kind, TestApp};

async fn app(kind: Kind) -> Option<(String, TestApp)> {
    let app = spawn_app_with(kind, Duration::from_secs(30)).await?;
    Some((app.url.clone(), app))
}

fn accubooks(args: &[&str], url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accubooks"))
        .args(args)
        .args(["--database-url", url])
        .env("ACCUBOOKS_LOG", "warn")
        .output()
        .expect("run accubooks")
}

async fn sql(url: &str, statement: String) {
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement)).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement)).execute(&mut c).await.unwrap();
    }
}

/// An audit row inserted behind the service's back, `age_days` old.
fn planted_audit(url: &str, id: &str, status: &str, workflows: i32, age_days: u32) -> String {
    let ts = if url.starts_with("sqlite:") {
        format!("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-{age_days} days')")
    } else {
        format!("now() - interval '{age_days} days'")
    };
    format!(
        "INSERT INTO idempotent_write_audit_log (company_id, operation_name, idempotency_key_hash, deterministic_id, \
         status, http_status, workflows_triggered, duration_ms, request_id, timestamp) \
         VALUES ('00000000-0000-0000-0000-000000000000', 'create_invoice', 'planted', '{id}', '{status}', 201, {workflows}, 1, 'planted', {ts})"
    )
}

async fn traffic(app: &TestApp) -> String {
    let tok = &app.tenants.token_a;
    let cust = app.customer(tok, "c1").await;
    assert_eq!(app.post("/v1/customers", tok, "c1", &json!({"name": "Acme Ltd"})).await.status, 200);
    let inv = app.invoice(tok, "i1", &cust, 5_000).await;
    assert_eq!(app.post("/v1/customers", tok, "c1", &json!({"name": "Other"})).await.status, 422);
    inv
}

pub async fn compliance_queries_find_planted_violations(kind: Kind) {
    let Some((url, app)) = app(kind).await else { return };
    let invoice = traffic(&app).await;
    let db = compliance::open(&url).await.unwrap();
    assert!(db.duplicates(30).await.unwrap().is_empty());
    assert!(db.workflow_mismatches(7).await.unwrap().is_empty(), "the outbox matches the audit log");
    let rates = db.replay_rate(7).await.unwrap();
    let cust = rates.iter().find(|r| r.operation_name == "create_customer").expect("create_customer row");
    assert_eq!((cust.new_count, cust.replay_count), (1, 1));
    assert!(
        (cust.replay_rate_pct - 33.33).abs() < 0.01,
        "1 replay of 3 audit rows (new, replayed, mismatch): {cust:?}"
    );
    assert!(db.failures(7).await.unwrap().is_empty());

    let ok = accubooks(&["audit", "verify-no-duplicates"], &url);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("0 duplicate(s)"));

    // A second `new` row for an executed id: a duplicate execution.
    sql(&url, planted_audit(&url, &invoice, "new", 1, 0)).await;
    let bad = accubooks(&["audit", "verify-no-duplicates"], &url);
    assert_eq!(bad.status.code(), Some(1), "a planted duplicate must fail the check");
    assert!(String::from_utf8_lossy(&bad.stdout).contains(&invoice), "the duplicate is named");
    let json_out = accubooks(&["audit", "verify-no-duplicates", "--json"], &url);
    let v: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    assert_eq!(v["duplicates"][0]["deterministic_id"], invoice.as_str());
    assert_eq!(v["duplicates"][0]["execution_count"], 2);

    // An execution that claims 3 workflows but has none in the outbox.
    let ghost = uuid::Uuid::new_v4().to_string();
    sql(&url, planted_audit(&url, &ghost, "new", 3, 0)).await;
    let wf = accubooks(&["audit", "verify-workflows"], &url);
    assert_eq!(wf.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wf.stdout).contains(&ghost));

    sql(&url, planted_audit(&url, &ghost, "failed", 0, 0)).await;
    let failures = accubooks(&["audit", "failures", "--days", "7", "--json"], &url);
    assert!(failures.status.success());
    let v: Value = serde_json::from_slice(&failures.stdout).unwrap();
    assert_eq!(v["failures"][0]["failure_count"], 1);
    let rr = accubooks(&["audit", "replay-rate", "--days", "7"], &url);
    assert!(rr.status.success());
    assert!(String::from_utf8_lossy(&rr.stdout).contains("create_customer"));
}

pub async fn archive_moves_old_rows_and_verifies_counts(kind: Kind) {
    let Some((url, app)) = app(kind).await else { return };
    traffic(&app).await;
    let recent = app.store.audit_rows(None).await.unwrap().len();
    for i in 0..25 {
        sql(&url, planted_audit(&url, &uuid::Uuid::new_v4().to_string(), "replayed", 0, 100 + i)).await;
    }
    assert_eq!(app.store.audit_rows(None).await.unwrap().len(), recent + 25);
    let out = accubooks(&["audit", "archive", "--older-than", "90d", "--json"], &url);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["moved"].as_u64(), v["verified"].as_u64()), (Some(25), Some(25)));
    assert_eq!(app.store.audit_rows(None).await.unwrap().len(), recent, "recent rows stay");
    let again = accubooks(&["audit", "archive", "--older-than", "90"], &url);
    assert!(String::from_utf8_lossy(&again.stdout).contains("archived 0 audit row(s)"));
}

pub async fn postgres_audit_log_is_partitioned_monthly(kind: Kind) {
    assert_eq!(kind, Kind::Postgres);
    let Some((url, app)) = app(kind).await else { return };
    traffic(&app).await;
    let db = compliance::open(&url).await.unwrap();
    let parts = db.partitions().await.unwrap();
    assert!(parts.contains(&"idempotent_write_audit_log_default".to_owned()), "{parts:?}");
    assert!(parts.len() >= 6, "default + five months: {parts:?}");
    // A row for a month without a partition lands in DEFAULT; ensuring that
    // month's partition moves it there.
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO idempotent_write_audit_log (company_id, operation_name, idempotency_key_hash, deterministic_id, \
         status, http_status, duration_ms, request_id, timestamp) VALUES ('00000000-0000-0000-0000-000000000000', \
         'create_invoice', 'h', '00000000-0000-0000-0000-0000000000f0', 'new', 201, 1, 'r', \
         date_trunc('month', now()) + interval '5 months' + interval '3 days')",
    )
    .execute(&mut c)
    .await
    .unwrap();
    let home = "SELECT tableoid::regclass::text FROM idempotent_write_audit_log \
         WHERE deterministic_id = '00000000-0000-0000-0000-0000000000f0'";
    let before: String = sqlx::query_scalar(home).fetch_one(&mut c).await.unwrap();
    assert_eq!(before, "idempotent_write_audit_log_default");
    let out = accubooks(&["audit", "partitions", "--months-ahead", "6", "--json"], &url);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["created"].as_array().unwrap().len(), 3, "months 4, 5 and 6 ahead: {v}");
    let after: String = sqlx::query_scalar(home).fetch_one(&mut c).await.unwrap();
    assert!(after.starts_with("idempotent_write_audit_log_2"), "moved out of DEFAULT into {after}");
    let again = accubooks(&["audit", "partitions", "--months-ahead", "6", "--json"], &url);
    let v: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(v["created"].as_array().unwrap().is_empty(), "idempotent");
}

mod sqlite {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn compliance_queries_find_planted_violations() {
        super::compliance_queries_find_planted_violations(Kind::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn archive_moves_old_rows_and_verifies_counts() {
        super::archive_moves_old_rows_and_verifies_counts(Kind::Sqlite).await
    }
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn compliance_queries_find_planted_violations() {
        super::compliance_queries_find_planted_violations(Kind::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn archive_moves_old_rows_and_verifies_counts() {
        super::archive_moves_old_rows_and_verifies_counts(Kind::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn audit_log_is_partitioned_monthly() {
        super::postgres_audit_log_is_partitioned_monthly(Kind::Postgres).await
    }
}
