from collections.abc import Collection
from datetime import UTC, date, datetime, time
from typing import TypeVar

import pytest

from playbooks.briefs import occasions
from playbooks.briefs.brief import REMINDERS_PER_WRITE, Briefs
from playbooks.briefs.occasions import KIND, plan_reminders, planned, reminders
from playbooks.briefs.shifts import BranchDay, ShiftSpec
from playbooks.events import Event, EventKind, EventLog
from profiles.guests import GuestStore
from profiles.models import Category, Role
from profiles.traits import TraitStore
from profiles.visits import VisitStore
from store.database import Database, Work
from store.sql import Conn
from tests.conftest import join
from tests.factories import draft

T = TypeVar("T")
LUNCH = ShiftSpec(name="lunch", start=time(10, 30), end=time(15, 0))
LA = BranchDay(branch="la", timezone="America/Los_Angeles", shifts=(LUNCH,))
SH = BranchDay(branch="sh", timezone="Asia/Shanghai", shifts=(LUNCH,))
DAY = date(2026, 5, 9)


def at(branch: BranchDay, hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=branch.zone).astimezone(UTC)


async def guest_with(db: Database, name: str, month: int, day: int, *, kind: str = "birthday",
                     staff_id: int, home: str = "la") -> int:
    guest = await GuestStore(db).create(name, None, branch=home, staff_id=None, region="US",
                                        now=at(LA, 9, day=date(2026, 1, 1)))
    await TraitStore(db).log(guest.id, [draft(Category.OCCASION, f"{kind} {month}-{day}",
                                              kind=kind, month=month, day=day)],
                             staff_id=staff_id, branch=home, now=at(LA, 9, day=date(2026, 1, 1)))
    return guest.id


async def plan(db: Database, branch: BranchDay, now: datetime) -> int:
    return await db.write(lambda conn: plan_reminders(conn, branch, now))


async def test_leads_and_the_last_server_get_one_message_a_day_listing_every_occasion(
    db: Database
) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    waiter = await join(db, Role.WAITER, "la", telegram_id=2)
    await join(db, Role.LEAD, "sh", telegram_id=3)
    soon = await guest_with(db, "Soon", 5, 12, staff_id=lead.id)  # three days ahead
    today = await guest_with(db, "Today", 5, 9, kind="anniversary", staff_id=lead.id)
    await guest_with(db, "Later", 5, 11, staff_id=lead.id)  # two days ahead: not reminded
    await VisitStore(db).arrive(soon, branch="la", staff_id=waiter.id, now=at(LA, 19, day=date(2026, 4, 1)))

    assert await plan(db, LA, at(LA, 10, 29)) == 0  # before the first shift
    assert await plan(db, LA, at(LA, 10, 30)) == 2  # the lead and the waiter
    assert await plan(db, LA, at(LA, 14, 0)) == 0  # once a day

    found = await db.read(lambda conn: reminders(conn, LA, DAY))
    listed = {staff: [(entry.guest.name, [d.days_ahead for d in entry.occasions])
                      for entry in entries] for staff, entries in found.by_staff.items()}
    assert listed == {lead.id: [("Soon", [3]), ("Today", [0])], waiter.id: [("Soon", [3])]}
    assert today in {entry.guest.id for entry in found.by_staff[lead.id]}


async def test_a_guest_last_seen_in_another_branch_is_that_branchs_to_remember(db: Database) -> None:
    la_lead = await join(db, Role.LEAD, "la", telegram_id=1)
    sh_lead = await join(db, Role.LEAD, "sh", telegram_id=2)
    traveller = await guest_with(db, "Traveller", 5, 9, staff_id=la_lead.id)
    await VisitStore(db).arrive(traveller, branch="sh", staff_id=None,
                                now=at(SH, 19, day=date(2026, 4, 1)))
    assert await plan(db, LA, at(LA, 10, 30)) == 0
    assert await plan(db, SH, at(SH, 10, 30)) == 1
    found = await db.read(lambda conn: reminders(conn, SH, DAY))
    assert list(found.by_staff) == [sh_lead.id]


async def test_29_february_is_remembered_on_the_28th_of_a_common_year(db: Database) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    await guest_with(db, "Leap", 2, 29, staff_id=lead.id)
    day = date(2027, 2, 28)
    assert await plan(db, LA, at(LA, 10, 30, day=day)) == 1
    found = await db.read(lambda conn: reminders(conn, LA, day))
    [[entry]] = found.by_staff.values()
    assert [(d.on, d.days_ahead) for d in entry.occasions] == [(day, 0)]


async def test_the_reminder_day_is_the_branchs_own(db: Database) -> None:
    lead = await join(db, Role.LEAD, "sh", telegram_id=1)
    await guest_with(db, "Shanghai", 5, 10, staff_id=lead.id, home="sh")
    # 10:30 on 10 May in Shanghai is still 9 May in Los Angeles
    moment = at(SH, 10, 30, day=date(2026, 5, 10))
    assert await plan(db, SH, moment) == 1
    found = await db.read(lambda conn: reminders(conn, SH, date(2026, 5, 10)))
    assert [d.days_ahead for entries in found.by_staff.values() for e in entries
            for d in e.occasions] == [0]


async def test_each_occasion_event_is_raised_once_and_handed_on_until_published(
    db: Database
) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    soon = await guest_with(db, "Soon", 5, 12, staff_id=lead.id)
    today = await guest_with(db, "Today", 5, 9, staff_id=lead.id)
    await plan(db, LA, at(LA, 10, 30))
    await plan(db, LA, at(LA, 11, 0))
    events = Briefs(db).events
    pending = await events.unpublished(at(LA, 11, 0))
    assert sorted((e.kind, e.guest_id) for e in pending) == [
        (EventKind.OCCASION_TODAY, today), (EventKind.OCCASION_UPCOMING, soon)]
    assert len({e.subject for e in pending}) == 2
    log, failing = EventLog(db), [pending[1].guest_id]

    def reaction(conn: Conn, event: Event, now: object) -> None:
        if event.guest_id in failing:
            raise RuntimeError("a reaction that fails is tried again")

    log.react_with(reaction)
    assert await events.publish(log, at(LA, 11, 0)) == 1
    assert [e.guest_id for e in await events.unpublished(at(LA, 11, 1))] == [pending[1].guest_id]
    failing.clear()
    assert await events.publish(log, at(LA, 11, 1)) == 1
    assert await events.unpublished(at(LA, 11, 2)) == []


async def test_a_branchs_events_are_all_raised_however_many_a_statement_takes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(occasions, "EVENTS_PER_STATEMENT", 2)
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    ids = [await guest_with(db, name, 5, day, staff_id=lead.id)
           for name, day in (("One", 9), ("Two", 9), ("Three", 12))]
    await plan(db, LA, at(LA, 10, 30))
    pending = await Briefs(db).events.unpublished(at(LA, 11, 0))
    assert sorted(e.guest_id for e in pending) == sorted(ids)


async def test_events_are_published_a_few_a_write_until_the_ticks_time_is_spent(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(occasions, "EVENTS_PER_WRITE", 2)
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    for name in ("One", "Two", "Three", "Four", "Five"):
        await guest_with(db, name, 5, 9, staff_id=lead.id)
    await plan(db, LA, at(LA, 10, 30))
    counting = CountingDatabase(db)
    events = Briefs(counting).events
    ticks = iter(range(100))

    def timer() -> float:  # a tenth of a second between two looks at it
        return next(ticks) / 10

    # begun at 0.0 and 0.1; at 0.2 the 0.15 s are spent
    assert await events.publish(EventLog(db), at(LA, 11, 0), seconds=0.15, timer=timer) == 4
    assert counting.writes == 2
    assert await events.publish(EventLog(db), at(LA, 11, 1)) == 1
    assert await events.unpublished(at(LA, 11, 2)) == []


async def test_a_branchs_day_is_planned_once_even_when_who_would_hear_changes(
    db: Database
) -> None:
    await join(db, Role.LEAD, "la", telegram_id=1)
    await guest_with(db, "Today", 5, 9, staff_id=1)
    await guest_with(db, "Tomorrow", 5, 10, staff_id=1)
    assert await plan(db, LA, at(LA, 10, 30)) == 1
    await join(db, Role.LEAD, "la", telegram_id=2)  # the day's reminders went out already
    assert await plan(db, LA, at(LA, 11, 0)) == 0
    assert await plan(db, LA, at(LA, 10, 30, day=date(2026, 5, 10))) == 2  # a new day


class CountingDatabase(Database):
    """The test's database, counting the write transactions made through it."""

    def __init__(self, inner: Database) -> None:
        self.dialect = inner.dialect
        self.inner, self.writes = inner, 0

    async def close(self) -> None:
        await self.inner.close()

    async def read(self, work: Work[T]) -> T:
        return await self.inner.read(work)

    async def _write(self, work: Work[T]) -> T:
        self.writes += 1
        return await self.inner.write(work)

    async def checkpoint(self, tables: Collection[str] = ()) -> bool:
        return await self.inner.checkpoint(tables)


def branch(number: int) -> BranchDay:
    return BranchDay(branch=f"b{number}", timezone="America/Los_Angeles", shifts=(LUNCH,))


async def test_a_sweep_plans_the_chain_in_short_writes_then_writes_nothing(
    db: Database
) -> None:
    count = REMINDERS_PER_WRITE + 2
    for number in range(count):
        await join(db, Role.LEAD, f"b{number}", telegram_id=number + 1)
    await guest_with(db, "Today", 5, 9, staff_id=1, home="b0")
    counting = CountingDatabase(db)
    briefs = Briefs(counting)
    branches = [branch(number) for number in range(count)]
    assert await briefs.plan(branches, at(LA, 10, 29)) == 0
    assert counting.writes == 0  # nothing due yet
    # each branch's lunch brief, and b0's occasions (the others have none to tell)
    assert await briefs.plan(branches, at(LA, 10, 30)) == count + 1
    # a write for each branch's brief; the reminder marks REMINDERS_PER_WRITE a write,
    # never the whole chain in one
    assert counting.writes == count + 2
    assert await briefs.plan(branches, at(LA, 11, 0)) == 0
    assert counting.writes == count + 2  # every branch planned its day: nothing to write
    assert {(row[0], row[1]) for row in await db.read(lambda conn: conn.execute(
        "SELECT planner, COUNT(*) FROM planned_days GROUP BY planner").fetchall())} == {
            (KIND, count), ("brief:lunch", count)}


async def test_a_shifts_brief_is_planned_once_and_marked(db: Database) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=1)
    briefs = Briefs(db)
    assert await briefs.plan([LA], at(LA, 10, 30)) == 1
    assert await db.read(lambda conn: planned(conn, "brief:lunch", [("la", DAY)])) == {
        ("la", DAY)}
    assert await db.read(lambda conn: planned(conn, KIND, [("la", DAY), ("sh", DAY)])) == {
        ("la", DAY)}
    assert lead.id in {int(key.rsplit(":", 1)[1])
                       for key in await db.read(lambda conn: [
                           row[0] for row in conn.execute("SELECT dedupe_key FROM outbox")])}
