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
use crate::scenario::{Draw, Resolved};
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

#[derive(Debug, Clone)]
enum Event {
    KillService(u32),
    RestartDb,
    PartitionClientService(u32),
    PartitionServiceDb(u32),
    KillReceiver,
    PartitionReceiver,
}

impl Faults {
    pub(crate) async fn run(&self, cfg: &Resolved) {
        let phase = cfg.fault_phase_ms;
        let mut events = Vec::new();
        let at = |d: &mut SimDraw| d.below(phase.max(1));
        let n = cfg.service_nodes;
        for _ in 0..cfg.service_kills {
            events.push((at(&mut SimDraw), Event::KillService(SimDraw.below(u64::from(n)) as u32)));
        }
        for _ in 0..cfg.db_restarts {
            events.push((at(&mut SimDraw), Event::RestartDb));
        }
        for _ in 0..cfg.partitions_client_service {
            events.push((at(&mut SimDraw), Event::PartitionClientService(SimDraw.below(u64::from(n)) as u32)));
        }
        for _ in 0..cfg.partitions_service_db {
            events.push((at(&mut SimDraw), Event::PartitionServiceDb(SimDraw.below(u64::from(n)) as u32)));
        }
        if let Some((receiver, _)) = &self.receiver {
            for _ in 0..cfg.receiver_kills {
                events.push((at(&mut SimDraw), Event::KillReceiver));
            }
            for _ in 0..cfg.receiver_partitions {
                events.push((at(&mut SimDraw), Event::PartitionReceiver));
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
        events.sort_by_key(|(t, _)| *t);

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
        let start = Instant::now();
        let mut heals = Vec::new();
        for (t, ev) in events {
            let now = start.elapsed().as_millis() as u64;
            if t > now {
                sleep(Duration::from_millis(t - now)).await;
            }
            let hold = Duration::from_millis(SimDraw.range(100, 3000));
            heals.push((start.elapsed() + hold, self.inject(&ev, cfg.one_way_partitions)));
            // Heal each fault after its own hold time, inside the phase.
            let heal_due: Vec<_> =
                heals.iter().filter(|(due, _)| *due <= start.elapsed()).map(|(_, h)| h.clone()).collect();
            heals.retain(|(due, _)| *due > start.elapsed());
            for h in heal_due {
                self.heal(&h);
            }
        }
        let now = start.elapsed().as_millis() as u64;
        if phase > now {
            sleep(Duration::from_millis(phase - now)).await;
        }
        for (_, h) in heals {
            self.heal(&h);
        }
        net.update_config(|c| *c = madsim::net::Config::default());
        self.control.set(DbFaults::default());
        if let Some((receiver, _)) = &self.receiver {
            receiver.set_faults(ReceiverFaults::default());
        }
    }

    fn inject(&self, ev: &Event, one_way: bool) -> Heal {
        let net = NetSim::current();
        match *ev {
            Event::KillService(i) => {
                self.handle.kill(self.services[i as usize].id());
                self.tl.fault("service_kill", format!("kill service-{i} (in-flight requests die mid-write)"));
                Heal::Restart(self.services[i as usize].id(), format!("service-{i}"))
            }
            Event::RestartDb => {
                let db = self.db.as_ref().expect("database restarts are drawn only with a database node");
                self.handle.kill(db.id());
                self.tl.fault("db_restart", "kill db (open transactions abort; committed data stays)");
                Heal::Restart(db.id(), "db".into())
            }
            Event::PartitionClientService(i) => {
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
            Event::KillReceiver => {
                let node = self.receiver.as_ref().expect("receiver faults are drawn only with a receiver").1.id();
                self.handle.kill(node);
                self.tl.fault("receiver_kill", "kill the webhook receiver (deliveries fail until it is back)");
                Heal::Restart(node, "receiver".into())
            }
            Event::PartitionReceiver => {
                let node = self.receiver.as_ref().expect("receiver faults are drawn only with a receiver").1.id();
                net.clog_node(node);
                self.tl.fault("receiver_partition", "partition: the webhook receiver isolated");
                Heal::UnclogNode(node, "receiver".into())
            }
            Event::PartitionServiceDb(i) => {
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
