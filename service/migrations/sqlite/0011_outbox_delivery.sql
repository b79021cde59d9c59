-- Delivery state of the outbox (timestamps are RFC 3339 UTC text).
ALTER TABLE workflow_instances ADD COLUMN locked_until TEXT;
ALTER TABLE workflow_instances ADD COLUMN next_attempt_at TEXT;
ALTER TABLE workflow_instances ADD COLUMN delivered_at TEXT;
ALTER TABLE workflow_instances ADD COLUMN last_error TEXT;
CREATE INDEX workflow_instances_due ON workflow_instances (status, next_attempt_at, created_at);
