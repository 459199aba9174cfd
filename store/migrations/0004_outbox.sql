-- Everything the bot sends on its own (reminders, briefs, alerts, escalations) passes through
-- here. A message is decided once (its dedupe key is unique: kind, subject, recipient, local
-- date), claimed with a lease before sending and marked after, so a restart neither loses nor
-- repeats it. What it says is rendered at send time from `kind` and `payload`.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    dedupe_key      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL DEFAULT '{}',
    chat_id         INTEGER NOT NULL,
    staff_id        INTEGER REFERENCES staff (id) ON DELETE CASCADE,
    not_before      TEXT    NOT NULL,
    expires_at      TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    claimed_until   TEXT,
    sent_at         TEXT,
    message_id      INTEGER,
    gave_up_at      TEXT,
    last_error      TEXT,
    created_at      TEXT    NOT NULL
);

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
