//! The storage seam. The engine and the operations speak only these traits;
//! only the adapters below know SQL (or, for the in-memory store, locks).
//!
//! Architecture invariant: a `Tx` is one database transaction. Nothing it
//! writes is visible to anyone until `commit` returns Ok, and a dropped or
//! rolled-back `Tx` leaves no trace.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::ids::TenantId;

pub mod faulty;
pub mod mem;
#[cfg(not(madsim))]
pub mod sql;

/// The `Unavailable` message of a request that found the connection pool
/// exhausted past its wait bound.
pub const POOL_EXHAUSTED: &str = "connection pool wait exceeded";

/// Why a store call failed, classified for the engine's retry policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum StoreError {
    /// Serialization failure or deadlock: the whole transaction may be retried.
    #[error("transaction conflict, retryable: {0}")]
    Retryable(String),
    /// The database is unreachable, timed out or the pool is exhausted.
    /// Nothing was committed (or the outcome is unknown to this node).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A row with the same primary key exists: only a bug or a lost key
    /// record can cause this, because entity ids are derived from keys.
    #[error("duplicate primary key: {0}")]
    Duplicate(String),
    /// Anything else the database reported (schema drift, constraint).
    #[error("storage error: {0}")]
    Other(String),
}

/// A key's stored definitive outcome, replayed byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
}

/// One row of `idempotency_keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub tenant_id: TenantId,
    pub idempotency_key: String,
    pub operation: String,
    pub fingerprint: String,
    pub fingerprint_version: i32,
    pub entity_id: Uuid,
    /// None only inside the transaction that claimed the key.
    pub response: Option<StoredResponse>,
}

/// The result of trying to claim a key inside a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Claim {
    /// This transaction inserted the key row; it holds the key until it ends.
    Claimed,
    /// A committed record exists for this key.
    Existing(KeyRecord),
    /// Another open transaction holds the key and did not finish within the wait bound.
    InFlight,
}

/// A business entity. Every entity kind lives in one table; its body is the
/// JSON the API returns, so reads and replays are the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub kind: String,
    pub parent_id: Option<Uuid>,
    pub body: String,
    /// Bumped on every update; the first version is 1.
    pub version: i64,
}

/// An outbox row: committed with the write, delivered later by a dispatcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowInstance {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub workflow_name: String,
    pub trigger_entity_id: Uuid,
    pub operation_name: String,
    pub payload: String,
}

/// Audit statuses, as stored in `idempotent_write_audit_log.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditStatus {
    New,
    Replayed,
    Rejected,
    Mismatch,
    Conflict,
    Failed,
}

impl AuditStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Replayed => "replayed",
            Self::Rejected => "rejected",
            Self::Mismatch => "mismatch",
            Self::Conflict => "conflict",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "new" => Self::New,
            "replayed" => Self::Replayed,
            "rejected" => Self::Rejected,
            "mismatch" => Self::Mismatch,
            "conflict" => Self::Conflict,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// One row of `idempotent_write_audit_log` (the timestamp is the store's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub company_id: TenantId,
    pub operation_name: String,
    pub idempotency_key_hash: String,
    pub deterministic_id: Uuid,
    pub status: AuditStatus,
    pub error_type: Option<String>,
    pub error_message: Option<String>,
    pub http_status: u16,
    pub workflows_triggered: i32,
    pub duration_ms: i64,
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
}

/// Row counts, for tests and checkers that prove "nothing was written".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub keys: u64,
    pub entities: u64,
    pub workflows: u64,
    pub audit_rows: u64,
    pub audit_new: u64,
}

/// How `Tx::lock` holds a named lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockMode {
    /// Coexists with other shared holders; excludes an exclusive one.
    Shared,
    /// Excludes every other holder.
    Exclusive,
}

/// A top-level string field of one entity kind's JSON body that every store
/// can find rows by without reading the tenant's other rows (the SQL stores
/// keep an expression index per field: migrations 0012). Rules that must
/// look for "another row with this value" use these instead of listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexedField {
    /// `account.code`, unique per tenant.
    AccountCode,
    /// `user.email` (stored lower-cased), unique per tenant.
    UserEmail,
    /// `user.role`.
    UserRole,
    /// `invoice.status`, looked up under one customer (the invoice's parent).
    InvoiceStatus,
}

impl IndexedField {
    pub const ALL: [Self; 4] = [Self::AccountCode, Self::UserEmail, Self::UserRole, Self::InvoiceStatus];

    /// The entity kind whose bodies carry the field.
    pub fn kind(self) -> &'static str {
        match self {
            Self::AccountCode => "account",
            Self::UserEmail | Self::UserRole => "user",
            Self::InvoiceStatus => "invoice",
        }
    }

    /// The field's name in the JSON body.
    pub fn name(self) -> &'static str {
        match self {
            Self::AccountCode => "code",
            Self::UserEmail => "email",
            Self::UserRole => "role",
            Self::InvoiceStatus => "status",
        }
    }
}

/// "How many of this tenant's rows have `field == value`": the question a
/// uniqueness or "is there another …" rule asks, answered by an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMatch {
    pub tenant: TenantId,
    pub field: IndexedField,
    pub value: String,
    /// Only the children of this entity (required for `InvoiceStatus`).
    pub parent: Option<Uuid>,
    /// Leave this entity out (the row the rule is deciding about).
    pub except: Option<Uuid>,
    /// Stop counting here: rules need "none", "one" or "at least n".
    pub limit: u32,
}

impl FieldMatch {
    /// Whether `e` is one of the rows this match counts (the in-memory
    /// stores' definition; the SQL stores say the same in SQL).
    pub fn matches(&self, e: &Entity) -> bool {
        e.tenant_id == self.tenant
            && e.kind == self.field.kind()
            && self.parent.is_none_or(|p| e.parent_id == Some(p))
            && self.except != Some(e.id)
            && serde_json::from_str::<serde_json::Value>(&e.body)
                .ok()
                .and_then(|v| v.get(self.field.name()).and_then(|f| f.as_str()).map(|f| f == self.value))
                .unwrap_or(false)
    }
}

/// Whether `stored` is the completed record of the same request as `request`.
pub fn replays(stored: &KeyRecord, request: &KeyRecord) -> bool {
    stored.response.is_some()
        && stored.operation == request.operation
        && stored.fingerprint_version == request.fingerprint_version
        && stored.fingerprint == request.fingerprint
}

/// What a claim needs: everything is decided before the transaction starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyClaim {
    pub record: KeyRecord,
    /// Upper bound on waiting for another transaction that holds this key.
    pub wait: Duration,
}

/// Everything a transaction writes after its decision, in one call: a
/// plan's rows and outbox entries, the key's stored response and the audit
/// row. Stores that can send it in one round trip do (Postgres); the
/// default writes the parts one by one, in this order.
#[derive(Debug, Clone, Copy)]
pub struct WriteSet<'a> {
    pub inserts: &'a [Entity],
    pub updates: &'a [Entity],
    pub workflows: &'a [WorkflowInstance],
    /// The key claimed by this transaction and its definitive response.
    pub complete: Option<(TenantId, &'a str, &'a StoredResponse)>,
    pub audit: &'a AuditRecord,
}

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
    /// Reads an entity; `for_update` locks it until this transaction ends.
    async fn get_entity(&mut self, tenant: TenantId, id: Uuid, for_update: bool) -> Result<Option<Entity>, StoreError>;
    /// This tenant's entities of `kind` (only the children of `parent`, if
    /// given) as committed, plus this transaction's own writes, ordered by
    /// id. Callers list small sets (a tenant's users, a customer's invoices).
    async fn list_entities(
        &mut self,
        tenant: TenantId,
        kind: &str,
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
    /// `lock(tenant, name, mode)`, then `get_entity(tenant, id, false)`:
    /// the shape of "hold the period, then read its closed marker", which
    /// stores may answer in one round trip.
    async fn lock_then_get(
        &mut self,
        tenant: TenantId,
        name: &str,
        mode: LockMode,
        id: Uuid,
    ) -> Result<Option<Entity>, StoreError> {
        self.lock(tenant, name, mode).await?;
        self.get_entity(tenant, id, false).await
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

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A short name for logs and test names: `sqlite`, `postgres`, `memory`.
    fn kind(&self) -> &'static str;
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError>;
    async fn get_entity(&self, tenant: TenantId, id: Uuid) -> Result<Option<Entity>, StoreError>;
    async fn get_key(&self, tenant: TenantId, key: &str) -> Result<Option<KeyRecord>, StoreError>;
    async fn create_tenant(&self, tenant: &Tenant, token_hash: &str) -> Result<(), StoreError>;
    async fn tenant_by_token_hash(&self, token_hash: &str) -> Result<Option<Tenant>, StoreError>;
    /// Revokes the tenant's bearer token: from now on it authenticates
    /// nothing. `false` if there is no such tenant. (Default: a store that
    /// cannot revoke says so rather than pretending.)
    async fn revoke_token(&self, _tenant: TenantId) -> Result<bool, StoreError> {
        Err(StoreError::Other("this store cannot revoke tokens".into()))
    }
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
    /// Every committed key record (of one tenant, or all), ordered by
    /// tenant and key: what checkers compare a recorded history against.
    async fn keys(&self, tenant: Option<TenantId>) -> Result<Vec<KeyRecord>, StoreError>;
    async fn audit_rows(&self, tenant: Option<TenantId>) -> Result<Vec<AuditRecord>, StoreError>;
    async fn workflows(&self, tenant: Option<TenantId>) -> Result<Vec<WorkflowInstance>, StoreError>;
    async fn entities(&self, tenant: Option<TenantId>) -> Result<Vec<Entity>, StoreError>;
    /// Committed entities of `kind` (of one tenant, or all; only children of
    /// `parent` if given), ordered by id.
    async fn list_entities(
        &self,
        tenant: Option<TenantId>,
        kind: &str,
        parent: Option<Uuid>,
    ) -> Result<Vec<Entity>, StoreError>;
    async fn counts(&self) -> Result<Counts, StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
    /// When a key was first used, as `YYYY-MM-DD?HH:MM:SS[.fff…]` UTC text.
    async fn key_created_at(&self, tenant: TenantId, key: &str) -> Result<Option<String>, StoreError>;
}
