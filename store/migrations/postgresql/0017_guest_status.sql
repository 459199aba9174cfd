-- Each guest's status and the facts its reason is told from (see ../0017_guest_status.sql).
ALTER TABLE guests ADD COLUMN status TEXT;
ALTER TABLE guests ADD COLUMN status_facts TEXT;
ALTER TABLE guests ADD COLUMN status_at TEXT;

CREATE INDEX guests_status_at ON guests (status_at);
CREATE INDEX guests_status ON guests (status, branch) WHERE status IS NOT NULL;
