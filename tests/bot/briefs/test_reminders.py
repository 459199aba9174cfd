"""Briefs and occasion reminders sent by the sweep: jobs run by calling them, never by sleeping.

Los Angeles runs lunch 10:30–15:00 and dinner 16:30–22:30 (config.toml); Monday 23 November
2026 there is PST, UTC-8, so lunch starts at 18:30 UTC.
"""

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application
from bot.scheduler import planners, sweep_once
from bot.settings import Settings
from bot.terminal.api import LocalUser, running
from tests.bot.conftest import BotUnderTest

LA = ZoneInfo("America/Los_Angeles")
MONDAY = date(2026, 11, 23)


def la(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LA).astimezone(UTC)


async def sweep(bot: BotUnderTest, at: datetime) -> int:
    bot.clock.now = at
    return await sweep_once(bot.app.bot, bot.core, at)


def headings(bot: BotUnderTest, user: LocalUser, prefix: str = "📋 Brief") -> list[str]:
    return [m.text.splitlines()[0] for m in bot.messages(user) if m.text.startswith(prefix)]


async def staffed(bot: BotUnderTest) -> tuple[LocalUser, LocalUser]:
    """A lead with a guest booked for lunch and one for dinner on Monday."""
    lead = await bot.join("lead", "la", language="en")
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(lead, "/new 王先生")
    await bot.send(lead, "/note 王先生: 花生过敏")
    await bot.send(lead, "/book 王先生 11-23 12:30 2 people")
    await bot.send(lead, "/new Smith")
    await bot.send(lead, "/book Smith 11-23 19:00 4 people")
    return lead, waiter


async def test_each_lead_gets_each_shifts_brief_at_its_start_once(bot: BotUnderTest) -> None:
    lead, waiter = await staffed(bot)
    await sweep(bot, la(10, 29))
    assert headings(bot, lead) == []
    await sweep(bot, la(10, 30))
    await sweep(bot, la(10, 31))
    assert headings(bot, lead) == ["📋 Brief · Los Angeles · Mon 23 Nov · Lunch"]
    lunch = [m for m in bot.messages(lead) if m.text.startswith("📋 Brief")][-1]
    assert "12:30 · 2 people — 王先生 #1" in lunch.text and "⚠️ peanut (花生过敏)" in lunch.text
    assert "Smith" not in lunch.text  # a dinner guest
    await sweep(bot, la(16, 30))
    assert headings(bot, lead)[-1] == "📋 Brief · Los Angeles · Mon 23 Nov · Dinner"
    assert headings(bot, waiter) == []


async def test_a_bot_down_at_the_start_briefs_the_shift_still_running_and_not_one_ended(
    bot: BotUnderTest
) -> None:
    lead, _ = await staffed(bot)
    await sweep(bot, la(12, 0))  # back up during lunch: lunch is briefed
    await sweep(bot, la(23, 0))  # down all through dinner: that brief is worth nothing now
    assert headings(bot, lead) == ["📋 Brief · Los Angeles · Mon 23 Nov · Lunch"]


async def test_a_brief_that_failed_to_send_is_sent_on_a_later_sweep_once(bot: BotUnderTest) -> None:
    lead, _ = await staffed(bot)
    await sweep(bot, la(10, 29))  # what else was due (the playbooks' prompts) goes first
    bot.api.fail_next("sendMessage", status=HTTPStatus.TOO_MANY_REQUESTS, retry_after=60)
    await sweep(bot, la(10, 30))
    assert headings(bot, lead) == []
    bot.api.fail_next("sendMessage", status=HTTPStatus.BAD_GATEWAY)
    await sweep(bot, la(10, 31) + timedelta(seconds=30))
    for minutes in (33, 40, 50):
        await sweep(bot, la(10, minutes))
    assert headings(bot, lead) == ["📋 Brief · Los Angeles · Mon 23 Nov · Lunch"]


async def test_an_occasion_reminder_lists_everyone_once_a_day(bot: BotUnderTest) -> None:
    lead, _ = await staffed(bot)
    await bot.send(lead, "/occasion 王先生: birthday 11-23")
    await bot.send(lead, "/occasion Smith: anniversary 11-26")
    for moment in (la(10, 0), la(10, 30), la(14, 0), la(20, 0)):
        await sweep(bot, moment)
    [reminder] = [m for m in bot.messages(lead) if m.text.startswith("🎉 Occasions")]
    assert reminder.text.splitlines()[0] == "🎉 Occasions · Mon 23 Nov"
    assert "🎂 birthday — 王先生 #1" in reminder.text
    assert "💍 anniversary — Smith #2" in reminder.text


async def test_a_checklist_set_off_while_planning_goes_out_in_the_same_sweep(
    bot: BotUnderTest,
) -> None:
    lead, _ = await staffed(bot)
    await bot.send(lead, "/occasion Smith: anniversary 11-26")
    started = la(10, 30)  # the lunch shift's start: occasions are announced
    bot.clock.now = started + timedelta(milliseconds=5)  # planning took a moment
    await sweep_once(bot.app.bot, bot.core, started)
    assert [m.text.splitlines()[0] for m in bot.messages(lead) if m.text.startswith("📋 Occasion")
            ] == ["📋 Occasion coming up"]


async def test_a_daylight_saving_day_briefs_each_shift_exactly_once(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    sunday = date(2027, 3, 14)  # clocks jump from 02:00 to 03:00
    start = datetime.combine(sunday, time(0), tzinfo=LA).astimezone(UTC)
    await bot.send(lead, "/new Smith")  # someone expected at each shift: a brief worth sending
    await bot.send(lead, "/book Smith 2027-03-14 12:30 2 people")
    await bot.send(lead, "/new Jones")
    await bot.send(lead, "/book Jones 2027-03-14 19:00 2 people")
    for tick in range(0, 24 * 60, 5):
        await sweep(bot, start + timedelta(minutes=tick))
    assert headings(bot, lead) == ["📋 Brief · Los Angeles · Sun 14 Mar · Lunch",
                                   "📋 Brief · Los Angeles · Sun 14 Mar · Dinner"]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_day_replayed_with_restarts_at_random_points_sends_each_message_once(
    bot: BotUnderTest, settings: Settings, seed: int
) -> None:
    rng = random.Random(seed)
    lead, _ = await staffed(bot)
    second = await bot.join("lead", "la", language="en", name="Second")
    shanghai = await bot.join("lead", "sh", language="en", name="Shanghai")
    await bot.send(lead, "/occasion 王先生: birthday 11-23")
    ticks = [la(0) + timedelta(minutes=10 * n) for n in range(24 * 6)]
    restarts = await replay(bot, settings, ticks, rng)
    assert restarts > 3
    expected = Counter({"📋 Brief · Los Angeles · Mon 23 Nov · Lunch": 1,
                        "📋 Brief · Los Angeles · Mon 23 Nov · Dinner": 1,
                        "🎉 Occasions · Mon 23 Nov": 1})
    for user in (lead, second):
        assert Counter(headings(bot, user) + headings(bot, user, "🎉 Occasions")) == expected
    assert headings(bot, shanghai) == []  # nobody expected there: no brief to send


async def test_a_shift_with_nobody_expected_sends_no_brief(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    for tick in range(0, 24 * 60, 30):
        await sweep(bot, la(0) + timedelta(minutes=tick))
    assert headings(bot, lead) == []


async def replay(bot: BotUnderTest, settings: Settings, ticks: list[datetime],
                 rng: random.Random) -> int:
    """Sweep at each tick; the process dies now and then: between ticks, after planning, or
    after claiming what it was about to send. Sends fail now and then too."""
    index, restarts = 0, 0
    while index < len(ticks):
        restarts += 1
        app = build_application(settings, request=bot.api, clock=bot.clock, rate_limit=False)
        async with running(app):
            core = app.bot_data.core
            while index < len(ticks):
                bot.clock.now = now = ticks[index]
                index += 1
                roll = rng.random()
                if roll < 0.05:  # dies after planning, before delivering
                    for plan in planners(core):
                        await plan(now)
                    break
                if roll < 0.10:  # dies holding the lease on what it claimed
                    for plan in planners(core):
                        await plan(now)
                    await core.outbox.claim(now)
                    break
                if roll < 0.15:
                    bot.api.fail_next("sendMessage", status=rng.choice(
                        [HTTPStatus.BAD_GATEWAY, HTTPStatus.TOO_MANY_REQUESTS]), retry_after=5)
                await sweep_once(app.bot, core, now)
                if rng.random() < 0.05:  # a clean restart between ticks
                    break
    return restarts
