//! Every `Tx::count_matching` statement is answered from its index on the
//! typed tables (migrations 0015), not by reading the tenant's rows: a
//! statement the planner answers by a scan would grow with the tenant.

use accubooks_service::store::sql::count_matching_sql;
use accubooks_service::store::{IndexedField, Table};
use sqlx::{AssertSqlSafe, Connection, Row};

use crate::support::{fresh_store_at, pg_insert_from_bodies, test_limits, Kind};

/// The indexes that answer a field's lookup without reading the tenant's
/// rows: a customer's invoices by status, or (for `open`, the status the
/// rules ask about) the open-receivables index, which is keyed by customer.
fn indexes_of(field: IndexedField) -> &'static [&'static str] {
    match field {
        IndexedField::AccountCode => &["accounts_code_unique"],
        IndexedField::UserEmail => &["users_email_unique"],
        IndexedField::UserRole => &["users_role"],
        IndexedField::InvoiceStatus => &["invoices_customer_status", "invoices_open_receivables"],
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
        let wanted = format!("USING INDEX {}", indexes_of(field)[0]);
        assert!(plan.iter().any(|d| d.contains(&wanted)), "{field:?}: {plan:?}");
    }
}

#[tokio::test]
async fn postgres_count_matching_uses_each_fields_index() {
    let Some((store, url)) = fresh_store_at(Kind::Postgres, test_limits()).await else { return };
    let tenants = crate::support::tenants(store.as_ref()).await;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    // A tenant with a few thousand users, accounts and invoices (all of one
    // customer) and no statistics yet (a young database): the statement is
    // planned per call (`persistent(false)`), as here, and must still pick
    // the field's index.
    let (t, parent) = (tenants.a.0.to_string(), uuid::Uuid::new_v4().to_string());
    let statements = [
        pg_insert_from_bodies(
            Table::Customers,
            "SELECT $2::uuid AS id, $1::uuid AS tenant_id, '{\"name\":\"Parent\"}' AS body, 1 AS version",
        ),
        pg_insert_from_bodies(
            Table::Users,
            "SELECT md5('u' || g)::uuid AS id, $1::uuid AS tenant_id, json_build_object('email', \
               'u' || g || '@example.com', 'name', 'U', 'role', CASE WHEN g % 2 = 0 THEN 'admin' ELSE 'viewer' END)::text \
               AS body, 1 AS version \
             FROM generate_series(1, 3000) AS g WHERE $2::uuid IS NOT NULL",
        ),
        pg_insert_from_bodies(
            Table::Accounts,
            "SELECT md5('a' || g)::uuid AS id, $1::uuid AS tenant_id, json_build_object('code', 'C' || g, 'name', 'A', \
               'type', 'asset')::text AS body, 1 AS version \
             FROM generate_series(1, 3000) AS g WHERE $2::uuid IS NOT NULL",
        ),
        pg_insert_from_bodies(
            Table::Invoices,
            "SELECT md5('i' || g)::uuid AS id, $1::uuid AS tenant_id, json_build_object('customer_id', $2::text, \
               'currency', 'USD', 'due_date', '2026-01-31', 'lines', json_build_array(), 'total_cents', 0, \
               'amount_paid_cents', 0, 'status', 'open')::text AS body, 1 AS version \
             FROM generate_series(1, 3000) AS g",
        ),
    ];
    for sql in statements {
        sqlx::query(AssertSqlSafe(sql)).bind(t.clone()).bind(parent.clone()).execute(&mut conn).await.unwrap();
    }
    sqlx::raw_sql("SET plan_cache_mode = force_custom_plan").execute(&mut conn).await.unwrap();
    for (i, field) in IndexedField::ALL.into_iter().enumerate() {
        let prepare = format!("PREPARE q{i} AS {}", count_matching_sql(true, field));
        sqlx::raw_sql(AssertSqlSafe(prepare)).execute(&mut conn).await.unwrap();
        let v = match field {
            IndexedField::UserRole => "admin",
            IndexedField::AccountCode => "C7",
            _ => "u7@example.com",
        };
        let args = if field == IndexedField::InvoiceStatus {
            format!("'{t}', 'open', NULL, 1, '{parent}'")
        } else {
            format!("'{t}', '{v}', NULL, 1")
        };
        let explain = format!("EXPLAIN EXECUTE q{i}({args})");
        let rows = sqlx::query(AssertSqlSafe(explain)).fetch_all(&mut conn).await.unwrap();
        let plan: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
        let indexed = plan.iter().any(|l| indexes_of(field).iter().any(|i| l.contains(&format!("using {i} "))));
        assert!(indexed, "{field:?}: {plan:#?}");
    }
}

/// The outbox's claim and delivered statements read rows by id (the claim's
/// candidates from `workflow_instances_open`), whatever plan
/// Postgres keeps for them: here a generic plan made while the outbox held
/// a handful of rows, executed once it holds thousands of delivered ones.
/// Written as `id IN (…)`, the same statements were planned as a hash join
/// over the whole table, read on every round.
#[tokio::test]
async fn postgres_outbox_statements_read_by_id() {
    let Some((store, url)) = fresh_store_at(Kind::Postgres, test_limits()).await else { return };
    let tenants = crate::support::tenants(store.as_ref()).await;
    let t = tenants.a.0.to_string();
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let insert = |n: i32, status: &'static str| {
        sqlx::query(
            "INSERT INTO workflow_instances (id, tenant_id, workflow_name, trigger_entity_id, operation_name, payload, status) \
             SELECT gen_random_uuid(), $1::uuid, 'invoice_email', gen_random_uuid(), 'create_invoice', '{}', $3 \
             FROM generate_series(1, $2)",
        )
        .bind(t.clone())
        .bind(n)
        .bind(status)
    };
    insert(5, "pending").execute(&mut conn).await.unwrap();
    sqlx::raw_sql("ANALYZE workflow_instances; SET plan_cache_mode = force_generic_plan")
        .execute(&mut conn)
        .await
        .unwrap();
    let [claim, done] = accubooks_service::store::sql::outbox_statements();
    for (name, sql) in [("claim", claim), ("done", done)] {
        sqlx::raw_sql(AssertSqlSafe(format!("PREPARE {name} AS {sql}"))).execute(&mut conn).await.unwrap();
    }
    insert(20_000, "done").execute(&mut conn).await.unwrap();
    for (name, args) in [("claim", "500, 30"), ("done", "'[\"00000000-0000-0000-0000-000000000001\"]'")] {
        let explain = format!("EXPLAIN EXECUTE {name}({args})");
        let rows = sqlx::query(AssertSqlSafe(explain)).fetch_all(&mut conn).await.unwrap();
        let plan: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
        // By id, or among the open rows only (the partial index's entries:
        // the backlog, not the table).
        let by_id = |l: &String| l.contains("workflow_instances_pkey") || l.contains("workflow_instances_open");
        assert!(plan.iter().any(by_id), "{name}: {plan:#?}");
        assert!(!plan.iter().any(|l| l.contains("Seq Scan")), "{name}: {plan:#?}");
    }
}
