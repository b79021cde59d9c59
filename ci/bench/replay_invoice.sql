-- pgbench: the database work of one create_invoice replay, as the service
-- issues it: the token lookup, then a transaction whose key claim finds the
-- committed record, reads it, and writes the 'replayed' audit row the
-- contract requires for every decision. The key 'pgbench-replay' is
-- created by ci/bench.sh before this runs.
-- Variables: :token_hash, :tenant (pgbench -D).
SELECT id, name FROM tenants WHERE token_hash = :token_hash AND NOT revoked;
BEGIN;
INSERT INTO idempotency_keys (tenant_id, idempotency_key, operation, fingerprint, fingerprint_version, entity_id) VALUES (:tenant, 'pgbench-replay', 'create_invoice', 'f', 1, '00000000-0000-0000-0000-0000000000e1') ON CONFLICT (tenant_id, idempotency_key) DO NOTHING;
SELECT tenant_id, idempotency_key, operation, fingerprint, fingerprint_version, entity_id, response_status, response_body, response_location FROM idempotency_keys WHERE tenant_id = :tenant AND idempotency_key = 'pgbench-replay';
INSERT INTO idempotent_write_audit_log (company_id, operation_name, idempotency_key_hash, deterministic_id, status, error_type, error_message, http_status, workflows_triggered, duration_ms, request_id) VALUES (:tenant, 'create_invoice', 'fg', '00000000-0000-0000-0000-0000000000e1', 'replayed', NULL, NULL, 201, 0, 1, 'r');
COMMIT;
