//! Real faults under load (`--chaos`), on one of two topologies:
//!
//! - Postgres: replicas of the service on loopback ports share one private
//!   Postgres cluster through a proxy. During the fault phase replicas are
//!   SIGKILLed and restarted, Postgres is restarted (fast and immediate
//!   shutdowns), and the proxy cuts connections at random.
//! - SQLite: one service on a SQLite file (the store is embedded in it) is
//!   SIGKILLed again and again, and restarted on the same file and port.
//! - Failover: replicas on a pg_auto_failover formation (`ci/pg-formation.sh`)
//!   through a multi-host URL; the primary's postmaster is SIGKILLed, the
//!   standby promoted, the old primary rejoins, again and again; each
//!   failover's window of refused writes is measured (`window.rs`).
//!
//! The run is healthy before and recovering after, and the report splits
//! latency and errors by those phases.

pub mod formation;
pub mod pg;
pub mod proxy;
pub mod replicas;
pub mod window;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::report::FaultCounts;
use crate::rng::Rng;
use formation::Formation;
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
    /// SIGKILLs of the one service of a SQLite run.
    pub service_kills: u32,
    /// Primary kills of a failover run, each followed to the rejoin.
    pub failovers: u32,
    /// Mean time between two connection cuts during the fault phase.
    pub drop_interval: Duration,
    /// How long a killed replica (or the killed service) stays down.
    pub down: Duration,
    pub seed: u64,
}

impl ChaosPlan {
    pub fn total(&self) -> Duration {
        self.healthy + self.fault + self.recovery
    }

    /// The least time `schedule` can leave between two service kills (None
    /// with fewer than two): each kill is jittered by a quarter of its slot.
    pub fn service_kill_gap_min(&self) -> Option<Duration> {
        (self.service_kills > 1).then(|| self.fault / self.service_kills / 2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    RestartPostgres(StopMode),
    KillReplica(usize),
    /// SIGKILL the one service (SQLite): the next kill waits until it is back.
    KillService,
    /// SIGKILL the formation's primary and follow it until the old primary
    /// has rejoined: the next failover waits until then.
    FailOver,
}

/// Fault times (offsets into the fault phase), spread evenly with jitter so
/// no two faults of one kind pile up, drawn from the seed. Slots are
/// `fault / n` long; each fault lands within a quarter slot of its slot's
/// mark (the middle for Postgres restarts, the first quarter for kills, so
/// that the last killed process is back before the recovery phase).
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
    for at in spread(plan.service_kills, 0.25, &mut rng) {
        events.push((at, Event::KillService));
    }
    for at in spread(plan.failovers, 0.25, &mut rng) {
        events.push((at, Event::FailOver));
    }
    events.sort_by_key(|(t, _)| *t);
    events
}

#[derive(Debug, thiserror::Error)]
pub enum ChaosError {
    #[error("postgres: {0}")]
    Postgres(#[from] PgError),
    #[error("{0} did not come back: {1}")]
    Restart(String, String),
}

/// What a chaos run injects its faults into. A SQLite run has no Postgres
/// and no proxy, and one "replica": the service.
#[derive(Clone)]
pub struct Targets {
    pub pg: Option<Arc<PgCluster>>,
    pub proxy: Option<Arc<Proxy>>,
    pub formation: Option<Arc<Formation>>,
    pub replicas: Arc<Replicas>,
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
/// returns when the fault phase is over and every killed process is back.
pub async fn run_faults(plan: ChaosPlan, start: Instant, targets: Targets) -> Result<FaultCounts, ChaosError> {
    let tl = Arc::new(Timeline { start, lines: Mutex::new(Vec::new()) });
    let fault_start = start + plan.healthy;
    let fault_end = fault_start + plan.fault;
    tokio::time::sleep_until(fault_start).await;
    tl.log("fault phase begins");

    let drops = targets.proxy.clone().map(|proxy| {
        let tl = tl.clone();
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
    });

    let mut counts = FaultCounts::default();
    let mut restarts = Vec::new();
    let replicas = &targets.replicas;
    for (at, event) in schedule(&plan, replicas.addrs.len()) {
        tokio::time::sleep_until(fault_start + at).await;
        match event {
            Event::RestartPostgres(mode) => {
                let Some(pg) = &targets.pg else { continue };
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
                restarts.push(tokio::spawn(restart_after(
                    plan.down,
                    replicas.clone(),
                    i,
                    format!("replica {i}"),
                    tl.clone(),
                )));
            }
            Event::FailOver => {
                let Some(formation) = &targets.formation else { continue };
                tl.log("formation: SIGKILL of the primary (postmaster and keeper)");
                let f = formation.fail_over(start).await?;
                tl.log(format!(
                    "formation: {} → {} promoted {:.2} s after the kill, old primary rejoined after {:.2} s",
                    f.killed_port,
                    f.promoted_port,
                    f.promoted_at_s - f.killed_at_s,
                    f.rejoined_at_s - f.killed_at_s
                ));
                counts.failover_events.push(f);
            }
            Event::KillService => {
                // Restarted before the next event: a kill due while the
                // service is still down lands once it is back.
                if replicas.kill(0).await {
                    counts.service_kills += 1;
                    tl.log("service: SIGKILL");
                    let down = restart_after(plan.down, replicas.clone(), 0, "service".into(), tl.clone()).await?;
                    counts.service_down_s += down.as_secs_f64();
                }
            }
        }
    }
    if let Some(drops) = drops {
        let _ = drops.await;
    }
    for r in restarts {
        r.await.expect("restart task panicked")?;
    }
    counts.dropped_connections = targets.proxy.as_ref().map_or(0, |p| p.dropped());
    match &targets.proxy {
        Some(_) => tl.log(format!("fault phase over; {} connections cut", counts.dropped_connections)),
        None => tl.log("fault phase over"),
    }
    counts.timeline = tl.lines.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Ok(counts)
}

/// Waits `down`, then starts replica `i` again on its port; returns how
/// long it was down (from now to listening again).
async fn restart_after(
    down: Duration,
    replicas: Arc<Replicas>,
    i: usize,
    who: String,
    tl: Arc<Timeline>,
) -> Result<Duration, ChaosError> {
    let killed = Instant::now();
    tokio::time::sleep(down).await;
    match replicas.restart(i).await {
        Ok(()) => {
            let down = killed.elapsed();
            tl.log(format!("{who}: restarted, {:.2} s down", down.as_secs_f64()));
            Ok(down)
        }
        Err(e) => {
            tl.log(format!("{who}: restart failed: {e}"));
            Err(ChaosError::Restart(who, e.to_string()))
        }
    }
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
            service_kills: 0,
            failovers: 0,
            drop_interval: Duration::from_millis(300),
            down: Duration::from_secs(2),
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

    fn sqlite_plan(seed: u64) -> ChaosPlan {
        ChaosPlan {
            healthy: Duration::from_secs(10),
            fault: Duration::from_secs(60),
            recovery: Duration::from_secs(20),
            postgres_restarts: 0,
            replica_kills: 0,
            service_kills: 24,
            failovers: 0,
            drop_interval: Duration::from_millis(300),
            down: Duration::from_millis(500),
            seed,
        }
    }

    #[test]
    fn service_kills_keep_their_distance_and_end_before_recovery() {
        let gap_min = sqlite_plan(0).service_kill_gap_min().unwrap();
        assert_eq!(gap_min, Duration::from_millis(1250), "slots of 2.5 s, a quarter slot of jitter each way");
        let slot = Duration::from_millis(2500);
        for seed in 0..500 {
            let plan = sqlite_plan(seed);
            let events = schedule(&plan, 1);
            assert_eq!(events.len(), 24);
            assert!(events.iter().all(|(_, e)| *e == Event::KillService), "only service kills: {events:?}");
            let times: Vec<Duration> = events.iter().map(|(t, _)| *t).collect();
            for (i, w) in times.windows(2).enumerate() {
                assert!(w[1] - w[0] + Duration::from_micros(1) >= gap_min, "seed {seed}, kills {i}, {}: {w:?}", i + 1);
            }
            // Each kill within its slot's first half; the last one leaves
            // half a slot for the service to come back before recovery.
            for (i, t) in times.iter().enumerate() {
                assert!(*t + Duration::from_micros(1) >= slot * i as u32, "seed {seed} kill {i} at {t:?}");
                assert!(*t <= slot * i as u32 + slot / 2, "seed {seed} kill {i} at {t:?}");
            }
        }
        assert_eq!(schedule(&sqlite_plan(7), 1), schedule(&sqlite_plan(7), 1), "the seed decides");
        assert_ne!(schedule(&sqlite_plan(7), 1), schedule(&sqlite_plan(8), 1));
        let none = ChaosPlan { service_kills: 0, ..sqlite_plan(1) };
        assert!(schedule(&none, 1).is_empty());
        assert_eq!(none.service_kill_gap_min(), None);
        let one = ChaosPlan { service_kills: 1, ..sqlite_plan(1) };
        assert_eq!((schedule(&one, 1).len(), one.service_kill_gap_min()), (1, None));
    }

    #[test]
    fn adding_service_kills_leaves_the_postgres_draws_alone() {
        // Seeds of earlier Postgres runs keep their fault times.
        let pg = ChaosPlan { postgres_restarts: 6, replica_kills: 4, service_kills: 0, ..sqlite_plan(3) };
        let both = ChaosPlan { service_kills: 5, ..pg };
        let without_service =
            |p: &ChaosPlan| schedule(p, 3).into_iter().filter(|(_, e)| *e != Event::KillService).collect::<Vec<_>>();
        assert_eq!(without_service(&both), schedule(&pg, 3));
    }
}
