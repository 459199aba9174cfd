"""Reading is forgiving: a Chinese name typed with a character of the same sound finds the
guest (below anything matching the characters typed); a nickname finds the formal name."""

from __future__ import annotations

from bot.terminal.api import SentMessage
from profiles.nicknames import nicknames
from tests.bot.conftest import BotUnderTest


async def guests(bot: BotUnderTest, *names: str) -> None:
    for name in names:
        await bot.core.guests.create(name, None, branch="la", staff_id=None, region="US",
                                     now=bot.clock())


def offered(message: SentMessage) -> list[str]:
    return [row[0].text.split(" · ")[0] for row in message.buttons]


async def test_a_homophone_finds_the_guest_below_the_characters_typed(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await guests(bot, "王先生", "张伟", "汪女士")
    [found] = await bot.send(waiter, "/find 汪先生")
    assert offered(found) == ["汪女士", "王先生"]
    [card] = await bot.send(waiter, "/find 章伟")
    assert card.text.startswith("张伟")


async def test_a_homophone_is_offered_never_written(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await guests(bot, "王先生")
    [offer] = await bot.send(waiter, "/note 汪先生: window seat")
    assert offered(offer) == ["王先生", "➕ Create 汪先生"]  # or someone new after all
    assert await bot.core.db.read(lambda c: c.execute("SELECT COUNT(*) FROM traits")
                                  .fetchone()[0]) == 0


async def test_nicknames_find_the_formal_name(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await guests(bot, "John Smith", "Jonathan Ive", "William Gates", "Billie Eilish")
    [found] = await bot.send(waiter, "/find jon")
    assert sorted(offered(found)) == ["John Smith", "Jonathan Ive"]
    [found] = await bot.send(waiter, "/find bill")
    assert offered(found) == ["Billie Eilish", "William Gates"]  # as typed first


def test_the_shipped_nicknames_are_lower_case_words() -> None:
    table = nicknames()
    assert table["bill"] == ("william",) and "john" in table["jon"]
    assert all(short.isalpha() and short.islower() and formal and all(
        name.isalpha() and name.islower() for name in formal) for short, formal in table.items())
