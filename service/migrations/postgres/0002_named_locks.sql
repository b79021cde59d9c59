-- Named per-tenant locks (`Tx::lock`): one row per (tenant, name), created
-- on first use and then locked FOR SHARE / FOR UPDATE, so transactions that
-- decide on the same set of rows (a tenant's admins, one accounting period)
-- serialise. The rows carry no data.
CREATE TABLE named_locks (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- Listing a tenant's entities of one kind under one parent (a customer's
-- invoices) inside a write transaction.
CREATE INDEX entities_tenant_kind_parent ON entities (tenant_id, kind, parent_id);
