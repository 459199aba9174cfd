"""`/book` as one transaction: the booking, and the events that start its playbooks."""

from __future__ import annotations

from datetime import datetime

from playbooks.events import Event, EventKind, EventLog
from profiles.bookings import BookingMade, DraftGone, NewBooking, book
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
            if draft_id is not None and conn.execute(
                "UPDATE booking_drafts SET used_at = ? WHERE id = ? AND staff_id = ?"
                " AND used_at IS NULL", (stamp(now), draft_id, staff_id),
            ).rowcount != 1:
                raise DraftGone(draft_id)
            made = book(conn, new, staff_id, now)
            if not made.already:
                self._events.publish(conn, booking_events(made, staff_id=staff_id, at=now), now)
            return made

        return await self._db.write(work)


def booking_events(made: BookingMade, *, staff_id: int | None, at: datetime) -> list[Event]:
    """booking.created, and booking.first_visit for a guest never seen anywhere."""
    booking = made.booking
    details: dict[str, str | int | bool | None] = {
        "booking_id": booking.id, "party": booking.party, "children": booking.children,
        "expected_at": booking.at.isoformat()}
    kinds = [EventKind.BOOKING_CREATED] + ([EventKind.BOOKING_FIRST_VISIT]
                                           if made.first_visit else [])
    return [Event(kind=kind, guest_id=booking.guest_id, branch=booking.branch, at=at,
                  staff_id=staff_id, details=details) for kind in kinds]
