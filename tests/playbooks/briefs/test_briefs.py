from datetime import UTC, date, datetime, time, timedelta

from playbooks.briefs.brief import (
    BriefEntry,
    Briefs,
    BriefView,
    gather,
    plan_briefs,
    regular_elsewhere,
    summarise,
    useful_preferences,
)
from playbooks.briefs.shifts import BranchDay, ShiftSpec
from playbooks.outbox import Outbox
from profiles.bookings import Booking, BookingStore, NewBooking
from profiles.guests import GuestStore
from profiles.models import Category, Role, Staff
from profiles.traits import TraitStore
from profiles.visits import VisitStore, VisitSummary
from store.database import Database
from tests.conftest import join
from tests.factories import draft, make_guest, make_trait

LUNCH = ShiftSpec(name="lunch", start=time(10, 30), end=time(15, 0))
DINNER = ShiftSpec(name="dinner", start=time(16, 30), end=time(22, 30))
LA = BranchDay(branch="la", timezone="America/Los_Angeles", shifts=(LUNCH, DINNER))
DAY = date(2026, 11, 23)  # a Monday


def local(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LA.zone)


def summary(total: int = 0, **by_branch: int) -> VisitSummary:
    return VisitSummary(guest_id=1, total=total or sum(by_branch.values()), by_branch=by_branch,
                        last_at=None, last_branch=None)


# --- pure ---------------------------------------------------------------------------------


def test_the_most_confirmed_preferences_come_first_and_only_three() -> None:
    traits = [make_trait(id=1, category=Category.SEATING, text="靠窗"),
              make_trait(id=2, category=Category.DRINK, text="冰酸梅汤", confirmed_count=3),
              make_trait(id=3, category=Category.FOOD, text="牛排七分熟"),
              make_trait(id=4, category=Category.SERVICE, text="话少"),
              make_trait(id=5, category=Category.LOOKS, text="戴眼镜")]
    assert [t.text for t in useful_preferences(traits, BriefView.LEAD)] == [
        "冰酸梅汤", "靠窗", "牛排七分熟"]


def test_a_regular_of_another_branch_is_recognised() -> None:
    assert regular_elsewhere(summary(la=1, sh=14), "la") == ("sh", 14)
    assert regular_elsewhere(summary(la=1, sh=2), "la") is None  # two visits: not yet a regular
    assert regular_elsewhere(summary(la=9, sh=5), "la") is None  # more at home than elsewhere


def test_the_summary_counts_bookings_covers_allergies_first_timers_and_vips() -> None:
    allergy = make_trait(category=Category.ALLERGY, text="花生过敏")
    entries = [
        BriefEntry(guest=make_guest(tier="gold"), visits=summary(la=3), allergies=[allergy]),
        BriefEntry(guest=make_guest(id=2), visits=summary()),
    ]
    booked = [entry.model_copy(update={"booking": _booking(party)})
              for entry, party in zip(entries, (4, None), strict=True)]
    counted = summarise(booked)
    assert (counted.bookings, counted.covers, counted.allergies, counted.first_timers,
            counted.vips) == (2, 5, 1, 1, 1)


def _booking(party: int | None) -> Booking:
    return Booking(id=1, guest_id=1, branch="la", at=local(19), party=party, created_at=local(9))


# --- gathered from the stores -----------------------------------------------------------


async def book(db: Database, guest_id: int, at: datetime, staff: Staff, **extra: object) -> None:
    await BookingStore(db).book(NewBooking(guest_id=guest_id, branch="la", at=at, **extra),
                                staff_id=staff.id, now=local(9, day=DAY - timedelta(days=1)))


async def test_the_brief_lists_each_guest_in_arrival_order_with_what_to_know(db: Database) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    guests, traits, visits = GuestStore(db), TraitStore(db), VisitStore(db)
    wang = await guests.create("王先生", None, branch="sh", staff_id=None, region="CN",
                               now=local(9))
    smith = await guests.create("Smith", None, branch="la", staff_id=None, region="US",
                                now=local(9))
    await traits.log(wang.id, [draft(Category.ALLERGY, "花生过敏", severity="severe"),
                               draft(Category.DIET, "不吃蒜"), draft(Category.SEATING, "靠窗"),
                               draft(Category.OCCASION, "生日 11-25", kind="birthday", month=11,
                                     day=25)], staff_id=lead.id, branch="sh", now=local(9))
    for days in range(4):
        await visits.arrive(wang.id, branch="sh", staff_id=lead.id,
                            now=local(19, day=DAY - timedelta(days=30 + days)))
    await book(db, wang.id, local(19), lead, party=4, note="生日蛋糕")
    await book(db, smith.id, local(12), lead, party=2)
    await visits.arrive(smith.id, branch="la", staff_id=lead.id, now=local(12, 5))

    brief = await Briefs(db).brief(LA, DAY, viewer=lead)

    assert [entry.guest.name for entry in brief.entries] == ["Smith", "王"]
    smith_entry, wang_entry = brief.entries
    assert (smith_entry.arrived, smith_entry.first_visit) == (True, False)
    assert [t.text for t in wang_entry.allergies] == ["花生过敏"]
    assert [t.text for t in wang_entry.diet] == ["不吃蒜"]
    assert [t.text for t in wang_entry.preferences] == ["靠窗"]
    assert wang_entry.regular_at == ("sh", 4)
    assert [(due.on, due.kind) for due in wang_entry.occasions] == [(date(2026, 11, 25), "birthday")]
    s = brief.summary
    assert (s.bookings, s.covers, s.allergies, s.first_timers, s.occasions) == (2, 6, 1, 0, 1)


async def test_a_shift_brief_holds_only_that_shift_and_a_cancelled_booking_is_gone(
    db: Database
) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    guests = GuestStore(db)
    lunch = await guests.create("Lunch", None, branch="la", staff_id=None, region="US",
                                now=local(9))
    dinner = await guests.create("Dinner", None, branch="la", staff_id=None, region="US",
                                 now=local(9))
    gone = await guests.create("Gone", None, branch="la", staff_id=None, region="US",
                               now=local(9))
    for guest, hour in ((lunch, 12), (dinner, 19), (gone, 20)):
        await book(db, guest.id, local(hour), lead)
    [cancelled] = [b for b in await BookingStore(db).in_branch("la", local(0), local(23))
                   if b.guest_id == gone.id]
    await BookingStore(db).cancel(cancelled.id, now=local(9))
    briefs = Briefs(db)
    assert [e.guest.name for e in (await briefs.brief(LA, DAY, viewer=lead, shift="lunch")).entries
            ] == ["Lunch"]
    assert [e.guest.name for e in (await briefs.brief(LA, DAY, viewer=lead, shift="dinner")
                                   ).entries] == ["Dinner"]


async def test_housekeeping_reads_rooms_and_room_preferences_not_phones_or_notes(
    db: Database
) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    maid = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2)
    guest = await GuestStore(db).create("王先生", "+1 213 555 0142", branch="la", staff_id=None,
                                        region="US", now=local(9))
    await TraitStore(db).log(guest.id, [draft(Category.ROOM, "高楼层"), draft(Category.ALLERGY,
                             "羽毛过敏"), draft(Category.NOTE, "和老板是朋友")],
                             staff_id=lead.id, branch="la", now=local(9))
    await VisitStore(db).arrive(guest.id, branch="la", staff_id=lead.id, now=local(14),
                                room="1203")

    brief = await db.read(lambda conn: gather(conn, LA, DAY, shift=None, viewer=maid))

    [staying] = brief.in_house
    assert (brief.view, staying.room_no, staying.guest.phone) == (
        BriefView.HOUSEKEEPING, "1203", None)
    assert [t.text for t in staying.allergies + staying.preferences] == ["羽毛过敏", "高楼层"]


# --- planned at each shift's start ----------------------------------------------------------


async def test_each_lead_is_briefed_once_per_shift_and_only_while_it_runs(db: Database) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    await join(db, Role.WAITER, "la", telegram_id=2)
    await join(db, Role.LEAD, "sh", telegram_id=3)

    planned = [await plan_briefs_now(db, local(hour, minute))
               for hour, minute in ((10, 29), (10, 30), (11, 0), (15, 0), (16, 30))]
    # nothing before lunch; lunch once; nothing between shifts; dinner once
    assert planned == [0, 1, 0, 0, 1]
    outbox = Outbox(db)
    for shift in ("lunch", "dinner"):
        assert await outbox.state(f"brief:la:{shift}:2026-11-23:{lead.id}") is not None


async def test_a_brief_not_sent_before_its_shift_ends_is_dropped(db: Database) -> None:
    await join(db, Role.LEAD, "la", telegram_id=1)
    await plan_briefs_now(db, local(10, 30))
    assert await Outbox(db).claim(local(15, 0).astimezone(UTC)) == []


async def plan_briefs_now(db: Database, at: datetime) -> int:
    return await db.write(lambda conn: plan_briefs(conn, LA, at.astimezone(UTC)))
