-- Named per-tenant locks (`Tx::lock`): one row per (tenant, name), created
-- on first use. SQLite serialises every write transaction already, so the
-- row only keeps both dialects' statements the same.
CREATE TABLE named_locks (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- Listing a tenant's entities of one kind under one parent (a customer's
-- invoices) inside a write transaction.
CREATE INDEX entities_tenant_kind_parent ON entities (tenant_id, kind, parent_id);
