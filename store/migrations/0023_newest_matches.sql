-- PostgreSQL keeps the newest guests of each common search term in a table of their own
-- (postgresql/0023_newest_matches.sql). FTS5 needs none: its doclists are in rowid order,
-- so the newest matches of any term are the start of its list. A version of the same number
-- on both stores keeps one version one schema.
SELECT 1;
