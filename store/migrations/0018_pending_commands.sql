-- A kept offer remembers which command it finishes: a note, or a score, a tag, a consent or a
-- departure typed for a guest the reference did not name exactly, applied to the guest chosen.
ALTER TABLE pending_notes ADD COLUMN command TEXT NOT NULL DEFAULT 'note';
