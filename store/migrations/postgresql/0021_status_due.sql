-- The daily status pass recomputes only the guests whose status can have changed (see
-- ../0021_status_due.sql).
ALTER TABLE guests ADD COLUMN status_due TEXT;
CREATE INDEX guests_status_due ON guests (status_due) WHERE status_due IS NOT NULL;

CREATE TABLE status_rules (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    rules      TEXT    NOT NULL,
    changed_at TEXT    NOT NULL
);

ALTER TABLE guests ADD COLUMN status_visits INTEGER;
ALTER TABLE guests ADD COLUMN status_last_at TEXT;
-- statuses stored before: their order at once, the rest (and status_due) by the next pass
UPDATE guests SET status_visits = (status_facts::json #>> '{rhythm,visits}')::integer, status_at = NULL
    WHERE status_facts IS NOT NULL;
DROP INDEX guests_status;
CREATE INDEX guests_status ON guests (status_branch, status, status_visits DESC, id)
    WHERE status IS NOT NULL;
CREATE INDEX guests_status_chain ON guests (status, status_visits DESC, id)
    WHERE status IS NOT NULL;

CREATE INDEX requests_guest_red ON requests (guest_id) WHERE lane = 'red';

-- Whatever writes a guest's history marks the status stale, so the next tick recomputes it.
CREATE FUNCTION guest_status_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE guests SET status_at = NULL WHERE id = OLD.guest_id AND status_at IS NOT NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE guests SET status_at = NULL WHERE id = NEW.guest_id AND status_at IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER visits_status_new AFTER INSERT OR DELETE ON visits
    FOR EACH ROW EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER visits_status_changed AFTER UPDATE OF guest_id, arrived_at, branch ON visits
    FOR EACH ROW EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER bookings_status_new AFTER INSERT OR DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER bookings_status_changed AFTER UPDATE OF guest_id, at, party, status ON bookings
    FOR EACH ROW EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER feedback_status_new AFTER INSERT OR DELETE ON feedback
    FOR EACH ROW EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER feedback_status_changed AFTER UPDATE OF guest_id, score, created_at ON feedback
    FOR EACH ROW EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER requests_status_new AFTER INSERT ON requests
    FOR EACH ROW WHEN (NEW.lane = 'red') EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER requests_status_gone AFTER DELETE ON requests
    FOR EACH ROW WHEN (OLD.lane = 'red') EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER requests_status_changed AFTER UPDATE OF guest_id, lane, created_at ON requests
    FOR EACH ROW WHEN (OLD.lane = 'red' OR NEW.lane = 'red')
    EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER visit_sources_status_new AFTER INSERT OR DELETE ON visit_sources
    FOR EACH ROW EXECUTE FUNCTION guest_status_stale();
CREATE TRIGGER visit_sources_status_changed
    AFTER UPDATE OF guest_id, visit_id, kind, spend_minor, currency ON visit_sources
    FOR EACH ROW EXECUTE FUNCTION guest_status_stale();
