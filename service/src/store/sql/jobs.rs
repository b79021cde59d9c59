//! The jobs' statements (`JobStore`) on Postgres, on the jobs' own pool:
//! outbox claims under a lease (`FOR UPDATE SKIP LOCKED`), their outcomes,
//! and key expiry. SQLite's are in `sqlite/jobs.rs`.

use std::time::Duration;

use sqlx::postgres::PgPool;
use sqlx::Row;

use super::classify::classify_pg;
use crate::store::{Delivery, Reaped, StoreError, StoredResponse};

const PG_CLAIM: &str = "UPDATE workflow_instances SET status = 'delivering', attempts = attempts + 1, \
     locked_until = now() + make_interval(secs => $2) \
     WHERE id = ANY (ARRAY(SELECT id FROM workflow_instances \
        WHERE status IN ('pending', 'delivering') \
          AND ((status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now())) \
           OR (status = 'delivering' AND locked_until < now())) \
        ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)) \
     RETURNING id::text AS id, tenant_id::text AS tenant_id, workflow_name, \
       trigger_entity_id::text AS trigger_entity_id, operation_name, payload, attempts";
/// A round's delivered rows are marked in one statement (one commit per
/// round, not per workflow); $1 is a JSON array of their ids.
///
/// Both statements find their rows as `id = ANY (ARRAY(…))`: the ids are
/// computed first and each row is then read by the primary key. Written as
/// `id IN (…)`, Postgres may plan a hash join over the whole outbox (it did
/// once the statement's generic plan was made while the table was small)
/// and keep reading every delivered row on each round as the table grows.
const PG_DONE: &str = "UPDATE workflow_instances SET status = 'done', delivered_at = now(), locked_until = NULL, \
     last_error = NULL WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)::uuid)) AND status = 'delivering'";
const PG_RETRY: &str =
    "UPDATE workflow_instances SET status = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END, \
     next_attempt_at = now() + make_interval(secs => $2), locked_until = NULL, last_error = $4 \
     WHERE id = $1::uuid AND status = 'delivering'";

/// Key expiry's statements per dialect: $4 (tombstones) and $1 (deletions)
/// are the TTL in seconds. Tombstones are state `expired` and never touched
/// again.
macro_rules! expire_keys {
    ($pool:expr, $classify:path, $older:literal, $older_del:literal, $ttl:expr, $high_risk:expr, $tomb:expr) => {{
        let mut r = Reaped::default();
        let mut tx = $pool.begin().await.map_err($classify)?;
        for op in $high_risk {
            r.tombstoned += sqlx::query(concat!(
                "UPDATE idempotency_keys SET response_status = $1, response_body = $2, response_location = NULL, \
                 state = 'expired' WHERE operation = $3 AND state = 'active' AND response_body IS NOT NULL AND ",
                $older
            ))
            .bind(i32::from($tomb.status))
            .bind(&$tomb.body)
            .bind(*op)
            .bind($ttl)
            .execute(&mut *tx)
            .await
            .map_err($classify)?
            .rows_affected();
        }
        // Every expired key that is not a tombstone now belongs to a
        // financial or reference operation.
        r.deleted += sqlx::query(concat!(
            "DELETE FROM idempotency_keys WHERE state = 'active' AND response_body IS NOT NULL AND ",
            $older_del
        ))
        .bind($ttl)
        .execute(&mut *tx)
        .await
        .map_err($classify)?
        .rows_affected();
        tx.commit().await.map_err($classify)?;
        Ok(r)
    }};
}

/// The outbox's claim ($1 batch, $2 lease in seconds) and delivered
/// ($1 JSON array of ids) statements on Postgres, for the test that reads
/// their plans.
pub fn outbox_statements() -> [&'static str; 2] {
    [PG_CLAIM, PG_DONE]
}

fn delivery<R: Row>(r: &R) -> Result<Delivery, sqlx::Error>
where
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(Delivery {
        id: r.try_get("id")?,
        tenant_id: r.try_get("tenant_id")?,
        workflow_name: r.try_get("workflow_name")?,
        trigger_entity_id: r.try_get("trigger_entity_id")?,
        operation_name: r.try_get("operation_name")?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
    })
}

/// The jobs' statements on Postgres (`JobsPool` dispatches to these).
pub(super) async fn claim(p: &PgPool, batch: u32, lease: Duration) -> Result<Vec<Delivery>, StoreError> {
    let (batch, lease) = (i64::from(batch), lease.as_secs_f64());
    let rows = sqlx::query(PG_CLAIM).bind(batch).bind(lease).fetch_all(p).await.map_err(classify_pg)?;
    rows.iter().map(delivery).collect::<Result<_, _>>().map_err(classify_pg)
}

pub(super) async fn mark_delivered(p: &PgPool, ids: &[String]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(ids).expect("strings serialise");
    sqlx::query(PG_DONE).bind(ids).execute(p).await.map(|_| ()).map_err(classify_pg)
}

pub(super) async fn schedule_retry(
    p: &PgPool,
    id: &str,
    backoff: Duration,
    attempts_max: i32,
    error: &str,
) -> Result<(), StoreError> {
    let q = sqlx::query(PG_RETRY).bind(id).bind(backoff.as_secs_f64()).bind(attempts_max).bind(error);
    q.execute(p).await.map(|_| ()).map_err(classify_pg)
}

pub(super) async fn expire_keys(
    p: &PgPool,
    ttl: Duration,
    high_risk: &[&str],
    tombstone: &StoredResponse,
) -> Result<Reaped, StoreError> {
    let secs = ttl.as_secs_f64();
    expire_keys!(
        p,
        classify_pg,
        "created_at < now() - make_interval(secs => $4)",
        "created_at < now() - make_interval(secs => $1)",
        secs,
        high_risk,
        tombstone
    )
}
