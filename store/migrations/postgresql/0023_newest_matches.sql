-- The newest guests of each term many guests share (see ../0023_newest_matches.sql and
-- profiles/search_index.py). A GIN index finds a term's rows but not in id order: for a term
-- of a few thousand guests, "the newest 50" was either a sort of every match or a walk of
-- the newest guests past thousands of others, 20-90 ms either way at a million guests. Here
-- it is one row: kept with the index row in each write, made by the sweep for a term that
-- has become common.
CREATE TABLE newest_matches (
    term TEXT     PRIMARY KEY,
    ids  BIGINT[] NOT NULL  -- guest ids, newest first; trusted only when full
);
