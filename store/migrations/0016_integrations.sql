-- Outside systems (a PMS, a POS, a reservation system) calling the HTTP API, each with its
-- own key; what they name by their own ids; the checks a POS reports; and the lease a running
-- bot holds on the database, so that restore and migrate refuse while it runs.

-- A key is shown once and stored as its SHA-256; `prefix` finds it, the hash proves it.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    branch     TEXT    NOT NULL,
    scopes     TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    prefix     TEXT    NOT NULL UNIQUE,
    key_hash   TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    revoked_at TEXT
);

-- Every call and every change to a key: who, what, the answer; never the body.
CREATE TABLE api_calls (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT    NOT NULL,
    key_id  INTEGER REFERENCES api_keys (id),
    method  TEXT    NOT NULL,
    path    TEXT    NOT NULL,
    status  INTEGER NOT NULL
);

CREATE INDEX api_calls_key_at ON api_calls (key_id, at);

-- A source's own id for a guest: the same id again is the same guest, never a new one.
-- (A key of one column, as every table pointing at guests has: a merge moves rows by it.)
CREATE TABLE guest_sources (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    source    TEXT    NOT NULL,
    source_id TEXT    NOT NULL,
    guest_id  INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    UNIQUE (source, source_id)
);

CREATE INDEX guest_sources_guest ON guest_sources (guest_id);

-- A stay (PMS) or a check (POS) by the source's own id: the visit it made.
CREATE TABLE visit_sources (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT    NOT NULL,
    source_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    visit_id    INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    guest_id    INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    covers      INTEGER,
    spend_minor INTEGER,
    currency    TEXT,
    UNIQUE (source, kind, source_id)
);

CREATE INDEX visit_sources_guest ON visit_sources (guest_id);

-- One row per holder name; a running bot renews it every sweep.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    renewed_at TEXT NOT NULL
);
