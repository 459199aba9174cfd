"""Complaint causes: suggested from the words, confirmed by the closer, asked why, counted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from playbooks.causes.categories import Cause, choices, suggest_cause
from playbooks.causes.store import (
    CauseCount,
    CauseFigures,
    Causes,
    NotAComplaint,
    NotTheCloser,
    WhysDone,
    pareto,
)
from playbooks.requests.models import State
from playbooks.requests.routing import Department, Lane, LaneWords, Routing
from playbooks.requests.store import RequestStore
from profiles.models import Role, Staff
from store.database import Database
from tests.conftest import join
from tests.factories import NOW


@pytest.mark.parametrize(("text", "expected"), [
    ("the soup was cold", Cause.FOOD),
    ("汤是凉的，菜太咸", Cause.FOOD),
    ("waited 40 minutes for the main course", Cause.WAITING),
    ("上菜太慢，等了半天", Cause.WAITING),
    ("the waiter was rude", Cause.MANNER),
    ("服務員態度很差", Cause.MANNER),  # traditional script read as simplified
    ("overcharged, the discount was left off the bill", Cause.BILLING),
    ("空调坏了", Cause.FACILITY),
    ("loud music next door all night", Cause.NOISE),
    ("房间很脏，有蟑螂", Cause.CLEANLINESS),
    ("not happy", Cause.OTHER),
    ("", Cause.OTHER),
])
def test_the_words_suggest_a_cause(text: str, expected: Cause) -> None:
    assert suggest_cause(text) == expected


def test_a_latin_word_matches_whole_words_only() -> None:
    assert suggest_cause("embedded cost") == Cause.OTHER


def test_the_suggested_cause_is_offered_first() -> None:
    assert choices(Cause.NOISE)[:2] == [Cause.NOISE, Cause.FOOD]
    assert sorted(choices(Cause.NOISE)) == sorted(Cause)


def test_pareto_orders_causes_and_accumulates_their_share() -> None:
    figures = CauseFigures(closed=12, with_cause=10, by_cause=[
        CauseCount(cause=Cause.WAITING, count=5), CauseCount(cause=Cause.FOOD, count=3),
        CauseCount(cause=Cause.NOISE, count=2)])
    assert pareto(figures) == [(Cause.WAITING, 5, 50.0), (Cause.FOOD, 3, 80.0),
                               (Cause.NOISE, 2, 100.0)]
    assert figures.share_with_cause == pytest.approx(83.33, abs=0.01)


# housekeeping may close what this desk gets, and is no lead
ROUTING = Routing({"la": [Department(id="desk", name="Desk",
                                     roles=[Role.LEAD, Role.HOUSEKEEPING])]}, LaneWords())


async def closed_complaint(db: Database, closer: Staff, text: str = "waited an hour") -> int:
    requests = RequestStore(db, ROUTING)
    relayed = await requests.relay(branch="la", staff_id=closer.id, ref_text="table 3",
                                   text=text, now=NOW, lane=Lane.RED)
    await requests.close(relayed.request.id, State.DONE, staff=closer, now=NOW)
    return relayed.request.id


async def test_a_lead_confirms_the_cause_and_answers_whys_up_to_the_depth(db: Database) -> None:
    lead = await join(db, Role.LEAD, "la", telegram_id=2001)
    request_id = await closed_complaint(db, lead)
    causes = Causes(db, why_depth=2)

    confirmed = await causes.confirm(request_id, Cause.WAITING, by=lead, now=NOW)
    first = await causes.answer_why(request_id, "the kitchen was short", by=lead, now=NOW)
    second = await causes.answer_why(request_id, "a cook called in sick", by=lead, now=NOW)

    assert (confirmed.suggested, confirmed.ask_why) == (Cause.WAITING, True)
    assert (first.depth, first.ask_next, second.depth, second.ask_next) == (1, True, 2, False)
    with pytest.raises(WhysDone):
        await causes.answer_why(request_id, "a third", by=lead, now=NOW)
    assert await causes.whys(request_id) == ["the kitchen was short", "a cook called in sick"]


async def test_only_the_closer_confirms_and_housekeeping_is_not_asked_why(
    db: Database,
) -> None:
    waiter = await join(db, Role.HOUSEKEEPING, "la", telegram_id=2003)
    request_id = await closed_complaint(db, waiter, "the soup was cold")
    other = await join(db, Role.LEAD, "la", telegram_id=2002)
    causes = Causes(db, why_depth=5)

    confirmed = await causes.confirm(request_id, Cause.FOOD, by=waiter, now=NOW)

    assert confirmed.ask_why is False
    with pytest.raises(NotTheCloser):
        await causes.confirm(request_id, Cause.OTHER, by=other, now=NOW)
    with pytest.raises(WhysDone):
        await causes.answer_why(request_id, "because", by=waiter, now=NOW)


async def test_a_green_request_has_no_cause(db: Database) -> None:
    waiter = await join(db, Role.LEAD, "la", telegram_id=2003)
    requests = RequestStore(db, ROUTING)
    relayed = await requests.relay(branch="la", staff_id=waiter.id, ref_text="room 1",
                                   text="more towels", now=NOW, lane=Lane.GREEN)
    await requests.close(relayed.request.id, State.DONE, staff=waiter, now=NOW)
    with pytest.raises(NotAComplaint):
        await Causes(db, why_depth=5).confirm(relayed.request.id, Cause.OTHER, by=waiter, now=NOW)


async def test_the_figures_count_closed_complaints_by_cause(db: Database) -> None:
    waiter = await join(db, Role.LEAD, "la", telegram_id=2003)
    causes = Causes(db, why_depth=5)
    for text, cause in (("waited", Cause.WAITING), ("slow", Cause.WAITING),
                        ("cold soup", Cause.FOOD), ("meh", None)):
        request_id = await closed_complaint(db, waiter, text)
        if cause is not None:
            await causes.confirm(request_id, cause, by=waiter, now=NOW)

    found = await causes.figures("la", NOW - timedelta(days=1), NOW + timedelta(days=1))

    assert (found.closed, found.with_cause) == (4, 3)
    assert found.by_cause == [CauseCount(cause=Cause.WAITING, count=2),
                              CauseCount(cause=Cause.FOOD, count=1)]
