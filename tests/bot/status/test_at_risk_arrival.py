"""A guest who complained and has not had a good visit since walks in: the lead hears at once."""

from __future__ import annotations

from tests.bot.conftest import BotUnderTest


async def test_the_lead_hears_at_once_that_a_guest_at_risk_arrived(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(waiter, "/new Smith")
    await bot.send(waiter, "/arrive Smith")
    await bot.send(waiter, "/feedback Smith 2 the soup was cold")
    bot.clock.advance(days=3)

    await bot.send(waiter, "/arrive Smith table 12")
    await bot.send(waiter, "/arrive Smith table 12")  # typed twice: one visit, one notice

    notices = [m.text for m in bot.messages(lead) if "is at risk" in m.text]
    assert notices == [
        "⚠️ Smith #1 has just arrived at table 12 and is at risk.\n"
        "at risk · scored 2 3 days ago, no good visit since · 2 visits · seen today (Los Angeles)\n"
        "Greet them yourself and make this visit right."
    ]


async def test_a_guest_who_had_a_good_visit_since_is_not_announced(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(waiter, "/new Smith")
    await bot.send(waiter, "/arrive Smith")
    await bot.send(waiter, "/feedback Smith 1 rude")
    bot.clock.advance(days=3)
    await bot.send(waiter, "/arrive Smith")
    await bot.send(waiter, "/feedback Smith 5 lovely")
    bot.clock.advance(days=3)

    await bot.send(waiter, "/arrive Smith")

    # told of the second visit, the one after the complaint; not of the third
    assert len([m for m in bot.messages(lead) if "is at risk" in m.text]) == 1
