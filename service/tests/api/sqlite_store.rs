//! The embedded store's own migrator keeps the history table earlier
//! releases wrote through sqlx (`_sqlx_migrations`, SHA-384 checksums): a
//! database file either of them migrated opens with the other unchanged.

use std::str::FromStr;

use accubooks_service::store::sql::{Database, SqlLimits};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

fn temp_file(name: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("accubooks-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.db");
    let url = format!("sqlite://{}", file.display());
    (dir, url)
}

async fn sqlx_migrate(url: &str) -> Vec<(i64, Vec<u8>)> {
    let opts = SqliteConnectOptions::from_str(url).unwrap().create_if_missing(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
    sqlx::migrate!("./migrations/sqlite").run(&pool).await.expect("sqlx accepts the history");
    let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows
}

#[tokio::test]
async fn a_file_sqlx_migrated_opens_and_a_file_the_store_migrated_satisfies_sqlx() {
    // Migrated by sqlx (as releases before the store's own migrator did), then opened.
    let (dir, url) = temp_file("sqlx-first");
    let by_sqlx = sqlx_migrate(&url).await;
    let db = Database::open(&url, SqlLimits::default()).await.expect("the store opens a sqlx-migrated file");
    db.store().ping().await.unwrap();
    drop(db);
    assert_eq!(sqlx_migrate(&url).await, by_sqlx, "opening applied nothing again");
    let _ = std::fs::remove_dir_all(dir);

    // Migrated by the store, then checked by sqlx: same versions, same checksums.
    let (dir, url) = temp_file("store-first");
    drop(Database::open(&url, SqlLimits::default()).await.unwrap());
    assert_eq!(sqlx_migrate(&url).await, by_sqlx, "the store records what sqlx would");
    let _ = std::fs::remove_dir_all(dir);
}
