-- Random keys the bot's processes share (the one that signs button data), made once and kept,
-- so that a restart or a second process on the same database accepts the same buttons.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
