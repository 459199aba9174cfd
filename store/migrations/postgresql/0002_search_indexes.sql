-- Guest search: exact names and pinyin by b-tree, so that a common surname's exact matches
-- are never crowded out by the cap on full-text candidates; and who is in a room or at a
-- table now.

-- SQLite's NOCASE index: here an index on lower(name), which `lower(name) = lower(?)` uses.
CREATE INDEX guests_name ON guests (lower(name));
CREATE INDEX guests_pinyin ON guests (pinyin);

-- Only open visits: the indexes stay as small as the number of rooms and tables in use.
CREATE INDEX visits_open_room ON visits (room_no, branch, arrived_at) WHERE left_at IS NULL;
CREATE INDEX visits_open_table ON visits (table_no, branch, arrived_at) WHERE left_at IS NULL;
