-- Search at chain scale, and merging duplicate guests.
--
-- The full-text row of a guest now also carries its branch, as a token no query can spell,
-- so a branch's own guests are found first without reading the whole chain's; and the name
-- words it added to the typo vocabulary, so the row can be taken out again whatever has
-- happened to the guest since (a rename, a merge, an erasure).

-- FTS5 tables cannot be altered. The application rebuilds the rows from `guests` the first
-- time it opens a database that had guests before this migration (search_index_state.rebuild).
-- Prefix indexes of two and three letters: "li"* or "zh"* would otherwise merge the lists of
-- every token starting so (50 ms over a million guests; 0.1 ms with them, for a quarter more
-- index).
DROP TABLE guest_search;
CREATE VIRTUAL TABLE guest_search USING fts5 (
    tokens, words UNINDEXED, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

-- Every word of every guest's name (latin words; a Chinese surname and given name, read in
-- pinyin), with how many guests have it: typo correction runs over these few thousand words,
-- never over a million names. Ids only grow (AUTOINCREMENT), so a reader that has seen up to
-- id N catches up with `id > N`.
CREATE TABLE search_words (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    word   TEXT    NOT NULL UNIQUE,
    guests INTEGER NOT NULL
);

CREATE TABLE search_index_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    -- bumped whenever a word leaves the vocabulary: readers then reload it whole
    words_removed INTEGER NOT NULL DEFAULT 0,
    rebuild       INTEGER NOT NULL
);
INSERT INTO search_index_state (id, rebuild) SELECT 1, EXISTS (SELECT 1 FROM guests);

-- Exact names and pinyin within the caller's branch; the single-column indexes of 0002 still
-- serve the chain-wide lookup, newest first.
CREATE INDEX guests_name_branch ON guests (name COLLATE NOCASE, branch);
CREATE INDEX guests_pinyin_branch ON guests (pinyin, branch);

-- A search reads where and when each candidate was last seen (a hundred or so per query): from
-- the index alone, without a row lookup per candidate.
CREATE INDEX visits_guest_seen ON visits (guest_id, arrived_at, branch);

-- One merge of a duplicate guest into the guest kept: enough to undo it. The merged guest's
-- row is kept as JSON; `moved` lists, per table and column, the rows that pointed at it.
-- The record holds the same person's data as the guests it names, so it goes with either of
-- them when they are erased (a foreign key, and a column named like every other guest id).
CREATE TABLE guest_merges (
    id              INTEGER PRIMARY KEY,
    kept_guest_id   INTEGER NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    merged_guest_id INTEGER NOT NULL,
    merged_guest    TEXT    NOT NULL,
    kept_before     TEXT    NOT NULL,
    moved           TEXT    NOT NULL,
    folded          TEXT    NOT NULL,
    staff_id        INTEGER REFERENCES staff (id),
    created_at      TEXT    NOT NULL,
    undone_at       TEXT,
    undone_by       INTEGER REFERENCES staff (id)
);

CREATE INDEX guest_merges_merged ON guest_merges (merged_guest_id, undone_at);
CREATE INDEX guest_merges_kept ON guest_merges (kept_guest_id);
