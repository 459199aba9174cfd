"""Relayed requests through the real Application: relay, race, done, told; escalations."""

from datetime import timedelta
from http import HTTPStatus

from bot.i18n import t
from bot.scheduler import flush, sweep_once
from bot.terminal.api import LocalUser, SentMessage
from playbooks.requests.store import open_complaint
from tests.bot.conftest import BotUnderTest

BILL = "/request room 1203: the cashier forgot the discount on the bill"


async def checked_in(bot: BotUnderTest, name: str = "王先生", room: str = "1203") -> int:
    guest = await bot.core.guests.create(name, None, branch="la", staff_id=None, region="CN",
                                         now=bot.clock())
    await bot.core.visits.arrive(guest.id, branch="la", staff_id=None, now=bot.clock(),
                                 room=room)
    return guest.id


def newest(bot: BotUnderTest, user: LocalUser, text: str) -> SentMessage:
    return next(m for m in reversed(bot.messages(user)) if text in m.text)


async def sweep(bot: BotUnderTest) -> None:
    await sweep_once(bot.app.bot, bot.core, bot.clock())


async def test_relay_accept_race_done_and_the_originator_is_told(bot: BotUnderTest) -> None:
    cleaner = await bot.join("housekeeping", name="Lily", language="en")
    mei = await bot.join("lead", name="Mei", language="en")
    bo = await bot.join("lead", name="Bo", language="en")
    await checked_in(bot)

    before = len(bot.messages(cleaner))
    [receipt] = await bot.send(cleaner, BILL)
    assert receipt.text.startswith("📨 R1 for room 1203 went to Guest services (Mei, Bo) · "
                                   "🔴 urgent: accept within 5 min, done within 30 min.")
    for lead in (mei, bo):
        alert = bot.last(lead)
        assert alert.text.splitlines()[:3] == [
            "🔴 R1 · Guest services", "room 1203 · 王先生 #1",
            "“the cashier forgot the discount on the bill”"]

    bos = bot.last(bo)  # as Bo sees it before Mei's press reaches him
    await bot.press(mei, bot.last(mei), "Accept")
    await bot.press(bo, bos, "Accept")
    assert bot.answers[-1].text.startswith("Mei has R1 already") and bot.answers[-1].show_alert
    assert bot.last(cleaner).text.startswith("✋ Mei (Guest services) took R1 for room 1203")

    await bot.press(mei, newest(bot, mei, "R1 · Guest services"), "Done")
    assert bot.last(cleaner).text.startswith("✅ Guest services (Mei) finished R1 for room 1203")
    prompt = bot.last(mei)
    assert prompt.text.startswith("✍️ R1: reply to this message")
    [thanks] = await bot.send(mei, "called him back and corrected the bill", reply_to=prompt)
    assert thanks.text == "Thanks: Lily will read it."
    assert bot.last(cleaner).text.splitlines() == [
        "✅ Guest services (Mei) finished R1 for room 1203 at 04:00.",
        "📝 called him back and corrected the bill"]
    # taken, done and the note: one receipt, redrawn each time
    assert len(bot.messages(cleaner)) == before + 1
    assert bot.last(cleaner).message_id == receipt.message_id

    assert bot.last(bo).buttons == []  # Bo's copy, redrawn: nothing left to press
    await bot.press(bo, bos, "Done")  # pressed on the copy as it was
    assert bot.answers[-1].text.startswith("R1 was already done by Mei at")


async def test_housekeeping_relays_by_room_without_reading_the_guest(bot: BotUnderTest) -> None:
    cleaner = await bot.join("housekeeping", language="en")
    lead = await bot.join("lead", language="en")
    await checked_in(bot)
    replies = await bot.send(cleaner, BILL)
    assert [r.text for r in replies if "王" in r.text] == []
    assert "王先生" in bot.last(lead).text  # the department sees whom to call


async def test_an_unaccepted_request_escalates_at_the_minute_once(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    cleaner = await bot.join("housekeeping", name="Lily", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    manager = await bot.join("manager", name="Max", language="en")
    await checked_in(bot)
    await bot.send(waiter, "/request room 1203: two more towels please")  # yellow: 15 / 120
    assert bot.last(cleaner).text.startswith("🟡 R1 · Housekeeping")
    before = len(bot.messages(lead))

    bot.clock.advance(minutes=14, seconds=59)
    await sweep(bot)
    assert len(bot.messages(lead)) == before
    bot.clock.advance(seconds=1)
    await sweep(bot)
    await sweep(bot)
    escalated = bot.messages(lead)[before:]
    assert [m.text.splitlines()[0] for m in escalated] == [
        "⏰ R1 was not accepted within 15 min. Please see that someone takes it."]
    overdue = [m.text for m in bot.messages(waiter) if m.text.startswith("⏰")]
    assert overdue == ["⏰ Nobody has taken R1 for room 1203 yet (0 min past its deadline); "
                       "it is now with Mei."]

    await bot.press(lead, escalated[0], "Accept")  # the lead takes it: that clock stops
    bot.clock.advance(minutes=105)  # 120 min after the relay: not done
    await sweep(bot)
    assert bot.last(manager).text.startswith("⏰ R1 is not done 120 min after it was relayed.")
    assert len([m for m in bot.messages(waiter) if m.text.startswith("⏰")]) == 1  # once
    assert "✋ Accepted by Mei" in bot.last(manager).text


async def test_an_escalation_skips_the_one_who_holds_the_request_up_to_the_admins(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    manager = await bot.join("manager", name="Max", language="en")  # the branch's only one
    admin = await bot.join("admin", "sh", name="Ada", language="en")
    await checked_in(bot)
    await bot.send(waiter, BILL)  # red, to the front desk: the manager, no lead here
    await bot.press(manager, bot.last(manager), "Accept")
    before = len(bot.messages(manager))
    bot.clock.advance(minutes=31)  # red: done within 30 min
    await sweep(bot)
    assert len(bot.messages(manager)) == before  # not told of their own delay
    escalated = bot.last(admin).text
    assert escalated.startswith("⏰ R1 is not done 30 min after it was relayed.")
    # far away in Shanghai: the request's Los Angeles times name their zone
    assert "at 04:00 PST · accept by 04:05 PST · done by 04:30 PST" in escalated
    assert "PST" not in newest(bot, manager, "R1 · Guest services").text  # at home: plain


async def test_done_stops_every_clock(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    cleaner = await bot.join("housekeeping", language="en")
    lead = await bot.join("lead", language="en")
    await checked_in(bot)
    await bot.send(waiter, "/request room 1203: towels")
    await bot.press(cleaner, bot.last(cleaner), "Done")
    before = len(bot.messages(lead))
    bot.clock.advance(days=1)
    await sweep(bot)
    assert len(bot.messages(lead)) == before


async def test_bad_requests_get_a_clear_answer_and_save_nothing(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    await checked_in(bot)
    for text, expected in [
        ("/request", t("en", "request.usage")),
        ("/request room 1203:", t("en", "request.usage")),
        ("/request 张三: towels", "No guest matches 张三. Check the name, or give the room or "
                                 "table: /request room 1203: …"),
        ("/request room 1203: " + "x" * 4000, t("en", "request.too_long", length=4000,
                                                limit=500)),
    ]:
        [reply] = await bot.send(waiter, text)
        assert reply.text == expected, text
    assert await bot.core.requests.since(bot.clock() - timedelta(days=1)) == []


async def test_an_ambiguous_name_is_chosen_before_the_request_goes(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", language="en")
    for _ in range(2):
        await bot.core.guests.create("王先生", None, branch="la", staff_id=None, region="CN",
                                     now=bot.clock())
    [choice] = await bot.send(waiter, "/request 王先生: wrong bill")
    assert choice.text == "Which guest is 王先生? The request goes out when you choose."
    before = len(bot.messages(lead))
    [sent] = await bot.press(waiter, choice, "#2")
    assert sent.text.startswith("📨 R1 for 王先生 went to Guest services")
    assert "王先生 #2" in bot.messages(lead)[before].text
    await bot.press(waiter, choice, "#1")  # pressed again: not a second request
    assert bot.answers[-1].text == t("en", "request.draft_gone")


async def test_the_originator_moves_a_request_to_another_desk_and_lane(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", language="en")
    cleaner = await bot.join("housekeeping", language="en")
    await checked_in(bot)
    [receipt] = await bot.send(waiter, "/request room 1203: the guest asked about the pool")
    assert "Guest services" in receipt.text
    [moved] = await bot.press(waiter, receipt, "Housekeeping")
    assert moved.text.startswith("📨 R1 for room 1203 went to Housekeeping")
    assert bot.last(cleaner).text.startswith("🟡 R1 · Housekeeping")
    [urgent] = await bot.press(waiter, moved, "🔴 urgent")
    assert "accept within 5 min" in urgent.text
    assert bot.last(cleaner).text.startswith("🔴 R1 · Housekeeping")
    await bot.press(cleaner, bot.last(cleaner), "Accept")
    await bot.press(waiter, urgent, "🟢 sales")
    assert bot.answers[-1].text.startswith("Housekeeping has R1 already")
    receipt_now = next(m for m in bot.messages(waiter) if m.message_id == urgent.message_id)
    assert receipt_now.text.startswith("✋ Housekeeping (Housekeeping) took R1")
    assert receipt_now.buttons == []  # taken: no longer movable
    assert bot.last(lead).text.startswith("🟡 R1 · Guest services")  # only the first relay


async def test_my_requests_list_what_i_relayed_and_what_my_desk_must_do(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    cleaner = await bot.join("housekeeping", name="Lily", language="en")
    await checked_in(bot)
    await bot.send(waiter, "/request room 1203: towels")
    await bot.send(waiter, "/request room 1203: new pillow")
    [listing] = await bot.send(cleaner, "/requests")
    assert listing.text.splitlines()[0] == "For your desk"
    assert [line.split(" ")[1] for line in listing.text.splitlines()[1:]] == ["R1", "R2"]
    answered = await bot.press(cleaner, listing, "Accept R1")  # the listing, and R1's copy
    [mine] = await bot.send(waiter, "/requests")
    assert mine.text.splitlines()[0] == "You relayed"
    assert mine.text.splitlines()[1].endswith("· with Lily")
    assert listing.message_id in [m.message_id for m in answered]


async def test_the_guest_card_shows_open_requests(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await checked_in(bot)
    await bot.send(waiter, BILL)
    await bot.press(lead, bot.last(lead), "Accept")
    card = (await bot.send(waiter, "/guest 王先生"))[-1]
    assert ("📨 🔴 R1 Guest services: “the cashier forgot the discount on the bill” — with Mei"
            in card.text)
    await bot.press(lead, bot.last(lead), "Done")
    card = (await bot.send(waiter, "/guest 王先生"))[-1]
    assert "R1" not in card.text


async def test_leads_read_the_request_figures_and_waiters_may_not(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", language="en")
    await checked_in(bot)
    await bot.send(waiter, BILL)
    bot.clock.advance(minutes=3)
    await bot.press(lead, bot.last(lead), "Accept")
    bot.clock.advance(minutes=10)
    await bot.press(lead, bot.last(lead), "Done")
    [report] = await bot.send(lead, "/report requests week")
    assert report.text.splitlines() == [
        "Requests, last 7 days — Los Angeles",
        "Guest services 🔴 urgent: 1 · accepted in 3 min (100% in time) · done in 13 min "
        "(100% in time) · declined 0"]
    [refused] = await bot.send(waiter, "/report requests")
    assert refused.text == t("en", "not_allowed")
    [usage] = await bot.send(lead, "/report requests yesterday")
    assert usage.text == t("en", "requests.report.usage")


async def test_a_feedback_complaint_opens_a_red_request(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", language="en")
    guest_id = await checked_in(bot)
    member = await bot.core.staff.by_telegram_id(waiter.id)
    assert member is not None
    relayed = await bot.core.db.write(lambda conn: open_complaint(
        conn, bot.core.requests, guest_id, "la", member.id, "2/5: cold steak", bot.clock()))
    await flush(bot.app.bot, bot.core)
    request = relayed.request
    assert bot.last(lead).text.splitlines()[:2] == [
        "🔴 R1 · Guest services", "⚠️ Complaint from the guest's feedback"]
    assert request.number == "R1"


async def test_a_send_that_fails_is_retried_and_the_originator_still_answered(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", language="en")
    await checked_in(bot)
    before = len(bot.messages(lead))
    # the department's copy fails; the receipt goes out
    bot.api.fail_next("sendMessage", status=HTTPStatus.BAD_GATEWAY, to=lead)
    [receipt] = await bot.send(waiter, BILL)
    assert receipt.text.startswith("📨 R1 for room 1203 went to Guest services")
    assert len(bot.messages(lead)) == before
    bot.clock.advance(seconds=10)
    await sweep(bot)
    assert bot.messages(lead)[before].text.startswith("🔴 R1 · Guest services")


async def test_once_taken_or_declined_no_copy_of_the_request_offers_it_any_more(
    bot: BotUnderTest,
) -> None:
    cleaner = await bot.join("housekeeping", name="Lily", language="en")
    mei = await bot.join("lead", name="Mei", language="en")
    bo = await bot.join("lead", name="Bo", language="en")
    await checked_in(bot)
    await bot.send(cleaner, BILL)
    meis, bos = bot.last(mei), bot.last(bo)
    await bot.press(mei, meis, "Accept")
    bos_now = next(m for m in bot.messages(bo) if m.message_id == bos.message_id)
    assert bos_now.edited
    assert [b.text for row in bos_now.buttons for b in row] == ["✅ Done", "✖ Can't do"]
    await bot.press(mei, bot.last(mei), "Can't do")
    bos_now = next(m for m in bot.messages(bo) if m.message_id == bos.message_id)
    assert bos_now.buttons == []
    assert bot.last(cleaner).text.startswith("✖ Guest services (Mei) can't do R1")
