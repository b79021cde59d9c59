//! Secrets stay secret: the real `accubooks serve` binary (with its own log
//! subscriber, at debug level) runs every operation, its replays,
//! mismatches, rule violations and malformed requests; then its captured
//! logs and every error body are searched for each bearer token, raw
//! idempotency key, bank account and routing number used. A revoked token
//! gets 401.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use accubooks_service::ops::REGISTRY;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::support::{fresh_store_at, send, spawn_app_with, tenants, test_limits, Kind, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_accubooks");

/// Kills the spawned service even if the test fails.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every secret a request carried, and every error body the service sent.
#[derive(Default)]
struct Seen {
    secrets: Vec<String>,
    error_bodies: Vec<String>,
}

impl Seen {
    fn token(&mut self, t: &str) {
        self.secrets.push(t.to_owned());
    }

    /// Bank and routing numbers anywhere in a body.
    fn body(&mut self, v: &Value) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("account_number" | "routing_number", Value::String(s)) if s.len() >= 4 => {
                            self.secrets.push(s.clone())
                        }
                        _ => self.body(v),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| self.body(v)),
            _ => {}
        }
    }

    fn response(&mut self, r: &crate::support::Resp) {
        if r.status >= 400 {
            self.error_bodies.push(String::from_utf8_lossy(&r.body).into_owned());
        }
    }
}

fn secret_key() -> String {
    format!("sk-{}", Uuid::new_v4().simple())
}

async fn run_everything(app: &TestApp, seen: &mut Seen) {
    seen.token(&app.tenants.token_a);
    seen.token(&app.tenants.token_b);
    for spec in REGISTRY {
        let v = fixtures::valid(app, spec.name).await.expect("fixture");
        seen.token(&v.tenant.token);
        let key = secret_key();
        seen.secrets.push(key.clone());
        seen.body(&v.request.body);
        seen.body(&v.other.body);
        let m = spec.method.as_str();
        let first = app.request(m, &v.request.path, &v.tenant.token, &key, &v.request.body).await;
        assert_eq!(first.status, 201, "{}: {:?}", spec.name, first.body);
        let replay = app.request(m, &v.request.path, &v.tenant.token, &key, &v.request.body).await;
        assert_eq!(replay.status, 200, "{}", spec.name);
        let mismatch = app.request(m, &v.other.path, &v.tenant.token, &key, &v.other.body).await;
        assert!(mismatch.status >= 400, "{}", spec.name);
        seen.response(&mismatch);
        // Malformed: unknown token, no key, bad JSON, a key too long.
        let bad_token = format!("abk_{}", Uuid::new_v4().simple());
        seen.token(&bad_token);
        let r = app.request(m, &v.request.path, &bad_token, &secret_key(), &v.request.body).await;
        assert_eq!(r.status, 401);
        seen.response(&r);
        let long_key = format!("{}{}", secret_key(), "z".repeat(300));
        seen.secrets.push(long_key.clone());
        let r = app.request(m, &v.request.path, &v.tenant.token, &long_key, &v.request.body).await;
        assert_eq!(r.status, 400);
        seen.response(&r);
        let auth = format!("Bearer {}", v.tenant.token);
        let bad_key = secret_key();
        seen.secrets.push(bad_key.clone());
        let headers: [(&str, &[u8]); 3] = [
            ("authorization", auth.as_bytes()),
            ("idempotency-key", bad_key.as_bytes()),
            ("content-type", b"application/json"),
        ];
        seen.secrets.push("9876543210".into());
        let r = send(app.addr, m, &v.request.path, &headers, b"{\"account_number\": \"9876543210\",".to_vec()).await;
        assert_eq!(r.status, 400);
        seen.response(&r);
        for violation in fixtures::violations(app, spec.name).await.unwrap_or_default() {
            seen.token(&violation.tenant.token);
            seen.body(&violation.request.body);
            let key = secret_key();
            seen.secrets.push(key.clone());
            let r =
                app.request(m, &violation.request.path, &violation.tenant.token, &key, &violation.request.body).await;
            assert!(r.status >= 400, "{} {}: {}", spec.name, violation.what, r.status);
            seen.response(&r);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_and_error_bodies_hold_no_secret_and_a_revoked_token_gets_401() {
    let (store, url) = fresh_store_at(Kind::Sqlite, test_limits()).await.unwrap();
    let tenants = tenants(store.as_ref()).await;
    let log_path = std::env::temp_dir().join(format!("accubooks-log-{}.jsonl", Uuid::new_v4().simple()));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &url])
        .env("ACCUBOOKS_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("spawn accubooks serve");
    let stdout = child.stdout.take().unwrap();
    let service = Service(child);
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let addr = line.trim().strip_prefix("listening on http://").expect("listening line").parse().unwrap();
    let faulty = accubooks_service::store::faulty::FaultyStore::new(store.clone());
    let app = TestApp { addr, store, faulty, tenants, kind: Kind::Sqlite, url: url.clone() };

    let mut seen = Seen::default();
    run_everything(&app, &mut seen).await;

    // Revocation through the CLI: the token that worked now gets 401.
    let t = app.new_tenant().await;
    seen.token(&t.token);
    let ok = app.post("/v1/customers", &t.token, &secret_key(), &json!({"name": "Before"})).await;
    assert_eq!(ok.status, 201);
    let out = Command::new(BIN)
        .args(["tenant", "revoke-token", &t.id.0.to_string(), "--database-url", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let revoked = app.post("/v1/customers", &t.token, &secret_key(), &json!({"name": "After"})).await;
    assert_eq!(revoked.status, 401, "{:?}", revoked.body);
    assert_eq!(revoked.code(), "unauthorized");
    seen.response(&revoked);
    let read = app.get(&format!("/v1/customers/{}", Uuid::new_v4()), &t.token).await;
    assert_eq!(read.status, 401, "reads refuse a revoked token too");
    let unknown = Command::new(BIN)
        .args(["tenant", "revoke-token", &Uuid::new_v4().to_string(), "--database-url", &url])
        .output()
        .unwrap();
    assert!(!unknown.status.success(), "revoking an unknown tenant fails");
    println!("revoked token: 201 before `accubooks tenant revoke-token`, 401 after (writes and reads)");

    // Let the dispatcher deliver (and log) the workflows, then stop.
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(service);
    let logs = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_file(&log_path);
    assert!(logs.lines().count() > 100, "the run was logged: {} lines", logs.lines().count());
    seen.secrets.sort();
    seen.secrets.dedup();
    let mut leaks = Vec::new();
    for s in &seen.secrets {
        if logs.contains(s.as_str()) {
            leaks.push(format!("log: {s}"));
        }
        if seen.error_bodies.iter().any(|b| b.contains(s.as_str())) {
            leaks.push(format!("error body: {s}"));
        }
    }
    // Fixture set-up keys are random too: none may show up either.
    if logs.contains("setup-") {
        leaks.push("log: a set-up key".into());
    }
    println!(
        "secret search: {} secrets (tokens, raw keys, bank and routing numbers) against {} log lines and {} error bodies: {} found",
        seen.secrets.len(),
        logs.lines().count(),
        seen.error_bodies.len(),
        leaks.len()
    );
    assert!(leaks.is_empty(), "secrets leaked: {leaks:?}");
}

/// The in-process suite's store-level check: a revoked token stops working
/// on every store.
async fn revoked_token_is_401(kind: Kind) {
    let Some(app) = spawn_app_with(kind, Duration::from_secs(5)).await else { return };
    let t = app.new_tenant().await;
    assert_eq!(app.post("/v1/customers", &t.token, "k1", &json!({"name": "A"})).await.status, 201);
    assert!(app.store.revoke_token(t.id).await.unwrap());
    let r = app.post("/v1/customers", &t.token, "k2", &json!({"name": "A"})).await;
    assert_eq!((r.status, r.code().as_str()), (401, "unauthorized"));
    assert_eq!(app.post("/v1/customers", &app.tenants.token_a, "k3", &json!({"name": "A"})).await.status, 201);
    assert!(!app.store.revoke_token(accubooks_service::domain::ids::TenantId(Uuid::new_v4())).await.unwrap());
}

#[tokio::test]
async fn revoked_token_is_401_memory() {
    revoked_token_is_401(Kind::Memory).await;
}

#[tokio::test]
async fn revoked_token_is_401_sqlite() {
    revoked_token_is_401(Kind::Sqlite).await;
}

#[tokio::test]
async fn revoked_token_is_401_postgres() {
    revoked_token_is_401(Kind::Postgres).await;
}
