-- Words the chain's leads taught the note parser (see ../0022_learned_words.sql).
CREATE TABLE learned_words (
    phrase     TEXT PRIMARY KEY,
    category   TEXT NOT NULL,
    staff_id   BIGINT REFERENCES staff (id),
    learned_at TEXT NOT NULL
);
