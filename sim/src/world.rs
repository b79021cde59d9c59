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
use crate::client::{post_json, send_json, ClientError, Response};
use crate::db::{serve_db, DbControl, DbFired, RemoteStore};
use crate::faults::Faults;
use crate::history::{fnv1a, Attempt, History, Intent, Outcome, Request, FNV_OFFSET};
use crate::receiver::{Receiver, RECEIVER_ADDR, RECEIVER_PATH};
use crate::scenario::{Draw, Resolved, RetryPolicy, Scenario, StoreKind};
use crate::workload::{self, classify, Answer, DestructivePools, OpGen, Payload, Refs, SetupPlan};
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
const BACKOFF_BASE_MS: u64 = 50;
/// An immediate-retry client's first pause after 5 failures in a row.
const IMMEDIATE_PAUSE_MS: u64 = 100;
const BACKOFF_CAP_MS: u64 = 2000;
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
pub async fn run(scenario: &Scenario, seed: u64, store_kind: StoreKind) -> RunResult {
    let handle = Handle::current();
    // The points this seed reaches (counted per thread: forget another's).
    let _ = accubooks_service::reach::take();
    let cfg = scenario.resolve(&mut SimDraw, store_kind);
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
            let dir = std::env::temp_dir().join(format!("accubooks-sim-{}-{}-{seed}", std::process::id(), cfg.name));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("the seed's directory");
            let url = format!("sqlite://{}/accubooks.db", dir.display());
            let options = SqliteOptions {
                restart_frames: Some(cfg.sqlite_restart_frames),
                checkpoint_interval: Some(JOBS_POLL),
                group_max: Some(cfg.sqlite_group_max),
            };
            tl.log(format!("sqlite: {url} (WAL restart past {} frames)", cfg.sqlite_restart_frames));
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
    let (clients, client_nodes) =
        spawn_clients(&handle, &cfg, tenants.clone(), history.clone(), tl.start, healed.clone());
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
    faults.run(&cfg).await;
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

fn answer(result: &Result<Response, ClientError>) -> Outcome {
    let reason;
    classify(match result {
        Ok(r) => Answer::Http { status: r.status, replayed: r.replayed, body: &r.body },
        Err(ClientError::Timeout) => Answer::None("timeout"),
        Err(e) => {
            reason = e.to_string();
            Answer::None(&reason)
        }
    })
}

/// A request for `op` with a drawn reference pick.
fn draw_request(op: &OpGen, refs: &Refs, variant: u64) -> Payload {
    (op.build)(refs, SimDraw.below(DRAWS_MAX), variant)
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

/// The clients' tasks, and the nodes they run on.
fn spawn_clients(
    handle: &Handle,
    cfg: &Resolved,
    tenants: Arc<Vec<TenantCtx>>,
    history: History,
    start: Instant,
    healed: Arc<AtomicBool>,
) -> (Vec<madsim::task::JoinHandle<()>>, Vec<NodeId>) {
    let nodes: Vec<NodeHandle> = (0..cfg.client_nodes)
        .map(|n| {
            let ip = IpAddr::V4(Ipv4Addr::new(10, 3, (n / 250) as u8, (n % 250) as u8 + 1));
            handle.create_node().name(format!("client-{n}")).ip(ip).build()
        })
        .collect();
    // The storm request is drawn once: every client sends exactly it.
    let storm = cfg.same_key.then(|| {
        let op = cfg.mix.iter().find(|(_, w)| *w > 0).map(|(o, _)| op_gen(o)).expect("validated mix");
        (op, draw_request(op, &tenants[0].refs, 0))
    });
    let mut joins = Vec::new();
    for c in 0..cfg.clients {
        let policy = match cfg.retry {
            RetryPolicy::Mixed => {
                [RetryPolicy::Immediate, RetryPolicy::Backoff, RetryPolicy::OtherNode][SimDraw.below(3) as usize]
            }
            p => p,
        };
        let client = Client {
            id: c,
            healed: healed.clone(),
            cfg: cfg.clone(),
            policy,
            tenants: tenants.clone(),
            history: history.clone(),
            start,
            storm: storm.clone(),
        };
        joins.push(nodes[(c % cfg.client_nodes) as usize].spawn(async move { client.run().await }));
    }
    (joins, nodes.iter().map(NodeHandle::id).collect())
}

struct Client {
    id: u32,
    healed: Arc<AtomicBool>,
    cfg: Resolved,
    policy: RetryPolicy,
    tenants: Arc<Vec<TenantCtx>>,
    history: History,
    start: Instant,
    storm: Option<(&'static OpGen, Payload)>,
}

fn op_gen(op: &str) -> &'static OpGen {
    workload::generator(op).expect("the scenario's mix names generated operations")
}

impl Client {
    async fn run(self) {
        let n = self.cfg.service_nodes;
        let total: u32 = self.cfg.mix.iter().map(|(_, w)| w).sum();
        // Think time spreads each client's requests over the fault phase, so
        // faults land on traffic rather than on an idle system.
        let think_ms = 2 * self.cfg.fault_phase_ms / u64::from(self.cfg.requests_per_client);
        for r in 0..self.cfg.requests_per_client {
            if self.storm.is_none() && think_ms > 0 {
                sleep(Duration::from_millis(SimDraw.below(think_ms + 1))).await;
            }
            let tenant_ix = if self.storm.is_some() { 0 } else { SimDraw.below(u64::from(self.cfg.tenants)) as usize };
            let tenant = &self.tenants[tenant_ix];
            let (op, req, key) = match &self.storm {
                Some((op, req)) => (*op, req.clone(), format!("storm-{r}")),
                None => {
                    let mut pick = SimDraw.below(u64::from(total)) as u32;
                    let op = self
                        .cfg
                        .mix
                        .iter()
                        .find(|(_, w)| {
                            if pick < *w {
                                true
                            } else {
                                pick -= w;
                                false
                            }
                        })
                        .map(|(o, _)| op_gen(o))
                        .expect("weights sum to total");
                    let variant = SimDraw.below(DRAWS_MAX);
                    let req = draw_request(op, &tenant.refs, variant);
                    (op, req, format!("c{}-r{r}", self.id))
                }
            };
            let home = (self.id + r) % n;
            let done = self.logical(tenant, op, &req, &key, Intent::Normal, home).await;
            if !done || self.storm.is_some() {
                continue;
            }
            if SimDraw.chance(self.cfg.key_reuse_ratio) {
                let [lo, hi] = self.cfg.reuse_delay_ms;
                if hi > 0 {
                    sleep(Duration::from_millis(SimDraw.range(lo, hi))).await;
                }
                self.logical(tenant, op, &req, &key, Intent::Reuse, (home + 1) % n).await;
            }
            if SimDraw.chance(self.cfg.mismatch_ratio) {
                let variant = DRAWS_MAX + SimDraw.below(DRAWS_MAX);
                let other = draw_request(op, &tenant.refs, variant);
                if other != req {
                    self.logical(tenant, op, &other, &key, Intent::Mismatch, home).await;
                }
            }
            // The same key string in another tenant: a key of its own there,
            // whose deterministic id must not be this one's.
            if self.cfg.tenants > 1 && SimDraw.chance(self.cfg.twin_tenant_ratio) {
                let others = u64::from(self.cfg.tenants - 1);
                let twin_ix = (tenant_ix + 1 + SimDraw.below(others) as usize) % self.cfg.tenants as usize;
                let twin = &self.tenants[twin_ix];
                let twin_req = draw_request(op, &twin.refs, SimDraw.below(DRAWS_MAX));
                self.logical(twin, op, &twin_req, &key, Intent::Normal, (home + 1) % n).await;
            }
            if SimDraw.chance(self.cfg.dependent_ratio) {
                self.dependent(tenant, r, home).await;
            }
        }
    }

    /// A payment racing the invoice it names: the invoice's id is the one
    /// its create's key will get, so the payment may arrive first and meet
    /// a 404 — a refusal that depends on state, never stored — and its
    /// resend with the same key, once the invoice exists, must execute
    /// (or replay, if the payment won the race after all).
    async fn dependent(&self, tenant: &TenantCtx, r: u32, home: u32) {
        let in_mix = |name: &str| self.cfg.mix.iter().any(|(o, w)| o == name && *w > 0);
        if !in_mix("create_invoice") || !in_mix("record_payment") {
            return;
        }
        let (invoice_op, payment_op) = (op_gen("create_invoice"), op_gen("record_payment"));
        let (parent_key, child_key) = (format!("c{}-r{r}-parent", self.id), format!("c{}-r{r}-child", self.id));
        let invoice = draw_request(invoice_op, &tenant.refs, SimDraw.below(DRAWS_MAX));
        let invoice_id = crate::oracle::entity_id(tenant.id.0, invoice_op.name(), &parent_key);
        let mut payment = draw_request(payment_op, &tenant.refs, SimDraw.below(DRAWS_MAX));
        payment.body["invoice_id"] = Value::String(invoice_id.to_string());
        payment.body["amount_cents"] = Value::from(1);
        let n = self.cfg.service_nodes;
        let head_start = Duration::from_millis(SimDraw.below(50));
        let child = self.logical(tenant, payment_op, &payment, &child_key, Intent::Normal, home);
        let parent = async {
            sleep(head_start).await;
            self.logical(tenant, invoice_op, &invoice, &parent_key, Intent::Normal, (home + 1) % n).await
        };
        let (child_done, parent_done) = tokio::join!(child, parent);
        if child_done && parent_done {
            self.logical(tenant, payment_op, &payment, &child_key, Intent::Reuse, home).await;
        }
    }

    /// Sends one logical request until it gets a definitive answer.
    /// Returns false if it gave up (a liveness failure the checker reports).
    async fn logical(
        &self,
        tenant: &TenantCtx,
        op: &OpGen,
        req: &Payload,
        key: &str,
        intent: Intent,
        home: u32,
    ) -> bool {
        let n = self.cfg.service_nodes;
        let method = op.method();
        let (method, path, body) = (method.as_str(), req.path.as_str(), &req.body);
        let op = op.name();
        let id = self.history.invoke(Request {
            id: 0,
            client: self.id,
            tenant: tenant.id.0,
            operation: op.to_owned(),
            key: key.to_owned(),
            // What the key record must store for this payload, derived from
            // the specification (the checker compares the two).
            fingerprint: req.fingerprint(op),
            intent,
        });
        let timeout = Duration::from_millis(self.cfg.attempt_timeout_ms);
        let mut node = home;
        let mut failures_in_row = 0u32;
        // Retries are unbounded while faults are active (a client cannot tell a
        // long partition from a dead service) and bounded once everything has
        // healed: that bound is the liveness property. A hard cap keeps a
        // runaway client from growing the history without end.
        let mut after_heal = 0u32;
        let hard_cap = self.cfg.attempts_max.saturating_mul(20);
        for attempt in 1..=hard_cap {
            if self.healed.load(Ordering::Relaxed) {
                after_heal += 1;
                if after_heal > self.cfg.attempts_max {
                    break;
                }
            }
            let addr = service_addr(node);
            let outcome = if attempt == 1 && SimDraw.chance(self.cfg.duplicate_delivery_ratio) {
                // Duplicate delivery: the same request reaches two nodes at once.
                let other = service_addr((node + 1) % n);
                let (a, b) = tokio::join!(
                    send_json(addr, method, path, &tenant.token, key, body, timeout),
                    send_json(other, method, path, &tenant.token, key, body, timeout)
                );
                let dup = answer(&b);
                self.record(id, attempt, (node + 1) % n, dup);
                answer(&a)
            } else {
                answer(&send_json(addr, method, path, &tenant.token, key, body, timeout).await)
            };
            let definitive = outcome.is_definitive();
            let timed_out = matches!(&outcome, Outcome::Info { reason } if reason == "timeout");
            self.record(id, attempt, node, outcome);
            if definitive {
                return true;
            }
            failures_in_row += 1;
            match self.policy {
                RetryPolicy::Immediate => {
                    node = (node + 1) % n;
                    // Immediate, but not a zero-time spin when every node
                    // refuses: after every 5 failures in a row a pause, 100 ms
                    // doubling to 1.6 s (a restarted node may take seconds to
                    // listen again; 100 attempts must span that, not 2 s).
                    if failures_in_row.is_multiple_of(5) {
                        let pause = IMMEDIATE_PAUSE_MS << (failures_in_row / 5 - 1).min(4);
                        sleep(Duration::from_millis(pause)).await;
                    }
                }
                RetryPolicy::OtherNode if timed_out => {
                    node = (node + 1 + SimDraw.below(u64::from(n.max(2) - 1)) as u32) % n
                }
                _ => {
                    let cap = (BACKOFF_BASE_MS << failures_in_row.min(10)).min(BACKOFF_CAP_MS);
                    sleep(Duration::from_millis(SimDraw.below(cap + 1))).await;
                }
            }
        }
        self.history.abandon(id);
        false
    }

    fn record(&self, request: u64, attempt: u32, node: u32, outcome: Outcome) {
        let at_ms = self.start.elapsed().as_millis() as u64;
        self.history.complete(Attempt { request, attempt, node, outcome, at_ms });
    }
}
