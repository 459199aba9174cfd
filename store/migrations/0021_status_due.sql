-- The daily status pass recomputes only the guests whose status can have changed: those
-- never computed or made stale (status_at NULL), those computed before the chain's rules last
-- changed, and those whose status time alone changes by now (status_due: a regular lapsing,
-- a no-show ageing out). A guest without history costs it nothing after the first pass.
ALTER TABLE guests ADD COLUMN status_due TEXT;
CREATE INDEX guests_status_due ON guests (status_due) WHERE status_due IS NOT NULL;

-- The rules the stored statuses were computed with (config.toml [status]) and since when.
CREATE TABLE status_rules (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    rules      TEXT    NOT NULL,
    changed_at TEXT    NOT NULL
);

-- A list is read in its order, a page at a time: the number of visits (the most valuable
-- first) and the last one (who is unseen, who said "not interested" since) kept as columns.
ALTER TABLE guests ADD COLUMN status_visits INTEGER;
ALTER TABLE guests ADD COLUMN status_last_at TEXT;
-- statuses stored before: their order at once, the rest (and status_due) by the next pass
UPDATE guests SET status_visits = json_extract(status_facts, '$.rhythm.visits'), status_at = NULL
    WHERE status_facts IS NOT NULL;
DROP INDEX guests_status;
CREATE INDEX guests_status ON guests (status_branch, status, status_visits DESC, id)
    WHERE status IS NOT NULL;
CREATE INDEX guests_status_chain ON guests (status, status_visits DESC, id)
    WHERE status IS NOT NULL;

-- the red requests a status reads, without reading every request of the chain
CREATE INDEX requests_guest_red ON requests (guest_id) WHERE lane = 'red';

-- Whatever writes a guest's history (an arrival, a merge moving visits, an import, a no-show,
-- a score, a red request, a POS check) marks the status stale, so the next tick recomputes it
-- even where the writer did not; the writers that recompute in their own transaction set it
-- again after the write.
CREATE TRIGGER visits_status_new AFTER INSERT ON visits BEGIN
    UPDATE guests SET status_at = NULL WHERE id = NEW.guest_id AND status_at IS NOT NULL;
END;
CREATE TRIGGER visits_status_changed AFTER UPDATE OF guest_id, arrived_at, branch ON visits BEGIN
    UPDATE guests SET status_at = NULL WHERE id IN (OLD.guest_id, NEW.guest_id)
        AND status_at IS NOT NULL;
END;
CREATE TRIGGER visits_status_gone AFTER DELETE ON visits BEGIN
    UPDATE guests SET status_at = NULL WHERE id = OLD.guest_id AND status_at IS NOT NULL;
END;
CREATE TRIGGER bookings_status_new AFTER INSERT ON bookings BEGIN
    UPDATE guests SET status_at = NULL WHERE id = NEW.guest_id AND status_at IS NOT NULL;
END;
CREATE TRIGGER bookings_status_changed AFTER UPDATE OF guest_id, at, party, status ON bookings
BEGIN
    UPDATE guests SET status_at = NULL WHERE id IN (OLD.guest_id, NEW.guest_id)
        AND status_at IS NOT NULL;
END;
CREATE TRIGGER bookings_status_gone AFTER DELETE ON bookings BEGIN
    UPDATE guests SET status_at = NULL WHERE id = OLD.guest_id AND status_at IS NOT NULL;
END;
CREATE TRIGGER feedback_status_new AFTER INSERT ON feedback BEGIN
    UPDATE guests SET status_at = NULL WHERE id = NEW.guest_id AND status_at IS NOT NULL;
END;
CREATE TRIGGER feedback_status_changed AFTER UPDATE OF guest_id, score, created_at ON feedback
BEGIN
    UPDATE guests SET status_at = NULL WHERE id IN (OLD.guest_id, NEW.guest_id)
        AND status_at IS NOT NULL;
END;
CREATE TRIGGER feedback_status_gone AFTER DELETE ON feedback BEGIN
    UPDATE guests SET status_at = NULL WHERE id = OLD.guest_id AND status_at IS NOT NULL;
END;
CREATE TRIGGER requests_status_new AFTER INSERT ON requests WHEN NEW.lane = 'red' BEGIN
    UPDATE guests SET status_at = NULL WHERE id = NEW.guest_id AND status_at IS NOT NULL;
END;
CREATE TRIGGER requests_status_changed AFTER UPDATE OF guest_id, lane, created_at ON requests
WHEN OLD.lane = 'red' OR NEW.lane = 'red' BEGIN
    UPDATE guests SET status_at = NULL WHERE id IN (OLD.guest_id, NEW.guest_id)
        AND status_at IS NOT NULL;
END;
CREATE TRIGGER requests_status_gone AFTER DELETE ON requests WHEN OLD.lane = 'red' BEGIN
    UPDATE guests SET status_at = NULL WHERE id = OLD.guest_id AND status_at IS NOT NULL;
END;
CREATE TRIGGER visit_sources_status_new AFTER INSERT ON visit_sources BEGIN
    UPDATE guests SET status_at = NULL WHERE id = NEW.guest_id AND status_at IS NOT NULL;
END;
CREATE TRIGGER visit_sources_status_changed
AFTER UPDATE OF guest_id, visit_id, kind, spend_minor, currency ON visit_sources BEGIN
    UPDATE guests SET status_at = NULL WHERE id IN (OLD.guest_id, NEW.guest_id)
        AND status_at IS NOT NULL;
END;
CREATE TRIGGER visit_sources_status_gone AFTER DELETE ON visit_sources BEGIN
    UPDATE guests SET status_at = NULL WHERE id = OLD.guest_id AND status_at IS NOT NULL;
END;
