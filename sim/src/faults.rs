//! The fault scheduler of the simulated world: faults drawn from the seed,
//! injected at their times inside the fault phase, each healed after its
//! hold time, and everything healed when the phase ends.

use std::sync::Arc;
use std::time::Duration;

use madsim::net::NetSim;
use madsim::runtime::{Handle, NodeHandle};
use madsim::time::{sleep, Instant};

use crate::db::{DbControl, DbFaults};
use crate::receiver::{Receiver, ReceiverFaults};
use crate::scenario::{Draw, FaultEvent, FaultKind, Resolved};
use crate::world::{SimDraw, Timeline};

/// The fault scheduler.
pub(crate) struct Faults {
    pub(crate) handle: Handle,
    pub(crate) tl: Arc<Timeline>,
    /// The database node (memory topology only).
    pub(crate) db: Option<NodeHandle>,
    pub(crate) services: Vec<NodeHandle>,
    pub(crate) control: DbControl,
    /// The webhook receiver and its node (background jobs on).
    pub(crate) receiver: Option<(Receiver, NodeHandle)>,
}

impl Faults {
    /// Runs the fault phase: the scenario's events (drawn from the seed, or
    /// `pinned`), each healed after its hold time, then everything healed
    /// when the phase ends. Returns the events as they were injected.
    pub(crate) async fn run(&self, cfg: &Resolved, pinned: Option<&[FaultEvent]>) -> Vec<FaultEvent> {
        let phase = cfg.fault_phase_ms;
        let mut events = Vec::new();
        let at = |d: &mut SimDraw| d.below(phase.max(1));
        let n = cfg.service_nodes;
        let mut add =
            |kind: FaultKind, node: u32, at_ms: u64| events.push(FaultEvent { at_ms, kind, node, hold_ms: 0 });
        for _ in 0..cfg.service_kills {
            let t = at(&mut SimDraw);
            add(FaultKind::ServiceKill, SimDraw.below(u64::from(n)) as u32, t);
        }
        for _ in 0..cfg.db_restarts {
            add(FaultKind::DbRestart, 0, at(&mut SimDraw));
        }
        for _ in 0..cfg.partitions_client_service {
            let t = at(&mut SimDraw);
            add(FaultKind::PartitionClientService, SimDraw.below(u64::from(n)) as u32, t);
        }
        for _ in 0..cfg.partitions_service_db {
            let t = at(&mut SimDraw);
            add(FaultKind::PartitionServiceDb, SimDraw.below(u64::from(n)) as u32, t);
        }
        if let Some((receiver, _)) = &self.receiver {
            for _ in 0..cfg.receiver_kills {
                add(FaultKind::ReceiverKill, 0, at(&mut SimDraw));
            }
            for _ in 0..cfg.receiver_partitions {
                add(FaultKind::ReceiverPartition, 0, at(&mut SimDraw));
            }
            if cfg.receiver_error_rate > 0.0 {
                receiver.set_faults(ReceiverFaults {
                    error_rate: cfg.receiver_error_rate,
                    slow: 0.1,
                    slow_ms: [50, 1500],
                });
                self.tl.fault(
                    "receiver_errors",
                    format!("receiver: 503 to {:.3} of deliveries, 10 % slow", cfg.receiver_error_rate),
                );
            }
        }
        events.sort_by_key(|e| e.at_ms);
        // A pinned schedule replaces the drawn one (the draws are made all
        // the same, so a schedule written from a seed replays as the seed).
        let pinned_holds = pinned.is_some();
        if let Some(p) = pinned {
            events = p.to_vec();
            events.sort_by_key(|e| e.at_ms);
        }

        let net = NetSim::current();
        if cfg.packet_loss > 0.0 || cfg.latency_ms != [1, 10] {
            let (loss, lat) = (cfg.packet_loss, cfg.latency_ms);
            net.update_config(|c| {
                c.packet_loss_rate = loss;
                c.send_latency = Duration::from_millis(lat[0])..Duration::from_millis(lat[1].max(lat[0] + 1));
            });
            self.tl.fault("network", format!("network: packet loss {:.3}, latency {}..{} ms", loss, lat[0], lat[1]));
        }
        if cfg.ambiguous_commit > 0.0 || cfg.slow_db > 0.0 {
            self.control.set(DbFaults {
                ambiguous_commit: cfg.ambiguous_commit,
                slow: cfg.slow_db,
                slow_ms: cfg.slow_db_ms,
            });
            self.tl.log(format!(
                "db faults on: ambiguous commit p={:.3}, slow reply p={:.3} ({}..{} ms)",
                cfg.ambiguous_commit, cfg.slow_db, cfg.slow_db_ms[0], cfg.slow_db_ms[1]
            ));
        }

        // Event times are offsets into the fault phase, which starts now.
        // Each fault heals at its own time: the scheduler wakes for the next
        // injection or heal, whichever comes first.
        let start = Instant::now();
        let mut injected = Vec::new();
        let mut heals: Vec<(u64, Heal)> = Vec::new();
        let mut queue = events.into_iter().peekable();
        loop {
            let next_event = queue.peek().map(|e| e.at_ms);
            let next_heal = heals.iter().map(|(due, _)| *due).min();
            let Some(wake) = [next_event, next_heal].into_iter().flatten().min() else { break };
            let now = start.elapsed().as_millis() as u64;
            if wake > now {
                sleep(Duration::from_millis(wake - now)).await;
            }
            let now = start.elapsed().as_millis() as u64;
            let (due, kept): (Vec<_>, Vec<_>) = heals.into_iter().partition(|(d, _)| *d <= now);
            heals = kept;
            for (_, h) in due {
                self.heal(&h);
            }
            while queue.peek().is_some_and(|e| e.at_ms <= now) {
                let mut ev = queue.next().expect("peeked");
                let drawn = SimDraw.range(100, 3000);
                // Everything heals when the phase ends: a hold ends there at the latest.
                let hold = if pinned_holds { ev.hold_ms } else { drawn };
                ev.hold_ms = hold.min(phase.saturating_sub(now));
                heals.push((now + ev.hold_ms, self.inject(&ev, cfg.one_way_partitions)));
                injected.push(ev);
            }
        }
        let now = start.elapsed().as_millis() as u64;
        if phase > now {
            sleep(Duration::from_millis(phase - now)).await;
        }
        net.update_config(|c| *c = madsim::net::Config::default());
        self.control.set(DbFaults::default());
        if let Some((receiver, _)) = &self.receiver {
            receiver.set_faults(ReceiverFaults::default());
        }
        injected
    }

    fn inject(&self, ev: &FaultEvent, one_way: bool) -> Heal {
        let net = NetSim::current();
        let i = ev.node;
        match ev.kind {
            FaultKind::ServiceKill => {
                self.handle.kill(self.services[i as usize].id());
                self.tl.fault("service_kill", format!("kill service-{i} (in-flight requests die mid-write)"));
                Heal::Restart(self.services[i as usize].id(), format!("service-{i}"))
            }
            FaultKind::DbRestart => {
                let db = self.db.as_ref().expect("database restarts are drawn only with a database node");
                self.handle.kill(db.id());
                self.tl.fault("db_restart", "kill db (open transactions abort; committed data stays)");
                Heal::Restart(db.id(), "db".into())
            }
            FaultKind::PartitionClientService => {
                let s = self.services[i as usize].id();
                if one_way {
                    net.clog_node_in(s);
                    self.tl
                        .fault("partition_client_service", format!("partition: nothing reaches service-{i} (one-way)"));
                } else {
                    net.clog_node(s);
                    self.tl.fault("partition_client_service", format!("partition: service-{i} isolated"));
                }
                Heal::UnclogNode(s, format!("service-{i}"))
            }
            FaultKind::ReceiverKill => {
                let node = self.receiver.as_ref().expect("receiver faults are drawn only with a receiver").1.id();
                self.handle.kill(node);
                self.tl.fault("receiver_kill", "kill the webhook receiver (deliveries fail until it is back)");
                Heal::Restart(node, "receiver".into())
            }
            FaultKind::ReceiverPartition => {
                let node = self.receiver.as_ref().expect("receiver faults are drawn only with a receiver").1.id();
                net.clog_node(node);
                self.tl.fault("receiver_partition", "partition: the webhook receiver isolated");
                Heal::UnclogNode(node, "receiver".into())
            }
            FaultKind::PartitionServiceDb => {
                let db = self.db.as_ref().expect("service↔db partitions are drawn only with a database node").id();
                let s = self.services[i as usize].id();
                net.clog_link(s, db);
                if !one_way {
                    net.clog_link(db, s);
                }
                let dir = if one_way { "service→db" } else { "both ways" };
                self.tl.fault("partition_service_db", format!("partition: service-{i} ↮ db ({dir})"));
                Heal::UnclogLink(s, db, format!("service-{i}"))
            }
        }
    }

    fn heal(&self, h: &Heal) {
        let net = NetSim::current();
        match h {
            Heal::Restart(id, name) => {
                // madsim's restart of a running node keeps its old socket
                // bindings; a kill first clears them (a real restart frees its ports).
                self.handle.kill(*id);
                self.handle.restart(*id);
                self.tl.log(format!("restart {name}"));
            }
            Heal::UnclogNode(id, name) => {
                net.unclog_node(*id);
                self.tl.log(format!("heal partition of {name}"));
            }
            Heal::UnclogLink(s, db, name) => {
                net.unclog_link(*s, *db);
                net.unclog_link(*db, *s);
                self.tl.log(format!("heal partition {name} ↮ db"));
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Heal {
    Restart(madsim::task::NodeId, String),
    UnclogNode(madsim::task::NodeId, String),
    UnclogLink(madsim::task::NodeId, madsim::task::NodeId, String),
}
