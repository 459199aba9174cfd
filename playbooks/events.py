"""What happened to a guest, as the core tells it, so playbooks can answer at the right moment.

An event is a row written in the transaction of the command that caused it, and its reactions
(the playbooks it starts, the kitchen alert) run in that same transaction: a command's visit,
its checklists and its alert commit together or not at all, and an update delivered again
after a crash finds them all done. A reaction that fails is rolled back to its savepoint and
logged; the event stays unpublished and the sweep publishes it again, so a broken playbook
never blocks recording an arrival and never loses its reaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from functools import partial

from pydantic import Field

from profiles.models import Frozen
from profiles.visits import Visit
from store.database import Database, stamp
from store.sql import Conn, Row, inserted_id, is_database_error

log = logging.getLogger(__name__)

PENDING_BATCH = 50


class EventKind(StrEnum):
    BOOKING_CREATED = "booking.created"
    BOOKING_FIRST_VISIT = "booking.first_visit"
    GUEST_ARRIVED = "guest.arrived"
    GUEST_SEATED = "guest.seated"
    TRAIT_ALLERGY_LOGGED = "trait.allergy_logged"
    OCCASION_UPCOMING = "occasion.upcoming"
    OCCASION_TODAY = "occasion.today"
    FEEDBACK_COMPLAINT = "feedback.complaint"
    GUEST_CHECKOUT = "guest.checkout"


class Event(Frozen):
    kind: EventKind
    guest_id: int
    branch: str
    at: datetime
    staff_id: int | None = None
    # what the event is about beyond the guest: visit_id, booking_id, party, children, …
    details: dict[str, str | int | bool | None] = Field(default_factory=dict)

    @property
    def subject(self) -> str:
        """A stable name for "this occurrence", for dedupe keys."""
        detail = next((f"{k}={v}" for k, v in sorted(self.details.items()) if k.endswith("_id")),
                      self.at.isoformat())
        return f"{self.kind}:{self.guest_id}:{detail}"


# A reaction runs inside the publishing transaction: it reads and writes through `conn`.
Reaction = Callable[[Conn, Event, datetime], object]


class EventLog:
    """The durable events and the reactions every event meets, in the order they were added."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._reactions: list[Reaction] = []

    def react_with(self, reaction: Reaction) -> None:
        self._reactions.append(reaction)

    def publish(self, conn: Conn, events: list[Event], now: datetime) -> list[Event]:
        """Record `events` and run their reactions in the caller's transaction; the events
        that were new (one already recorded, as by a retried command, is skipped)."""
        fresh = []
        for event in events:
            event_id = _insert(conn, event)
            if event_id:
                self._react(conn, event_id, event, now)
                fresh.append(event)
        return fresh

    def react(self, conn: Conn, event: Event, now: datetime) -> bool:
        """Run the reactions to an event recorded elsewhere (an occasion), under a
        savepoint; False when one failed and everything they did was rolled back."""
        conn.execute("SAVEPOINT reaction")
        try:
            for reaction in self._reactions:
                reaction(conn, event, now)
        except Exception as error:
            if is_database_error(error):
                raise  # the transaction itself is broken or must be retried as a whole
            conn.execute("ROLLBACK TO SAVEPOINT reaction")
            conn.execute("RELEASE SAVEPOINT reaction")
            log.exception("a reaction to %s failed; the sweep will try again", event.kind)
            return False
        conn.execute("RELEASE SAVEPOINT reaction")
        return True

    async def publish_pending(self, now: datetime) -> int:
        """The sweep's part: events whose reactions failed before are tried again, each in
        a transaction of its own; how many went through."""
        pending = await self._db.read(_pending)
        done = 0
        for event_id, event in pending:
            done += await self._db.write(partial(self._retry, event_id=event_id, event=event,
                                                 now=now))
        return done

    async def recorded(self, guest_id: int) -> list[Event]:
        """A guest's events, oldest first."""
        return await self._db.read(lambda conn: [_event(row) for row in conn.execute(
            "SELECT * FROM events WHERE guest_id = ? ORDER BY id", (guest_id,))])

    def _react(self, conn: Conn, event_id: int, event: Event, now: datetime) -> None:
        if self.react(conn, event, now):
            conn.execute("UPDATE events SET published_at = ? WHERE id = ?", (stamp(now), event_id))

    def _retry(self, conn: Conn, *, event_id: int, event: Event, now: datetime) -> int:
        claimed = conn.execute("SELECT 1 FROM events WHERE id = ? AND published_at IS NULL",
                               (event_id,)).fetchone()
        if claimed is None:
            return 0  # another process published it meanwhile
        self._react(conn, event_id, event, now)
        return 1


def _insert(conn: Conn, event: Event) -> int:
    cursor = conn.execute(
        "INSERT INTO events (subject, kind, guest_id, branch, at, staff_id, details)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING RETURNING id",
        (event.subject, event.kind, event.guest_id, event.branch, stamp(event.at),
         event.staff_id, json.dumps(event.details, ensure_ascii=False)),
    )
    return inserted_id(cursor)


def _pending(conn: Conn) -> list[tuple[int, Event]]:
    rows = conn.execute("SELECT * FROM events WHERE published_at IS NULL ORDER BY id LIMIT ?",
                        (PENDING_BATCH,))
    return [(row["id"], _event(row)) for row in rows]


def _event(row: Row) -> Event:
    return Event(kind=EventKind(row["kind"]), guest_id=row["guest_id"], branch=row["branch"],
                 at=datetime.fromisoformat(row["at"]), staff_id=row["staff_id"],
                 details=json.loads(row["details"]))


def arrival_events(visit: Visit) -> list[Event]:
    """guest.arrived, and guest.seated when a table was given."""
    details: dict[str, str | int | bool | None] = {"visit_id": visit.id}
    if visit.table_no:
        details["table"] = visit.table_no
    if visit.room_no:
        details["room"] = visit.room_no
    arrived = Event(kind=EventKind.GUEST_ARRIVED, guest_id=visit.guest_id, branch=visit.branch,
                    at=visit.arrived_at, staff_id=visit.staff_id, details=details)
    if not visit.table_no:
        return [arrived]
    return [arrived, arrived.model_copy(update={"kind": EventKind.GUEST_SEATED})]


def checkout_event(visit: Visit, *, staff_id: int | None, at: datetime) -> Event:
    details: dict[str, str | int | bool | None] = {"visit_id": visit.id}
    if visit.room_no:
        details["room"] = visit.room_no
    return Event(kind=EventKind.GUEST_CHECKOUT, guest_id=visit.guest_id, branch=visit.branch,
                 at=at, staff_id=staff_id, details=details)
