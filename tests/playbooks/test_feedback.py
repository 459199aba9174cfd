"""The guest's verdict: parsed from a command, tied to the visit, asked for once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from playbooks.feedback import (
    AlreadyRated,
    FeedbackUsage,
    ScoreOutOfRange,
    split_feedback,
)
from playbooks.outbox import Outbox
from profiles.guests import GuestStore
from profiles.models import Guest, Staff
from profiles.visits import VisitStore
from store.database import Database
from tests.factories import NOW, feedback_store


@pytest.mark.parametrize(("args", "expected"), [
    ("王先生 5 很满意", ("王先生", 5, "很满意")),
    ("table 12 2 soup was cold, waited 20 minutes", ("table 12", 2, "soup was cold, waited 20 minutes")),
    ("room 1203 4", ("room 1203", 4, "")),
    ("#12 3分", ("#12", 3, "")),
    ("Mr Smith 1 rude", ("Mr Smith", 1, "rude")),
    ("0142 4/5", ("0142", 4, "")),
])
def test_the_score_is_the_first_number_after_the_guest(
    args: str, expected: tuple[str, int, str]
) -> None:
    assert split_feedback(args) == expected


@pytest.mark.parametrize("args", ["王先生 6", "王先生 0 bad", "王先生 4.5", "#3 -1"])
def test_scores_outside_one_to_five_are_refused(args: str) -> None:
    with pytest.raises((ScoreOutOfRange, FeedbackUsage)):
        split_feedback(args)


@pytest.mark.parametrize("args", ["", "王先生", "王先生 great", "5"])
def test_a_command_without_guest_or_score_is_usage(args: str) -> None:
    with pytest.raises(FeedbackUsage):
        split_feedback(args)


async def guest_with_visit(db: Database, waiter: Staff) -> tuple[Guest, int]:
    guest = await GuestStore(db).create("Smith", None, branch="la", staff_id=waiter.id,
                                        region="US", now=NOW)
    visit = await VisitStore(db).arrive(guest.id, branch="la", staff_id=waiter.id, now=NOW)
    return guest, visit.id


async def test_feedback_counts_toward_todays_visit_and_a_later_word_replaces_it(
    db: Database, waiter: Staff
) -> None:
    guest, visit_id = await guest_with_visit(db, waiter)
    store = feedback_store(db)
    first = (await store.record(guest.id, 2, "cold", staff_id=waiter.id, branch="la",
                                now=NOW)).feedback
    second = (await store.record(guest.id, 4, "fixed", staff_id=waiter.id, branch="la",
                                 now=NOW + timedelta(hours=1))).feedback
    assert (first.visit_id, second.visit_id, second.id) == (visit_id, visit_id, first.id)
    assert (second.score, second.complaint, first.complaint) == (4, False, True)


async def test_a_closed_visit_is_asked_about_once_and_rated_once(
    db: Database, waiter: Staff
) -> None:
    _, visit_id = await guest_with_visit(db, waiter)
    await VisitStore(db).leave(visit_id, now=NOW + timedelta(hours=1))
    store = feedback_store(db)
    later = NOW + timedelta(hours=2)
    assert (await store.plan_asks(later), await store.plan_asks(later)) == (1, 0)
    await store.rate_visit(visit_id, 5, staff_id=waiter.id, now=later)
    with pytest.raises(AlreadyRated):
        await store.rate_visit(visit_id, 1, staff_id=waiter.id, now=later)
    ask = await store.ask(visit_id)
    assert ask is not None and ask.answered
    [asked] = await Outbox(db).claim(later)
    assert (asked.key, asked.chat_id, asked.payload) == (
        f"feedback_ask:{visit_id}", waiter.telegram_id, {"visit_id": visit_id})


async def test_a_visit_closed_by_the_guests_next_arrival_is_not_asked_about(
    db: Database, waiter: Staff
) -> None:
    guest, _ = await guest_with_visit(db, waiter)
    await VisitStore(db).arrive(guest.id, branch="la", staff_id=waiter.id,
                                now=NOW + timedelta(hours=3))
    assert await feedback_store(db).plan_asks(NOW + timedelta(hours=4)) == 0


async def test_a_second_low_score_for_one_visit_opens_no_second_request(
    db: Database, waiter: Staff
) -> None:
    guest, _ = await guest_with_visit(db, waiter)
    store = feedback_store(db)
    first = await store.record(guest.id, 1, "cold", staff_id=waiter.id, branch="la", now=NOW)
    second = await store.record(guest.id, 2, "still cold", staff_id=waiter.id, branch="la",
                                now=NOW + timedelta(minutes=5))
    assert first.complaint is not None and second.complaint is None
    assert second.feedback.score == 2
    assert await db.read(lambda conn: conn.execute(
        "SELECT COUNT(*) FROM requests WHERE guest_id = ?", (guest.id,)).fetchone()[0]) == 1
