//! A real Prometheus scrapes a running service: the plan's recording rules
//! get values, IdempotencyKeyCollision fires after a key mismatch, and every
//! panel of the Grafana dashboard returns data. Needs Debian's `prometheus`
//! (ci/test.sh installs it); with CI=true its absence is a failure.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{send, spawn_app_with, Kind, TestApp};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn prometheus_binary() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("prometheus")).find(|p| p.is_file()));
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("CI=true and the prometheus server is not installed (ci/test.sh installs Debian's package)");
        }
        eprintln!("SKIPPED: prometheus not installed");
    }
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn api(prom: SocketAddr, path: &str) -> Option<Value> {
    // Prometheus may still be starting (slowly, on a loaded machine): not
    // listening yet is "no data yet", and the caller's loop asks again.
    tokio::net::TcpStream::connect(prom).await.ok()?;
    let r = tokio::time::timeout(Duration::from_secs(5), send(prom, "GET", path, &[], Vec::new())).await.ok()?;
    serde_json::from_slice(&r.body).ok()
}

async fn query(prom: SocketAddr, q: &str) -> Vec<Value> {
    let v = api(prom, &format!("/api/v1/query?query={}", encode(q))).await;
    v.and_then(|v| v["data"]["result"].as_array().cloned()).unwrap_or_default()
}

/// Keeps traffic flowing (new writes, replays, a workflow, a mismatch) so
/// every rate has fresh samples and the collision happens after a scrape.
async fn traffic(app: &TestApp, round: u32) {
    let tok = &app.tenants.token_a;
    let cust = app.customer(tok, &format!("c-{round}")).await;
    let replay = app.post("/v1/customers", tok, &format!("c-{round}"), &json!({"name": "Acme Ltd"})).await;
    assert_eq!(replay.status, 200);
    app.invoice(tok, &format!("i-{round}"), &cust, 1_000).await;
    let mismatch = app.post("/v1/customers", tok, &format!("c-{round}"), &json!({"name": "Someone Else"})).await;
    assert_eq!(mismatch.status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_prometheus_records_alerts_and_serves_every_dashboard_panel() {
    let Some(bin) = prometheus_binary() else { return };
    let app = spawn_app_with(Kind::Sqlite, Duration::from_secs(30)).await.unwrap();
    let dir = std::env::temp_dir().join(format!("accubooks-prom-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    // The shipped rules, evaluated every second instead of every 30 s.
    let rules = std::fs::read_to_string(repo().join("deploy/prometheus/rules.yml")).unwrap();
    assert!(rules.contains("interval: 30s"));
    std::fs::write(dir.join("rules.yml"), rules.replace("interval: 30s", "interval: 1s")).unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - rules.yml\n\
         scrape_configs:\n  - job_name: accubooks-api\n    metrics_path: /metrics\n    static_configs:\n      - targets: [\"{}\"]\n",
        app.addr
    );
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    let port = free_port();
    let prom: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let _server = Server(
        Command::new(bin)
            .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address={prom}"))
            .arg("--log.level=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus"),
    );

    let dashboard: Value = serde_json::from_slice(
        &std::fs::read(repo().join("deploy/grafana/dashboards/idempotent-writes.json")).unwrap(),
    )
    .unwrap();
    let panels: Vec<(String, String)> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["title"].as_str().unwrap().to_owned(), p["targets"][0]["expr"].as_str().unwrap().to_owned()))
        .collect();
    // The plan's six panels first, then the failover window's two.
    let titles: Vec<&str> = panels.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        titles[..6],
        [
            "Operations per Minute",
            "Replay Rate",
            "Failure Rate",
            "P95 Execution Duration",
            "Operations by Status",
            "Workflows Triggered"
        ],
        "the plan's six panels"
    );
    assert_eq!(panels.len(), 8, "and the failover window's refusals and p99");
    // Every panel's query is one Prometheus accepts; each has data once
    // traffic flows, except the refusals (503), which need a database down.
    for (title, q) in &panels {
        let mut accepted = false;
        for _ in 0..100 {
            if let Some(v) = api(prom, &format!("/api/v1/query?query={}", encode(q))).await {
                assert_eq!(v["status"], "success", "panel {title:?}: Prometheus refused {q}: {v}");
                accepted = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(accepted, "Prometheus never answered the query of panel {title:?}");
    }

    let mut pending: Vec<(String, String)> = vec![
        ("recording rule".into(), "idempotent_write_replay_rate".into()),
        ("recording rule".into(), "idempotent_write_failure_rate".into()),
    ];
    pending.extend(panels.into_iter().filter(|(_, q)| !q.contains("storage_unavailable")));
    let mut collision = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut round = 0;
    while tokio::time::Instant::now() < deadline && (!pending.is_empty() || !collision) {
        traffic(&app, round).await;
        round += 1;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let mut still = Vec::new();
        for (what, q) in pending {
            if query(prom, &q).await.is_empty() {
                still.push((what, q));
            }
        }
        pending = still;
        if let Some(alerts) = api(prom, "/api/v1/alerts").await {
            collision = alerts["data"]["alerts"].as_array().is_some_and(|a| {
                a.iter().any(|x| x["labels"]["alertname"] == "IdempotencyKeyCollision" && x["state"] == "firing")
            });
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(pending.is_empty(), "queries without data after {round} rounds: {pending:?}");
    assert!(collision, "IdempotencyKeyCollision did not fire");
    let replay = query(prom, "idempotent_write_replay_rate{operation=\"create_customer\"}").await;
    let v: f64 = replay[0]["value"][1].as_str().unwrap().parse().unwrap();
    assert!(v > 0.0 && v < 1.0, "replay rate of create_customer is {v}");
}
