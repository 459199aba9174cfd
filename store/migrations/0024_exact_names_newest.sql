-- PostgreSQL's exact name and pinyin indexes end with the id (postgresql/0024_exact_names_
-- newest.sql), so that the newest guests of a name are the start of its entries. SQLite's
-- already do: an index's entries end with the rowid. A version of the same number on both
-- stores keeps one version one schema.
SELECT 1;
