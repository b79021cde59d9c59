//! The statements both dialects share (`$N` placeholders); those over the
//! tables of records, built per dialect and table; and the
//! `Tx::count_matching` lookups per dialect.

use std::sync::OnceLock;

use crate::store::{Column, IndexedField, Table};

pub(super) const SELECT_TENANT_BY_TOKEN: &str = "SELECT id, name FROM tenants WHERE token_hash = $1 AND NOT revoked";
pub(super) const SELECT_KEY: &str = "SELECT tenant_id, idempotency_key, operation, fingerprint, fingerprint_version, \
     entity_id, response_status, response_body, response_location \
     FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2";
pub(super) const SELECT_KEYS: &str = "SELECT tenant_id, idempotency_key, operation, fingerprint, fingerprint_version, \
     entity_id, response_status, response_body, response_location \
     FROM idempotency_keys WHERE ($1 IS NULL OR tenant_id = $1) ORDER BY tenant_id, idempotency_key";
/// When a key was first used (UTC text in both dialects: Postgres sessions
/// run in UTC) and its state.
pub(super) const SELECT_KEY_META: &str =
    "SELECT CAST(created_at AS TEXT), state FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2";
pub(super) const SELECT_WORKFLOWS: &str = "SELECT id, tenant_id, workflow_name, trigger_entity_id, operation_name, \
     payload FROM workflow_instances WHERE ($1 IS NULL OR tenant_id = $1) ORDER BY id";
/// The statements that read and write one table of records (`Table`), in
/// one dialect. Binds: get/update/insert $1 id, $2 tenant (update and
/// insert: $3 body, $4 version, then the table's typed columns from $5 on,
/// `tables::column_values`); list $1 tenant (or NULL), $2 parent (or
/// NULL); lock-then-get $1 tenant, $2 lock name, $3 id.
#[derive(Debug)]
pub(super) struct TableSql {
    pub get: String,
    #[cfg_attr(madsim, allow(dead_code))] // Postgres's row locks
    pub get_for_update: String,
    pub list: String,
    pub insert: String,
    pub update: String,
    #[cfg_attr(madsim, allow(dead_code))] // Postgres's row locks
    pub lock_shared_then_get: String,
    #[cfg_attr(madsim, allow(dead_code))] // Postgres's row locks
    pub lock_exclusive_then_get: String,
}

/// How a dialect spells a bound id and a selected one: Postgres's ids are
/// `uuid` (bound and read as text), SQLite's are text.
struct Dialect {
    postgres: bool,
}

impl Dialect {
    fn id(&self, n: u8) -> String {
        if self.postgres {
            format!("${n}::uuid")
        } else {
            format!("${n}")
        }
    }

    fn text(&self, column: &str) -> String {
        if self.postgres {
            format!("{column}::text")
        } else {
            column.to_owned()
        }
    }

    /// `SELECT` of a table's rows as `Entity` columns (prefix: a table alias).
    fn select(&self, t: Table, alias: &str) -> String {
        let parent = t.parent().map_or_else(|| "NULL".to_owned(), |p| self.text(&format!("{alias}{}", p.column)));
        format!(
            "SELECT {id} AS id, {tenant} AS tenant_id, '{kind}' AS kind, {parent} AS parent_id, {alias}body AS body, \
             {alias}version AS version FROM {table}",
            id = self.text(&format!("{alias}id")),
            tenant = self.text(&format!("{alias}tenant_id")),
            kind = t.kind(),
            table = t.name(),
        )
    }

    /// A typed column's bound value: `$n`, cast on Postgres from the text
    /// it is bound as.
    fn column_value(&self, n: usize, c: &Column) -> String {
        if self.postgres {
            format!("${n}::{}", c.ty.postgres())
        } else {
            format!("${n}")
        }
    }

    fn table(&self, t: Table) -> TableSql {
        let (id1, id2, id3) = (self.id(1), self.id(2), self.id(3));
        // The typed columns bind $5.. (`Table::columns`, read from the body).
        let columns: Vec<(&str, String)> =
            t.columns().iter().enumerate().map(|(i, c)| (c.name, self.column_value(i + 5, c))).collect();
        let get = format!("{} WHERE id = {id1} AND tenant_id = {id2}", self.select(t, ""));
        let parent = match t.parent() {
            Some(p) => format!("({id2} IS NULL OR {} = {id2})", p.column),
            None => format!("{id2} IS NULL"),
        };
        let lock_then_get = |mode: &str| {
            // The record outer-joined to the lock's row: absent is NULLs.
            let select = self.select(t, "e.").replace(&format!("FROM {}", t.name()), "");
            format!(
                "{select}FROM named_locks AS nl LEFT JOIN {table} AS e ON e.id = {id3} AND e.tenant_id = {tid} \
                 WHERE nl.tenant_id = {tid} AND nl.name = $2 FOR {mode} OF nl",
                table = t.name(),
                tid = self.id(1),
            )
        };
        TableSql {
            get_for_update: format!("{get} FOR UPDATE"),
            list: format!("{} WHERE ({id1} IS NULL OR tenant_id = {id1}) AND {parent} ORDER BY id", self.select(t, "")),
            insert: format!(
                "INSERT INTO {} (id, tenant_id, body, version{names}) VALUES ({id1}, {id2}, $3, $4{values})",
                t.name(),
                names = columns.iter().map(|(c, _)| format!(", {c}")).collect::<String>(),
                values = columns.iter().map(|(_, v)| format!(", {v}")).collect::<String>(),
            ),
            update: format!(
                "UPDATE {} SET body = $3, version = $4{sets}, updated_at = CURRENT_TIMESTAMP \
                 WHERE id = {id1} AND tenant_id = {id2} AND version = $4 - 1",
                t.name(),
                sets = columns.iter().map(|(c, v)| format!(", {c} = {v}")).collect::<String>(),
            ),
            lock_shared_then_get: lock_then_get("SHARE"),
            lock_exclusive_then_get: lock_then_get("UPDATE"),
            get,
        }
    }

    /// Every record of every table (of one tenant, or all), ordered by id.
    fn all_records(&self) -> String {
        let tenant = self.id(1);
        let parts: Vec<String> = Table::ALL
            .iter()
            .map(|t| format!("{} WHERE ({tenant} IS NULL OR tenant_id = {tenant})", self.select(*t, "")))
            .collect();
        format!("{} ORDER BY id", parts.join(" UNION ALL "))
    }

    fn counts(&self) -> String {
        let records: Vec<String> = Table::ALL.iter().map(|t| format!("(SELECT COUNT(*) FROM {})", t.name())).collect();
        format!(
            "SELECT (SELECT COUNT(*) FROM idempotency_keys) AS keys, \
             {} AS entities, \
             (SELECT COUNT(*) FROM workflow_instances) AS workflows, \
             (SELECT COUNT(*) FROM idempotent_write_audit_log) AS audit_rows, \
             (SELECT COUNT(*) FROM idempotent_write_audit_log WHERE status = 'new') AS audit_new",
            records.join(" + ")
        )
    }
}

/// One dialect's statements over the tables of records, built once.
pub(super) struct RecordSql {
    tables: Vec<TableSql>,
    pub all_records: String,
    pub counts: String,
}

impl RecordSql {
    pub fn table(&self, t: Table) -> &TableSql {
        &self.tables[Table::ALL.iter().position(|u| *u == t).expect("every table is in Table::ALL")]
    }
}

/// The statements over the tables of records in one dialect, built once:
/// they live in a static, so callers hold them as `&'static str` (what
/// sqlx takes as SQL) without any value in their text.
pub(super) fn records(postgres: bool) -> &'static RecordSql {
    static PG: OnceLock<RecordSql> = OnceLock::new();
    static SQLITE: OnceLock<RecordSql> = OnceLock::new();
    let build = move || {
        let d = Dialect { postgres };
        RecordSql {
            tables: Table::ALL.iter().map(|t| d.table(*t)).collect(),
            all_records: d.all_records(),
            counts: d.counts(),
        }
    };
    if postgres {
        PG.get_or_init(build)
    } else {
        SQLITE.get_or_init(build)
    }
}

/// `Tx::count_matching`, one statement per indexed field and dialect.
/// Binds: $1 tenant, $2 value, $3 the excluded id (or NULL), $4 the limit,
/// and $5 the parent for fields looked up under one. Each reads the index
/// its rule needs (the unique (tenant, code) and (tenant, email) keys,
/// `users_role`, `invoices_customer_status`).
pub fn count_matching_sql(postgres: bool, field: IndexedField) -> &'static str {
    macro_rules! both {
        ($pg:literal, $sqlite:literal) => {
            if postgres {
                $pg
            } else {
                $sqlite
            }
        };
    }
    match field {
        IndexedField::AccountCode => both!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM accounts WHERE tenant_id = $1::uuid AND code = $2 \
             AND ($3::uuid IS NULL OR id <> $3::uuid) LIMIT $4) AS m",
            "SELECT COUNT(*) FROM (SELECT 1 FROM accounts WHERE tenant_id = $1 AND code = $2 \
             AND ($3 IS NULL OR id <> $3) LIMIT $4) AS m"
        ),
        IndexedField::UserEmail => both!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE tenant_id = $1::uuid AND email = $2 \
             AND ($3::uuid IS NULL OR id <> $3::uuid) LIMIT $4) AS m",
            "SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE tenant_id = $1 AND email = $2 \
             AND ($3 IS NULL OR id <> $3) LIMIT $4) AS m"
        ),
        IndexedField::UserRole => both!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE tenant_id = $1::uuid AND role = $2 \
             AND ($3::uuid IS NULL OR id <> $3::uuid) LIMIT $4) AS m",
            "SELECT COUNT(*) FROM (SELECT 1 FROM users INDEXED BY users_role WHERE tenant_id = $1 AND role = $2 \
             AND ($3 IS NULL OR id <> $3) LIMIT $4) AS m"
        ),
        IndexedField::InvoiceStatus => both!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM invoices WHERE customer_id = $5::uuid AND status = $2 \
             AND tenant_id = $1::uuid AND ($3::uuid IS NULL OR id <> $3::uuid) LIMIT $4) AS m",
            "SELECT COUNT(*) FROM (SELECT 1 FROM invoices INDEXED BY invoices_customer_status \
             WHERE customer_id = $5 AND status = $2 AND tenant_id = $1 AND ($3 IS NULL OR id <> $3) LIMIT $4) AS m"
        ),
    }
}

/// Whether `field`'s statement binds a parent ($5).
pub(super) fn match_needs_parent(field: IndexedField) -> bool {
    field == IndexedField::InvoiceStatus
}

pub(super) const INSERT_KEY: &str =
    "INSERT INTO idempotency_keys (tenant_id, idempotency_key, operation, fingerprint, \
     fingerprint_version, entity_id) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (tenant_id, idempotency_key) DO NOTHING";
pub(super) const COMPLETE_KEY: &str = "UPDATE idempotency_keys SET response_status = $3, response_body = $4, \
     response_location = $5 WHERE tenant_id = $1 AND idempotency_key = $2 AND response_status IS NULL";
pub(super) const INSERT_WORKFLOW: &str =
    "INSERT INTO workflow_instances (id, tenant_id, workflow_name, trigger_entity_id, \
     operation_name, payload) VALUES ($1, $2, $3, $4, $5, $6)";
pub(super) const INSERT_NAMED_LOCK: &str =
    "INSERT INTO named_locks (tenant_id, name) VALUES ($1, $2) ON CONFLICT (tenant_id, name) DO NOTHING";
/// SQLite serialises write transactions, so reading the row is enough there.
pub(super) const SELECT_NAMED_LOCK: &str = "SELECT name FROM named_locks WHERE tenant_id = $1 AND name = $2";
pub(super) const SELECT_AUDIT: &str =
    "SELECT company_id, operation_name, idempotency_key_hash, deterministic_id, status, \
     error_type, error_message, http_status, workflows_triggered, duration_ms, request_id \
     FROM idempotent_write_audit_log WHERE ($1 IS NULL OR company_id = $1) ORDER BY id";
pub(super) const INSERT_AUDIT: &str = "INSERT INTO idempotent_write_audit_log (company_id, operation_name, \
     idempotency_key_hash, deterministic_id, status, error_type, error_message, http_status, \
     workflows_triggered, duration_ms, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Postgres's spelling of the key, outbox, lock, tenant and audit
/// statements: their ids are `uuid` there (migration 0016), bound as text
/// and cast, and read back as text (`Entity`-like rows hold strings).
#[cfg_attr(madsim, allow(dead_code))] // Postgres is not in the simulation build
pub(super) mod pg {
    pub const SELECT_TENANT_BY_TOKEN: &str =
        "SELECT id::text AS id, name FROM tenants WHERE token_hash = $1 AND NOT revoked";
    pub const INSERT_TENANT: &str = "INSERT INTO tenants (id, name, token_hash) VALUES ($1::uuid, $2, $3)";
    pub const REVOKE_TENANT: &str = "UPDATE tenants SET revoked = TRUE WHERE id = $1::uuid";
    pub const SELECT_KEY: &str = "SELECT tenant_id::text AS tenant_id, idempotency_key, operation, fingerprint, \
         fingerprint_version, entity_id::text AS entity_id, response_status, response_body, response_location \
         FROM idempotency_keys WHERE tenant_id = $1::uuid AND idempotency_key = $2";
    pub const SELECT_KEYS: &str = "SELECT tenant_id::text AS tenant_id, idempotency_key, operation, fingerprint, \
         fingerprint_version, entity_id::text AS entity_id, response_status, response_body, response_location \
         FROM idempotency_keys WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid) ORDER BY tenant_id, idempotency_key";
    pub const SELECT_KEY_META: &str = "SELECT CAST(created_at AS TEXT), state FROM idempotency_keys \
         WHERE tenant_id = $1::uuid AND idempotency_key = $2";
    pub const SELECT_WORKFLOWS: &str = "SELECT id::text AS id, tenant_id::text AS tenant_id, workflow_name, \
         trigger_entity_id::text AS trigger_entity_id, operation_name, payload FROM workflow_instances \
         WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid) ORDER BY id";
    pub const INSERT_KEY: &str = "INSERT INTO idempotency_keys (tenant_id, idempotency_key, operation, fingerprint, \
         fingerprint_version, entity_id) VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid) \
         ON CONFLICT (tenant_id, idempotency_key) DO NOTHING";
    pub const COMPLETE_KEY: &str = "UPDATE idempotency_keys SET response_status = $3, response_body = $4, \
         response_location = $5 WHERE tenant_id = $1::uuid AND idempotency_key = $2 AND response_status IS NULL";
    pub const INSERT_WORKFLOW: &str = "INSERT INTO workflow_instances (id, tenant_id, workflow_name, \
         trigger_entity_id, operation_name, payload) VALUES ($1::uuid, $2::uuid, $3, $4::uuid, $5, $6)";
    pub const INSERT_NAMED_LOCK: &str = "INSERT INTO named_locks (tenant_id, name) VALUES ($1::uuid, $2) \
         ON CONFLICT (tenant_id, name) DO NOTHING";
    pub const SELECT_AUDIT: &str = "SELECT company_id::text AS company_id, operation_name, idempotency_key_hash, \
         deterministic_id::text AS deterministic_id, status, error_type, error_message, http_status, \
         workflows_triggered, duration_ms, request_id \
         FROM idempotent_write_audit_log WHERE ($1::uuid IS NULL OR company_id = $1::uuid) ORDER BY id";
    pub const INSERT_AUDIT: &str = "INSERT INTO idempotent_write_audit_log (company_id, operation_name, \
         idempotency_key_hash, deterministic_id, status, error_type, error_message, http_status, \
         workflows_triggered, duration_ms, request_id) \
         VALUES ($1::uuid, $2, $3, $4::uuid, $5, $6, $7, $8, $9, $10, $11)";
}
