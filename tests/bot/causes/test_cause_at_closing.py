"""Closing a complaint: its cause confirmed with a tap, then a lead's whys, as replies."""

from __future__ import annotations

from bot.terminal.api import LocalUser, SentMessage
from tests.bot.conftest import BotUnderTest


def newest(bot: BotUnderTest, user: LocalUser, text: str) -> SentMessage:
    return next(m for m in reversed(bot.messages(user)) if text in m.text)


async def complaint_closed_by(bot: BotUnderTest, closer: LocalUser, waiter: LocalUser) -> None:
    await bot.send(waiter, "/new Smith")
    await bot.send(waiter, "/arrive Smith")
    await bot.send(waiter, "/feedback Smith 1 waited an hour for the main course")
    await bot.press(closer, newest(bot, closer, "R1 · Guest services"), "Done")


async def test_the_closer_confirms_the_suggested_cause_and_answers_why(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead", name="Mei", language="en")
    waiter = await bot.join("waiter", language="en")
    await complaint_closed_by(bot, lead, waiter)

    question = newest(bot, lead, "What caused complaint R1?")
    assert question.text == ("What caused complaint R1? Its words suggest: Waiting."
                             " Tap to confirm or correct.")
    assert [b.text for b in question.buttons[0]] == ["✓ Waiting", "Food"]
    await bot.press(lead, question, "✓ Waiting")
    assert bot.answers[-1].text == "Cause recorded: Waiting."

    why = bot.last(lead)
    assert why.text.startswith("❓ R1 · 1/5: why did it happen?")
    [again] = await bot.send(lead, "the kitchen was one cook short", reply_to=why)
    assert again.text.startswith("❓ R1 · 2/5: and why was that?")
    await bot.send(lead, "a cook called in sick and nobody covered", reply_to=again)

    assert await bot.core.causes.whys(1) == ["the kitchen was one cook short",
                                             "a cook called in sick and nobody covered"]


async def test_a_corrected_cause_is_what_the_figures_count(bot: BotUnderTest) -> None:
    mei = await bot.join("lead", name="Mei", language="en")
    waiter = await bot.join("waiter", language="en")
    await complaint_closed_by(bot, mei, waiter)
    question = newest(bot, mei, "What caused complaint R1?")

    await bot.press(mei, question, "Food")
    assert bot.answers[-1].text == "Cause recorded: Food."
    figures = await bot.core.causes.figures("la", bot.clock.now.replace(year=2000),
                                            bot.clock.now.replace(year=2100))
    assert [(c.cause.value, c.count) for c in figures.by_cause] == [("food", 1)]
