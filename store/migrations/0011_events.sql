-- What happened to a guest, written in the transaction of the command that made it happen.
-- The reactions (playbooks, the kitchen alert) run in that same transaction; published_at
-- stays empty only when a reaction failed, and the sweep publishes the event again.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    subject      TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL,
    guest_id     INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    branch       TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    staff_id     INTEGER,
    details      TEXT    NOT NULL,
    published_at TEXT
);

CREATE INDEX events_unpublished ON events (id) WHERE published_at IS NULL;
