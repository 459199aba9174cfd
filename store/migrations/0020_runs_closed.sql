-- A run whose occasion ended before its steps were done (the guest left): its open steps are
-- no longer reminded nor reported late. Not "completed": the service report still counts them.
ALTER TABLE playbook_runs ADD COLUMN closed_at TEXT;
