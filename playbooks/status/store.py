"""Statuses as stored on the guest's row: read, recomputed in the caller's transaction
(after a visit or a verdict), and refreshed once a day by the sweep, a batch per tick.

A change of status is audited once, in the transaction that stores it: recomputing an
unchanged status writes its time only, so a pass repeated after a restart adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from zoneinfo import ZoneInfo

from playbooks.status.rules import (
    Booked,
    History,
    Scored,
    Spent,
    Status,
    StatusKind,
    StatusRules,
    Visited,
    derive_status,
)
from profiles.audit import AuditAction, record
from profiles.errors import GuestNotFound
from profiles.models import Segment
from store.database import Database, stamp
from store.sql import Conn

# guests per transaction of the daily pass: a tick holds the writer a fraction of a second
DAILY_BATCH = 200
# transactions per tick: other writers go between them; 2,000 guests every 30 s is a
# million in four hours
DAILY_BATCHES = 10


def guest_history(conn: Conn, guest_id: int) -> History:
    """Everything the rules read about the guest, in five indexed reads."""
    segment = conn.execute("SELECT segment FROM guests WHERE id = ?", (guest_id,)).fetchone()
    if segment is None:
        raise GuestNotFound(guest_id)
    visits = [Visited(at=datetime.fromisoformat(at), branch=branch) for at, branch in conn.execute(
        "SELECT arrived_at, branch FROM visits WHERE guest_id = ?", (guest_id,))]
    bookings = [Booked(at=datetime.fromisoformat(at), party=party, no_show=state == "no_show")
                for at, party, state in conn.execute(
                    "SELECT at, party, status FROM bookings WHERE guest_id = ?"
                    " AND status <> 'cancelled'", (guest_id,))]
    scores = [Scored(at=datetime.fromisoformat(at), score=score) for at, score in conn.execute(
        "SELECT created_at, score FROM feedback WHERE guest_id = ?", (guest_id,))]
    red = [datetime.fromisoformat(at) for (at,) in conn.execute(
        "SELECT created_at FROM requests WHERE guest_id = ? AND lane = 'red'", (guest_id,))]
    spent = [Spent(at=datetime.fromisoformat(at), amount=minor / 100, currency=currency)
             for at, minor, currency in conn.execute(
                 "SELECT v.arrived_at, s.spend_minor, s.currency FROM visit_sources s"
                 " JOIN visits v ON v.id = s.visit_id WHERE s.guest_id = ? AND s.kind = 'check'"
                 " AND s.spend_minor IS NOT NULL", (guest_id,))]
    return History(visits=visits, spent=spent, bookings=bookings, scores=scores,
                   red_requests=red,
                   segment=Segment(segment[0]) if segment[0] else None)


class StatusBook:
    """The chain's rules and branch zones, applied to one guest or to all of them."""

    def __init__(self, db: Database, rules: StatusRules,
                 zones: Mapping[str, ZoneInfo] | None = None) -> None:
        self._db = db
        self.rules = rules
        self._zones = dict(zones or {})

    def refresh(self, conn: Conn, guest_id: int, now: datetime) -> Status:
        """Recompute and store the guest's status in the caller's transaction; a change is
        audited. Raises GuestNotFound."""
        status = derive_status(guest_history(conn, guest_id), self.rules, now, self._zones)
        before = stored_status(conn, guest_id)
        conn.execute(
            "UPDATE guests SET status = ?, status_facts = ?, status_at = ?,"
            " status_branch = COALESCE(?, branch) WHERE id = ?",
            (status.kind.value, status.model_dump_json(), stamp(now), status.rhythm.last_branch,
             guest_id))
        # the first computation is no change: a chain upgrading audits nothing a million times
        if before is not None and (before.kind, before.tagged) != (status.kind, status.tagged):
            record(conn, AuditAction.STATUS, staff_id=None, guest_id=guest_id, now=now,
                   details={"from": before.kind.value, "to": status.kind.value,
                            "tagged": status.tagged})
        return status

    async def of(self, guest_id: int) -> Status | None:
        """The stored status (None before it was first computed); a lead's tag set since
        wins at once."""
        return await self._db.read(lambda conn: stored_status(conn, guest_id))

    async def recompute(self, guest_id: int, now: datetime) -> Status:
        return await self._db.write(lambda conn: self.refresh(conn, guest_id, now))

    async def refresh_daily(self, now: datetime, *, batch: int = DAILY_BATCH,
                            batches: int = DAILY_BATCHES) -> int:
        """The sweep's part: recompute guests not recomputed since the UTC day began (time
        alone makes a regular lapse), up to `batches` transactions of `batch`; how many.
        Each tick goes on where the last one stopped."""
        done = 0
        for _ in range(batches):
            found = await self._refresh_batch(now, batch)
            done += found
            if found < batch:
                break
        return done

    async def _refresh_batch(self, now: datetime, batch: int) -> int:
        day_start = stamp(datetime.combine(now.date(), time(), tzinfo=now.tzinfo))

        def work(conn: Conn) -> int:
            # two index lookups, not one OR that scans every guest on each tick
            due = [guest_id for (guest_id,) in conn.execute(
                "SELECT id FROM guests WHERE status_at IS NULL LIMIT ?", (batch,))]
            due += [guest_id for (guest_id,) in conn.execute(
                "SELECT id FROM guests WHERE status_at < ? LIMIT ?",
                (day_start, batch - len(due)))]
            for guest_id in due:
                self.refresh(conn, guest_id, now)
            return len(due)

        return await self._db.write(work)


def stored_status(conn: Conn, guest_id: int) -> Status | None:
    row = conn.execute("SELECT segment, status_facts FROM guests WHERE id = ?",
                       (guest_id,)).fetchone()
    if row is None:
        raise GuestNotFound(guest_id)
    return status_of_row(row[0], row[1])


def stored_statuses(conn: Conn, guest_ids: list[int]) -> dict[int, Status]:
    """Several guests' statuses, by id; guests without one yet are left out."""
    if not guest_ids:
        return {}
    marks = ", ".join("?" for _ in guest_ids)
    rows = conn.execute(f"SELECT id, segment, status_facts FROM guests WHERE id IN ({marks})"
                        " AND status_facts IS NOT NULL", guest_ids)
    return {row[0]: status for row in rows
            if (status := status_of_row(row[1], row[2])) is not None}


def status_of_row(segment: str | None, facts: str | None) -> Status | None:
    """The stored facts, with a lead's tag set since they were computed winning at once."""
    if facts is None:
        return None
    status = Status.model_validate_json(facts)
    if segment and (status.kind, status.tagged) != (StatusKind(segment), True):
        return status.model_copy(update={"kind": StatusKind(segment), "tagged": True})
    return status
