"""The guest-memory story through the real Application, on the in-process Bot API."""

import pytest

from tests.bot.conftest import BotUnderTest


async def test_a_trait_learned_in_la_is_on_the_card_in_shanghai(bot: BotUnderTest) -> None:
    la = await bot.join("waiter", "la", language="en")
    sh = await bot.join("waiter", "sh", language="en")
    await bot.send(la, "/new 王先生 +1 213 555 0142")
    [saved] = await bot.send(la, "/note 王先生: 靠窗，冰酸梅汤大杯，不吃蒜")
    assert saved.text.splitlines()[1:] == [
        "+ Seating: window seat (靠窗)", "+ Drink: large iced sour plum juice (冰酸梅汤大杯)",
        "+ Diet: No garlic (不吃蒜)"]
    for query in ("wang", "王", "0142", "wxs"):
        card = (await bot.send(sh, query))[-1]
        assert card.text.splitlines()[0].startswith("王先生 #"), query
        assert "No garlic (不吃蒜) — Los Angeles · just now" in card.text


async def test_undo_takes_the_note_back_and_a_second_press_changes_nothing(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new Smith")
    [saved] = await bot.send(waiter, "/note Smith: no garlic")
    [undone] = await bot.press(waiter, saved, "Undo")
    assert undone.text.startswith("Undone")
    await bot.press(waiter, saved, "Undo")
    assert bot.answers[-1].text == "That note was already undone."
    card = (await bot.send(waiter, "/guest smith"))[-1]
    assert "garlic" not in card.text


async def test_an_unknown_name_is_offered_for_creation_with_the_note(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    [offer] = await bot.send(waiter, "/note 李女士: 花生过敏")
    assert "No guest called 李女士" in offer.text
    replies = await bot.press(waiter, offer, "Create")
    assert "⚠️ Allergy" not in replies[-1].text  # the confirmation lists, the card warns
    assert "+ Allergy: peanut (花生过敏)" in replies[-1].text
    await bot.press(waiter, offer, "Create")  # pressed twice: no second guest
    assert len(await bot.core.search.find("李", branch="la")) == 1


async def test_logging_the_same_trait_again_confirms_it(bot: BotUnderTest) -> None:
    la = await bot.join("waiter", "la", language="en")
    sh = await bot.join("waiter", "sh", language="en")
    await bot.send(la, "/new 王先生")
    await bot.send(la, "/note 王先生: 靠窗")
    [again] = await bot.send(sh, "/note 王先生: 靠窗")
    assert "✓ Seating: window seat (靠窗) (confirmed, 2×)" in again.text


async def test_a_stranger_learns_nothing_from_messages_buttons_or_inline(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new 王先生 13800138000")
    [saved] = await bot.send(waiter, "/note 王先生: 不吃蒜")
    eve = bot.stranger("Eve", language_code="en")
    for text in ("wang", "/guest 王先生", "/find 8000", "/note 王先生: x", "/help"):
        replies = await bot.send(eve, text)
        assert [r.text for r in replies] == [
            "Sorry, this bot is only for the staff of our restaurants and hotels."]
    # a forged button press (the data of the waiter's "Card" button) on Eve's own message
    await bot.deliver(bot.callback_update(eve, bot.last(eve), saved.button("Card").callback_data))
    assert bot.answers[-1].text == "Sorry, this bot is only for the staff of our restaurants and hotels."
    answer = await bot.inline(eve, "wang")
    assert answer is None or answer.results == []


async def test_deactivated_staff_are_strangers_from_then_on(bot: BotUnderTest) -> None:
    manager = await bot.join("manager", language="en")
    waiter = await bot.join("waiter", name="Wu", language="en")
    [roster] = await bot.send(manager, "/staff")
    [confirm] = await bot.press(manager, roster, "Deactivate Wu")
    await bot.press(manager, confirm, "Yes, deactivate")
    [refused] = await bot.send(waiter, "wang")
    assert refused.text.startswith("Sorry, this bot is only for the staff")


async def test_a_used_invite_code_is_refused(bot: BotUnderTest) -> None:
    manager = await bot.join("manager", language="en")
    [made] = await bot.send(manager, "/invite waiter")
    code = made.text.rsplit("/start ", 1)[1].strip()
    first, second = bot.stranger("A", language_code="en"), bot.stranger("B", language_code="en")
    assert "Welcome" in (await bot.send(first, f"/start {code}"))[0].text
    assert "not valid" in (await bot.send(second, f"/start {code}"))[0].text


async def test_waiters_cannot_invite_or_tag(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new Smith")
    for command in ("/invite waiter", "/tag Smith gold"):
        assert (await bot.send(waiter, command))[-1].text.startswith("Your role can't do that")


async def test_a_lead_tags_and_an_unwelcome_guest_says_so_first(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", language="en")
    await bot.send(lead, "/new Smith")
    await bot.send(lead, "/tag Smith unwelcome")
    card = (await bot.send(lead, "smith"))[-1]
    assert "Unwelcome guest" in card.text.splitlines()[1]


async def test_a_tag_for_no_guest_or_several_tags_no_one_until_one_is_chosen(
        bot: BotUnderTest) -> None:
    lead = await bot.join("lead", language="en")
    [none] = await bot.send(lead, "/tag Jones gold")
    assert none.text.startswith("No guest matches Jones.")
    await bot.send(lead, "/new Smith Anna")
    await bot.send(lead, "/new Smith Ben")
    [several] = await bot.send(lead, "/tag Smith gold")
    assert several.text == "2 guests match Smith:"
    assert len([b for row in several.buttons for b in row]) == 2
    for hit in await bot.core.search.find("Smith", branch="la"):
        assert hit.guest.tier is None
    await bot.send(lead, "/new Jones Carl")
    [one] = await bot.send(lead, "/tag Jone gold")  # a look-alike is asked about, even alone
    assert one.text == "One guest matches Jone; is it them?"
    assert len([b for row in one.buttons for b in row]) == 1


async def test_a_long_note_is_saved_in_parts_and_the_reply_asks_to_check_them(
        bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new Smith")
    story = ("came in with his team from the office, talked about the quarterly numbers for "
             "a long while, asked for the wine list twice and ordered the ribeye medium rare. "
             * 6) + "he is allergic to sesame, carries an epipen"
    [saved] = await bot.send(waiter, f"/note Smith: {story}")
    parts = saved.text.count("\n+ ")
    assert parts > 1 and f"A long note, read in {parts} parts" in saved.text
    # nothing lost, the allergy least of all
    assert "+ Allergy: he is allergic to sesame, carries an epipen (severe)" in saved.text
    [short] = await bot.send(waiter, "/note Smith: window seat, ribeye medium rare")
    assert "A long note" not in short.text


async def test_bad_input_gets_a_clear_reply_and_saves_nothing(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new Smith")
    replies = {
        "/note Smith:": "Usage: /note",
        "/note": "Usage: /note",
        "/note Smith: " + "x" * 3990: "too long",
        "/note Smith: 👍👍": "no words in that note",
        "/note Smith: .": "no words in that note",
        "/new": "Usage: /new",
        "/new Smith 123456": "not a phone number",
        "/frobnicate": "I don't know that command",
        "'; DROP TABLE guests; --": "No guest matches",
        "%_*\"NEAR(": "No guest matches",
    }
    for text, expected in replies.items():
        assert expected in (await bot.send(waiter, text))[-1].text, text
    card = (await bot.send(waiter, "/guest smith"))[-1]
    assert "Nothing known yet" in card.text


async def test_names_with_emoji_rtl_and_zero_width_characters_work(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new محمد\u200b 🍷")
    await bot.send(waiter, "/note محمد: halal")
    card = (await bot.send(waiter, "محمد"))[-1]
    assert "halal" in card.text


async def test_chinese_is_the_default_and_lang_switches(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter")
    assert "没有这个命令" in (await bot.send(waiter, "/frobnicate"))[-1].text
    await bot.send(waiter, "/lang en")
    assert "I don't know" in (await bot.send(waiter, "/frobnicate"))[-1].text


async def test_the_menu_is_set_per_role_and_language(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter")
    manager = await bot.join("manager", language="en")
    assert "invite" not in bot.api.commands(chat_id=waiter.id)
    assert {"invite", "staff", "note"} <= set(bot.api.commands(chat_id=manager.id))


async def test_the_same_thing_in_the_other_language_is_one_trait_each_reads_in_theirs(
    bot: BotUnderTest,
) -> None:
    la = await bot.join("waiter", "la", language="en")
    sh = await bot.join("waiter", "sh", language="zh")
    await bot.send(la, "/new 王先生")
    await bot.send(sh, "/note 王先生: 不吃蒜，花生过敏很严重")
    [again] = await bot.send(la, "/note 王先生: no garlic, severe peanut allergy")
    assert again.text.splitlines()[1:] == [
        "✓ Diet: No garlic (不吃蒜) (confirmed, 2×)",
        "✓ Allergy: peanut (花生过敏很严重) (confirmed, 2×)"]
    card = (await bot.send(la, "/guest 王先生"))[-1].text
    assert "⚠️ Allergy: peanut (花生过敏很严重) (severe)" in card
    card = (await bot.send(sh, "/guest 王先生"))[-1].text
    assert "饮食: 不吃蒜" in card and "garlic" not in card


@pytest.mark.parametrize(("note", "read"), [
    ("english breakfast tea, milk", "红茶 (english breakfast tea, milk)"),  # what goes in it
    ("vegan but eats fish sometimes", "纯素 (vegan but eats fish sometimes)"),  # its exceptions
])
async def test_a_drink_or_a_diet_read_in_the_other_language_keeps_its_typed_words(
        bot: BotUnderTest, note: str, read: str) -> None:
    la = await bot.join("waiter", "la", language="en")
    sh = await bot.join("waiter", "sh", language="zh")
    await bot.send(la, "/new Smith")
    await bot.send(la, f"/note Smith: {note}")
    card = (await bot.send(sh, "/guest smith"))[-1]
    assert read in card.text


async def test_an_occasion_and_a_seat_read_in_the_other_language(bot: BotUnderTest) -> None:
    la = await bot.join("waiter", "la", language="en")
    sh = await bot.join("waiter", "sh", language="zh")
    await bot.send(la, "/new Smith")
    await bot.send(la, "/note Smith: birthday is six fourteen")
    await bot.send(la, "/note Smith: quiet corner table away from the AC")
    card = (await bot.send(sh, "/guest smith"))[-1]
    assert "生日 6月14日 (birthday is six fourteen)" in card.text
    assert "(quiet corner table away from the AC)" in card.text
    [offer] = await bot.send(sh, "/note 王先生: 农历三月初三生日")
    await bot.press(sh, offer, "新建")
    card = (await bot.send(la, "/guest 王先生"))[-1]
    assert "birthday lunar Mar 3 (农历三月初三生日)" in card.text
