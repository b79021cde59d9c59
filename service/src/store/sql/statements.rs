//! The statements both dialects share (`$N` placeholders), and the
//! `Tx::count_matching` lookups written per dialect to match their
//! expression indexes (migrations 0012).

use crate::store::IndexedField;

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
pub(super) const SELECT_ENTITIES: &str = "SELECT id, tenant_id, kind, parent_id, body, version FROM entities \
     WHERE ($1 IS NULL OR tenant_id = $1) ORDER BY id";
pub(super) const SELECT_COUNTS: &str = "SELECT (SELECT COUNT(*) FROM idempotency_keys) AS keys, \
     (SELECT COUNT(*) FROM entities) AS entities, \
     (SELECT COUNT(*) FROM workflow_instances) AS workflows, \
     (SELECT COUNT(*) FROM idempotent_write_audit_log) AS audit_rows, \
     (SELECT COUNT(*) FROM idempotent_write_audit_log WHERE status = 'new') AS audit_new";
pub(super) const SELECT_ENTITY: &str =
    "SELECT id, tenant_id, kind, parent_id, body, version FROM entities WHERE id = $1 AND tenant_id = $2";
pub(super) const LIST_ENTITIES: &str = "SELECT id, tenant_id, kind, parent_id, body, version FROM entities \
     WHERE ($1 IS NULL OR tenant_id = $1) AND kind = $2 AND ($3 IS NULL OR parent_id = $3) ORDER BY id";
/// A top-level string field of `body`, as each dialect's expression index
/// (migrations 0012) spells it.
macro_rules! field_expr {
    (sqlite, $f:literal) => {
        concat!("json_extract(body, '$.", $f, "')")
    };
    (postgres, $f:literal) => {
        concat!("(body::jsonb ->> '", $f, "')")
    };
}

/// `FROM` for a lookup by one field's index. SQLite's planner, without
/// statistics, may prefer the (tenant, kind, parent) index; `INDEXED BY`
/// pins the field's own (and fails loudly if it is missing).
macro_rules! from_index {
    (sqlite, $index:literal) => {
        concat!("entities INDEXED BY ", $index)
    };
    (postgres, $index:literal) => {
        "entities"
    };
}

/// `Tx::count_matching`, one statement per indexed field and dialect. Binds:
/// $1 tenant, $2 value, $3 the excluded id ('' for none), $4 the limit, and
/// $5 the parent for fields looked up under one.
macro_rules! match_sql {
    ($dialect:ident) => {
        |field: IndexedField| -> &'static str {
            match field {
                IndexedField::AccountCode => concat!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM ",
                    from_index!($dialect, "entities_account_code"),
                    " WHERE tenant_id = $1 AND kind = 'account' AND ",
                    field_expr!($dialect, "code"),
                    " = $2 AND id <> $3 LIMIT $4) AS m"
                ),
                IndexedField::UserEmail => concat!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM ",
                    from_index!($dialect, "entities_user_email"),
                    " WHERE tenant_id = $1 AND kind = 'user' AND ",
                    field_expr!($dialect, "email"),
                    " = $2 AND id <> $3 LIMIT $4) AS m"
                ),
                IndexedField::UserRole => concat!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM ",
                    from_index!($dialect, "entities_user_role"),
                    " WHERE tenant_id = $1 AND kind = 'user' AND ",
                    field_expr!($dialect, "role"),
                    " = $2 AND id <> $3 LIMIT $4) AS m"
                ),
                IndexedField::InvoiceStatus => concat!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM ",
                    from_index!($dialect, "entities_invoice_status"),
                    " WHERE tenant_id = $1 AND kind = 'invoice' AND ",
                    field_expr!($dialect, "status"),
                    " = $2 AND id <> $3 AND parent_id = $5 LIMIT $4) AS m"
                ),
            }
        }
    };
}

/// `Tx::count_matching`'s statement for `field` in one dialect (public for
/// the test that checks each one is answered from its index).
pub fn count_matching_sql(postgres: bool, field: IndexedField) -> &'static str {
    let sql: fn(IndexedField) -> &'static str = if postgres { match_sql!(postgres) } else { match_sql!(sqlite) };
    sql(field)
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
pub(super) const INSERT_ENTITY: &str =
    "INSERT INTO entities (id, tenant_id, kind, parent_id, body, version) VALUES ($1, $2, $3, $4, $5, $6)";
/// Only the version read under the lock may be replaced ($4 is the new one).
pub(super) const UPDATE_ENTITY: &str = "UPDATE entities SET body = $3, version = $4, updated_at = CURRENT_TIMESTAMP \
     WHERE id = $1 AND tenant_id = $2 AND version = $4 - 1";
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
