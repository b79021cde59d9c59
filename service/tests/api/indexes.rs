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
    let Some((store, url)) = fresh_store_at(Kind::Postgres, test_limits()).await else { return };
    let tenants = crate::support::tenants(store.as_ref()).await;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    // A tenant with a few thousand users, accounts and invoices and no
    // statistics yet (a young database): the statement is planned per call
    // (`persistent(false)`), as here, and must still pick the field's index
    // over the (tenant, kind) one or another field's.
    let rows = "INSERT INTO entities (id, tenant_id, kind, parent_id, body, version) \
        SELECT md5(k || g::text), $1, k, CASE WHEN k = 'invoice' THEN 'parent' END, \
          json_build_object('email', 'u' || g || '@example.com', 'role', CASE WHEN g % 2 = 0 THEN 'admin' ELSE 'viewer' END, \
            'code', 'C' || g, 'status', 'open')::text, 1 \
        FROM generate_series(1, 3000) AS g, unnest(ARRAY['user', 'account', 'invoice']) AS k";
    sqlx::query(rows).bind(tenants.a.0.to_string()).execute(&mut conn).await.unwrap();
    sqlx::raw_sql("SET plan_cache_mode = force_custom_plan").execute(&mut conn).await.unwrap();
    for (i, field) in IndexedField::ALL.into_iter().enumerate() {
        let prepare = format!("PREPARE q{i} AS {}", count_matching_sql(true, field));
        sqlx::raw_sql(AssertSqlSafe(prepare)).execute(&mut conn).await.unwrap();
        let (t, v) = (tenants.a.0, if field == IndexedField::UserRole { "admin" } else { "u7@example.com" });
        let args = if field == IndexedField::InvoiceStatus {
            format!("'{t}', 'open', '', 1, 'parent'")
        } else {
            format!("'{t}', '{v}', '', 1")
        };
        let explain = format!("EXPLAIN EXECUTE q{i}({args})");
        let rows = sqlx::query(AssertSqlSafe(explain)).fetch_all(&mut conn).await.unwrap();
        let plan: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
        assert!(plan.iter().any(|l| l.contains(index_of(field))), "{field:?}: {plan:#?}");
    }
}
