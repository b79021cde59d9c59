-- pgbench: the database work of one create_invoice replay on the service's
-- fast path (a key the replica saw complete), as it issues it on Postgres:
-- the token lookup, then one statement that finds the completed record and
-- writes the 'replayed' audit row the contract requires for every decision
-- (PG_REPLAY_COMPLETED in store/sql.rs). The key 'pgbench-replay' is created
-- by ci/bench.sh before this runs.
-- Variables: :token_hash, :tenant (pgbench -D).
SELECT id, name FROM tenants WHERE token_hash = :token_hash AND NOT revoked;
WITH k AS (SELECT response_status, response_body, response_location FROM idempotency_keys WHERE tenant_id = :tenant AND idempotency_key = 'pgbench-replay' AND operation = 'create_invoice' AND fingerprint = 'f' AND fingerprint_version = 1 AND response_status IS NOT NULL), a AS (INSERT INTO idempotent_write_audit_log (company_id, operation_name, idempotency_key_hash, deterministic_id, status, error_type, error_message, http_status, workflows_triggered, duration_ms, request_id) SELECT (:tenant)::uuid, 'create_invoice', 'fg', '00000000-0000-0000-0000-0000000000e1'::uuid, 'replayed', NULL, NULL, k.response_status, 0, 1, 'r' FROM k RETURNING 1) SELECT response_status, response_body, response_location FROM k;
