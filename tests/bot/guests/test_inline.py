"""`@bot wang` in any chat: staff get matching guests' compact cards, strangers nothing."""

from __future__ import annotations

import pytest

from bot.terminal.api import InlineAnswer, LocalUser
from tests.bot.conftest import BotUnderTest


async def answered(bot: BotUnderTest, user: LocalUser, query: str) -> InlineAnswer:
    answer = await bot.inline(user, query)
    assert answer is not None, "the inline query was not answered"
    return answer


async def posted(bot: BotUnderTest, user: LocalUser, result: dict[str, object]) -> str:
    """The message a chosen result posts, as the chat shows it (Telegram's HTML rules apply)."""
    content = result["input_message_content"]
    assert isinstance(content, dict)
    message = await bot.app.bot.send_message(user.id, content["message_text"],
                                             parse_mode=content["parse_mode"])
    return message.text or ""


async def test_staff_get_the_matching_guests_as_compact_cards(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(waiter, "/new 王先生 +1 213 555 0142")
    await bot.send(waiter, "/note 王先生: 花生过敏，靠窗，冰酸梅汤大杯")
    await bot.send(waiter, "/new 王伟")

    answer = await answered(bot, waiter, "wang")

    assert [r["title"] for r in answer.results][:1] == ["王先生 #1"]
    assert {r["title"] for r in answer.results} == {"王先生 #1", "王伟 #2"}
    assert answer.params["is_personal"] is True
    assert answer.params["cache_time"] == 0
    card = await posted(bot, waiter, answer.results[0])
    assert card.splitlines() == [
        "王先生 #1", "⚠️ Allergy: peanut (花生过敏)", "Seating: window seat (靠窗)",
        "Drink: large iced sour plum juice (冰酸梅汤大杯)",
        "☎ …0142 · Los Angeles"]


async def test_at_most_ten_results(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "la", language="en")
    for given in "一二三四五六七八九十百":
        await bot.send(waiter, f"/new 王{given}")
    assert len((await answered(bot, waiter, "王")).results) == 10


async def test_a_card_shows_what_the_role_may_see(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "la", language="en")
    kitchen = await bot.join("kitchen", "la", language="en")
    await bot.send(waiter, "/new Smith +1 213 555 0142")
    await bot.send(waiter, "/note Smith: peanut allergy, window seat")
    [result] = (await answered(bot, kitchen, "smith")).results
    card = await posted(bot, kitchen, result)
    assert "peanut" in card and "window" not in card and "0142" not in card


async def test_a_long_card_lists_allergies_and_says_how_many_more(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(waiter, "/new Smith")
    await bot.send(waiter, "/note Smith: window seat, black coffee, no garlic, vegetarian,"
                           " likes jazz, tall, teacher, two kids, peanut allergy")
    [result] = (await answered(bot, waiter, "smith")).results
    lines = (await posted(bot, waiter, result)).splitlines()
    assert lines[1] == "⚠️ Allergy: peanut allergy"
    assert lines[-2].startswith("… and ") and lines[-2].endswith("more: /guest #1")


async def test_strangers_get_an_empty_answer(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(waiter, "/new 王先生")
    answer = await answered(bot, bot.stranger("Eve"), "wang")
    assert answer.results == []


@pytest.mark.parametrize("query", [
    "", "   ", "a", "%", "_", "*", "'", '"', "NEAR(", 'NEAR("a" "b")', "smith OR", "😀",
    "x" * 500, "王" * 500, "#99999999999999999999", "room 12", "0142",
])
async def test_any_query_is_answered_without_error(bot: BotUnderTest, query: str) -> None:
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(waiter, "/new Smith +1 213 555 0142")
    answer = await answered(bot, waiter, query)
    assert isinstance(answer.results, list)
