-- Each guest's status (new, returning, regular, lapsed, at_risk, no_show_prone, key, …) with
-- the facts its reason is told from, kept on the guest's row so that a merge, an undo and an
-- erasure carry it along; recomputed after each visit and verdict and once a day.
ALTER TABLE guests ADD COLUMN status TEXT;
ALTER TABLE guests ADD COLUMN status_facts TEXT;
ALTER TABLE guests ADD COLUMN status_at TEXT;
-- the branch the guest belongs to for the lists: the one last visited, else the creator's
ALTER TABLE guests ADD COLUMN status_branch TEXT;

-- the daily pass takes the guests not recomputed since the day began; lists read by status
CREATE INDEX guests_status_at ON guests (status_at);
CREATE INDEX guests_status ON guests (status_branch, status) WHERE status IS NOT NULL;

-- What came of reaching out to a guest from a list (/list lapsed …): called, booked, or not
-- interested; by whom, from which branch.
CREATE TABLE guest_outreach (
    id         INTEGER PRIMARY KEY,
    guest_id   INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    branch     TEXT    NOT NULL,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    outcome    TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

CREATE INDEX guest_outreach_guest ON guest_outreach (guest_id, created_at);

-- A complaint's cause, suggested from its words and confirmed by whoever closed it; and the
-- answers a lead gave to "why did it happen?", one row per level of the five whys.
CREATE TABLE complaint_causes (
    request_id INTEGER PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    cause      TEXT    NOT NULL,
    suggested  TEXT    NOT NULL,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    created_at TEXT    NOT NULL
);

CREATE TABLE complaint_whys (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    depth      INTEGER NOT NULL,
    answer     TEXT    NOT NULL,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    created_at TEXT    NOT NULL,
    UNIQUE (request_id, depth)
);
