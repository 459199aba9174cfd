"""/book, /occasion and /brief through the real Application, on the in-process Bot API.

The clock stands at 04:00 on Sunday 22 November 2026 in Los Angeles (tests.factories.NOW).
"""

from playbooks.events import EventKind
from profiles.bookings import BookingStatus
from tests.bot.conftest import BotUnderTest


async def test_a_booking_shows_in_the_brief_with_allergies_and_preferences(
    bot: BotUnderTest
) -> None:
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new 王先生 +1 213 555 0142")
    await bot.send(lead, "/note 王先生: 花生过敏, 靠窗, 冰酸梅汤大杯")
    booked = (await bot.send(lead, "/book 王先生 tomorrow 19:00 4 people birthday dinner"))[0]
    assert booked.text.splitlines() == [
        "📅 Booked: 王先生 #1", "Mon 23 Nov 19:00 · 4 people", "📝 birthday dinner",
        "⚠️ peanut (花生过敏)", "🆕 First visit to the chain"]
    [brief] = await bot.send(lead, "/brief tomorrow")
    assert brief.text.splitlines()[3:] == [
        "19:00 · 4 people — 王先生 #1", "⚠️ peanut (花生过敏)",
        "👍 window seat (靠窗) · large iced sour plum juice (冰酸梅汤大杯)", "🆕 first visit",
        "📝 birthday dinner"]


async def test_a_booking_is_recorded_as_events_with_its_details(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(waiter, "/new Smith")
    await bot.send(waiter, "/book Smith Fri 8pm 2大1小")
    seen = await bot.core.events.recorded(1)
    assert [(e.kind, e.details["party"], e.details["children"]) for e in seen] == [
        (EventKind.BOOKING_CREATED, 3, True), (EventKind.BOOKING_FIRST_VISIT, 3, True)]
    assert seen[0].details["expected_at"] == "2026-11-28T04:00:00+00:00"


async def test_an_ambiguous_date_is_asked_with_buttons_and_booked_once(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new Smith")
    [ask] = await bot.send(lead, "/book Smith 12-11 19:00")
    assert ask.text == "Which time for Smith?"
    assert [row[0].text for row in ask.buttons] == ["Fri 11 Dec 19:00", "Fri 12 Nov 2027 19:00"]
    booked = (await bot.press(lead, ask, "Fri 11 Dec"))[0]
    assert booked.text.startswith("📅 Booked: Smith #1\nFri 11 Dec 19:00")
    await bot.press(lead, ask, "Fri 12 Nov")  # the other reading, pressed after: refused
    assert bot.answers[-1].text == "That choice was already made."
    assert len(await bot.core.bookings.for_guest(1, since=bot.clock())) == 1


async def test_several_matching_guests_are_offered_then_the_one_chosen_is_booked(
    bot: BotUnderTest
) -> None:
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new 王先生 +1 213 555 0142")
    await bot.send(lead, "/new 王先生 +1 213 555 0199")
    [choose] = await bot.send(lead, "/book 王 明天晚上7点 2人")
    booked = (await bot.press(lead, choose, "…0199"))[0]
    assert booked.text.splitlines()[:2] == ["📅 Booked: 王先生 #2", "Mon 23 Nov 19:00 · 2 people"]


async def test_an_unknown_guest_is_created_and_booked_with_one_press(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    [offer] = await bot.send(lead, "/book 李女士 Fri 8pm 2 people")
    assert offer.text == "No guest 李女士 yet. Create and book?"
    replies = await bot.press(lead, offer, "Create 李女士")
    assert replies[0].text.startswith("📅 Booked: 李女士 #1\nFri 27 Nov 20:00 · 2 people")
    await bot.press(lead, offer, "Create 李女士")  # a second press: no second guest or booking
    assert len(await bot.core.search.find("李", branch="la")) == 1


async def test_a_guest_named_alone_lists_bookings_to_cancel_and_a_second_cancel_is_refused(
    bot: BotUnderTest
) -> None:
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new Smith")
    await bot.send(lead, "/book Smith tomorrow 12:30")
    [listing] = await bot.send(lead, "/book Smith")
    assert listing.text == "📅 Bookings of Smith #1:\n• Mon 23 Nov 12:30"
    [cancelled] = await bot.press(lead, listing, "Cancel")
    assert cancelled.text == "✖ Cancelled: Smith · Mon 23 Nov 12:30"
    await bot.press(lead, listing, "Cancel")
    assert bot.answers[-1].text == "That booking was already cancelled or marked."
    [brief] = await bot.send(lead, "/brief tomorrow")
    assert brief.text.endswith("No bookings.")


async def test_a_no_show_is_offered_once_the_time_has_come(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new Smith")
    await bot.send(lead, "/book Smith today 12:30")
    [early] = await bot.send(lead, "/book Smith")
    assert [b.text for b in early.buttons[0]] == ["✖ Cancel Sun 22 Nov 12:30"]
    bot.clock.advance(hours=9)  # 13:00 in Los Angeles
    [late] = await bot.send(lead, "/book Smith")
    [marked] = await bot.press(lead, late, "No-show")
    assert marked.text == "🚫 Marked as a no-show: Smith · Sun 22 Nov 12:30"
    assert (await bot.core.bookings.get(1)).status is BookingStatus.NO_SHOW


async def test_what_cannot_be_booked_is_answered_in_one_line(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new Smith")
    cases = {
        "/book": "Usage: /book NAME WHEN",
        "/book Smith 2-30 19:00": "That date does not exist.",
        "/book Smith 25:00": "That time does not exist.",
        "/book Smith tomorrow": "What time? Add it, e.g. /book Smith tomorrow 19:00",
        "/book Mr Wang tomorrow": "What time? Add it, e.g. /book Mr Wang tomorrow 19:00",
        "/book Smith 19:00 0 people": "A party is 1 to 500 people.",
        "/book Smith someday": "When? Add a date and time: /book Smith someday tomorrow 19:00",
        "/book 明天7点 4人": "Whose booking?",
        "/book Smith 19:00 " + "x" * 900: "The note is too long",
    }
    for text, expected in cases.items():
        [reply] = await bot.send(lead, text)
        assert reply.text.startswith(expected), (text, reply.text)


async def test_a_brief_is_for_leads_and_housekeeping_reads_its_rooms(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    maid = await bot.join("housekeeping", "la", language="en")
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(lead, "/new 王先生 +1 213 555 0142")
    await bot.send(lead, "/note 王先生: 高楼层, 羽毛过敏, 靠窗")
    await bot.send(lead, "/arrive 王先生 room 1203")
    [refused] = await bot.send(waiter, "/brief")
    assert refused.text == "Your role can't do that. Ask your shift lead or manager."
    [rooms] = await bot.send(maid, "/brief")
    assert "room 1203 — 王先生 #1" in rooms.text
    assert "0142" not in rooms.text and "靠窗" not in rooms.text
    assert "羽毛过敏" in rooms.text and "高楼层" in rooms.text


async def test_an_ambiguous_brief_day_is_asked(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    [ask] = await bot.send(lead, "/brief 12-11")
    [brief] = await bot.press(lead, ask, "Fri 11 Dec")
    assert brief.text.startswith("📋 Brief · Los Angeles · Fri 11 Dec")
    [bad] = await bot.send(lead, "/brief someday")
    assert bad.text.startswith("I can't read that day.")


async def test_an_occasion_is_saved_as_a_trait_and_shows_in_the_brief(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="zh")
    await bot.send(lead, "/new 王先生")
    [saved] = await bot.send(lead, "/occasion 王先生: 结婚纪念日 2016年11月24日")
    assert saved.text == "🎉 已为 王先生 #1 记下：💍 纪念日（10周年） — 下一次 11月24日 周二（2天后）"
    await bot.send(lead, "/book 王先生 明天晚上7点 2人")
    [brief] = await bot.send(lead, "/brief 明天")
    assert "💍 纪念日（10周年）" in brief.text and "明天" in brief.text
    [undated] = await bot.send(lead, "/occasion 王先生: 生日")
    assert undated.text.startswith("哪一天？")


async def test_a_first_time_caller_is_created_with_the_phone_they_gave(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    [offer] = await bot.send(lead, "/book 李女士 213 555 0177 Fri 8pm 2 people")
    assert offer.text == "No guest 李女士 yet. Create and book?"
    await bot.press(lead, offer, "Create 李女士")
    [card] = (await bot.send(lead, "0177"))[-1:]
    assert card.text.startswith("李女士 #1")
    [listing] = await bot.send(lead, "/book 213 555 0177")  # the phone finds her again
    assert listing.text == "📅 Bookings of 李女士 #1:\n• Fri 27 Nov 20:00 · 2 people"


async def test_a_second_booking_the_same_day_says_so(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new Smith")
    first, *_ = await bot.send(waiter, "/book Smith tomorrow 19:00")
    assert first.text.startswith("📅") and "Also booked" not in first.text
    second, *_ = await bot.send(waiter, "/book Smith tomorrow 19:30")
    assert "⚠️ Also booked that day at 19:00" in second.text
    other_day, *_ = await bot.send(waiter, "/book Smith Fri 19:00")
    assert other_day.text.startswith("📅") and "Also booked" not in other_day.text
