from datetime import timedelta

import pytest

from profiles.errors import GuestNotFound
from profiles.guests import GuestStore
from profiles.models import Staff
from profiles.visits import VisitStore
from store.database import Database
from tests.factories import NOW

DAY = timedelta(days=1)


async def test_visits_count_per_branch_and_remember_the_latest(db: Database, waiter: Staff) -> None:
    guest = await GuestStore(db).create("王先生", None, branch="la", staff_id=waiter.id,
                                        region="CN", now=NOW)
    visits = VisitStore(db)
    for day, branch in enumerate(["la", "la", "sh"]):
        await visits.arrive(guest.id, branch=branch, staff_id=waiter.id, now=NOW + day * DAY)
    summary = (await visits.summaries([guest.id]))[guest.id]
    assert (summary.total, summary.by_branch, summary.last_branch) == (3, {"la": 2, "sh": 1}, "sh")
    assert summary.last_at == NOW + 2 * DAY
    assert (await GuestStore(db).get(guest.id)).last_seen_branch == "sh"


async def test_arriving_again_closes_the_open_visit_in_that_branch(db: Database, waiter: Staff) -> None:
    guest = await GuestStore(db).create("Smith", None, branch="la", staff_id=waiter.id,
                                        region="US", now=NOW)
    visits = VisitStore(db)
    first = await visits.arrive(guest.id, branch="la", staff_id=waiter.id, now=NOW, table="12")
    await visits.arrive(guest.id, branch="la", staff_id=waiter.id, now=NOW + DAY, table="7")
    assert (await visits.get(first.id)).left_at == NOW + DAY
    assert [v.table_no for v in await visits.for_guest(guest.id)] == ["7", "12"]


async def test_a_visit_of_an_unknown_guest_is_refused(db: Database, waiter: Staff) -> None:
    with pytest.raises(GuestNotFound):
        await VisitStore(db).arrive(999, branch="la", staff_id=waiter.id, now=NOW)


async def test_a_guest_never_seen_has_an_empty_summary(db: Database, waiter: Staff) -> None:
    guest = await GuestStore(db).create("Li", None, branch="la", staff_id=waiter.id,
                                        region="CN", now=NOW)
    summary = (await VisitStore(db).summaries([guest.id]))[guest.id]
    assert (summary.total, summary.last_at) == (0, None)
