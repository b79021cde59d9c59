//! `Store` and `Admin` for SQLite: reads on the inline readers, writes on
//! the writer (the statements are the shared ones, `statements.rs`).

use async_trait::async_trait;
use rusqlite::ToSql;
use uuid::Uuid;

use super::rows::{
    audit_from_row, entity_from_row, execute, get, key_from_row, query_all, query_first, workflow_from_row,
};
use super::SqliteStore;
use crate::domain::ids::TenantId;
use crate::idempotency::expiry::KeyState;
use crate::store::sql::parse_uuid;
use crate::store::sql::statements::{
    records, SELECT_AUDIT, SELECT_KEY, SELECT_KEYS, SELECT_KEY_META, SELECT_TENANT_BY_TOKEN, SELECT_WORKFLOWS,
};
use crate::store::{
    replays, Admin, AuditRecord, Counts, Entity, KeyMeta, KeyRecord, Store, StoreError, StoredResponse, Table, Tenant,
    Tx, WorkflowInstance,
};

fn text(id: Uuid) -> String {
    id.to_string()
}

#[async_trait]
impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(Box::new(self.writer.begin().await?))
    }

    async fn get_entity(&self, tenant: TenantId, table: Table, id: Uuid) -> Result<Option<Entity>, StoreError> {
        let sql = records(false).table(table).get.as_str();
        let (id, tenant) = (text(id), text(tenant.0));
        self.read(|conn| query_first(conn, sql, &[&id, &tenant], entity_from_row)).await
    }

    async fn get_key(&self, tenant: TenantId, key: &str) -> Result<Option<KeyRecord>, StoreError> {
        let tenant = text(tenant.0);
        self.read(|conn| query_first(conn, SELECT_KEY, &[&tenant, &key], key_from_row)).await
    }

    async fn tenant_by_token_hash(&self, token_hash: &str) -> Result<Option<Tenant>, StoreError> {
        self.read(|conn| {
            query_first(conn, SELECT_TENANT_BY_TOKEN, &[&token_hash], |row| {
                Ok(Tenant { id: TenantId(parse_uuid(&get::<String>(row, 0)?)?), name: get(row, 1)? })
            })
        })
        .await
    }

    async fn append_audit(&self, a: &AuditRecord) -> Result<(), StoreError> {
        self.writer.append_audit(a).await
    }

    async fn replay_completed(
        &self,
        request: &KeyRecord,
        audit: &AuditRecord,
    ) -> Result<Option<StoredResponse>, StoreError> {
        // A reader finds the record; only the audit row takes the writer.
        // A record reaped between the two was valid when read.
        let stored = self.get_key(request.tenant_id, &request.idempotency_key).await?;
        let Some(stored) = stored.filter(|k| replays(k, request)) else {
            return Ok(None);
        };
        let response = stored.response.expect("replays() checked the response");
        self.append_audit(&AuditRecord { http_status: response.status, ..audit.clone() }).await?;
        Ok(Some(response))
    }

    async fn list_entities(
        &self,
        tenant: Option<TenantId>,
        table: Table,
        parent: Option<Uuid>,
    ) -> Result<Vec<Entity>, StoreError> {
        let sql = records(false).table(table).list.as_str();
        let (tenant, parent) = (tenant.map(|t| text(t.0)), parent.map(text));
        self.read(|conn| query_all(conn, sql, &[&tenant, &parent], entity_from_row)).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| query_first(conn, "SELECT 1", &[], |_| Ok(()))).await.map(drop)
    }

    async fn key_meta(&self, tenant: TenantId, key: &str) -> Result<Option<KeyMeta>, StoreError> {
        let tenant = text(tenant.0);
        let row = self
            .read(|conn| {
                query_first(conn, SELECT_KEY_META, &[&tenant, &key], |row| {
                    Ok((get::<String>(row, 0)?, get::<String>(row, 1)?))
                })
            })
            .await?;
        row.map(|(created_at, state)| {
            let state =
                KeyState::parse(&state).ok_or_else(|| StoreError::Other(format!("unknown key state {state}")))?;
            Ok(KeyMeta { created_at, state })
        })
        .transpose()
    }
}

#[async_trait]
impl Admin for SqliteStore {
    async fn create_tenant(&self, tenant: &Tenant, token_hash: &str) -> Result<(), StoreError> {
        let id = text(tenant.id.0);
        self.write(|conn| {
            let params: [&dyn ToSql; 3] = [&id, &tenant.name, &token_hash];
            execute(conn, "INSERT INTO tenants (id, name, token_hash) VALUES ($1, $2, $3)", &params)
        })
        .await
        .map(drop)
    }

    async fn revoke_token(&self, tenant: TenantId) -> Result<bool, StoreError> {
        let id = text(tenant.0);
        let changed =
            self.write(|conn| execute(conn, "UPDATE tenants SET revoked = TRUE WHERE id = $1", &[&id])).await?;
        Ok(changed == 1)
    }

    async fn keys(&self, tenant: Option<TenantId>) -> Result<Vec<KeyRecord>, StoreError> {
        let tenant = tenant.map(|t| text(t.0));
        self.read(|conn| query_all(conn, SELECT_KEYS, &[&tenant], key_from_row)).await
    }

    async fn audit_rows(&self, tenant: Option<TenantId>) -> Result<Vec<AuditRecord>, StoreError> {
        let tenant = tenant.map(|t| text(t.0));
        self.read(|conn| query_all(conn, SELECT_AUDIT, &[&tenant], audit_from_row)).await
    }

    async fn workflows(&self, tenant: Option<TenantId>) -> Result<Vec<WorkflowInstance>, StoreError> {
        let tenant = tenant.map(|t| text(t.0));
        self.read(|conn| query_all(conn, SELECT_WORKFLOWS, &[&tenant], workflow_from_row)).await
    }

    async fn entities(&self, tenant: Option<TenantId>) -> Result<Vec<Entity>, StoreError> {
        let tenant = tenant.map(|t| text(t.0));
        self.read(|conn| query_all(conn, records(false).all_records.as_str(), &[&tenant], entity_from_row)).await
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        self.read(|conn| {
            query_first(conn, records(false).counts.as_str(), &[], |row| {
                let n = |i: usize| -> Result<u64, StoreError> { Ok(u64::try_from(get::<i64>(row, i)?).unwrap_or(0)) };
                Ok(Counts { keys: n(0)?, entities: n(1)?, workflows: n(2)?, audit_rows: n(3)?, audit_new: n(4)? })
            })
        })
        .await?
        .ok_or_else(|| StoreError::Other("the counts query returned no row".into()))
    }
}
