"""What outside systems report, each call one transaction: bookings, stays, POS checks, guests.

Everything is named by the source's own id, so a call sent twice (a retry after a timeout)
changes nothing the second time. A stay is a visit with its room, which is how a cleaner's
`/request room 1203: …` and the housekeeping brief find the guest; a POS check is a visit
with its covers and spend, joined to the guest's open visit at that branch when staff
already recorded the arrival.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import AwareDatetime, Field

from playbooks.bookings.book import booking_events
from playbooks.events import EventLog, arrival_events, checkout_event
from playbooks.status.store import StatusBook
from profiles.audit import AuditAction, record
from profiles.bookings import MAX_NOTE_LENGTH, MAX_PARTY, Booking, BookingStatus, NewBooking, book
from profiles.bookings import _load as load_booking
from profiles.guests import load_guest
from profiles.models import Frozen, Guest, GuestCard, Staff
from profiles.sources import GuestData, Matched, guest_of_source, match_guest
from profiles.traits import load_traits
from profiles.visibility import visible_card
from profiles.visits import Visit, close_visit, record_visit
from store.database import Database, stamp
from store.sql import Conn, inserted_id

# a check within this after an open visit began belongs to that visit
CHECK_JOINS_VISIT = timedelta(hours=8)


class FeedNotFound(LookupError):
    """The source never sent this id (or its guest was erased)."""


class BookingIn(Frozen):
    branch: str | None = None  # the key's branch when left out
    guest: GuestData
    at: AwareDatetime
    party: int | None = Field(default=None, ge=1, le=MAX_PARTY)
    note: str = Field(default="", max_length=MAX_NOTE_LENGTH)
    table: str | None = Field(default=None, max_length=8)
    room: str | None = Field(default=None, max_length=8)


class StayIn(Frozen):
    branch: str | None = None  # the key's branch when left out
    guest: GuestData
    room: str = Field(min_length=1, max_length=8)
    arrival: date
    departure: date


class CheckIn(Frozen):
    """A POS check: who, where, how many, how much."""

    branch: str | None = None  # the key's branch when left out

    guest: GuestData
    table: str | None = Field(default=None, max_length=8)
    covers: int | None = Field(default=None, ge=1, le=MAX_PARTY)
    spend: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    at: AwareDatetime


class Reported(Frozen):
    guest_id: int
    created: bool  # False: the source had sent this id before (a replay or a change)


class BookingOut(Reported):
    booking: Booking


class StayOut(Reported):
    visit: Visit


class Spend(Frozen):
    """A guest's recorded checks: visits and the average per check, by currency."""

    visits: int
    checks: int
    average: dict[str, Decimal]


class SourceCard(Frozen):
    """A guest's card as an integration reads it: what its role may see, and their spend."""

    card: GuestCard
    spend: Spend


class Feeds:
    def __init__(self, db: Database, events: EventLog, *, regions: Mapping[str, str],
                 region_list: Sequence[str], statuses: StatusBook | None = None) -> None:
        self._db = db
        self._events = events
        self._statuses = statuses  # a visit or a check may change the guest's status
        self._regions = regions  # branch → phone region
        self._region_list = tuple(region_list)

    async def upsert_guest(self, source: str, data: GuestData, *, branch: str,
                           now: datetime) -> Matched:
        return await self._db.write(lambda conn: self._match(conn, source, data, branch, now))

    async def put_booking(self, source: str, source_id: str, data: BookingIn, *, branch: str,
                          now: datetime) -> BookingOut:
        """Create the booking, or change it to what was sent; the same again changes nothing."""
        key = _booking_key(source, source_id)

        def work(conn: Conn) -> BookingOut:
            guest = self._match(conn, source, data.guest, branch, now).guest
            row = conn.execute("SELECT id FROM bookings WHERE import_key = ?", (key,)).fetchone()
            if row is not None:
                return BookingOut(guest_id=guest.id, created=False,
                                  booking=_change_booking(conn, int(row["id"]), guest, data, now))
            made = book(conn, NewBooking(
                guest_id=guest.id, branch=branch, at=data.at, party=data.party, note=data.note,
                table_no=data.table, room_no=data.room, source=source, import_key=key),
                None, now)
            if not made.already:
                self._events.publish(conn, booking_events(made, staff_id=None, at=now), now)
            return BookingOut(guest_id=guest.id, created=not made.already, booking=made.booking)

        return await self._db.write(work)

    async def cancel_booking(self, source: str, source_id: str, *, branch: str,
                             now: datetime) -> BookingOut:
        """Cancel; cancelling a cancelled booking again is no error."""

        def work(conn: Conn) -> BookingOut:
            row = conn.execute("SELECT id FROM bookings WHERE import_key = ? AND branch = ?",
                               (_booking_key(source, source_id), branch)).fetchone()
            if row is None:
                raise FeedNotFound(source_id)
            conn.execute("UPDATE bookings SET status = ?, updated_at = ? WHERE id = ?"
                         " AND status = ?", (BookingStatus.CANCELLED, stamp(now), row["id"],
                                             BookingStatus.BOOKED))
            booking = load_booking(conn, int(row["id"]))
            return BookingOut(guest_id=booking.guest_id, created=False, booking=booking)

        return await self._db.write(work)

    async def check_in(self, source: str, source_id: str, data: StayIn, *, branch: str,
                       now: datetime) -> StayOut:
        """The guest is in the room: a visit with its room, and the arrival's events. Sent
        again with another room, it is a room move."""

        def work(conn: Conn) -> StayOut:
            guest = self._match(conn, source, data.guest, branch, now).guest
            visit_id = _visit_of(conn, source, "stay", source_id)
            if visit_id is not None:
                return StayOut(guest_id=guest.id, created=False,
                               visit=_move(conn, visit_id, data.room))
            visit = record_visit(conn, guest.id, branch=branch, staff_id=None, now=now,
                                 room=data.room)
            _keep_visit(conn, source, "stay", source_id, visit)
            if self._statuses is not None:  # before the events: their reactions read it
                self._statuses.refresh(conn, guest.id, now)
            self._events.publish(conn, arrival_events(visit), now)
            return StayOut(guest_id=guest.id, created=True, visit=visit)

        return await self._db.write(work)

    async def move_room(self, source: str, source_id: str, room: str, *, branch: str,
                        now: datetime) -> StayOut:
        def work(conn: Conn) -> StayOut:
            visit_id = self._stay(conn, source, source_id, branch)
            visit = _move(conn, visit_id, room)
            return StayOut(guest_id=visit.guest_id, created=False, visit=visit)

        return await self._db.write(work)

    async def check_out(self, source: str, source_id: str, *, branch: str,
                        now: datetime) -> StayOut:
        """The stay ends; a second check-out keeps the first one's time and adds nothing."""

        def work(conn: Conn) -> StayOut:
            visit_id = self._stay(conn, source, source_id, branch)
            before = _visit(conn, visit_id)
            visit = close_visit(conn, visit_id, now)
            if before.left_at is None:
                self._events.publish(conn, [checkout_event(visit, staff_id=None, at=now)], now)
            return StayOut(guest_id=visit.guest_id, created=False, visit=visit)

        return await self._db.write(work)

    async def record_check(self, source: str, source_id: str, data: CheckIn, *, branch: str,
                           now: datetime) -> StayOut:
        """A POS check, once per source id: joined to the guest's open visit at the branch
        if it began at most CHECK_JOINS_VISIT before, else a visit of its own, closed."""

        def work(conn: Conn) -> StayOut:
            guest = self._match(conn, source, data.guest, branch, now).guest
            visit_id = _visit_of(conn, source, "check", source_id)
            if visit_id is not None:
                return StayOut(guest_id=guest.id, created=False, visit=_visit(conn, visit_id))
            visit = _open_visit(conn, guest.id, branch, data.at) or _closed_visit(
                conn, guest.id, branch, data)
            _keep_visit(conn, source, "check", source_id, visit, data)
            if self._statuses is not None:  # what they spent may make them key
                self._statuses.refresh(conn, guest.id, now)
            return StayOut(guest_id=guest.id, created=True, visit=visit)

        return await self._db.write(work)

    async def spend(self, guest_id: int) -> Spend:
        return await self._db.read(lambda conn: guest_spend(conn, guest_id))

    async def card(self, source: str, source_id: str, *, viewer: Staff,
                   now: datetime) -> SourceCard:
        """The card of the guest the source calls `source_id`, as `viewer` may see it; the
        view is audited in the same transaction, under the source's name."""

        def work(conn: Conn) -> SourceCard:
            guest_id = guest_of_source(conn, source, source_id)
            if guest_id is None:
                raise FeedNotFound(source_id)
            card = GuestCard(guest=load_guest(conn, guest_id), traits=load_traits(conn, guest_id))
            record(conn, AuditAction.VIEW, staff_id=None, guest_id=guest_id, now=now,
                   details={"api_key": source})
            return SourceCard(card=visible_card(card, viewer), spend=guest_spend(conn, guest_id))

        return await self._db.write(work)

    def _match(self, conn: Conn, source: str, data: GuestData, branch: str,
               now: datetime) -> Matched:
        return match_guest(conn, source, data, branch=branch,
                           region=self._regions.get(branch, "CN"), regions=self._region_list,
                           now=now)

    def _stay(self, conn: Conn, source: str, source_id: str, branch: str) -> int:
        visit_id = _visit_of(conn, source, "stay", source_id)
        if visit_id is None or _visit(conn, visit_id).branch != branch:
            raise FeedNotFound(source_id)
        return visit_id


def guest_spend(conn: Conn, guest_id: int) -> Spend:
    visits = conn.execute("SELECT COUNT(*) FROM visits WHERE guest_id = ?",
                          (guest_id,)).fetchone()[0]
    rows = conn.execute(
        "SELECT currency, COUNT(*) AS n, SUM(spend_minor) AS total FROM visit_sources"
        " WHERE guest_id = ? AND kind = 'check' GROUP BY currency ORDER BY currency",
        (guest_id,)).fetchall()
    average = {row["currency"]: (Decimal(int(row["total"])) / 100 / int(row["n"])).quantize(
        Decimal("0.01")) for row in rows}
    return Spend(visits=int(visits), checks=sum(int(row["n"]) for row in rows), average=average)


def _booking_key(source: str, source_id: str) -> str:
    return f"api:{source}:{source_id}"


def _change_booking(conn: Conn, booking_id: int, guest: Guest, data: BookingIn,
                    now: datetime) -> Booking:
    conn.execute(
        "UPDATE bookings SET guest_id = ?, at = ?, party = ?, note = ?, table_no = ?,"
        " room_no = ?, updated_at = ? WHERE id = ?",
        (guest.id, stamp(data.at), data.party, data.note, data.table, data.room, stamp(now),
         booking_id))
    return load_booking(conn, booking_id)


def _visit_of(conn: Conn, source: str, kind: str, source_id: str) -> int | None:
    row = conn.execute("SELECT visit_id FROM visit_sources WHERE source = ? AND kind = ?"
                       " AND source_id = ?", (source, kind, source_id)).fetchone()
    return None if row is None else int(row["visit_id"])


def _keep_visit(conn: Conn, source: str, kind: str, source_id: str, visit: Visit,
                check: CheckIn | None = None) -> None:
    conn.execute(
        "INSERT INTO visit_sources (source, source_id, kind, visit_id, guest_id, covers,"
        " spend_minor, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (source, source_id, kind, visit.id, visit.guest_id,
         check.covers if check else None,
         int(check.spend * 100) if check else None, check.currency if check else None))


def _move(conn: Conn, visit_id: int, room: str) -> Visit:
    conn.execute("UPDATE visits SET room_no = ? WHERE id = ?", (room, visit_id))
    return _visit(conn, visit_id)


def _visit(conn: Conn, visit_id: int) -> Visit:
    row = conn.execute("SELECT id, guest_id, branch, staff_id, arrived_at, table_no, room_no,"
                       " left_at FROM visits WHERE id = ?", (visit_id,)).fetchone()
    if row is None:
        raise FeedNotFound(str(visit_id))
    return Visit.model_validate(dict(row))


def _open_visit(conn: Conn, guest_id: int, branch: str, at: datetime) -> Visit | None:
    row = conn.execute(
        "SELECT id FROM visits WHERE guest_id = ? AND branch = ? AND left_at IS NULL"
        " AND arrived_at <= ? AND arrived_at >= ? AND room_no IS NULL"
        " ORDER BY arrived_at DESC LIMIT 1",
        (guest_id, branch, stamp(at), stamp(at - CHECK_JOINS_VISIT))).fetchone()
    return None if row is None else _visit(conn, int(row["id"]))


def _closed_visit(conn: Conn, guest_id: int, branch: str, check: CheckIn) -> Visit:
    # a check reports a meal that is over: its visit is closed, and starts no playbook
    cursor = conn.execute(
        "INSERT INTO visits (guest_id, branch, staff_id, arrived_at, table_no, left_at)"
        " VALUES (?, ?, NULL, ?, ?, ?) RETURNING id",
        (guest_id, branch, stamp(check.at), check.table, stamp(check.at)))
    return _visit(conn, inserted_id(cursor))
