"""The booking store: expected visits and stays, cancelled or missed, typed or imported."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from profiles.access import in_branch
from profiles.errors import GuestNotFound
from profiles.guests import guest_with_phone, guests_named
from profiles.models import Frozen, Staff, TraitDraft
from profiles.traits import log_traits
from store.database import Database, stamp
from store.sql import Conn, Row, inserted_id, question_marks

BOOKING_COLUMNS = """
    id, guest_id, branch, at, party, children, table_no, room_no, note, status, source,
    staff_id, created_at
"""
MAX_NOTE_LENGTH = 500
MAX_PARTY = 500
DRAFT_LIFETIME = timedelta(days=2)


class BookingNotFound(Exception):
    """No booking with that id (the guest may have been erased)."""


class BookingClosed(Exception):
    """The booking was already cancelled or marked as a no-show."""


class BookingNotDue(Exception):
    """A guest cannot miss a booking whose time has not come."""


class DraftGone(Exception):
    """The booking waiting for a button was already made, or belongs to someone else."""


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class NewBooking(Frozen):
    guest_id: int
    branch: str
    at: datetime
    party: int | None = Field(default=None, ge=1, le=MAX_PARTY)
    children: bool = False
    table_no: str | None = None
    room_no: str | None = None
    note: str = Field(default="", max_length=MAX_NOTE_LENGTH)
    source: str = "chat"
    import_key: str | None = None


class Booking(Frozen):
    id: int
    guest_id: int
    branch: str
    at: datetime
    party: int | None = None
    children: bool = False
    table_no: str | None = None
    room_no: str | None = None
    note: str = ""
    status: BookingStatus = BookingStatus.BOOKED
    source: str = "chat"
    staff_id: int | None = None
    created_at: datetime


class BookingMade(Frozen):
    booking: Booking
    already: bool  # the same guest was already booked for the same time: nothing new
    first_visit: bool  # the guest has no visit on record anywhere
    # ...nor another booking still to come: the first-time caller's playbook runs once
    first_booking: bool = False


class BookingStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def book(self, new: NewBooking, *, staff_id: int | None, now: datetime,
                   traits: Sequence[TraitDraft] = (), traits_by: int | None = None) -> BookingMade:
        """Store the booking; `traits` (read from its notes, in the name of `traits_by`) are
        logged on the guest in the same transaction, unless the booking was there already."""

        def work(conn: Conn) -> BookingMade:
            made = book(conn, new, staff_id, now)
            if traits and traits_by is not None and not made.already:
                log_traits(conn, new.guest_id, list(traits), staff_id=traits_by,
                           branch=new.branch, now=now)
            return made

        return await self._db.write(work)

    async def get(self, booking_id: int) -> Booking:
        return await self._db.read(lambda conn: _load(conn, booking_id))

    async def cancel(self, booking_id: int, *, now: datetime,
                     by: Staff | None = None) -> Booking:
        """Cancel a booking; `by` (None for the core's own use) must be of its branch, else
        BookingNotFound."""
        return await self._close(booking_id, BookingStatus.CANCELLED, now, due=False, by=by)

    async def no_show(self, booking_id: int, *, now: datetime,
                      by: Staff | None = None) -> Booking:
        """The guest did not come; only staff of the booking's branch say so, as for cancel."""
        return await self._close(booking_id, BookingStatus.NO_SHOW, now, due=True, by=by)

    async def _close(
        self, booking_id: int, status: BookingStatus, now: datetime, *, due: bool,
        by: Staff | None,
    ) -> Booking:
        def work(conn: Conn) -> Booking:
            booking = _load(conn, booking_id)
            if by is not None and not in_branch(by, booking.branch):
                raise BookingNotFound(booking_id)
            if booking.status is not BookingStatus.BOOKED:
                raise BookingClosed(booking_id)
            if due and booking.at > now:
                raise BookingNotDue(booking_id)
            conn.execute("UPDATE bookings SET status = ?, updated_at = ? WHERE id = ?",
                         (status, stamp(now), booking_id))
            return _load(conn, booking_id)

        return await self._db.write(work)

    async def for_guest(self, guest_id: int, *, since: datetime, limit: int = 5) -> list[Booking]:
        """The guest's open bookings from `since` on, soonest first."""

        def work(conn: Conn) -> list[Booking]:
            rows = conn.execute(
                f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE guest_id = ? AND status = ?"
                " AND at >= ? ORDER BY at, id LIMIT ?",
                (guest_id, BookingStatus.BOOKED, stamp(since), limit),
            )
            return [_booking(row) for row in rows]

        return await self._db.read(work)

    async def in_branch(self, branch: str, start: datetime, end: datetime) -> list[Booking]:
        return await self._db.read(lambda conn: bookings_between(conn, branch, start, end))

    # --- drafts: a /book waiting for staff to choose the guest or the time ----------------

    async def keep_draft(self, staff_id: int, draft: dict[str, object], *, now: datetime) -> int:
        """Keep a draft for its buttons; drafts older than DRAFT_LIFETIME go, as they may
        hold the name and phone of someone who never became a guest."""

        def work(conn: Conn) -> int:
            conn.execute("DELETE FROM booking_drafts WHERE created_at < ?",
                         (stamp(now - DRAFT_LIFETIME),))
            cursor = conn.execute(
                "INSERT INTO booking_drafts (staff_id, draft, created_at) VALUES (?, ?, ?)"
                " RETURNING id",
                (staff_id, json.dumps(draft, ensure_ascii=False), stamp(now)),
            )
            return inserted_id(cursor)

        return await self._db.write(work)

    async def draft(self, draft_id: int, *, staff_id: int) -> dict[str, object]:
        def work(conn: Conn) -> dict[str, object]:
            row = conn.execute(
                "SELECT draft FROM booking_drafts WHERE id = ? AND staff_id = ?"
                " AND used_at IS NULL", (draft_id, staff_id),
            ).fetchone()
            if row is None:
                raise DraftGone(draft_id)
            loaded: dict[str, object] = json.loads(row["draft"])
            return loaded

        return await self._db.read(work)

    async def update_draft(self, draft_id: int, draft: dict[str, object], *, staff_id: int) -> None:
        def work(conn: Conn) -> None:
            cursor = conn.execute(
                "UPDATE booking_drafts SET draft = ? WHERE id = ? AND staff_id = ?"
                " AND used_at IS NULL",
                (json.dumps(draft, ensure_ascii=False), draft_id, staff_id),
            )
            if cursor.rowcount != 1:
                raise DraftGone(draft_id)

        await self._db.write(work)

    # --- import ----------------------------------------------------------------------------

    async def imported(self, import_key: str) -> bool:
        def work(conn: Conn) -> bool:
            row = conn.execute("SELECT 1 FROM bookings WHERE import_key = ?", (import_key,))
            return row.fetchone() is not None

        return await self._db.read(work)

    async def match_guest(self, *, phone: str | None, name: str, honorific: str) -> int | None:
        """An existing guest for an imported row: the phone first, then a name only one has.

        A name match is refused when the row's phone differs from the guest's: that is
        another person of the same name, and a wrong match would show the wrong allergies.
        """

        def work(conn: Conn) -> int | None:
            if phone and (found := guest_with_phone(conn, phone)) is not None:
                return found
            rows = guests_named(conn, name, honorific)
            if len(rows) != 1 or (phone and rows[0]["phone"]):
                return None
            return int(rows[0]["id"])

        return await self._db.read(work)


def book(
    conn: Conn, new: NewBooking, staff_id: int | None, now: datetime
) -> BookingMade:
    """Store a booking inside the caller's transaction; the same one twice is stored once."""
    if conn.execute("SELECT 1 FROM guests WHERE id = ?", (new.guest_id,)).fetchone() is None:
        raise GuestNotFound(new.guest_id)
    first_visit = conn.execute("SELECT 1 FROM visits WHERE guest_id = ? LIMIT 1",
                               (new.guest_id,)).fetchone() is None
    same = conn.execute(
        f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE guest_id = ? AND branch = ? AND at = ?"
        " AND status = ? ORDER BY id LIMIT 1",
        (new.guest_id, new.branch, stamp(new.at), BookingStatus.BOOKED),
    ).fetchone()
    if same is not None:
        return BookingMade(booking=_booking(same), already=True, first_visit=first_visit)
    first_booking = first_visit and conn.execute(
        "SELECT 1 FROM bookings WHERE guest_id = ? AND status = ? LIMIT 1",
        (new.guest_id, BookingStatus.BOOKED)).fetchone() is None
    cursor = conn.execute(
        "INSERT INTO bookings (guest_id, branch, at, party, children, table_no, room_no, note,"
        " source, import_key, staff_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (new.guest_id, new.branch, stamp(new.at), new.party, int(new.children), new.table_no,
         new.room_no, new.note, new.source, new.import_key, staff_id, stamp(now), stamp(now)),
    )
    booking = _load(conn, inserted_id(cursor))
    return BookingMade(booking=booking, already=False, first_visit=first_visit,
                       first_booking=first_booking)


def bookings_between(
    conn: Conn, branch: str, start: datetime, end: datetime
) -> list[Booking]:
    """A branch's open bookings in [start, end), in arrival order."""
    rows = conn.execute(
        f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE branch = ? AND status = ?"
        " AND at >= ? AND at < ? ORDER BY at, id",
        (branch, BookingStatus.BOOKED, stamp(start), stamp(end)),
    )
    return [_booking(row) for row in rows]


def bookings_of_guests(
    conn: Conn, guest_ids: list[int], start: datetime, end: datetime
) -> list[Booking]:
    """Open bookings of these guests in [start, end), at any branch, soonest first."""
    if not guest_ids:
        return []
    marks = question_marks(guest_ids)
    rows = conn.execute(
        f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE guest_id IN ({marks}) AND status = ?"
        " AND at >= ? AND at < ? ORDER BY at, id",
        (*guest_ids, BookingStatus.BOOKED, stamp(start), stamp(end)),
    )
    return [_booking(row) for row in rows]


def arrived_since(
    conn: Conn, branch: str, guest_ids: list[int], since: datetime
) -> set[int]:
    """Which of these guests have a visit at `branch` from `since` on (a booking honoured)."""
    if not guest_ids:
        return set()
    marks = question_marks(guest_ids)
    rows = conn.execute(
        f"SELECT DISTINCT guest_id FROM visits WHERE branch = ? AND arrived_at >= ?"
        f" AND guest_id IN ({marks})", (branch, stamp(since), *guest_ids),
    )
    return {int(row["guest_id"]) for row in rows}


def _load(conn: Conn, booking_id: int) -> Booking:
    row = conn.execute(f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = ?",
                       (booking_id,)).fetchone()
    if row is None:
        raise BookingNotFound(booking_id)
    return _booking(row)


def _booking(row: Row) -> Booking:
    values = dict(row)
    values["children"] = bool(values["children"])
    return Booking.model_validate(values)
