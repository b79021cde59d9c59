//! Postgres connections that die while they sit in the pool (a server
//! restart, an administrator's terminate) cost no request: the pool pings
//! only connections idle for a second or more (sqlx's default pings before
//! every use, a round trip per statement), so `BEGIN` and the token lookup
//! pass over a dead connection to the next.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection};

use crate::support::{invoice_body, spawn_app_with, Kind, TestApp};

/// Several connections in the pool: concurrent writes open them.
async fn warm(app: &Arc<TestApp>, token: &str, customer: &str, round: &str) {
    let mut writes = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (app, token, customer) = (app.clone(), token.to_owned(), customer.to_owned());
        let key = format!("conn-{round}-{i}");
        writes.spawn(async move { app.post("/v1/invoices", &token, &key, &invoice_body(&customer, 100)).await });
    }
    while let Some(r) = writes.join_next().await {
        let r = r.unwrap();
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
}

/// Ends every server process of the database but the caller's, and waits
/// (a few milliseconds, well inside the idle-ping threshold) until they are gone.
async fn terminate_others(url: &str) -> i64 {
    let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
    let terminated: i64 = sqlx::query_scalar(
        "SELECT count(*) FILTER (WHERE CASE WHEN pid <> pg_backend_pid() THEN pg_terminate_backend(pid) \
           ELSE false END) FROM pg_stat_activity WHERE datname = current_database()",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    let left = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    for _ in 0..500 {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(left)).fetch_one(&mut admin).await.unwrap();
        if n == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    terminated
}

#[tokio::test]
async fn postgres_requests_pass_over_connections_terminated_in_the_pool() {
    let Some(app) = spawn_app_with(Kind::Postgres, Duration::from_secs(30)).await else { return };
    let app = Arc::new(app);
    let token = app.tenants.token_a.clone();
    let customer = app.customer(&token, "conn-customer").await;

    // Requests: the token lookup (the first statement) meets the dead ones.
    warm(&app, &token, &customer, "warm").await;
    let terminated = terminate_others(&app.url).await;
    assert!(terminated >= 2, "only {terminated} pooled connections were open");
    for i in 0..8 {
        let r = app.post("/v1/invoices", &token, &format!("conn-after-{i}"), &invoice_body(&customer, 200)).await;
        assert_eq!(r.status, 201, "write {i} after the terminate: {:?}", r.body);
    }
    let replay = app.post("/v1/invoices", &token, "conn-warm-0", &invoice_body(&customer, 100)).await;
    assert_eq!(replay.status, 200, "{:?}", replay.body);
    let read = app.get(&format!("/v1/customers/{customer}"), &token).await;
    assert_eq!(read.status, 200, "{:?}", read.body);

    // A transaction first: `BEGIN` meets them.
    warm(&app, &token, &customer, "again").await;
    assert!(terminate_others(&app.url).await >= 2);
    for _ in 0..4 {
        let tx = app.store.begin().await.expect("BEGIN passes over dead connections");
        tx.rollback().await.unwrap();
    }
}
