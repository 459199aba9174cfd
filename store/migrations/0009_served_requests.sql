-- Chat updates whose effects were committed: an update Telegram delivers again (the bot
-- crashed after saving but before confirming it) is recognised and not applied twice.
CREATE TABLE served_requests (
    key       TEXT PRIMARY KEY,
    served_at TEXT NOT NULL
);
