//! The jobs' statements on SQLite (`JobStore`): outbox claims under a lease,
//! their outcomes, and key expiry. Each runs in a write transaction of its
//! own on the store's writer, queued FIFO with the requests' (SQLite has one
//! writer, so a claim needs no row locks: no other writer runs meanwhile).

use std::time::Duration;

use async_trait::async_trait;
use rusqlite::ToSql;

use super::rows::{delivery_from_row, execute, query_all};
use super::SqliteStore;
use crate::store::{Delivery, JobStore, Reaped, StoreError, StoredResponse};

const CLAIM: &str = "UPDATE workflow_instances SET status = 'delivering', attempts = attempts + 1, \
     locked_until = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || $2 || ' seconds') \
     WHERE id IN (SELECT id FROM workflow_instances \
        WHERE status IN ('pending', 'delivering') \
          AND ((status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))) \
           OR (status = 'delivering' AND locked_until < strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))) \
        ORDER BY created_at, id LIMIT $1) \
     RETURNING id, tenant_id, workflow_name, trigger_entity_id, operation_name, payload, attempts";
/// A round's delivered rows are marked in one statement; $1 is a JSON array of their ids.
const DONE: &str = "UPDATE workflow_instances SET status = 'done', \
     delivered_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), locked_until = NULL, last_error = NULL \
     WHERE id IN (SELECT value FROM json_each($1)) AND status = 'delivering'";
const RETRY: &str = "UPDATE workflow_instances SET status = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END, \
     next_attempt_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || $2 || ' seconds'), locked_until = NULL, last_error = $4 \
     WHERE id = $1 AND status = 'delivering'";
/// High-risk keys past the TTL ($4 seconds) become tombstones (state
/// `expired`, never touched again); the rest are deleted ($1 seconds).
const TOMBSTONE: &str = "UPDATE idempotency_keys SET response_status = $1, response_body = $2, \
     response_location = NULL, state = 'expired' WHERE operation = $3 AND state = 'active' \
     AND response_body IS NOT NULL AND created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || $4 || ' seconds')";
const DELETE_EXPIRED: &str = "DELETE FROM idempotency_keys WHERE state = 'active' AND response_body IS NOT NULL \
     AND created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || $1 || ' seconds')";

#[async_trait]
impl JobStore for SqliteStore {
    async fn claim_workflows(&self, batch: u32, lease: Duration) -> Result<Vec<Delivery>, StoreError> {
        let (batch, lease) = (i64::from(batch), lease.as_secs_f64());
        self.write(|conn| query_all(conn, CLAIM, &[&batch, &lease], delivery_from_row)).await
    }

    async fn mark_delivered(&self, ids: &[String]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids = serde_json::to_string(ids).expect("strings serialise");
        self.write(|conn| execute(conn, DONE, &[&ids])).await.map(drop)
    }

    async fn schedule_retry(
        &self,
        id: &str,
        backoff: Duration,
        attempts_max: i32,
        error: &str,
    ) -> Result<(), StoreError> {
        let backoff = backoff.as_secs_f64();
        self.write(|conn| {
            let params: [&dyn ToSql; 4] = [&id, &backoff, &attempts_max, &error];
            execute(conn, RETRY, &params)
        })
        .await
        .map(drop)
    }

    async fn expire_keys(
        &self,
        ttl: Duration,
        high_risk: &[&str],
        tombstone: &StoredResponse,
    ) -> Result<Reaped, StoreError> {
        let (secs, status) = (ttl.as_secs_f64(), i32::from(tombstone.status));
        self.write(|conn| {
            let mut r = Reaped::default();
            for op in high_risk {
                let params: [&dyn ToSql; 4] = [&status, &tombstone.body, op, &secs];
                r.tombstoned += execute(conn, TOMBSTONE, &params)? as u64;
            }
            // Every expired key that is not a tombstone now belongs to a
            // financial or reference operation.
            r.deleted += execute(conn, DELETE_EXPIRED, &[&secs])? as u64;
            Ok(r)
        })
        .await
    }
}
