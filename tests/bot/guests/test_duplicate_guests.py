"""The same guest entered twice: asked about at /new and "Create …?", merged by a lead with
/merge, the merge undone by an admin."""

from __future__ import annotations

from tests.bot.conftest import BotUnderTest


async def test_new_asks_whether_a_guest_with_that_phone_is_the_same(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "sh", language="en")
    await bot.send(waiter, "/new 王先生 13800138000")
    await bot.send(waiter, "/note 王先生: 靠窗")
    await bot.send(waiter, "/tag 王先生 gold")  # a waiter may not: the tier stays unset

    [question] = await bot.send(waiter, "/new Mr Wang +86 138-0013-8000")

    assert question.text == "Is this the same 王先生 (…8000, window seat)?"
    replies = await bot.press(waiter, question, "✓ Same")
    assert replies[-1].text.startswith("王先生 #1")
    assert len(await bot.core.search.find("wang", branch="sh")) == 1
    await bot.press(waiter, question, "✓ Same")
    assert bot.answers[-1].text and bot.answers[-1].text.startswith("This was already done")


async def test_new_creates_a_namesake_when_told_it_is_someone_else(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "sh", language="en")
    await bot.send(waiter, "/new 王先生")
    [question] = await bot.send(waiter, "/new 王先生")
    replies = await bot.press(waiter, question, "➕ No, a new guest")
    assert replies[0].text == "Created 王先生 #2."
    assert len(await bot.core.search.find("王先生", branch="sh")) == 2


async def test_the_same_guest_gets_the_phone_they_lacked(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "sh", language="en")
    await bot.send(waiter, "/new 王伟")
    [question] = await bot.send(waiter, "/new 王玮 13800138000")  # the wrong character typed
    assert question.text.startswith("Is this the same 王伟")
    replies = await bot.press(waiter, question, "✓ Same")
    assert replies[0].text == "Added the phone number to 王伟 #1."
    assert (await bot.core.guests.get(1)).phone == "+8613800138000"


async def test_a_note_for_an_unknown_spelling_asks_before_creating(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "sh", language="en")
    await bot.send(waiter, "/new 王伟")
    [question] = await bot.send(waiter, "/note 王玮: 不吃蒜")  # a homophone: offered, not written
    assert (await bot.core.guests.card(1)).traits == []
    [saved] = await bot.press(waiter, question, "王伟")
    assert saved.text.startswith("Saved for 王伟 #1")


async def test_a_lead_merges_two_guests_after_confirming(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "sh", language="en")
    lead = await bot.join("lead", "sh", language="en")
    await bot.send(waiter, "/new 王先生 13800138000")
    await bot.send(waiter, "/note 王先生: 靠窗")
    [question] = await bot.send(waiter, "/new 汪先生")
    await bot.press(waiter, question, "➕ No, a new guest")
    await bot.send(waiter, "/note #2: 不吃蒜")

    [refused] = await bot.send(waiter, "/merge #1 #2")
    assert refused.text == "Your role can't do that. Ask your shift lead or manager."
    [confirm] = await bot.send(lead, "/merge #1 #2")
    assert confirm.text.startswith("Merge 汪先生 #2 into 王先生 #1?")
    [done] = await bot.press(lead, confirm, "🔗 Merge into #1")

    assert done.text == ("Merged 汪先生 #2 into 王先生 #1: 2 record(s) moved,"
                         " 0 repeated note(s) folded in.")
    assert done.buttons == []  # only an admin may undo
    card = (await bot.send(waiter, "/guest #2"))[-1]  # the old number leads to the one kept
    assert card.text.startswith("王先生 #1") and "不吃蒜" in card.text and "靠窗" in card.text


async def test_merge_refuses_what_it_cannot_tell(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "sh", language="en")
    await bot.send(lead, "/new 王先生")
    [question] = await bot.send(lead, "/new 王先生")
    await bot.press(lead, question, "➕ No, a new guest")
    replies = {text: (await bot.send(lead, text))[-1].text
               for text in ("/merge", "/merge #1", "/merge #1 #1", "/merge 王先生 #2",
                            "/merge #1 nobody")}
    assert replies == {
        "/merge": "Usage: /merge KEEP OTHER, e.g. /merge #12 #34: #34's notes, visits and"
                  " history move to #12.",
        "/merge #1": "Usage: /merge KEEP OTHER, e.g. /merge #12 #34: #34's notes, visits and"
                     " history move to #12.",
        "/merge #1 #1": "That is the same guest twice.",
        "/merge 王先生 #2": "王先生 could be several guests. Name each by its #ID, e.g."
                          " /merge #12 #34.",
        "/merge #1 nobody": "No guest matches nobody.",
    }
    [confirm] = await bot.send(lead, "/merge #1 #2")
    [cancelled] = await bot.press(lead, confirm, "Cancel")
    assert cancelled.text == "Not merged."


async def test_an_admin_undoes_a_merge(bot: BotUnderTest) -> None:
    admin = await bot.join("admin", "sh", language="en")
    lead = await bot.join("lead", "sh", language="en")
    await bot.send(admin, "/new Smith")
    await bot.send(admin, "/new Smyth +1 213 555 0142")  # a typo away: asked first
    await bot.press(admin, bot.last(admin), "➕ No, a new guest")
    await bot.send(admin, "/note #2: window seat")
    [confirm] = await bot.send(admin, "/merge Smith, Smyth")
    [done] = await bot.press(admin, confirm, "🔗 Merge into #1")

    [refused] = await bot.send(lead, "/unmerge #2")
    assert refused.text == "Your role can't do that. Ask your shift lead or manager."
    [listed] = await bot.send(admin, "/unmerge")
    assert [b.text for row in listed.buttons for b in row] == ["↩ #2 Smyth → #1"]
    [undone] = await bot.press(admin, done, "↩ Undo merge")
    assert undone.text == ("Merge undone: Smyth #2 is back, with everything that was moved"
                           " from it.")
    card = (await bot.send(admin, "/guest #2"))[-1]
    assert card.text.startswith("Smyth #2") and "window seat" in card.text
    [again] = await bot.send(admin, "/unmerge #2")
    assert again.text == "#2 was not merged into another guest (or the merge was undone already)."
