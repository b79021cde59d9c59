//! The outbox dispatcher on SQLite and Postgres: two dispatchers at once
//! deliver every workflow exactly once; failed deliveries are retried and
//! finally marked failed; the webhook sink sends the workflow id as
//! Idempotency-Key.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accubooks_service::jobs::outbox::{Delivery, DispatchConfig, Dispatcher, Sink, WebhookSink};
use async_trait::async_trait;
use sqlx::Connection;

use crate::support::{spawn_app_with, Kind, TestApp};

/// Records every delivery; fails the first `fail_first` attempts of each workflow.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
    fail_first: i32,
}

#[async_trait]
impl Sink for Recorder {
    async fn deliver(&self, d: &Delivery) -> Result<(), String> {
        if d.attempts <= self.fail_first {
            return Err(format!("planned failure on attempt {}", d.attempts));
        }
        // A little time inside the lease, so two dispatchers overlap.
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.seen.lock().unwrap().push(d.id.clone());
        Ok(())
    }
}

async fn statuses(url: &str) -> BTreeMap<String, i64> {
    let q = "SELECT status, COUNT(*) FROM workflow_instances GROUP BY status";
    let rows: Vec<(String, i64)> = if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_as(q).fetch_all(&mut c).await.unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_as(q).fetch_all(&mut c).await.unwrap()
    };
    rows.into_iter().collect()
}

/// Commits `n` invoices, each with one `invoice_email` workflow.
async fn workflows(app: &TestApp, n: usize) {
    let tok = &app.tenants.token_a;
    let cust = app.customer(tok, "c").await;
    for i in 0..n {
        app.invoice(tok, &format!("i{i}"), &cust, 100 + i as i64).await;
    }
}

fn fast(batch: u32) -> DispatchConfig {
    DispatchConfig {
        batch,
        retry_backoff: Duration::ZERO,
        idle_poll: Duration::from_millis(5),
        ..DispatchConfig::default()
    }
}

pub async fn two_dispatchers_deliver_each_workflow_exactly_once(kind: Kind) {
    let Some(app) = spawn_app_with(kind, Duration::from_secs(30)).await else { return };
    workflows(&app, 120).await;
    let sink = Arc::new(Recorder::default());
    let a = Dispatcher::open(&app.url, sink.clone(), fast(7)).await.unwrap();
    let b = Dispatcher::open(&app.url, sink.clone(), fast(5)).await.unwrap();
    let (ra, rb) = tokio::join!(a.drain(), b.drain());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let seen = sink.seen.lock().unwrap().clone();
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 120, "every workflow delivered");
    assert_eq!(unique.len(), 120, "none delivered twice");
    assert_eq!(ra.delivered + rb.delivered, 120);
    assert!(ra.delivered > 0 && rb.delivered > 0, "both dispatchers worked: {ra:?} {rb:?}");
    assert_eq!(statuses(&app.url).await, BTreeMap::from([("done".to_owned(), 120)]));
    // Nothing is due any more.
    assert_eq!(a.run_once().await.unwrap().claimed, 0);
}

pub async fn failed_deliveries_retry_then_fail_for_good(kind: Kind) {
    let Some(app) = spawn_app_with(kind, Duration::from_secs(30)).await else { return };
    workflows(&app, 3).await;
    // Two failures, then success: delivered on the third attempt.
    let flaky = Arc::new(Recorder { fail_first: 2, ..Recorder::default() });
    let d = Dispatcher::open(&app.url, flaky.clone(), fast(10)).await.unwrap();
    let r = d.drain().await.unwrap();
    assert_eq!((r.delivered, r.retrying, r.failed), (3, 6, 0), "{r:?}");
    assert_eq!(statuses(&app.url).await, BTreeMap::from([("done".to_owned(), 3)]));

    workflows_more(&app).await;
    let broken = Arc::new(Recorder { fail_first: i32::MAX, ..Recorder::default() });
    let cfg = DispatchConfig { attempts_max: 3, ..fast(10) };
    let d = Dispatcher::open(&app.url, broken, cfg).await.unwrap();
    let r = d.drain().await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 1), "{r:?}");
    assert_eq!(statuses(&app.url).await.get("failed"), Some(&1));
}

async fn workflows_more(app: &TestApp) {
    let tok = &app.tenants.token_a;
    let cust = app.customer(tok, "c2").await;
    app.invoice(tok, "late", &cust, 42).await;
}

/// A one-route HTTP server that records the Idempotency-Key of each POST.
async fn webhook_receiver(fail_first: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    use axum::http::{HeaderMap, StatusCode};
    let keys = Arc::new(Mutex::new(Vec::new()));
    let calls = Arc::new(Mutex::new(0usize));
    let (k, c) = (keys.clone(), calls.clone());
    let router = axum::Router::new().route(
        "/hooks/workflows",
        axum::routing::post(move |headers: HeaderMap| {
            let (k, c) = (k.clone(), c.clone());
            async move {
                let mut n = c.lock().unwrap();
                *n += 1;
                if *n <= fail_first {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let key = headers.get("idempotency-key").unwrap().to_str().unwrap().to_owned();
                k.lock().unwrap().push(key);
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(accubooks_service::serve::serve(
        listener,
        router,
        accubooks_service::serve::ServeConfig::default(),
        std::future::pending(),
    ));
    (format!("http://{addr}/hooks/workflows"), keys)
}

pub async fn webhook_sink_retries_and_sends_the_workflow_id(kind: Kind) {
    let Some(app) = spawn_app_with(kind, Duration::from_secs(30)).await else { return };
    workflows(&app, 2).await;
    let (url, keys) = webhook_receiver(1).await;
    let mut sink = WebhookSink::new(&url).unwrap();
    sink.backoff = Duration::from_millis(5);
    let d = Dispatcher::open(&app.url, Arc::new(sink), fast(10)).await.unwrap();
    let r = d.drain().await.unwrap();
    assert_eq!(r.delivered, 2, "the first 503 is retried inside the sink: {r:?}");
    let keys = keys.lock().unwrap().clone();
    let ids: Vec<String> = app.store.workflows(None).await.unwrap().iter().map(|w| w.id.to_string()).collect();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| ids.contains(k)), "Idempotency-Key is the workflow id: {keys:?} {ids:?}");
}

mod sqlite {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_dispatchers_deliver_each_workflow_exactly_once() {
        super::two_dispatchers_deliver_each_workflow_exactly_once(Kind::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failed_deliveries_retry_then_fail_for_good() {
        super::failed_deliveries_retry_then_fail_for_good(Kind::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn webhook_sink_retries_and_sends_the_workflow_id() {
        super::webhook_sink_retries_and_sends_the_workflow_id(Kind::Sqlite).await
    }
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_dispatchers_deliver_each_workflow_exactly_once() {
        super::two_dispatchers_deliver_each_workflow_exactly_once(Kind::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failed_deliveries_retry_then_fail_for_good() {
        super::failed_deliveries_retry_then_fail_for_good(Kind::Postgres).await
    }
}
