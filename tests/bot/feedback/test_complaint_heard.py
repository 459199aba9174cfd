"""A complaint someone must hear: the waiter is told at once when nobody can."""

from tests.bot.conftest import BotUnderTest
from tests.bot.requests.test_requests import checked_in


async def test_a_complaint_nobody_can_receive_is_said_at_once(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await checked_in(bot)
    [saved] = await bot.send(waiter, "/feedback 王先生 1 cold soup")
    assert saved.text.splitlines()[-1].startswith(
        "⚠️ That is a complaint: request R1 is saved, but nobody at guest services")


async def test_a_complaint_a_lead_receives_says_it_is_open(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.join("lead", language="en")
    await checked_in(bot)
    [saved] = await bot.send(waiter, "/feedback 王先生 1 cold soup")
    assert saved.text.splitlines()[-1].startswith(
        "That is a complaint: request R1 is open for guest services")
