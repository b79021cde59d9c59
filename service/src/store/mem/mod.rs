//! A deterministic in-memory store with the locking behaviour of Postgres
//! under READ COMMITTED, as far as the engine relies on it:
//!
//! - a claimed key is locked by its transaction; a second claimer waits
//!   (bounded) and then sees the committed record, or claims the key itself
//!   if the first transaction aborted;
//! - `get_entity(for_update)` locks the row until the transaction ends;
//! - named locks (`Tx::lock`) are shared or exclusive, and a shared request
//!   queues behind a waiting exclusive one;
//! - writes are buffered and applied atomically at commit; a dropped
//!   transaction is an aborted one.
//!
//! Only ordered maps are used, so iteration order never depends on hashing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use uuid::Uuid;

mod constraints;
mod locks;
use super::*;
use crate::idempotency::expiry::KeyState;
use locks::{LockName, LockTable};

/// Everything that survives a commit. Cloneable so a simulated database can
/// snapshot it ("committed data survives a restart").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MemState {
    pub tenants: BTreeMap<TenantId, (Tenant, String)>,
    pub keys: BTreeMap<(TenantId, String), KeyRecord>,
    pub entities: BTreeMap<Uuid, Entity>,
    pub workflows: BTreeMap<Uuid, WorkflowInstance>,
    pub audit: Vec<AuditRecord>,
    /// When each key was committed (RFC 3339, the simulator's clock under madsim).
    #[serde(default)]
    pub key_created: BTreeMap<(TenantId, String), String>,
    /// Keys the reaper turned into tombstones (state `expired`).
    #[serde(default)]
    pub keys_expired: BTreeSet<(TenantId, String)>,
    /// Each outbox row's delivery state (`workflow_instances`' status
    /// columns); a committed row without an entry is pending and never tried.
    #[serde(default)]
    pub deliveries: BTreeMap<Uuid, DeliveryState>,
}

/// Where one outbox row is in its delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryState {
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// Milliseconds since the epoch (the simulator's clock under madsim).
    pub locked_until_ms: Option<u64>,
    pub next_attempt_ms: Option<u64>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    #[default]
    Pending,
    Delivering,
    Done,
    Failed,
}

#[derive(Default)]
struct Shared {
    state: MemState,
    locks: LockTable,
    next_tx: u64,
}

#[derive(Clone)]
pub struct MemStore {
    shared: Arc<Mutex<Shared>>,
    released: Arc<Notify>,
    /// Bound on waiting for a row lock other than a key claim.
    lock_wait: Duration,
}

impl Default for MemStore {
    fn default() -> Self {
        Self::new(Duration::from_secs(5))
    }
}

impl MemStore {
    pub fn new(lock_wait: Duration) -> Self {
        Self { shared: Arc::new(Mutex::new(Shared::default())), released: Arc::new(Notify::new()), lock_wait }
    }

    /// A copy of the committed state.
    pub fn snapshot(&self) -> MemState {
        self.lock().state.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        // A panic while holding this lock is a bug in this file; the state
        // it guards is only mutated by infallible map operations.
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Default)]
struct Pending {
    keys: BTreeMap<(TenantId, String), KeyRecord>,
    entities: BTreeMap<Uuid, Entity>,
    workflows: BTreeMap<Uuid, WorkflowInstance>,
    audit: Vec<AuditRecord>,
}

pub struct MemTx {
    store: MemStore,
    id: u64,
    held: BTreeSet<LockName>,
    pending: Pending,
    finished: bool,
}

enum LockOutcome {
    Acquired,
    TimedOut,
}

impl MemTx {
    /// Waits until `name` can be held in `mode`, bounded by `wait`. `ready`
    /// may end the wait early with a value (a committed key record).
    async fn acquire<T>(
        &mut self,
        name: LockName,
        mode: LockMode,
        wait: Duration,
        mut ready: impl FnMut(&MemState) -> Option<T>,
    ) -> Result<Result<LockOutcome, T>, StoreError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.store.released.notified();
            {
                let mut shared = self.store.lock();
                if let Some(v) = ready(&shared.state) {
                    shared.locks.stop_waiting(&name, self.id);
                    return Ok(Err(v));
                }
                if shared.locks.try_grant(&name, self.id, mode) {
                    shared.locks.stop_waiting(&name, self.id);
                    self.held.insert(name);
                    return Ok(Ok(LockOutcome::Acquired));
                }
                if mode == LockMode::Exclusive {
                    shared.locks.wait_exclusive(&name, self.id);
                }
            }
            // madsim has no `timeout_at`: wait for what remains of the bound.
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            if tokio::time::timeout(remaining, notified).await.is_err() {
                self.store.lock().locks.stop_waiting(&name, self.id);
                // A shared request may have been queued behind this one.
                self.store.released.notify_waiters();
                return Ok(Ok(LockOutcome::TimedOut));
            }
        }
    }

    /// Releases every lock this transaction holds and withdraws any wait it
    /// left queued (a transaction dropped mid-wait must not block others).
    fn release_all(&mut self) {
        let mut shared = self.store.lock();
        for name in std::mem::take(&mut self.held) {
            shared.locks.release(&name, self.id);
        }
        shared.locks.forget_waiter(self.id);
        drop(shared);
        self.store.released.notify_waiters();
    }

    fn holds(&self, name: &LockName) -> bool {
        self.held.contains(name)
    }
}

/// The rows as a transaction sees them: its own writes over the committed.
struct View<'a> {
    pending: &'a BTreeMap<Uuid, Entity>,
    committed: &'a BTreeMap<Uuid, Entity>,
}

impl constraints::Rows for View<'_> {
    fn get(&self, id: Uuid) -> Option<Entity> {
        self.pending.get(&id).or_else(|| self.committed.get(&id)).cloned()
    }

    fn of_table(&self, table: Table) -> Vec<Entity> {
        let mut rows: BTreeMap<Uuid, &Entity> =
            self.committed.values().filter(|e| e.kind == table.kind()).map(|e| (e.id, e)).collect();
        rows.extend(self.pending.values().filter(|e| e.kind == table.kind()).map(|e| (e.id, e)));
        rows.into_values().cloned().collect()
    }
}

impl MemTx {
    /// The schema's checks on one write of this transaction.
    fn check_write(&self, entity: &Entity) -> Result<(), StoreError> {
        let shared = self.store.lock();
        let view = View { pending: &self.pending.entities, committed: &shared.state.entities };
        let old = constraints::Rows::get(&view, entity.id);
        constraints::check_write(&view, entity, old.as_ref()).map_err(StoreError::Constraint)
    }
}

impl Drop for MemTx {
    fn drop(&mut self) {
        if !self.finished {
            self.release_all();
        }
    }
}

#[async_trait]
impl Tx for MemTx {
    async fn claim_key(&mut self, claim: &KeyClaim) -> Result<Claim, StoreError> {
        let rec = &claim.record;
        let k = (rec.tenant_id, rec.idempotency_key.clone());
        if self.pending.keys.contains_key(&k) {
            return Err(StoreError::Other("key already claimed by this transaction".into()));
        }
        let lookup = k.clone();
        let name = LockName::Key(k.0, k.1.clone());
        // PLANTED BUG (`stale-waiter`): the decision is made on what was read
        // before the lock wait, not after it.
        let stale = crate::planted::on(crate::planted::Bug::StaleWaiter)
            .then(|| self.store.lock().state.keys.get(&lookup).cloned());
        let got = self.acquire(name, LockMode::Exclusive, claim.wait, |s| s.keys.get(&lookup).cloned()).await?;
        let got = match (stale, got) {
            (Some(None), Err(_)) => Ok(LockOutcome::Acquired),
            (_, got) => got,
        };
        match got {
            Err(existing) => Ok(Claim::Existing(existing)),
            Ok(LockOutcome::TimedOut) => Ok(Claim::InFlight),
            Ok(LockOutcome::Acquired) => {
                self.pending.keys.insert(k, rec.clone());
                Ok(Claim::Claimed)
            }
        }
    }

    async fn complete_key(&mut self, tenant: TenantId, key: &str, response: &StoredResponse) -> Result<(), StoreError> {
        match self.pending.keys.get_mut(&(tenant, key.to_owned())) {
            Some(rec) => {
                rec.response = Some(response.clone());
                Ok(())
            }
            None => Err(StoreError::Other("complete_key on a key this transaction did not claim".into())),
        }
    }

    async fn get_entity(
        &mut self,
        tenant: TenantId,
        table: Table,
        id: Uuid,
        for_update: bool,
    ) -> Result<Option<Entity>, StoreError> {
        if for_update {
            let wait = self.store.lock_wait;
            let got = self.acquire(LockName::Entity(id), LockMode::Exclusive, wait, |_| None::<()>).await?;
            if let Ok(LockOutcome::TimedOut) = got {
                return Err(StoreError::LockTimeout("on entity".into()));
            }
        }
        let in_table = |e: &&Entity| e.tenant_id == tenant && e.kind == table.kind();
        if let Some(e) = self.pending.entities.get(&id) {
            return Ok(Some(e).filter(in_table).cloned());
        }
        let shared = self.store.lock();
        Ok(shared.state.entities.get(&id).filter(in_table).cloned())
    }

    async fn list_entities(
        &mut self,
        tenant: TenantId,
        table: Table,
        parent: Option<Uuid>,
    ) -> Result<Vec<Entity>, StoreError> {
        let wanted = |e: &Entity| {
            e.tenant_id == tenant && e.kind == table.kind() && parent.is_none_or(|p| e.parent_id == Some(p))
        };
        let mut found: BTreeMap<Uuid, Entity> = {
            let shared = self.store.lock();
            shared.state.entities.values().filter(|e| wanted(e)).map(|e| (e.id, e.clone())).collect()
        };
        // This transaction's own writes win over the committed rows.
        for e in self.pending.entities.values().filter(|e| wanted(e)) {
            found.insert(e.id, e.clone());
        }
        Ok(found.into_values().collect())
    }

    async fn count_matching(&mut self, m: &FieldMatch) -> Result<u64, StoreError> {
        let mut found: BTreeMap<Uuid, bool> = {
            let shared = self.store.lock();
            let of_kind = shared.state.entities.values().filter(|e| e.kind == m.field.kind());
            of_kind.map(|e| (e.id, m.matches(e))).collect()
        };
        // This transaction's own writes win over the committed rows.
        for e in self.pending.entities.values() {
            found.insert(e.id, m.matches(e));
        }
        Ok(found.values().filter(|hit| **hit).count().min(m.limit as usize) as u64)
    }

    async fn lock(&mut self, tenant: TenantId, name: &str, mode: LockMode) -> Result<(), StoreError> {
        let wait = self.store.lock_wait;
        let got = self.acquire(LockName::Named(tenant, name.to_owned()), mode, wait, |_| None::<()>).await?;
        match got {
            Ok(LockOutcome::TimedOut) => Err(StoreError::LockTimeout(format!("on lock {name}"))),
            _ => Ok(()),
        }
    }

    async fn insert_entity(&mut self, entity: &Entity) -> Result<(), StoreError> {
        let wait = self.store.lock_wait;
        let got = self.acquire(LockName::Entity(entity.id), LockMode::Exclusive, wait, |_| None::<()>).await?;
        if let Ok(LockOutcome::TimedOut) = got {
            return Err(StoreError::LockTimeout("on entity insert".into()));
        }
        let exists =
            self.pending.entities.contains_key(&entity.id) || self.store.lock().state.entities.contains_key(&entity.id);
        if exists {
            let table = Table::for_kind(&entity.kind)?;
            return Err(StoreError::Duplicate(format!("{}.id = {}", table.name(), entity.id)));
        }
        self.check_write(entity)?;
        self.pending.entities.insert(entity.id, entity.clone());
        Ok(())
    }

    async fn update_entity(&mut self, entity: &Entity) -> Result<(), StoreError> {
        if !self.holds(&LockName::Entity(entity.id)) {
            return Err(StoreError::Other("update_entity without a row lock".into()));
        }
        self.check_write(entity)?;
        self.pending.entities.insert(entity.id, entity.clone());
        Ok(())
    }

    async fn insert_workflow(&mut self, workflow: &WorkflowInstance) -> Result<(), StoreError> {
        let exists = self.pending.workflows.contains_key(&workflow.id)
            || self.store.lock().state.workflows.contains_key(&workflow.id);
        if exists {
            // As the SQL stores report it: an outbox id is derived from its
            // entity's, so only a bug or a stray row can take it first.
            let message = format!("UNIQUE constraint failed: workflow_instances.id = {}", workflow.id);
            let violation = ConstraintViolation::new(ConstraintKind::Unique, "workflow_instances.id", message);
            return Err(StoreError::Constraint(violation));
        }
        self.pending.workflows.insert(workflow.id, workflow.clone());
        Ok(())
    }

    async fn insert_audit(&mut self, audit: &AuditRecord) -> Result<(), StoreError> {
        self.pending.audit.push(audit.clone());
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.pending);
        {
            let mut shared = self.store.lock();
            let written: Vec<Entity> = pending.entities.values().cloned().collect();
            let view = View { pending: &pending.entities, committed: &shared.state.entities };
            if let Err(v) = constraints::check_commit(&view, &written) {
                // Refused at commit, as a deferred constraint: nothing applies.
                drop(shared);
                self.finished = true;
                self.release_all();
                return Err(StoreError::Constraint(v));
            }
            let state = &mut shared.state;
            let now = crate::domain::time::rfc3339_now();
            for (k, rec) in pending.keys {
                state.key_created.entry(k.clone()).or_insert_with(|| now.clone());
                state.keys.insert(k, rec);
            }
            state.entities.extend(pending.entities);
            state.workflows.extend(pending.workflows);
            state.audit.extend(pending.audit);
        }
        self.finished = true;
        self.release_all();
        Ok(())
    }

    async fn rollback(mut self: Box<Self>) -> Result<(), StoreError> {
        self.finished = true;
        self.release_all();
        Ok(())
    }
}

#[async_trait]
impl Store for MemStore {
    fn kind(&self) -> &'static str {
        "memory"
    }

    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        let id = {
            let mut shared = self.lock();
            shared.next_tx += 1;
            shared.next_tx
        };
        Ok(Box::new(MemTx {
            store: self.clone(),
            id,
            held: BTreeSet::new(),
            pending: Pending::default(),
            finished: false,
        }))
    }

    async fn get_entity(&self, tenant: TenantId, table: Table, id: Uuid) -> Result<Option<Entity>, StoreError> {
        let shared = self.lock();
        Ok(shared.state.entities.get(&id).filter(|e| e.tenant_id == tenant && e.kind == table.kind()).cloned())
    }

    async fn get_key(&self, tenant: TenantId, key: &str) -> Result<Option<KeyRecord>, StoreError> {
        Ok(self.lock().state.keys.get(&(tenant, key.to_owned())).cloned())
    }

    async fn tenant_by_token_hash(&self, token_hash: &str) -> Result<Option<Tenant>, StoreError> {
        let shared = self.lock();
        Ok(shared.state.tenants.values().find(|(_, h)| h == token_hash).map(|(t, _)| t.clone()))
    }

    async fn append_audit(&self, audit: &AuditRecord) -> Result<(), StoreError> {
        self.lock().state.audit.push(audit.clone());
        Ok(())
    }

    async fn replay_completed(
        &self,
        request: &KeyRecord,
        audit: &AuditRecord,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let mut shared = self.lock();
        let found = shared.state.keys.get(&(request.tenant_id, request.idempotency_key.clone()));
        let Some(response) = found.filter(|k| replays(k, request)).and_then(|k| k.response.clone()) else {
            return Ok(None);
        };
        shared.state.audit.push(AuditRecord { http_status: response.status, ..audit.clone() });
        Ok(Some(response))
    }

    async fn list_entities(
        &self,
        tenant: Option<TenantId>,
        table: Table,
        parent: Option<Uuid>,
    ) -> Result<Vec<Entity>, StoreError> {
        let shared = self.lock();
        Ok(shared
            .state
            .entities
            .values()
            .filter(|e| tenant.is_none_or(|t| e.tenant_id == t) && e.kind == table.kind())
            .filter(|e| parent.is_none_or(|p| e.parent_id == Some(p)))
            .cloned()
            .collect())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn key_meta(&self, tenant: TenantId, key: &str) -> Result<Option<KeyMeta>, StoreError> {
        let shared = self.lock();
        let k = (tenant, key.to_owned());
        let state = if shared.state.keys_expired.contains(&k) { KeyState::Expired } else { KeyState::Active };
        Ok(shared.state.key_created.get(&k).map(|c| KeyMeta { created_at: c.clone(), state }))
    }
}

#[async_trait]
impl Admin for MemStore {
    async fn create_tenant(&self, tenant: &Tenant, token_hash: &str) -> Result<(), StoreError> {
        let mut shared = self.lock();
        // Both are unique in the SQL schema (primary key, UNIQUE token_hash).
        let taken = if shared.state.tenants.contains_key(&tenant.id) {
            Some("tenants.id")
        } else {
            shared.state.tenants.values().any(|(_, h)| h == token_hash).then_some("tenants.token_hash")
        };
        if let Some(column) = taken {
            let message = format!("UNIQUE constraint failed: {column}");
            return Err(StoreError::Constraint(ConstraintViolation::new(ConstraintKind::Unique, column, message)));
        }
        shared.state.tenants.insert(tenant.id, (tenant.clone(), token_hash.to_owned()));
        Ok(())
    }

    async fn revoke_token(&self, tenant: TenantId) -> Result<bool, StoreError> {
        let mut shared = self.lock();
        match shared.state.tenants.get_mut(&tenant) {
            // No SHA-256 hex digest contains ':', so nothing matches it again.
            Some((_, hash)) => {
                *hash = format!("revoked:{}", tenant.0);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn keys(&self, tenant: Option<TenantId>) -> Result<Vec<KeyRecord>, StoreError> {
        let shared = self.lock();
        Ok(shared.state.keys.values().filter(|k| tenant.is_none_or(|t| k.tenant_id == t)).cloned().collect())
    }

    async fn audit_rows(&self, tenant: Option<TenantId>) -> Result<Vec<AuditRecord>, StoreError> {
        let shared = self.lock();
        Ok(shared.state.audit.iter().filter(|a| tenant.is_none_or(|t| a.company_id == t)).cloned().collect())
    }

    async fn workflows(&self, tenant: Option<TenantId>) -> Result<Vec<WorkflowInstance>, StoreError> {
        let shared = self.lock();
        Ok(shared.state.workflows.values().filter(|w| tenant.is_none_or(|t| w.tenant_id == t)).cloned().collect())
    }

    async fn entities(&self, tenant: Option<TenantId>) -> Result<Vec<Entity>, StoreError> {
        let shared = self.lock();
        Ok(shared.state.entities.values().filter(|e| tenant.is_none_or(|t| e.tenant_id == t)).cloned().collect())
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        let s = &self.lock().state;
        Ok(Counts {
            keys: s.keys.len() as u64,
            entities: s.entities.len() as u64,
            workflows: s.workflows.len() as u64,
            audit_rows: s.audit.len() as u64,
            audit_new: s.audit.iter().filter(|a| a.status == AuditStatus::New).count() as u64,
        })
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

/// The jobs' side on the maps: one lock for each call, so a claim is atomic
/// and two dispatchers never claim the same row (as `SKIP LOCKED` gives).
/// Rows are claimed in id order (the SQL stores take creation order; no
/// caller depends on the order).
#[async_trait]
impl JobStore for MemStore {
    async fn claim_workflows(&self, batch: u32, lease: Duration) -> Result<Vec<Delivery>, StoreError> {
        let now = now_ms();
        let mut shared = self.lock();
        let state = &mut shared.state;
        let mut out = Vec::new();
        for (id, w) in &state.workflows {
            if out.len() >= batch as usize {
                break;
            }
            let d = state.deliveries.entry(*id).or_default();
            let due = match d.status {
                DeliveryStatus::Pending => d.next_attempt_ms.is_none_or(|t| t <= now),
                DeliveryStatus::Delivering => d.locked_until_ms.is_some_and(|t| t < now),
                DeliveryStatus::Done | DeliveryStatus::Failed => false,
            };
            if !due {
                continue;
            }
            d.status = DeliveryStatus::Delivering;
            d.attempts += 1;
            d.locked_until_ms = Some(now + lease.as_millis() as u64);
            out.push(Delivery {
                id: w.id.to_string(),
                tenant_id: w.tenant_id.to_string(),
                workflow_name: w.workflow_name.clone(),
                trigger_entity_id: w.trigger_entity_id.to_string(),
                operation_name: w.operation_name.clone(),
                payload: w.payload.clone(),
                attempts: d.attempts,
            });
        }
        Ok(out)
    }

    async fn mark_delivered(&self, ids: &[String]) -> Result<(), StoreError> {
        let mut shared = self.lock();
        for id in ids.iter().filter_map(|i| Uuid::parse_str(i).ok()) {
            if let Some(d) = shared.state.deliveries.get_mut(&id).filter(|d| d.status == DeliveryStatus::Delivering) {
                d.status = DeliveryStatus::Done;
                d.locked_until_ms = None;
                d.last_error = None;
            }
        }
        Ok(())
    }

    async fn schedule_retry(
        &self,
        id: &str,
        backoff: Duration,
        attempts_max: i32,
        error: &str,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let Ok(id) = Uuid::parse_str(id) else { return Ok(()) };
        let mut shared = self.lock();
        if let Some(d) = shared.state.deliveries.get_mut(&id).filter(|d| d.status == DeliveryStatus::Delivering) {
            d.status = if d.attempts >= attempts_max { DeliveryStatus::Failed } else { DeliveryStatus::Pending };
            d.next_attempt_ms = Some(now + backoff.as_millis() as u64);
            d.locked_until_ms = None;
            d.last_error = Some(error.to_owned());
        }
        Ok(())
    }

    async fn expire_keys(
        &self,
        ttl: Duration,
        high_risk: &[&str],
        tombstone: &StoredResponse,
    ) -> Result<Reaped, StoreError> {
        let cutoff_ms = now_ms().saturating_sub(ttl.as_millis() as u64);
        let mut shared = self.lock();
        let state = &mut shared.state;
        let expired: Vec<(TenantId, String)> = state
            .keys
            .iter()
            .filter(|(k, rec)| {
                let created = state.key_created.get(*k).and_then(|c| crate::domain::time::parse_utc(c));
                let created_ms = created.map(|(s, ms)| s.max(0) as u64 * 1000 + u64::from(ms));
                rec.response.is_some() && !state.keys_expired.contains(*k) && created_ms.is_some_and(|c| c < cutoff_ms)
            })
            .map(|(k, _)| k.clone())
            .collect();
        let mut r = Reaped::default();
        for k in expired {
            let high = state.keys.get(&k).is_some_and(|rec| high_risk.contains(&rec.operation.as_str()));
            if high {
                if let Some(rec) = state.keys.get_mut(&k) {
                    rec.response = Some(tombstone.clone());
                }
                state.keys_expired.insert(k);
                r.tombstoned += 1;
            } else {
                state.keys.remove(&k);
                state.key_created.remove(&k);
                r.deleted += 1;
            }
        }
        Ok(r)
    }
}
