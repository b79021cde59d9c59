//! The simulated database: the in-memory store served over (simulated) TCP,
//! so database faults reach the service the way real ones do.
//!
//! One connection carries at most one transaction. When the connection
//! closes, times out idle, or the database node dies, the open transaction
//! is dropped, which aborts it (its locks are released, nothing is
//! committed). Committed data lives in the `MemStore` owned outside the
//! node, so it survives a restart.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accubooks_service::domain::ids::TenantId;
use accubooks_service::store::mem::MemStore;
use accubooks_service::store::{
    Admin, AuditRecord, Claim, Counts, Delivery, Entity, FieldMatch, JobStore, KeyClaim, KeyMeta, KeyRecord, LockMode,
    Reaped, Store, StoreError, StoredResponse, Table, Tenant, Tx, WorkflowInstance,
};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

/// Frames larger than this are refused (a corrupt length must not allocate).
const FRAME_BYTES_MAX: usize = 16 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
enum Request {
    Begin,
    Claim(KeyClaim),
    Complete { tenant: TenantId, key: String, response: StoredResponse },
    TxGetEntity { tenant: TenantId, table: Table, id: Uuid, for_update: bool },
    TxListEntities { tenant: TenantId, table: Table, parent: Option<Uuid> },
    TxCountMatching(FieldMatch),
    Lock { tenant: TenantId, name: String, mode: LockMode },
    InsertEntity(Entity),
    UpdateEntity(Entity),
    InsertWorkflow(WorkflowInstance),
    InsertAudit(AuditRecord),
    Commit,
    Rollback,
    GetEntity { tenant: TenantId, table: Table, id: Uuid },
    GetKey { tenant: TenantId, key: String },
    CreateTenant { tenant: Tenant, token_hash: String },
    TenantByToken(String),
    AppendAudit(AuditRecord),
    ReplayCompleted(KeyRecord, AuditRecord),
    Keys(Option<TenantId>),
    AuditRows(Option<TenantId>),
    Workflows(Option<TenantId>),
    Entities(Option<TenantId>),
    ListEntities { tenant: Option<TenantId>, table: Table, parent: Option<Uuid> },
    Counts,
    Ping,
    KeyMeta { tenant: TenantId, key: String },
    ClaimWorkflows { batch: u32, lease: Duration },
    MarkDelivered(Vec<String>),
    ScheduleRetry { id: String, backoff: Duration, attempts_max: i32, error: String },
    ExpireKeys { ttl: Duration, high_risk: Vec<String>, tombstone: StoredResponse },
}

#[derive(Debug, Serialize, Deserialize)]
enum Reply {
    Done,
    Claim(Claim),
    Entity(Option<Entity>),
    Key(Option<KeyRecord>),
    Keys(Vec<KeyRecord>),
    Tenant(Option<Tenant>),
    Audit(Vec<AuditRecord>),
    Workflows(Vec<WorkflowInstance>),
    Entities(Vec<Entity>),
    Counts(Counts),
    Count(u64),
    Response(Option<StoredResponse>),
    Meta(Option<KeyMeta>),
    Deliveries(Vec<Delivery>),
    Reaped(Reaped),
    Err(StoreError),
}

async fn write_frame<T: Serialize>(s: &mut TcpStream, msg: &T) -> std::io::Result<()> {
    // One buffer, one write: every write is a message on the simulated network.
    let mut frame = vec![0u8; 4];
    serde_json::to_writer(&mut frame, msg).expect("protocol messages serialise");
    let len = (frame.len() - 4) as u32;
    frame[..4].copy_from_slice(&len.to_be_bytes());
    s.write_all(&frame).await?;
    s.flush().await
}

async fn read_frame<T: for<'de> Deserialize<'de>>(s: &mut TcpStream) -> std::io::Result<T> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > FRAME_BYTES_MAX {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "frame too large"));
    }
    let mut buf = vec![0u8; len];
    s.read_exact(&mut buf).await?;
    serde_json::from_slice(&buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Database-side faults, switched on and off by the fault scheduler.
#[derive(Debug, Clone, Default)]
pub struct DbFaults {
    /// Probability that a commit is applied and its acknowledgement dropped.
    pub ambiguous_commit: f64,
    /// Probability that a reply is delayed by `slow_ms`.
    pub slow: f64,
    pub slow_ms: [u64; 2],
}

/// Shared, adjustable fault settings plus counters of what fired.
#[derive(Clone, Default)]
pub struct DbControl {
    inner: Arc<Mutex<(DbFaults, DbFired)>>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct DbFired {
    pub ambiguous_commits: u64,
    pub slow_replies: u64,
    pub idle_aborts: u64,
}

impl DbControl {
    pub fn set(&self, f: DbFaults) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).0 = f;
    }

    pub fn fired(&self) -> DbFired {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).1
    }

    fn with<R>(&self, f: impl FnOnce(&mut DbFaults, &mut DbFired) -> R) -> R {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (a, b) = &mut *g;
        f(a, b)
    }
}

/// A source of randomness for fault decisions (madsim's RNG under simulation).
pub type Rand = Arc<dyn Fn() -> f64 + Send + Sync>;

/// Serves `store` on `listener` until the task is dropped (the node dies).
pub async fn serve_db(listener: TcpListener, store: MemStore, control: DbControl, rand: Rand, idle_tx: Duration) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let (store, control, rand) = (store.clone(), control.clone(), rand.clone());
        tokio::spawn(async move { session(stream, store, control, rand, idle_tx).await });
    }
}

async fn session(mut s: TcpStream, store: MemStore, control: DbControl, rand: Rand, idle_tx: Duration) {
    let mut tx: Option<Box<dyn Tx>> = None;
    loop {
        // An open transaction whose client went silent is aborted, as a
        // real database does with idle_in_transaction_session_timeout.
        let req = if tx.is_some() {
            match tokio::time::timeout(idle_tx, read_frame::<Request>(&mut s)).await {
                Ok(Ok(r)) => r,
                Ok(Err(_)) => return,
                Err(_) => {
                    control.with(|_, fired| fired.idle_aborts += 1);
                    return;
                }
            }
        } else {
            match read_frame::<Request>(&mut s).await {
                Ok(r) => r,
                Err(_) => return,
            }
        };
        let slow = control.with(|f, fired| {
            let hit = f.slow > 0.0 && rand() < f.slow;
            fired.slow_replies += u64::from(hit);
            hit.then(|| f.slow_ms[0] + (rand() * (f.slow_ms[1].saturating_sub(f.slow_ms[0])) as f64) as u64)
        });
        if let Some(ms) = slow {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let is_commit = matches!(req, Request::Commit);
        let reply = dispatch(req, &store, &mut tx).await;
        if is_commit && matches!(reply, Reply::Done) {
            let drop_ack = control.with(|f, fired| {
                let hit = f.ambiguous_commit > 0.0 && rand() < f.ambiguous_commit;
                fired.ambiguous_commits += u64::from(hit);
                hit
            });
            if drop_ack {
                // Committed, but the client never hears so.
                return;
            }
        }
        if write_frame(&mut s, &reply).await.is_err() {
            return;
        }
    }
}

async fn dispatch(req: Request, store: &MemStore, tx: &mut Option<Box<dyn Tx>>) -> Reply {
    let no_tx = || Reply::Err(StoreError::Other("no transaction open on this connection".into()));
    let done = |r: Result<(), StoreError>| r.map_or_else(Reply::Err, |_| Reply::Done);
    match req {
        Request::Begin => match store.begin().await {
            Ok(t) => {
                *tx = Some(t);
                Reply::Done
            }
            Err(e) => Reply::Err(e),
        },
        Request::Commit => match tx.take() {
            Some(t) => done(t.commit().await),
            None => no_tx(),
        },
        Request::Rollback => match tx.take() {
            Some(t) => done(t.rollback().await),
            None => no_tx(),
        },
        Request::Claim(c) => match tx {
            Some(t) => t.claim_key(&c).await.map_or_else(Reply::Err, Reply::Claim),
            None => no_tx(),
        },
        Request::Complete { tenant, key, response } => match tx {
            Some(t) => done(t.complete_key(tenant, &key, &response).await),
            None => no_tx(),
        },
        Request::TxGetEntity { tenant, table, id, for_update } => match tx {
            Some(t) => t.get_entity(tenant, table, id, for_update).await.map_or_else(Reply::Err, Reply::Entity),
            None => no_tx(),
        },
        Request::TxListEntities { tenant, table, parent } => match tx {
            Some(t) => t.list_entities(tenant, table, parent).await.map_or_else(Reply::Err, Reply::Entities),
            None => no_tx(),
        },
        Request::TxCountMatching(m) => match tx {
            Some(t) => t.count_matching(&m).await.map_or_else(Reply::Err, Reply::Count),
            None => no_tx(),
        },
        Request::Lock { tenant, name, mode } => match tx {
            Some(t) => done(t.lock(tenant, &name, mode).await),
            None => no_tx(),
        },
        Request::InsertEntity(e) => match tx {
            Some(t) => done(t.insert_entity(&e).await),
            None => no_tx(),
        },
        Request::UpdateEntity(e) => match tx {
            Some(t) => done(t.update_entity(&e).await),
            None => no_tx(),
        },
        Request::InsertWorkflow(w) => match tx {
            Some(t) => done(t.insert_workflow(&w).await),
            None => no_tx(),
        },
        Request::InsertAudit(a) => match tx {
            Some(t) => done(t.insert_audit(&a).await),
            None => no_tx(),
        },
        Request::GetEntity { tenant, table, id } => {
            store.get_entity(tenant, table, id).await.map_or_else(Reply::Err, Reply::Entity)
        }
        Request::GetKey { tenant, key } => store.get_key(tenant, &key).await.map_or_else(Reply::Err, Reply::Key),
        Request::CreateTenant { tenant, token_hash } => done(store.create_tenant(&tenant, &token_hash).await),
        Request::TenantByToken(h) => store.tenant_by_token_hash(&h).await.map_or_else(Reply::Err, Reply::Tenant),
        Request::AppendAudit(a) => done(store.append_audit(&a).await),
        Request::ReplayCompleted(r, a) => store.replay_completed(&r, &a).await.map_or_else(Reply::Err, Reply::Response),
        Request::Keys(t) => store.keys(t).await.map_or_else(Reply::Err, Reply::Keys),
        Request::AuditRows(t) => store.audit_rows(t).await.map_or_else(Reply::Err, Reply::Audit),
        Request::Workflows(t) => store.workflows(t).await.map_or_else(Reply::Err, Reply::Workflows),
        Request::Entities(t) => store.entities(t).await.map_or_else(Reply::Err, Reply::Entities),
        Request::ListEntities { tenant, table, parent } => {
            store.list_entities(tenant, table, parent).await.map_or_else(Reply::Err, Reply::Entities)
        }
        Request::Counts => store.counts().await.map_or_else(Reply::Err, Reply::Counts),
        Request::Ping => Reply::Done,
        Request::KeyMeta { tenant, key } => store.key_meta(tenant, &key).await.map_or_else(Reply::Err, Reply::Meta),
        Request::ClaimWorkflows { batch, lease } => {
            store.claim_workflows(batch, lease).await.map_or_else(Reply::Err, Reply::Deliveries)
        }
        Request::MarkDelivered(ids) => done(store.mark_delivered(&ids).await),
        Request::ScheduleRetry { id, backoff, attempts_max, error } => {
            done(store.schedule_retry(&id, backoff, attempts_max, &error).await)
        }
        Request::ExpireKeys { ttl, high_risk, tombstone } => {
            let high_risk: Vec<&str> = high_risk.iter().map(String::as_str).collect();
            store.expire_keys(ttl, &high_risk, &tombstone).await.map_or_else(Reply::Err, Reply::Reaped)
        }
    }
}

/// Idle connections kept for reuse, at most.
const POOL_IDLE_MAX: usize = 32;

/// The service side: a `Store` whose every call crosses the network.
/// Connections are pooled; one that failed is never reused (the server has
/// aborted whatever transaction it carried).
#[derive(Clone)]
pub struct RemoteStore {
    addr: SocketAddr,
    /// Bound on one call. Claims may wait on the database for the in-flight
    /// bound, so this must exceed it.
    call_timeout: Duration,
    idle: Arc<Mutex<Vec<Conn>>>,
}

impl RemoteStore {
    pub fn new(addr: SocketAddr, call_timeout: Duration) -> Self {
        Self { addr, call_timeout, idle: Arc::new(Mutex::new(Vec::new())) }
    }

    async fn connect(&self) -> Result<Conn, StoreError> {
        if let Some(c) = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(c);
        }
        let s = tokio::time::timeout(self.call_timeout, TcpStream::connect(self.addr))
            .await
            .map_err(|_| StoreError::Unavailable("connect timed out".into()))?
            .map_err(|e| StoreError::Unavailable(format!("connect: {e}")))?;
        Ok(Conn { s, timeout: self.call_timeout, healthy: true })
    }

    fn release(&self, conn: Conn) {
        if conn.healthy {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < POOL_IDLE_MAX {
                idle.push(conn);
            }
        }
    }

    async fn once(&self, req: Request) -> Result<Reply, StoreError> {
        let mut conn = self.connect().await?;
        let r = conn.call(req).await;
        self.release(conn);
        r
    }
}

struct Conn {
    s: TcpStream,
    timeout: Duration,
    /// False once a call failed at the transport level.
    healthy: bool,
}

impl Conn {
    async fn call(&mut self, req: Request) -> Result<Reply, StoreError> {
        let exchange = async {
            write_frame(&mut self.s, &req).await?;
            read_frame::<Reply>(&mut self.s).await
        };
        let result = tokio::time::timeout(self.timeout, exchange).await;
        if !matches!(result, Ok(Ok(_))) {
            self.healthy = false;
        }
        match result {
            Err(_) => Err(StoreError::Unavailable("database call timed out".into())),
            Ok(Err(e)) => Err(StoreError::Unavailable(format!("database connection: {e}"))),
            Ok(Ok(Reply::Err(e))) => Err(e),
            Ok(Ok(r)) => Ok(r),
        }
    }
}

fn unexpected(r: Reply) -> StoreError {
    StoreError::Other(format!("unexpected reply {r:?}"))
}

struct RemoteTx {
    conn: Conn,
    store: RemoteStore,
}

#[async_trait]
impl Tx for RemoteTx {
    async fn claim_key(&mut self, claim: &KeyClaim) -> Result<Claim, StoreError> {
        match self.conn.call(Request::Claim(claim.clone())).await? {
            Reply::Claim(c) => Ok(c),
            r => Err(unexpected(r)),
        }
    }
    async fn complete_key(&mut self, tenant: TenantId, key: &str, response: &StoredResponse) -> Result<(), StoreError> {
        let req = Request::Complete { tenant, key: key.to_owned(), response: response.clone() };
        self.conn.call(req).await.map(|_| ())
    }
    async fn get_entity(
        &mut self,
        tenant: TenantId,
        table: Table,
        id: Uuid,
        for_update: bool,
    ) -> Result<Option<Entity>, StoreError> {
        match self.conn.call(Request::TxGetEntity { tenant, table, id, for_update }).await? {
            Reply::Entity(e) => Ok(e),
            r => Err(unexpected(r)),
        }
    }
    async fn list_entities(
        &mut self,
        tenant: TenantId,
        table: Table,
        parent: Option<Uuid>,
    ) -> Result<Vec<Entity>, StoreError> {
        match self.conn.call(Request::TxListEntities { tenant, table, parent }).await? {
            Reply::Entities(e) => Ok(e),
            r => Err(unexpected(r)),
        }
    }
    async fn count_matching(&mut self, m: &FieldMatch) -> Result<u64, StoreError> {
        match self.conn.call(Request::TxCountMatching(m.clone())).await? {
            Reply::Count(n) => Ok(n),
            r => Err(unexpected(r)),
        }
    }
    async fn lock(&mut self, tenant: TenantId, name: &str, mode: LockMode) -> Result<(), StoreError> {
        self.conn.call(Request::Lock { tenant, name: name.to_owned(), mode }).await.map(|_| ())
    }
    async fn insert_entity(&mut self, e: &Entity) -> Result<(), StoreError> {
        self.conn.call(Request::InsertEntity(e.clone())).await.map(|_| ())
    }
    async fn update_entity(&mut self, e: &Entity) -> Result<(), StoreError> {
        self.conn.call(Request::UpdateEntity(e.clone())).await.map(|_| ())
    }
    async fn insert_workflow(&mut self, w: &WorkflowInstance) -> Result<(), StoreError> {
        self.conn.call(Request::InsertWorkflow(w.clone())).await.map(|_| ())
    }
    async fn insert_audit(&mut self, a: &AuditRecord) -> Result<(), StoreError> {
        self.conn.call(Request::InsertAudit(a.clone())).await.map(|_| ())
    }
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        // A lost reply here is the ambiguous commit: the caller cannot know.
        let RemoteTx { mut conn, store } = *self;
        let r = conn.call(Request::Commit).await.map(|_| ());
        store.release(conn);
        r
    }
    async fn rollback(self: Box<Self>) -> Result<(), StoreError> {
        // Closing the connection aborts the transaction on the server; no
        // need to wait on a possibly partitioned link for a reply.
        drop(self);
        Ok(())
    }
}

#[async_trait]
impl Store for RemoteStore {
    fn kind(&self) -> &'static str {
        "remote-memory"
    }
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        let mut conn = self.connect().await?;
        conn.call(Request::Begin).await?;
        Ok(Box::new(RemoteTx { conn, store: self.clone() }))
    }
    async fn get_entity(&self, tenant: TenantId, table: Table, id: Uuid) -> Result<Option<Entity>, StoreError> {
        match self.once(Request::GetEntity { tenant, table, id }).await? {
            Reply::Entity(e) => Ok(e),
            r => Err(unexpected(r)),
        }
    }
    async fn get_key(&self, tenant: TenantId, key: &str) -> Result<Option<KeyRecord>, StoreError> {
        match self.once(Request::GetKey { tenant, key: key.to_owned() }).await? {
            Reply::Key(k) => Ok(k),
            r => Err(unexpected(r)),
        }
    }
    async fn tenant_by_token_hash(&self, token_hash: &str) -> Result<Option<Tenant>, StoreError> {
        match self.once(Request::TenantByToken(token_hash.to_owned())).await? {
            Reply::Tenant(t) => Ok(t),
            r => Err(unexpected(r)),
        }
    }
    async fn append_audit(&self, a: &AuditRecord) -> Result<(), StoreError> {
        self.once(Request::AppendAudit(a.clone())).await.map(|_| ())
    }
    async fn replay_completed(&self, r: &KeyRecord, a: &AuditRecord) -> Result<Option<StoredResponse>, StoreError> {
        match self.once(Request::ReplayCompleted(r.clone(), a.clone())).await? {
            Reply::Response(resp) => Ok(resp),
            r => Err(unexpected(r)),
        }
    }
    async fn list_entities(
        &self,
        t: Option<TenantId>,
        table: Table,
        parent: Option<Uuid>,
    ) -> Result<Vec<Entity>, StoreError> {
        match self.once(Request::ListEntities { tenant: t, table, parent }).await? {
            Reply::Entities(e) => Ok(e),
            r => Err(unexpected(r)),
        }
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.once(Request::Ping).await.map(|_| ())
    }
    async fn key_meta(&self, tenant: TenantId, key: &str) -> Result<Option<KeyMeta>, StoreError> {
        match self.once(Request::KeyMeta { tenant, key: key.to_owned() }).await? {
            Reply::Meta(m) => Ok(m),
            r => Err(unexpected(r)),
        }
    }
}

#[async_trait]
impl Admin for RemoteStore {
    async fn create_tenant(&self, tenant: &Tenant, token_hash: &str) -> Result<(), StoreError> {
        let req = Request::CreateTenant { tenant: tenant.clone(), token_hash: token_hash.to_owned() };
        self.once(req).await.map(|_| ())
    }

    async fn keys(&self, t: Option<TenantId>) -> Result<Vec<KeyRecord>, StoreError> {
        match self.once(Request::Keys(t)).await? {
            Reply::Keys(k) => Ok(k),
            r => Err(unexpected(r)),
        }
    }

    async fn audit_rows(&self, t: Option<TenantId>) -> Result<Vec<AuditRecord>, StoreError> {
        match self.once(Request::AuditRows(t)).await? {
            Reply::Audit(a) => Ok(a),
            r => Err(unexpected(r)),
        }
    }

    async fn workflows(&self, t: Option<TenantId>) -> Result<Vec<WorkflowInstance>, StoreError> {
        match self.once(Request::Workflows(t)).await? {
            Reply::Workflows(w) => Ok(w),
            r => Err(unexpected(r)),
        }
    }

    async fn entities(&self, t: Option<TenantId>) -> Result<Vec<Entity>, StoreError> {
        match self.once(Request::Entities(t)).await? {
            Reply::Entities(e) => Ok(e),
            r => Err(unexpected(r)),
        }
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        match self.once(Request::Counts).await? {
            Reply::Counts(c) => Ok(c),
            r => Err(unexpected(r)),
        }
    }
}

/// The jobs' side over the network: each call is one exchange on its own
/// connection, like the store-level calls above.
#[async_trait]
impl JobStore for RemoteStore {
    async fn claim_workflows(&self, batch: u32, lease: Duration) -> Result<Vec<Delivery>, StoreError> {
        match self.once(Request::ClaimWorkflows { batch, lease }).await? {
            Reply::Deliveries(d) => Ok(d),
            r => Err(unexpected(r)),
        }
    }
    async fn mark_delivered(&self, ids: &[String]) -> Result<(), StoreError> {
        self.once(Request::MarkDelivered(ids.to_vec())).await.map(|_| ())
    }
    async fn schedule_retry(
        &self,
        id: &str,
        backoff: Duration,
        attempts_max: i32,
        error: &str,
    ) -> Result<(), StoreError> {
        let req = Request::ScheduleRetry { id: id.to_owned(), backoff, attempts_max, error: error.to_owned() };
        self.once(req).await.map(|_| ())
    }
    async fn expire_keys(
        &self,
        ttl: Duration,
        high_risk: &[&str],
        tombstone: &StoredResponse,
    ) -> Result<Reaped, StoreError> {
        let high_risk = high_risk.iter().map(|s| (*s).to_owned()).collect();
        match self.once(Request::ExpireKeys { ttl, high_risk, tombstone: tombstone.clone() }).await? {
            Reply::Reaped(r) => Ok(r),
            r => Err(unexpected(r)),
        }
    }
}
