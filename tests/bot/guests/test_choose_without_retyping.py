"""A write command whose reference names no guest exactly offers the guests it may mean; the
button pressed finishes the command as typed, for that guest, once."""

from __future__ import annotations

from bot.signing import SEPARATOR
from profiles.audit import AuditAction
from tests.bot.access.test_button_authority import press_signed
from tests.bot.conftest import BotUnderTest


async def anna_lee(bot: BotUnderTest) -> int:
    guest = await bot.core.guests.create("Anna Lee", "+1 213 555 0123", branch="la",
                                         staff_id=None, region="US", now=bot.clock())
    await bot.core.guests.set_tags(guest.id, tier="gold", now=bot.clock())
    return guest.id


async def feedback_of(bot: BotUnderTest, guest_id: int) -> list[tuple[int, str]]:
    return await bot.core.db.read(lambda c: [tuple(row) for row in c.execute(
        "SELECT score, comment FROM feedback WHERE guest_id = ?", (guest_id,))])


async def test_the_guest_chosen_gets_the_typed_score_and_comment(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    anna = await anna_lee(bot)
    [offer] = await bot.send(waiter, "/feedback Hanna Lee 2 too noisy")
    choice = offer.button("Anna Lee")
    assert choice.text.startswith(f"Anna Lee · #{anna} · …0123 · gold")
    assert "noisy" not in (choice.callback_data or "")  # the typed text stays in the database
    assert await feedback_of(bot, anna) == []
    *_, saved = await bot.press(waiter, offer, choice)
    assert saved.text.startswith("Recorded")
    assert await feedback_of(bot, anna) == [(2, "too noisy")]


async def test_a_second_press_records_nothing_more(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    anna = await anna_lee(bot)
    [offer] = await bot.send(waiter, "/feedback Hanna Lee 4 lovely")
    await bot.press(waiter, offer, "Anna Lee")
    await bot.press(waiter, offer, "Anna Lee")
    assert await feedback_of(bot, anna) == [(4, "lovely")]
    assert bot.answers[-1].show_alert


async def test_someone_elses_offer_cannot_be_pressed(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    other = await bot.join("waiter", name="Bo", language="en")
    anna = await anna_lee(bot)
    [offer] = await bot.send(waiter, "/feedback Hanna Lee 1 rude")
    data = offer.button("Anna Lee").callback_data
    assert data is not None
    # as if the other waiter's chat had been sent the same button
    await press_signed(bot, other, data.partition(SEPARATOR)[0])
    assert await feedback_of(bot, anna) == []


async def test_leave_for_the_guest_chosen(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    anna = await anna_lee(bot)
    await bot.send(waiter, "/arrive Anna Lee table 3")
    [offer] = await bot.send(waiter, "/leave Anne Lee")
    assert (await bot.core.visits.for_guest(anna))[0].left_at is None
    *_, done = await bot.press(waiter, offer, "Anna Lee")
    assert (await bot.core.visits.for_guest(anna))[0].left_at is not None
    assert "table 3" in done.text.lower() or "Anna Lee" in done.text


async def test_tag_for_the_guest_chosen(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", language="en")
    guest = await bot.core.guests.create("Anna Lee", None, branch="la", staff_id=None,
                                         region="US", now=bot.clock())
    [offer] = await bot.send(lead, "/tag Anne Lee vip")
    assert (await bot.core.guests.get(guest.id)).segment is None
    await bot.press(lead, offer, "Anna Lee")
    assert (await bot.core.guests.get(guest.id)).segment == "key"


async def test_consent_for_the_guest_chosen(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", language="en")
    anna = await anna_lee(bot)
    [offer] = await bot.send(lead, "/consent Anne Lee yes")
    assert await consent_of(bot, anna) is None
    *_, said = await bot.press(lead, offer, "Anna Lee")
    assert await consent_of(bot, anna) is not None
    assert "Anna Lee" in said.text


async def consent_of(bot: BotUnderTest, guest_id: int) -> str | None:
    return await bot.core.db.read(lambda c: c.execute(
        "SELECT consent_at FROM guests WHERE id = ?", (guest_id,)).fetchone()[0])


async def test_phone_is_added_read_as_everywhere_and_audited(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    wang = await bot.core.guests.create("王先生", None, branch="la", staff_id=None,
                                        region="US", now=bot.clock())
    [saved] = await bot.send(waiter, "/phone 王先生 138 0013 8000")
    assert saved.text == f"Phone saved for 王先生 #{wang.id}: …8000."
    assert (await bot.core.guests.get(wang.id)).phone == "+8613800138000"  # a Shanghai mobile
    [entry] = await bot.core.audit.for_guest(wang.id, actions=(AuditAction.PHONE,))
    assert entry.details == {"from": None, "to": "8000"}
    [found] = await bot.send(waiter, "8000")
    assert found.text.startswith("王先生")


async def test_phone_for_a_look_alike_is_set_only_on_the_guest_chosen(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    anna = await anna_lee(bot)
    [offer] = await bot.send(waiter, "/phone Anne Lee +1 213 555 0199")
    assert (await bot.core.guests.get(anna)).phone == "+12135550123"
    await bot.press(waiter, offer, "Anna Lee")
    assert (await bot.core.guests.get(anna)).phone == "+12135550199"


async def test_a_phone_that_is_none_is_refused(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    anna = await anna_lee(bot)
    [refused] = await bot.send(waiter, "/phone Anna Lee 000000")
    assert "000000" in refused.text
    assert (await bot.core.guests.get(anna)).phone == "+12135550123"


async def test_a_note_for_a_look_alike_may_be_for_someone_new_after_all(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    anna = await anna_lee(bot)
    [offer] = await bot.send(waiter, "/note Anne Lee: severe shellfish allergy")
    assert [row[0].text.split(" · ")[0] for row in offer.buttons] == [
        "Anna Lee", "➕ Create Anne Lee"]
    await bot.press(waiter, offer, "➕ Create Anne Lee")
    assert (await bot.core.guests.card(anna)).traits == []  # nothing on the look-alike
    [anne] = [g for g in await bot.core.search.resolve("Anne Lee", branch="la")
              if g.name == "Anne Lee"]
    assert [t.text for t in (await bot.core.guests.card(anne.id)).traits] == [
        "severe shellfish allergy"]
    [scored] = await bot.send(waiter, "/feedback Hanna Lee 2 noisy")  # a score only chooses
    assert not any(row[0].text.startswith("➕") for row in scored.buttons)
