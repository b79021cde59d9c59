//! `sql_store_impl!` instantiated for Postgres, with what it does its own
//! way: the one-statement write set, lock-then-get and the direct-connection
//! replay.

use super::*;

/// What the primary says of its standbys.
const PG_REPLICATION: &str = "SELECT current_setting('synchronous_standby_names') AS names, \
     (SELECT count(*) FROM pg_stat_replication) AS standbys, \
     (SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')) AS synchronous";

mod pg_impl {
    use super::*;
    sql_store_impl!(
        Postgres,
        PgStore,
        PgTx,
        classify_pg,
        "SELECT name FROM named_locks WHERE tenant_id = $1::uuid AND name = $2 FOR SHARE",
        "SELECT name FROM named_locks WHERE tenant_id = $1::uuid AND name = $2 FOR UPDATE",
        |f| count_matching_sql(true, f),
        "postgres",
        {
            async fn write_all(&mut self, w: &WriteSet<'_>) -> Result<(), StoreError> {
                pg_write_all(self, w).await
            }

            async fn lock_then_get(
                &mut self,
                tenant: TenantId,
                name: &str,
                mode: LockMode,
                table: Table,
                id: Uuid,
            ) -> Result<Option<Entity>, StoreError> {
                let t = records(true).table(table);
                let sql = match mode {
                    LockMode::Shared => t.lock_shared_then_get.as_str(),
                    LockMode::Exclusive => t.lock_exclusive_then_get.as_str(),
                };
                let row = sqlx::query(sql)
                    .bind(tenant.0.to_string())
                    .bind(name.to_owned())
                    .bind(id.to_string())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(classify_pg)?;
                match row {
                    // The lock's row did not exist yet: the two steps.
                    None => {
                        self.lock(tenant, name, mode).await?;
                        self.get_entity(tenant, table, id, false).await
                    }
                    // Not found under the statement's snapshot, which was
                    // taken before it waited for the lock: a row the lock's
                    // holder inserted and committed meanwhile (a period's
                    // close marker) is invisible to it (READ COMMITTED
                    // rechecks only the locked row). Read again, now that
                    // the lock is held. Measured: without this, journal
                    // entries posted into a period whose close had just
                    // committed, when commits waited on a synchronous standby.
                    Some(row) if row.try_get::<Option<String>, _>("id").map_err(classify_pg)?.is_none() => {
                        self.get_entity(tenant, table, id, false).await
                    }
                    Some(row) => entity_from_row(&row).map(Some),
                }
            }
        },
        {
            async fn replication(&self) -> Result<Option<Replication>, StoreError> {
                let row = sqlx::query(PG_REPLICATION).fetch_one(&self.pool).await.map_err(classify_pg)?;
                Ok(Some(Replication {
                    host: self.hosts.current_host().host_port(),
                    synchronous_standby_names: row.try_get("names").map_err(classify_pg)?,
                    standbys: row.try_get("standbys").map_err(classify_pg)?,
                    synchronous_standbys: row.try_get("synchronous").map_err(classify_pg)?,
                }))
            }

            async fn replay_completed(
                &self,
                request: &KeyRecord,
                audit: &AuditRecord,
            ) -> Result<Option<StoredResponse>, StoreError> {
                // It writes (the audit row): a failure is not retried here;
                // the engine's transactional path decides instead.
                let Some(direct) = &self.direct else { return pg_replay_completed(&self.pool, request, audit).await };
                let mut conn = direct.acquire().await?;
                let replayed = pg_replay_completed(&mut *conn, request, audit).await?;
                conn.release();
                Ok(replayed)
            }
        }
    );
}
