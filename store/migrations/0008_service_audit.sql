-- Service audit and guest data rights: the guest's verdict on a visit, the trail of who saw or
-- changed what, traits only leads and up may read, consent, and what an erasure leaves behind.

-- A trait only shift leads and up may read (a family matter, a dispute, …).
ALTER TABLE traits ADD COLUMN private INTEGER NOT NULL DEFAULT 0;

-- The guest agreed to be remembered beyond the retention period (NULL: not asked or withdrawn).
ALTER TABLE guests ADD COLUMN consent_at TEXT;

-- One verdict per visit at most (a later one replaces it); /feedback without a visit is kept too.
CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    guest_id   INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    visit_id   INTEGER REFERENCES visits (id) ON DELETE SET NULL,
    branch     TEXT    NOT NULL,
    staff_id   INTEGER REFERENCES staff (id),
    score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment    TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL
);

CREATE UNIQUE INDEX feedback_visit ON feedback (visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX feedback_branch ON feedback (branch, created_at);
CREATE INDEX feedback_guest ON feedback (guest_id);

-- Who viewed, created, retracted, tagged, merged, exported or erased what, and when; refused
-- attempts too. `details` holds ids, counts and categories only, never a name, phone or text.
-- No foreign key on guest_id: the entry of an erasure outlives its guest.
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,
    staff_id INTEGER REFERENCES staff (id),
    action   TEXT    NOT NULL,
    guest_id INTEGER,
    details  TEXT    NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_guest ON audit (guest_id, at) WHERE guest_id IS NOT NULL;
CREATE INDEX audit_staff ON audit (staff_id, at);

-- What an erased guest leaves: its id (never given to another guest: old buttons, sent-log
-- keys and the audit trail still name it), when, by whom and why. Nothing personal.
CREATE TABLE erased_guests (
    id        INTEGER PRIMARY KEY,
    erased_at TEXT    NOT NULL,
    erased_by INTEGER REFERENCES staff (id),
    reason    TEXT    NOT NULL
);

-- The daily privacy sweep (retention, stale pending notes) runs once per UTC day.
CREATE TABLE privacy_sweeps (
    day      TEXT    PRIMARY KEY,
    erased   INTEGER NOT NULL,
    swept_at TEXT    NOT NULL
);

-- The report counts a branch's visits and traits by time; feedback is asked for visits just
-- closed.
CREATE INDEX visits_branch_arrived ON visits (branch, arrived_at);
CREATE INDEX visits_left ON visits (left_at) WHERE left_at IS NOT NULL;
CREATE INDEX traits_branch_created ON traits (branch, created_at);
