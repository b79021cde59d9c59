//! Real faults under load (`--chaos`): replicas of the service on loopback
//! ports share one private Postgres cluster through a proxy. During the
//! fault phase replicas are SIGKILLed and restarted, Postgres is restarted
//! (fast and immediate shutdowns), and the proxy cuts connections at
//! random. The run is healthy before and recovering after, and the report
//! splits latency and errors by those phases.

pub mod pg;
pub mod proxy;
pub mod replicas;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::report::FaultCounts;
use crate::rng::Rng;
use pg::{PgCluster, PgError, StopMode};
use proxy::Proxy;
use replicas::Replicas;

#[derive(Debug, Clone, Copy)]
pub struct ChaosPlan {
    pub healthy: Duration,
    pub fault: Duration,
    pub recovery: Duration,
    pub postgres_restarts: u32,
    pub replica_kills: u32,
    /// Mean time between two connection cuts during the fault phase.
    pub drop_interval: Duration,
    /// How long a killed replica stays down.
    pub replica_down: Duration,
    pub seed: u64,
}

impl ChaosPlan {
    pub fn total(&self) -> Duration {
        self.healthy + self.fault + self.recovery
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    RestartPostgres(StopMode),
    KillReplica(usize),
}

/// Fault times (offsets into the fault phase), spread evenly with jitter so
/// no two restarts of one kind pile up, drawn from the seed.
pub fn schedule(plan: &ChaosPlan, replicas: usize) -> Vec<(Duration, Event)> {
    let mut rng = Rng::new(plan.seed);
    let f = plan.fault.as_secs_f64();
    let spread = |n: u32, offset: f64, rng: &mut Rng| -> Vec<Duration> {
        (0..n)
            .map(|i| {
                let slot = f / f64::from(n.max(1));
                let jitter = (rng.below(1001) as f64 / 1000.0 - 0.5) * slot * 0.5;
                Duration::from_secs_f64((slot * (f64::from(i) + offset) + jitter).clamp(0.0, f))
            })
            .collect()
    };
    let mut events = Vec::new();
    for at in spread(plan.postgres_restarts, 0.5, &mut rng) {
        let mode = if rng.chance(0.5) { StopMode::Fast } else { StopMode::Immediate };
        events.push((at, Event::RestartPostgres(mode)));
    }
    for at in spread(plan.replica_kills, 0.25, &mut rng) {
        events.push((at, Event::KillReplica(rng.below(replicas.max(1) as u64) as usize)));
    }
    events.sort_by_key(|(t, _)| *t);
    events
}

#[derive(Debug, thiserror::Error)]
pub enum ChaosError {
    #[error("postgres: {0}")]
    Postgres(#[from] PgError),
    #[error("replica {0} did not come back: {1}")]
    Replica(usize, String),
}

struct Timeline {
    start: Instant,
    lines: Mutex<Vec<String>>,
}

impl Timeline {
    fn log(&self, what: impl std::fmt::Display) {
        let s = format!("[{:>7.2} s] {what}", self.start.elapsed().as_secs_f64());
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).push(s);
    }
}

/// Runs the fault schedule against the load that started at `start`;
/// returns when the fault phase is over and every killed replica is back.
pub async fn run_faults(
    plan: ChaosPlan,
    start: Instant,
    pg: Arc<PgCluster>,
    proxy: Arc<Proxy>,
    replicas: Arc<Replicas>,
) -> Result<FaultCounts, ChaosError> {
    let tl = Arc::new(Timeline { start, lines: Mutex::new(Vec::new()) });
    let fault_start = start + plan.healthy;
    let fault_end = fault_start + plan.fault;
    tokio::time::sleep_until(fault_start).await;
    tl.log("fault phase begins");

    let drops = {
        let (proxy, tl) = (proxy.clone(), tl.clone());
        let mut rng = Rng::new(plan.seed ^ 0xd0d0);
        tokio::spawn(async move {
            let mean = plan.drop_interval.as_micros() as u64;
            // While Postgres restarts there is often nothing to cut.
            let mut idle = 0u64;
            while Instant::now() < fault_end {
                let wait = Duration::from_micros(mean / 2 + rng.below(mean + 1));
                tokio::time::sleep(wait).await;
                if Instant::now() < fault_end && !proxy.drop_one(rng.next_u64()) {
                    idle += 1;
                }
            }
            tl.log(format!("proxy: {idle} scheduled cuts found no live connection"));
        })
    };

    let mut counts = FaultCounts::default();
    let mut restarts = Vec::new();
    for (at, event) in schedule(&plan, replicas.addrs.len()) {
        tokio::time::sleep_until(fault_start + at).await;
        match event {
            Event::RestartPostgres(mode) => {
                tl.log(format!("postgres: restart ({} shutdown)", mode.as_str()));
                let t = Instant::now();
                pg.restart(mode).await?;
                counts.postgres_restarts += 1;
                tl.log(format!("postgres: up again after {:.2} s", t.elapsed().as_secs_f64()));
            }
            Event::KillReplica(i) => {
                if !replicas.kill(i).await {
                    tl.log(format!("replica {i}: already down, not killed"));
                    continue;
                }
                counts.replica_kills += 1;
                tl.log(format!("replica {i}: SIGKILL"));
                let (replicas, tl) = (replicas.clone(), tl.clone());
                restarts.push(tokio::spawn(async move {
                    tokio::time::sleep(plan.replica_down).await;
                    let r = replicas.restart(i).await;
                    match &r {
                        Ok(()) => tl.log(format!("replica {i}: restarted")),
                        Err(e) => tl.log(format!("replica {i}: restart failed: {e}")),
                    }
                    r.map_err(|e| ChaosError::Replica(i, e.to_string()))
                }));
            }
        }
    }
    let _ = drops.await;
    for r in restarts {
        r.await.expect("restart task panicked")?;
    }
    tl.log(format!("fault phase over; {} connections cut", proxy.dropped()));
    counts.dropped_connections = proxy.dropped();
    counts.timeline = tl.lines.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_spreads_every_fault_inside_the_fault_phase() {
        let plan = ChaosPlan {
            healthy: Duration::from_secs(5),
            fault: Duration::from_secs(60),
            recovery: Duration::from_secs(10),
            postgres_restarts: 6,
            replica_kills: 4,
            drop_interval: Duration::from_millis(300),
            replica_down: Duration::from_secs(2),
            seed: 3,
        };
        let events = schedule(&plan, 3);
        assert_eq!(events.iter().filter(|(_, e)| matches!(e, Event::RestartPostgres(_))).count(), 6);
        assert_eq!(events.iter().filter(|(_, e)| matches!(e, Event::KillReplica(i) if *i < 3)).count(), 4);
        assert!(events.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!(events.iter().all(|(t, _)| *t <= plan.fault));
        // Restarts are at least half a slot apart (slot = 10 s, jitter ±2.5 s).
        let pg: Vec<f64> = events
            .iter()
            .filter(|(_, e)| matches!(e, Event::RestartPostgres(_)))
            .map(|(t, _)| t.as_secs_f64())
            .collect();
        assert!(pg.windows(2).all(|w| w[1] - w[0] >= 5.0), "{pg:?}");
        assert_eq!(events, schedule(&plan, 3), "the seed decides");
    }
}
