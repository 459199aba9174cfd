"""A note's reply offers one tap from a misreading to the right category: every allergy read
has "Not an allergy", every part read as a plain note "File as…"; the change is one
transaction, audited, and an allergy it makes reaches the kitchen as any logged one does."""

from __future__ import annotations

from profiles.audit import AuditAction
from profiles.models import Category
from tests.bot.conftest import BotUnderTest


async def test_an_allergy_that_is_none_is_one_tap_from_a_dislike(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new Smith")
    [saved] = await bot.send(waiter, "/note Smith: 芒果过敏, window seat")
    assert "+ Allergy: mango (芒果过敏)" in saved.text
    labels = [button.text for row in saved.buttons for button in row]
    assert "🚫 Not an allergy: 芒果过敏" in labels
    assert not any("window" in label for label in labels[3:])  # a seat is no question

    [choose] = await bot.press(waiter, saved, "Not an allergy")
    assert choose.text == "File 芒果过敏 as:"
    [done] = await bot.press(waiter, choose, "Dislikes (food)")
    assert done.text == "Filed as Food: 芒果过敏"

    card = (await bot.send(waiter, "/guest smith"))[-1]
    assert "⚠️" not in card.text and "芒果过敏" in card.text
    guest = (await bot.core.search.find("Smith", branch="la"))[0].guest
    [food] = [trait for trait in (await bot.core.guests.card(guest.id)).traits
              if trait.category is Category.FOOD]
    assert food.attrs == {"item": "芒果", "polarity": "dislike", "concept": "mango",
                          "label_zh": "芒果", "label_en": "mango"}
    audit = await bot.core.audit.for_guest(guest.id)
    assert [entry.details["from"] for entry in audit if entry.action is AuditAction.REFILE] \
        == ["allergy"]

    await bot.press(waiter, choose, "Diet")  # the old choice again: already changed
    assert bot.answers[-1].text == "That trait was changed or taken back already."


async def test_a_part_read_as_a_plain_note_filed_as_an_allergy_reaches_the_kitchen(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await bot.join("kitchen", name="Chen", language="en")
    await bot.send(waiter, "/new Smith")
    await bot.send(waiter, "/arrive Smith")
    [saved] = await bot.send(waiter, "/note Smith: 碰到猫毛就打喷嚏")
    assert "+ Note: 碰到猫毛就打喷嚏" in saved.text
    [choose] = await bot.press(waiter, saved, "File as")
    [done] = await bot.press(waiter, choose, "Allergy")
    assert done.text == "Filed as Allergy: 碰到猫毛就打喷嚏"
    assert bot.last(lead).text.startswith("📋 Allergy just logged")

    [again] = await bot.send(waiter, "/note Smith: 碰到猫毛就打喷嚏")  # the same words again
    assert again.text.splitlines()[1] == "✓ Allergy: 碰到猫毛就打喷嚏 (confirmed, 2×)"


async def test_a_leads_correction_teaches_every_branch_a_waiters_does_not(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    far = await bot.join("waiter", "sh", language="en")
    await bot.send(waiter, "/new Smith")
    await bot.send(far, "/new 王先生")

    [saved] = await bot.send(waiter, "/note Smith: always brings his own book")
    [choose] = await bot.press(waiter, saved, "File as")
    await bot.press(waiter, choose, "Service")  # a waiter's correction: this guest only
    [read] = await bot.send(far, "/note 王先生: always brings his own book")
    assert "+ Note: always brings his own book" in read.text

    [saved] = await bot.send(lead, "/note Smith: 碰到猫毛就打喷嚏")
    [choose] = await bot.press(lead, saved, "File as")
    [done] = await bot.press(lead, choose, "Allergy")
    assert done.text.splitlines() == [
        "Filed as Allergy: 碰到猫毛就打喷嚏",
        "📚 Learned for every branch: “碰到猫毛就打喷嚏” is read as Allergy from now on."]
    [read] = await bot.send(far, "/note 王先生: 碰到猫毛就打喷嚏")
    assert "+ Allergy: 碰到猫毛就打喷嚏" in read.text

    # filed away from an allergy, by a lead too, nothing is learned: the kitchen keeps hearing
    [saved] = await bot.send(lead, "/note Smith: 芒果过敏")
    [choose] = await bot.press(lead, saved, "Not an allergy")
    [done] = await bot.press(lead, choose, "Dislikes (food)")
    assert "Learned" not in done.text
    [read] = await bot.send(far, "/note 王先生: 芒果过敏")
    assert "+ Allergy: mango (芒果过敏)" in read.text


async def test_nothing_is_learned_from_a_private_note(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", name="Mei", language="en")
    await bot.send(lead, "/new Smith")
    [saved] = await bot.send(lead, "/note Smith: 🔒 碰到猫毛就打喷嚏")
    [choose] = await bot.press(lead, saved, "File as")
    [done] = await bot.press(lead, choose, "Allergy")
    assert done.text == "Filed as Allergy: 碰到猫毛就打喷嚏"  # filed, and learned by no one
    assert await bot.core.words.all() == []
