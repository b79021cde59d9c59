-- Two outbox indexes nothing reads: `workflow_instances_status` (status)
-- and `workflow_instances_due` (status, next_attempt_at, created_at) were
-- the claim's before `workflow_instances_open` (0013) took its place; the
-- claim now reads that partial index, and the round's outcomes are written
-- by id (the primary key). Each cost an entry on every outbox row's insert
-- and on both of its status changes (claimed, delivered): six index
-- entries per write that no statement used.
DROP INDEX workflow_instances_status;
DROP INDEX workflow_instances_due;
