"""`/arrive REF [table N | room N]`: which guest, where, and the events an arrival raises."""

from __future__ import annotations

from datetime import datetime, timedelta

from playbooks.events import Event, EventKind
from profiles.models import Frozen
from profiles.refs import ByRoom, ByTable, EmptyRef, parse_guest_ref
from profiles.visits import Visit

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


def checkout_event(visit: Visit, *, staff_id: int, at: datetime) -> Event:
    details: dict[str, str | int | bool | None] = {"visit_id": visit.id}
    if visit.room_no:
        details["room"] = visit.room_no
    return Event(kind=EventKind.GUEST_CHECKOUT, guest_id=visit.guest_id, branch=visit.branch,
                 at=at, staff_id=staff_id, details=details)
