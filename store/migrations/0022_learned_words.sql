-- Words the chain's leads taught the note parser by filing a trait again (a phrase read as a
-- plain note, filed as an allergy): read as cue words of that category in every branch.
CREATE TABLE learned_words (
    phrase     TEXT PRIMARY KEY,
    category   TEXT NOT NULL,
    staff_id   INTEGER REFERENCES staff (id),
    learned_at TEXT NOT NULL
);
