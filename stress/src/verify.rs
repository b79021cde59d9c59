//! After every run: zero duplicates and nothing lost. Every acknowledged
//! key's entity exists exactly once, and every success for a key returned
//! the same body.
//!
//! - Against the database (preferred): the committed keys, entities, outbox
//!   rows and audit rows of the tenant go through the simulation's checker,
//!   the same oracle the seeded simulations use (duplicates, lost writes,
//!   stuck keys, answers, the ledger). A SQLite file is also checked whole
//!   (`PRAGMA integrity_check`, `PRAGMA foreign_key_check`): a service
//!   killed mid-write must leave it intact.
//! - Through the read API (when the tool has no database access): every
//!   acknowledged entity must read back, and all successes of a key must be
//!   byte-identical. Duplicate executions are visible there only as
//!   differing bodies (each execution stamps its own `created_at`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use accubooks_service::domain::ids::TenantId;
use accubooks_service::store::sql::{connect, SqlLimits};
use accubooks_service::store::{Store, StoreError};
use accubooks_sim::checker::{check, key_ref, CheckStats, FinalState, KeyRef, Violation};
use accubooks_sim::history::{HistoryData, Intent, Outcome};
use accubooks_sim::workload::generator;
use serde::Serialize;
use uuid::Uuid;

use crate::driver::RunCtx;
use crate::http::{Conn, Outgoing};

/// Violations kept in the report; the count is always exact.
const VIOLATIONS_KEPT_MAX: usize = 1000;
/// Concurrent reads when verifying through the API.
const READ_CONCURRENCY: usize = 16;
const READ_ATTEMPTS_MAX: u32 = 20;

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// `database` or `read-api`.
    pub method: &'static str,
    pub duplicates: u64,
    pub lost: u64,
    pub violation_count: u64,
    pub violations: Vec<Violation>,
    /// The checker's statistics (database verification only).
    pub stats: Option<CheckStats>,
    /// Acknowledged keys whose entity was looked up.
    pub acknowledged_keys: u64,
    /// A SQLite database only: what its integrity and foreign key checks
    /// reported (empty: the file is intact).
    pub sqlite_file_problems: Option<Vec<String>>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.violation_count == 0
            && self.duplicates == 0
            && self.lost == 0
            && self.sqlite_file_problems.as_ref().is_none_or(Vec::is_empty)
    }

    fn new(method: &'static str, duplicates: u64, lost: u64, mut violations: Vec<Violation>) -> Self {
        let violation_count = violations.len() as u64;
        violations.truncate(VIOLATIONS_KEPT_MAX);
        Self {
            method,
            duplicates,
            lost,
            violation_count,
            violations,
            stats: None,
            acknowledged_keys: 0,
            sqlite_file_problems: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("reading the final state: {0}")]
    Store(#[from] StoreError),
    #[error("checking the SQLite file: {0}")]
    Sqlite(#[from] sqlx::Error),
    #[error("reading entity {id} back: {last}")]
    Read { id: Uuid, last: String },
}

/// The tenant's committed state, read directly from the database.
pub async fn final_state(store: &dyn Store, tenant: TenantId) -> Result<FinalState, StoreError> {
    Ok(FinalState {
        keys: store.keys(Some(tenant)).await?,
        entities: store.entities(Some(tenant)).await?,
        workflows: store.workflows(Some(tenant)).await?,
        audit: store.audit_rows(Some(tenant)).await?,
        received: None,
    })
}

pub async fn against_database(
    database_url: &str,
    tenant: TenantId,
    history: &HistoryData,
) -> Result<Verification, VerifyError> {
    let limits = SqlLimits {
        pool_connections_max: 2,
        pool_acquire_wait: Duration::from_secs(30),
        statement_timeout: Duration::from_secs(300),
        ..SqlLimits::default()
    };
    let store = connect(database_url, limits).await?;
    let state = final_state(store.as_ref(), tenant).await?;
    let report = check(history, &state);
    let mut v = Verification::new("database", report.duplicates, report.lost, report.violations);
    v.acknowledged_keys = acknowledged(history).len() as u64;
    v.stats = Some(report.stats);
    if database_url.starts_with("sqlite:") {
        v.sqlite_file_problems = Some(sqlite_file_problems(database_url).await?);
    }
    Ok(v)
}

/// Problems SQLite finds in the whole file: `integrity_check` (pages,
/// indexes against their tables, constraints) and `foreign_key_check`.
/// Empty when the file is intact.
pub async fn sqlite_file_problems(database_url: &str) -> Result<Vec<String>, VerifyError> {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Row};
    let mut conn = database_url.parse::<SqliteConnectOptions>()?.create_if_missing(false).connect().await?;
    let mut problems: Vec<String> = sqlx::query_scalar::<_, String>("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await?
        .into_iter()
        .filter(|line| line != "ok")
        .collect();
    for row in sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut conn).await? {
        let (table, rowid, parent) =
            (row.try_get::<String, _>(0)?, row.try_get::<Option<i64>, _>(1)?, row.try_get::<String, _>(2)?);
        problems.push(format!("foreign key: {table} row {rowid:?} names a missing {parent} row"));
    }
    Ok(problems)
}

/// (operation, key) → (body hash, entity id) of every success for it.
type Successes = BTreeMap<(String, String), Vec<(u64, Option<Uuid>)>>;

fn acknowledged(history: &HistoryData) -> Successes {
    let requests: BTreeMap<u64, _> = history.requests.iter().map(|q| (q.id, q)).collect();
    let mut m = Successes::new();
    for a in &history.attempts {
        if let (Some(q), Outcome::Ok { body_hash, entity_id, .. }) = (requests.get(&a.request), &a.outcome) {
            m.entry((q.operation.clone(), q.key.clone())).or_default().push((*body_hash, *entity_id));
        }
    }
    m
}

pub async fn against_read_api(ctx: &RunCtx, history: &HistoryData) -> Result<Verification, VerifyError> {
    let mut violations = Vec::new();
    let mut duplicates = 0;
    let mut reads = Vec::new();
    let acked = acknowledged(history);
    for ((op, key), successes) in &acked {
        let at = KeyRef { tenant: ctx.tenant, operation: op.clone(), key: key.clone() };
        let first = successes[0];
        if let Some(other) = successes.iter().find(|s| **s != first) {
            duplicates += 1;
            violations.push(Violation::DifferentBodies { key: at.clone(), first, other: *other });
        }
        match (first.1, generator(op)) {
            (Some(id), Some(g)) => reads.push((at, g.read_path(id), id)),
            (None, _) => violations.push(Violation::AcknowledgedWithoutId { key: at }),
            (_, None) => {}
        }
    }
    let requests: BTreeMap<u64, _> = history.requests.iter().map(|q| (q.id, q)).collect();
    for a in &history.attempts {
        let Some(q) = requests.get(&a.request) else { continue };
        if q.intent == Intent::Mismatch && matches!(a.outcome, Outcome::Ok { .. }) {
            violations.push(Violation::MismatchExecuted { key: key_ref(q), answer: a.outcome.clone() });
        }
    }
    for id in &history.abandoned {
        violations.push(Violation::Abandoned { request: *id, key: requests.get(id).map(|q| key_ref(q)) });
    }
    let missing = read_back(ctx, reads).await?;
    let lost = missing.len() as u64;
    violations.extend(missing.into_iter().map(|(key, id)| Violation::LostWrite { key, id }));
    let mut v = Verification::new("read-api", duplicates, lost, violations);
    v.acknowledged_keys = acked.len() as u64;
    Ok(v)
}

/// Reads every path; returns those that answered 404.
async fn read_back(ctx: &RunCtx, reads: Vec<(KeyRef, String, Uuid)>) -> Result<Vec<(KeyRef, Uuid)>, VerifyError> {
    let reads = Arc::new(reads);
    let mut tasks = Vec::new();
    for w in 0..READ_CONCURRENCY {
        let (ctx, reads) = (ctx.clone(), reads.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(ctx.addrs.clone(), w, ctx.limits.connect_timeout);
            let mut missing = Vec::new();
            for (key, path, id) in reads.iter().skip(w).step_by(READ_CONCURRENCY) {
                let req = Outgoing {
                    method: hyper::Method::GET,
                    path: path.as_str().into(),
                    key: None,
                    body: Default::default(),
                };
                let mut last = String::new();
                let mut found = None;
                for _ in 0..READ_ATTEMPTS_MAX {
                    match conn.send(&ctx.auth, &req, ctx.limits.attempt_timeout).await {
                        Ok(r) if r.status == 200 => found = Some(true),
                        Ok(r) if r.status == 404 => found = Some(false),
                        Ok(r) => last = format!("http {}", r.status),
                        Err(e) => {
                            last = e.to_string();
                            conn.fail_over();
                        }
                    }
                    if found.is_some() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                match found {
                    Some(true) => {}
                    Some(false) => missing.push((key.clone(), *id)),
                    None => return Err(VerifyError::Read { id: *id, last }),
                }
            }
            Ok(missing)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("read-back task panicked")?);
    }
    Ok(all)
}
