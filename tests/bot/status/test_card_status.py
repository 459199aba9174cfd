"""The status and the guest's habits on the card, as staff see them after /guest."""

from __future__ import annotations

from datetime import timedelta

from bot.status.text import status_line, usual_line
from playbooks.status.rules import Rhythm, Status, StatusKind
from profiles.models import Category
from tests.bot.conftest import BotUnderTest
from tests.factories import NOW, make_trait


async def test_the_card_says_why_a_guest_is_a_regular(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "sh", language="en")
    await bot.send(waiter, "/new 王先生 13800138000")
    await bot.send(waiter, "/note 王先生: 靠窗")
    for _ in range(4):
        await bot.send(waiter, "/arrive 王先生")
        await bot.send(waiter, "/note 王先生: 靠窗")
        bot.clock.advance(days=12)
    bot.clock.advance(days=17)

    card = await bot.send(waiter, "/guest 王先生")

    lines = card[0].text.splitlines()
    assert lines[1] == "regular · usually every 12 days · last seen 29 days ago (Shanghai)"
    assert lines[2] == "usual: around 20:00 · window seat (靠窗)"  # noon UTC, evening in Shanghai


async def test_the_daily_pass_marks_a_regular_who_stopped_coming(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "sh", language="en")
    await bot.send(waiter, "/new 王先生 13800138000")
    for _ in range(4):
        await bot.send(waiter, "/arrive 王先生")
        bot.clock.advance(days=12)
    bot.clock.advance(days=29)  # 41 days since the last visit: beyond three usual intervals
    await bot.core.statuses.refresh_daily(bot.clock.now)

    card = await bot.send(waiter, "/guest 王先生")

    assert card[0].text.splitlines()[1] == (
        "lapsed regular · usually every 12 days · last seen 41 days ago (Shanghai)")


async def test_a_guest_never_seen_has_no_status_line(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "sh", language="en")
    await bot.send(waiter, "/new 王先生")
    card = await bot.send(waiter, "/guest 王先生")
    assert not card[0].text.splitlines()[1].startswith("new")


def test_a_guest_key_by_spend_says_what_they_spent() -> None:
    status = Status(kind=StatusKind.KEY, spend=2250.0, spend_currency="USD",
                    rhythm=Rhythm(visits=5, usual_days=60.0, last_at=NOW - timedelta(days=20),
                                  last_branch="la"))
    for lang, said in (("en", "spent 2,250 USD in 12 months"), ("zh", "12 个月消费 2,250 USD")):
        line = status_line(status, lang=lang, now=NOW, branches={"la": "Los Angeles"})
        assert line.split(" · ")[1] == said


def test_a_complaint_of_today_says_today() -> None:
    status = Status(kind=StatusKind.AT_RISK, complaint_at=NOW, complaint_score=1,
                    rhythm=Rhythm(visits=1, last_at=NOW, last_branch="la"))
    line = status_line(status, lang="en", now=NOW, branches={"la": "Los Angeles"})
    assert line.split(" · ")[1] == "scored 1 today"


def test_usual_tells_habits_not_allergies() -> None:
    traits = [make_trait(id=1, category=Category.ALLERGY, text="shellfish", confirmed_count=3),
              make_trait(id=2, category=Category.SEATING, text="window", confirmed_count=1)]
    assert usual_line(None, traits, lang="en") == "usual: window"
