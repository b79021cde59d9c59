//! The simulated world: service nodes running the real Router, engine and
//! accept loop, built by the composition root; the data either on a
//! database node serving the in-memory store (`memory`: several service
//! nodes share it over the network) or in the production SQLite store on a
//! file, opened by the one service node itself (`sqlite`: as `accubooks
//! serve` runs by default); client nodes that retry; a fault scheduler
//! driven by the seed; then healing, a liveness phase and the checker. Only
//! built with `--cfg madsim`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accubooks_service::app::{Jobs, JobsConfig, Service, ServiceConfig};
use accubooks_service::domain::ids::{token_from_seed, TenantId};
use accubooks_service::domain::time::Clock;
use accubooks_service::engine::EngineConfig;
use accubooks_service::jobs::outbox::{DispatchConfig, WebhookSink};
use accubooks_service::serve::ServeConfig;
use accubooks_service::store::mem::MemStore;
use accubooks_service::store::sql::SqliteOptions;
use accubooks_service::store::Tenant;
use madsim::net::NetSim;
use madsim::rand::Rng;
use madsim::runtime::{Handle, NodeHandle};
use madsim::task::NodeId;
use madsim::time::{sleep, Instant};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::checker::{check_with, claim_violations, CheckOptions, CheckReport, FinalState};

mod backend;
mod client;
use crate::client::post_json;
use crate::db::{serve_db, DbControl, DbFired, RemoteStore};
use crate::faults::Faults;
use crate::history::{fnv1a, History, FNV_OFFSET};
use crate::receiver::{Receiver, RECEIVER_ADDR, RECEIVER_PATH};
use crate::scenario::{Draw, FaultEvent, RequestPlan, Resolved, RetryPolicy, Scenario, StoreKind};
use crate::workload::{self, DestructivePools, OpGen, Refs, SetupPlan};
use backend::{committed_workflows, open_sqlite, sqlite_state, Backend};

/// madsim's seeded RNG as a `Draw`.
pub struct SimDraw;

impl Draw for SimDraw {
    fn next_u64(&mut self) -> u64 {
        madsim::rand::thread_rng().gen()
    }
}

/// Bounds of the simulated deployment.
const DB_IDLE_TX: Duration = Duration::from_millis(5000);
/// Reference data per tenant (see `SetupPlan`).
const SEED_CUSTOMERS: usize = 4;
/// Background jobs' polling interval, and how long the world waits after
/// the clients for the dispatchers' last round.
const JOBS_POLL: Duration = Duration::from_millis(200);
/// After healing, how long the dispatchers may take to get every committed
/// workflow to the receiver (leases of killed nodes expire, failed
/// deliveries come due again) before the checker calls one undelivered.
const DELIVERY_SETTLE_MAX: Duration = Duration::from_secs(60);
const SEED_INVOICES: usize = 8;
const SEED_SMALL_INVOICES: usize = 2;
/// Picks and variants are drawn below this (see `workload::gen::Build`).
const DRAWS_MAX: u64 = 1_000_000;

#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub seed: u64,
    pub scenario: Resolved,
    pub report: CheckReport,
    pub trace_hash: String,
    pub timeline: Vec<String>,
    pub faults: BTreeMap<String, u64>,
    pub virtual_ms: u64,
    pub messages: u64,
    /// Committed outbox rows the receiver got from the nodes' dispatchers
    /// (background jobs on).
    pub workflows_delivered: u64,
    pub workflows_committed: u64,
    /// Reachability points the run hit, and how often (`coverage`).
    pub reached: BTreeMap<String, u64>,
    /// A failing run's story of its violating keys (`explain`); empty if it passed.
    pub explain: String,
    /// The fault events as injected, with their hold times.
    pub schedule: Vec<FaultEvent>,
    /// Each client's retry policy.
    pub policies: Vec<RetryPolicy>,
    /// Every request the clients sent (not a same-key storm's), in client order.
    pub workload: Vec<RequestPlan>,
}

impl RunResult {
    pub fn passed(&self) -> bool {
        self.report.ok()
    }
}

pub(crate) struct Timeline {
    pub(crate) start: Instant,
    lines: Mutex<Vec<String>>,
    faults: Mutex<BTreeMap<String, u64>>,
}

impl Timeline {
    pub(crate) fn log(&self, what: impl Into<String>) {
        let ms = self.start.elapsed().as_millis();
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).push(format!("[{ms:>7} ms] {}", what.into()));
    }

    pub(crate) fn fault(&self, kind: &str, what: impl Into<String>) {
        *self.faults.lock().unwrap_or_else(|p| p.into_inner()).entry(kind.to_owned()).or_default() += 1;
        self.log(what);
    }
}

fn service_addr(i: u32) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, i as u8 + 1)), 8080)
}

const DB_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 1, 0, 1)), 5432);

struct TenantCtx {
    id: TenantId,
    token: String,
    refs: Refs,
}

/// Runs one seed of `scenario` on `store` inside the current madsim runtime.
/// A pinned scenario runs on its pinned store.
pub async fn run(scenario: &Scenario, seed: u64, store_kind: StoreKind) -> RunResult {
    let handle = Handle::current();
    // The points this seed reaches (counted per thread: forget another's).
    let _ = accubooks_service::reach::take();
    let cfg = scenario.resolve(&mut SimDraw, store_kind);
    let store_kind = cfg.store;
    let tl = Arc::new(Timeline {
        start: Instant::now(),
        lines: Mutex::new(Vec::new()),
        faults: Mutex::new(BTreeMap::new()),
    });
    tl.log(format!("scenario {} seed {seed}", cfg.name));

    let backend = match store_kind {
        StoreKind::Memory => {
            // The database node. Its committed state lives out here, so it survives restarts.
            let store = MemStore::new(Duration::from_millis(cfg.inflight_wait_ms));
            let control = DbControl::default();
            let db = {
                let (store, control) = (store.clone(), control.clone());
                handle
                    .create_node()
                    .name("db")
                    .ip(DB_ADDR.ip())
                    .init(move || {
                        let (store, control) = (store.clone(), control.clone());
                        async move {
                            let listener = bind(DB_ADDR).await;
                            let rand = Arc::new(|| madsim::rand::thread_rng().gen::<f64>());
                            serve_db(listener, store, control, rand, DB_IDLE_TX).await;
                        }
                    })
                    .build()
            };
            Backend::Memory { store, control, db }
        }
        StoreKind::Sqlite => {
            // A directory of the run's own: runs of one seed may run side by side (the shrinker's).
            static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = RUNS.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("accubooks-sim-{}-{n}-{}-{seed}", std::process::id(), cfg.name));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("the seed's directory");
            let url = format!("sqlite://{}/accubooks.db", dir.display());
            let options = SqliteOptions {
                restart_frames: Some(cfg.sqlite_restart_frames),
                checkpoint_interval: Some(JOBS_POLL),
                group_max: Some(cfg.sqlite_group_max),
            };
            tl.log(format!(
                "sqlite: a database file of its own (WAL restart past {} frames)",
                cfg.sqlite_restart_frames
            ));
            Backend::Sqlite { url, dir, options }
        }
    };

    let mut tenants = Vec::new();
    {
        let admin = backend.admin().await;
        for t in 0..cfg.tenants {
            let token = token_from_seed(u128::from(seed) << 16 | u128::from(t));
            let id = TenantId(Uuid::from_u128(u128::from(seed) << 16 | u128::from(t) | 1 << 100));
            admin.create_tenant(&Tenant { id, name: format!("tenant-{t}") }, &token.hash_hex()).await.expect("tenant");
            tenants.push(TenantCtx { id, token: token.expose().to_owned(), refs: Refs::default() });
        }
    }

    let jobs = scenario.background_jobs;
    let key_ttl = Duration::from_millis(cfg.key_ttl_ms.unwrap_or(24 * 3600 * 1000));
    // The webhook receiver the dispatchers deliver to (with the jobs only).
    let receiver = jobs.then(Receiver::default);
    let receiver_node = receiver.as_ref().map(|r| {
        let r = r.clone();
        handle
            .create_node()
            .name("receiver")
            .ip(RECEIVER_ADDR.ip())
            .init(move || {
                let r = r.clone();
                async move { r.run(bind(RECEIVER_ADDR).await).await }
            })
            .build()
    });
    let services: Vec<NodeHandle> = match &backend {
        Backend::Memory { .. } => (0..cfg.service_nodes)
            .map(|i| {
                let call_timeout = Duration::from_millis(cfg.db_call_timeout_ms);
                service_node(&handle, i, service_config(&cfg, i), call_timeout, jobs, key_ttl)
            })
            .collect(),
        Backend::Sqlite { url, options, .. } => {
            vec![sqlite_service_node(&handle, url.clone(), *options, service_config(&cfg, 0), jobs, key_ttl)]
        }
    };
    sleep(Duration::from_millis(20)).await;

    // Reference data, before any fault.
    let setup = handle.create_node().name("setup").ip(IpAddr::V4(Ipv4Addr::new(10, 2, 0, 1))).build();
    // Every node of the run, stopped at its end (see `stop_nodes`).
    let mut nodes: Vec<NodeId> = services.iter().chain(receiver_node.iter()).map(NodeHandle::id).collect();
    nodes.push(setup.id());
    if let Backend::Memory { db, .. } = &backend {
        nodes.push(db.id());
    }
    let mix: Vec<String> = cfg.mix.iter().filter(|(_, w)| *w > 0).map(|(o, _)| o.clone()).collect();
    let tenants = setup.spawn(create_reference_data(tenants, mix)).await.expect("setup");
    let tenants = Arc::new(tenants);
    tl.log(format!("reference data ready: {} tenants", tenants.len()));

    if cfg.buggify {
        madsim::buggify::enable();
    }
    let history = History::new();
    let healed = Arc::new(AtomicBool::new(false));
    let shared = client::Shared {
        cfg: cfg.clone(),
        tenants: tenants.clone(),
        history: history.clone(),
        start: tl.start,
        healed: healed.clone(),
    };
    let pinned = scenario.pinned.as_ref();
    let (clients, client_nodes, workload) =
        client::spawn_clients(&handle, shared, pinned.map(|p| (p.policies.as_slice(), p.requests.as_deref())));
    nodes.extend(client_nodes);

    let (db, control) = match &backend {
        Backend::Memory { db, control, .. } => (Some(db.clone()), control.clone()),
        Backend::Sqlite { .. } => (None, DbControl::default()),
    };
    let faults = Faults {
        handle: handle.clone(),
        tl: tl.clone(),
        db,
        services: services.clone(),
        control: control.clone(),
        receiver: receiver.clone().zip(receiver_node),
    };
    let schedule = faults.run(&cfg, pinned.map(|p| p.events.as_slice())).await;
    tl.log("healed: faults off, every node up, links restored");
    healed.store(true, Ordering::Relaxed);
    madsim::buggify::disable();

    let deadline = Duration::from_millis(cfg.liveness_ms);
    let mut unfinished = 0;
    let liveness = async {
        for c in clients {
            let _ = c.await;
        }
    };
    if tokio::time::timeout(deadline, liveness).await.is_err() {
        unfinished = 1;
        tl.log("liveness phase timed out");
    }
    tl.log("all clients finished");

    let mut data = history.snapshot();
    if unfinished > 0 {
        // Every request without a definitive answer by now is a liveness failure.
        let done: BTreeSet<u64> =
            data.attempts.iter().filter(|a| a.outcome.is_definitive()).map(|a| a.request).collect();
        let open: Vec<u64> = data.requests.iter().map(|q| q.id).filter(|id| !done.contains(id)).collect();
        data.abandoned.extend(open);
    }
    if jobs {
        // Every committed workflow must reach the receiver now that
        // everything has healed: wait for the dispatchers, within a bound.
        let waited = Instant::now();
        loop {
            let committed = committed_workflows(&backend);
            let got = receiver.as_ref().map(Receiver::snapshot).unwrap_or_default();
            if committed.iter().all(|id| got.contains_key(id)) || waited.elapsed() >= DELIVERY_SETTLE_MAX {
                break;
            }
            sleep(JOBS_POLL).await;
        }
        tl.log(format!("deliveries settled after {} ms", waited.elapsed().as_millis()));
    }
    let mut state = match &backend {
        Backend::Memory { store, .. } => FinalState::from(store.snapshot()),
        Backend::Sqlite { url, options, .. } => sqlite_state(url, *options).await,
    };
    state.received = receiver.as_ref().map(Receiver::snapshot);
    let workflows_committed = state.workflows.len() as u64;
    // Delivered: committed workflows the receiver got (the dispatchers may
    // not have marked the last round done yet; the receiver is the truth).
    let workflows_delivered = state
        .received
        .as_ref()
        .map_or(0, |got| state.workflows.iter().filter(|w| got.contains_key(&w.id)).count() as u64);
    let mut report = check_with(&data, &state, &CheckOptions { keys_expire: cfg.key_ttl_ms.is_some() });
    let claims = claim_violations(&scenario.expect, &report.stats);
    report.violations.extend(claims);

    let fired: DbFired = control.fired();
    let mut faults_by_type = tl.faults.lock().unwrap_or_else(|p| p.into_inner()).clone();
    faults_by_type.insert("ambiguous_commit".into(), fired.ambiguous_commits);
    faults_by_type.insert("slow_db_reply".into(), fired.slow_replies);
    faults_by_type.insert("db_idle_tx_abort".into(), fired.idle_aborts);
    let virtual_ms = tl.start.elapsed().as_millis() as u64;
    let messages = NetSim::current().stat().msg_count;

    let mut h = fnv1a(&serde_json::to_vec(&data).expect("history serialises"), FNV_OFFSET);
    h = fnv1a(&state.hash().to_be_bytes(), h);
    h = fnv1a(&virtual_ms.to_be_bytes(), h);
    h = fnv1a(&messages.to_be_bytes(), h);
    let timeline = tl.lines.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let explain = if report.violations.is_empty() {
        String::new()
    } else {
        crate::explain::story(&data, &state, &report.violations, &timeline)
    };
    stop_nodes(&handle, &nodes).await;
    let mut reached: BTreeMap<String, u64> =
        accubooks_service::reach::take().into_iter().map(|(k, n)| (k.to_owned(), n)).collect();
    reached.extend(crate::coverage::harness_hits(&report.stats, &faults_by_type));
    if let Backend::Sqlite { dir, .. } = &backend {
        let _ = std::fs::remove_dir_all(dir);
    }
    RunResult {
        seed,
        scenario: cfg,
        report,
        trace_hash: format!("{h:016x}"),
        timeline,
        faults: faults_by_type,
        virtual_ms,
        messages,
        workflows_delivered,
        workflows_committed,
        reached,
        explain,
        schedule,
        policies: workload.policies.clone(),
        workload: workload.requests(),
    }
}

fn service_node(
    handle: &Handle,
    i: u32,
    config: ServiceConfig,
    call_timeout: Duration,
    jobs: bool,
    key_ttl: Duration,
) -> NodeHandle {
    handle
        .create_node()
        .name(format!("service-{i}"))
        .ip(service_addr(i).ip())
        .init(move || async move {
            let store = Arc::new(RemoteStore::new(DB_ADDR, call_timeout));
            let service = Service::build(store.clone(), config);
            let jobs = if jobs { Jobs::start(store, jobs_config(key_ttl)) } else { Jobs::none() };
            let listener = bind(service_addr(i)).await;
            service.run(listener, jobs, std::future::pending()).await;
        })
        .build()
}

/// The embedded topology's one service node: it opens the SQLite file
/// through the composition root, as `accubooks serve` does; killed, its
/// connections die with it, and the restarted node opens the file again.
fn sqlite_service_node(
    handle: &Handle,
    url: String,
    options: SqliteOptions,
    config: ServiceConfig,
    jobs: bool,
    key_ttl: Duration,
) -> NodeHandle {
    handle
        .create_node()
        .name("service-0")
        .ip(service_addr(0).ip())
        .init(move || {
            let url = url.clone();
            async move {
                let db = open_sqlite(&url, options).await;
                let service = Service::build(db.store(), config);
                let jobs = if jobs { Jobs::start(db.jobs_store(), jobs_config(key_ttl)) } else { Jobs::none() };
                let listener = bind(service_addr(0)).await;
                service.run(listener, jobs, std::future::pending()).await;
            }
        })
        .build()
}

/// Service node `i`'s configuration: production defaults except the
/// same-key wait (shorter, so conflicts happen within a run), the seed's
/// bounds and the node's clock offset, and more accept tasks (each accept
/// costs virtual time).
fn service_config(cfg: &Resolved, i: u32) -> ServiceConfig {
    let offset_ms = cfg.clock_offsets_ms.get(i as usize).copied().unwrap_or(0);
    ServiceConfig {
        engine: EngineConfig {
            inflight_wait: Duration::from_millis(cfg.inflight_wait_ms),
            same_key_waiters_max: cfg.same_key_waiters_max,
            clock: Clock { offset_ms },
            ..EngineConfig::default()
        },
        serve: ServeConfig { accept_tasks: 16, ..ServeConfig::default() },
        ..ServiceConfig::default()
    }
}

/// The background jobs of a simulated node, when the scenario runs them:
/// the outbox dispatcher (delivering to the receiver node) and the key
/// reaper, as `serve` runs them, polling faster and with shorter bounds so
/// a run's seconds see many rounds, retries and expired leases.
fn jobs_config(key_ttl: Duration) -> JobsConfig {
    let mut sink = WebhookSink::new(&format!("http://{RECEIVER_ADDR}{RECEIVER_PATH}")).expect("the receiver's URL");
    sink.timeout = Duration::from_millis(1000);
    sink.retries_max = 1;
    sink.backoff = Duration::from_millis(100);
    JobsConfig {
        dispatcher: Some((
            Arc::new(sink),
            DispatchConfig {
                idle_poll: JOBS_POLL,
                lease: Duration::from_secs(5),
                retry_backoff: Duration::from_millis(200),
                ..DispatchConfig::default()
            },
        )),
        key_ttl: Some(key_ttl),
        reap_every: JOBS_POLL,
    }
}

/// Binds, retrying while the killed incarnation's socket is still being
/// torn down (as a restarted server would).
async fn bind(addr: SocketAddr) -> tokio::net::TcpListener {
    for _ in 0..200 {
        if let Ok(l) = tokio::net::TcpListener::bind(addr).await {
            return l;
        }
        sleep(Duration::from_millis(10)).await;
    }
    panic!("could not bind {addr} within 2 s");
}

/// Creates, per tenant, the reference data the scenario's operations need
/// (and nothing more: setup requests cost simulated and wall time).
async fn create_reference_data(mut tenants: Vec<TenantCtx>, mix: Vec<String>) -> Vec<TenantCtx> {
    let node = service_addr(0);
    let ops: Vec<&OpGen> = mix.iter().filter_map(|op| workload::generator(op)).collect();
    for (t, tenant) in tenants.iter_mut().enumerate() {
        // Keys of each tenant's own (the workload shares key strings across
        // tenants on purpose; setup must succeed whatever the service does
        // with them, so the checker, not a failed setup, judges it).
        let plan = SetupPlan {
            tag: format!("sim-t{t}"),
            customers: SEED_CUSTOMERS,
            invoices: SEED_INVOICES,
            small_invoices: SEED_SMALL_INVOICES,
            destructive: DestructivePools::Shared,
        };
        let tok = tenant.token.clone();
        for pool in plan.pools(&workload::needs(&ops)) {
            let mut ids = Vec::new();
            for r in plan.requests(pool, &tenant.refs) {
                ids.push(must(node, r.path, &tok, &r.key, &r.body).await);
            }
            plan.fill(&mut tenant.refs, pool, ids);
        }
    }
    tenants
}

async fn must(node: SocketAddr, path: &str, token: &str, key: &str, body: &Value) -> Uuid {
    for _ in 0..100 {
        if let Ok(r) = post_json(node, path, token, key, body, Duration::from_secs(10)).await {
            if r.status == 201 || r.status == 200 {
                return workload::entity_id(&r.body).expect("a created entity has an id");
            }
        }
        sleep(Duration::from_millis(100)).await;
    }
    panic!("reference data could not be created at {path}");
}

/// Kills every node once the run is measured, and lets the executor drop
/// their tasks. A task still waiting when the runtime goes (a server's
/// accept loop, a job's poll) can hold the only wakers of its own store's
/// waiters: never polled again, it would keep the run's whole state alive
/// (about 4 MB a seed, enough to exhaust memory over a long sweep).
async fn stop_nodes(handle: &Handle, nodes: &[NodeId]) {
    for id in nodes {
        handle.kill(*id);
    }
    sleep(Duration::from_millis(1)).await;
}
