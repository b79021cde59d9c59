//! The reporting queries of docs/operations.md (`deploy/reports/*.sql`)
//! run as plain SQL on both dialects over the typed tables and give the
//! figures the API's records add up to; on Postgres, with a tenant of some
//! size and statistics, each is answered from its index.

use accubooks_service::store::Table;
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection, Row};

use crate::support::{pg_insert_from_bodies, spawn_app_with, Kind, TestApp};

const TENANT_PLACEHOLDER: &str = "00000000-0000-0000-0000-000000000000";

fn report(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/reports").join(name);
    std::fs::read_to_string(path).unwrap()
}

/// The report's SQL for one tenant, as an operator would run it.
fn for_tenant(sql: &str, tenant: &str) -> String {
    assert!(sql.contains(TENANT_PLACEHOLDER), "the report names its tenant by the placeholder");
    sql.replace(TENANT_PLACEHOLDER, tenant)
}

/// Each row as text cells (both dialects' types read as text or integers).
async fn run(app: &TestApp, sql: &str) -> Vec<Vec<String>> {
    let cell = |r: &dyn Fn(usize) -> Option<String>, i| r(i).unwrap_or_else(|| "NULL".into());
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    if app.kind == Kind::Sqlite {
        let mut c = sqlx::SqliteConnection::connect(&app.url).await.unwrap();
        let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap();
        rows.iter()
            .map(|row| {
                let get = |i: usize| {
                    row.try_get::<String, _>(i).ok().or_else(|| row.try_get::<i64, _>(i).ok().map(|n| n.to_string()))
                };
                (0..row.len()).map(|i| cell(&get, i)).collect()
            })
            .collect()
    } else {
        let mut c = sqlx::PgConnection::connect(&app.url).await.unwrap();
        let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap();
        rows.iter()
            .map(|row| {
                let get = |i: usize| {
                    row.try_get::<String, _>(i).ok().or_else(|| row.try_get::<i64, _>(i).ok().map(|n| n.to_string()))
                };
                (0..row.len()).map(|i| cell(&get, i)).collect()
            })
            .collect()
    }
}

async fn reports_run_on_both_dialects(kind: Kind) {
    let Some(app) = spawn_app_with(kind, std::time::Duration::from_secs(30)).await else { return };
    let t = app.new_tenant().await;
    let mut n = 0;
    let mut post = |path: &'static str, body: serde_json::Value| {
        n += 1;
        let (app, t, key) = (&app, &t, format!("report-{n}"));
        async move {
            let r = app.post(path, &t.token, &key, &body).await;
            assert_eq!(r.status, 201, "{path} {body}: {:?}", r.body);
            r.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let x = post("/v1/customers", json!({"name": "Xylo"})).await;
    let y = post("/v1/customers", json!({"name": "Yarrow"})).await;
    let invoice = |c: &str, currency: &str, cents: i64, due: &str| {
        json!({"customer_id": c, "currency": currency, "due_date": due,
            "lines": [{"description": "Work", "quantity": 1, "unit_price_cents": cents}]})
    };
    let x1 = post("/v1/invoices", invoice(&x, "USD", 1_000, "2030-01-31")).await;
    post("/v1/invoices", invoice(&x, "USD", 2_000, "2030-02-28")).await;
    let x3 = post("/v1/invoices", invoice(&x, "USD", 3_000, "2030-03-31")).await;
    post("/v1/invoices", invoice(&y, "EUR", 700, "2030-04-30")).await;
    let y2 = post("/v1/invoices", invoice(&y, "EUR", 900, "2030-05-31")).await;
    let pay = |i: &str, cents: i64, method: &str, date: &str| json!({"invoice_id": i, "amount_cents": cents, "method": method, "payment_date": date});
    post("/v1/payments", pay(&x1, 500, "card", "2026-03-05")).await;
    post("/v1/payments", pay(&x3, 3_000, "card", "2026-03-20")).await; // pays x3 in full
    post("/v1/payments", pay(&y2, 900, "cash", "2026-04-01")).await; // pays y2 in full
    post("/v1/payments", pay(&x1, 100, "bank_transfer", "2025-12-31")).await; // outside the range

    let tenant = t.id.0.to_string();
    let receivables = run(&app, &for_tenant(&report("open-receivables.sql"), &tenant)).await;
    let row = |c: &str, name: &str, cur: &str, n: &str, owed: &str, due: &str| {
        [c, name, cur, n, owed, due].map(str::to_owned).to_vec()
    };
    assert_eq!(
        receivables,
        vec![row(&x, "Xylo", "USD", "2", "2400", "2030-01-31"), row(&y, "Yarrow", "EUR", "1", "700", "2030-04-30")],
        "open receivables per customer"
    );
    let by_method = run(&app, &for_tenant(&report("payments-by-method.sql"), &tenant)).await;
    let row =
        |m: &str, method: &str, n: &str, cents: &str, cur: &str| [m, method, cur, n, cents].map(str::to_owned).to_vec();
    assert_eq!(
        by_method,
        vec![row("2026-03", "card", "2", "3500", "USD"), row("2026-04", "cash", "1", "900", "EUR")],
        "payments by method per month"
    );

    if kind == Kind::Postgres {
        // Fifty other tenants of some size, and statistics: the report's
        // tenant is a small part of each table, as in production, and each
        // report reads its index.
        let mut c = sqlx::PgConnection::connect(&app.url).await.unwrap();
        for sql in [
            pg_insert_from_bodies(
                Table::Customers,
                "SELECT md5('c' || g)::uuid AS id, md5('t' || (g % 50))::uuid AS tenant_id, \
                 json_build_object('name', 'C' || g)::text AS body, 1 AS version FROM generate_series(1, 500) AS g",
            ),
            pg_insert_from_bodies(
                Table::Invoices,
                "SELECT md5('i' || g)::uuid AS id, md5('t' || ((g % 500 + 1) % 50))::uuid AS tenant_id, \
                   json_build_object('customer_id', md5('c' || (g % 500 + 1))::uuid, 'currency', 'USD', \
                   'due_date', '2030-01-31', 'lines', json_build_array(), 'total_cents', 0, 'amount_paid_cents', 0, \
                   'status', 'open')::text AS body, 1 AS version \
                 FROM generate_series(1, 20000) AS g",
            ),
            pg_insert_from_bodies(
                Table::Payments,
                "SELECT md5('p' || g)::uuid AS id, md5('t' || ((g % 500 + 1) % 50))::uuid AS tenant_id, \
                   json_build_object('invoice_id', md5('i' || g)::uuid, 'amount_cents', 100, 'currency', 'USD', \
                   'method', 'card', 'amount_refunded_cents', 0, \
                   'payment_date', to_char(DATE '2024-01-01' + g % 1000, 'YYYY-MM-DD'))::text AS body, \
                   1 AS version \
                 FROM generate_series(1, 20000) AS g",
            ),
        ] {
            sqlx::query(AssertSqlSafe(sql)).execute(&mut c).await.unwrap();
        }
        sqlx::raw_sql("VACUUM ANALYZE customers, invoices, payments").execute(&mut c).await.unwrap();
        for (file, index) in
            [("open-receivables.sql", "invoices_open_receivables"), ("payments-by-method.sql", "payments_tenant_date")]
        {
            let explain = format!("EXPLAIN {}", for_tenant(&report(file), &tenant));
            let rows = sqlx::query(sqlx::AssertSqlSafe(explain)).fetch_all(&mut c).await.unwrap();
            let plan: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
            let uses = |l: &String| l.contains(&format!("using {index} ")) || l.contains(&format!("on {index} "));
            assert!(plan.iter().any(uses), "{file}: {plan:#?}");
            // Shown with --nocapture: the plan docs/operations.md quotes.
            println!("EXPLAIN {file}:\n{}", plan.join("\n"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reports() {
    reports_run_on_both_dialects(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reports() {
    reports_run_on_both_dialects(Kind::Postgres).await;
}

/// The operations guide shows each report as it is in deploy/reports.
#[test]
fn the_operations_guide_shows_the_reports() {
    let guide = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/operations.md"))
        .unwrap();
    for file in ["open-receivables.sql", "payments-by-method.sql"] {
        let sql = report(file);
        let select = &sql[sql.find("SELECT").unwrap()..];
        assert!(guide.contains(select.trim_end()), "docs/operations.md shows {file} as it is");
    }
}
