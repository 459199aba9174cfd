"""An update Telegram delivers twice (a crash after saving, before confirming) acts once."""

from tests.bot.conftest import BotUnderTest


async def test_a_note_delivered_twice_is_logged_and_answered_once(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new Smith")
    update = bot.message_update(waiter, "/note Smith: window seat")
    await bot.deliver(update)
    before = len(bot.messages(waiter))
    await bot.deliver(update)
    card = await bot.core.guests.card((await bot.core.search.resolve("smith", branch="la"))[0].id)
    assert [(t.text, t.confirmed_count) for t in card.traits] == [("window seat", 0)]
    assert len(bot.messages(waiter)) == before


async def test_a_search_delivered_twice_is_simply_answered_twice(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    update = bot.message_update(waiter, "nobody")
    await bot.deliver(update)
    await bot.deliver(update)
    assert [m.text for m in bot.messages(waiter)][-2:] == [
        "No guest matches nobody. Try /find with part of the name, or /new to create one."] * 2


async def test_distinct_updates_with_the_same_text_both_count(bot: BotUnderTest) -> None:
    la = await bot.join("waiter", "la", language="en")
    sh = await bot.join("waiter", "sh", language="en")
    await bot.send(la, "/new Smith")
    await bot.send(la, "/note Smith: window seat")
    await bot.send(sh, "/note Smith: window seat")
    card = await bot.core.guests.card((await bot.core.search.resolve("smith", branch="la"))[0].id)
    assert [t.confirmed_count for t in card.traits] == [1]
