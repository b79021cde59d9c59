//! The stress tool against an in-process service on a fresh SQLite file:
//! the binary's thresholds and exit codes, and the verification catching
//! lost and duplicated writes that are planted in the database.
#![cfg(not(madsim))]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use accubooks_service::domain::ids::{TenantId, Token};
use accubooks_service::ops::REGISTRY;
use accubooks_service::store::sql::{connect, SqlLimits};
use accubooks_service::store::Tenant;
use accubooks_sim::history::Outcome;
use accubooks_sim::workload::{needs, GENERATORS};
use accubooks_stress::driver::{run_phase, ClientLimits, Model, PhaseSpec, RunCtx};
use accubooks_stress::http::Auth;
use accubooks_stress::setup::{reference_data, SetupSize};
use accubooks_stress::verify::{against_database, against_read_api};
use accubooks_stress::workload::{Planner, Workload};
use sqlx::Connection;
use uuid::Uuid;

struct Service {
    addr: SocketAddr,
    url: String,
    path: PathBuf,
    token: String,
    tenant: TenantId,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Drop for Service {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

fn temp_db() -> (PathBuf, String) {
    let path = std::env::temp_dir().join(format!("accubooks-stress-test-{}.db", Uuid::new_v4().simple()));
    let url = format!("sqlite://{}", path.display());
    (path, url)
}

/// The real router and accept loop on port 0, with one tenant.
async fn service() -> Service {
    let (path, url) = temp_db();
    let store = connect(&url, SqlLimits::default()).await.expect("open sqlite");
    let token = Token::generate().unwrap();
    let tenant = TenantId(Uuid::new_v4());
    store.create_tenant(&Tenant { id: tenant, name: "stress test".into() }, &token.hash_hex()).await.unwrap();
    let service = accubooks_service::app::Service::build(store, Default::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(service.run(listener, accubooks_service::app::Jobs::none(), async move {
        let _ = stopped.await;
    }));
    Service { addr, url, path, token: token.expose().to_owned(), tenant, _stop: stop }
}

async fn stress(s: &Service, extra: &[&str]) -> (i32, serde_json::Value) {
    let json = std::env::temp_dir().join(format!("accubooks-stress-report-{}.json", Uuid::new_v4().simple()));
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_accubooks-stress"))
        .args(["--target", &format!("http://{}", s.addr), "--token", &s.token, "--database-url", &s.url])
        .args(["--requests", "40", "--concurrency", "4", "--no-progress", "--seed", "7", "--threads", "1"])
        .arg("--json")
        .arg(&json)
        .args(extra)
        .output()
        .await
        .expect("run accubooks-stress");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = match std::fs::read(&json) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("the report is JSON"),
        Err(e) => panic!("no report ({e}), {}; stdout:\n{stdout}\nstderr:\n{stderr}", out.status),
    };
    let _ = std::fs::remove_file(&json);
    (out.status.code().unwrap_or(-1), report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thresholds_below_the_measurements_fail_the_run_and_above_pass_it() {
    let s = service().await;
    // Generous limits: the run passes and is verified clean.
    let (code, report) = stress(&s, &["--max-p95-ms", "60000", "--max-failure-rate", "0.5"]).await;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["duplicates"], 0);
    assert_eq!(report["lost"], 0);
    assert_eq!(report["verification"]["method"], "database");
    assert_eq!(report["verification"]["violation_count"], 0);
    let ops = REGISTRY.len();
    assert_eq!(report["totals"]["definitive"], 40 * ops as u64, "40 requests for each operation");
    assert_eq!(report["totals"]["abandoned"], 0);
    let measured = report["thresholds"]["measured"]["p95_ms"].as_array().unwrap();
    assert_eq!(measured.len(), ops);
    assert!(measured.iter().all(|m| m[1].as_f64().unwrap() > 0.001));
    assert!(report["thresholds"]["broken"].as_array().unwrap().is_empty());

    // A p95 limit of one microsecond is below any HTTP round trip: exit 3.
    let (code, report) = stress(&s, &["--max-p95-ms", "0.001"]).await;
    assert_eq!(code, 3, "{report:#}");
    let broken = report["thresholds"]["broken"].as_array().unwrap();
    assert_eq!(broken.len(), REGISTRY.len(), "one broken p95 per operation: {broken:?}");
    assert!(broken[0].as_str().unwrap().contains("exceeds --max-p95-ms 0.001"));
    assert_eq!(report["duplicates"], 0, "a slow run is still a correct one");

    // Mismatch refusals are answers the requests expect, not failures: a zero limit holds.
    let (code, report) = stress(&s, &["--workload", "mismatch", "--max-failure-rate", "0"]).await;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["failure_rate"], 0.0);
    // Every acknowledged key is resent with another payload and refused as a mismatch.
    let created = report["totals"]["created"].as_u64().unwrap();
    assert!(created > 0);
    assert_eq!(report["totals"]["mismatches"].as_u64().unwrap(), created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_rate_above_the_limit_fails_the_run() {
    let s = service().await;
    // A second "replica" whose port nobody listens on: every client that
    // starts there fails its first attempt (connection refused), then moves
    // to the live one. Half the clients start there, so some attempts fail.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let target = format!("http://{},http://{dead}", s.addr);
    let json = std::env::temp_dir().join(format!("accubooks-stress-report-{}.json", Uuid::new_v4().simple()));
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_accubooks-stress"))
        .args(["--target", &target, "--token", &s.token, "--database-url", &s.url])
        .args(["--requests", "40", "--concurrency", "4", "--no-progress", "--max-failure-rate", "0.001", "--json"])
        .arg(&json)
        .output()
        .await
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let _ = std::fs::remove_file(&json);
    assert_eq!(out.status.code(), Some(3), "{report:#}");
    let rate = report["failure_rate"].as_f64().unwrap();
    assert!(rate > 0.001, "measured failure rate {rate}");
    assert!(report["thresholds"]["broken"][0].as_str().unwrap().starts_with("failure rate"));
    // Every request still ended acknowledged, exactly once.
    assert_eq!(report["totals"]["abandoned"], 0);
    assert_eq!((report["duplicates"].as_u64(), report["lost"].as_u64()), (Some(0), Some(0)));
}

fn ctx(s: &Service) -> RunCtx {
    let limits = ClientLimits { attempt_timeout: Duration::from_secs(30), ..ClientLimits::default() };
    RunCtx::new(vec![s.addr].into(), Auth::bearer(&s.token).unwrap(), s.tenant.0, limits, 2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_catches_lost_and_duplicated_writes() {
    let s = service().await;
    let mut c = ctx(&s);
    let ops: Vec<_> = GENERATORS.iter().collect();
    let size = SetupSize { customers: 2, invoices: 4, concurrency: 2 };
    c.refs = Arc::new(reference_data(&c, "v", size, &needs(&ops)).await.unwrap());
    let spec = PhaseSpec {
        planner: Planner { workload: Workload::Mixed, ops, run_id: "v".into(), seed: 1, replay_setup: false },
        model: Model::Closed,
        concurrency: 6,
        requests: Some(90),
        duration: None,
    };
    let stats = run_phase(&c, &spec).await;
    assert_eq!(stats.total(None).abandoned, 0);
    let history = c.history.snapshot();
    let clean = against_database(&s.url, s.tenant, &history).await.unwrap();
    assert!(clean.ok(), "{:?}", clean.violations);
    assert!(clean.acknowledged_keys > 0);
    let api = against_read_api(&c, &history).await.unwrap();
    assert!(api.ok(), "{:?}", api.violations);

    // Plant a lost write (an acknowledged payment vanishes; its invoice's
    // paid amount no longer adds up either) and a duplicate execution.
    let mut db = sqlx::SqliteConnection::connect(&s.url).await.unwrap();
    let requests: std::collections::BTreeMap<u64, _> = history.requests.iter().map(|q| (q.id, q)).collect();
    let victim = history
        .attempts
        .iter()
        .find_map(|a| match &a.outcome {
            Outcome::Ok { entity_id: Some(id), replayed: false, .. }
                if requests[&a.request].operation == "record_payment" =>
            {
                Some(id.to_string())
            }
            _ => None,
        })
        .expect("the run recorded payments");
    sqlx::query("DELETE FROM workflow_instances WHERE trigger_entity_id = $1")
        .bind(&victim)
        .execute(&mut db)
        .await
        .unwrap();
    // Past the schema (a refund may refer to the payment): as a corruption would.
    sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut db).await.unwrap();
    sqlx::query("DELETE FROM payments WHERE id = $1").bind(&victim).execute(&mut db).await.unwrap();
    sqlx::query(
        "INSERT INTO idempotent_write_audit_log (company_id, operation_name, idempotency_key_hash, deterministic_id, \
         status, http_status, workflows_triggered, duration_ms, request_id) \
         SELECT company_id, operation_name, idempotency_key_hash, deterministic_id, status, http_status, \
         workflows_triggered, duration_ms, 'planted' FROM idempotent_write_audit_log \
         WHERE status = 'new' AND operation_name = 'create_customer' LIMIT 1",
    )
    .execute(&mut db)
    .await
    .unwrap();

    let dirty = against_database(&s.url, s.tenant, &history).await.unwrap();
    assert!(!dirty.ok());
    assert_eq!(dirty.lost, 1, "{:?}", dirty.violations);
    assert_eq!(dirty.duplicates, 1, "{:?}", dirty.violations);
    let api = against_read_api(&c, &history).await.unwrap();
    assert_eq!(api.lost, 1, "{:?}", api.violations);
}
