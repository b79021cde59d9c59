//! Limits under abuse: each one explicit, configured here, and shown to
//! answer as documented (README, "Limits").

use std::time::{Duration, Instant};

use accubooks_service::engine::EngineConfig;
use accubooks_service::http::{json_depth, HttpConfig};
use accubooks_service::idempotency::deterministic_id;
use accubooks_service::idempotency::fingerprint::FINGERPRINT_VERSION;
use accubooks_service::idempotency::key::IdempotencyKey;
use accubooks_service::serve::ServeConfig;
use accubooks_service::store::sql::SqlLimits;
use accubooks_service::store::{Claim, KeyClaim, KeyRecord, Tx};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{send, spawn_app_configured, test_limits, AppConfig, Kind, TestApp};

/// Claims `key` for tenant A's create_customer in a transaction the test
/// holds, so requests on that key find it in flight.
async fn hold_key(app: &TestApp, key: &str) -> Box<dyn Tx> {
    let parsed = IdempotencyKey::parse(key).unwrap();
    let record = KeyRecord {
        tenant_id: app.tenants.a,
        idempotency_key: key.into(),
        operation: "create_customer".into(),
        fingerprint: "held-by-test".into(),
        fingerprint_version: FINGERPRINT_VERSION,
        entity_id: deterministic_id(app.tenants.a, "create_customer", &parsed),
        response: None,
    };
    let mut tx = app.store.begin().await.unwrap();
    let claim = tx.claim_key(&KeyClaim { record, wait: Duration::from_secs(1) }).await.unwrap();
    assert_eq!(claim, Claim::Claimed);
    tx
}

#[test]
fn json_depth_counts_nesting_outside_strings() {
    assert_eq!(json_depth(b"{}"), 1);
    assert_eq!(json_depth(br#"{"a":[{"b":1}]}"#), 3);
    assert_eq!(json_depth(br#"{"a":"[[[[{{{{\"]]"}"#), 1);
    assert_eq!(json_depth(br#""\\""#), 0);
    assert_eq!(json_depth(&[b'['; 100_000]), 100_000);
}

#[tokio::test]
async fn json_nested_beyond_the_bound_is_400_and_writes_nothing() {
    let http = HttpConfig { json_depth_max: 8, ..HttpConfig::default() };
    let app = spawn_app_configured(Kind::Memory, AppConfig { http, ..AppConfig::default() }).await.unwrap();
    let tok = app.tenants.token_a.clone();
    let before = app.store.counts().await.unwrap();
    for depth in [9usize, 1000, 20_000] {
        let body = format!(r#"{{"name":{}1{}}}"#, "[".repeat(depth - 1), "]".repeat(depth - 1));
        let auth = format!("Bearer {tok}");
        let headers: [(&str, &[u8]); 3] =
            [("authorization", auth.as_bytes()), ("idempotency-key", b"deep"), ("content-type", b"application/json")];
        let r = send(app.addr, "POST", "/v1/customers", &headers, body.into_bytes()).await;
        assert_eq!(r.status, 400, "depth {depth}: {:?}", r.body);
        assert_eq!(r.code(), "json_too_deep");
    }
    let ok = app.post("/v1/customers", &tok, "deep", &json!({"name": "Acme"})).await;
    assert_eq!(ok.status, 201, "the key was never used by the refused requests");
    let after = app.store.counts().await.unwrap();
    assert_eq!((after.keys, after.entities), (before.keys + 1, before.entities + 1));
}

async fn same_key_waiters_beyond_the_bound_get_409_at_once(kind: Kind) {
    let engine =
        EngineConfig { inflight_wait: Duration::from_secs(3), same_key_waiters_max: 1, ..EngineConfig::default() };
    let limits = SqlLimits { lock_wait: Duration::from_secs(3), ..test_limits() };
    let Some(app) = spawn_app_configured(kind, AppConfig { engine, limits, ..AppConfig::default() }).await else {
        return;
    };
    let tx = hold_key(&app, "hot").await;
    let tok = app.tenants.token_a.clone();
    // Two requests on the held key: one admitted as "executing", one waiter.
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let (addr, auth) = (app.addr, format!("Bearer {tok}"));
            tokio::spawn(async move {
                let headers: [(&str, &[u8]); 3] = [
                    ("authorization", auth.as_bytes()),
                    ("idempotency-key", b"hot"),
                    ("content-type", b"application/json"),
                ];
                send(addr, "POST", "/v1/customers", &headers, br#"{"name":"Acme"}"#.to_vec()).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let r = app.post("/v1/customers", &tok, "hot", &json!({"name": "Acme"})).await;
    let took = started.elapsed();
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.code(), "idempotency_key_in_flight");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(took < Duration::from_secs(1), "refused at once, not after the 3 s wait: {took:?}");
    tx.rollback().await.unwrap();
    for w in waiters {
        let s = w.await.unwrap().status;
        assert!(matches!(s, 200 | 201 | 409), "a waiter answered {s}");
    }
    println!("same-key waiters ({kind:?}): the request past the bound got 409 in {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_key_waiters_bound_memory() {
    same_key_waiters_beyond_the_bound_get_409_at_once(Kind::Memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_key_waiters_bound_postgres() {
    same_key_waiters_beyond_the_bound_get_409_at_once(Kind::Postgres).await;
}

/// One pooled (writer) connection, held by the test: a request waits at most
/// `pool_acquire_wait`, then answers 503 + Retry-After (nothing queued forever).
async fn pool_exhaustion_answers_503_within_the_bound(kind: Kind) {
    let bound = Duration::from_millis(300);
    let limits = SqlLimits { pool_connections_max: 1, pool_acquire_wait: bound, ..test_limits() };
    let Some(app) = spawn_app_configured(kind, AppConfig { limits, ..AppConfig::default() }).await else { return };
    let tok = app.tenants.token_a.clone();
    let held = app.store.begin().await.unwrap();
    let started = Instant::now();
    let r = app.post("/v1/customers", &tok, "pool", &json!({"name": "Acme"})).await;
    let took = started.elapsed();
    assert_eq!(r.status, 503, "{:?}", r.body);
    assert_eq!(r.code(), "storage_unavailable");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(took >= bound && took < bound + Duration::from_millis(250), "answered after {took:?} (bound {bound:?})");
    // SQLite reads have a pool of their own (the writer pool is the one held).
    let read = app.get(&format!("/v1/customers/{}", uuid::Uuid::new_v4()), &tok).await;
    let expected = if kind == Kind::Sqlite { (404, None) } else { (503, Some("1")) };
    assert_eq!((read.status, read.header("retry-after")), expected);
    held.rollback().await.unwrap();
    let retry = app.post("/v1/customers", &tok, "pool", &json!({"name": "Acme"})).await;
    assert_eq!(retry.status, 201, "the retry executes once the pool frees");
    println!("pool exhaustion ({kind:?}): 503 + Retry-After after {took:?} (bound {bound:?})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_exhaustion_sqlite() {
    pool_exhaustion_answers_503_within_the_bound(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_exhaustion_postgres() {
    pool_exhaustion_answers_503_within_the_bound(Kind::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_past_the_timeout_answers_503_with_retry_after() {
    let engine = EngineConfig { inflight_wait: Duration::from_secs(10), ..EngineConfig::default() };
    let limits = SqlLimits { lock_wait: Duration::from_secs(10), ..test_limits() };
    let http = HttpConfig { request_timeout: Duration::from_millis(300), ..HttpConfig::default() };
    let app =
        spawn_app_configured(Kind::Memory, AppConfig { engine, limits, http, ..AppConfig::default() }).await.unwrap();
    let tx = hold_key(&app, "slow").await;
    let started = Instant::now();
    let r = app.post("/v1/customers", &app.tenants.token_a, "slow", &json!({"name": "Acme"})).await;
    let took = started.elapsed();
    assert_eq!(r.status, 503, "{:?}", r.body);
    assert_eq!(r.code(), "request_timeout");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(took < Duration::from_secs(2), "bounded by the request timeout: {took:?}");
    tx.rollback().await.unwrap();
    let retry = app.post("/v1/customers", &app.tenants.token_a, "slow", &json!({"name": "Acme"})).await;
    assert_eq!(retry.status, 201);
}

/// 100 connections trickle their headers a byte per second while a normal
/// client keeps working. The header read timeout closes each slow one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_does_not_stop_a_normal_client() {
    let header_timeout = Duration::from_secs(2);
    let serve = ServeConfig { header_read_timeout: header_timeout, ..ServeConfig::default() };
    let app = spawn_app_configured(Kind::Memory, AppConfig { serve, ..AppConfig::default() }).await.unwrap();
    let attack = Duration::from_secs(6);
    let slow: Vec<_> = (0..100)
        .map(|_| {
            let addr = app.addr;
            tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                let started = Instant::now();
                let trickle = b"POST /v1/customers HTTP/1.1\r\nHost: localhost\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaa";
                let mut buf = [0u8; 256];
                for b in trickle.iter().cycle() {
                    if started.elapsed() > attack {
                        return None;
                    }
                    if s.write_all(&[*b]).await.is_err() {
                        return Some(started.elapsed());
                    }
                    // The server closing the connection ends the read early.
                    if tokio::time::timeout(Duration::from_secs(1), s.read(&mut buf)).await.is_ok() {
                        return Some(started.elapsed());
                    }
                }
                None
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let tok = app.tenants.token_a.clone();
    let mut latencies = Vec::new();
    let started = Instant::now();
    let mut i = 0;
    while started.elapsed() < attack - Duration::from_millis(500) {
        let t = Instant::now();
        let r = if i % 2 == 0 {
            send(app.addr, "GET", "/healthz", &[], Vec::new()).await
        } else {
            app.post("/v1/customers", &tok, &format!("normal-{i}"), &json!({"name": "Acme"})).await
        };
        latencies.push(t.elapsed());
        assert!(r.status == 200 || r.status == 201, "normal request {i} answered {}: {:?}", r.status, r.body);
        i += 1;
    }
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1];
    println!(
        "slowloris: 100 slow connections; normal client {} requests, all succeeded; p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        p(0.50),
        p(0.99),
        latencies.last().unwrap()
    );
    let mut closed = Vec::new();
    for s in slow {
        closed.push(s.await.unwrap());
    }
    let closed_by_server = closed.iter().filter(|c| c.is_some()).count();
    let latest = closed.iter().flatten().max().copied().unwrap_or_default();
    println!("slowloris: {closed_by_server}/100 slow connections closed by the server, the last after {latest:?}");
    assert_eq!(closed_by_server, 100, "the header read timeout closes every slow connection");
    assert!(latest < header_timeout + Duration::from_secs(2), "closed near the timeout: {latest:?}");
}
