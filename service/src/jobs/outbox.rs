//! The outbox dispatcher: delivers `workflow_instances` committed with the
//! writes that triggered them. It runs
//! on the store's jobs side (`store::JobStore`), in production and under
//! simulation alike.
//!
//! Delivery is at-least-once: a row is claimed under a lease (Postgres
//! `FOR UPDATE SKIP LOCKED`, so concurrent dispatchers never claim the same
//! row; SQLite serialises writers), delivered, then marked done. A
//! dispatcher that dies mid-delivery loses its lease and the row is
//! delivered again later. Workflow ids are deterministic (UUIDv5 of the
//! triggering entity and the workflow name) and sent as the webhook's
//! `Idempotency-Key`, so consumers dedupe.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::sync::watch;

#[cfg(not(madsim))]
use crate::store::sql::{Database, SqlLimits};
use crate::store::{JobStore, StoreError};

pub use crate::store::Delivery;

/// Where workflows go.
#[async_trait]
pub trait Sink: Send + Sync {
    async fn deliver(&self, d: &Delivery) -> Result<(), String>;
}

/// The default sink: one structured log line per workflow.
pub struct LogSink;

#[async_trait]
impl Sink for LogSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), String> {
        tracing::info!(
            workflow_id = %d.id,
            workflow = %d.workflow_name,
            tenant = %d.tenant_id,
            trigger_entity_id = %d.trigger_entity_id,
            operation = %d.operation_name,
            attempt = d.attempts,
            "workflow delivered"
        );
        Ok(())
    }
}

/// POSTs each workflow as JSON to an `http://host:port/path` URL, with the
/// workflow id as `Idempotency-Key`. Each call is bounded by `timeout`;
/// failed calls are retried `retries_max` times with exponential backoff.
pub struct WebhookSink {
    host: String,
    port: u16,
    path: String,
    pub timeout: Duration,
    pub retries_max: u32,
    pub backoff: Duration,
}

impl WebhookSink {
    pub fn new(url: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("http://").ok_or("webhook URL must start with http://")?;
        let (authority, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.parse().map_err(|_| "bad webhook port")?),
            None => (authority.to_owned(), 80),
        };
        if host.is_empty() {
            return Err("webhook URL has no host".into());
        }
        Ok(Self {
            host,
            port,
            path,
            timeout: Duration::from_secs(5),
            retries_max: 3,
            backoff: Duration::from_millis(200),
        })
    }

    async fn post_once(&self, d: &Delivery) -> Result<(), String> {
        let stream =
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await.map_err(|e| e.to_string())?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let body = serde_json::to_vec(d).map_err(|e| e.to_string())?;
        let req = hyper::Request::post(&self.path)
            .header("host", format!("{}:{}", self.host, self.port))
            .header("content-type", "application/json")
            .header("idempotency-key", &d.id)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let _ = resp.into_body().collect().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("webhook answered {status}"))
        }
    }
}

#[async_trait]
impl Sink for WebhookSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), String> {
        let mut last = String::new();
        for attempt in 0..=self.retries_max {
            if attempt > 0 {
                tokio::time::sleep(self.backoff * 2u32.pow(attempt - 1)).await;
            }
            match tokio::time::timeout(self.timeout, self.post_once(d)).await {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) => last = e,
                Err(_) => last = "webhook timed out".into(),
            }
        }
        Err(last)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DispatchConfig {
    /// Rows claimed per round. A round that finds fewer is caught up and
    /// the next waits `idle_poll`, so under load rounds are few and full:
    /// on SQLite every round's two statements queue for the one write lock
    /// with the requests.
    pub batch: u32,
    /// How long a claim is held before another dispatcher may take the row.
    pub lease: Duration,
    /// Deliveries of one workflow at most before it is marked `failed`.
    pub attempts_max: i32,
    /// Backoff before the n-th retry: `retry_backoff × 2^(n-1)`, capped at 1 h.
    pub retry_backoff: Duration,
    /// Sleep after a round that claimed less than a full batch (at most
    /// this long between a commit and its delivery, once caught up).
    pub idle_poll: Duration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            batch: 500,
            lease: Duration::from_secs(60),
            attempts_max: 10,
            retry_backoff: Duration::from_secs(1),
            idle_poll: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Round {
    pub claimed: u64,
    pub delivered: u64,
    pub retrying: u64,
    pub failed: u64,
}

pub struct Dispatcher {
    jobs: Arc<dyn JobStore>,
    sink: Arc<dyn Sink>,
    config: DispatchConfig,
}

impl Dispatcher {
    /// The dispatcher over a store's jobs side.
    pub fn new(jobs: Arc<dyn JobStore>, sink: Arc<dyn Sink>, config: DispatchConfig) -> Self {
        Self { jobs, sink, config }
    }

    /// Opens (and migrates) the database named by `url`, for a one-off command.
    #[cfg(not(madsim))]
    pub async fn open(url: &str, sink: Arc<dyn Sink>, config: DispatchConfig) -> Result<Self, String> {
        let db = Database::open(url, SqlLimits::default()).await.map_err(|e| e.to_string())?;
        Ok(Self::new(db.jobs_store(), sink, config))
    }

    fn backoff(&self, attempts: i32) -> Duration {
        let exp = 2f64.powi((attempts - 1).clamp(0, 20));
        Duration::from_secs_f64((self.config.retry_backoff.as_secs_f64() * exp).min(3600.0))
    }

    /// Claims one batch, delivers it, records the outcome of each row: the
    /// failures one by one, the deliveries together at the end of the round
    /// (a crash before that redelivers the round's rows after their lease —
    /// delivery is at least once, and the webhook sink sends the workflow id
    /// as `Idempotency-Key` so receivers deduplicate).
    pub async fn run_once(&self) -> Result<Round, StoreError> {
        let batch = self.jobs.claim_workflows(self.config.batch, self.config.lease).await?;
        if crate::planted::on(crate::planted::Bug::DispatchEarly) {
            // PLANTED BUG (`dispatch-early`): the round is marked delivered
            // before any delivery is tried, so a crash (or a failed delivery,
            // whose retry then finds the row done) loses it.
            let ids: Vec<String> = batch.iter().map(|d| d.id.clone()).collect();
            self.jobs.mark_delivered(&ids).await?;
            crate::fault::stall("planted_marked_before_delivery").await;
        }
        if batch.iter().any(|d| d.attempts > 1) {
            crate::reach::point("outbox.redelivered");
        }
        let mut round = Round { claimed: batch.len() as u64, ..Round::default() };
        let mut delivered: Vec<String> = Vec::with_capacity(batch.len());
        for d in &batch {
            match self.sink.deliver(d).await {
                Ok(()) => {
                    delivered.push(d.id.clone());
                    round.delivered += 1;
                }
                Err(e) => {
                    crate::reach::point("outbox.delivery_failed");
                    self.jobs.schedule_retry(&d.id, self.backoff(d.attempts), self.config.attempts_max, &e).await?;
                    if d.attempts >= self.config.attempts_max {
                        tracing::warn!(workflow_id = %d.id, error = %e, "workflow delivery failed for good");
                        round.failed += 1;
                    } else {
                        tracing::info!(workflow_id = %d.id, error = %e, attempt = d.attempts, "workflow delivery will be retried");
                        round.retrying += 1;
                    }
                }
            }
        }
        self.jobs.mark_delivered(&delivered).await?;
        Ok(round)
    }

    /// Runs rounds until nothing is due; returns the totals.
    pub async fn drain(&self) -> Result<Round, StoreError> {
        let mut total = Round::default();
        loop {
            let r = self.run_once().await?;
            total.claimed += r.claimed;
            total.delivered += r.delivered;
            total.retrying += r.retrying;
            total.failed += r.failed;
            if r.claimed == 0 {
                return Ok(total);
            }
        }
    }

    /// Runs until `stop` turns true; a database error is logged and retried.
    /// Full rounds follow each other at once; after a partial one it waits.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            let idle = match self.run_once().await {
                Ok(r) => r.claimed < u64::from(self.config.batch),
                Err(e) => {
                    tracing::warn!(error = %e, "outbox dispatcher round failed");
                    true
                }
            };
            if idle {
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(self.config.idle_poll) => {}
                }
            } else if *stop.borrow() {
                return;
            }
        }
    }
}
