//! SQLite and Postgres adapters.
//!
//! Both dialects accept `$N` placeholders and the same row types, so the
//! statements are written once (`statements.rs`). SQLite runs them on
//! rusqlite alone (`sqlite/`): one inline writer with group commit, inline
//! readers, its own migrator; it compiles in both builds, so the simulation
//! runs the embedded store that ships. Postgres runs them on sqlx
//! (`postgres/`, and the `Store`/`Tx` code written once in
//! `sql_store_impl!`); sqlx does not run under `--cfg madsim`, so the
//! Postgres half is compiled out there.

use std::time::Duration;

#[cfg(not(madsim))]
use async_trait::async_trait;
#[cfg(not(madsim))]
use sqlx::postgres::Postgres;
#[cfg(not(madsim))]
use sqlx::Row;
use uuid::Uuid;

use super::*;
#[cfg(not(madsim))]
use crate::idempotency::expiry::KeyState;

#[cfg(not(madsim))]
mod classify;
mod database;
#[cfg(not(madsim))]
mod jobs;
#[cfg(not(madsim))]
use classify::classify_pg;
pub use database::{Database, JobsPool};
#[cfg(not(madsim))]
pub use jobs::outbox_statements;
#[cfg(not(madsim))]
use postgres::batch::{pg_replay_completed, pg_write_all};

/// Bounds every SQL store is built with.
#[derive(Debug, Clone, Copy)]
pub struct SqlLimits {
    /// Database connections at most. On Postgres, with 4 or more, a quarter
    /// of them serve the token lookup and the replay fast path outside the
    /// pool (`sql/pg_direct.rs`).
    pub pool_connections_max: u32,
    /// How long a request may wait for a pooled connection before 503.
    pub pool_acquire_wait: Duration,
    /// How long a transaction may wait for a row lock (a same-key request in
    /// flight, an invoice being paid) before giving up.
    pub lock_wait: Duration,
    /// Upper bound on any single statement.
    pub statement_timeout: Duration,
}

impl Default for SqlLimits {
    fn default() -> Self {
        Self {
            pool_connections_max: 32,
            pool_acquire_wait: Duration::from_secs(5),
            lock_wait: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// Opens the store named by a URL: `sqlite://…` or `postgres://…`
/// (`Database::open`, for callers that need only the request path).
pub async fn connect(url: &str, limits: SqlLimits) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Database::open(url, limits).await?.store())
}

use std::sync::Arc;

fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Other(format!("bad uuid in database: {e}")))
}

fn opt_uuid(s: Option<String>) -> Result<Option<Uuid>, StoreError> {
    s.as_deref().map(parse_uuid).transpose()
}

#[cfg(not(madsim))]
mod postgres;
mod sqlite;
#[cfg(not(madsim))]
pub use postgres::{PgStore, PgTx};
pub use sqlite::{SqliteOptions, SqliteStore};

/// A tenant as the token lookup reads it: (id, name).
#[cfg(not(madsim))]
type TenantRow = (String, String);

mod statements;
pub use statements::count_matching_sql;
use statements::*;

/// The Postgres `Store` and `Tx` on sqlx (one instantiation, in
/// `dialects.rs`).
#[cfg(not(madsim))]
macro_rules! sql_store_impl {
    // Postgres: the Store, its Tx, and audit rows of their own on the pool.
    (
        $db:ty,
        $store:ty,
        $tx:ty,
        $classify:path,
        $select_lock_shared:expr,
        $select_lock_exclusive:expr,
        $match_sql:expr,
        $kind:expr,
        { $($tx_extra:tt)* },
        { $($store_extra:tt)* }
    ) => {
        sql_store_impl!(@rows $db, $classify);
        sql_store_impl!(
            @tx $db, $tx, $classify, $select_lock_shared, $select_lock_exclusive, $match_sql,
            { $($tx_extra)* }
        );
        sql_store_impl!(@store $store, $classify, $kind, { $($store_extra)* });

        impl $store {
            async fn append_audit_row(&self, a: &AuditRecord) -> Result<(), StoreError> {
                bind_audit(sqlx::query(pg::INSERT_AUDIT), a).execute(self.write_pool()).await.map_err($classify)?;
                Ok(())
            }
        }
    };
    (@rows $db:ty, $classify:path) => {
        fn key_from_row(row: &<$db as sqlx::Database>::Row) -> Result<KeyRecord, StoreError> {
            let g = |e: sqlx::Error| $classify(e);
            let status: Option<i32> = row.try_get("response_status").map_err(g)?;
            let body: Option<String> = row.try_get("response_body").map_err(g)?;
            let response = match (status, body) {
                (Some(status), Some(body)) => Some(StoredResponse {
                    status: u16::try_from(status).map_err(|_| StoreError::Other("bad status".into()))?,
                    body,
                    location: row.try_get("response_location").map_err(g)?,
                }),
                _ => None,
            };
            Ok(KeyRecord {
                tenant_id: TenantId(parse_uuid(&row.try_get::<String, _>("tenant_id").map_err(g)?)?),
                idempotency_key: row.try_get("idempotency_key").map_err(g)?,
                operation: row.try_get("operation").map_err(g)?,
                fingerprint: row.try_get("fingerprint").map_err(g)?,
                fingerprint_version: row.try_get("fingerprint_version").map_err(g)?,
                entity_id: parse_uuid(&row.try_get::<String, _>("entity_id").map_err(g)?)?,
                response,
            })
        }

        fn entity_from_row(row: &<$db as sqlx::Database>::Row) -> Result<Entity, StoreError> {
            let g = |e: sqlx::Error| $classify(e);
            Ok(Entity {
                id: parse_uuid(&row.try_get::<String, _>("id").map_err(g)?)?,
                tenant_id: TenantId(parse_uuid(&row.try_get::<String, _>("tenant_id").map_err(g)?)?),
                kind: row.try_get("kind").map_err(g)?,
                parent_id: opt_uuid(row.try_get("parent_id").map_err(g)?)?,
                body: row.try_get("body").map_err(g)?,
                version: row.try_get("version").map_err(g)?,
            })
        }

        fn audit_from_row(row: &<$db as sqlx::Database>::Row) -> Result<AuditRecord, StoreError> {
            let g = |e: sqlx::Error| $classify(e);
            let status: String = row.try_get("status").map_err(g)?;
            let http_status: i32 = row.try_get("http_status").map_err(g)?;
            Ok(AuditRecord {
                company_id: TenantId(parse_uuid(&row.try_get::<String, _>("company_id").map_err(g)?)?),
                operation_name: row.try_get("operation_name").map_err(g)?,
                idempotency_key_hash: row.try_get("idempotency_key_hash").map_err(g)?,
                deterministic_id: parse_uuid(&row.try_get::<String, _>("deterministic_id").map_err(g)?)?,
                status: AuditStatus::parse(&status)
                    .ok_or_else(|| StoreError::Other(format!("unknown audit status {status}")))?,
                error_type: row.try_get("error_type").map_err(g)?,
                error_message: row.try_get("error_message").map_err(g)?,
                http_status: u16::try_from(http_status).map_err(|_| StoreError::Other("bad status".into()))?,
                workflows_triggered: row.try_get("workflows_triggered").map_err(g)?,
                duration_ms: row.try_get("duration_ms").map_err(g)?,
                request_id: row.try_get("request_id").map_err(g)?,
            })
        }
    };
    (
        @tx
        $db:ty,
        $tx:ty,
        $classify:path,
        $select_lock_shared:expr,
        $select_lock_exclusive:expr,
        $match_sql:expr,
        { $($tx_extra:tt)* }
    ) => {
        fn bind_audit<'q>(
            q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>,
            a: &AuditRecord,
        ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
            q.bind(a.company_id.0.to_string())
                .bind(a.operation_name.clone())
                .bind(a.idempotency_key_hash.clone())
                .bind(a.deterministic_id.to_string())
                .bind(a.status.as_str())
                .bind(a.error_type.clone())
                .bind(a.error_message.clone())
                .bind(i32::from(a.http_status))
                .bind(a.workflows_triggered)
                .bind(a.duration_ms)
                .bind(a.request_id.clone())
        }

        #[async_trait]
        impl Tx for $tx {
            async fn claim_key(&mut self, claim: &KeyClaim) -> Result<Claim, StoreError> {
                let r = &claim.record;
                let tenant = r.tenant_id.0.to_string();
                let inserted = sqlx::query(pg::INSERT_KEY)
                .bind(tenant.clone())
                .bind(r.idempotency_key.clone())
                .bind(r.operation.clone())
                .bind(r.fingerprint.clone())
                .bind(r.fingerprint_version)
                .bind(r.entity_id.to_string())
                .execute(&mut *self.tx)
                .await;
                match inserted {
                    Ok(done) if done.rows_affected() == 1 => return Ok(Claim::Claimed),
                    Ok(_) => {}
                    Err(e) => {
                        return match $classify(e) {
                            StoreError::LockTimeout(_) => Ok(Claim::InFlight),
                            other => Err(other),
                        }
                    }
                }
                let row = sqlx::query(pg::SELECT_KEY)
                    .bind(tenant)
                    .bind(r.idempotency_key.clone())
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err($classify)?;
                Ok(Claim::Existing(key_from_row(&row)?))
            }

            async fn complete_key(
                &mut self,
                tenant: TenantId,
                key: &str,
                response: &StoredResponse,
            ) -> Result<(), StoreError> {
                let done = sqlx::query(pg::COMPLETE_KEY)
                .bind(tenant.0.to_string())
                .bind(key.to_owned())
                .bind(i32::from(response.status))
                .bind(response.body.clone())
                .bind(response.location.clone())
                .execute(&mut *self.tx)
                .await
                .map_err($classify)?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::Other("complete_key matched no claimed key".into()));
                }
                Ok(())
            }

            async fn get_entity(
                &mut self,
                tenant: TenantId,
                table: Table,
                id: Uuid,
                for_update: bool,
            ) -> Result<Option<Entity>, StoreError> {
                let t = records(true).table(table);
                let sql = if for_update { t.get_for_update.as_str() } else { t.get.as_str() };
                let row = sqlx::query(sql)
                    .bind(id.to_string())
                    .bind(tenant.0.to_string())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err($classify)?;
                row.as_ref().map(entity_from_row).transpose()
            }

            async fn list_entities(
                &mut self,
                tenant: TenantId,
                table: Table,
                parent: Option<Uuid>,
            ) -> Result<Vec<Entity>, StoreError> {
                let rows = sqlx::query(records(true).table(table).list.as_str())
                    .bind(Some(tenant.0.to_string()))
                    .bind(parent.map(|p| p.to_string()))
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err($classify)?;
                rows.iter().map(entity_from_row).collect()
            }

            async fn count_matching(&mut self, m: &FieldMatch) -> Result<u64, StoreError> {
                let sql: fn(IndexedField) -> &'static str = $match_sql;
                // Planned on every call (not a cached generic plan): a plan
                // made while a tenant had few users would keep reading all
                // of the tenant's rows through (tenant, kind) as it grows;
                // planned against the current size it takes the field's index.
                let mut q = sqlx::query_scalar::<_, i64>(sql(m.field))
                    .persistent(false)
                    .bind(m.tenant.0.to_string())
                    .bind(m.value.clone())
                    .bind(m.except.map(|id| id.to_string()))
                    .bind(i64::from(m.limit));
                if match_needs_parent(m.field) {
                    let Some(parent) = m.parent else {
                        return Err(StoreError::Other(format!("{:?} is looked up under a parent", m.field)));
                    };
                    q = q.bind(parent.to_string());
                }
                let n = q.fetch_one(&mut *self.tx).await.map_err($classify)?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            async fn lock(&mut self, tenant: TenantId, name: &str, mode: LockMode) -> Result<(), StoreError> {
                let sql = match mode {
                    LockMode::Shared => $select_lock_shared,
                    LockMode::Exclusive => $select_lock_exclusive,
                };
                // The row exists from its first use on: then one statement.
                let locked = sqlx::query(sql)
                    .bind(tenant.0.to_string())
                    .bind(name.to_owned())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err($classify)?;
                if locked.is_some() {
                    return Ok(());
                }
                // First use: a concurrent first insert blocks this one until
                // it commits; then the row is locked like any other.
                sqlx::query(pg::INSERT_NAMED_LOCK)
                    .bind(tenant.0.to_string())
                    .bind(name.to_owned())
                    .execute(&mut *self.tx)
                    .await
                    .map_err($classify)?;
                sqlx::query(sql)
                    .bind(tenant.0.to_string())
                    .bind(name.to_owned())
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err($classify)?;
                Ok(())
            }

            async fn insert_entity(&mut self, e: &Entity) -> Result<(), StoreError> {
                let table = Table::for_kind(&e.kind)?;
                let mut q = sqlx::query(records(true).table(table).insert.as_str())
                .bind(e.id.to_string())
                .bind(e.tenant_id.0.to_string())
                .bind(e.body.clone())
                .bind(e.version);
                for v in tables::column_values(table, &e.body)? {
                    q = q.bind(tables::postgres_text(&v));
                }
                q.execute(&mut *self.tx)
                .await
                .map_err($classify)?;
                Ok(())
            }

            async fn update_entity(&mut self, e: &Entity) -> Result<(), StoreError> {
                let table = Table::for_kind(&e.kind)?;
                let mut q = sqlx::query(records(true).table(table).update.as_str())
                .bind(e.id.to_string())
                .bind(e.tenant_id.0.to_string())
                .bind(e.body.clone())
                .bind(e.version);
                for v in tables::column_values(table, &e.body)? {
                    q = q.bind(tables::postgres_text(&v));
                }
                let done = q.execute(&mut *self.tx)
                .await
                .map_err($classify)?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::Retryable("entity version changed under update".into()));
                }
                Ok(())
            }

            async fn insert_workflow(&mut self, w: &WorkflowInstance) -> Result<(), StoreError> {
                sqlx::query(pg::INSERT_WORKFLOW)
                .bind(w.id.to_string())
                .bind(w.tenant_id.0.to_string())
                .bind(w.workflow_name.clone())
                .bind(w.trigger_entity_id.to_string())
                .bind(w.operation_name.clone())
                .bind(w.payload.clone())
                .execute(&mut *self.tx)
                .await
                .map_err($classify)?;
                Ok(())
            }

            async fn insert_audit(&mut self, a: &AuditRecord) -> Result<(), StoreError> {
                bind_audit(sqlx::query(pg::INSERT_AUDIT), a).execute(&mut *self.tx).await.map_err($classify)?;
                Ok(())
            }

            $($tx_extra)*

            async fn commit(self: Box<Self>) -> Result<(), StoreError> {
                self.tx.commit().await.map_err($classify)
            }

            async fn rollback(self: Box<Self>) -> Result<(), StoreError> {
                self.tx.rollback().await.map_err($classify)
            }
        }
    };
    (@store $store:ty, $classify:path, $kind:expr, { $($store_extra:tt)* }) => {
        #[async_trait]
        impl Store for $store {
            fn kind(&self) -> &'static str {
                $kind
            }

            async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
                Ok(Box::new(self.begin_tx().await?))
            }

            async fn get_entity(&self, tenant: TenantId, table: Table, id: Uuid) -> Result<Option<Entity>, StoreError> {
                let row = sqlx::query(records(true).table(table).get.as_str())
                    .bind(id.to_string())
                    .bind(tenant.0.to_string())
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err($classify)?;
                row.as_ref().map(entity_from_row).transpose()
            }

            async fn get_key(&self, tenant: TenantId, key: &str) -> Result<Option<KeyRecord>, StoreError> {
                let row = sqlx::query(pg::SELECT_KEY)
                    .bind(tenant.0.to_string())
                    .bind(key.to_owned())
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err($classify)?;
                row.as_ref().map(key_from_row).transpose()
            }

            async fn tenant_by_token_hash(&self, token_hash: &str) -> Result<Option<Tenant>, StoreError> {
                if let Some(found) = self.tenant_fast(token_hash).await {
                    return match found? {
                        None => Ok(None),
                        Some((id, name)) => Ok(Some(Tenant { id: TenantId(parse_uuid(&id)?), name })),
                    };
                }
                // A read: a connection found dead is passed over (see `begin_tx`).
                let row = classify::passing_over_stale(self.read_pool(), || {
                    sqlx::query(pg::SELECT_TENANT_BY_TOKEN).bind(token_hash.to_owned()).fetch_optional(self.read_pool())
                })
                .await
                .map_err($classify)?;
                match row {
                    None => Ok(None),
                    Some(row) => Ok(Some(Tenant {
                        id: TenantId(parse_uuid(&row.try_get::<String, _>("id").map_err($classify)?)?),
                        name: row.try_get("name").map_err($classify)?,
                    })),
                }
            }

            async fn append_audit(&self, a: &AuditRecord) -> Result<(), StoreError> {
                self.append_audit_row(a).await
            }

            $($store_extra)*

            async fn list_entities(
                &self,
                tenant: Option<TenantId>,
                table: Table,
                parent: Option<Uuid>,
            ) -> Result<Vec<Entity>, StoreError> {
                let rows = sqlx::query(records(true).table(table).list.as_str())
                    .bind(tenant.map(|t| t.0.to_string()))
                    .bind(parent.map(|p| p.to_string()))
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($classify)?;
                rows.iter().map(entity_from_row).collect()
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(self.read_pool()).await.map_err($classify)?;
                Ok(())
            }

            async fn key_meta(&self, tenant: TenantId, key: &str) -> Result<Option<KeyMeta>, StoreError> {
                // Postgres sessions run in UTC (set at connect), so both
                // dialects give UTC text here.
                let row: Option<(String, String)> = sqlx::query_as(pg::SELECT_KEY_META)
                .bind(tenant.0.to_string())
                .bind(key.to_owned())
                .fetch_optional(self.read_pool())
                .await
                .map_err($classify)?;
                row.map(|(created_at, state)| {
                    let state = KeyState::parse(&state)
                        .ok_or_else(|| StoreError::Other(format!("unknown key state {state}")))?;
                    Ok(KeyMeta { created_at, state })
                })
                .transpose()
            }
        }

        #[async_trait]
        impl Admin for $store {
            async fn create_tenant(&self, tenant: &Tenant, token_hash: &str) -> Result<(), StoreError> {
                sqlx::query(pg::INSERT_TENANT)
                    .bind(tenant.id.0.to_string())
                    .bind(tenant.name.clone())
                    .bind(token_hash.to_owned())
                    .execute(self.write_pool())
                    .await
                    .map_err($classify)?;
                Ok(())
            }

            async fn revoke_token(&self, tenant: TenantId) -> Result<bool, StoreError> {
                let done = sqlx::query(pg::REVOKE_TENANT)
                    .bind(tenant.0.to_string())
                    .execute(self.write_pool())
                    .await
                    .map_err($classify)?;
                Ok(done.rows_affected() == 1)
            }

            async fn keys(&self, tenant: Option<TenantId>) -> Result<Vec<KeyRecord>, StoreError> {
                let rows = sqlx::query(pg::SELECT_KEYS)
                    .bind(tenant.map(|t| t.0.to_string()))
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($classify)?;
                rows.iter().map(key_from_row).collect()
            }

            async fn audit_rows(&self, tenant: Option<TenantId>) -> Result<Vec<AuditRecord>, StoreError> {
                let rows = sqlx::query(pg::SELECT_AUDIT)
                    .bind(tenant.map(|t| t.0.to_string()))
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($classify)?;
                rows.iter().map(audit_from_row).collect()
            }

            async fn workflows(&self, tenant: Option<TenantId>) -> Result<Vec<WorkflowInstance>, StoreError> {
                let rows = sqlx::query(pg::SELECT_WORKFLOWS)
                .bind(tenant.map(|t| t.0.to_string()))
                .fetch_all(self.read_pool())
                .await
                .map_err($classify)?;
                rows.iter()
                    .map(|row| {
                        let g = |e: sqlx::Error| $classify(e);
                        Ok(WorkflowInstance {
                            id: parse_uuid(&row.try_get::<String, _>("id").map_err(g)?)?,
                            tenant_id: TenantId(parse_uuid(&row.try_get::<String, _>("tenant_id").map_err(g)?)?),
                            workflow_name: row.try_get("workflow_name").map_err(g)?,
                            trigger_entity_id: parse_uuid(&row.try_get::<String, _>("trigger_entity_id").map_err(g)?)?,
                            operation_name: row.try_get("operation_name").map_err(g)?,
                            payload: row.try_get("payload").map_err(g)?,
                        })
                    })
                    .collect()
            }

            async fn entities(&self, tenant: Option<TenantId>) -> Result<Vec<Entity>, StoreError> {
                let rows = sqlx::query(records(true).all_records.as_str())
                .bind(tenant.map(|t| t.0.to_string()))
                .fetch_all(self.read_pool())
                .await
                .map_err($classify)?;
                rows.iter().map(entity_from_row).collect()
            }

            async fn counts(&self) -> Result<Counts, StoreError> {
                let row = sqlx::query(records(true).counts.as_str())
                .fetch_one(self.read_pool())
                .await
                .map_err($classify)?;
                let n =
                    |c: &str| -> Result<u64, StoreError> { Ok(row.try_get::<i64, _>(c).map_err($classify)? as u64) };
                Ok(Counts {
                    keys: n("keys")?,
                    entities: n("entities")?,
                    workflows: n("workflows")?,
                    audit_rows: n("audit_rows")?,
                    audit_new: n("audit_new")?,
                })
            }
        }
    };
}

pub use sqlite::writer::SqliteTx;

// Declared after the macro, so that it is in scope there.
#[cfg(not(madsim))]
mod dialects;
