"""`/arrive REF [table N | room N]` and `/leave REF`: the visit, and the events it raises.

Each is one transaction: the visit, its events and what they start (the checklists, the
kitchen's allergy alert and their messages) commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from playbooks import receipts
from playbooks.checklists.engine import Outcome, PlaybookEngine
from playbooks.checklists.model import STALE_AFTER
from playbooks.events import Event, EventLog, arrival_events, checkout_event
from playbooks.outbox import Outgoing, enqueue
from playbooks.status.store import StatusBook
from profiles.guests import load_guest
from profiles.models import Frozen, Guest
from profiles.pending import Command, spend
from profiles.refs import ByRoom, ByTable, EmptyRef, parse_guest_ref
from profiles.staff import load_staff
from profiles.visits import Visit, close_visit, guest_visits, load_visit, record_visit
from store.database import Database
from store.sql import Conn

# an arrival typed twice (two hosts, a double tap) within this is the same arrival
REPEAT_WINDOW = timedelta(minutes=30)
MAX_NUMBER = 8  # longer is no table or room number anyone uses


class Arrival(Frozen):
    ref: str
    table: str | None = None
    room: str | None = None


def parse_arrival(text: str) -> Arrival:
    """("王先生", table "12") from "王先生 table 12", "王先生 12号桌" or "#5 room 1203".

    The place is the last one or two words when they read as a table or room; what comes
    before is the guest. Raises EmptyRef when no guest is named.
    """
    words = text.split()
    for size in (2, 1):
        if len(words) <= size:
            continue
        try:
            place = parse_guest_ref(" ".join(words[-size:]))
        except EmptyRef:
            continue
        if isinstance(place, ByTable) and len(place.number) <= MAX_NUMBER:
            return Arrival(ref=" ".join(words[:-size]), table=place.number)
        if isinstance(place, ByRoom) and len(place.number) <= MAX_NUMBER:
            return Arrival(ref=" ".join(words[:-size]), room=place.number)
    if not words:
        raise EmptyRef("Which guest has arrived?")
    return Arrival(ref=" ".join(words))


def recent_arrival(visits: list[Visit], branch: str, now: datetime) -> Visit | None:
    """The guest's open visit in this branch if it began moments ago (a repeated /arrive)."""
    return next((visit for visit in visits
                 if visit.branch == branch and visit.left_at is None
                 and now - visit.arrived_at < REPEAT_WINDOW), None)


def receipt_message(conn: Conn, visit: Visit, arrived: Event, now: datetime) -> Outgoing:
    """The receipt of an arrival, to whoever recorded it."""
    assert visit.staff_id is not None
    staff = load_staff(conn, visit.staff_id)
    return Outgoing(key=receipts.arrival_key(arrived.subject), kind=receipts.ARRIVAL,
                    payload={"visit_id": visit.id}, chat_id=staff.telegram_id,
                    staff_id=staff.id, not_before=now, expires_at=now + STALE_AFTER)


@dataclass(frozen=True)
class Arrived:
    """What `/arrive` did: the visit, and what it set in motion (nothing when repeated)."""

    guest: Guest
    visit: Visit
    repeated: bool
    outcome: Outcome


@dataclass(frozen=True)
class Left:
    guest: Guest
    visit: Visit | None  # None: the guest had no open visit in the branch


class Arrivals:
    def __init__(self, db: Database, events: EventLog, engine: PlaybookEngine,
                 statuses: StatusBook | None = None) -> None:
        self._db = db
        self._events = events
        self._engine = engine
        self._statuses = statuses

    async def arrive(
        self, guest_id: int, *, branch: str, staff_id: int, now: datetime,
        table: str | None = None, room: str | None = None,
    ) -> Arrived:
        """Record the arrival and start what it starts; an arrival typed twice within the
        repeat window is the same arrival. Raises GuestNotFound."""

        def work(conn: Conn) -> Arrived:
            guest = load_guest(conn, guest_id)
            repeated = recent_arrival(guest_visits(conn, guest_id, limit=5), branch, now)
            if repeated is not None:
                return Arrived(guest=guest, visit=repeated, repeated=True,
                               outcome=Outcome(runs=[], alert=None))
            visit = record_visit(conn, guest_id, branch=branch, staff_id=staff_id, now=now,
                                 table=table, room=room)
            if self._statuses is not None:  # before the events: their reactions read it
                self._statuses.refresh(conn, guest_id, now)
            events = arrival_events(visit)
            # queued before what the events start, so it reaches the recorder first
            enqueue(conn, receipt_message(conn, visit, events[0], now), now)
            self._events.publish(conn, events, now)
            return Arrived(guest=guest, visit=visit, repeated=False,
                           outcome=self._engine.outcome(conn, events))

        return await self._db.write(work)

    async def receipt(self, visit_id: int) -> Arrived:
        """An arrival as its receipt shows it now: what it started and who has seen what.
        Raises GuestNotFound (erased) or LookupError (no such visit)."""

        def work(conn: Conn) -> Arrived:
            visit = load_visit(conn, visit_id)
            return Arrived(guest=load_guest(conn, visit.guest_id), visit=visit, repeated=False,
                           outcome=self._engine.outcome(conn, arrival_events(visit)))

        return await self._db.read(work)

    async def leave(self, guest_id: int, *, branch: str, staff_id: int, now: datetime,
                    spending: int | None = None) -> Left:
        """Close the guest's open visit in the branch; `spending`: the kept /leave this
        finishes, used up with it. Raises GuestNotFound, PendingNoteGone."""

        def work(conn: Conn) -> Left:
            if spending is not None:
                spend(conn, spending, staff_id=staff_id, command=Command.LEAVE, now=now)
            guest = load_guest(conn, guest_id)
            open_visit = next((v for v in guest_visits(conn, guest_id, limit=5)
                               if v.branch == branch and v.left_at is None), None)
            if open_visit is None:
                return Left(guest=guest, visit=None)
            visit = close_visit(conn, open_visit.id, now)
            self._events.publish(conn, [checkout_event(visit, staff_id=staff_id, at=now)], now)
            return Left(guest=guest, visit=visit)

        return await self._db.write(work)
