"""A quiet start: no report on a week before the chain used the bot."""


from bot.scheduler import sweep_once
from tests.bot.conftest import BotUnderTest


async def test_a_manager_who_joins_on_a_sunday_gets_no_report_of_the_week_before(
    bot: BotUnderTest,
) -> None:
    manager = await bot.join("manager", name="Max", language="en")  # Sunday 22 Nov, 04:00 LA
    before = len(bot.messages(manager))
    await sweep_once(bot.app.bot, bot.core, bot.clock())
    assert len(bot.messages(manager)) == before  # the week of 9 Nov: the bot was not in use
    monday = bot.clock.advance(days=1, hours=6)  # Monday 23 Nov, 10:00 in Los Angeles
    await sweep_once(bot.app.bot, bot.core, monday)
    assert len(bot.messages(manager)) > before  # this week's, which the chain saw a day of
