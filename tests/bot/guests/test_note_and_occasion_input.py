"""`/note` without a colon reads the longest known guest name; an occasion on a day no year
has is told so."""

from __future__ import annotations

from tests.bot.conftest import BotUnderTest


async def traits_of(bot: BotUnderTest, guest_id: int) -> list[str]:
    return [t.text for t in (await bot.core.guests.card(guest_id)).traits]


async def test_a_note_without_a_colon_is_for_the_longest_known_name(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    smith = await bot.guest("John Smith")
    await bot.guest("John Doe")
    [saved] = await bot.send(waiter, "/note John Smith window seat")
    assert saved.text.startswith("Saved for John Smith")
    assert await traits_of(bot, smith.id) == ["window seat"]


async def test_a_note_without_a_colon_for_no_known_name_asks(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    smith = await bot.guest("John Smith")
    await bot.guest("John Doe")
    [asked] = await bot.send(waiter, "/note John Smyth window seat")
    assert asked.buttons  # "John" is two guests: choose one
    assert await traits_of(bot, smith.id) == []


async def test_a_note_of_only_a_guests_whole_name_asks_what_to_note(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    sarah = await bot.guest("Sarah Connor")
    [usage] = await bot.send(waiter, "/note Sarah Connor")
    assert usage.text.startswith("Usage: /note NAME: what you learned")
    assert await traits_of(bot, sarah.id) == []


async def test_a_date_no_year_has_or_that_is_no_date_is_said_back(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    chinese = await bot.join("waiter", language="zh")
    guest = await bot.guest("王先生")
    for user, text, reply in [
        (waiter, "birthday 02-30", "There is no 30 February"),
        (waiter, "anniversary April 31", "There is no 31 April"),
        (waiter, "birthday 13/45", "“13/45” is not a date"),
        (waiter, "13/45", "“13/45” is not a date"),
        (chinese, "生日14月3日", "“14月3日”不是日期"),
        (waiter, "birthday", "Which date?"),
    ]:
        [said] = await bot.send(user, f"/occasion 王先生: {text}")
        assert said.text.startswith(reply), text
    assert await traits_of(bot, guest.id) == []
    [saved] = await bot.send(waiter, "/occasion 王先生: birthday 02-29")
    assert "birthday" in saved.text and "no 29" not in saved.text


async def birthdays_of(bot: BotUnderTest, guest_id: int) -> list[tuple[object, object]]:
    return [(t.attrs["month"], t.attrs["day"]) for t in (await bot.core.guests.card(guest_id)).traits
            if t.attrs.get("kind") == "birthday"]


async def test_a_second_birthday_asks_to_replace_the_first(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    guest = await bot.guest("王先生")
    await bot.send(waiter, "/occasion 王先生: birthday 05-12")
    [asked] = await bot.send(waiter, "/occasion 王先生: birthday 06-12")
    assert "has a birthday already" in asked.text
    assert await birthdays_of(bot, guest.id) == [(5, 12)]
    await bot.press(waiter, asked, "Replace")
    assert await birthdays_of(bot, guest.id) == [(6, 12)]
    await bot.press(waiter, asked, "Replace")  # once is enough
    assert await birthdays_of(bot, guest.id) == [(6, 12)]


async def test_keeping_the_stored_birthday_changes_nothing(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    guest = await bot.guest("王先生")
    await bot.send(waiter, "/occasion 王先生: birthday 05-12")
    [asked] = await bot.send(waiter, "/occasion 王先生: 生日 6月12日")
    *_, kept = await bot.press(waiter, asked, "Keep")
    assert kept.text.startswith("Kept the birthday")
    assert await birthdays_of(bot, guest.id) == [(5, 12)]
    [saved] = await bot.send(waiter, "/occasion 王先生: anniversary Oct 3 2016")
    assert "anniversary" in saved.text  # another occasion is no second birthday


async def test_the_same_birthday_written_another_way_confirms_the_one_stored(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    guest = await bot.guest("王先生")
    await bot.send(waiter, "/occasion 王先生: 生日 12月9日")
    await bot.send(waiter, "/occasion 王先生: 生日12月9号")
    assert await birthdays_of(bot, guest.id) == [(12, 9)]
    [trait] = [t for t in (await bot.core.guests.card(guest.id)).traits]
    assert trait.confirmed_count == 1


async def test_a_note_typed_with_no_space_after_a_chinese_name_is_for_that_guest(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    guest = await bot.guest("王先生")
    [saved] = await bot.send(waiter, "/note 王先生不吃辣")
    assert saved.text.startswith("Saved for 王先生")
    assert [t.text for t in (await bot.core.guests.card(guest.id)).traits] == ["不吃辣"]
    [usage] = await bot.send(waiter, "/note 李女士不吃辣")  # no such guest: how to write it
    assert usage.text.startswith("Usage: /note")
