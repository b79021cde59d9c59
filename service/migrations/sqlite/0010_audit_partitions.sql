-- SQLite keeps the audit log in one table (no partitions); archived rows
-- move to the archive table with every column, as on Postgres.
CREATE TABLE idempotent_write_audit_log_archive AS SELECT * FROM idempotent_write_audit_log WHERE 0;
CREATE INDEX idempotent_write_audit_log_archive_timestamp ON idempotent_write_audit_log_archive (timestamp);
