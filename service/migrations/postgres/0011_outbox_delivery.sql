-- Delivery state of the outbox. A dispatcher claims rows (FOR UPDATE SKIP
-- LOCKED), holds a lease while it delivers, then marks them done; failed
-- deliveries come back after a backoff until attempts run out.
ALTER TABLE workflow_instances ADD COLUMN locked_until TIMESTAMPTZ;
ALTER TABLE workflow_instances ADD COLUMN next_attempt_at TIMESTAMPTZ;
ALTER TABLE workflow_instances ADD COLUMN delivered_at TIMESTAMPTZ;
ALTER TABLE workflow_instances ADD COLUMN last_error TEXT;
CREATE INDEX workflow_instances_due ON workflow_instances (status, next_attempt_at, created_at);
