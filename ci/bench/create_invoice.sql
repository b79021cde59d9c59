-- pgbench: the database work of one new create_invoice write, statement for
-- statement as the service issues it (store/sql.rs): the token lookup, then
-- one READ COMMITTED transaction with the key claim, the customer read, the
-- entity, the outbox row, the key's stored response and the audit row.
-- Variables: :token_hash, :tenant, :customer (pgbench -D).
\set k random(1, 9000000000000000000)
SELECT id, name FROM tenants WHERE token_hash = :token_hash AND NOT revoked;
BEGIN;
INSERT INTO idempotency_keys (tenant_id, idempotency_key, operation, fingerprint, fingerprint_version, entity_id) VALUES (:tenant, 'pgbench-' || :k, 'create_invoice', md5('f' || :k) || md5('g' || :k), 1, md5('e' || :k)) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING;
SELECT id, tenant_id, kind, parent_id, body, version FROM entities WHERE id = :customer AND tenant_id = :tenant;
INSERT INTO entities (id, tenant_id, kind, parent_id, body, version) VALUES (md5('e' || :k), :tenant, 'invoice', :customer, '{"amount_paid_cents":0,"created_at":"2026-05-01T12:00:00.000000Z","currency":"USD","customer_id":"00000000-0000-0000-0000-000000000000","due_date":"2026-12-31","id":"00000000-0000-0000-0000-000000000000","lines":[{"amount_cents":150000,"description":"Consulting 123456789","quantity":10,"unit_price_cents":15000}],"object":"invoice","status":"open","total_cents":150000}', 1);
INSERT INTO workflow_instances (id, tenant_id, workflow_name, trigger_entity_id, operation_name, payload) VALUES (md5('w' || :k), :tenant, 'invoice_email', md5('e' || :k), 'create_invoice', '{"entity_id":"00000000-0000-0000-0000-000000000000"}');
UPDATE idempotency_keys SET response_status = 201, response_body = '{"amount_paid_cents":0,"created_at":"2026-05-01T12:00:00.000000Z","currency":"USD","customer_id":"00000000-0000-0000-0000-000000000000","due_date":"2026-12-31","id":"00000000-0000-0000-0000-000000000000","lines":[{"amount_cents":150000,"description":"Consulting 123456789","quantity":10,"unit_price_cents":15000}],"object":"invoice","status":"open","total_cents":150000}', response_location = '/v1/invoices/00000000-0000-0000-0000-000000000000' WHERE tenant_id = :tenant AND idempotency_key = 'pgbench-' || :k AND response_status IS NULL;
INSERT INTO idempotent_write_audit_log (company_id, operation_name, idempotency_key_hash, deterministic_id, status, error_type, error_message, http_status, workflows_triggered, duration_ms, request_id) VALUES (:tenant, 'create_invoice', md5('f' || :k) || md5('g' || :k), md5('e' || :k), 'new', NULL, NULL, 201, 1, 3, md5('r' || :k));
COMMIT;
