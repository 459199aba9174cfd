"""Monday's "regulars to call": planned by the sweep, sent to each manager once a week."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import build_application
from bot.scheduler import sweep_once
from bot.settings import Settings
from bot.terminal.api import running
from tests.bot.conftest import BotUnderTest


def next_monday(after: datetime, utc_hour: int) -> datetime:
    day = after + timedelta(days=(7 - after.weekday()) % 7 or 7)
    return day.replace(hour=utc_hour, minute=0, second=0, microsecond=0)


def to_call(bot: BotUnderTest, user: object) -> list[str]:
    return [m.text for m in bot.messages(user) if m.text.startswith("Regulars to call")]


async def test_each_manager_gets_the_lapsed_regulars_once_a_week(
    bot: BotUnderTest, settings: Settings,
) -> None:
    manager = await bot.join("manager", "la", language="en")
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new Smith")
    for _ in range(4):
        await bot.send(lead, "/arrive Smith")
        bot.clock.advance(days=7)
    monday = next_monday(bot.clock.now + timedelta(days=30), utc_hour=17)  # 09:00 in LA

    for at in (monday - timedelta(hours=2), monday, monday + timedelta(hours=1)):
        bot.clock.now = at
        await sweep_once(bot.app.bot, bot.core, at)
    # the bot restarts later that week: a second process on the same database sends nothing
    again = build_application(settings, request=bot.api, clock=bot.clock, rate_limit=False)
    async with running(again):
        bot.clock.now = monday + timedelta(days=1)
        await sweep_once(again.bot, again.bot_data.core, bot.clock.now)

    [sent] = to_call(bot, manager)
    assert sent.splitlines()[2].startswith("1. Smith #1 — lapsed regular · usually every 7 days")
    assert to_call(bot, lead) == []

    bot.clock.now = monday + timedelta(days=7)
    await sweep_once(bot.app.bot, bot.core, bot.clock.now)
    assert len(to_call(bot, manager)) == 2


async def test_no_message_when_no_regular_has_lapsed(bot: BotUnderTest) -> None:
    manager = await bot.join("manager", "la", language="en")
    monday = next_monday(bot.clock.now, utc_hour=17)
    bot.clock.now = monday
    await sweep_once(bot.app.bot, bot.core, monday)
    assert to_call(bot, manager) == []
