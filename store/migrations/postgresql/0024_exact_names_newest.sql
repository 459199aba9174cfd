-- Exact names and pinyin, newest first. A search reads the newest 50 guests of an exact name
-- (王, 吴先生's 吴) chain-wide and in the caller's branch; with the id last in the key that is
-- a walk of the index's first 50 entries, as SQLite's indexes give (they end with the rowid),
-- not a sort of every guest of that name: thousands for a surname, 4-16 ms at a million
-- guests. The indexes replace those without the id, which served the same lookups.
CREATE INDEX guests_name_newest ON guests (lower(name), id);
CREATE INDEX guests_pinyin_newest ON guests (pinyin, id);
CREATE INDEX guests_name_branch_newest ON guests (lower(name), branch, id);
CREATE INDEX guests_pinyin_branch_newest ON guests (pinyin, branch, id);
DROP INDEX guests_name;
DROP INDEX guests_pinyin;
DROP INDEX guests_name_branch;
DROP INDEX guests_pinyin_branch;
