//! Seeded simulation tests (run with `ci/sim-test.sh`, or
//! `MADSIM_TEST_SEED=<n> ci/sim-test.sh` to rerun one seed).
#![cfg(madsim)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use accubooks_service::app::{Jobs, Service, ServiceConfig};
use accubooks_service::domain::ids::{token_from_seed, TenantId};
use accubooks_service::engine::EngineConfig;
use accubooks_service::serve::ServeConfig;
use accubooks_service::store::mem::MemStore;
use accubooks_service::store::{Admin, Tenant};
use accubooks_sim::client::post_json;
use accubooks_sim::scenario::StoreKind;
use madsim::runtime::Handle;
use trace::fnv1a;

mod trace {
    /// FNV-1a: a stable, dependency-free hash for the run's trace.
    pub fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}

const CLIENT_NODES: usize = 5;
const REQUESTS_PER_NODE: usize = 100;

/// 500 concurrent same-key requests from five client nodes to one service
/// node over simulated TCP: exactly one execution, 499 identical replays.
#[madsim::test]
async fn same_key_500_concurrent_requests_execute_once() {
    let handle = Handle::current();
    let seed = handle.seed();
    println!("seed: {seed} (rerun: MADSIM_TEST_SEED={seed} ci/sim-test.sh)");

    let store = MemStore::new(Duration::from_secs(30));
    let token = token_from_seed(u128::from(seed));
    let tenant = Tenant { id: TenantId(uuid::Uuid::from_u128(u128::from(seed) + 1)), name: "sim".into() };
    store.create_tenant(&tenant, &token.hash_hex()).await.unwrap();

    let addr: SocketAddr = "10.0.0.1:8080".parse().unwrap();
    let node_store = store.clone();
    handle
        .create_node()
        .name("service-1")
        .ip(addr.ip())
        .init(move || {
            let store = node_store.clone();
            async move {
                let config = ServiceConfig {
                    engine: EngineConfig { inflight_wait: Duration::from_secs(30), ..EngineConfig::default() },
                    serve: ServeConfig { accept_tasks: 16, ..ServeConfig::default() },
                    ..ServiceConfig::default()
                };
                let service = Service::build(Arc::new(store), config);
                let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
                service.run(listener, Jobs::none(), std::future::pending()).await;
            }
        })
        .build();
    madsim::time::sleep(Duration::from_millis(100)).await;

    let started = madsim::time::Instant::now();
    let body = serde_json::json!({"name": "Simulated Customer Ltd"});
    let mut tasks = Vec::new();
    for n in 0..CLIENT_NODES {
        let client =
            handle.create_node().name(format!("client-{n}")).ip(format!("10.0.1.{}", n + 1).parse().unwrap()).build();
        for _ in 0..REQUESTS_PER_NODE {
            let (token, body) = (token.expose().to_owned(), body.clone());
            tasks.push(client.spawn(async move {
                post_json(addr, "/v1/customers", &token, "same-key", &body, Duration::from_secs(60)).await
            }));
        }
    }
    let mut responses = Vec::new();
    for t in tasks {
        responses.push(t.await.expect("client task").expect("request"));
    }
    let virtual_ms = started.elapsed().as_millis();

    let new: Vec<_> = responses.iter().filter(|r| r.status == 201).collect();
    let replays: Vec<_> = responses.iter().filter(|r| r.status == 200 && r.replayed).collect();
    assert_eq!(new.len(), 1, "exactly one execution");
    assert_eq!(replays.len(), CLIENT_NODES * REQUESTS_PER_NODE - 1, "every other request is a replay");
    assert!(replays.iter().all(|r| r.body == new[0].body), "replay bodies are identical");
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.keys, counts.entities, counts.audit_new), (1, 1, 1));

    // The same seed gives the same run: order of completion, bodies, time.
    let mut trace = 0xcbf2_9ce4_8422_2325u64;
    for r in &responses {
        trace = fnv1a(&r.status.to_be_bytes(), trace);
        trace = fnv1a(&r.body, trace);
    }
    trace = fnv1a(&virtual_ms.to_be_bytes(), trace);
    println!("requests: {}, virtual time: {virtual_ms} ms, trace hash: {trace:016x}", responses.len());
}

/// The background jobs run on simulated nodes from the composition root:
/// with `background_jobs` on, every service node's dispatcher delivers the
/// outbox rows its writes committed (the baseline scenario has no faults,
/// so every one is delivered by the end of the run).
async fn every_committed_workflow_is_delivered(store: StoreKind) {
    let seed = Handle::current().seed();
    println!("seed: {seed} (rerun: MADSIM_TEST_SEED={seed} ci/sim-test.sh)");
    let scenario = accubooks_sim::scenario::Scenario::load("baseline").expect("built-in scenario");
    assert!(scenario.background_jobs, "the baseline scenario runs the background jobs");
    let result = accubooks_sim::world::run(&scenario, seed, store).await;
    assert!(result.passed(), "seed {seed} ({store}): {:?}", result.report);
    assert!(result.workflows_committed > 0, "seed {seed}: the mix commits workflows");
    assert_eq!(
        result.workflows_delivered, result.workflows_committed,
        "seed {seed} ({store}): every committed workflow delivered by the nodes' dispatchers"
    );
}

#[madsim::test]
async fn background_jobs_deliver_every_committed_workflow() {
    every_committed_workflow_is_delivered(StoreKind::Memory).await;
}

/// The same on the embedded topology: the production SQLite store, its
/// group commit and checkpointer, and the jobs on its writer.
#[madsim::test]
async fn background_jobs_deliver_every_committed_workflow_on_sqlite() {
    every_committed_workflow_is_delivered(StoreKind::Sqlite).await;
}

/// Runs pinned as data (`run --write-scenario`, the shrinker's files).
mod pinned;
