//! The background jobs' side of the store, apart from the request path's
//! `Store`/`Tx`: the outbox dispatcher's claims and outcomes, and key
//! expiry. Every store implements it (SQL on the jobs' own pool, the
//! in-memory store on its maps, the simulation over its network), so the
//! jobs run unchanged in production and under simulation.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{StoreError, StoredResponse};

/// One claimed outbox row, as a sink receives it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub tenant_id: String,
    pub workflow_name: String,
    pub trigger_entity_id: String,
    pub operation_name: String,
    pub payload: String,
    pub attempts: i32,
}

/// What one pass of key expiry did.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reaped {
    /// High-risk keys turned into tombstones.
    pub tombstoned: u64,
    /// Financial and reference keys deleted.
    pub deleted: u64,
}

#[async_trait]
pub trait JobStore: Send + Sync + 'static {
    /// Claims at most `batch` due workflows (pending and due, or delivering
    /// with an expired lease) under a lease of `lease`, oldest first, one
    /// more attempt each. Concurrent claimers never get the same row.
    async fn claim_workflows(&self, batch: u32, lease: Duration) -> Result<Vec<Delivery>, StoreError>;

    /// Marks delivered rows done (those still claimed), in one statement.
    async fn mark_delivered(&self, ids: &[String]) -> Result<(), StoreError>;

    /// A failed delivery: due again after `backoff`, or `failed` for good
    /// once it has had `attempts_max` attempts.
    async fn schedule_retry(
        &self,
        id: &str,
        backoff: Duration,
        attempts_max: i32,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Expires completed keys older than `ttl`: those of `high_risk`
    /// operations become the `tombstone` (fingerprint kept), the others are
    /// deleted. Tombstones are never touched again.
    async fn expire_keys(
        &self,
        ttl: Duration,
        high_risk: &[&str],
        tombstone: &StoredResponse,
    ) -> Result<Reaped, StoreError>;
}
