//! Upgrading in place carries the data. `tests/data/upgrade-0014/` holds a
//! database populated through the API of the release before the typed
//! tables (schema 0014: every record in one `entities` table), recorded by
//! `ci/upgrade-fixture.py`: every operation for two tenants, each replayed,
//! every record read back, and the transcript of what that release
//! answered. Here the dump is loaded, this release's `accubooks migrate`
//! runs on it, and then every stored replay and every read must be
//! byte-identical to the transcript, the compliance checks must pass, and
//! the service must go on writing. SQLite and Postgres.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use accubooks_service::app::{Jobs, Service, ServiceConfig};
use accubooks_service::store::sql::{connect, SqlLimits};
use accubooks_service::store::Table;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::{Connection, Row};

use crate::support::{fresh_database, send, typed_column_mismatches, Kind};

#[derive(Debug, Deserialize)]
struct Mutation {
    token: String,
    method: String,
    path: String,
    key: String,
    body: Value,
    status: u16,
    response: String,
}

#[derive(Debug, Deserialize)]
struct Read {
    token: String,
    path: String,
    status: u16,
    body: String,
}

#[derive(Debug, Deserialize)]
struct Transcript {
    mutations: Vec<Mutation>,
    reads: Vec<Read>,
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/upgrade-0014").join(name)
}

fn accubooks(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accubooks"))
        .args(args)
        .env("ACCUBOOKS_LOG", "warn")
        .output()
        .expect("run accubooks");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Rows of the old table per kind, before the upgrade.
async fn entities_per_kind(url: &str) -> Vec<(String, i64)> {
    let sql = "SELECT kind, COUNT(*) AS n FROM entities GROUP BY kind ORDER BY kind";
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap();
        rows.iter().map(|r| (r.get("kind"), r.get("n"))).collect()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap();
        rows.iter().map(|r| (r.get("kind"), r.get("n"))).collect()
    }
}

/// Loads a dump: `sqlite3 .dump` text, or `pg_dump --inserts` text without
/// its psql meta-commands (`\restrict`).
async fn load(url: &str, dump: &str) {
    if url.starts_with("sqlite:") {
        let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
        let mut c = sqlx::SqliteConnection::connect_with(&opts.create_if_missing(true)).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(dump.to_owned())).execute(&mut c).await.expect("load the sqlite dump");
    } else {
        let sql: String = dump.lines().filter(|l| !l.starts_with('\\')).collect::<Vec<_>>().join("\n");
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await.expect("load the postgres dump");
    }
}

async fn upgrade_carries_the_data(kind: Kind) {
    let (url, dump, transcript) = match kind {
        Kind::Sqlite => {
            let path = std::env::temp_dir().join(format!("accubooks-upgrade-{}.db", uuid::Uuid::new_v4().simple()));
            (format!("sqlite://{}", path.display()), "sqlite.sql", "transcript-sqlite.json")
        }
        _ => {
            let Some(url) = fresh_database().await else { return };
            (url, "postgres.sql", "transcript-postgres.json")
        }
    };
    let t: Transcript = serde_json::from_str(&std::fs::read_to_string(fixture(transcript)).unwrap()).unwrap();
    assert!(t.mutations.len() >= 40 && t.reads.len() >= 100, "the transcript holds the story");
    load(&url, &std::fs::read_to_string(fixture(dump)).unwrap()).await;
    let before = entities_per_kind(&url).await;
    assert!(before.len() >= 19, "every kind of record is in the old table: {before:?}");

    // The upgrade, by the binary an operator runs.
    let (ok, out) = accubooks(&["migrate", "--database-url", &url]);
    assert!(ok, "accubooks migrate: {out}");

    // Every row moved to the table of its kind; the old table is gone.
    let store = connect(&url, SqlLimits::default()).await.expect("open the upgraded database");
    for (k, n) in &before {
        let table = Table::of_kind(k).unwrap_or_else(|| panic!("no table for {k}"));
        let moved = store.list_entities(None, table, None).await.unwrap();
        assert_eq!(moved.len() as i64, *n, "{k}: rows in {}", table.name());
    }
    assert_eq!(store.counts().await.unwrap().entities as i64, before.iter().map(|(_, n)| n).sum::<i64>());
    let still = if kind == Kind::Sqlite {
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'entities'")
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get::<i64, _>(0)
    } else {
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'entities'")
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get::<i64, _>(0)
    };
    assert_eq!(still, 0, "the old table is dropped once the move is verified");

    // The upgraded database, served.
    let service = Service::build(store.clone(), ServiceConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(service.run(listener, Jobs::none(), std::future::pending()));
    let store = Arc::clone(&store);

    // Every stored answer replays byte for byte.
    for m in &t.mutations {
        let auth = format!("Bearer {}", m.token);
        let headers: [(&str, &[u8]); 3] = [
            ("authorization", auth.as_bytes()),
            ("idempotency-key", m.key.as_bytes()),
            ("content-type", b"application/json"),
        ];
        let r = send(addr, &m.method, &m.path, &headers, m.body.to_string().into_bytes()).await;
        let what = format!("{} {} (key {})", m.method, m.path, m.key);
        let expected = if m.status == 201 { 200 } else { m.status };
        assert_eq!(r.status, expected, "{what}: {:?}", r.body);
        assert_eq!(r.header("idempotent-replayed"), Some("true"), "{what}");
        assert_eq!(String::from_utf8_lossy(&r.body), m.response, "{what}: the replay differs");
    }
    // Every read answers what the earlier release answered.
    for read in &t.reads {
        let auth = format!("Bearer {}", read.token);
        let r = send(addr, "GET", &read.path, &[("authorization", auth.as_bytes())], vec![]).await;
        assert_eq!(r.status, read.status, "GET {}", read.path);
        assert_eq!(String::from_utf8_lossy(&r.body), read.body, "GET {}: the body differs", read.path);
    }

    // The compliance checks hold on the upgraded data.
    for check in ["verify-ledger", "verify-no-duplicates"] {
        let (ok, out) = accubooks(&["audit", check, "--database-url", &url]);
        assert!(ok, "accubooks audit {check}: {out}");
    }

    // And the service goes on writing: a new invoice for an old customer.
    let first = &t.mutations[0];
    let customer: Value = serde_json::from_str(&first.response).unwrap();
    let auth = format!("Bearer {}", first.token);
    let body = json!({"customer_id": customer["id"], "currency": "USD", "due_date": "2030-12-31",
        "lines": [{"description": "After the upgrade", "quantity": 1, "unit_price_cents": 100}]});
    let headers: [(&str, &[u8]); 3] = [
        ("authorization", auth.as_bytes()),
        ("idempotency-key", b"after-upgrade"),
        ("content-type", b"application/json"),
    ];
    let r = send(addr, "POST", "/v1/invoices", &headers, body.to_string().into_bytes()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(store.counts().await.unwrap().entities as i64 > before.iter().map(|(_, n)| n).sum::<i64>());

    // The typed columns hold their documents' fields: those the migration
    // read in SQL and those the store bound for the new write.
    let (rows, bad) = typed_column_mismatches(kind, &url).await;
    assert!(rows > before.iter().map(|(_, n)| n).sum::<i64>(), "{rows} rows read");
    assert!(bad.is_empty(), "typed columns that differ from their documents: {bad:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_upgrade_carries_the_data() {
    upgrade_carries_the_data(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_upgrade_carries_the_data() {
    upgrade_carries_the_data(Kind::Postgres).await;
}
