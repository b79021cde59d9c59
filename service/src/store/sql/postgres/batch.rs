//! Postgres's one-statement paths: the write set of an executed request
//! (`Tx::write_all`) and the replay fast path (`Store::replay_completed`).

use crate::store::sql::*;

/// Postgres's `Tx::write_all`: the inserts, outbox rows, the key's response
/// and the audit row in one statement of data-modifying CTEs (each runs
/// exactly once; a duplicate id fails the statement as the single insert
/// would). Rows travel as JSON arrays; the records go to their tables, one
/// CTE per table the write set touches (`t` is the table's place in
/// `tables`), their typed columns read from the document in the store. Foreign keys are checked at the end of the statement, so a
/// record and its parent may arrive in the same one.
///
/// The outbox rows are read only once the records are inserted (`wf`
/// counts their rows first): Postgres runs unreferenced CTEs in an order
/// of its own (the later ones first), and an expired key's reuse collides
/// on both the record's id and its outbox row's. The record's is the one
/// that must be reported, as `write_all_in_steps` would: it is `Duplicate`
/// (the expired-key refusal), the outbox row's a `Constraint` (a bug).
fn write_all_sql(tables: &[Table]) -> String {
    // The rows' fields: every table's typed columns, each as `c<t>_<name>`
    // (a table's columns are its own, whatever another table calls alike).
    let mut fields = String::from("t INT, id TEXT, tenant_id TEXT, body TEXT, version BIGINT");
    for (i, t) in tables.iter().enumerate() {
        for c in t.columns() {
            fields.push_str(&format!(", c{i}_{} {}", c.name, c.ty.postgres()));
        }
    }
    let mut ctes: Vec<String> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "ins{i} AS (INSERT INTO {table} (id, tenant_id, body, version{names}) \
                 SELECT x.id::uuid, x.tenant_id::uuid, x.body, x.version{values} FROM jsonb_to_recordset($1::jsonb) \
                 AS x({fields}) WHERE x.t = {i} RETURNING 1)",
                table = t.name(),
                names = t.columns().iter().map(|c| format!(", {}", c.name)).collect::<String>(),
                values = t.columns().iter().map(|c| format!(", x.c{i}_{}", c.name)).collect::<String>(),
            )
        })
        .collect();
    let after_inserts = if tables.is_empty() {
        "TRUE".to_owned()
    } else {
        let counts: Vec<String> = (0..tables.len()).map(|i| format!("(SELECT COUNT(*) FROM ins{i})")).collect();
        format!("{} >= 0", counts.join(" + "))
    };
    ctes.push(format!(
        "wf AS (INSERT INTO workflow_instances (id, tenant_id, workflow_name, trigger_entity_id, operation_name, payload) \
         SELECT x.id::uuid, x.tenant_id::uuid, x.workflow_name, x.trigger_entity_id::uuid, x.operation_name, x.payload \
         FROM jsonb_to_recordset($2::jsonb) AS x(id TEXT, tenant_id TEXT, workflow_name TEXT, \
           trigger_entity_id TEXT, operation_name TEXT, payload TEXT) \
         WHERE {after_inserts} RETURNING 1)"
    ));
    ctes.push(
        "done AS (UPDATE idempotency_keys SET response_status = $6, response_body = $7, response_location = $8 \
         WHERE $3 AND tenant_id = $4::uuid AND idempotency_key = $5 AND response_status IS NULL RETURNING 1)"
            .to_owned(),
    );
    ctes.push(
        "aud AS (INSERT INTO idempotent_write_audit_log (company_id, operation_name, idempotency_key_hash, \
         deterministic_id, status, error_type, error_message, http_status, workflows_triggered, duration_ms, \
         request_id) VALUES ($9::uuid, $10, $11, $12::uuid, $13, $14, $15, $16, $17, $18, $19) RETURNING 1)"
            .to_owned(),
    );
    format!("WITH {} SELECT (SELECT COUNT(*) FROM done) AS completed", ctes.join(", "))
}

/// `write_all_sql` for one combination of tables, built once: write sets
/// come in a few shapes (one or two per operation). Bounded: at most one
/// statement per list of tables, and the operations write a fixed handful.
fn write_all_statement(tables: &[Table]) -> String {
    static BUILT: std::sync::Mutex<Vec<(Vec<Table>, String)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, sql)) = built.iter().find(|(t, _)| t == tables) {
        return sql.clone();
    }
    let sql = write_all_sql(tables);
    built.push((tables.to_vec(), sql.clone()));
    sql
}

pub(in crate::store::sql) async fn pg_write_all(t: &mut PgTx, w: &WriteSet<'_>) -> Result<(), StoreError> {
    // Updates go one statement per row, by primary key: joined from a JSON
    // array, Postgres may cache a hash-join plan made while the table was
    // small and keep scanning the whole table with it as the table grows.
    for e in w.updates {
        t.update_entity(e).await?;
    }
    let mut tables: Vec<Table> = Vec::new();
    let mut inserts: Vec<serde_json::Value> = Vec::with_capacity(w.inserts.len());
    for e in w.inserts {
        let table = Table::for_kind(&e.kind)?;
        let t = tables.iter().position(|u| *u == table).unwrap_or_else(|| {
            tables.push(table);
            tables.len() - 1
        });
        let mut row = serde_json::json!({
            "t": t, "id": e.id.to_string(), "tenant_id": e.tenant_id.0.to_string(), "body": e.body,
            "version": e.version,
        });
        // The typed columns, as text (`->>`): Postgres reads each with its
        // column type's input function, as the single-row insert's casts do.
        for (c, v) in table.columns().iter().zip(tables::column_values(table, &e.body)?) {
            row[format!("c{t}_{}", c.name)] = tables::postgres_text(&v).map_or(serde_json::Value::Null, Into::into);
        }
        inserts.push(row);
    }
    let workflows: Vec<serde_json::Value> = w
        .workflows
        .iter()
        .map(|f| {
            serde_json::json!({
                "id": f.id.to_string(), "tenant_id": f.tenant_id.0.to_string(), "workflow_name": f.workflow_name,
                "trigger_entity_id": f.trigger_entity_id.to_string(), "operation_name": f.operation_name,
                "payload": f.payload,
            })
        })
        .collect();
    let (tenant, key, response) = match w.complete {
        Some((t, k, r)) => (Some(t.0.to_string()), k.to_owned(), Some(r)),
        None => (None, String::new(), None),
    };
    let a = w.audit;
    // Reviewed: the text is built from table and column names and types
    // (`Table::name`, `Table::columns`, static) and numbers only; every
    // value is bound.
    let row = sqlx::query(sqlx::AssertSqlSafe(write_all_statement(&tables)))
        .bind(serde_json::Value::Array(inserts).to_string())
        .bind(serde_json::Value::Array(workflows).to_string())
        .bind(response.is_some())
        .bind(tenant)
        .bind(key)
        .bind(response.map(|r| i32::from(r.status)))
        .bind(response.map(|r| r.body.clone()))
        .bind(response.and_then(|r| r.location.clone()))
        .bind(a.company_id.0.to_string())
        .bind(a.operation_name.clone())
        .bind(a.idempotency_key_hash.clone())
        .bind(a.deterministic_id.to_string())
        .bind(a.status.as_str())
        .bind(a.error_type.clone())
        .bind(a.error_message.clone())
        .bind(i32::from(a.http_status))
        .bind(a.workflows_triggered)
        .bind(a.duration_ms)
        .bind(a.request_id.clone())
        .fetch_one(&mut *t.tx)
        .await
        .map_err(classify_pg)?;
    let completed: i64 = row.try_get("completed").map_err(classify_pg)?;
    if response.is_some() && completed != 1 {
        return Err(StoreError::Other("complete_key matched no claimed key".into()));
    }
    Ok(())
}

/// Postgres's replay fast path: finding the completed record and writing the
/// audit row is one statement (one round trip, one commit).
const PG_REPLAY_COMPLETED: &str = "WITH k AS ( \
       SELECT response_status, response_body, response_location FROM idempotency_keys \
       WHERE tenant_id = $1::uuid AND idempotency_key = $2 AND operation = $3 AND fingerprint = $4 \
         AND fingerprint_version = $5 AND response_status IS NOT NULL), \
     a AS ( \
       INSERT INTO idempotent_write_audit_log (company_id, operation_name, idempotency_key_hash, \
         deterministic_id, status, error_type, error_message, http_status, workflows_triggered, duration_ms, \
         request_id) \
       SELECT $6::uuid, $7, $8, $9::uuid, $10, $11, $12, k.response_status, $13, $14, $15 FROM k RETURNING 1) \
     SELECT response_status, response_body, response_location FROM k";

pub(in crate::store::sql) async fn pg_replay_completed<'c>(
    conn: impl sqlx::PgExecutor<'c>,
    r: &KeyRecord,
    a: &AuditRecord,
) -> Result<Option<StoredResponse>, StoreError> {
    let row = sqlx::query(PG_REPLAY_COMPLETED)
        .bind(r.tenant_id.0.to_string())
        .bind(r.idempotency_key.clone())
        .bind(r.operation.clone())
        .bind(r.fingerprint.clone())
        .bind(r.fingerprint_version)
        .bind(a.company_id.0.to_string())
        .bind(a.operation_name.clone())
        .bind(a.idempotency_key_hash.clone())
        .bind(a.deterministic_id.to_string())
        .bind(a.status.as_str())
        .bind(a.error_type.clone())
        .bind(a.error_message.clone())
        .bind(a.workflows_triggered)
        .bind(a.duration_ms)
        .bind(a.request_id.clone())
        .fetch_optional(conn)
        .await
        .map_err(classify_pg)?;
    let Some(row) = row else { return Ok(None) };
    let status: i32 = row.try_get("response_status").map_err(classify_pg)?;
    Ok(Some(StoredResponse {
        status: u16::try_from(status).map_err(|_| StoreError::Other("bad status".into()))?,
        body: row.try_get("response_body").map_err(classify_pg)?,
        location: row.try_get("response_location").map_err(classify_pg)?,
    }))
}
