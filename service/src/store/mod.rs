//! The storage seam. The engine and the operations speak only these traits;
//! only the adapters below know SQL (or, for the in-memory store, locks).
//!
//! Architecture invariant: a `Tx` is one database transaction. Nothing it
//! writes is visible to anyone until `commit` returns Ok, and a dropped or
//! rolled-back `Tx` leaves no trace.

use async_trait::async_trait;
use uuid::Uuid;

use crate::domain::ids::TenantId;

mod error;
pub mod faulty;
mod jobs;
pub mod mem;
mod records;
pub mod sql;
pub mod tables;

pub use error::{ConstraintKind, ConstraintViolation, StoreError};
pub use jobs::{Delivery, JobStore, Reaped};
pub use records::*;
pub use tables::{is_record_id_constraint, Column, ColumnType, Parent, Table};

/// `Tx::write_all` as separate calls: the default, and the order every
/// store's single-call version must be equivalent to.
pub async fn write_all_in_steps<T: Tx + ?Sized>(tx: &mut T, w: &WriteSet<'_>) -> Result<(), StoreError> {
    for e in w.inserts {
        tx.insert_entity(e).await?;
    }
    for e in w.updates {
        tx.update_entity(e).await?;
    }
    for wf in w.workflows {
        tx.insert_workflow(wf).await?;
    }
    if let Some((tenant, key, response)) = w.complete {
        tx.complete_key(tenant, key, response).await?;
    }
    tx.insert_audit(w.audit).await
}

#[async_trait]
pub trait Tx: Send {
    /// Inserts the key row, or reports the committed one, or times out
    /// waiting for the transaction that holds it.
    async fn claim_key(&mut self, claim: &KeyClaim) -> Result<Claim, StoreError>;
    /// Stores the definitive response on the key claimed by this transaction.
    async fn complete_key(&mut self, tenant: TenantId, key: &str, response: &StoredResponse) -> Result<(), StoreError>;
    /// Reads a record of `kind` (in its table); `for_update` locks it until
    /// this transaction ends.
    async fn get_entity(
        &mut self,
        tenant: TenantId,
        table: Table,
        id: Uuid,
        for_update: bool,
    ) -> Result<Option<Entity>, StoreError>;
    /// This tenant's entities of `kind` (only the children of `parent`, if
    /// given) as committed, plus this transaction's own writes, ordered by
    /// id. Callers list small sets (a tenant's users, a customer's invoices).
    async fn list_entities(
        &mut self,
        tenant: TenantId,
        table: Table,
        parent: Option<Uuid>,
    ) -> Result<Vec<Entity>, StoreError>;
    /// Counts (up to `m.limit`) the rows `m` describes, as committed plus
    /// this transaction's own writes, through the field's index.
    async fn count_matching(&mut self, m: &FieldMatch) -> Result<u64, StoreError>;
    /// Holds the per-tenant lock `name` until this transaction ends, so
    /// transactions that decide on the same set of rows (a tenant's admins,
    /// one accounting period) serialise. Waits are bounded (→ Unavailable).
    /// The lock exists on first use.
    async fn lock(&mut self, tenant: TenantId, name: &str, mode: LockMode) -> Result<(), StoreError>;
    /// `lock(tenant, name, mode)`, then `get_entity(tenant, table, id, false)`:
    /// the shape of "hold the period, then read its closed marker", which
    /// stores may answer in one round trip.
    async fn lock_then_get(
        &mut self,
        tenant: TenantId,
        name: &str,
        mode: LockMode,
        table: Table,
        id: Uuid,
    ) -> Result<Option<Entity>, StoreError> {
        self.lock(tenant, name, mode).await?;
        self.get_entity(tenant, table, id, false).await
    }
    async fn insert_entity(&mut self, entity: &Entity) -> Result<(), StoreError>;
    /// Replaces body and version of an entity this transaction has locked.
    async fn update_entity(&mut self, entity: &Entity) -> Result<(), StoreError>;
    async fn insert_workflow(&mut self, workflow: &WorkflowInstance) -> Result<(), StoreError>;
    async fn insert_audit(&mut self, audit: &AuditRecord) -> Result<(), StoreError>;
    /// Writes `w` (see `WriteSet`): the same effects and errors as
    /// `write_all_in_steps`, which is the default.
    async fn write_all(&mut self, w: &WriteSet<'_>) -> Result<(), StoreError> {
        write_all_in_steps(self, w).await
    }
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
    async fn rollback(self: Box<Self>) -> Result<(), StoreError>;
}

/// Administration and inspection: tenants and tokens (the CLI), and whole
/// tables for checkers, tests and the stress tool's verification. Never on
/// the request path.
#[async_trait]
pub trait Admin: Send + Sync + 'static {
    async fn create_tenant(&self, tenant: &Tenant, token_hash: &str) -> Result<(), StoreError>;
    /// Revokes the tenant's bearer token: from now on it authenticates
    /// nothing. `false` if there is no such tenant. (Default: a store that
    /// cannot revoke says so rather than pretending.)
    async fn revoke_token(&self, _tenant: TenantId) -> Result<bool, StoreError> {
        Err(StoreError::Other("this store cannot revoke tokens".into()))
    }
    /// Every committed key record (of one tenant, or all), ordered by
    /// tenant and key: what checkers compare a recorded history against.
    async fn keys(&self, tenant: Option<TenantId>) -> Result<Vec<KeyRecord>, StoreError>;
    async fn audit_rows(&self, tenant: Option<TenantId>) -> Result<Vec<AuditRecord>, StoreError>;
    async fn workflows(&self, tenant: Option<TenantId>) -> Result<Vec<WorkflowInstance>, StoreError>;
    async fn entities(&self, tenant: Option<TenantId>) -> Result<Vec<Entity>, StoreError>;
    async fn counts(&self) -> Result<Counts, StoreError>;
}

/// The request path's store: what the engine, the operations and the
/// handlers use. Every store is also `Admin`.
#[async_trait]
pub trait Store: Admin + Send + Sync + 'static {
    /// A short name for logs and test names: `sqlite`, `postgres`, `memory`.
    fn kind(&self) -> &'static str;
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError>;
    /// A committed record of `kind`.
    async fn get_entity(&self, tenant: TenantId, table: Table, id: Uuid) -> Result<Option<Entity>, StoreError>;
    async fn get_key(&self, tenant: TenantId, key: &str) -> Result<Option<KeyRecord>, StoreError>;
    async fn tenant_by_token_hash(&self, token_hash: &str) -> Result<Option<Tenant>, StoreError>;
    /// Writes one audit row in its own transaction (for outcomes whose
    /// transaction rolled back).
    async fn append_audit(&self, audit: &AuditRecord) -> Result<(), StoreError>;
    /// The replay fast path: if `request`'s key holds a stored response for
    /// the same request (operation, fingerprint and its version), writes
    /// `audit` (a `replayed` row; its `http_status` becomes the stored
    /// status) and returns the response. `None`: no such completed record,
    /// nothing written; the caller takes the transactional path, which
    /// decides every other case. (Default: always `None`.)
    async fn replay_completed(
        &self,
        _request: &KeyRecord,
        _audit: &AuditRecord,
    ) -> Result<Option<StoredResponse>, StoreError> {
        Ok(None)
    }
    /// Committed entities of `kind` (of one tenant, or all; only children of
    /// `parent` if given), ordered by id.
    async fn list_entities(
        &self,
        tenant: Option<TenantId>,
        table: Table,
        parent: Option<Uuid>,
    ) -> Result<Vec<Entity>, StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
    /// The replication of the database written to, where there is one to
    /// speak of (Postgres). (Default: `None`.)
    async fn replication(&self) -> Result<Option<Replication>, StoreError> {
        Ok(None)
    }
    /// When a key was first used (`YYYY-MM-DD?HH:MM:SS[.fff…]` UTC text) and its state.
    async fn key_meta(&self, tenant: TenantId, key: &str) -> Result<Option<KeyMeta>, StoreError>;
}
