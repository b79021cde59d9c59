//! Multi-host Postgres URLs (`store/sql/postgres/hosts.rs`): a host that is
//! down is skipped, a read-only standby is skipped, and after a failover a
//! demoted primary's pooled connections are not used.
//!
//! Every "host" is a database of the test server behind a small proxy of
//! its own that rewrites the startup message's database name: one URL can
//! then name several hosts whose sessions differ. A standby is a database
//! whose sessions default to read-only (what `target_session_attrs=
//! read-write` checks, as libpq does); a failover turns that default
//! around. Sessions already open keep their old default, as a demoted
//! primary's live connections would still accept writes: only the pool's
//! own bookkeeping keeps them from being used.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use accubooks_service::domain::ids::TenantId;
use accubooks_service::store::sql::{Database, SqlLimits};
use accubooks_service::store::{LockMode, Store, StoreError, Table, Tenant};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;
use uuid::Uuid;

use crate::support::{fresh_database, pg_insert_from_bodies, send, spawn_app_configured, test_limits, AppConfig, Kind};

const SSL_REQUEST: u32 = 80_877_103;
const GSSENC_REQUEST: u32 = 80_877_104;

/// A TCP proxy to the test server that connects every session to `database`.
struct Proxy {
    addr: SocketAddr,
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr, database: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let (database, conns) = (database.to_owned(), tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let database = database.clone();
                let conn = tokio::spawn(async move {
                    let _ = relay(client, upstream, &database).await;
                });
                conns.lock().unwrap().push(conn.abort_handle());
            }
        });
        tasks.lock().unwrap().push(accept.abort_handle());
        Self { addr, tasks }
    }

    /// The host dies: its port refuses, its sessions end mid-stream.
    fn kill(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

async fn relay(mut client: TcpStream, upstream: SocketAddr, database: &str) -> std::io::Result<()> {
    let startup = loop {
        let len = client.read_u32().await? as usize;
        let mut body = vec![0; len.saturating_sub(4)];
        client.read_exact(&mut body).await?;
        let code = u32::from_be_bytes(body[..4].try_into().unwrap());
        if code == SSL_REQUEST || code == GSSENC_REQUEST {
            client.write_all(b"N").await?;
            continue;
        }
        break body;
    };
    let mut params: Vec<&[u8]> = startup[4..].split(|b| *b == 0).filter(|p| !p.is_empty()).collect();
    for pair in params.chunks_mut(2) {
        if pair[0] == b"database" && pair.len() == 2 {
            pair[1] = database.as_bytes();
        }
    }
    let mut out = startup[..4].to_vec();
    for p in params {
        out.extend_from_slice(p);
        out.push(0);
    }
    out.push(0);
    let mut server = TcpStream::connect(upstream).await?;
    server.write_u32(out.len() as u32 + 4).await?;
    server.write_all(&out).await?;
    tokio::io::copy_bidirectional(&mut client, &mut server).await?;
    Ok(())
}

/// The test server's address, and a fresh database on it (its URL and name).
async fn database() -> Option<(SocketAddr, String, String)> {
    let url = fresh_database().await?;
    let opts = PgConnectOptions::from_str(&url).unwrap();
    let upstream = tokio::net::lookup_host((opts.get_host(), opts.get_port())).await.unwrap().next().unwrap();
    let name = opts.get_database().unwrap().to_owned();
    Some((upstream, url, name))
}

async fn set_read_only(url: &str, on: bool) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&mut conn).await.unwrap();
    // This session may be read-only itself.
    sqlx::raw_sql("SET default_transaction_read_only = off").execute(&mut conn).await.unwrap();
    let value = if on { "on" } else { "off" };
    let sql = format!("ALTER DATABASE {name} SET default_transaction_read_only = {value}");
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
}

async fn tenants_in(url: &str) -> i64 {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(&mut conn).await.unwrap()
}

/// The URL of `hosts` (each `host:port`) on the database the proxies choose.
fn multi_host_url(hosts: &[String], attrs: &str) -> String {
    format!("postgres://postgres@{}/ignored?sslmode=disable&target_session_attrs={attrs}", hosts.join(","))
}

async fn create_tenant(store: &dyn Store) -> Result<(), StoreError> {
    let tenant = Tenant { id: TenantId(Uuid::new_v4()), name: "failover".into() };
    store.create_tenant(&tenant, &Uuid::new_v4().simple().to_string()).await
}

/// `n` writes at once, so the pool holds several connections.
async fn concurrently(store: &Arc<dyn Store>, n: usize) -> Vec<Result<(), StoreError>> {
    let mut all = tokio::task::JoinSet::new();
    for _ in 0..n {
        let store = store.clone();
        all.spawn(async move { create_tenant(&*store).await });
    }
    all.join_all().await
}

async fn writes(store: &Arc<dyn Store>, n: usize) {
    for done in concurrently(store, n).await {
        done.expect("write");
    }
}

async fn wait_for_host(db: &Database, host: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while db.postgres_host().as_deref() != Some(host) {
        assert!(Instant::now() < deadline, "still on {:?}, expected {host}", db.postgres_host());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn limits() -> SqlLimits {
    SqlLimits { pool_connections_max: 8, ..test_limits() }
}

#[tokio::test]
async fn postgres_multi_host_url_skips_a_host_that_is_down() {
    let Some((upstream, _, name)) = database().await else { return };
    let down = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let url = format!(
        "postgres://postgres@{down},{upstream}/{name}?sslmode=disable&target_session_attrs=read-write",
        down = down,
        upstream = upstream
    );
    let db = Database::open(&url, limits()).await.expect("the second host serves");
    assert_eq!(db.postgres_host(), Some(upstream.to_string()));
    writes(&db.store(), 4).await;
    let single = format!("postgres://postgres@{upstream}/{name}");
    assert_eq!(tenants_in(&single).await, 4);

    let only_down = format!("postgres://postgres@{down}/{name}?target_session_attrs=read-write");
    assert!(Database::open(&only_down, limits()).await.is_err(), "no host is up");
}

/// Two hosts with the schema: `first` a standby, `second` the primary.
struct Pair {
    first_url: String,
    second_url: String,
    first: Proxy,
    second: Proxy,
    hosts: [String; 2],
}

async fn standby_then_primary() -> Option<Pair> {
    let (upstream, first_url, first) = database().await?;
    let (_, second_url, second) = database().await.expect("a second database");
    drop(Database::open(&first_url, limits()).await.expect("the standby has the schema"));
    set_read_only(&first_url, true).await;
    let (first, second) = (Proxy::start(upstream, &first).await, Proxy::start(upstream, &second).await);
    let hosts = [first.addr.to_string(), second.addr.to_string()];
    Some(Pair { first_url, second_url, first, second, hosts })
}

#[tokio::test]
async fn postgres_multi_host_url_skips_a_read_only_standby() {
    let Some(Pair { first_url: standby_url, second_url: primary_url, hosts, .. }) = standby_then_primary().await else {
        return;
    };

    let db = Database::open(&multi_host_url(&hosts, "read-write"), limits()).await.expect("the primary serves");
    assert_eq!(db.postgres_host(), Some(hosts[1].clone()));
    writes(&db.store(), 8).await;
    assert_eq!(tenants_in(&primary_url).await, 8);
    assert_eq!(tenants_in(&standby_url).await, 0);

    // With `any` the first host is taken: the read-only one, where not
    // even the migrator's bookkeeping can be written.
    let err = Database::open(&multi_host_url(&hosts, "any"), limits()).await.err().expect("a read-only first host");
    assert!(err.to_string().contains("read-only"), "{err}");
}

#[tokio::test]
async fn postgres_a_write_refused_by_a_read_only_session_is_transient() {
    let Some((_, url, _)) = database().await else { return };
    let db = Database::open(&url, limits()).await.expect("open");
    set_read_only(&url, true).await;
    // The pool's one connection (the migrator's) predates the change; the
    // others it opens now are read-only.
    let mut refused = 0;
    for done in concurrently(&db.store(), 8).await {
        match done {
            Ok(()) => {}
            Err(StoreError::Unavailable(e)) if e.contains("read-only") => refused += 1,
            Err(other) => panic!("a write on a read-only session is not transient: {other:?}"),
        }
    }
    assert!(refused >= 1, "no write met a read-only session");
    assert_eq!(tenants_in(&url).await, 8 - refused);
}

#[tokio::test]
async fn postgres_a_demoted_primary_s_pooled_connections_are_not_used_after_a_failover() {
    // a is the primary, b the standby: the pair's hosts, second first.
    let Some(Pair { first_url: b_url, second_url: a_url, first: pb, second: pa, hosts }) = standby_then_primary().await
    else {
        return;
    };
    let hosts = [hosts[1].clone(), hosts[0].clone()];
    let db = Database::open(&multi_host_url(&hosts, "read-write"), limits()).await.expect("open on a");
    let store = db.store();
    assert_eq!(db.postgres_host(), Some(hosts[0].clone()));
    writes(&store, 8).await;
    assert_eq!(tenants_in(&a_url).await, 8);

    // Failover: a is demoted (its new sessions are read-only, the pool's
    // open ones would still write), b is promoted.
    set_read_only(&a_url, true).await;
    set_read_only(&b_url, false).await;
    wait_for_host(&db, &hosts[1]).await;
    writes(&store, 16).await;
    assert_eq!(tenants_in(&a_url).await, 8, "a write went to the demoted primary");
    assert_eq!(tenants_in(&b_url).await, 16);

    // And back: b dies outright (refused, sessions cut), a is promoted again.
    set_read_only(&a_url, false).await;
    pb.kill();
    wait_for_host(&db, &hosts[0]).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match create_tenant(&*store).await {
            Ok(()) => break,
            Err(e) => assert!(Instant::now() < deadline, "no write succeeded after b died: {e}"),
        }
    }
    writes(&store, 8).await;
    assert_eq!(tenants_in(&a_url).await, 8 + 1 + 8);
    assert_eq!(tenants_in(&b_url).await, 16);
    pa.kill();
}

/// The test server has no standby: `/readyz` says commits wait for no one,
/// and refuses (503, its own code) when a synchronous standby is required.
#[tokio::test]
async fn postgres_readyz_reports_a_primary_without_a_synchronous_standby() {
    let Some(app) = spawn_app_configured(Kind::Postgres, AppConfig::default()).await else { return };
    let r = app.store.replication().await.unwrap().expect("postgres reports its replication");
    assert!(!r.synchronous(), "{r:?}");
    let ready = send(app.addr, "GET", "/readyz", &[], vec![]).await;
    assert_eq!(ready.status, 200);
    let body = String::from_utf8_lossy(&ready.body).into_owned();
    assert!(body.starts_with("ready\nwarning: replication: NOT synchronous"), "{body}");

    let mut config = AppConfig::default();
    config.http.require_synchronous_standby = true;
    let Some(strict) = spawn_app_configured(Kind::Postgres, config).await else { return };
    let refused = send(strict.addr, "GET", "/readyz", &[], vec![]).await;
    assert_eq!((refused.status, refused.code()), (503, "no_synchronous_standby".to_owned()));

    // Stores without replication to speak of stay as they were.
    let Some(memory) = spawn_app_configured(Kind::Memory, config).await else { return };
    let plain = send(memory.addr, "GET", "/readyz", &[], vec![]).await;
    assert_eq!((plain.status, &plain.body[..]), (200, &b"ready"[..]));
}

/// A shared lock whose statement waited for an exclusive holder sees what
/// the holder committed: a period's close marker inserted while a journal
/// entry waited on the period's lock (slow commits, as on a synchronous
/// standby, widen that window) must not read as "still open".
#[tokio::test]
async fn postgres_lock_then_get_sees_what_the_lock_holder_committed() {
    let Some((_, url, _)) = database().await else { return };
    let db = Database::open(&url, limits()).await.expect("open");
    let store = db.store();
    let tenant = Tenant { id: TenantId(Uuid::new_v4()), name: "locks".into() };
    store.create_tenant(&tenant, &Uuid::new_v4().simple().to_string()).await.unwrap();
    let (t, marker) = (tenant.id, Uuid::new_v4());
    // The lock's row exists (the combined statement's path).
    let mut tx = store.begin().await.unwrap();
    tx.lock(t, "period:2021-06", LockMode::Exclusive).await.unwrap();
    tx.commit().await.unwrap();

    // The holder: the lock, then the marker, committed a moment later.
    let mut holder = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("SELECT 1 FROM named_locks WHERE tenant_id = $1::uuid AND name = 'period:2021-06' FOR UPDATE")
        .bind(t.0.to_string())
        .execute(&mut holder)
        .await
        .unwrap();
    let close = Uuid::new_v4();
    let row = "SELECT $1::uuid AS id, $2::uuid AS tenant_id, $3::text AS body, 1 AS version";
    sqlx::query(AssertSqlSafe(pg_insert_from_bodies(Table::PeriodCloses, row)))
        .bind(close.to_string())
        .bind(t.0.to_string())
        .bind(r#"{"period":"2021-06"}"#)
        .execute(&mut holder)
        .await
        .unwrap();
    let body = format!(r#"{{"period":"2021-06","status":"closed","period_close_id":"{close}"}}"#);
    sqlx::query(AssertSqlSafe(pg_insert_from_bodies(Table::ClosedPeriods, row)))
        .bind(marker.to_string())
        .bind(t.0.to_string())
        .bind(body)
        .execute(&mut holder)
        .await
        .unwrap();
    let waiter = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let seen =
                tx.lock_then_get(t, "period:2021-06", LockMode::Shared, Table::ClosedPeriods, marker).await.unwrap();
            tx.rollback().await.unwrap();
            seen
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "the shared lock waits for the exclusive holder");
    sqlx::raw_sql("COMMIT").execute(&mut holder).await.unwrap();
    let seen = waiter.await.unwrap();
    assert_eq!(seen.map(|e| e.id), Some(marker), "the marker committed while the reader waited is read");
}
