-- Reservations and expected stays, the /book drafts waiting for a button, and the log of
-- occasion events already announced (so a restart announces none twice).

-- AUTOINCREMENT: an id is never reused, since old Cancel and time buttons still name it
CREATE TABLE bookings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guest_id   INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    branch     TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    party      INTEGER,
    children   INTEGER NOT NULL DEFAULT 0,
    table_no   TEXT,
    room_no    TEXT,
    note       TEXT    NOT NULL DEFAULT '',
    -- booked, cancelled or no_show; an honoured booking is seen in `visits`, not here
    status     TEXT    NOT NULL DEFAULT 'booked',
    source     TEXT    NOT NULL DEFAULT 'chat',
    -- an imported row's stable key: importing the same file again adds nothing
    import_key TEXT    UNIQUE,
    staff_id   INTEGER REFERENCES staff (id),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE INDEX bookings_branch_at ON bookings (branch, at);
CREATE INDEX bookings_guest_at ON bookings (guest_id, at);

-- A /book whose guest or time staff must still choose with a button.
CREATE TABLE booking_drafts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    draft      TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    used_at    TEXT
);

-- occasion.upcoming / occasion.today, once per occasion, kind and date; published_at is
-- set after the event reached its subscribers, so one that was not is published again.
CREATE TABLE occasion_events (
    id           INTEGER PRIMARY KEY,
    trait_id     INTEGER NOT NULL REFERENCES traits (id) ON DELETE CASCADE,
    guest_id     INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    occurs_on    TEXT    NOT NULL,
    branch       TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    published_at TEXT,
    UNIQUE (trait_id, kind, occurs_on)
);

-- occasions by month and day, for the daily reminder sweep
CREATE INDEX traits_occasion_day ON traits (
    json_extract(attrs, '$.month'), json_extract(attrs, '$.day')
) WHERE category = 'occasion';
