-- The dispatcher's claim reads only open rows (pending, or delivering past
-- its lease) in creation order. Delivered rows are the vast majority and
-- are left out of this index, so a claim reads a few entries, not the table.
CREATE INDEX workflow_instances_open ON workflow_instances (created_at, id) WHERE status IN ('pending', 'delivering');
