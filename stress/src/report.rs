//! The run's report: the percentile table on stdout and the `--json` file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::stats::{Counters, Percentiles, Phase, Stats, END_TO_END};
use crate::thresholds::{Measured, Thresholds};
use crate::verify::Verification;

/// What the run was (echoed into the report).
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub run_id: String,
    pub seed: u64,
    pub target: String,
    /// `sqlite`, `postgres` or `unknown` (a remote target without a database URL).
    pub store: String,
    pub workload: String,
    /// `closed` or `open`.
    pub model: String,
    pub rate_per_s: Option<f64>,
    pub concurrency: u32,
    pub operations: Vec<String>,
    pub ops_at_once: bool,
    /// Seconds of load (set-up and verification excluded).
    pub load_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub phase: Phase,
    pub operation: String,
    pub outcome: String,
    #[serde(flatten)]
    pub latency: Percentiles,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseSummary {
    pub phase: Phase,
    #[serde(flatten)]
    pub counters: Counters,
    pub failure_rate: f64,
    pub end_to_end: Percentiles,
    /// Attempts by outcome label (errors included), over all operations.
    pub outcomes: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// Logical requests answered definitively per second of load.
    pub requests_per_s: f64,
    pub attempts_per_s: f64,
    /// First executions (201) and replays (200) per second.
    pub created_per_s: f64,
    pub replayed_per_s: f64,
}

/// Faults a chaos run injected.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FaultCounts {
    pub postgres_restarts: u64,
    pub replica_kills: u64,
    pub dropped_connections: u64,
    /// SIGKILLs of the one service of a SQLite run, and the seconds it was
    /// down in all (from each kill to listening again).
    pub service_kills: u64,
    pub service_down_s: f64,
    /// Each failover of a failover run, as the formation lived it.
    #[serde(skip)]
    pub failover_events: Vec<crate::chaos::formation::Failover>,
    /// Each failover as the clients saw it, and the run's median and maximum.
    pub failovers: Vec<crate::chaos::window::FailoverWindow>,
    pub failover_summary: Option<crate::chaos::window::FailoverSummary>,
    /// What happened when, relative to the start of the load.
    pub timeline: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThresholdReport {
    #[serde(flatten)]
    pub limits: Thresholds,
    pub measured: Measured,
    pub broken: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub run: RunInfo,
    pub duplicates: u64,
    pub lost: u64,
    pub failure_rate: f64,
    pub totals: Counters,
    pub throughput: Throughput,
    pub per_operation: BTreeMap<String, Counters>,
    pub latency: Vec<Row>,
    pub phases: Vec<PhaseSummary>,
    pub verification: Option<Verification>,
    pub faults: Option<FaultCounts>,
    pub thresholds: ThresholdReport,
}

/// Thresholds judge the healthy phase: in a chaos run the fault and
/// recovery phases are reported, not judged (a fault is allowed to hurt).
pub fn measured(stats: &Stats) -> Measured {
    let mut p95_ms = Vec::new();
    for op in stats.per_op().keys() {
        let h = stats.histogram(Some(Phase::Healthy), Some(op), END_TO_END);
        if !h.is_empty() {
            p95_ms.push(((*op).to_owned(), Percentiles::of(&h).p95_ms));
        }
    }
    Measured { p95_ms, failure_rate: stats.total(Some(Phase::Healthy)).failure_rate() }
}

pub fn build(
    run: RunInfo,
    stats: &Stats,
    verification: Option<Verification>,
    faults: Option<FaultCounts>,
    limits: Thresholds,
    broken: Vec<String>,
) -> Report {
    let totals = stats.total(None);
    let per_s = |n: u64| if run.load_s > 0.0 { n as f64 / run.load_s } else { 0.0 };
    let throughput = Throughput {
        requests_per_s: per_s(totals.definitive),
        attempts_per_s: per_s(totals.attempts),
        created_per_s: per_s(totals.created),
        replayed_per_s: per_s(totals.replayed),
    };
    let latency = stats
        .latency
        .iter()
        .map(|((phase, op, label), h)| Row {
            phase: *phase,
            operation: (*op).to_owned(),
            outcome: label.to_string(),
            latency: Percentiles::of(h),
        })
        .collect();
    let phases = stats
        .phases()
        .into_iter()
        .map(|phase| {
            let counters = stats.total(Some(phase));
            let mut outcomes = BTreeMap::new();
            for ((p, _, label), h) in &stats.latency {
                if *p == phase && label != END_TO_END {
                    *outcomes.entry(label.to_string()).or_default() += h.len();
                }
            }
            PhaseSummary {
                phase,
                counters,
                failure_rate: counters.failure_rate(),
                end_to_end: Percentiles::of(&stats.histogram(Some(phase), None, END_TO_END)),
                outcomes,
            }
        })
        .collect();
    Report {
        duplicates: verification.as_ref().map_or(0, |v| v.duplicates),
        lost: verification.as_ref().map_or(0, |v| v.lost),
        failure_rate: totals.failure_rate(),
        totals,
        throughput,
        per_operation: stats.per_op().into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        latency,
        phases,
        verification,
        faults,
        thresholds: ThresholdReport { limits, measured: measured(stats), broken },
        run,
    }
}

/// The percentile table: one row per (phase,) operation and outcome, the
/// end-to-end row first. The phase column appears only when there are phases.
pub fn table(r: &Report) -> String {
    let with_phase = r.phases.len() > 1;
    let mut rows: Vec<&Row> = r.latency.iter().collect();
    rows.sort_by(|a, b| {
        (a.phase, &a.operation, a.outcome != END_TO_END, &a.outcome).cmp(&(
            b.phase,
            &b.operation,
            b.outcome != END_TO_END,
            &b.outcome,
        ))
    });
    let mut s = String::new();
    let head = format!(
        "{:<18} {:<22} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "operation", "outcome", "count", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms"
    );
    let _ = writeln!(s, "{}{head}", if with_phase { format!("{:<9} ", "phase") } else { String::new() });
    for row in rows {
        let l = &row.latency;
        let phase = if with_phase { format!("{:<9} ", row.phase.as_str()) } else { String::new() };
        let _ = writeln!(
            s,
            "{phase}{:<18} {:<22} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            row.operation, row.outcome, l.count, l.p50_ms, l.p90_ms, l.p95_ms, l.p99_ms, l.p999_ms, l.max_ms
        );
    }
    s
}

/// The lines under the table: totals, verification, faults, thresholds.
pub fn summary(r: &Report) -> String {
    let mut s = String::new();
    let t = &r.totals;
    let _ = writeln!(
        s,
        "load: {:.1} s, {} requests ({} definitive, {} abandoned), {} attempts, {:.0} requests/s \
         ({:.0} created/s, {:.0} replayed/s)",
        r.run.load_s,
        t.requests,
        t.definitive,
        t.abandoned,
        t.attempts,
        r.throughput.requests_per_s,
        r.throughput.created_per_s,
        r.throughput.replayed_per_s
    );
    let _ = writeln!(s, "failure rate: {:.4} % ({} failed attempts)", r.failure_rate * 100.0, t.failures);
    if r.phases.len() > 1 {
        for p in &r.phases {
            let errors: Vec<String> = p
                .outcomes
                .iter()
                .filter(|(k, _)| !k.starts_with('2') && *k != "422 mismatch")
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            let _ = writeln!(
                s,
                "phase {:<9} attempts {:>7}, failure rate {:>7.3} %, end-to-end p95 {:>9.2} ms, p99 {:>9.2} ms; {}",
                p.phase.as_str(),
                p.counters.attempts,
                p.failure_rate * 100.0,
                p.end_to_end.p95_ms,
                p.end_to_end.p99_ms,
                if errors.is_empty() { "no errors".to_owned() } else { errors.join(", ") }
            );
        }
    }
    match &r.faults {
        Some(f) if r.run.store == "sqlite" => {
            let _ = writeln!(
                s,
                "faults: {} service kills (SIGKILL, restarted on the same file), {:.1} s down in all",
                f.service_kills, f.service_down_s
            );
        }
        Some(f) if !f.failovers.is_empty() => {
            for (i, w) in f.failovers.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "failover {:>2} at {:>7.2} s: {} → {} promoted after {:.2} s, rejoined after {:.2} s; writes \
                     refused for {:.2} s ({} attempts; {} stray refusals later), {} attempts through it, p99 {:.1} ms, \
                     max {:.1} ms",
                    i + 1,
                    w.killed_at_s,
                    w.killed_port,
                    w.promoted_port,
                    w.promoted_after_s,
                    w.rejoined_after_s,
                    w.unavailable_s,
                    w.refused_attempts,
                    w.stray_refusals,
                    w.attempts,
                    w.p99_ms,
                    w.max_ms
                );
            }
            if let Some(m) = &f.failover_summary {
                let _ = writeln!(
                    s,
                    "faults: {} primary failovers, {} replica kills; writes refused per failover: median {:.2} s, \
                     max {:.2} s; p99 through a failover: median {:.1} ms, max {:.1} ms",
                    m.failovers,
                    f.replica_kills,
                    m.unavailable_s_median,
                    m.unavailable_s_max,
                    m.p99_ms_median,
                    m.p99_ms_max
                );
            }
        }
        Some(f) => {
            let _ = writeln!(
                s,
                "faults: {} postgres restarts, {} replica kills, {} dropped connections",
                f.postgres_restarts, f.replica_kills, f.dropped_connections
            );
        }
        None => {}
    }
    match &r.verification {
        Some(v) => {
            let _ = writeln!(
                s,
                "verification ({}): {} acknowledged keys, duplicates {}, lost {}, violations {} — {}",
                v.method,
                v.acknowledged_keys,
                v.duplicates,
                v.lost,
                v.violation_count,
                if v.ok() { "OK" } else { "FAILED" }
            );
            for line in v.violations.iter().take(20) {
                let _ = writeln!(s, "  violation: {line}");
            }
            match v.sqlite_file_problems.as_deref() {
                Some([]) => {
                    let _ = writeln!(s, "sqlite file: integrity_check ok, foreign_key_check ok");
                }
                Some(problems) => {
                    let _ = writeln!(s, "sqlite file: {} problems — FAILED", problems.len());
                    for p in problems.iter().take(20) {
                        let _ = writeln!(s, "  {p}");
                    }
                }
                None => {}
            }
        }
        None => {
            let _ = writeln!(s, "verification: none (read workload writes nothing)");
        }
    }
    for b in &r.thresholds.broken {
        let _ = writeln!(s, "threshold broken: {b}");
    }
    s
}
