"""What other features do, inside an erasure's transaction, before the guest's rows go.

An open request for a guest who asked to be forgotten is closed with a note, and the colleague
who relayed it and the one who took it are told, by the request's number only: the request
itself is erased with the guest a moment later.
"""

from __future__ import annotations

from datetime import datetime

from playbooks.outbox import Outgoing, enqueue
from store.database import stamp
from store.sql import Conn, dialect

REQUEST_ERASED = "request_erased"
ERASED_NOTE = "closed: the guest asked to be forgotten"


def close_open_requests(conn: Conn, guest_id: int, staff_id: int | None,
                        now: datetime) -> None:
    """Close the guest's open requests with a note and tell the people handling them."""
    if not _has_table(conn, "requests"):
        return
    rows = conn.execute(
        "SELECT id, staff_id, accepted_by FROM requests WHERE guest_id = ?"
        " AND state IN ('open', 'accepted')", (guest_id,)).fetchall()
    for row in rows:
        conn.execute("UPDATE requests SET state = 'declined', closed_at = ?, closed_by = ?,"
                     " note = ? WHERE id = ?", (stamp(now), staff_id, ERASED_NOTE, row["id"]))
        for person in {row["staff_id"], row["accepted_by"]} - {None, staff_id}:
            _tell(conn, row["id"], person, now)


def _tell(conn: Conn, request_id: int, person: int, now: datetime) -> None:
    found = conn.execute("SELECT telegram_id FROM staff WHERE id = ? AND active = 1",
                         (person,)).fetchone()
    if found is not None:
        enqueue(conn, Outgoing(key=f"{REQUEST_ERASED}:{request_id}:{person}",
                               kind=REQUEST_ERASED, payload={"request": request_id},
                               chat_id=found[0], staff_id=person, not_before=now), now)


_TABLE_NAMED = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
    "postgresql": "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?",
}


def _has_table(conn: Conn, name: str) -> bool:
    return conn.execute(_TABLE_NAMED[dialect(conn)], (name,)).fetchone() is not None
