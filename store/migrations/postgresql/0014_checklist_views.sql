-- Whoever acts on a checklist holds it whole; a shift lead who only watches holds one line.
ALTER TABLE playbook_recipients ADD COLUMN view TEXT NOT NULL DEFAULT 'full';
-- a person's recent reminders are read to batch the next one
CREATE INDEX outbox_kind_created ON outbox (kind, created_at);
-- a step another event ticks (the kitchen's Seen ticks "make sure the kitchen has seen it")
ALTER TABLE playbook_steps ADD COLUMN ticked_by TEXT;
