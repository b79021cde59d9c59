//! The unavailability window of each failover: from the write attempts the
//! workers log (sent when, how long, answered 503 or not at all), how long
//! writes were refused after each kill and how slow they were through it.

use std::sync::Mutex;

use serde::Serialize;

use super::formation::Failover;

/// One write attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WriteSample {
    /// Sent, in milliseconds from the load's start.
    pub at_ms: u64,
    pub latency_us: u64,
    /// Answered 503 (nothing stored, `Retry-After`) or not at all
    /// (connection refused or cut, timeout).
    pub unavailable: bool,
}

/// Every write attempt of a run, when the run measures failovers.
#[derive(Debug, Default)]
pub struct WriteLog(Mutex<Vec<WriteSample>>);

impl WriteLog {
    pub fn push(&self, s: WriteSample) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(s);
    }

    pub fn take(&self) -> Vec<WriteSample> {
        let mut all = std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
        all.sort_by_key(|s| s.at_ms);
        all
    }
}

/// How long after the old primary has rejoined a refused write still
/// counts towards its failover's window.
const SETTLE_MS: u64 = 5_000;
/// A refusal sent within this of the end of the one before it continues
/// the window; a later one is a stray (counted apart).
const GAP_MS: u64 = 1_000;

/// One failover as the clients saw it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FailoverWindow {
    pub killed_port: u16,
    pub promoted_port: u16,
    pub killed_at_s: f64,
    /// From the kill to the monitor naming the new primary.
    pub promoted_after_s: f64,
    /// From the kill to the old primary back as secondary.
    pub rejoined_after_s: f64,
    /// From the first write refused after the kill (sent) to the end of the
    /// last refusal that followed it without a pause of `GAP_MS`; 0 when
    /// none was refused.
    pub unavailable_s: f64,
    pub refused_attempts: u64,
    /// Refusals after that, before the formation settled.
    pub stray_refusals: u64,
    /// Write attempts sent between the kill and the rejoin, and their
    /// latency (every answer, refusals included).
    pub attempts: u64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Median and maximum over the failovers of a run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FailoverSummary {
    pub failovers: usize,
    pub unavailable_s_median: f64,
    pub unavailable_s_max: f64,
    pub p99_ms_median: f64,
    pub p99_ms_max: f64,
    pub promoted_after_s_median: f64,
    pub rejoined_after_s_median: f64,
}

/// Each failover's window: a refusal belongs to the last kill before it,
/// until the formation has settled.
pub fn windows(failovers: &[Failover], samples: &[WriteSample]) -> Vec<FailoverWindow> {
    failovers
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let ms = |s: f64| (s * 1000.0) as u64;
            let from = ms(f.killed_at_s);
            let next = failovers.get(i + 1).map_or(u64::MAX, |n| ms(n.killed_at_s));
            let settle = (ms(f.rejoined_at_s) + SETTLE_MS).min(next);
            let refused: Vec<&WriteSample> =
                samples.iter().filter(|s| s.unavailable && (from..settle).contains(&s.at_ms)).collect();
            let (unavailable_s, in_window) = outage(&refused);
            let mut through: Vec<u64> = samples
                .iter()
                .filter(|s| (from..ms(f.rejoined_at_s).max(from + 1)).contains(&s.at_ms))
                .map(|s| s.latency_us)
                .collect();
            through.sort_unstable();
            FailoverWindow {
                killed_port: f.killed_port,
                promoted_port: f.promoted_port,
                killed_at_s: f.killed_at_s,
                promoted_after_s: f.promoted_at_s - f.killed_at_s,
                rejoined_after_s: f.rejoined_at_s - f.killed_at_s,
                unavailable_s,
                refused_attempts: in_window,
                stray_refusals: refused.len() as u64 - in_window,
                attempts: through.len() as u64,
                p99_ms: quantile(&through, 0.99) as f64 / 1000.0,
                max_ms: through.last().copied().unwrap_or(0) as f64 / 1000.0,
            }
        })
        .collect()
}

/// The window that opens with the first refusal (sorted by send time): its
/// length in seconds and how many refusals it holds.
fn outage(refused: &[&WriteSample]) -> (f64, u64) {
    let Some(first) = refused.first() else { return (0.0, 0) };
    let end_us = |s: &WriteSample| s.at_ms * 1000 + s.latency_us;
    let mut end = end_us(first);
    let mut n = 1;
    for s in &refused[1..] {
        if s.at_ms * 1000 > end + GAP_MS * 1000 {
            break;
        }
        end = end.max(end_us(s));
        n += 1;
    }
    ((end - first.at_ms * 1000) as f64 / 1e6, n)
}

pub fn summary(w: &[FailoverWindow]) -> Option<FailoverSummary> {
    if w.is_empty() {
        return None;
    }
    let stat = |f: fn(&FailoverWindow) -> f64| {
        let mut v: Vec<f64> = w.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
        (median, v[n - 1])
    };
    let (unavailable_s_median, unavailable_s_max) = stat(|w| w.unavailable_s);
    let (p99_ms_median, p99_ms_max) = stat(|w| w.p99_ms);
    Some(FailoverSummary {
        failovers: w.len(),
        unavailable_s_median,
        unavailable_s_max,
        p99_ms_median,
        p99_ms_max,
        promoted_after_s_median: stat(|w| w.promoted_after_s).0,
        rejoined_after_s_median: stat(|w| w.rejoined_after_s).0,
    })
}

/// The nearest-rank quantile of sorted values (0 when empty).
fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(at_ms: u64, latency_ms: u64, unavailable: bool) -> WriteSample {
        WriteSample { at_ms, latency_us: latency_ms * 1000, unavailable }
    }

    #[test]
    fn a_window_runs_from_the_first_refusal_to_the_end_of_the_last() {
        let f = [
            Failover { killed_port: 1, promoted_port: 2, killed_at_s: 10.0, promoted_at_s: 13.0, rejoined_at_s: 20.0 },
            Failover { killed_port: 2, promoted_port: 1, killed_at_s: 40.0, promoted_at_s: 42.0, rejoined_at_s: 50.0 },
        ];
        let mut s = vec![sample(5_000, 3, true), sample(9_000, 2, false)];
        // First failover: refused from 10.5 s to 14.2 s + 300 ms.
        s.extend([sample(10_500, 5, true), sample(11_400, 600, true), sample(12_000, 900, false)]);
        s.extend([sample(12_800, 300, false), sample(12_900, 700, true), sample(14_200, 300, true)]);
        s.extend((0..97).map(|i| sample(15_000 + i, 4, false)));
        // A stray refusal after a pause, then one long after the rejoin
        // (+5 s): not part of the window, and not this failover's.
        s.push(sample(18_000, 2, true));
        s.push(sample(30_000, 1, true));
        let w = windows(&f, &s);
        assert_eq!(w.len(), 2);
        assert!((w[0].unavailable_s - 4.0).abs() < 1e-9, "{w:?}");
        assert_eq!((w[0].refused_attempts, w[0].stray_refusals, w[0].attempts), (4, 1, 104));
        assert_eq!((w[0].p99_ms, w[0].max_ms), (700.0, 900.0));
        assert_eq!((w[0].promoted_after_s, w[0].rejoined_after_s), (3.0, 10.0));
        assert_eq!((w[1].unavailable_s, w[1].attempts, w[1].p99_ms), (0.0, 0, 0.0));
        let sum = summary(&w).unwrap();
        assert_eq!((sum.failovers, sum.unavailable_s_max), (2, w[0].unavailable_s));
        assert_eq!((sum.p99_ms_max, sum.unavailable_s_median), (w[0].p99_ms, w[0].unavailable_s / 2.0));
        assert!(summary(&[]).is_none());
    }
}
