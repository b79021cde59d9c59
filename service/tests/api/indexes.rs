//! Every `Tx::count_matching` statement is answered from its expression
//! index (migrations 0012), not by reading the tenant's rows: the statement
//! and the index must spell the expression the same way, or the planner
//! silently falls back to a scan that grows with the tenant.

use accubooks_service::store::sql::count_matching_sql;
use accubooks_service::store::IndexedField;
use sqlx::{AssertSqlSafe, Connection, Row};

use crate::support::{fresh_store_at, test_limits, Kind};

fn index_of(field: IndexedField) -> &'static str {
    match field {
        IndexedField::AccountCode => "entities_account_code",
        IndexedField::UserEmail => "entities_user_email",
        IndexedField::UserRole => "entities_user_role",
        IndexedField::InvoiceStatus => "entities_invoice_status",
    }
}

#[tokio::test]
async fn sqlite_count_matching_uses_each_fields_index() {
    let (_store, url) = fresh_store_at(Kind::Sqlite, test_limits()).await.expect("sqlite");
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for field in IndexedField::ALL {
        let sql = format!("EXPLAIN QUERY PLAN {}", count_matching_sql(false, field));
        let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut conn).await.unwrap();
        let plan: Vec<String> = rows.iter().map(|r| r.get::<String, _>("detail")).collect();
        let wanted = format!("USING INDEX {}", index_of(field));
        assert!(plan.iter().any(|d| d.contains(&wanted)), "{field:?}: {plan:?}");
    }
}

#[tokio::test]
async fn postgres_count_matching_uses_each_fields_index() {
    let Some((_store, url)) = fresh_store_at(Kind::Postgres, test_limits()).await else { return };
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    // The generic plan is what a prepared statement runs after a few
    // executions; with scans off, only a matching index avoids one.
    for setting in ["SET enable_seqscan = off", "SET plan_cache_mode = force_generic_plan"] {
        sqlx::raw_sql(setting).execute(&mut conn).await.unwrap();
    }
    for (i, field) in IndexedField::ALL.into_iter().enumerate() {
        let prepare = format!("PREPARE q{i} AS {}", count_matching_sql(true, field));
        sqlx::raw_sql(AssertSqlSafe(prepare)).execute(&mut conn).await.unwrap();
        let args = if field == IndexedField::InvoiceStatus { "'t', 'v', '', 1, 'p'" } else { "'t', 'v', '', 1" };
        let explain = format!("EXPLAIN EXECUTE q{i}({args})");
        let rows = sqlx::query(AssertSqlSafe(explain)).fetch_all(&mut conn).await.unwrap();
        let plan: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
        assert!(plan.iter().any(|l| l.contains(index_of(field))), "{field:?}: {plan:#?}");
    }
}
