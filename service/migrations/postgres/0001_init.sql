-- AccuBooks schema, Postgres dialect. Ids are stored as UUID text so both
-- dialects bind the same types; timestamps are timestamptz.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    revoked     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per (tenant, key). A concurrent duplicate's INSERT blocks on the
-- uncommitted row of the transaction that executes the write.
CREATE TABLE idempotency_keys (
    tenant_id           TEXT NOT NULL REFERENCES tenants (id),
    idempotency_key     TEXT NOT NULL,
    operation           TEXT NOT NULL,
    fingerprint         TEXT NOT NULL,
    fingerprint_version INTEGER NOT NULL,
    entity_id           TEXT NOT NULL,
    response_status     INTEGER,
    response_body       TEXT,
    response_location   TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key)
);

CREATE TABLE entities (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    kind        TEXT NOT NULL,
    parent_id   TEXT,
    body        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX entities_tenant_kind ON entities (tenant_id, kind);
CREATE INDEX entities_parent ON entities (parent_id);

CREATE TABLE workflow_instances (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    workflow_name     TEXT NOT NULL,
    trigger_entity_id TEXT NOT NULL,
    operation_name    TEXT NOT NULL,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending',
    attempts          INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (trigger_entity_id, workflow_name)
);
CREATE INDEX workflow_instances_status ON workflow_instances (status);

CREATE TABLE idempotent_write_audit_log (
    id                   BIGSERIAL PRIMARY KEY,
    company_id           TEXT NOT NULL,
    operation_name       TEXT NOT NULL,
    idempotency_key_hash TEXT NOT NULL,
    deterministic_id     TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('new', 'replayed', 'rejected', 'mismatch', 'conflict', 'failed')),
    error_type           TEXT,
    error_message        TEXT,
    http_status          INTEGER NOT NULL,
    workflows_triggered  INTEGER NOT NULL DEFAULT 0,
    duration_ms          BIGINT NOT NULL,
    request_id           TEXT NOT NULL,
    timestamp            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idempotent_write_audit_log_company_id ON idempotent_write_audit_log (company_id);
CREATE INDEX idempotent_write_audit_log_operation_name ON idempotent_write_audit_log (operation_name);
CREATE INDEX idempotent_write_audit_log_timestamp ON idempotent_write_audit_log (timestamp);
CREATE INDEX idempotent_write_audit_log_status ON idempotent_write_audit_log (status);
