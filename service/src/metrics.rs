//! The rollout plan's Prometheus metrics. One `Metrics` per service
//! instance (never process-global: simulated nodes share one process).

use std::time::Duration;

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};

use crate::ops::OpSpec;
use crate::store::AuditStatus;

pub struct Metrics {
    registry: Registry,
    writes_total: IntCounterVec,
    replayed_total: IntCounterVec,
    failed_total: IntCounterVec,
    duration_ms: HistogramVec,
    workflows_total: IntCounterVec,
}

const DURATION_BUCKETS_MS: &[f64] =
    &[1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0];

impl Metrics {
    pub fn new(ops: &[&'static OpSpec]) -> Self {
        let registry = Registry::new();
        let writes_total = IntCounterVec::new(
            Opts::new("idempotent_writes_total", "Idempotent write requests by decision"),
            &["operation", "type", "status"],
        )
        .expect("valid metric");
        let replayed_total = IntCounterVec::new(
            Opts::new("idempotent_writes_replayed_total", "Requests answered with a stored response"),
            &["operation", "type"],
        )
        .expect("valid metric");
        let failed_total = IntCounterVec::new(
            Opts::new("idempotent_writes_failed_total", "Idempotent writes that failed, by error type"),
            &["operation", "type", "error_type"],
        )
        .expect("valid metric");
        let duration_ms = HistogramVec::new(
            HistogramOpts::new("idempotent_write_duration_ms", "Engine time per idempotent write in ms")
                .buckets(DURATION_BUCKETS_MS.to_vec()),
            &["operation", "type"],
        )
        .expect("valid metric");
        let workflows_total = IntCounterVec::new(
            Opts::new("idempotent_writes_workflows_triggered_total", "Outbox workflows committed with a write"),
            &["operation", "type"],
        )
        .expect("valid metric");
        for c in [&writes_total, &replayed_total, &failed_total, &workflows_total] {
            registry.register(Box::new(c.clone())).expect("unique metric");
        }
        registry.register(Box::new(duration_ms.clone())).expect("unique metric");
        let m = Self { registry, writes_total, replayed_total, failed_total, duration_ms, workflows_total };
        // Series exist at zero from the start, so rate() works before the first event.
        for op in ops {
            let t = op.category.as_str();
            m.writes_total.with_label_values(&[op.name, t, "new"]);
            m.replayed_total.with_label_values(&[op.name, t]);
            m.failed_total.with_label_values(&[op.name, t, "mismatch"]);
            // Alerted on its first increase (DatabaseConstraintRefusedWrite).
            m.failed_total.with_label_values(&[op.name, t, "constraint_violation"]);
            m.workflows_total.with_label_values(&[op.name, t]);
        }
        m
    }

    pub fn record(
        &self,
        op: &OpSpec,
        status: AuditStatus,
        error_type: Option<&str>,
        workflows: i32,
        duration: Duration,
    ) {
        let t = op.category.as_str();
        self.writes_total.with_label_values(&[op.name, t, status.as_str()]).inc();
        let failed = match status {
            AuditStatus::Replayed => {
                self.replayed_total.with_label_values(&[op.name, t]).inc();
                None
            }
            AuditStatus::Mismatch => Some("mismatch"),
            AuditStatus::Conflict => Some("conflict"),
            AuditStatus::Failed => Some(error_type.unwrap_or("internal")),
            AuditStatus::New | AuditStatus::Rejected => None,
        };
        if let Some(e) = failed {
            self.failed_total.with_label_values(&[op.name, t, e]).inc();
        }
        if workflows > 0 {
            self.workflows_total.with_label_values(&[op.name, t]).inc_by(workflows as u64);
        }
        self.duration_ms.with_label_values(&[op.name, t]).observe(duration.as_secs_f64() * 1000.0);
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf).expect("encoding to a Vec cannot fail");
        String::from_utf8(buf).expect("the text format is UTF-8")
    }
}
