import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from playbooks.outbox import Outbox
from playbooks.requests.escalations import RequestPlanner
from playbooks.requests.models import (
    AlreadyClosed,
    AlreadyTaken,
    NotYours,
    OtherBranch,
    Source,
    State,
)
from playbooks.requests.routing import Department, Lane, LaneWords, Routing
from playbooks.requests.store import RequestStore, open_complaint, open_requests
from profiles.guests import GuestStore
from profiles.models import Role, Staff
from store.connect import open_database
from store.database import Database
from tests.conftest import join
from tests.factories import NOW

MINUTE = timedelta(minutes=1)
DESKS = [
    Department(id="guest", name="Guest services", roles=[Role.LEAD], keywords=["bill"]),
    Department(id="housekeeping", name="Housekeeping", roles=[Role.HOUSEKEEPING],
               keywords=["towel"]),
    Department(id="spa", name="Spa", chat_id=-100500, keywords=["massage"]),
]


@pytest.fixture
def store(db: Database) -> RequestStore:
    return RequestStore(db, Routing({"la": DESKS, "sh": DESKS}, LaneWords()))


async def guest(db: Database) -> int:
    created = await GuestStore(db).create("王先生", None, branch="la", staff_id=None,
                                          region="CN", now=NOW)
    return created.id


async def relay(store: RequestStore, staff: Staff, text: str = "the bill is wrong, overcharged",
                guest_id: int | None = None) -> int:
    relayed = await store.relay(branch=staff.branch, staff_id=staff.id, ref_text="room 1203",
                                text=text, now=NOW, guest_id=guest_id, place="room:1203")
    return relayed.request.id


async def keys(db: Database) -> list[str]:
    return [d.key for d in await Outbox(db).claim(NOW + timedelta(days=1), limit=100)]


async def test_a_relay_is_stored_classified_and_sent_to_each_of_the_desk(db: Database,
                                                                         store: RequestStore) -> None:
    cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2001)
    lead_a = await join(db, Role.LEAD, "la", telegram_id=2002)
    lead_b = await join(db, Role.LEAD, "la", telegram_id=2003)
    await join(db, Role.LEAD, "sh", telegram_id=2004)  # another branch hears nothing
    relayed = await store.relay(branch="la", staff_id=cleaner.id, ref_text="room 1203",
                                text="the bill is wrong", now=NOW)
    request = relayed.request
    assert (request.department, request.lane, request.state) == ("guest", Lane.RED, State.OPEN)
    assert (request.accept_due, request.resolve_due) == (NOW + 5 * MINUTE, NOW + 30 * MINUTE)
    assert relayed.recipients == [lead_a.name, lead_b.name]
    assert await keys(db) == [f"request:{request.id}:new:1:staff:{lead_a.id}",
                              f"request:{request.id}:new:1:staff:{lead_b.id}"]


async def test_a_desk_with_a_group_is_sent_to_the_group(db: Database, store: RequestStore) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    relayed = await store.relay(branch="la", staff_id=waiter.id, ref_text="table 3",
                                text="wants a massage at six", now=NOW)
    assert (relayed.group, relayed.recipients) == (True, [])
    assert await keys(db) == [f"request:{relayed.request.id}:new:1:chat:-100500"]


async def test_a_desk_with_nobody_on_the_bot_falls_back_to_the_leads(db: Database,
                                                                    store: RequestStore) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    relayed = await store.relay(branch="la", staff_id=waiter.id, ref_text="room 1203",
                                text="two more towels", now=NOW)
    assert (relayed.request.department, relayed.fallback, relayed.recipients) == (
        "housekeeping", True, [lead.name])


async def test_the_originator_is_not_sent_their_own_request_when_others_get_it(
    db: Database, store: RequestStore
) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=2001)
    other = await join(db, Role.LEAD, "la", telegram_id=2002)
    relayed = await store.relay(branch="la", staff_id=lead.id, ref_text="x", text="bill",
                                now=NOW)
    assert relayed.recipients == [other.name]


async def test_two_colleagues_accepting_at_once_exactly_one_wins(db: Database,
                                                                 store: RequestStore) -> None:
    cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2001)
    leads = [await join(db, Role.LEAD, "la", telegram_id=2002 + i) for i in range(2)]
    request_id = await relay(store, cleaner)
    results = await asyncio.gather(
        *(store.accept(request_id, staff=lead, now=NOW + MINUTE) for lead in leads),
        return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, AlreadyTaken)]
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].request.accepted_by == winners[0].accepted_by
    assert (await store.get(request_id)).accepted_by == winners[0].accepted_by


async def test_accepting_again_what_is_mine_is_harmless(db: Database, store: RequestStore) -> None:
    cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2001)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    request_id = await relay(store, cleaner)
    first = await store.accept(request_id, staff=lead, now=NOW + MINUTE)
    again = await store.accept(request_id, staff=lead, now=NOW + 2 * MINUTE)
    assert again.accepted_at == first.accepted_at == NOW + MINUTE


async def test_done_twice_is_refused_the_second_time(db: Database, store: RequestStore) -> None:
    cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2001)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    request_id = await relay(store, cleaner)
    done = await store.close(request_id, State.DONE, staff=lead, now=NOW + 3 * MINUTE)
    # done without a separate accept: it counts as accepted when it was done
    assert (done.state, done.accepted_by, done.accepted_at) == (State.DONE, lead.id,
                                                                NOW + 3 * MINUTE)
    with pytest.raises(AlreadyClosed):
        await store.close(request_id, State.DONE, staff=lead, now=NOW + 4 * MINUTE)
    with pytest.raises(AlreadyClosed):
        await store.accept(request_id, staff=lead, now=NOW + 4 * MINUTE)


async def test_only_the_holder_or_a_lead_closes_a_taken_request(db: Database,
                                                                store: RequestStore) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    cleaners = [await join(db, Role.HOUSEKEEPING, "la", telegram_id=2002 + i) for i in range(2)]
    lead = await join(db, Role.LEAD, "la", telegram_id=2005)
    request_id = await relay(store, waiter, text="towels")
    await store.accept(request_id, staff=cleaners[0], now=NOW)
    with pytest.raises(NotYours):
        await store.close(request_id, State.DONE, staff=cleaners[1], now=NOW)
    closed = await store.close(request_id, State.DONE, staff=lead, now=NOW)
    assert closed.closed_by == lead.id


async def test_another_branch_cannot_touch_the_request(db: Database, store: RequestStore) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    stranger = await join(db, Role.LEAD, "sh", telegram_id=2002)
    request_id = await relay(store, waiter)
    with pytest.raises(OtherBranch):
        await store.accept(request_id, staff=stranger, now=NOW)


async def test_closing_tells_the_originator_once_and_a_note_follows(db: Database,
                                                                   store: RequestStore) -> None:
    cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2001)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    request_id = await relay(store, cleaner)
    await store.accept(request_id, staff=lead, now=NOW)
    await store.close(request_id, State.DONE, staff=lead, now=NOW + MINUTE)
    noted = await store.annotate(request_id, "called back, corrected the bill", staff=lead,
                                 now=NOW + 2 * MINUTE)
    assert noted.note == "called back, corrected the bill"
    told = [key.split(":")[2] for key in await keys(db) if ":new:" not in key]
    assert told[:2] == ["accepted", "closed"]
    assert len(told) == 3 and told[2].startswith("note")
    with pytest.raises(NotYours):
        await store.annotate(request_id, "me too", staff=cleaner, now=NOW)


async def test_changing_desk_resets_the_route_and_deadlines_from_the_relay(
    db: Database, store: RequestStore
) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2002)
    request_id = await relay(store, waiter, text="bill")
    changed = await store.change(request_id, staff=waiter, now=NOW + MINUTE,
                                 department="housekeeping", lane=Lane.YELLOW)
    request = changed.request
    assert (request.department, request.lane, request.route) == ("housekeeping", Lane.YELLOW, 2)
    assert (request.accept_due, request.resolve_due) == (NOW + 15 * MINUTE, NOW + 120 * MINUTE)
    assert changed.recipients == [cleaner.name]


async def test_a_taken_request_keeps_its_desk(db: Database, store: RequestStore) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    request_id = await relay(store, waiter)
    await store.accept(request_id, staff=lead, now=NOW)
    with pytest.raises(AlreadyTaken):
        await store.change(request_id, staff=waiter, now=NOW, lane=Lane.GREEN)


async def test_open_requests_are_listed_per_guest_for_cards_and_briefs(
    db: Database, store: RequestStore
) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    wang = await guest(db)
    first = await relay(store, waiter, guest_id=wang)
    second = await relay(store, waiter, text="towels", guest_id=wang)
    closed = await relay(store, waiter, guest_id=wang)
    await store.accept(first, staff=lead, now=NOW)
    await store.close(closed, State.DONE, staff=lead, now=NOW)
    found = await db.read(lambda conn: open_requests(conn, [wang, 999]))
    assert [(s.id, s.accepted_by_name) for s in found[wang]] == [(first, lead.name),
                                                                 (second, None)]
    assert found[999] == []
    assert await store.open_for_guests([wang]) == {wang: found[wang]}


async def test_my_listing_has_what_i_relayed_and_what_my_desk_must_do_oldest_first(
    db: Database, store: RequestStore
) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2002)
    towels = await relay(store, waiter, text="towels")
    bill = await relay(store, cleaner, text="bill")
    mine, desk = await store.listing(cleaner)
    assert ([r.id for r in mine], [r.id for r in desk]) == ([bill], [towels])
    mine, desk = await store.listing(waiter)
    assert ([r.id for r in mine], [r.id for r in desk]) == ([towels], [])


async def test_a_complaint_opens_a_red_request_at_the_front_desk(db: Database,
                                                                store: RequestStore) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    wang = await guest(db)
    request = (await db.write(lambda conn: open_complaint(
        conn, store, wang, "la", waiter.id, "2/5: the steak was cold", NOW))).request
    assert (request.department, request.lane, request.source, request.guest_id) == (
        "guest", Lane.RED, Source.COMPLAINT, wang)


async def test_escalations_come_at_their_minute_once_each(db: Database,
                                                         store: RequestStore) -> None:
    cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2001)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    manager = await join(db, Role.MANAGER, "la", telegram_id=2003)
    request_id = await relay(store, cleaner)
    planner = RequestPlanner(db)
    counts = [await planner.plan(NOW + minutes * MINUTE) for minutes in (4, 5, 6, 29, 30, 60)]
    assert counts == [0, 1, 0, 0, 1, 0]
    request = await store.get(request_id)  # each step recorded when it was taken, once
    assert (request.accept_escalated_at, request.resolve_escalated_at) == (NOW + 5 * MINUTE,
                                                                            NOW + 30 * MINUTE)
    escalations = [key for key in await keys(db) if ":escalate:" in key]
    assert escalations == [f"request:{request_id}:escalate:accept:{lead.id}",
                           f"request:{request_id}:escalate:resolve:{manager.id}"]


async def test_acceptance_stops_the_clock(db: Database, store: RequestStore) -> None:
    cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2001)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    await join(db, Role.MANAGER, "la", telegram_id=2003)
    request_id = await relay(store, cleaner)
    await store.accept(request_id, staff=lead, now=NOW + 4 * MINUTE)
    planner = RequestPlanner(db)
    assert await planner.plan(NOW + 10 * MINUTE) == 0
    await store.close(request_id, State.DONE, staff=lead, now=NOW + 20 * MINUTE)
    assert await planner.plan(NOW + timedelta(days=1)) == 0


async def test_a_restart_neither_loses_nor_repeats_an_escalation(
    tmp_path: Path, store: RequestStore
) -> None:
    path = tmp_path / "guestcard.db"
    async with opened(path) as db:
        cleaner = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2001)
        lead = await join(db, Role.LEAD, "la", telegram_id=2002)
        request_id = await relay(RequestStore(db, store.routing), cleaner)
        assert await RequestPlanner(db).plan(NOW + 6 * MINUTE) == 1
    # the process stopped after the escalation was decided, before it was sent
    async with opened(path) as db:
        assert await RequestPlanner(db).plan(NOW + 7 * MINUTE) == 0
        assert [key for key in await keys(db) if ":escalate:" in key] == [
            f"request:{request_id}:escalate:accept:{lead.id}"]


@asynccontextmanager
async def opened(path: Path) -> AsyncIterator[Database]:
    db = await open_database(path)
    try:
        yield db
    finally:
        await db.close()


async def test_a_group_that_refused_the_request_is_replaced_by_the_leads_and_admins_told(
    db: Database, store: RequestStore
) -> None:
    waiter = await join(db, Role.WAITER, "la", telegram_id=2001)
    lead = await join(db, Role.LEAD, "la", telegram_id=2002)
    admin = await join(db, Role.ADMIN, "sh", telegram_id=2003)
    relayed = await store.relay(branch="la", staff_id=waiter.id, ref_text="table 3",
                                text="massage", now=NOW)
    outbox = Outbox(db)
    [delivery] = await outbox.claim(NOW)
    await outbox.give_up(delivery.id, error="Forbidden: bot was kicked", now=NOW)
    planner = RequestPlanner(db)
    assert await planner.plan(NOW) == 2
    assert await planner.plan(NOW + MINUTE) == 0  # once
    request_id = relayed.request.id
    assert sorted(d.key for d in await outbox.claim(NOW + MINUTE)) == sorted([
        f"request:{request_id}:new:1:fallback:{lead.id}",
        f"request:group_refused:-100500:{admin.id}:{NOW.date()}",
    ])
