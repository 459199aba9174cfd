-- Guest requests relayed by any colleague to a department, followed until done. Deadlines are
-- stored when the request is made (a later change of config.toml keeps the promise made), and
-- each escalation step is recorded on the row, so a restart neither loses nor repeats one.

CREATE TABLE requests (
    id                   INTEGER PRIMARY KEY,
    branch               TEXT    NOT NULL,
    department           TEXT    NOT NULL,
    lane                 TEXT    NOT NULL,
    state                TEXT    NOT NULL,
    -- bumped when the department changes: messages to the old department are not sent
    route                INTEGER NOT NULL DEFAULT 1,
    -- erasing a guest erases what was asked for them
    guest_id             INTEGER REFERENCES guests (id) ON DELETE CASCADE,
    place                TEXT,
    ref_text             TEXT    NOT NULL,
    text                 TEXT    NOT NULL,
    source               TEXT    NOT NULL DEFAULT 'relay',
    staff_id             INTEGER NOT NULL REFERENCES staff (id),
    created_at           TEXT    NOT NULL,
    accept_due           TEXT    NOT NULL,
    resolve_due          TEXT    NOT NULL,
    accepted_by          INTEGER REFERENCES staff (id),
    accepted_at          TEXT,
    closed_by            INTEGER REFERENCES staff (id),
    closed_at            TEXT,
    note                 TEXT,
    accept_escalated_at  TEXT,
    resolve_escalated_at TEXT
);

-- Only open requests: the planner's and the card's indexes stay as small as the backlog.
CREATE INDEX requests_open_due ON requests (accept_due, resolve_due)
    WHERE state IN ('open', 'accepted');
CREATE INDEX requests_open_guest ON requests (guest_id) WHERE state IN ('open', 'accepted');
CREATE INDEX requests_staff ON requests (staff_id, created_at);
CREATE INDEX requests_created ON requests (branch, created_at);

-- What happened to each request, in order: the service audit's raw material.
CREATE TABLE request_events (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    staff_id   INTEGER REFERENCES staff (id),
    at         TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX request_events_request ON request_events (request_id, id);
