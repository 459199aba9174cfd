from datetime import timedelta

import pytest

from playbooks.bookings.book import Bookings
from playbooks.events import EventLog
from profiles.bookings import (
    BookingClosed,
    BookingNotDue,
    BookingStatus,
    BookingStore,
    DraftGone,
    NewBooking,
)
from profiles.errors import GuestNotFound
from profiles.guests import GuestStore
from profiles.models import Staff
from profiles.visits import VisitStore
from store.database import Database
from tests.factories import NOW

TONIGHT = NOW + timedelta(hours=7)


async def guest(db: Database, name: str = "王先生", phone: str | None = None) -> int:
    made = await GuestStore(db).create(name, phone, branch="la", staff_id=None, region="US",
                                       now=NOW)
    return made.id


async def test_a_booking_is_stored_and_a_guest_never_seen_is_a_first_visit(
    db: Database, waiter: Staff
) -> None:
    store = BookingStore(db)
    made = await store.book(NewBooking(guest_id=await guest(db), branch="la", at=TONIGHT, party=4),
                            staff_id=waiter.id, now=NOW)
    assert (made.already, made.first_visit, made.booking.party) == (False, True, 4)
    assert await store.in_branch("la", NOW, NOW + timedelta(days=1)) == [made.booking]


async def test_a_guest_with_a_visit_is_not_a_first_visit(db: Database, waiter: Staff) -> None:
    guest_id = await guest(db)
    await VisitStore(db).arrive(guest_id, branch="sh", staff_id=waiter.id, now=NOW)
    made = await BookingStore(db).book(NewBooking(guest_id=guest_id, branch="la", at=TONIGHT),
                                       staff_id=waiter.id, now=NOW)
    assert made.first_visit is False


async def test_the_same_booking_twice_is_stored_once(db: Database, waiter: Staff) -> None:
    store, guest_id = BookingStore(db), await guest(db)
    first = await store.book(NewBooking(guest_id=guest_id, branch="la", at=TONIGHT),
                             staff_id=waiter.id, now=NOW)
    again = await store.book(NewBooking(guest_id=guest_id, branch="la", at=TONIGHT),
                             staff_id=waiter.id, now=NOW)
    assert (again.already, again.booking.id) == (True, first.booking.id)


async def test_a_booking_for_an_unknown_guest_is_refused(db: Database, waiter: Staff) -> None:
    with pytest.raises(GuestNotFound):
        await BookingStore(db).book(NewBooking(guest_id=99, branch="la", at=TONIGHT),
                                    staff_id=waiter.id, now=NOW)


async def test_a_cancelled_booking_leaves_the_list_and_cannot_be_cancelled_again(
    db: Database, waiter: Staff
) -> None:
    store = BookingStore(db)
    made = await store.book(NewBooking(guest_id=await guest(db), branch="la", at=TONIGHT),
                            staff_id=waiter.id, now=NOW)
    cancelled = await store.cancel(made.booking.id, now=NOW)
    assert cancelled.status is BookingStatus.CANCELLED
    assert await store.in_branch("la", NOW, NOW + timedelta(days=1)) == []
    with pytest.raises(BookingClosed):
        await store.cancel(made.booking.id, now=NOW)


async def test_a_no_show_is_marked_only_once_the_time_has_come(db: Database, waiter: Staff) -> None:
    store = BookingStore(db)
    made = await store.book(NewBooking(guest_id=await guest(db), branch="la", at=TONIGHT),
                            staff_id=waiter.id, now=NOW)
    with pytest.raises(BookingNotDue):
        await store.no_show(made.booking.id, now=NOW)
    missed = await store.no_show(made.booking.id, now=TONIGHT + timedelta(minutes=30))
    assert missed.status is BookingStatus.NO_SHOW


async def test_a_draft_is_booked_once_and_only_by_whoever_typed_it(
    db: Database, waiter: Staff
) -> None:
    store, guest_id = BookingStore(db), await guest(db)
    draft_id = await store.keep_draft(waiter.id, {"note": "x"}, now=NOW)
    with pytest.raises(DraftGone):
        await store.draft(draft_id, staff_id=waiter.id + 1)
    new = NewBooking(guest_id=guest_id, branch="la", at=TONIGHT)
    bookings = Bookings(db, EventLog(db))
    await bookings.book(new, staff_id=waiter.id, now=NOW, draft_id=draft_id)
    with pytest.raises(DraftGone):
        await bookings.book(new, staff_id=waiter.id, now=NOW, draft_id=draft_id)
    assert len(await store.in_branch("la", NOW, NOW + timedelta(days=1))) == 1


async def test_an_imported_row_is_matched_by_phone_first_then_by_a_unique_name(db: Database) -> None:
    store = BookingStore(db)
    wang = await guest(db, "王先生", "+1 213 555 0142")
    smith = await guest(db, "Smith")
    await guest(db, "Lee")
    await guest(db, "Lee")
    assert await store.match_guest(phone="+12135550142", name="Someone", honorific="") == wang
    assert await store.match_guest(phone=None, name="Smith", honorific="") == smith
    assert await store.match_guest(phone=None, name="Lee", honorific="") is None  # two of them
    # the same name with a phone the guest does not have is another person
    assert await store.match_guest(phone="+12135550199", name="王", honorific="先生") is None


async def test_an_old_draft_is_forgotten_when_a_new_one_is_kept(db: Database, waiter: Staff) -> None:
    store = BookingStore(db)
    old = await store.keep_draft(waiter.id, {"name": "李女士", "phone": "+12135550177"}, now=NOW)
    await store.keep_draft(waiter.id, {}, now=NOW + timedelta(days=3))
    with pytest.raises(DraftGone):
        await store.draft(old, staff_id=waiter.id)
