//! Idempotency-key expiry. Compiled out under `--cfg madsim`.
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

use std::time::Duration;

use serde::Serialize;

use crate::engine::Responses;
use crate::http::problem::Problems;
use crate::ops::HIGH_RISK_MUTATIONS;
use crate::store::sql::{Database, JobsPool as Db, SqlLimits};

pub const KEY_TTL_DEFAULT: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Reaped {
    /// High-risk keys turned into tombstones.
    pub tombstoned: u64,
    /// Financial and reference keys deleted.
    pub deleted: u64,
}

pub struct Reaper {
    db: Db,
    ttl: Duration,
}

impl Reaper {
    /// The reaper on an opened database's jobs pool.
    pub fn new(db: &Database, ttl: Duration) -> Self {
        Self { db: db.jobs_pool().clone(), ttl }
    }

    /// Opens (and migrates) the database named by `url`, for a one-off command.
    pub async fn open(url: &str, ttl: Duration) -> Result<Self, String> {
        let db = Database::open(url, SqlLimits::default()).await.map_err(|e| e.to_string())?;
        Ok(Self::new(&db, ttl))
    }

    /// One pass: tombstone expired high-risk keys, delete the other expired ones.
    pub async fn reap(&self) -> Result<Reaped, sqlx::Error> {
        let tomb = Problems.expired_key();
        let secs = self.ttl.as_secs_f64();
        let mut r = Reaped::default();
        macro_rules! pass {
            ($pool:expr, $older:literal, $older_del:literal) => {{
                let mut tx = $pool.begin().await?;
                for op in HIGH_RISK_MUTATIONS {
                    r.tombstoned += sqlx::query(concat!(
                        "UPDATE idempotency_keys SET response_status = $1, response_body = $2, response_location = NULL \
                         WHERE operation = $3 AND response_body IS NOT NULL AND response_body <> $2 AND ",
                        $older
                    ))
                    .bind(i32::from(tomb.status))
                    .bind(&tomb.body)
                    .bind(op.name)
                    .bind(secs)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                // Every expired key that is not a tombstone now belongs to a
                // financial or reference operation.
                r.deleted += sqlx::query(concat!(
                    "DELETE FROM idempotency_keys WHERE response_body IS NOT NULL AND response_body <> $1 AND ",
                    $older_del
                ))
                .bind(&tomb.body)
                .bind(secs)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
            }};
        }
        match &self.db {
            Db::Postgres(p) => pass!(
                p,
                "created_at < now() - make_interval(secs => $4)",
                "created_at < now() - make_interval(secs => $2)"
            ),
            Db::Sqlite(p) => pass!(
                p,
                "created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || $4 || ' seconds')",
                "created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || $2 || ' seconds')"
            ),
        }
        Ok(r)
    }
}
