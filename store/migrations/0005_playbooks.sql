-- Playbook runs: a playbook started for one occurrence (a visit, a booking, a complaint, a
-- branch's day), its steps as they were worded when it started (a playbook file may change
-- or go), who received its checklist, and who did each step when. Allergy alerts to the
-- kitchen and who acknowledged them. Reminders and escalations are derived from these rows
-- and the outbox's keys, so a restart neither loses nor repeats one.

CREATE TABLE playbook_runs (
    id           INTEGER PRIMARY KEY,
    playbook_id  TEXT    NOT NULL,
    occurrence   TEXT    NOT NULL,
    -- the subject of the event that started it (Event.subject), to tell who was prompted
    started_by   TEXT    NOT NULL,
    guest_id     INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    branch       TEXT    NOT NULL,
    event_kind   TEXT    NOT NULL,
    title_zh     TEXT    NOT NULL,
    title_en     TEXT    NOT NULL,
    place        TEXT,
    triggered_at TEXT    NOT NULL,
    completed_at TEXT,
    UNIQUE (playbook_id, occurrence)
);

CREATE INDEX playbook_runs_branch ON playbook_runs (branch, triggered_at);
CREATE INDEX playbook_runs_started_by ON playbook_runs (started_by);

CREATE TABLE playbook_steps (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES playbook_runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    step_key TEXT    NOT NULL,
    text_zh  TEXT    NOT NULL,
    text_en  TEXT    NOT NULL,
    due_at   TEXT,
    done_at  TEXT,
    done_by  INTEGER REFERENCES staff (id),
    UNIQUE (run_id, position)
);

-- only steps still open are swept for reminders
CREATE INDEX playbook_steps_open_due ON playbook_steps (due_at) WHERE done_at IS NULL;

CREATE TABLE playbook_recipients (
    run_id   INTEGER NOT NULL REFERENCES playbook_runs (id) ON DELETE CASCADE,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    PRIMARY KEY (run_id, staff_id)
);

CREATE TABLE allergy_alerts (
    id           INTEGER PRIMARY KEY,
    occurrence   TEXT    NOT NULL UNIQUE,
    guest_id     INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    branch       TEXT    NOT NULL,
    place        TEXT,
    kitchen_chat INTEGER,
    recipients   INTEGER NOT NULL,
    raised_at    TEXT    NOT NULL,
    ack_due_at   TEXT    NOT NULL
);

CREATE INDEX allergy_alerts_due ON allergy_alerts (ack_due_at);

CREATE TABLE allergy_acks (
    alert_id INTEGER NOT NULL REFERENCES allergy_alerts (id) ON DELETE CASCADE,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    seen_at  TEXT    NOT NULL,
    PRIMARY KEY (alert_id, staff_id)
);
