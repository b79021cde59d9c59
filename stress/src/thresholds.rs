//! Pass/fail limits on what a run measured (the rollout plan's KPIs are
//! p95 < 500 ms and a failure rate < 1 %). A broken threshold makes the
//! process exit non-zero, so CI and nightly jobs fail on regressions.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Thresholds {
    /// Upper bound on each operation's end-to-end p95, in milliseconds.
    pub max_p95_ms: Option<f64>,
    /// Upper bound on failed attempts / attempts (0.01 = 1 %).
    pub max_failure_rate: Option<f64>,
}

/// What was measured, as the thresholds see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// (operation, end-to-end p95 in ms).
    pub p95_ms: Vec<(String, f64)>,
    pub failure_rate: f64,
}

/// Every broken threshold, as a sentence; empty when the run passes.
pub fn evaluate(t: &Thresholds, m: &Measured) -> Vec<String> {
    let mut broken = Vec::new();
    if let Some(max) = t.max_p95_ms {
        for (op, p95) in &m.p95_ms {
            if *p95 > max {
                broken.push(format!("{op}: p95 {p95:.3} ms exceeds --max-p95-ms {max}"));
            }
        }
    }
    if let Some(max) = t.max_failure_rate {
        if m.failure_rate > max {
            broken.push(format!("failure rate {:.4} exceeds --max-failure-rate {max}", m.failure_rate));
        }
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured() -> Measured {
        Measured { p95_ms: vec![("create_invoice".into(), 42.0), ("record_payment".into(), 7.5)], failure_rate: 0.02 }
    }

    #[test]
    fn thresholds_above_the_measurements_pass() {
        let t = Thresholds { max_p95_ms: Some(500.0), max_failure_rate: Some(0.05) };
        assert!(evaluate(&t, &measured()).is_empty());
        assert!(evaluate(&Thresholds::default(), &measured()).is_empty(), "no thresholds, nothing broken");
    }

    #[test]
    fn thresholds_below_the_measurements_break_the_run() {
        let t = Thresholds { max_p95_ms: Some(10.0), max_failure_rate: Some(0.01) };
        let broken = evaluate(&t, &measured());
        assert_eq!(broken.len(), 2, "{broken:?}");
        assert!(broken[0].starts_with("create_invoice: p95 42.000 ms"));
        assert!(broken[1].starts_with("failure rate 0.0200"));
    }
}
