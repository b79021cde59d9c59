//! The records the store seam reads and writes: key records, entities,
//! outbox rows, audit rows, tenants and the shapes of lookups.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::ids::TenantId;
use crate::domain::ledger::StoredLine;
use crate::idempotency::expiry::KeyState;

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

/// What a key record says about itself besides its request and response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMeta {
    /// When the key was committed (RFC 3339, UTC).
    pub created_at: String,
    pub state: KeyState,
}

/// Ledger lines are stored as entities; the domain's verifier reads them.
impl StoredLine for Entity {
    fn tenant(&self) -> TenantId {
        self.tenant_id
    }
    fn row_id(&self) -> Uuid {
        self.id
    }
    fn kind(&self) -> &str {
        &self.kind
    }
    fn body(&self) -> &str {
        &self.body
    }
}

/// What the database the store writes to says of its replication: whether
/// a commit waits for a standby before it is acknowledged. Without one, a
/// failover can lose acknowledged writes (the key record with them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replication {
    /// The host the store writes to (`host:port`).
    pub host: String,
    /// `synchronous_standby_names` on it ('' when commits wait for no one).
    pub synchronous_standby_names: String,
    /// Standbys streaming from it, and those of them that are synchronous
    /// (`pg_stat_replication.sync_state` `sync` or `quorum`).
    pub standbys: i64,
    pub synchronous_standbys: i64,
}

impl Replication {
    /// Commits wait for a standby that is there to confirm them.
    pub fn synchronous(&self) -> bool {
        !self.synchronous_standby_names.trim().is_empty() && self.synchronous_standbys > 0
    }

    /// One line for logs and `/readyz`.
    pub fn describe(&self) -> String {
        if self.synchronous() {
            format!(
                "replication: synchronous ({} of {} standbys synchronous, synchronous_standby_names '{}') on {}",
                self.synchronous_standbys, self.standbys, self.synchronous_standby_names, self.host
            )
        } else {
            format!(
                "replication: NOT synchronous on {} ({} standbys, {} synchronous, synchronous_standby_names '{}'): \
                 a failover can lose acknowledged writes",
                self.host, self.standbys, self.synchronous_standbys, self.synchronous_standby_names
            )
        }
    }
}
