"""A regular's card stays one phone screen: allergies and an occasion due soon always, then
the most confirmed and most recent traits; the rest behind "More"."""

from __future__ import annotations

from datetime import timedelta

from profiles.models import Category, TraitDraft
from tests.bot.checklists.test_playbooks import guest_with
from tests.bot.conftest import BotUnderTest


async def test_a_card_of_years_shows_what_matters_and_the_rest_behind_more(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    guest = await guest_with(bot, "Smith", *[(Category.FOOD, f"dish {n}") for n in range(12)])
    soon = bot.clock() + timedelta(days=33)
    bot.clock.advance(days=30)
    await bot.core.traits.log(guest, [
        TraitDraft(category=Category.ALLERGY, text="peanut allergy"),
        TraitDraft(category=Category.OCCASION, text="birthday",
                   attrs={"kind": "birthday", "month": soon.month, "day": soon.day}),
        TraitDraft(category=Category.SEATING, text="window seat"),
    ], staff_id=1, branch="la", now=bot.clock())
    for _ in range(3):  # told again and again: the guest's dish
        await bot.core.traits.log(guest, [TraitDraft(category=Category.FOOD, text="dish 0")],
                                  staff_id=1, branch="la", now=bot.clock())

    card = (await bot.send(waiter, "/guest smith"))[-1]
    lines = card.text.splitlines()
    shown = [line for line in lines if ": " in line and " — " in line]
    assert len(shown) == 10
    assert any(line.startswith("⚠️ Allergy: peanut allergy") for line in shown)
    assert any(line.startswith("Occasion: birthday") for line in shown)
    assert any(line.startswith("Seating: window seat") for line in shown)  # the most recent
    assert any(line.startswith("Food: dish 0") for line in shown)  # the most confirmed
    assert "… and 5 more, older or less confirmed" in lines

    [whole] = await bot.press(waiter, card, "More (5)")
    assert len([line for line in whole.text.splitlines() if " — " in line]) == 15
