"""The service audit's figures, on a week whose answers are known."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from playbooks.outbox import Outbox
from playbooks.service_report.audit import (
    REPORT_SPACING,
    Figures,
    ServiceAudit,
    StaffCount,
    last_complete,
    parse_week,
    period_so_far,
    weekly_report_due,
)
from profiles.guests import GuestStore
from profiles.models import Category, Role, Staff
from profiles.traits import TraitStore
from profiles.visits import VisitStore
from store.database import Database
from tests.conftest import join
from tests.factories import draft, feedback_store
from tests.playbooks.briefs.test_occasion_reminders import CountingDatabase

LA = ZoneInfo("America/Los_Angeles")


def la(day: int, hour: int = 19) -> datetime:
    """A time in November 2026, Los Angeles: week 47 runs from Monday the 16th to the 22nd."""
    return datetime(2026, 11, day, hour, tzinfo=LA)


async def visit(db: Database, guest_id: int, staff: Staff, at: datetime,
                score: int | None = None) -> None:
    await VisitStore(db).arrive(guest_id, branch="la", staff_id=staff.id, now=at)
    if score is not None:
        await feedback_store(db).record(guest_id, score, "", staff_id=staff.id, branch="la",
                                       now=at + timedelta(hours=1))


@pytest.fixture
async def week_47(db: Database) -> Database:
    """Week 46: Ann's first visit (5). Week 47: Ann twice (5, 4), Bo (2) and Cy (1) new; a
    visit in Shanghai; Ana logs two traits and Ben one, and one retracted does not count."""
    ana = await join(db, Role.WAITER, "la", telegram_id=1)
    ben = await join(db, Role.WAITER, "la", telegram_id=2)
    guests = GuestStore(db)
    ann, bo, cy = [await guests.create(name, None, branch="la", staff_id=ana.id, region="US",
                                       now=la(1)) for name in ("Ann", "Bo", "Cy")]
    await visit(db, ann.id, ana, la(10), 5)
    await visit(db, ann.id, ana, la(16), 5)
    await visit(db, ann.id, ana, la(18), 4)
    await visit(db, bo.id, ana, la(19), 2)
    await visit(db, cy.id, ana, la(20), 1)
    await VisitStore(db).arrive(bo.id, branch="sh", staff_id=None, now=la(21))
    traits = TraitStore(db)
    await traits.log(ann.id, [draft(Category.SEATING, "window"), draft(Category.DRINK, "tea")],
                     staff_id=ana.id, branch="la", now=la(17))
    logged = await traits.log(bo.id, [draft(Category.FOOD, "duck"), draft(Category.FOOD, "rice")],
                              staff_id=ben.id, branch="la", now=la(17))
    await traits.retract(logged.added[1].id, staff_id=ben.id, now=la(17))
    return db


async def test_a_weeks_figures_and_the_week_before(week_47: Database) -> None:
    report = await ServiceAudit(week_47).report("la", parse_week("2026-W47", LA), la(23))
    assert report.current.model_copy(update={"traits_by_staff": []}) == Figures(
        visits=4, guests=3, new_guests=2, returning_guests=1, ratings=4, satisfaction=3.0,
        satisfied=50.0, complaints=2, complaints_per_100=50.0)
    assert report.current.traits_by_staff == [StaffCount(name="staff 1", count=2),
                                              StaffCount(name="staff 2", count=1)]
    assert report.previous == Figures(visits=1, guests=1, new_guests=1, ratings=1,
                                      satisfaction=5.0, satisfied=100.0, complaints_per_100=0.0)


async def test_a_week_without_visits_has_no_rates(db: Database) -> None:
    report = await ServiceAudit(db).report("la", parse_week("2026-W47", LA), la(23))
    assert (report.current.visits, report.current.satisfaction,
            report.current.complaints_per_100) == (0, None, None)


async def test_the_trend_gives_each_week_its_satisfaction_and_complaints(
    week_47: Database,
) -> None:
    trend = await ServiceAudit(week_47).trend({"la": LA, "sh": ZoneInfo("Asia/Shanghai")},
                                              la(20).date(), weeks=3)
    assert [(p.label, p.satisfaction, p.complaints_per_100) for p in trend["la"]] == [
        ("W45", None, None), ("W46", 5.0, 0.0), ("W47", 3.0, 50.0)]
    assert [p.complaints_per_100 for p in trend["sh"]] == [None, None, 0.0]


async def test_extra_sources_add_their_figures(db: Database) -> None:
    async def playbooks(branch: str, start: datetime, end: datetime,
                        now: datetime) -> dict[str, float | None]:
        return {"playbook_completion": 80.0 if start.day == 16 else 60.0}

    report = await ServiceAudit(db, [playbooks]).report("la", parse_week("2026-W47", LA), la(23))
    assert (report.current.extras, report.previous.extras) == (
        {"playbook_completion": 80.0}, {"playbook_completion": 60.0})


def test_a_week_so_far_is_compared_with_the_same_stretch_of_the_week_before() -> None:
    wednesday_noon = la(18, 12)
    period = period_so_far("week", wednesday_noon, LA)
    before = period.previous()
    assert (period.label, period.start, period.end) == ("2026-W47", la(16, 0), wednesday_noon)
    assert (before.label, before.start, before.end) == ("2026-W46", la(9, 0), la(11, 12))


def test_a_month_so_far_is_compared_with_as_many_days_of_the_month_before() -> None:
    period = period_so_far("month", datetime(2026, 3, 31, 12, tzinfo=LA), LA)
    before = period.previous()
    assert (before.label, before.end) == ("2026-02", datetime(2026, 3, 1, tzinfo=LA))


def test_last_complete_week_and_month() -> None:
    assert last_complete("week", la(18), LA).label == "2026-W46"
    assert last_complete("month", la(18), LA).label == "2026-10"


def test_mondays_report_is_due_from_the_hour_in_the_managers_zone() -> None:
    before = weekly_report_due(7, 70, "la", LA, la(23, 7), hour=8)
    due = weekly_report_due(7, 70, "la", LA, la(23, 8), hour=8)
    tuesday = weekly_report_due(7, 70, "la", LA, la(24, 15), hour=8)
    assert before is None
    assert due is not None and due.key == "report:la:2026-W47:7" and due.payload == {
        "branch": "la", "week": "2026-W47"}
    assert tuesday is not None and tuesday.key == due.key


async def test_mondays_reports_go_out_one_manager_after_another(db: Database) -> None:
    for number in range(3):
        await join(db, Role.MANAGER, "la", telegram_id=80 + number)
    monday = la(23, 8)
    assert await ServiceAudit(db).plan_weekly(monday, {"la": LA}, hour=8) == 3
    outbox = Outbox(db)
    assert [d.chat_id for d in await outbox.claim(monday)] == [80]
    assert [d.chat_id for d in await outbox.claim(monday + REPORT_SPACING)] == [81]
    assert [d.chat_id for d in await outbox.claim(monday + 2 * REPORT_SPACING)] == [82]


async def test_reports_caught_up_later_are_spaced_from_then(db: Database) -> None:
    for number in range(2):
        await join(db, Role.MANAGER, "la", telegram_id=80 + number)
    tuesday = la(24, 15)
    assert await ServiceAudit(db).plan_weekly(tuesday, {"la": LA}, hour=8) == 2
    outbox = Outbox(db)
    assert [d.chat_id for d in await outbox.claim(tuesday)] == [80]
    assert await outbox.claim(tuesday + REPORT_SPACING / 2) == []
    assert [d.chat_id for d in await outbox.claim(tuesday + REPORT_SPACING)] == [81]


async def test_a_tick_with_every_report_queued_writes_nothing(db: Database) -> None:
    await join(db, Role.MANAGER, "la", telegram_id=80)
    counting = CountingDatabase(db)
    audit = ServiceAudit(counting)
    assert await audit.plan_weekly(la(23, 8), {"la": LA}, hour=8) == 1
    assert await audit.plan_weekly(la(23, 9), {"la": LA}, hour=8) == 0
    assert counting.writes == 1
