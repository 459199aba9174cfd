"""Statuses as stored on the guest's row: read, recomputed in the caller's transaction
(after a visit or a verdict), and by the sweep, a batch per tick, for the guests whose status
may have changed since: a write to their history marked it stale, the chain's rules changed,
or time alone changes it by now (`next_change`, stored as `status_due`).

A change of status is audited once, in the transaction that stores it: recomputing an
unchanged status writes its time only, so a pass repeated after a restart adds nothing.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
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
    next_change,
)
from profiles.audit import AuditAction, record
from profiles.errors import GuestNotFound
from profiles.models import Segment
from store.database import Database, WriteBudget, stamp
from store.sql import Conn, question_marks

# guests per transaction of the daily pass: a tick holds the writer a fraction of a second
DAILY_BATCH = 200
# transactions per tick: other writers go between them; 2,000 guests every 30 s is a
# million in four hours
DAILY_BATCHES = 10
# and no new one after this much of a tick: a batch on PostgreSQL is 40-60 ms at a million
# guests (each row written again in ten indexes), and the sweep's writes must stay within a
# second; on SQLite ten batches take less
DAILY_SECONDS = 0.25


# Every row the rules read, of up to ID_CHUNK guests, in one statement: one round trip on
# PostgreSQL, where six reads took three times as long as the rules. Columns: what the row
# is, the guest, then a time (or the segment), a text and a number.
_HISTORIES = """
SELECT 'g', id, segment, status_facts, CAST(NULL AS INTEGER) FROM guests WHERE id IN ({ids})
UNION ALL
SELECT 'v', guest_id, arrived_at, branch, NULL FROM visits WHERE guest_id IN ({ids})
UNION ALL
SELECT 'b', guest_id, at, status, party FROM bookings WHERE guest_id IN ({ids})
    AND status <> 'cancelled'
UNION ALL
SELECT 'f', guest_id, created_at, NULL, score FROM feedback WHERE guest_id IN ({ids})
UNION ALL
SELECT 'r', guest_id, created_at, NULL, NULL FROM requests WHERE guest_id IN ({ids})
    AND lane = 'red'
UNION ALL
SELECT 's', s.guest_id, v.arrived_at, s.currency, s.spend_minor FROM visit_sources s
    JOIN visits v ON v.id = s.visit_id WHERE s.guest_id IN ({ids}) AND s.kind = 'check'
    AND s.spend_minor IS NOT NULL
"""


def histories(conn: Conn, guest_ids: list[int]) -> dict[int, tuple[History, Status | None]]:
    """Several guests' histories by id (up to ID_CHUNK), each with the status stored before
    (None before the first); guests that are gone are left out."""
    marks = question_marks(guest_ids)
    rows: dict[str, list[tuple[int, str, str | None, int | None]]] = defaultdict(list)
    for source, guest_id, at, text, number in conn.execute(
            _HISTORIES.format(ids=marks), guest_ids * 6):
        rows[source].append((guest_id, at, text, number))
    found: dict[int, dict[str, Any]] = {
        gid: {"segment": Segment(segment) if segment else None, "visits": [], "spent": [],
              "bookings": [], "scores": [], "red_requests": []}
        for gid, segment, _, _ in rows["g"]}
    befores = {gid: status_of_row(segment, facts) for gid, segment, facts, _ in rows["g"]}
    for gid, at, branch, _ in rows["v"]:
        found[gid]["visits"].append(Visited(at=datetime.fromisoformat(at), branch=str(branch)))
    for gid, at, state, party in rows["b"]:
        found[gid]["bookings"].append(
            Booked(at=datetime.fromisoformat(at), party=party, no_show=state == "no_show"))
    for gid, at, _, score in rows["f"]:
        found[gid]["scores"].append(Scored(at=datetime.fromisoformat(at), score=int(score or 0)))
    for gid, at, _, _ in rows["r"]:
        found[gid]["red_requests"].append(datetime.fromisoformat(at))
    for gid, at, currency, minor in rows["s"]:
        found[gid]["spent"].append(Spent(at=datetime.fromisoformat(at),
                                         amount=(minor or 0) / 100, currency=str(currency)))
    return {gid: (History(**facts), befores[gid]) for gid, facts in found.items()}


class StatusBook:
    """The chain's rules and branch zones, applied to one guest or to all of them."""

    def __init__(self, db: Database, rules: StatusRules,
                 zones: Mapping[str, ZoneInfo] | None = None) -> None:
        self._db = db
        self.rules = rules
        self._zones = dict(zones or {})
        self._rules_since: str | None = None

    def refresh(self, conn: Conn, guest_id: int, now: datetime) -> Status:
        """Recompute and store the guest's status in the caller's transaction; a change is
        audited. Raises GuestNotFound."""
        found = self._refresh_many(conn, [guest_id], now)
        if guest_id not in found:
            raise GuestNotFound(guest_id)
        return found[guest_id]

    def _refresh_many(self, conn: Conn, guest_ids: list[int], now: datetime) -> dict[int, Status]:
        """Up to ID_CHUNK guests recomputed and stored; those gone are left out."""
        if not guest_ids:
            return {}
        statuses: dict[int, Status] = {}
        rows = []
        for guest_id, (history, before) in histories(conn, guest_ids).items():
            status = derive_status(history, self.rules, now, self._zones)
            due = next_change(history, self.rules, now)
            statuses[guest_id] = status
            rows.append((status.kind.value, status.model_dump_json(), stamp(now),
                         None if due is None else stamp(due), status.rhythm.visits,
                         None if status.rhythm.last_at is None else stamp(status.rhythm.last_at),
                         status.rhythm.last_branch, guest_id))
            # the first computation is no change: a chain upgrading audits nothing a million
            # times
            if before is not None and (before.kind, before.tagged) != (status.kind,
                                                                       status.tagged):
                record(conn, AuditAction.STATUS, staff_id=None, guest_id=guest_id, now=now,
                       details={"from": before.kind.value, "to": status.kind.value,
                                "tagged": status.tagged})
        conn.executemany(
            "UPDATE guests SET status = ?, status_facts = ?, status_at = ?, status_due = ?,"
            " status_visits = ?, status_last_at = ?, status_branch = COALESCE(?, branch)"
            " WHERE id = ?", rows)
        return statuses

    async def of(self, guest_id: int) -> Status | None:
        """The stored status (None before it was first computed); a lead's tag set since
        wins at once."""
        return await self._db.read(lambda conn: stored_status(conn, guest_id))

    async def recompute(self, guest_id: int, now: datetime) -> Status:
        return await self._db.write(lambda conn: self.refresh(conn, guest_id, now))

    async def refresh_daily(self, now: datetime, *, batch: int = DAILY_BATCH,
                            batches: int = DAILY_BATCHES, seconds: float = DAILY_SECONDS,
                            timer: Callable[[], float] = time.perf_counter) -> int:
        """The sweep's part: recompute the guests whose status may have changed (never
        computed, made stale by a write, computed under other rules, or changed by time alone
        by now), up to `batches` transactions of `batch`, none begun once `seconds` (by
        `timer`) have passed; how many. Each tick goes on where the last one stopped; a
        guest whose history nothing touches is not read again."""
        if self._rules_since is None:  # the rules do not change while the bot runs
            rules = self.rules.model_dump_json()
            self._rules_since = await self._db.write(lambda conn: rules_since(conn, rules, now))
        since = self._rules_since
        done = 0
        budget = WriteBudget(seconds, timer)
        for _ in range(batches):
            if not budget.another():
                break
            found = await self._db.write(
                lambda conn: self._refresh_batch(conn, now, since, batch))
            done += found
            if found < batch:
                break
        return done

    def _refresh_batch(self, conn: Conn, now: datetime, rules_since: str, batch: int) -> int:
        # three index lookups, not one OR that reads every guest on each tick
        due: dict[int, None] = {}  # in the order found, each once
        for query, params in (
                ("SELECT id FROM guests WHERE status_at IS NULL LIMIT ?", ()),
                ("SELECT id FROM guests WHERE status_at < ? LIMIT ?", (rules_since,)),
                ("SELECT id FROM guests WHERE status_due <= ? LIMIT ?", (stamp(now),))):
            if len(due) < batch:
                due |= dict.fromkeys(gid for (gid,) in conn.execute(
                    query, (*params, batch - len(due))))
        self._refresh_many(conn, list(due), now)
        return len(due)


def rules_since(conn: Conn, rules: str, now: datetime) -> str:
    """Since when the chain's rules (as JSON) are what they are now, recorded when they
    change: every status computed before then is due."""
    row = conn.execute("SELECT rules, changed_at FROM status_rules WHERE id = 1").fetchone()
    if row is not None and row[0] == rules:
        return str(row[1])
    conn.execute("INSERT INTO status_rules (id, rules, changed_at) VALUES (1, ?, ?)"
                 " ON CONFLICT (id) DO UPDATE SET rules = excluded.rules,"
                 " changed_at = excluded.changed_at", (rules, stamp(now)))
    return stamp(now)


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
    marks = question_marks(guest_ids)
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
