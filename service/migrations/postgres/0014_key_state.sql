-- A key's expiry is stated, not inferred from its stored response: the
-- reaper sets 'expired' when it turns a high-risk key into a tombstone.
-- Existing tombstones are the keys whose stored answer is the expired-key
-- problem (the engine never stores that answer for a live key).
ALTER TABLE idempotency_keys ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
    CHECK (state IN ('active', 'expired'));
UPDATE idempotency_keys SET state = 'expired'
    WHERE response_status = 422 AND response_body LIKE '%"code":"idempotency_key_expired"%';
