//! Latency histograms and counters, per phase, operation and outcome.
//! Each worker records into its own `Stats` (no locks on the hot path);
//! they are merged once at the end.

use std::borrow::Cow;
use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Microseconds; up to an hour, 3 significant digits (0.1 % error).
const LATENCY_US_MAX: u64 = 3_600_000_000;
const SIGNIFICANT_DIGITS: u8 = 3;

/// Where in a chaos run an attempt started. Runs without faults are all healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Healthy,
    Fault,
    Recovery,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Fault => "fault",
            Self::Recovery => "recovery",
        }
    }
}

/// The label of the per-logical-request row: first send to definitive answer,
/// retries included.
pub const END_TO_END: &str = "end-to-end";

pub type Label = Cow<'static, str>;

pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, LATENCY_US_MAX, SIGNIFICANT_DIGITS).expect("static bounds are valid")
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// HTTP attempts sent.
    pub attempts: u64,
    /// Attempts that failed: indeterminate (timeout, connection error, 409,
    /// 5xx), a mismatch answer to an unchanged payload, or anything but a
    /// mismatch answer to a changed one. Deliberately induced timeouts and
    /// business-rule refusals (stored 422s, 404s) are not failures.
    pub failures: u64,
    /// Logical requests (one key and payload, retried until definitive).
    pub requests: u64,
    /// Logical requests that ended with a definitive answer.
    pub definitive: u64,
    /// Logical requests that ran out of attempts.
    pub abandoned: u64,
    /// Answers by kind.
    pub created: u64,
    pub replayed: u64,
    pub mismatches: u64,
    /// Definitive refusals by a business rule (a stored 422, a 404).
    pub refused: u64,
}

impl Counters {
    fn add(&mut self, o: &Counters) {
        self.attempts += o.attempts;
        self.failures += o.failures;
        self.requests += o.requests;
        self.definitive += o.definitive;
        self.abandoned += o.abandoned;
        self.created += o.created;
        self.replayed += o.replayed;
        self.mismatches += o.mismatches;
        self.refused += o.refused;
    }

    pub fn failure_rate(&self) -> f64 {
        if self.attempts == 0 {
            0.0
        } else {
            self.failures as f64 / self.attempts as f64
        }
    }
}

#[derive(Default)]
pub struct Stats {
    pub latency: BTreeMap<(Phase, &'static str, Label), Histogram<u64>>,
    pub counters: BTreeMap<(Phase, &'static str), Counters>,
}

impl Stats {
    pub fn record(&mut self, phase: Phase, op: &'static str, label: Label, micros: u64) {
        let h = self.latency.entry((phase, op, label)).or_insert_with(new_histogram);
        h.saturating_record(micros.clamp(1, LATENCY_US_MAX));
    }

    pub fn count(&mut self, phase: Phase, op: &'static str) -> &mut Counters {
        self.counters.entry((phase, op)).or_default()
    }

    pub fn merge(&mut self, other: Stats) {
        for (k, h) in other.latency {
            match self.latency.get_mut(&k) {
                Some(mine) => mine.add(&h).expect("histograms share bounds"),
                None => {
                    self.latency.insert(k, h);
                }
            }
        }
        for (k, c) in other.counters {
            self.counters.entry(k).or_default().add(&c);
        }
    }

    /// Counters summed over phases, per operation.
    pub fn per_op(&self) -> BTreeMap<&'static str, Counters> {
        let mut m: BTreeMap<&'static str, Counters> = BTreeMap::new();
        for ((_, op), c) in &self.counters {
            m.entry(op).or_default().add(c);
        }
        m
    }

    /// Counters summed over everything, or over one phase.
    pub fn total(&self, phase: Option<Phase>) -> Counters {
        let mut t = Counters::default();
        for ((p, _), c) in &self.counters {
            if phase.is_none_or(|want| want == *p) {
                t.add(c);
            }
        }
        t
    }

    /// One histogram over the given phases (None = all) for `op` (None = all) and `label`.
    pub fn histogram(&self, phase: Option<Phase>, op: Option<&str>, label: &str) -> Histogram<u64> {
        let mut h = new_histogram();
        for ((p, o, l), x) in &self.latency {
            if phase.is_none_or(|want| want == *p) && op.is_none_or(|want| want == *o) && l == label {
                h.add(x).expect("histograms share bounds");
            }
        }
        h
    }

    pub fn phases(&self) -> Vec<Phase> {
        let set: std::collections::BTreeSet<Phase> =
            self.counters.keys().map(|(p, _)| *p).chain(self.latency.keys().map(|(p, _, _)| *p)).collect();
        set.into_iter().collect()
    }
}

/// The percentiles every table and report shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl Percentiles {
    pub fn of(h: &Histogram<u64>) -> Self {
        let ms = |us: u64| us as f64 / 1000.0;
        if h.is_empty() {
            return Self::default();
        }
        Self {
            count: h.len(),
            p50_ms: ms(h.value_at_quantile(0.50)),
            p90_ms: ms(h.value_at_quantile(0.90)),
            p95_ms: ms(h.value_at_quantile(0.95)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            p999_ms: ms(h.value_at_quantile(0.999)),
            max_ms: ms(h.max()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_histograms_and_counters() {
        let mut a = Stats::default();
        let mut b = Stats::default();
        for us in 1..=1000 {
            a.record(Phase::Healthy, "op", Cow::Borrowed("201 created"), us * 1000);
            b.record(Phase::Fault, "op", Cow::Borrowed("201 created"), us * 1000);
        }
        a.count(Phase::Healthy, "op").attempts = 3;
        b.count(Phase::Healthy, "op").attempts = 4;
        b.count(Phase::Healthy, "op").failures = 1;
        a.merge(b);
        assert_eq!(a.total(None).attempts, 7);
        assert!((a.total(None).failure_rate() - 1.0 / 7.0).abs() < 1e-9);
        let all = a.histogram(None, Some("op"), "201 created");
        assert_eq!(all.len(), 2000);
        let p = Percentiles::of(&all);
        assert!((p.p50_ms - 500.0).abs() < 1.0, "{p:?}");
        assert!((p.max_ms - 1000.0).abs() < 1.0, "{p:?}");
        assert_eq!(a.histogram(Some(Phase::Fault), None, "201 created").len(), 1000);
        assert_eq!(a.phases(), vec![Phase::Healthy, Phase::Fault]);
    }
}
