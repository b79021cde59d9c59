//! Where a simulated run keeps its data: the database node's in-memory
//! store (memory topology) or a SQLite file the service node opens (sqlite
//! topology), and how the world reads back what either committed.

use std::collections::BTreeSet;
use std::sync::Arc;

use accubooks_service::store::mem::MemStore;
use accubooks_service::store::sql::{Database, SqlLimits, SqliteOptions};
use accubooks_service::store::Store;
use madsim::runtime::NodeHandle;
use uuid::Uuid;

use crate::checker::FinalState;
use crate::db::DbControl;

/// Where the run's data lives.
pub(super) enum Backend {
    /// The database node and its in-memory store (state kept out here, so
    /// it survives the node's restarts).
    Memory { store: MemStore, control: DbControl, db: NodeHandle },
    /// The SQLite file the service node opens (in a directory of the seed's
    /// own, removed when the run ends).
    Sqlite { url: String, dir: std::path::PathBuf, options: SqliteOptions },
}

impl Backend {
    /// Tenants and tokens, written before any service node starts.
    pub(super) async fn admin(&self) -> Arc<dyn Store> {
        match self {
            Self::Memory { store, .. } => Arc::new(store.clone()),
            Self::Sqlite { url, options, .. } => open_sqlite(url, *options).await.store(),
        }
    }
}

pub(super) async fn open_sqlite(url: &str, options: SqliteOptions) -> Database {
    Database::open_with(url, SqlLimits::default(), options).await.expect("the SQLite file opens")
}

/// Everything the SQLite file holds, read through a connection of the
/// checker's own (what survived: committed data only).
pub(super) async fn sqlite_state(url: &str, options: SqliteOptions) -> FinalState {
    let store = open_sqlite(url, options).await.store();
    FinalState {
        keys: store.keys(None).await.expect("keys"),
        entities: store.entities(None).await.expect("entities"),
        workflows: store.workflows(None).await.expect("workflows"),
        audit: store.audit_rows(None).await.expect("audit rows"),
        received: None,
    }
}

/// The ids of every committed outbox row.
pub(super) fn committed_workflows(backend: &Backend) -> BTreeSet<Uuid> {
    match backend {
        Backend::Memory { store, .. } => store.snapshot().workflows.values().map(|w| w.id).collect(),
        Backend::Sqlite { dir, .. } => {
            let file = dir.join("accubooks.db");
            let conn = rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .expect("the SQLite file opens read-only");
            let mut stmt = conn.prepare("SELECT id FROM workflow_instances").expect("statement");
            let ids = stmt.query_map([], |r| r.get::<_, String>(0)).expect("rows");
            ids.map(|id| id.expect("row").parse().expect("uuid")).collect()
        }
    }
}
