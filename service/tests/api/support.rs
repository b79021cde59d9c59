//! Fresh stores per test, a spawned app, and a small HTTP client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use accubooks_service::app::{Jobs, Service, ServiceConfig};
use accubooks_service::domain::ids::{TenantId, Token};
use accubooks_service::engine::{Engine, EngineConfig};
use accubooks_service::http::problem::Problems;
use accubooks_service::http::HttpConfig;
use accubooks_service::metrics::Metrics;
use accubooks_service::ops;
use accubooks_service::serve::ServeConfig;
use accubooks_service::store::faulty::FaultyStore;
use accubooks_service::store::mem::MemStore;
use accubooks_service::store::sql::{connect, SqlLimits};
use accubooks_service::store::{Store, Tenant};
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use sqlx::Connection;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Memory,
    Sqlite,
    Postgres,
}

pub fn test_limits() -> SqlLimits {
    SqlLimits {
        // Parallel tests share one Postgres whose default max_connections is 100.
        pool_connections_max: 16,
        pool_acquire_wait: Duration::from_secs(60),
        lock_wait: Duration::from_secs(30),
        statement_timeout: Duration::from_secs(60),
    }
}

fn pg_admin_url() -> String {
    std::env::var("ACCUBOOKS_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh, migrated store of `kind`. `None` only for Postgres outside CI
/// when no server is reachable; with `CI=true` that is a loud failure.
pub async fn fresh_store(kind: Kind, limits: SqlLimits) -> Option<Arc<dyn Store>> {
    fresh_store_at(kind, limits).await.map(|(store, _)| store)
}

/// The same, with the URL the store was opened with (`memory` for memory),
/// so a test can point the `accubooks` binary at the same database.
pub async fn fresh_store_at(kind: Kind, limits: SqlLimits) -> Option<(Arc<dyn Store>, String)> {
    match kind {
        Kind::Memory => Some((Arc::new(MemStore::new(limits.lock_wait)), "memory".into())),
        Kind::Sqlite => {
            let path = std::env::temp_dir().join(format!("accubooks-test-{}.db", Uuid::new_v4().simple()));
            let url = format!("sqlite://{}", path.display());
            Some((connect(&url, limits).await.expect("open sqlite"), url))
        }
        Kind::Postgres => {
            let url = fresh_database().await?;
            Some((connect(&url, limits).await.expect("open postgres"), url))
        }
    }
}

/// A fresh, empty Postgres database's URL. `None` only outside CI when no
/// server is reachable; with `CI=true` that is a loud failure.
pub async fn fresh_database() -> Option<String> {
    let admin = pg_admin_url();
    let mut conn = match sqlx::PgConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("CI=true and Postgres is unreachable at {admin}: {e}");
            }
            eprintln!("SKIPPED: Postgres unreachable at {admin}: {e}");
            return None;
        }
    };
    let db = format!("accubooks_test_{}", Uuid::new_v4().simple());
    let create = format!("CREATE DATABASE {db}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(&mut conn).await.expect("create test database");
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).expect("url has a database");
    Some(format!("{base}/{db}"))
}

pub struct Tenants {
    pub a: TenantId,
    pub b: TenantId,
    pub token_a: String,
    pub token_b: String,
}

pub async fn tenants(store: &dyn Store) -> Tenants {
    let (ta, tb) = (Token::generate().unwrap(), Token::generate().unwrap());
    let a = Tenant { id: TenantId(Uuid::new_v4()), name: "Tenant A".into() };
    let b = Tenant { id: TenantId(Uuid::new_v4()), name: "Tenant B".into() };
    store.create_tenant(&a, &ta.hash_hex()).await.unwrap();
    store.create_tenant(&b, &tb.hash_hex()).await.unwrap();
    Tenants { a: a.id, b: b.id, token_a: ta.expose().to_owned(), token_b: tb.expose().to_owned() }
}

/// An engine over a fault-injecting wrapper of a fresh store.
pub struct EngineHarness {
    pub store: Arc<dyn Store>,
    pub faulty: FaultyStore,
    pub engine: Engine,
    pub tenants: Tenants,
}

pub async fn engine_harness(kind: Kind) -> Option<EngineHarness> {
    let store = fresh_store(kind, test_limits()).await?;
    let tenants = tenants(store.as_ref()).await;
    let faulty = FaultyStore::new(store.clone());
    let metrics = Arc::new(Metrics::new(ops::REGISTRY));
    let config = EngineConfig { inflight_wait: Duration::from_secs(30), ..EngineConfig::default() };
    let engine = Engine::new(Arc::new(faulty.clone()), metrics, config, Arc::new(Problems));
    Some(EngineHarness { store, faulty, engine, tenants })
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    pub faulty: FaultyStore,
    pub tenants: Tenants,
    pub kind: Kind,
    /// The database URL (`memory` for the in-memory store).
    pub url: String,
}

/// A tenant of its own, for a test that must not see another's data.
#[derive(Debug, Clone)]
pub struct TestTenant {
    pub id: TenantId,
    pub token: String,
}

/// An app whose store is wrapped by a fault injector, with a given bound on
/// waiting for a same-key request in flight.
pub async fn spawn_app_with(kind: Kind, inflight_wait: Duration) -> Option<TestApp> {
    let limits = SqlLimits { lock_wait: inflight_wait, pool_acquire_wait: inflight_wait, ..test_limits() };
    let engine = EngineConfig { inflight_wait, ..EngineConfig::default() };
    spawn_app_configured(kind, AppConfig { limits, engine, ..AppConfig::default() }).await
}

/// Every limit of a spawned app, for the tests of the limits themselves.
#[derive(Debug, Clone, Copy)]
pub struct AppConfig {
    pub limits: SqlLimits,
    pub engine: EngineConfig,
    pub http: HttpConfig,
    pub serve: ServeConfig,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            limits: test_limits(),
            engine: EngineConfig::default(),
            http: HttpConfig::default(),
            serve: ServeConfig::default(),
        }
    }
}

pub async fn spawn_app_configured(kind: Kind, config: AppConfig) -> Option<TestApp> {
    let (store, url) = fresh_store_at(kind, config.limits).await?;
    let tenants = tenants(store.as_ref()).await;
    let faulty = FaultyStore::new(store.clone());
    let service_config = ServiceConfig { engine: config.engine, http: config.http, serve: config.serve };
    let service = Service::build(Arc::new(faulty.clone()), service_config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(service.run(listener, Jobs::none(), std::future::pending()));
    Some(TestApp { addr, store, faulty, tenants, kind, url })
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn code(&self) -> String {
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "problem+json expected");
        self.json()["code"].as_str().expect("problem has a code").to_owned()
    }
}

/// One request over a fresh connection. `headers` are sent verbatim.
pub async fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &[u8])], body: Vec<u8>) -> Resp {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder().method(method).uri(path).header("host", "localhost");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender.send_request(req.body(Full::new(Bytes::from(body))).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Resp { status, headers, body }
}

impl TestApp {
    /// POSTs JSON as tenant A (or B) with an idempotency key.
    pub async fn post(&self, path: &str, token: &str, key: &str, body: &serde_json::Value) -> Resp {
        self.request("POST", path, token, key, body).await
    }

    /// Any mutation: JSON body, bearer token, idempotency key.
    pub async fn request(&self, method: &str, path: &str, token: &str, key: &str, body: &serde_json::Value) -> Resp {
        let auth = format!("Bearer {token}");
        let headers: [(&str, &[u8]); 3] = [
            ("authorization", auth.as_bytes()),
            ("idempotency-key", key.as_bytes()),
            ("content-type", b"application/json"),
        ];
        send(self.addr, method, path, &headers, serde_json::to_vec(body).unwrap()).await
    }

    /// A new tenant in this app's store.
    pub async fn new_tenant(&self) -> TestTenant {
        let token = Token::generate().unwrap();
        let tenant = Tenant { id: TenantId(Uuid::new_v4()), name: "Fixture tenant".into() };
        self.store.create_tenant(&tenant, &token.hash_hex()).await.unwrap();
        TestTenant { id: tenant.id, token: token.expose().to_owned() }
    }

    /// What a tenant has stored: (entities, workflows), for "nothing written".
    pub async fn footprint(&self, tenant: TenantId) -> (usize, usize) {
        let entities = self.store.entities(Some(tenant)).await.unwrap().len();
        let workflows = self.store.workflows(Some(tenant)).await.unwrap().len();
        (entities, workflows)
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        let auth = format!("Bearer {token}");
        send(self.addr, "GET", path, &[("authorization", auth.as_bytes())], Vec::new()).await
    }

    pub async fn customer(&self, token: &str, key: &str) -> String {
        let r = self.post("/v1/customers", token, key, &serde_json::json!({"name": "Acme Ltd"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.json()["id"].as_str().unwrap().to_owned()
    }

    pub async fn invoice(&self, token: &str, key: &str, customer: &str, cents: i64) -> String {
        let r = self.post("/v1/invoices", token, key, &invoice_body(customer, cents)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.json()["id"].as_str().unwrap().to_owned()
    }
}

pub fn invoice_body(customer: &str, cents: i64) -> serde_json::Value {
    serde_json::json!({
        "customer_id": customer,
        "currency": "USD",
        "due_date": "2026-12-31",
        "lines": [{"description": "Consulting", "quantity": 1, "unit_price_cents": cents}]
    })
}

/// Generates `mod memory`, `mod sqlite` and `mod postgres`, each with one
/// test per case that spawns a fresh app on that store and runs the case.
macro_rules! per_store_app_suite {
    ($($case:ident),* $(,)?) => {
        per_store_app_suite!(@store memory, Memory; $($case),*);
        per_store_app_suite!(@store sqlite, Sqlite; $($case),*);
        per_store_app_suite!(@store postgres, Postgres; $($case),*);
    };
    (@store $module:ident, $kind:ident; $($case:ident),*) => {
        mod $module { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let wait = std::time::Duration::from_secs(30);
                // None only for Postgres outside CI when it is unreachable.
                let Some(app) = crate::support::spawn_app_with(crate::support::Kind::$kind, wait).await else { return };
                super::$case(app).await;
            }
        )* }
    };
}

/// A Postgres `INSERT` into `table` of the rows `select` yields (columns
/// `id`, `tenant_id`, `body`, `version`), its typed columns read from each
/// body as the service reads them (`Table::columns`): for tests that fill
/// a table past the service.
pub fn pg_insert_from_bodies(table: accubooks_service::store::Table, select: &str) -> String {
    let columns = table.columns();
    let names: String = columns.iter().map(|c| format!(", {}", c.name)).collect();
    let values: String =
        columns.iter().map(|c| format!(", (s.body::jsonb ->> '{}')::{}", c.field, c.ty.postgres())).collect();
    format!(
        "INSERT INTO {t} (id, tenant_id, body, version{names}) SELECT s.id, s.tenant_id, s.body, s.version{values} \
         FROM ({select}) AS s",
        t = table.name()
    )
}

/// Every table's rows whose typed columns differ from the fields of their
/// document as the dialect reads them (`->>` cast to the column's type on
/// Postgres, `json_extract` on SQLite): "`table`: n of m rows" for each
/// table with any, and the number of rows read in all.
pub async fn typed_column_mismatches(kind: Kind, url: &str) -> (i64, Vec<String>) {
    use accubooks_service::store::Table;
    use sqlx::Row;
    let mut pg = None;
    let mut lite = None;
    match kind {
        Kind::Postgres => pg = Some(sqlx::PgConnection::connect(url).await.unwrap()),
        Kind::Sqlite => lite = Some(sqlx::SqliteConnection::connect(url).await.unwrap()),
        Kind::Memory => panic!("the in-memory store keeps documents only"),
    }
    let (mut rows, mut bad) = (0, Vec::new());
    for t in Table::ALL {
        let differs: Vec<String> = t
            .columns()
            .iter()
            .map(|c| match kind {
                Kind::Postgres => {
                    format!("{} IS DISTINCT FROM (body::jsonb ->> '{}')::{}", c.name, c.field, c.ty.postgres())
                }
                _ => format!("{} IS NOT json_extract(body, '$.{}')", c.name, c.field),
            })
            .collect();
        let sql = format!(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE {}) FROM {}",
            if differs.is_empty() { "FALSE".to_owned() } else { differs.join(" OR ") },
            t.name()
        );
        let sql = sqlx::AssertSqlSafe(sql);
        let (n, m): (i64, i64) = match (&mut pg, &mut lite) {
            (Some(c), _) => sqlx::query(sql).fetch_one(c).await.map(|r| (r.get(0), r.get(1))),
            (_, Some(c)) => sqlx::query(sql).fetch_one(c).await.map(|r| (r.get(0), r.get(1))),
            _ => unreachable!(),
        }
        .unwrap();
        rows += n;
        if m > 0 {
            bad.push(format!("{}: {m} of {n} rows", t.name()));
        }
    }
    (rows, bad)
}
