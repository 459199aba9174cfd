"""The lead's brief tells each expected guest's status and habits."""

from __future__ import annotations

from tests.bot.conftest import BotUnderTest


async def test_the_brief_shows_the_status_and_the_usual_for_a_returning_regular(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new Smith")
    for _ in range(4):
        await bot.send(lead, "/arrive Smith")
        await bot.send(lead, "/note Smith: window seat")
        bot.clock.advance(days=7)
    await bot.send(lead, "/book Smith tomorrow 19:00 2 people")

    [brief] = await bot.send(lead, "/brief tomorrow")

    lines = brief.text.splitlines()
    smith = next(i for i, line in enumerate(lines) if "Smith" in line)
    assert lines[smith + 1:smith + 4] == [
        "👍 window seat",
        "regular · usually every 7 days · last seen 7 days ago (Los Angeles)",
        "usual: around 04:00 · window seat",  # noon UTC is 04:00 in Los Angeles
    ]
