//! Scenarios as typed data: `scenarios/*.toml` deserialise into
//! `Scenario`; whatever a file leaves unspecified is drawn from the seed
//! (and printed), so a sweep explores the space around each scenario.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The scenario files, embedded so the runner works from any directory.
pub const BUILTIN: &[(&str, &str)] = &[
    ("baseline", include_str!("../../scenarios/baseline.toml")),
    ("concurrent-same-key-500", include_str!("../../scenarios/concurrent-same-key-500.toml")),
    ("service-crash-mid-write", include_str!("../../scenarios/service-crash-mid-write.toml")),
    ("db-crash-restart", include_str!("../../scenarios/db-crash-restart.toml")),
    ("partition-client-service", include_str!("../../scenarios/partition-client-service.toml")),
    ("partition-service-db", include_str!("../../scenarios/partition-service-db.toml")),
    ("ambiguous-commit", include_str!("../../scenarios/ambiguous-commit.toml")),
    ("packet-loss-latency", include_str!("../../scenarios/packet-loss-latency.toml")),
    ("retry-storm", include_str!("../../scenarios/retry-storm.toml")),
    ("mixed-chaos", include_str!("../../scenarios/mixed-chaos.toml")),
    ("key-expiry", include_str!("../../scenarios/key-expiry.toml")),
];

/// Where the simulated service keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// A database node serving the in-memory store over the simulated
    /// network to several service nodes (the replicated topology; its
    /// faults: database restarts, service↔database partitions, lost
    /// commit acknowledgements, slow replies).
    Memory,
    /// One service node running the production SQLite store in its own
    /// process on a file, as `accubooks serve` does by default (the
    /// embedded topology: killing the node kills the database connection).
    Sqlite,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::Sqlite => "sqlite",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "memory" => Ok(Self::Memory),
            "sqlite" => Ok(Self::Sqlite),
            other => Err(format!("unknown store {other:?} (memory, sqlite)")),
        }
    }
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryPolicy {
    /// Retry at once against the next node.
    Immediate,
    /// Exponential backoff with full jitter, same node.
    Backoff,
    /// On a timeout retry at once against another node; otherwise back off.
    OtherNode,
    /// Each client draws one of the above from the seed.
    Mixed,
}

/// What a seed switches for itself (swarm testing): each part a scenario
/// lists is drawn per seed, so seeds differ in kind and not only in timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwarmPart {
    /// Each operation of the mix is on with probability ½ (at least one).
    Operations,
    /// Each fault kind the file leaves open is on with probability ½ (an
    /// "on" kind happens at least once); off, it does not happen at all.
    Faults,
    /// The service's bounds: the same-key wait, same-key waiters, the
    /// database call timeout, SQLite's group-commit size.
    Knobs,
}

/// Fault schedule: how many events of each kind the fault phase holds.
/// `None` = drawn from the seed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    pub service_kills: Option<u32>,
    pub db_restarts: Option<u32>,
    pub partitions_client_service: Option<u32>,
    pub partitions_service_db: Option<u32>,
    /// Partitions cut one direction only.
    pub one_way_partitions: Option<bool>,
    pub packet_loss: Option<f64>,
    /// Network send latency range during the fault phase.
    pub latency_ms: Option<[u64; 2]>,
    /// Probability that the database commits and then drops the acknowledgement.
    pub ambiguous_commit: Option<f64>,
    /// Probability that a database reply is delayed by `slow_db_ms`.
    pub slow_db: Option<f64>,
    pub slow_db_ms: Option<[u64; 2]>,
    /// Enables the service's buggify points (stalls at dangerous places).
    pub buggify: Option<bool>,
    /// Kills (and restarts) of the webhook receiver (background jobs on).
    pub receiver_kills: Option<u32>,
    /// Partitions that cut the webhook receiver off.
    pub receiver_partitions: Option<u32>,
    /// Probability that the receiver answers a delivery 503.
    pub receiver_error_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    #[serde(default = "default_service_nodes")]
    pub service_nodes: u32,
    pub clients: u32,
    pub client_nodes: Option<u32>,
    pub requests_per_client: u32,
    #[serde(default = "default_tenants")]
    pub tenants: u32,
    /// Operation name → weight.
    pub mix: BTreeMap<String, u32>,
    /// Every client sends the same key and payload (the concurrency storm).
    #[serde(default)]
    pub same_key: bool,
    pub key_reuse_ratio: Option<f64>,
    pub mismatch_ratio: Option<f64>,
    pub duplicate_delivery_ratio: Option<f64>,
    /// After a request, the same key string sent by another tenant (a key of
    /// its own there: the deterministic id must differ).
    pub twin_tenant_ratio: Option<f64>,
    /// After a request, a payment sent racing the invoice it names (the
    /// invoice's id is the one its create's key will get), then resent
    /// with the same key once the invoice exists.
    pub dependent_ratio: Option<f64>,
    pub retry: Option<RetryPolicy>,
    pub attempt_timeout_ms: Option<u64>,
    #[serde(default = "default_attempts_max")]
    pub attempts_max: u32,
    /// How long faults are injected; then everything heals.
    pub fault_phase_ms: u64,
    /// After healing, every request must finish within this (liveness).
    #[serde(default = "default_liveness_ms")]
    pub liveness_ms: u64,
    /// Seeds `ci/test.sh` runs on every push.
    pub ci_seeds: u32,
    #[serde(default)]
    pub faults: Faults,
    /// Every service node also runs the background jobs (outbox dispatcher,
    /// key reaper) from the composition root, as `accubooks serve` does.
    #[serde(default)]
    pub background_jobs: bool,
    /// The topologies the scenario runs on (`memory` by default). A
    /// scenario whose faults need a database node of its own (database
    /// restarts, service↔database partitions, lost commit acknowledgements)
    /// has no SQLite form: there the database lives and dies with the
    /// service process.
    #[serde(default = "default_stores")]
    pub stores: Vec<StoreKind>,
    /// Keys answer replays this long (virtual ms), then the nodes' reapers
    /// expire them (high-risk keys become tombstones answering
    /// `idempotency_key_expired`, the rest are deleted); default 24 h.
    pub key_ttl_ms: Option<u64>,
    /// A key sent again (`key_reuse_ratio`) waits this long first (virtual
    /// ms, drawn from the range), so reuses land before and after the TTL.
    #[serde(default)]
    pub reuse_delay_ms: [u64; 2],
    /// With `sqlite`: WAL frames beyond which the checkpointer restarts the
    /// WAL (small, so every seed runs the restart path).
    #[serde(default = "default_sqlite_restart_frames")]
    pub sqlite_restart_frames: i64,
    /// Bound on each service node's clock offset (virtual ms, either way);
    /// each node's offset is drawn within it. None: drawn (no skew on half
    /// the seeds, up to 10 s on the rest). The embedded topology has one
    /// node and one clock: no skew there.
    pub clock_skew_ms: Option<u64>,
    /// The parts each seed draws for itself (swarm testing).
    #[serde(default)]
    pub swarm: Vec<SwarmPart>,
    /// Figures the scenario's documentation promises, checked on every seed.
    #[serde(default)]
    pub expect: Expect,
    /// A run pinned as data (see `pinned`): written by `run
    /// --write-scenario` and the shrinker, replayed by `run --scenario FILE`.
    pub pinned: Option<Pinned>,
}

/// A scenario's promises beyond the checker's properties
/// (`scenarios/chaos-scenarios.md` states each; every seed checks them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Attempts without a definitive answer (timeouts, 409, 5xx).
    pub indeterminate_max: Option<u64>,
    /// 409 answers (a same-key request still in flight past the wait bound).
    pub conflicts_max: Option<u64>,
    /// Executions (`new` audit rows) in the whole run.
    pub executions: Option<u64>,
    /// Successful replays (200, `Idempotent-Replayed: true`).
    pub replays_min: Option<u64>,
}

/// The service's bounds when the seed does not draw them (`swarm` without
/// `knobs`): the same-key wait, waiters, database call timeout, group size.
pub const INFLIGHT_WAIT_MS: u64 = 1000;
pub const SAME_KEY_WAITERS_MAX: usize = 512;
pub const DB_CALL_TIMEOUT_MS: u64 = 4000;
pub const SQLITE_GROUP_MAX: usize = 16;

fn default_service_nodes() -> u32 {
    3
}
fn default_stores() -> Vec<StoreKind> {
    vec![StoreKind::Memory]
}
fn default_sqlite_restart_frames() -> i64 {
    64
}
fn default_tenants() -> u32 {
    2
}
fn default_attempts_max() -> u32 {
    100
}
fn default_liveness_ms() -> u64 {
    120_000
}

#[derive(Debug)]
pub struct ScenarioError(pub String);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    pub fn parse(text: &str) -> Result<Self, ScenarioError> {
        let s: Self = toml::from_str(text).map_err(|e| ScenarioError(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// A built-in scenario by name, or a path to a TOML file.
    pub fn load(name_or_path: &str) -> Result<Self, ScenarioError> {
        if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return Self::parse(text);
        }
        let text = std::fs::read_to_string(name_or_path).map_err(|e| {
            let names: Vec<_> = BUILTIN.iter().map(|(n, _)| *n).collect();
            ScenarioError(format!("no scenario {name_or_path:?} ({e}); built-in: {}", names.join(", ")))
        })?;
        Self::parse(&text)
    }

    pub fn all() -> Vec<Self> {
        BUILTIN.iter().map(|(_, t)| Self::parse(t).expect("built-in scenarios parse")).collect()
    }

    pub fn supports(&self, store: StoreKind) -> bool {
        self.stores.contains(&store)
    }

    pub(crate) fn validate(&self) -> Result<(), ScenarioError> {
        let bad = |m: &str| Err(ScenarioError(format!("scenario {}: {m}", self.name)));
        if !(1..=16).contains(&self.service_nodes) {
            return bad("service_nodes must be 1 to 16");
        }
        if !(1..=5000).contains(&self.clients) || !(1..=1000).contains(&self.requests_per_client) {
            return bad("clients must be 1 to 5000 and requests_per_client 1 to 1000");
        }
        if !(1..=100).contains(&self.tenants) {
            return bad("tenants must be 1 to 100");
        }
        if self.mix.is_empty() || self.mix.values().all(|w| *w == 0) {
            return bad("mix needs at least one operation with a positive weight");
        }
        for op in self.mix.keys() {
            if crate::workload::generator(op).is_none() {
                return bad(&format!("unknown operation {op} in mix"));
            }
        }
        let ratios = [
            self.key_reuse_ratio,
            self.mismatch_ratio,
            self.duplicate_delivery_ratio,
            self.twin_tenant_ratio,
            self.dependent_ratio,
        ];
        for r in ratios.into_iter().flatten() {
            if !(0.0..=1.0).contains(&r) {
                return bad("ratios must be within 0..=1");
            }
        }
        if !(1..=1000).contains(&self.attempts_max) {
            return bad("attempts_max must be 1 to 1000");
        }
        if self.stores.is_empty() {
            return bad("stores needs at least one of memory, sqlite");
        }
        if self.key_ttl_ms.is_some_and(|t| t < 100) || self.reuse_delay_ms[0] > self.reuse_delay_ms[1] {
            return bad("key_ttl_ms must be at least 100 and reuse_delay_ms a range [lo, hi]");
        }
        if !(1..=1_000_000).contains(&self.sqlite_restart_frames) {
            return bad("sqlite_restart_frames must be 1 to 1000000");
        }
        if self.clock_skew_ms.is_some_and(|b| b > 3_600_000) {
            return bad("clock_skew_ms must be at most 3600000 (an hour)");
        }
        if self.same_key && self.swarm.contains(&SwarmPart::Operations) {
            return bad("a same-key scenario has one operation: swarm cannot draw operations");
        }
        match &self.pinned {
            Some(p) => p.validate(self),
            None => Ok(()),
        }
    }
}

/// The fault kinds a scenario can be run without (`sweep --without`).
pub const FAULT_KINDS: &[&str] = &[
    "service_kills",
    "db_restarts",
    "partitions_client_service",
    "partitions_service_db",
    "packet_loss",
    "ambiguous_commit",
    "slow_db",
    "buggify",
    "receiver_kills",
    "receiver_partitions",
    "receiver_errors",
    "clock_skew",
];

impl Scenario {
    /// The scenario with one fault kind removed: fixed at none, so no seed
    /// draws it (what a scenario change that drops a kind would do).
    pub fn without_fault(&mut self, kind: &str) -> Result<(), ScenarioError> {
        let f = &mut self.faults;
        match kind {
            "service_kills" => f.service_kills = Some(0),
            "db_restarts" => f.db_restarts = Some(0),
            "partitions_client_service" => f.partitions_client_service = Some(0),
            "partitions_service_db" => f.partitions_service_db = Some(0),
            "packet_loss" => f.packet_loss = Some(0.0),
            "ambiguous_commit" => f.ambiguous_commit = Some(0.0),
            "slow_db" => f.slow_db = Some(0.0),
            "buggify" => f.buggify = Some(false),
            "receiver_kills" => f.receiver_kills = Some(0),
            "receiver_partitions" => f.receiver_partitions = Some(0),
            "receiver_errors" => f.receiver_error_rate = Some(0.0),
            "clock_skew" => self.clock_skew_ms = Some(0),
            other => return Err(ScenarioError(format!("no fault kind {other:?} (kinds: {})", FAULT_KINDS.join(", ")))),
        }
        Ok(())
    }
}

/// A source of seeded random numbers (madsim's RNG in the simulation).
pub trait Draw {
    fn next_u64(&mut self) -> u64;

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Everything concrete a run needs: the scenario with every unspecified
/// knob drawn from the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolved {
    pub name: String,
    pub store: StoreKind,
    pub service_nodes: u32,
    pub clients: u32,
    pub client_nodes: u32,
    pub requests_per_client: u32,
    pub tenants: u32,
    pub mix: Vec<(String, u32)>,
    pub same_key: bool,
    pub key_reuse_ratio: f64,
    pub mismatch_ratio: f64,
    pub duplicate_delivery_ratio: f64,
    pub twin_tenant_ratio: f64,
    pub dependent_ratio: f64,
    pub retry: RetryPolicy,
    pub attempt_timeout_ms: u64,
    pub attempts_max: u32,
    pub fault_phase_ms: u64,
    pub liveness_ms: u64,
    pub service_kills: u32,
    pub db_restarts: u32,
    pub partitions_client_service: u32,
    pub partitions_service_db: u32,
    pub one_way_partitions: bool,
    pub packet_loss: f64,
    pub latency_ms: [u64; 2],
    pub ambiguous_commit: f64,
    pub slow_db: f64,
    pub slow_db_ms: [u64; 2],
    pub buggify: bool,
    pub receiver_kills: u32,
    pub receiver_partitions: u32,
    pub receiver_error_rate: f64,
    pub key_ttl_ms: Option<u64>,
    pub reuse_delay_ms: [u64; 2],
    pub sqlite_restart_frames: i64,
    /// Each service node's clock offset (virtual ms).
    pub clock_offsets_ms: Vec<i64>,
    pub inflight_wait_ms: u64,
    pub same_key_waiters_max: usize,
    pub db_call_timeout_ms: u64,
    pub sqlite_group_max: usize,
    pub swarm: Vec<SwarmPart>,
}

impl Scenario {
    /// The run's knobs on `store`. The embedded topology has one service
    /// node, and none of the database node's faults (the draws are made all
    /// the same, so the other knobs match the memory run of the seed).
    /// A pinned scenario makes the same draws and answers its pinned run.
    pub fn resolve(&self, d: &mut impl Draw, store: StoreKind) -> Resolved {
        let mut r = self.resolve_knobs(d);
        if let Some(p) = &self.pinned {
            return p.run.clone();
        }
        r.store = store;
        if !self.background_jobs {
            // No receiver to fault.
            (r.receiver_kills, r.receiver_partitions, r.receiver_error_rate) = (0, 0, 0.0);
        }
        if store == StoreKind::Sqlite {
            r.service_nodes = 1;
            r.db_restarts = 0;
            r.partitions_service_db = 0;
            r.ambiguous_commit = 0.0;
            r.slow_db = 0.0;
            r.clock_offsets_ms = vec![0];
        }
        r
    }

    fn resolve_knobs(&self, d: &mut impl Draw) -> Resolved {
        let f = &self.faults;
        let ratio = |d: &mut dyn FnMut() -> f64, v: Option<f64>, max: f64| v.unwrap_or_else(|| d() * max);
        let mut unit = || d.unit();
        let key_reuse_ratio = ratio(&mut unit, self.key_reuse_ratio, 0.1);
        let mismatch_ratio = ratio(&mut unit, self.mismatch_ratio, 0.05);
        let duplicate_delivery_ratio = ratio(&mut unit, self.duplicate_delivery_ratio, 0.05);
        let twin_tenant_ratio = ratio(&mut unit, self.twin_tenant_ratio, 0.1);
        let dependent_ratio = ratio(&mut unit, self.dependent_ratio, 0.1);
        let retry = self.retry.unwrap_or(match d.below(4) {
            0 => RetryPolicy::Immediate,
            1 => RetryPolicy::Backoff,
            2 => RetryPolicy::OtherNode,
            _ => RetryPolicy::Mixed,
        });
        let latency_lo = d.range(0, 2);
        Resolved {
            name: self.name.clone(),
            store: StoreKind::Memory,
            service_nodes: self.service_nodes,
            clients: self.clients,
            client_nodes: self.client_nodes.unwrap_or(self.clients.min(10)).clamp(1, self.clients),
            requests_per_client: self.requests_per_client,
            tenants: self.tenants,
            mix: self.mix.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            same_key: self.same_key,
            key_reuse_ratio,
            mismatch_ratio,
            duplicate_delivery_ratio,
            twin_tenant_ratio,
            dependent_ratio,
            retry,
            attempt_timeout_ms: self.attempt_timeout_ms.unwrap_or_else(|| d.range(500, 3000)),
            attempts_max: self.attempts_max,
            fault_phase_ms: self.fault_phase_ms,
            liveness_ms: self.liveness_ms,
            service_kills: f.service_kills.unwrap_or_else(|| d.range(0, 2) as u32),
            db_restarts: f.db_restarts.unwrap_or_else(|| d.range(0, 1) as u32),
            partitions_client_service: f.partitions_client_service.unwrap_or_else(|| d.range(0, 2) as u32),
            partitions_service_db: f.partitions_service_db.unwrap_or_else(|| d.range(0, 2) as u32),
            one_way_partitions: f.one_way_partitions.unwrap_or_else(|| d.chance(0.5)),
            packet_loss: f.packet_loss.unwrap_or_else(|| if d.chance(0.3) { d.unit() * 0.05 } else { 0.0 }),
            latency_ms: f.latency_ms.unwrap_or([latency_lo, latency_lo + d.range(1, 20)]),
            ambiguous_commit: f.ambiguous_commit.unwrap_or_else(|| if d.chance(0.3) { d.unit() * 0.1 } else { 0.0 }),
            slow_db: f.slow_db.unwrap_or_else(|| if d.chance(0.3) { d.unit() * 0.2 } else { 0.0 }),
            slow_db_ms: f.slow_db_ms.unwrap_or([50, 50 + d.range(0, 1500)]),
            buggify: f.buggify.unwrap_or_else(|| d.chance(0.5)),
            receiver_kills: f.receiver_kills.unwrap_or_else(|| d.range(0, 1) as u32),
            receiver_partitions: f.receiver_partitions.unwrap_or_else(|| d.range(0, 1) as u32),
            receiver_error_rate: f
                .receiver_error_rate
                .unwrap_or_else(|| if d.chance(0.3) { d.unit() * 0.2 } else { 0.0 }),
            key_ttl_ms: self.key_ttl_ms,
            reuse_delay_ms: self.reuse_delay_ms,
            sqlite_restart_frames: self.sqlite_restart_frames,
            clock_offsets_ms: Vec::new(),
            inflight_wait_ms: INFLIGHT_WAIT_MS,
            same_key_waiters_max: SAME_KEY_WAITERS_MAX,
            db_call_timeout_ms: DB_CALL_TIMEOUT_MS,
            sqlite_group_max: SQLITE_GROUP_MAX,
            swarm: self.swarm.clone(),
        }
        .with_draws(self, d)
    }
}

/// Swarm draws and what a seed has on (its features).
mod swarm;

/// A run pinned as data: knobs, fault events, the workload.
pub mod pinned;
pub use pinned::{Dependent, Draws, FaultEvent, FaultKind, Pinned, RequestPlan, Twin};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_scenario_parses_and_validates() {
        let all = Scenario::all();
        assert_eq!(all.len(), BUILTIN.len());
        for (s, (name, _)) in all.iter().zip(BUILTIN) {
            assert_eq!(&s.name, name, "file name and `name` agree");
            assert!(s.ci_seeds > 0);
        }
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused() {
        let base = include_str!("../../scenarios/baseline.toml");
        assert!(Scenario::parse(&format!("{base}\nbogus = 1\n")).is_err());
        let bad = base.replace("requests_per_client = ", "requests_per_client = 0 #");
        assert!(Scenario::parse(&bad).is_err());
    }

    struct Counter(u64);
    impl Draw for Counter {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0
        }
    }

    #[test]
    fn resolution_is_a_function_of_the_draws() {
        let s = Scenario::load("mixed-chaos").unwrap();
        let a = serde_json::to_string(&s.resolve(&mut Counter(7), StoreKind::Memory)).unwrap();
        let b = serde_json::to_string(&s.resolve(&mut Counter(7), StoreKind::Memory)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn the_embedded_topology_has_one_node_and_no_database_node_faults() {
        let s = Scenario::load("mixed-chaos").unwrap();
        assert!(s.supports(StoreKind::Sqlite));
        let memory = s.resolve(&mut Counter(3), StoreKind::Memory);
        let sqlite = s.resolve(&mut Counter(3), StoreKind::Sqlite);
        assert_eq!((sqlite.store, sqlite.service_nodes), (StoreKind::Sqlite, 1));
        assert_eq!((sqlite.db_restarts, sqlite.partitions_service_db), (0, 0));
        assert_eq!((sqlite.ambiguous_commit, sqlite.slow_db), (0.0, 0.0));
        // Everything else is the memory run's draw.
        assert_eq!(
            (sqlite.clients, sqlite.retry, sqlite.service_kills),
            (memory.clients, memory.retry, memory.service_kills)
        );
        for name in ["db-crash-restart", "partition-service-db", "ambiguous-commit"] {
            assert!(!Scenario::load(name).unwrap().supports(StoreKind::Sqlite), "{name} needs a database node");
        }
    }

    #[test]
    fn swarm_draws_parts_per_seed_within_the_scenarios_bounds() {
        let s = Scenario::load("mixed-chaos").unwrap();
        assert_eq!(s.swarm, [SwarmPart::Operations, SwarmPart::Faults, SwarmPart::Knobs]);
        let runs: Vec<Resolved> = (0..200).map(|i| s.resolve(&mut Counter(i), StoreKind::Memory)).collect();
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        for r in &runs {
            let ops = r.mix.iter().filter(|(_, w)| *w > 0).count();
            assert!(ops >= 1 && ops <= s.mix.len(), "{ops} operations on");
            assert!(r.clock_offsets_ms.len() == 3 && r.clock_offsets_ms.iter().all(|o| o.abs() <= 10_000));
            assert!((200..=3000).contains(&r.inflight_wait_ms) && (1..=16).contains(&r.sqlite_group_max));
            for f in r.features() {
                *seen.entry(f).or_default() += 1;
            }
        }
        // Every operation and fault kind is on in some seeds and off in others.
        for op in s.mix.keys() {
            let n = seen.get(&format!("op:{op}")).copied().unwrap_or(0);
            assert!(n > 20 && n < 180, "{op} on in {n} of 200 seeds");
        }
        for kind in ["service_kills", "db_restarts", "packet_loss", "buggify", "clock_skew", "receiver_kills"] {
            let n = seen.get(&format!("fault:{kind}")).copied().unwrap_or(0);
            assert!(n > 20 && n < 180, "{kind} on in {n} of 200 seeds");
        }
        assert!(
            seen.keys().any(|k| k == "knob:sqlite_group_max=1")
                && seen.keys().any(|k| k == "knob:same_key_waiters_max=1")
        );
        // The embedded topology has one node and one clock.
        let sqlite = s.resolve(&mut Counter(5), StoreKind::Sqlite);
        assert_eq!(sqlite.clock_offsets_ms, [0]);
    }

    #[test]
    fn a_fault_kind_removed_never_happens_in_any_seed() {
        for kind in FAULT_KINDS {
            let mut s = Scenario::load("mixed-chaos").unwrap();
            s.without_fault(kind).unwrap();
            for i in 0..100 {
                let r = s.resolve(&mut Counter(i), StoreKind::Memory);
                let name = format!("fault:{kind}");
                assert!(!r.features().contains(&name), "{kind} drawn in seed {i} after its removal");
            }
        }
        assert!(Scenario::load("baseline").unwrap().without_fault("meteor_strike").is_err());
    }

    #[test]
    fn without_swarm_the_file_decides_and_a_same_key_storm_cannot_draw_operations() {
        let s = Scenario::load("concurrent-same-key-500").unwrap();
        assert!(s.swarm.is_empty());
        for i in 0..50 {
            let r = s.resolve(&mut Counter(i), StoreKind::Memory);
            assert_eq!(r.mix, [("create_invoice".to_owned(), 1)]);
            assert_eq!((r.service_kills, r.buggify, r.same_key_waiters_max), (0, false, SAME_KEY_WAITERS_MAX));
        }
        let text = include_str!("../../scenarios/concurrent-same-key-500.toml");
        let swarmed = text.replace("same_key = true", "same_key = true\nswarm = [\"operations\"]");
        assert!(Scenario::parse(&swarmed).unwrap_err().0.contains("swarm"));
        let key_expiry = Scenario::load("key-expiry").unwrap();
        for i in 0..50 {
            let r = key_expiry.resolve(&mut Counter(i), StoreKind::Memory);
            assert!(r.clock_offsets_ms.iter().all(|o| o.abs() <= 5000));
        }
    }
}
