//! The webhook receiver the service nodes' outbox dispatchers deliver to: a
//! node of its own that records every delivery and applies each workflow's
//! effect once per `Idempotency-Key` (as a consumer must). Its record lives
//! outside the node, as a real receiver's database would, so it survives
//! the node's kills. It can be killed, partitioned, slow, or answer 503.
//! Only built with `--cfg madsim`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accubooks_service::serve::{serve, ServeConfig};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use uuid::Uuid;

use crate::checker::Received;
use crate::scenario::Draw;
use crate::world::SimDraw;

pub const RECEIVER_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 4, 0, 1)), 9000);
pub const RECEIVER_PATH: &str = "/hooks";

/// How the receiver misbehaves while the fault phase lasts.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReceiverFaults {
    /// Probability that a delivery is answered 503 (nothing recorded).
    pub error_rate: f64,
    /// Probability that an answer is delayed by `slow_ms`.
    pub slow: f64,
    pub slow_ms: [u64; 2],
}

#[derive(Default)]
struct Record {
    received: BTreeMap<Uuid, Received>,
    /// The keys each workflow's effect was applied under.
    keys: BTreeMap<Uuid, BTreeSet<String>>,
}

#[derive(Clone, Default)]
pub struct Receiver {
    record: Arc<Mutex<Record>>,
    faults: Arc<Mutex<ReceiverFaults>>,
}

impl Receiver {
    pub fn set_faults(&self, f: ReceiverFaults) {
        *self.faults.lock().unwrap_or_else(|p| p.into_inner()) = f;
    }

    /// What arrived, per workflow id.
    pub fn snapshot(&self) -> BTreeMap<Uuid, Received> {
        self.record.lock().unwrap_or_else(|p| p.into_inner()).received.clone()
    }

    /// Serves deliveries on `RECEIVER_ADDR` (the node's init).
    pub async fn run(self, listener: tokio::net::TcpListener) {
        let router = Router::new().route(RECEIVER_PATH, post(receive)).with_state(self);
        serve(listener, router, ServeConfig::default(), std::future::pending()).await;
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let faults = *r.faults.lock().unwrap_or_else(|p| p.into_inner());
    if faults.slow > 0.0 && SimDraw.chance(faults.slow) {
        tokio::time::sleep(Duration::from_millis(SimDraw.range(faults.slow_ms[0], faults.slow_ms[1]))).await;
    }
    if faults.error_rate > 0.0 && SimDraw.chance(faults.error_rate) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let id = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["id"].as_str().and_then(|s| s.parse::<Uuid>().ok()));
    let Some(id) = id else { return StatusCode::BAD_REQUEST };
    let mut record = r.record.lock().unwrap_or_else(|p| p.into_inner());
    let keys = record.keys.entry(id).or_default();
    let new_key = keys.insert(key.clone());
    let entry = record.received.entry(id).or_insert(Received { deliveries: 0, effects: 0, keyed_by_id: true });
    entry.deliveries += 1;
    entry.keyed_by_id &= key == id.to_string();
    if new_key {
        // The consumer's dedupe: one effect per Idempotency-Key.
        entry.effects += 1;
    }
    StatusCode::OK
}
