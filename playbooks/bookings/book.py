"""`/book` as one transaction: the booking, and the events that start its playbooks."""

from __future__ import annotations

import json
from datetime import datetime

from playbooks.bookings.parse import BookingDraft
from playbooks.events import Event, EventKind, EventLog
from profiles.bookings import BookingMade, DraftGone, NewBooking, book
from profiles.guests import NewGuest, insert_guest
from store.database import Database, stamp
from store.sql import Conn


class Bookings:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    async def book(
        self, new: NewBooking, *, staff_id: int, now: datetime, draft_id: int | None = None
    ) -> BookingMade:
        """Store the booking (once: the same one again is `already`); a draft is used up by
        it, so a second press raises DraftGone. Raises GuestNotFound."""

        def work(conn: Conn) -> BookingMade:
            if draft_id is not None:
                _use_draft(conn, draft_id, staff_id, now)
            return self._book(conn, new, staff_id, now)

        return await self._db.write(work)

    async def book_new_guest(
        self, draft: BookingDraft, at: datetime, guest: NewGuest, *, draft_id: int,
        staff_id: int, now: datetime,
    ) -> BookingMade:
        """"Create … and book": the draft used up, the guest it named created and booked, in
        one transaction. Raises DraftGone for a second press."""

        def work(conn: Conn) -> BookingMade:
            _use_draft(conn, draft_id, staff_id, now)
            created = insert_guest(conn, guest.name, guest.honorific, guest.phone,
                                   branch=draft.branch, staff_id=staff_id, now=now)
            new = draft.model_copy(update={"guest_id": created.id}).booking(at)
            return self._book(conn, new, staff_id, now)

        return await self._db.write(work)

    async def guest_for_draft(
        self, draft_id: int, guest: NewGuest, *, staff_id: int, now: datetime
    ) -> int:
        """"Create …" for a draft with a time still to choose: the guest created and kept on
        the draft in one transaction; the guest the draft holds already, if a first press
        created one. Raises DraftGone."""

        def work(conn: Conn) -> int:
            row = conn.execute(
                "SELECT draft FROM booking_drafts WHERE id = ? AND staff_id = ?"
                " AND used_at IS NULL", (draft_id, staff_id)).fetchone()
            if row is None:
                raise DraftGone(draft_id)
            draft = BookingDraft.model_validate(json.loads(row[0]))
            if draft.guest_id is not None:
                return draft.guest_id
            created = insert_guest(conn, guest.name, guest.honorific, guest.phone,
                                   branch=draft.branch, staff_id=staff_id, now=now)
            kept = draft.model_copy(update={"guest_id": created.id}).model_dump(mode="json")
            conn.execute("UPDATE booking_drafts SET draft = ? WHERE id = ?",
                         (json.dumps(kept, ensure_ascii=False), draft_id))
            return created.id

        return await self._db.write(work)

    def _book(self, conn: Conn, new: NewBooking, staff_id: int, now: datetime) -> BookingMade:
        made = book(conn, new, staff_id, now)
        if not made.already:
            self._events.publish(conn, booking_events(made, staff_id=staff_id, at=now), now)
        return made


def _use_draft(conn: Conn, draft_id: int, staff_id: int, now: datetime) -> None:
    if conn.execute(
        "UPDATE booking_drafts SET used_at = ? WHERE id = ? AND staff_id = ?"
        " AND used_at IS NULL", (stamp(now), draft_id, staff_id),
    ).rowcount != 1:
        raise DraftGone(draft_id)


def booking_events(made: BookingMade, *, staff_id: int | None, at: datetime) -> list[Event]:
    """booking.created, and booking.first_visit for a guest never seen anywhere who has no
    other booking to come (a second booking of the same newcomer starts nothing again)."""
    booking = made.booking
    details: dict[str, str | int | bool | None] = {
        "booking_id": booking.id, "party": booking.party, "children": booking.children,
        "expected_at": booking.at.isoformat()}
    kinds = [EventKind.BOOKING_CREATED] + ([EventKind.BOOKING_FIRST_VISIT]
                                           if made.first_booking else [])
    return [Event(kind=kind, guest_id=booking.guest_id, branch=booking.branch, at=at,
                  staff_id=staff_id, details=details) for kind in kinds]
