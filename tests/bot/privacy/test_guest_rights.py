"""Visibility by role, guardrails, feedback, the report, the audit trail, export and erasure,
through the real Application."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.scheduler import sweep_once
from bot.service_report.chart import png_size
from profiles.audit import AuditAction
from tests.bot.conftest import BotUnderTest

NOTE = ("peanut allergy, high floor room, window seat, has two kids, wears glasses, likes jazz,"
        " vegetarian")
# what each field of the card looks like when shown
FIELDS = {
    "name": "Zorander", "phone": "+12135559876", "phone_tail": "…9876",
    "allergy": "peanut allergy", "room": "high floor room", "seating": "window seat",
    "family": "has two kids", "looks": "wears glasses", "note": "likes jazz",
    "diet": "vegetarian", "private": "owes us a favour",
}
SEEN = {
    "housekeeping": {"name", "allergy", "room"},
    "kitchen": {"name", "allergy", "diet"},
    "waiter": set(FIELDS) - {"phone", "private"},
    "lead": set(FIELDS) - {"phone_tail"},
    "manager": set(FIELDS) - {"phone_tail"},
    "admin": set(FIELDS) - {"phone_tail"},
}
LA = ZoneInfo("America/Los_Angeles")
MONDAY_8_LA = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


async def remembered(bot: BotUnderTest, branch: str = "la") -> int:
    """A guest with a phone, traits of every kind and a private one; their id."""
    manager = await bot.join("manager", branch, name="Mona", language="en")
    await bot.send(manager, "/new Quixabel Zorander +1 213 555 9876")
    guest = (await bot.core.search.resolve("Zorander", branch=branch))[0]
    await bot.send(manager, f"/note #{guest.id}: {NOTE}")
    await bot.send(manager, f"/note #{guest.id}: 🔒 owes us a favour")
    return guest.id


@pytest.mark.parametrize("role", list(SEEN))
async def test_each_role_sees_each_field_or_not(bot: BotUnderTest, role: str) -> None:
    guest_id = await remembered(bot)
    member = await bot.join(role, "la", language="en")
    card = "\n".join(m.text for m in await bot.send(member, f"/guest #{guest_id}"))
    shown = {field for field, text in FIELDS.items() if text in card}
    assert shown == SEEN[role]


async def test_a_lead_of_another_branch_sees_neither_phone_nor_private_traits(
    bot: BotUnderTest,
) -> None:
    guest_id = await remembered(bot)
    lead = await bot.join("lead", "sh", language="en")
    card = (await bot.send(lead, f"/guest #{guest_id}"))[-1].text
    assert ("…9876" in card, "+12135559876" in card, "owes us a favour" in card) == (
        True, False, False)


async def test_lists_of_guests_obey_the_same_rules(bot: BotUnderTest) -> None:
    await remembered(bot)
    manager = (await bot.core.staff.in_branch("la"))[0]
    await bot.core.guests.create("Ava Zorander", "+12135551111", branch="la",
                                 staff_id=manager.id, region="US", now=bot.clock())
    housekeeping = await bot.join("housekeeping", "la", language="en")
    waiter = await bot.join("waiter", "la", language="en")
    for member, tail_shown in ((housekeeping, False), (waiter, True)):
        listing = (await bot.send(member, "zorander"))[-1]
        labels = " ".join(b.text for row in listing.buttons for b in row)
        assert ("…9876" in labels) == tail_shown


async def test_every_card_view_is_in_the_audit_trail_and_managers_read_it(
    bot: BotUnderTest,
) -> None:
    guest_id = await remembered(bot)
    waiter = await bot.join("waiter", "la", name="Wu", language="en")
    await bot.send(waiter, f"/guest #{guest_id}")
    manager = await bot.join("manager", "la", name="Max", language="en")
    trail = (await bot.send(manager, f"/audit #{guest_id}"))[-1].text
    assert "Wu (waiter) · viewed the card" in trail
    # in the reader's branch time, naming its zone, with the age in minutes under an hour
    assert f"{bot.clock().astimezone(LA):%Y-%m-%d %H:%M} PST (just now) · Wu (waiter)" in trail
    assert "Mona (manager) · created the guest" in trail
    refused = (await bot.send(waiter, f"/audit #{guest_id}"))[-1].text
    assert "role can't" in refused


async def test_a_judging_note_is_refused_with_a_hint_and_nothing_saved(bot: BotUnderTest) -> None:
    guest_id = await remembered(bot)
    waiter = await bot.join("waiter", "la", language="en")
    reply = (await bot.send(waiter, f"/note #{guest_id}: window seat, looks like a fatso"))[-1]
    assert "Not saved" in reply.text and "fatso" in reply.text and "tall, glasses" in reply.text
    health = (await bot.send(waiter, f"/note #{guest_id}: pregnant"))[-1]
    assert "health details" in health.text
    card = await bot.core.guests.card(guest_id)
    assert "fatso" not in str(card) and "pregnant" not in str(card)


async def test_the_private_button_hides_a_note_from_waiters(bot: BotUnderTest) -> None:
    guest_id = await remembered(bot)
    waiter = await bot.join("waiter", "la", language="en")
    saved = (await bot.send(waiter, f"/note #{guest_id}: going through a divorce"))[-1]
    await bot.press(waiter, saved, "🔒 Private")
    card = (await bot.send(waiter, f"/guest #{guest_id}"))[-1].text
    lead = await bot.join("lead", "la", language="en")
    lead_card = (await bot.send(lead, f"/guest #{guest_id}"))[-1].text
    assert "divorce" not in card and "🔒 <b>" not in card
    assert "going through a divorce" in lead_card


async def test_a_low_score_is_a_complaint_with_a_red_request(bot: BotUnderTest) -> None:
    guest_id = await remembered(bot)
    waiter = await bot.join("waiter", "la", language="en")
    replies = await bot.send(waiter, f"/feedback #{guest_id} 2 soup was cold")
    assert any("Recorded 2/5" in m.text and "request R" in m.text for m in replies)
    requests = await bot.core.requests.since(bot.clock().replace(year=2000), branch="la")
    assert [(r.guest_id, r.source.value) for r in requests] == [(guest_id, "complaint")]


@pytest.mark.parametrize("command", ["/feedback #1 7", "/feedback #1 0 awful", "/feedback #1"])
async def test_a_score_outside_one_to_five_is_refused(bot: BotUnderTest, command: str) -> None:
    await remembered(bot)
    waiter = await bot.join("waiter", "la", language="en")
    reply = (await bot.send(waiter, command))[-1].text
    assert "1 to 5" in reply or "Usage" in reply
    assert await bot.core.db.read(lambda c: c.execute("SELECT COUNT(*) FROM feedback")
                                  .fetchone()[0]) == 0


async def test_the_score_is_asked_once_after_a_visit_closes(bot: BotUnderTest) -> None:
    guest_id = await remembered(bot)
    waiter = await bot.join("waiter", "la", language="en")
    me = await bot.core.staff.by_telegram_id(waiter.id)
    assert me is not None
    visit = await bot.core.visits.arrive(guest_id, branch="la", staff_id=me.id, now=bot.clock())
    await bot.core.visits.leave(visit.id, now=bot.clock.advance(hours=1))
    await sweep_once(bot.app.bot, bot.core, bot.clock.advance(minutes=1))
    await sweep_once(bot.app.bot, bot.core, bot.clock.advance(minutes=1))
    asks = [m for m in bot.messages(waiter) if "find the visit" in m.text]
    assert len(asks) == 1 and [b.text for b in asks[0].buttons[0]] == ["1", "2", "3", "4", "5"]
    await bot.press(waiter, asks[0], "4")
    assert "Recorded 4/5" in bot.last(waiter).text
    await bot.press(waiter, asks[0], "5")
    assert bot.answers[-1].text == "This visit's score is already recorded."


async def test_a_lead_gets_the_report_with_a_chart_a_waiter_is_refused_and_logged(
    bot: BotUnderTest,
) -> None:
    await remembered(bot)
    lead = await bot.join("lead", "la", language="en")
    text, chart = await bot.send(lead, "/report")
    assert "Service audit · Los Angeles" in text.text and "No visits this week." in text.text
    assert chart.kind == "photo"
    photo = bot.api.calls_to("sendPhoto")[-1].uploads[0].content
    assert png_size(photo) == (1200, 800)
    assert "role can't" in (await bot.send(lead, "/report sh"))[-1].text
    waiter = await bot.join("waiter", "la", language="en")
    assert "role can't" in (await bot.send(waiter, "/report"))[-1].text
    me = await bot.core.staff.by_telegram_id(waiter.id)
    assert me is not None
    refused = await bot.core.audit.for_staff(me.id)
    assert [(e.action, e.details) for e in refused] == [(AuditAction.REFUSED,
                                                         {"command": "report"})]


async def test_managers_get_last_weeks_report_on_monday_morning_exactly_once(
    bot: BotUnderTest,
) -> None:
    manager = await bot.join("manager", "la", language="en")
    bot.clock.now = MONDAY_8_LA
    before = len(bot.messages(manager))
    for minutes in (0, 1, 60):
        await sweep_once(bot.app.bot, bot.core, bot.clock.advance(minutes=minutes))
    new = bot.messages(manager)[before:]
    assert [m.kind for m in new] == ["text", "photo"]
    assert "week 2026-W47" in new[0].text


async def test_forget_erases_the_guest_from_search_export_and_tells_the_requests_people(
    bot: BotUnderTest,
) -> None:
    guest_id = await remembered(bot)
    waiter = await bot.join("waiter", "la", language="en")
    await bot.send(waiter, f"/feedback #{guest_id} 1 rude")
    assert "role can't" in (await bot.send(waiter, f"/forget #{guest_id}"))[-1].text
    manager = await bot.join("manager", "la", name="Mia", language="en")
    confirm = (await bot.send(manager, f"/forget #{guest_id}"))[-1]
    assert "open request" in confirm.text
    done = (await bot.press(manager, confirm, "🗑 Erase"))[-1]
    assert "Erased" in done.text
    assert any("asked us to forget them" in m.text for m in bot.messages(waiter))
    for query in ("zorander", "9876", f"#{guest_id}"):
        assert "No guest matches" in (await bot.send(manager, query))[-1].text
    assert "No guest matches" in (await bot.send(manager, f"/export #{guest_id}"))[-1].text
    inline = await bot.inline(manager, "zorander")
    assert inline is None or "Zorander" not in json.dumps(inline.results)
    await bot.press(manager, confirm, "🗑 Erase")
    assert bot.answers[-1].text == "That guest was already erased."


async def test_keep_answers_the_question_and_erases_nothing(bot: BotUnderTest) -> None:
    guest_id = await remembered(bot)
    manager = await bot.join("manager", "la", language="en")
    confirm = (await bot.send(manager, f"/forget #{guest_id}"))[-1]
    [kept] = await bot.press(manager, confirm, "Keep")
    assert (kept.text, kept.buttons) == ("Kept: nothing was erased.", [])
    assert f"#{guest_id}" in (await bot.send(manager, f"#{guest_id}"))[-1].text


async def test_export_sends_the_whole_record_as_json(bot: BotUnderTest) -> None:
    guest_id = await remembered(bot)
    manager = await bot.join("manager", "la", language="en")
    sent = (await bot.send(manager, f"/export #{guest_id}"))[-1]
    assert sent.kind == "document"
    upload = bot.api.calls_to("sendDocument")[-1].uploads[0]
    document = json.loads(upload.content)
    assert upload.filename == f"guest-{guest_id}.json"
    assert document["guest"]["phone"] == "+12135559876"
    assert {t["text"] for t in document["traits"]} >= {"peanut allergy", "owes us a favour"}
    assert document["traits"][0]["logged_by"] == "Mona"
    entries = await bot.core.audit.for_guest(guest_id, actions=(AuditAction.EXPORT,))
    assert len(entries) == 1


@pytest.mark.parametrize(("role", "hidden"), [
    ("housekeeping", ("9876", "has two kids", "owes us a favour", "window seat")),
    ("waiter", ("+12135559876", "owes us a favour")),
])
async def test_inline_answers_obey_the_same_rules(bot: BotUnderTest, role: str,
                                                  hidden: tuple[str, ...]) -> None:
    await remembered(bot)
    member = await bot.join(role, "la", language="en")
    answer = await bot.inline(member, "zorander")
    assert answer is not None and answer.results
    shown = json.dumps(answer.results, ensure_ascii=False)
    assert "Zorander" in shown and "peanut allergy" in shown
    assert [word for word in hidden if word in shown] == []
