"""Statuses stored: recomputed with a visit or a verdict, refreshed daily, audited on change."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playbooks.events import EventLog
from playbooks.feedback import FeedbackStore
from playbooks.requests.routing import LaneWords, Routing
from playbooks.requests.store import RequestStore
from playbooks.status.rules import StatusKind, StatusRules
from playbooks.status.store import StatusBook
from profiles.audit import AuditAction, AuditLog
from profiles.guests import GuestStore
from profiles.merges import GuestMerges
from profiles.models import Guest, Role, Segment, Staff
from profiles.visits import VisitStore
from store.connect import open_database
from store.database import Database
from tests.conftest import join
from tests.factories import NOW

RULES = StatusRules(regular_visits=4, regular_months=3, lapsed_factor=3.0)


async def regular(db: Database, staff: Staff, *, last_days_ago: int = 0) -> Guest:
    """A guest who came every 12 days, four times, the last `last_days_ago` days before NOW."""
    guest = await GuestStore(db).create("Smith", None, branch="la", staff_id=staff.id,
                                        region="US", now=NOW - timedelta(days=100))
    visits = VisitStore(db)
    for n in range(4):
        await visits.arrive(guest.id, branch="la", staff_id=staff.id,
                            now=NOW - timedelta(days=last_days_ago + 12 * (3 - n)))
    return guest


async def status_changes(db: Database, guest_id: int) -> list[dict[str, object]]:
    entries = await AuditLog(db).for_guest(guest_id, actions=(AuditAction.STATUS,))
    return [dict(entry.details) for entry in reversed(entries)]


async def test_a_verdict_updates_the_status_in_its_own_commit(db: Database, waiter: Staff) -> None:
    guest = await regular(db, waiter)
    book = StatusBook(db, RULES)
    feedback = FeedbackStore(db, RequestStore(db, Routing({}, LaneWords())), EventLog(db), book)
    await feedback.record(guest.id, 2, "cold soup", staff_id=waiter.id, branch="la", now=NOW)
    status = await book.of(guest.id)
    assert status is not None and status.kind == StatusKind.AT_RISK
    await feedback.record(guest.id, 5, "", staff_id=waiter.id, branch="la",
                          now=NOW + timedelta(days=12))
    status = await book.of(guest.id)
    assert status is not None and status.kind == StatusKind.REGULAR
    assert await status_changes(db, guest.id) == [  # the first computation is no change
        {"from": "at_risk", "to": "regular", "tagged": False},
    ]


async def test_the_daily_pass_finds_a_regular_lapsed_and_tells_it_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "chain.db"
    db = await open_database(path)
    staff = await join(db, Role.WAITER, "la", telegram_id=1001)
    guest = await regular(db, staff, last_days_ago=20)
    assert await StatusBook(db, RULES).refresh_daily(NOW) == 1
    await db.close()

    later = NOW + timedelta(days=20)  # 40 days away from a 12-day habit
    for _ in range(2):  # the bot restarts; the pass runs again on the same day
        db = await open_database(path)
        book = StatusBook(db, RULES)
        await book.refresh_daily(later)
        await book.refresh_daily(later + timedelta(hours=1))
        await db.close()

    db = await open_database(path)
    status = await StatusBook(db, RULES).of(guest.id)
    changes = await status_changes(db, guest.id)
    await db.close()
    assert status is not None and (status.kind, status.rhythm.usual_days) == (
        StatusKind.LAPSED, 12.0)
    assert changes == [{"from": "regular", "to": "lapsed", "tagged": False}]


async def test_the_daily_pass_goes_a_batch_at_a_time(db: Database, waiter: Staff) -> None:
    guests = GuestStore(db)
    for n in range(5):
        await guests.create(f"Guest {n}", None, branch="la", staff_id=waiter.id, region="US",
                            now=NOW)
    book = StatusBook(db, RULES)
    assert [await book.refresh_daily(NOW, batch=2, batches=1) for _ in range(4)] == [2, 2, 1, 0]
    await GuestStore(db).create("Guest 5", None, branch="la", staff_id=waiter.id, region="US",
                                now=NOW)
    # the next day: only the guest never computed; time alone changes nobody else
    assert await book.refresh_daily(NOW + timedelta(days=1), batch=2, batches=2) == 1
    assert await book.refresh_daily(NOW + timedelta(days=2), batch=2, batches=2) == 0


async def test_a_tick_begins_no_batch_once_its_time_is_spent(
        db: Database, waiter: Staff) -> None:
    guests = GuestStore(db)
    for n in range(7):
        await guests.create(f"Guest {n}", None, branch="la", staff_id=waiter.id, region="US",
                            now=NOW)
    book = StatusBook(db, RULES)
    ticks = iter(range(100))

    def timer() -> float:  # a tenth of a second passes between two looks at it
        return next(ticks) / 10

    # begun at 0.0; batches begun at 0.1 and 0.2; at 0.3 the 0.25 s are spent
    assert await book.refresh_daily(NOW, batch=2, seconds=0.25, timer=timer) == 6
    assert await book.refresh_daily(NOW, batch=2, seconds=0.25, timer=timer) == 1


async def test_the_pass_takes_whom_time_changes_today_and_no_one_else(
    db: Database, waiter: Staff,
) -> None:
    guest = await regular(db, waiter)  # lapses 36 days after the last visit
    await GuestStore(db).create("Jones", None, branch="la", staff_id=waiter.id, region="US",
                                now=NOW)
    book = StatusBook(db, RULES)
    assert await book.refresh_daily(NOW) == 2
    assert [await book.refresh_daily(NOW + timedelta(days=days)) for days in (1, 20, 35)] == [
        0, 0, 0]
    assert await book.refresh_daily(NOW + timedelta(days=36, minutes=1)) == 1
    status = await book.of(guest.id)
    assert status is not None and status.kind == StatusKind.LAPSED
    assert await book.refresh_daily(NOW + timedelta(days=37)) == 0


async def test_a_write_the_writer_did_not_recompute_is_picked_up_by_the_next_tick(
    db: Database, waiter: Staff,
) -> None:
    """A visit typed through the plain store (an import, say) and a merge moving visits."""
    book = StatusBook(db, RULES)
    guest = await GuestStore(db).create("Smith", None, branch="la", staff_id=waiter.id,
                                        region="US", now=NOW - timedelta(days=30))
    other = await GuestStore(db).create("Smyth", None, branch="la", staff_id=waiter.id,
                                        region="US", now=NOW - timedelta(days=30))
    await VisitStore(db).arrive(other.id, branch="sh", staff_id=waiter.id,
                                now=NOW - timedelta(days=20))
    assert await book.refresh_daily(NOW) == 2
    assert await book.refresh_daily(NOW) == 0

    await VisitStore(db).arrive(guest.id, branch="la", staff_id=waiter.id, now=NOW)
    assert await book.refresh_daily(NOW + timedelta(minutes=1)) == 1
    status = await book.of(guest.id)
    assert status is not None and (status.rhythm.visits, status.rhythm.last_branch) == (1, "la")

    await GuestMerges(db).merge(guest.id, other.id, staff_id=waiter.id, now=NOW)
    assert await book.refresh_daily(NOW + timedelta(minutes=2)) >= 1
    status = await book.of(guest.id)
    assert status is not None and (status.kind, status.rhythm.visits) == (
        StatusKind.RETURNING, 2)


async def test_other_rules_recompute_every_status_once(tmp_path: Path) -> None:
    path = tmp_path / "chain.db"
    db = await open_database(path)
    staff = await join(db, Role.WAITER, "la", telegram_id=1001)
    guest = await regular(db, staff, last_days_ago=20)
    await GuestStore(db).create("Jones", None, branch="la", staff_id=staff.id, region="US",
                                now=NOW)
    assert await StatusBook(db, RULES).refresh_daily(NOW) == 2
    await db.close()

    stricter = RULES.model_copy(update={"lapsed_factor": 1.5})  # 18 days for a 12-day habit
    for _ in range(2):  # the chain restarts with its new [status]; then again
        db = await open_database(path)
        book = StatusBook(db, stricter)
        done = await book.refresh_daily(NOW + timedelta(hours=1))
        status = await book.of(guest.id)
        await db.close()
        assert status is not None and status.kind == StatusKind.LAPSED
        assert done == (2 if _ == 0 else 0)


async def test_a_leads_tag_wins_over_the_stored_status(db: Database, waiter: Staff) -> None:
    guest = await regular(db, waiter)
    book = StatusBook(db, RULES)
    await book.recompute(guest.id, NOW)
    await GuestStore(db).set_tags(guest.id, segment=Segment.KEY, now=NOW)
    status = await book.of(guest.id)
    assert status is not None and (status.kind, status.tagged) == (StatusKind.KEY, True)


async def test_two_records_merged_make_one_regular_and_the_merge_undoes_cleanly(
    db: Database, waiter: Staff,
) -> None:
    guests, visits, book = GuestStore(db), VisitStore(db), StatusBook(db, RULES)
    kept = await guests.create("Smith", None, branch="la", staff_id=waiter.id, region="US",
                               now=NOW - timedelta(days=90))
    other = await guests.create("Smyth", None, branch="la", staff_id=waiter.id, region="US",
                                now=NOW - timedelta(days=90))
    for guest, days in ((kept, (40, 20)), (other, (30, 10))):
        for ago in days:
            await visits.arrive(guest.id, branch="la", staff_id=waiter.id,
                                now=NOW - timedelta(days=ago))
        await book.recompute(guest.id, NOW)

    merge = await GuestMerges(db).merge(kept.id, other.id, staff_id=waiter.id, now=NOW)
    merged = await book.recompute(kept.id, NOW)
    await GuestMerges(db).undo(merge.id, staff_id=waiter.id, now=NOW)

    assert (merged.kind, merged.rhythm.visits, merged.rhythm.usual_days) == (
        StatusKind.REGULAR, 4, 10.0)
    restored = await book.of(other.id)
    assert restored is not None and restored.kind == StatusKind.RETURNING
