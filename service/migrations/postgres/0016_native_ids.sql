-- The key, outbox, lock and audit tables in native types, as the typed
-- tables of records are (0015): every id they hold (a tenant, a record, a
-- workflow, a deterministic id) is a `uuid`; their times were
-- `timestamptz` already. Column names are unchanged (the rollout plan's
-- `company_id`, `deterministic_id`, `operation_name`, … are binding).
-- Every stored value is a UUID the service wrote; a row that is not fails
-- the cast and the migration with it, changing nothing.

ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_tenant_id_fkey;
ALTER TABLE workflow_instances DROP CONSTRAINT workflow_instances_tenant_id_fkey;
ALTER TABLE named_locks DROP CONSTRAINT named_locks_tenant_id_fkey;

ALTER TABLE tenants ALTER COLUMN id TYPE uuid USING id::uuid;
ALTER TABLE idempotency_keys
    ALTER COLUMN tenant_id TYPE uuid USING tenant_id::uuid,
    ALTER COLUMN entity_id TYPE uuid USING entity_id::uuid;
ALTER TABLE workflow_instances
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN tenant_id TYPE uuid USING tenant_id::uuid,
    ALTER COLUMN trigger_entity_id TYPE uuid USING trigger_entity_id::uuid;
ALTER TABLE named_locks ALTER COLUMN tenant_id TYPE uuid USING tenant_id::uuid;
-- Partitioned: the change reaches every partition, DEFAULT included.
ALTER TABLE idempotent_write_audit_log
    ALTER COLUMN company_id TYPE uuid USING company_id::uuid,
    ALTER COLUMN deterministic_id TYPE uuid USING deterministic_id::uuid;
-- The archive takes the log's rows as they are (`INSERT … SELECT *`).
ALTER TABLE idempotent_write_audit_log_archive
    ALTER COLUMN company_id TYPE uuid USING company_id::uuid,
    ALTER COLUMN deterministic_id TYPE uuid USING deterministic_id::uuid;

ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_tenant_id_fkey
    FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE workflow_instances ADD CONSTRAINT workflow_instances_tenant_id_fkey
    FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE named_locks ADD CONSTRAINT named_locks_tenant_id_fkey
    FOREIGN KEY (tenant_id) REFERENCES tenants (id);
