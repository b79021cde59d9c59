//! A store wrapper that fails one chosen step of one transaction, so tests
//! can show a transient failure mid-transaction persists nothing and the
//! retry executes afresh; or rewrites the document of one record on its way
//! in, so tests can show the schema refuses what an operation's rules would
//! never let through. It wraps any store, so the same test runs on all.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use uuid::Uuid;

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The bearer token's lookup, before any transaction.
    Authenticate,
    Begin,
    Claim,
    GetEntity,
    ListEntities,
    CountMatching,
    Lock,
    InsertEntity,
    UpdateEntity,
    InsertWorkflow,
    CompleteKey,
    InsertAudit,
    Commit,
}

/// How a record's document is rewritten (`FaultyStore::rewrite_once`).
pub type RewriteFn = Arc<dyn Fn(&mut serde_json::Value) + Send + Sync>;

/// A rewrite waiting for the next write of a record of `kind`.
struct Rewrite {
    kind: String,
    f: RewriteFn,
}

type Armed = Arc<Mutex<Option<Step>>>;
type Rewrites = Arc<Mutex<Option<Rewrite>>>;

#[derive(Clone)]
pub struct FaultyStore {
    inner: Arc<dyn Store>,
    armed: Armed,
    rewrite: Rewrites,
}

impl FaultyStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self { inner, armed: Arc::new(Mutex::new(None)), rewrite: Arc::new(Mutex::new(None)) }
    }

    /// The next record of `kind` written (inserted or updated) goes to the
    /// store with its document rewritten by `f`: a write that bypasses the
    /// operation's rules, for the schema to refuse.
    pub fn rewrite_once(&self, kind: &str, f: RewriteFn) {
        *self.rewrite.lock().unwrap_or_else(|p| p.into_inner()) = Some(Rewrite { kind: kind.to_owned(), f });
    }

    /// True while a rewrite has not been applied yet.
    pub fn rewrite_pending(&self) -> bool {
        self.rewrite.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// The next time `step` runs, it fails with `StoreError::Unavailable`.
    pub fn fail_once(&self, step: Step) {
        *self.armed.lock().unwrap_or_else(|p| p.into_inner()) = Some(step);
    }

    /// Takes back an armed fault that has not fired.
    pub fn disarm(&self) {
        *self.armed.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// True while an armed fault has not fired yet.
    pub fn armed(&self) -> bool {
        self.armed.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    fn trip(armed: &Mutex<Option<Step>>, step: Step) -> Result<(), StoreError> {
        let mut a = armed.lock().unwrap_or_else(|p| p.into_inner());
        if *a == Some(step) {
            *a = None;
            return Err(StoreError::Unavailable(format!("injected fault at {step:?}")));
        }
        Ok(())
    }
}

struct FaultyTx {
    inner: Box<dyn Tx>,
    armed: Armed,
    rewrite: Rewrites,
}

impl FaultyTx {
    fn trip(&self, step: Step) -> Result<(), StoreError> {
        FaultyStore::trip(&self.armed, step)
    }

    /// `e`, or its rewritten copy if a rewrite waits for its kind.
    fn rewritten(&self, e: &Entity) -> Entity {
        let mut r = self.rewrite.lock().unwrap_or_else(|p| p.into_inner());
        if r.as_ref().is_none_or(|r| r.kind != e.kind) {
            return e.clone();
        }
        let Some(Rewrite { f, .. }) = r.take() else { return e.clone() };
        let mut doc: serde_json::Value = serde_json::from_str(&e.body).unwrap_or(serde_json::Value::Null);
        f(&mut doc);
        Entity { body: doc.to_string(), ..e.clone() }
    }
}

#[async_trait]
impl Tx for FaultyTx {
    async fn claim_key(&mut self, claim: &KeyClaim) -> Result<Claim, StoreError> {
        self.trip(Step::Claim)?;
        self.inner.claim_key(claim).await
    }
    async fn complete_key(&mut self, t: TenantId, k: &str, r: &StoredResponse) -> Result<(), StoreError> {
        self.trip(Step::CompleteKey)?;
        self.inner.complete_key(t, k, r).await
    }
    async fn get_entity(
        &mut self,
        t: TenantId,
        table: Table,
        id: Uuid,
        fu: bool,
    ) -> Result<Option<Entity>, StoreError> {
        self.trip(Step::GetEntity)?;
        self.inner.get_entity(t, table, id, fu).await
    }
    async fn list_entities(&mut self, t: TenantId, k: Table, p: Option<Uuid>) -> Result<Vec<Entity>, StoreError> {
        self.trip(Step::ListEntities)?;
        self.inner.list_entities(t, k, p).await
    }
    async fn write_all(&mut self, w: &WriteSet<'_>) -> Result<(), StoreError> {
        // The steps the batch stands for fail as they would one by one.
        let steps = [
            (Step::InsertEntity, !w.inserts.is_empty()),
            (Step::UpdateEntity, !w.updates.is_empty()),
            (Step::InsertWorkflow, !w.workflows.is_empty()),
            (Step::CompleteKey, w.complete.is_some()),
            (Step::InsertAudit, true),
        ];
        for (step, present) in steps {
            if present {
                self.trip(step)?;
            }
        }
        // A waiting rewrite applies to the batch's records as to single writes.
        let inserts: Vec<Entity> = w.inserts.iter().map(|e| self.rewritten(e)).collect();
        let updates: Vec<Entity> = w.updates.iter().map(|e| self.rewritten(e)).collect();
        self.inner.write_all(&WriteSet { inserts: &inserts, updates: &updates, ..*w }).await
    }
    async fn count_matching(&mut self, m: &FieldMatch) -> Result<u64, StoreError> {
        self.trip(Step::CountMatching)?;
        self.inner.count_matching(m).await
    }
    async fn lock(&mut self, t: TenantId, name: &str, mode: LockMode) -> Result<(), StoreError> {
        self.trip(Step::Lock)?;
        self.inner.lock(t, name, mode).await
    }
    async fn lock_then_get(
        &mut self,
        t: TenantId,
        name: &str,
        mode: LockMode,
        table: Table,
        id: Uuid,
    ) -> Result<Option<Entity>, StoreError> {
        self.trip(Step::Lock)?;
        self.trip(Step::GetEntity)?;
        self.inner.lock_then_get(t, name, mode, table, id).await
    }
    async fn insert_entity(&mut self, e: &Entity) -> Result<(), StoreError> {
        self.trip(Step::InsertEntity)?;
        let e = self.rewritten(e);
        self.inner.insert_entity(&e).await
    }
    async fn update_entity(&mut self, e: &Entity) -> Result<(), StoreError> {
        self.trip(Step::UpdateEntity)?;
        let e = self.rewritten(e);
        self.inner.update_entity(&e).await
    }

    async fn insert_workflow(&mut self, w: &WorkflowInstance) -> Result<(), StoreError> {
        self.trip(Step::InsertWorkflow)?;
        self.inner.insert_workflow(w).await
    }
    async fn insert_audit(&mut self, a: &AuditRecord) -> Result<(), StoreError> {
        self.trip(Step::InsertAudit)?;
        self.inner.insert_audit(a).await
    }
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        // A failed commit must not commit: roll back, then report.
        if let Err(e) = self.trip(Step::Commit) {
            self.inner.rollback().await?;
            return Err(e);
        }
        self.inner.commit().await
    }
    async fn rollback(self: Box<Self>) -> Result<(), StoreError> {
        self.inner.rollback().await
    }
}

#[async_trait]
impl Store for FaultyStore {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        Self::trip(&self.armed, Step::Begin)?;
        let inner = self.inner.begin().await?;
        Ok(Box::new(FaultyTx { inner, armed: self.armed.clone(), rewrite: self.rewrite.clone() }))
    }
    async fn get_entity(&self, t: TenantId, table: Table, id: Uuid) -> Result<Option<Entity>, StoreError> {
        self.inner.get_entity(t, table, id).await
    }
    async fn get_key(&self, t: TenantId, k: &str) -> Result<Option<KeyRecord>, StoreError> {
        self.inner.get_key(t, k).await
    }
    async fn tenant_by_token_hash(&self, h: &str) -> Result<Option<Tenant>, StoreError> {
        Self::trip(&self.armed, Step::Authenticate)?;
        self.inner.tenant_by_token_hash(h).await
    }
    async fn append_audit(&self, a: &AuditRecord) -> Result<(), StoreError> {
        self.inner.append_audit(a).await
    }
    async fn replay_completed(&self, r: &KeyRecord, a: &AuditRecord) -> Result<Option<StoredResponse>, StoreError> {
        self.inner.replay_completed(r, a).await
    }
    async fn list_entities(&self, t: Option<TenantId>, k: Table, p: Option<Uuid>) -> Result<Vec<Entity>, StoreError> {
        self.inner.list_entities(t, k, p).await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
    async fn replication(&self) -> Result<Option<Replication>, StoreError> {
        self.inner.replication().await
    }
    async fn key_meta(&self, t: TenantId, k: &str) -> Result<Option<KeyMeta>, StoreError> {
        self.inner.key_meta(t, k).await
    }
}

#[async_trait]
impl Admin for FaultyStore {
    async fn create_tenant(&self, t: &Tenant, h: &str) -> Result<(), StoreError> {
        self.inner.create_tenant(t, h).await
    }

    async fn revoke_token(&self, t: TenantId) -> Result<bool, StoreError> {
        self.inner.revoke_token(t).await
    }

    async fn keys(&self, t: Option<TenantId>) -> Result<Vec<KeyRecord>, StoreError> {
        self.inner.keys(t).await
    }

    async fn audit_rows(&self, t: Option<TenantId>) -> Result<Vec<AuditRecord>, StoreError> {
        self.inner.audit_rows(t).await
    }

    async fn workflows(&self, t: Option<TenantId>) -> Result<Vec<WorkflowInstance>, StoreError> {
        self.inner.workflows(t).await
    }

    async fn entities(&self, t: Option<TenantId>) -> Result<Vec<Entity>, StoreError> {
        self.inner.entities(t).await
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        self.inner.counts().await
    }
}
