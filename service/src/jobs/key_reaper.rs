//! Idempotency-key expiry, on the store's jobs side (`store::JobStore`), in
//! production and under simulation alike.
//!
//! Keys answer replays for a TTL (default 24 h). After it:
//! - **high-risk operations** keep a tombstone: the stored response is
//!   replaced by a definitive 422 `idempotency_key_expired`, the fingerprint
//!   stays, so the same request is answered 422 (never re-executed, even for
//!   operations that only update rows) and another payload is a mismatch;
//! - **financial and reference operations** lose their key record. A reuse
//!   is evaluated afresh, but the operation's entity id is derived from the
//!   key and already taken, so it is answered 422 `idempotency_key_expired`
//!   (or by a business rule that refuses it first) and never executes twice.

use std::sync::Arc;
use std::time::Duration;

use crate::engine::Responses;
use crate::http::problem::Problems;
use crate::ops::HIGH_RISK_MUTATIONS;
use crate::planted::{self, Bug};
#[cfg(not(madsim))]
use crate::store::sql::{Database, SqlLimits};
use crate::store::{JobStore, StoreError};

pub const KEY_TTL_DEFAULT: Duration = Duration::from_secs(24 * 3600);

pub use crate::store::Reaped;

pub struct Reaper {
    jobs: Arc<dyn JobStore>,
    ttl: Duration,
}

impl Reaper {
    /// The reaper over a store's jobs side.
    pub fn new(jobs: Arc<dyn JobStore>, ttl: Duration) -> Self {
        Self { jobs, ttl }
    }

    /// Opens (and migrates) the database named by `url`, for a one-off command.
    #[cfg(not(madsim))]
    pub async fn open(url: &str, ttl: Duration) -> Result<Self, String> {
        let db = Database::open(url, SqlLimits::default()).await.map_err(|e| e.to_string())?;
        Ok(Self::new(db.jobs_store(), ttl))
    }

    /// One pass: tombstone expired high-risk keys, delete the other expired ones.
    pub async fn reap(&self) -> Result<Reaped, StoreError> {
        let mut high_risk: Vec<&str> = HIGH_RISK_MUTATIONS.iter().map(|op| op.name).collect();
        if planted::on(Bug::ReaperDelete) {
            // PLANTED BUG (`reaper-delete`): high-risk keys are deleted like
            // the others instead of kept as tombstones.
            high_risk.clear();
        }
        // PLANTED BUG (`reaper-ignores-ttl`): keys expire as they complete.
        let ttl = if planted::on(Bug::ReaperIgnoresTtl) { Duration::ZERO } else { self.ttl };
        self.jobs.expire_keys(ttl, &high_risk, &Problems.expired_key()).await
    }
}
