//! A run pinned as data: the resolved knobs, each client's retry policy,
//! the fault events with their virtual times, targets and hold times, and
//! (once the shrinker has converted it) the workload itself, request by
//! request. `run --write-scenario FILE` writes one, the shrinker writes the
//! smallest it finds to `scenarios/repro/`, `run --scenario FILE` replays
//! it. The seed then drives only what the file leaves open: message
//! timing, retry pauses and, while the workload is not pinned, the
//! clients' draws.
//!
//! A pinned file keeps the scenario it came from (its name, description,
//! topology and jobs) and adds a `[pinned]` table. Resolution still makes
//! every draw the scenario would (and throws the values away), so a file
//! written from a seed and replayed with that seed runs exactly as the
//! seed did: the same trace hash.

use serde::{Deserialize, Serialize};

use super::{Resolved, RetryPolicy, Scenario, ScenarioError, StoreKind};

/// What a fault event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Kill service node `node`; it restarts when the event heals.
    ServiceKill,
    /// Kill the database node (memory topology); it restarts when healed.
    DbRestart,
    /// Cut service node `node` off from everyone (one way: nothing reaches it).
    PartitionClientService,
    /// Cut service node `node` off from the database node.
    PartitionServiceDb,
    /// Kill the webhook receiver.
    ReceiverKill,
    /// Cut the webhook receiver off.
    ReceiverPartition,
}

impl FaultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceKill => "service_kill",
            Self::DbRestart => "db_restart",
            Self::PartitionClientService => "partition_client_service",
            Self::PartitionServiceDb => "partition_service_db",
            Self::ReceiverKill => "receiver_kill",
            Self::ReceiverPartition => "receiver_partition",
        }
    }

    /// Whether the event names a service node.
    pub fn targets_service(self) -> bool {
        matches!(self, Self::ServiceKill | Self::PartitionClientService | Self::PartitionServiceDb)
    }
}

/// One fault: when (offset into the fault phase), what, on which service
/// node, and how long it holds before it heals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultEvent {
    pub at_ms: u64,
    pub kind: FaultKind,
    #[serde(default)]
    pub node: u32,
    pub hold_ms: u64,
}

/// A payload as the generator's two numbers (see `workload::gen::Build`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draws {
    pub pick: u64,
    pub variant: u64,
}

/// The same key string sent by another tenant after the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Twin {
    pub tenant: u32,
    pub payload: Draws,
}

/// A payment racing the invoice it names, after the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependent {
    pub invoice: Draws,
    pub payment: Draws,
    /// How long the payment runs ahead of its invoice.
    pub head_start_ms: u64,
}

/// One request of a client, and what follows it with the same key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPlan {
    pub client: u32,
    /// The client's request number: its key is `c{client}-r{seq}`.
    pub seq: u32,
    /// When the client sends it (virtual ms after the clients start).
    pub at_ms: u64,
    pub tenant: u32,
    pub op: String,
    pub payload: Draws,
    /// Its first attempt reaches two nodes at once.
    #[serde(default)]
    pub duplicate: bool,
    /// Sent again, same key and payload, after this pause (a replay).
    pub reuse_after_ms: Option<u64>,
    /// Sent again with the same key and this other payload (a mismatch).
    pub mismatch: Option<Draws>,
    pub twin: Option<Twin>,
    pub dependent: Option<Dependent>,
}

impl RequestPlan {
    /// Logical requests this plan sends at most (the request and its
    /// followers; a dependent race is three).
    pub fn logical_requests(&self) -> usize {
        1 + usize::from(self.reuse_after_ms.is_some())
            + usize::from(self.mismatch.is_some())
            + usize::from(self.twin.is_some())
            + 3 * usize::from(self.dependent.is_some())
    }
}

/// The `[pinned]` table of a scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pinned {
    /// The seed the run was written from (`run` uses it when none is given).
    pub seed: u64,
    /// The planted bug the run was written with, if any (a repro file).
    pub planted: Option<String>,
    /// The property the run is known to violate (a repro file).
    pub violation: Option<String>,
    /// One per client.
    pub policies: Vec<RetryPolicy>,
    pub run: Resolved,
    #[serde(default)]
    pub events: Vec<FaultEvent>,
    /// The workload as data; absent, the clients draw it from the seed.
    pub requests: Option<Vec<RequestPlan>>,
}

impl Pinned {
    pub(super) fn validate(&self, s: &Scenario) -> Result<(), ScenarioError> {
        let bad = |m: String| Err(ScenarioError(format!("scenario {} [pinned]: {m}", s.name)));
        let r = &self.run;
        if !s.supports(r.store) {
            return bad(format!("the run's store {} is not one of the scenario's", r.store));
        }
        if !(1..=16).contains(&r.service_nodes) || (r.store == StoreKind::Sqlite && r.service_nodes != 1) {
            return bad("service_nodes must be 1 to 16 (1 on sqlite)".into());
        }
        if !(1..=5000).contains(&r.clients) || !(1..=r.clients).contains(&r.client_nodes) {
            return bad("clients must be 1 to 5000, client_nodes 1 to clients".into());
        }
        if !(1..=100).contains(&r.tenants) || r.requests_per_client > 1000 {
            return bad("tenants must be 1 to 100, requests_per_client at most 1000".into());
        }
        if r.clock_offsets_ms.len() != r.service_nodes as usize || self.policies.len() != r.clients as usize {
            return bad("one clock offset per service node and one policy per client".into());
        }
        if self.policies.contains(&RetryPolicy::Mixed) {
            return bad("a client's policy is immediate, backoff or other_node".into());
        }
        if !r.mix.iter().any(|(_, w)| *w > 0) {
            return bad("the mix needs an operation with a positive weight".into());
        }
        for (op, _) in &r.mix {
            if crate::workload::generator(op).is_none() {
                return bad(format!("unknown operation {op} in the mix"));
            }
        }
        for e in &self.events {
            if e.kind.targets_service() && e.node >= r.service_nodes {
                return bad(format!("{} names service-{} of {}", e.kind.as_str(), e.node, r.service_nodes));
            }
            let needs_db = matches!(e.kind, FaultKind::DbRestart | FaultKind::PartitionServiceDb);
            if needs_db && r.store != StoreKind::Memory {
                return bad(format!("{} needs the database node (memory)", e.kind.as_str()));
            }
            let needs_receiver = matches!(e.kind, FaultKind::ReceiverKill | FaultKind::ReceiverPartition);
            if needs_receiver && !s.background_jobs {
                return bad(format!("{} needs the webhook receiver (background_jobs)", e.kind.as_str()));
            }
            if e.at_ms >= r.fault_phase_ms.max(1) || e.hold_ms > 600_000 {
                return bad("an event happens inside the fault phase and holds at most 600 s".into());
            }
        }
        let on = |op: &str| r.mix.iter().any(|(o, w)| o == op && *w > 0);
        for p in self.requests.iter().flatten() {
            if p.client >= r.clients || p.tenant >= r.tenants {
                return bad(format!("request c{}-r{} names a client or tenant the run lacks", p.client, p.seq));
            }
            if !on(&p.op) {
                return bad(format!("request c{}-r{}: {} is not in the mix", p.client, p.seq, p.op));
            }
            if p.twin.is_some_and(|t| t.tenant >= r.tenants || t.tenant == p.tenant) {
                return bad(format!("request c{}-r{}: a twin needs another tenant", p.client, p.seq));
            }
            if p.dependent.is_some() && !(on("create_invoice") && on("record_payment")) {
                return bad(format!("request c{}-r{}: a dependent race needs invoices and payments", p.client, p.seq));
            }
        }
        if self.requests.is_some() && r.same_key {
            return bad("a same-key storm's workload is one request: it is not pinned request by request".into());
        }
        Ok(())
    }
}

impl Scenario {
    /// The scenario as a file: its own fields and, pinned, the run.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::super::Draw;
    use super::*;

    struct Counter(u64);
    impl Draw for Counter {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0
        }
    }

    fn pinned(name: &str, store: StoreKind) -> Scenario {
        let mut s = Scenario::load(name).unwrap();
        let mut run = s.resolve(&mut Counter(11), store);
        run.mix.iter_mut().filter(|(op, _)| op == "create_invoice").for_each(|(_, w)| *w = 1);
        let policies = vec![RetryPolicy::Backoff; run.clients as usize];
        let events = vec![FaultEvent { at_ms: 10, kind: FaultKind::ServiceKill, node: 0, hold_ms: 500 }];
        let request = RequestPlan {
            client: 0,
            seq: 0,
            at_ms: 0,
            tenant: 0,
            op: "create_invoice".into(),
            payload: Draws { pick: 7, variant: 3 },
            duplicate: true,
            reuse_after_ms: Some(20),
            mismatch: None,
            twin: None,
            dependent: None,
        };
        let requests = Some(vec![request]);
        s.pinned = Some(Pinned { seed: 11, planted: None, violation: None, policies, run, events, requests });
        s
    }

    fn with(mut s: Scenario, f: impl FnOnce(&mut Pinned)) -> Result<Scenario, ScenarioError> {
        f(s.pinned.as_mut().unwrap());
        Scenario::parse(&s.to_toml())
    }

    #[test]
    fn a_pinned_scenario_round_trips_through_its_file() {
        let s = pinned("mixed-chaos", StoreKind::Memory);
        let text = s.to_toml();
        let back = Scenario::parse(&text).expect("the written file parses");
        assert_eq!(back.to_toml(), text);
        // A pinned scenario answers its pinned run, whatever the draws.
        let p = back.pinned.as_ref().unwrap();
        let r = back.resolve(&mut Counter(99), StoreKind::Memory);
        assert_eq!(serde_json::to_string(&r).unwrap(), serde_json::to_string(&p.run).unwrap());
        assert_eq!(p.requests.as_ref().unwrap()[0].logical_requests(), 2);
    }

    #[test]
    fn a_pinned_run_the_scenario_cannot_run_is_refused() {
        let s = pinned("mixed-chaos", StoreKind::Memory);
        let n = s.pinned.as_ref().unwrap().run.service_nodes;
        let refused = |f: fn(&mut Pinned), what: &str| {
            let e = with(s.clone(), f).expect_err(what);
            assert!(e.0.contains("[pinned]"), "{what}: {e}");
        };
        assert!(n < 16);
        refused(|p| p.events[0].node = 16, "an event on a node the run lacks");
        refused(|p| p.events[0].at_ms = p.run.fault_phase_ms, "an event after the fault phase");
        refused(|p| p.policies.pop().map(drop).unwrap_or_default(), "a client without a policy");
        refused(|p| p.policies[0] = RetryPolicy::Mixed, "a policy still to draw");
        refused(|p| p.requests.as_mut().unwrap()[0].tenant = 100, "a request of a tenant the run lacks");
        refused(|p| p.requests.as_mut().unwrap()[0].op = "create_nothing".into(), "an operation nobody generates");
        refused(|p| p.run.clock_offsets_ms.clear(), "service nodes without clocks");
        // The embedded topology has no database node to restart.
        let sqlite = pinned("mixed-chaos", StoreKind::Sqlite);
        let e = with(sqlite, |p| p.events[0].kind = FaultKind::DbRestart).expect_err("a db restart on sqlite");
        assert!(e.0.contains("database node"), "{e}");
        // A same-key storm is one request: it is not pinned as a list.
        let mut storm = Scenario::load("concurrent-same-key-500").unwrap();
        let run = storm.resolve(&mut Counter(1), StoreKind::Memory);
        let policies = vec![RetryPolicy::Immediate; run.clients as usize];
        storm.pinned = Some(Pinned {
            seed: 1,
            planted: None,
            violation: None,
            policies,
            run,
            events: vec![],
            requests: Some(vec![]),
        });
        assert!(Scenario::parse(&storm.to_toml()).unwrap_err().0.contains("same-key"));
    }
}
