"""A command that changes a guest acts only on the guest it names exactly, or on the one a
person chose with a button: a look-alike is offered, never written to."""

from tests.bot.conftest import BotUnderTest


async def guests_named(bot: BotUnderTest, *names: str) -> list[int]:
    made = []
    for name in names:
        guest = await bot.core.guests.create(name, None, branch="la", staff_id=None,
                                             region="US", now=bot.clock())
        made.append(guest.id)
    return made


async def test_a_note_for_a_look_alike_is_not_saved_on_the_guest_it_resembles(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    [anna] = await guests_named(bot, "Anna Lee")
    [offer] = await bot.send(waiter, "/note Anne Lee: severe shellfish allergy")
    assert (await bot.core.guests.card(anna)).traits == []
    assert any("Anna Lee" in row[0].text for row in offer.buttons)
    await bot.press(waiter, offer, "Anna Lee")  # the waiter meant her after all
    assert [t.text for t in (await bot.core.guests.card(anna)).traits] != []


async def test_an_arrival_or_a_complaint_for_a_look_alike_records_nothing(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    [anna, guest0] = await guests_named(bot, "Anna Lee", "Guest0 Test")
    await bot.send(waiter, "/arrive Anne Lee table 3")
    await bot.send(waiter, "/arrive Guest5 Test")
    await bot.send(waiter, "/feedback Hanna Lee 2 too noisy")
    assert await bot.core.visits.for_guest(anna) == []
    assert await bot.core.visits.for_guest(guest0) == []
    assert await bot.core.db.read(lambda c: c.execute(
        "SELECT COUNT(*) FROM feedback").fetchone()[0]) == 0


async def test_the_exact_name_acts_at_once_though_others_look_alike(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    [first, _] = await guests_named(bot, "Anna Lee", "Anne Lee")
    await bot.send(waiter, "/arrive Anna Lee table 3")
    assert len(await bot.core.visits.for_guest(first)) == 1


async def test_names_that_differ_only_by_a_number_are_told_apart(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    [first, second] = await guests_named(bot, "Burst Guest0", "Burst Guest1")
    [card] = await bot.send(waiter, "/guest Burst Guest1")
    assert card.text.startswith(f"Burst Guest1 #{second}")
    await bot.send(waiter, "/note Burst Guest0: window seat")
    assert [t.text for t in (await bot.core.guests.card(first)).traits] == ["window seat"]
    assert (await bot.core.guests.card(second)).traits == []


async def test_a_whole_word_of_one_guests_name_is_exact_enough(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    [guest] = await guests_named(bot, "Quixabel Zorander")
    [saved] = await bot.send(waiter, "/feedback zorander 4 lovely")
    assert saved.text.startswith("Recorded")
    await bot.send(waiter, "/feedback zoran 4 lovely")  # a prefix only: asked, not written
    assert await bot.core.db.read(lambda c: c.execute(
        "SELECT COUNT(*) FROM feedback WHERE guest_id = ?", (guest,)).fetchone()[0]) == 1
