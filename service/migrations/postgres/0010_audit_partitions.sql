-- The audit log becomes a range-partitioned table with one partition per
-- month (rollout plan: monthly partitions, 7-year retention). A DEFAULT
-- partition catches rows outside the created months, so an insert never
-- fails; `accubooks audit partitions ensure` (also run by `serve` at
-- start-up) creates upcoming months and moves any stray rows out of DEFAULT.
-- Rows leave the hot table through `accubooks audit archive`, which moves
-- them to idempotent_write_audit_log_archive in one transaction.

ALTER TABLE idempotent_write_audit_log RENAME TO idempotent_write_audit_log_unpartitioned;
ALTER SEQUENCE idempotent_write_audit_log_id_seq OWNED BY NONE;
DROP INDEX IF EXISTS idempotent_write_audit_log_company_id;
DROP INDEX IF EXISTS idempotent_write_audit_log_operation_name;
DROP INDEX IF EXISTS idempotent_write_audit_log_timestamp;
DROP INDEX IF EXISTS idempotent_write_audit_log_status;

CREATE TABLE idempotent_write_audit_log (
    id                   BIGINT NOT NULL DEFAULT nextval('idempotent_write_audit_log_id_seq'),
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
    timestamp            TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (id, timestamp)
) PARTITION BY RANGE (timestamp);

CREATE TABLE idempotent_write_audit_log_default PARTITION OF idempotent_write_audit_log DEFAULT;

DO $$
DECLARE
    m date;
BEGIN
    FOR i IN -1..3 LOOP
        m := (date_trunc('month', now()) + make_interval(months => i))::date;
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF idempotent_write_audit_log FOR VALUES FROM (%L) TO (%L)',
            'idempotent_write_audit_log_' || to_char(m, 'YYYY_MM'), m, (m + interval '1 month')::date);
    END LOOP;
END
$$;

INSERT INTO idempotent_write_audit_log SELECT * FROM idempotent_write_audit_log_unpartitioned;
DROP TABLE idempotent_write_audit_log_unpartitioned;
ALTER SEQUENCE idempotent_write_audit_log_id_seq OWNED BY idempotent_write_audit_log.id;

CREATE INDEX idempotent_write_audit_log_company_id ON idempotent_write_audit_log (company_id);
CREATE INDEX idempotent_write_audit_log_operation_name ON idempotent_write_audit_log (operation_name);
CREATE INDEX idempotent_write_audit_log_timestamp ON idempotent_write_audit_log (timestamp);
CREATE INDEX idempotent_write_audit_log_status ON idempotent_write_audit_log (status);

-- Archived rows keep every column; the archive is not partitioned.
CREATE TABLE idempotent_write_audit_log_archive (LIKE idempotent_write_audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
CREATE INDEX idempotent_write_audit_log_archive_timestamp ON idempotent_write_audit_log_archive (timestamp);
