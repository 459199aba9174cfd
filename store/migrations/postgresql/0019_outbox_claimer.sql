-- Who claimed a message being sent: a bot restarted on the same host frees what its dead
-- predecessor had claimed at once, instead of after the lease.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
