-- Whoever acts on a checklist holds it whole; a shift lead who only watches holds one line.
ALTER TABLE playbook_recipients ADD COLUMN view TEXT NOT NULL DEFAULT 'full';
-- a person's recent reminders are read to batch the next one
CREATE INDEX outbox_kind_created ON outbox (kind, created_at);
