"""Taking a trait back: any trait its reader, but an allergy only whoever logged it or a shift
lead of its branch, so a colleague's tap cannot silence the kitchen."""

from __future__ import annotations

from bot.callbacks import Verb, pack
from profiles.models import Category
from tests.bot.access.test_button_authority import press_signed
from tests.bot.conftest import BotUnderTest


async def test_a_colleague_takes_back_a_seat_but_not_an_allergy(bot: BotUnderTest) -> None:
    ana = await bot.join("waiter", name="Ana", language="en")
    ben = await bot.join("waiter", name="Ben", language="en")
    mei = await bot.join("lead", name="Mei", language="en")
    await bot.send(ana, "/new Smith")
    await bot.send(ana, "/note Smith: peanut allergy, window seat")
    card = (await bot.send(ben, "/guest smith"))[-1]
    [menu] = await bot.press(ben, card, "Retract")
    assert [row[0].text for row in menu.buttons] == ["✖ Seating: window seat"]
    assert menu.text.splitlines()[-1] == (
        "An allergy is taken back only by whoever logged it or a shift lead: ask them if it "
        "is wrong.")

    allergy = next(t for t in (await bot.core.guests.card(1)).traits
                   if t.category is Category.ALLERGY)
    await press_signed(bot, ben, pack(Verb.RETRACT, allergy.id))  # as if it were offered
    assert allergy.id in {t.id for t in (await bot.core.guests.card(1)).traits}
    assert bot.answers[-1].text.startswith("An allergy is taken back only by whoever")

    card = (await bot.send(mei, "/guest smith"))[-1]
    [menu] = await bot.press(mei, card, "Retract")
    assert "✖ Allergy: peanut allergy" in [row[0].text for row in menu.buttons]
    [sure] = await bot.press(mei, menu, "✖ Allergy: peanut allergy")
    assert sure.text == ("Take back the allergy peanut allergy? The kitchen will no longer be "
                         "told of it.")
    assert allergy.id in {t.id for t in (await bot.core.guests.card(1)).traits}  # not yet
    await bot.press(mei, sure, "Yes, take it back")
    assert allergy.id not in {t.id for t in (await bot.core.guests.card(1)).traits}


async def test_an_allergy_one_may_not_read_is_as_if_gone(bot: BotUnderTest) -> None:
    """A forged press on a private allergy tells a waiter nothing, not even that it is one."""
    ana = await bot.join("waiter", name="Ana", language="en")
    ben = await bot.join("waiter", name="Ben", language="en")
    await bot.send(ana, "/new Smith")
    await bot.send(ana, "/note Smith: peanut allergy")
    [allergy] = (await bot.core.guests.card(1)).traits
    author = await bot.core.staff.by_telegram_id(ana.id)
    await bot.core.traits.make_private(1, staff_id=author.id, now=bot.core.clock())
    await press_signed(bot, ben, pack(Verb.RETRACT, allergy.id))
    assert bot.answers[-1].text == "That trait was already retracted."
    assert allergy.id in {t.id for t in (await bot.core.guests.card(1)).traits}
