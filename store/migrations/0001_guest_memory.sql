-- Guest memory: staff and their invites, guests, traits logged in batches, visits.
-- Times are ISO-8601 UTC text; ids are integers; no SQLite-only types, so a PostgreSQL
-- store can mirror this schema.

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    branch      TEXT    NOT NULL,
    language    TEXT    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    joined_at   TEXT    NOT NULL
);

CREATE TABLE invites (
    code       TEXT    PRIMARY KEY,
    role       TEXT    NOT NULL,
    branch     TEXT    NOT NULL,
    created_by INTEGER REFERENCES staff (id),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_by    INTEGER REFERENCES staff (id),
    used_at    TEXT
);

CREATE TABLE guests (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    honorific  TEXT    NOT NULL DEFAULT '',
    pinyin     TEXT    NOT NULL DEFAULT '',
    phone      TEXT,
    -- the normalised phone's digits reversed: a tail search becomes a b-tree prefix range
    phone_rev  TEXT,
    tier       TEXT,
    segment    TEXT,
    branch     TEXT    NOT NULL,
    created_by INTEGER REFERENCES staff (id),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE INDEX guests_phone_rev ON guests (phone_rev);

-- One row per guest (rowid = guests.id): CJK characters, words, pinyin syllables, joined
-- pinyin and initials, space-separated, so every kind of name query is an FTS5 match.
CREATE VIRTUAL TABLE guest_search USING fts5 (tokens, tokenize = 'unicode61 remove_diacritics 2');

-- One /note: what it added and confirmed is undone together.
CREATE TABLE note_batches (
    id        INTEGER PRIMARY KEY,
    guest_id  INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    staff_id  INTEGER NOT NULL REFERENCES staff (id),
    branch    TEXT    NOT NULL,
    created_at TEXT   NOT NULL,
    undone_at TEXT
);

CREATE TABLE traits (
    id           INTEGER PRIMARY KEY,
    guest_id     INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    category     TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    -- folded text: the same trait logged again is confirmed, not duplicated
    norm         TEXT    NOT NULL,
    attrs        TEXT    NOT NULL DEFAULT '{}',
    branch       TEXT    NOT NULL,
    staff_id     INTEGER NOT NULL REFERENCES staff (id),
    batch_id     INTEGER REFERENCES note_batches (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    retracted_at TEXT,
    retracted_by INTEGER REFERENCES staff (id)
);

CREATE INDEX traits_guest ON traits (guest_id, category);

CREATE TABLE trait_confirmations (
    id           INTEGER PRIMARY KEY,
    trait_id     INTEGER NOT NULL REFERENCES traits (id) ON DELETE CASCADE,
    batch_id     INTEGER NOT NULL REFERENCES note_batches (id) ON DELETE CASCADE,
    staff_id     INTEGER NOT NULL REFERENCES staff (id),
    branch       TEXT    NOT NULL,
    confirmed_at TEXT    NOT NULL
);

CREATE INDEX trait_confirmations_trait ON trait_confirmations (trait_id);
CREATE INDEX trait_confirmations_batch ON trait_confirmations (batch_id);

CREATE TABLE visits (
    id         INTEGER PRIMARY KEY,
    guest_id   INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    branch     TEXT    NOT NULL,
    staff_id   INTEGER REFERENCES staff (id),
    arrived_at TEXT    NOT NULL,
    table_no   TEXT,
    room_no    TEXT,
    left_at    TEXT
);

CREATE INDEX visits_guest ON visits (guest_id, arrived_at);

-- A note for a guest nobody has created yet, kept until the "Create …?" button is pressed.
CREATE TABLE pending_notes (
    id         INTEGER PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    name       TEXT    NOT NULL,
    phone      TEXT,
    text       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    used_at    TEXT
);
