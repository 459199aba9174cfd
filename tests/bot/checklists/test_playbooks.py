"""Playbooks through the real Application: /arrive, checklists, the kitchen's Seen, reminders."""

from datetime import timedelta

from bot.scheduler import sweep_once
from bot.state import Core
from bot.terminal.api import LocalUser, SentMessage
from playbooks.events import Event, EventKind
from profiles.models import Category, Segment, TraitDraft
from tests.bot.conftest import BotUnderTest


async def guest_with(bot: BotUnderTest, name: str, *traits: tuple[Category, str]) -> int:
    """A guest known from an earlier note (set up through the core, without chat noise)."""
    guest = await bot.core.guests.create(name, None, branch="la", staff_id=None, region="US",
                                         now=bot.clock())
    drafts = [TraitDraft(category=category, text=text) for category, text in traits]
    if drafts:
        author = await bot.core.staff.in_branch("la")
        await bot.core.traits.log(guest.id, drafts, staff_id=author[0].id, branch="la",
                                  now=bot.clock())
    return guest.id


def titled(bot: BotUnderTest, user: LocalUser, start: str) -> SentMessage:
    """The one message in the user's chat whose text starts with `start`, as it stands now."""
    [found] = [m for m in bot.messages(user) if m.text.startswith(start)]
    return found


async def sweep(bot: BotUnderTest, core: Core | None = None) -> int:
    return await sweep_once(bot.app.bot, core or bot.core, bot.clock())


async def arrive_allergy_guest(bot: BotUnderTest, waiter: LocalUser) -> list[SentMessage]:
    await guest_with(bot, "王先生", (Category.ALLERGY, "花生过敏"))
    return await bot.send(waiter, "/arrive 王先生 table 12")


async def test_arrive_shows_the_card_and_sends_the_checklist_to_the_roles_it_names(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    other_branch = await bot.join("waiter", "sh", name="Bo", language="en")
    card, summary, checklist = await arrive_allergy_guest(bot, waiter)
    assert card.text.startswith("王先生 #") and "花生过敏" in card.text
    assert summary.text.splitlines()[0].startswith("✅ Arrival recorded at 04:00: 王先生 #")
    assert "📋 Guest with an allergy → 2 colleague(s)" in summary.text
    assert checklist.text.splitlines()[:3] == [
        "📋 Guest with an allergy", summary.text.splitlines()[0].split(": ", 1)[1],
        "⬜ 1. Confirm the allergy and how severe it is with the guest — by 04:03"]
    assert checklist.buttons[0][0].text == "⬜ 1. Confirm the allergy and how…"  # at a word
    watched = titled(bot, lead, "📋 Guest with an allergy")
    assert (watched.text.splitlines(), watched.buttons) == (
        ["📋 Guest with an allergy — 0/4 done", checklist.text.splitlines()[1]], [])
    assert [m for m in bot.messages(other_branch) if "📋" in m.text] == []


async def test_ticking_every_step_completes_the_checklist_and_late_presses_change_nothing(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    *_, checklist = await arrive_allergy_guest(bot, waiter)
    [ticked] = await bot.press(waiter, checklist, "1.")
    assert ticked.edited and "✅ 1. Confirm the allergy and how severe it is with the guest — Ana 04:00" in ticked.text
    assert bot.answers[-1].text == "Marked done."
    await bot.press(waiter, ticked, "1.")
    assert bot.answers[-1].text == "Ana did that already, at 04:00."
    for step in ("2.", "3.", "4."):
        [ticked] = await bot.press(waiter, ticked, step)
    assert ticked.text.startswith("✅ Guest with an allergy — complete")
    assert (ticked.buttons, bot.answers[-1].text) == ([], "All steps done: checklist complete.")
    await bot.press(waiter, checklist, "2.")  # the buttons of the copy as it was sent
    assert bot.answers[-1].text == "This checklist is complete already."
    assert bot.api.last_to(lead.id).text.startswith("✅ Guest with an allergy — complete")
    [run] = [run for run in await bot.core.playbooks.runs.in_period(
        "la", bot.clock() - timedelta(hours=1), bot.clock() + timedelta(hours=1))
        if run.playbook_id == "allergy_guest"]
    assert run.complete and {step.done_by_name for step in run.steps} == {"Ana"}


async def test_the_kitchen_sees_the_allergy_alert_and_presses_seen(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    cook = await bot.join("kitchen", name="Chen", language="en")
    _, summary, _ = await arrive_allergy_guest(bot, waiter)
    assert "⚠️ Allergy alert sent to the kitchen (1)" in summary.text
    alert = bot.last(cook)
    assert alert.text.splitlines()[0] == "⚠️ Allergy guest arriving"
    assert "花生过敏" in alert.text and "table 12" in alert.text
    [seen] = await bot.press(cook, alert, "Seen")
    assert bot.answers[-1].text == "Thanks: the floor can see you have it."
    assert seen.text.splitlines()[-1] == "👀 Seen by Chen 04:00"
    await bot.press(cook, seen, "Seen")
    assert bot.answers[-1].text == "You marked this seen already."


async def test_no_seen_in_time_tells_the_shift_lead_once(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    await bot.join("kitchen", name="Chen", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await arrive_allergy_guest(bot, waiter)
    bot.clock.advance(minutes=4, seconds=59)
    await sweep(bot)
    assert not [m for m in bot.messages(lead) if m.text.startswith("🚨")]
    bot.clock.advance(seconds=1)
    await sweep(bot)
    await sweep(bot)
    [told] = [m for m in bot.messages(lead) if m.text.startswith("🚨")]
    assert told.text.splitlines()[0] == (
        "🚨 The kitchen has not confirmed an allergy (nobody pressed Seen within 5 min)")
    [acknowledged] = await bot.press(lead, told, "Kitchen told")
    assert acknowledged.text.splitlines()[-1] == "👀 Seen by Mei 04:05"


async def test_seen_in_time_keeps_the_lead_out_of_it(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    cook = await bot.join("kitchen", name="Chen", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await arrive_allergy_guest(bot, waiter)
    await bot.press(cook, bot.last(cook), "Seen")
    bot.clock.advance(minutes=30)
    await sweep(bot)
    assert not [m for m in bot.messages(lead) if m.text.startswith("🚨")]


async def test_a_branch_without_kitchen_staff_tells_the_lead_at_once(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    _, summary, _ = await arrive_allergy_guest(bot, waiter)
    assert summary.text.splitlines()[-1].startswith("⚠️ Nobody in this kitchen is on guestcard")
    await sweep(bot)
    assert titled(bot, lead, "🚨").text.splitlines()[0] == (
        "🚨 An allergy guest arrived and nobody in the kitchen is on guestcard")


async def test_a_due_step_is_reminded_once_then_reported_to_the_lead_across_a_restart(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await arrive_allergy_guest(bot, waiter)
    guest = (await bot.core.search.resolve("王先生", branch="la"))[0].id
    bot.clock.advance(minutes=3)
    await sweep(bot)
    reminder = bot.last(waiter)
    assert reminder.text.splitlines() == [
        "⏰ Due now (1):", "• Confirm the allergy and how severe it is with the guest — "
        f"王先生 #{guest} · table 12 (by 04:03)"]
    [done] = [m for m in await bot.press(waiter, reminder, "✅ Confirm")
              if m.message_id == reminder.message_id]
    assert done.text == "✅ Confirm the allergy and how severe it is with the guest — Ana 04:03"
    bot.clock.advance(minutes=12)  # 04:15: "ticket" and "kitchen" (due 04:05) are late
    restarted = await Core.open(bot.core.settings, bot.clock)
    try:
        await sweep(bot, restarted)
        await sweep(bot)
    finally:
        await restarted.close()
    [late] = [m.text.splitlines() for m in bot.messages(lead) if m.text.startswith("⚠️")]
    assert late == [
        "⚠️ Not done in time (2):",
        f"• Mark the allergy on the order ticket — 王先生 #{guest} · table 12 (due 04:05, "
        "10 min late)",
        "• Make sure the kitchen has seen the allergy alert — "
        f"王先生 #{guest} · table 12 (due 04:05, 10 min late)"]
    reminders = [m.text.splitlines()[0] for m in bot.messages(waiter) if m.text.startswith("⏰")]
    # "confirm" was reminded at 04:03 and done there (that reminder now says so); these once
    assert reminders == ["⏰ Due now (2):"]


async def test_the_same_arrival_typed_twice_sends_nothing_again(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    cook = await bot.join("kitchen", name="Chen", language="en")
    await arrive_allergy_guest(bot, waiter)
    bot.clock.advance(minutes=2)
    _, note = await bot.send(waiter, "/arrive 王先生")
    assert note.text.startswith("This guest's arrival was recorded at 04:00 already")
    assert len([m for m in bot.messages(cook) if m.text.startswith("⚠️")]) == 1


async def test_arrive_without_a_guest_or_with_an_unknown_one_says_so(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    [usage] = await bot.send(waiter, "/arrive")
    assert usage.text.startswith("Who has arrived?")
    [none] = await bot.send(waiter, "/arrive Nobody table 3")
    assert none.text.startswith("No guest matches Nobody")


async def test_among_several_guests_the_chosen_one_arrives_at_the_table_typed(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    await guest_with(bot, "王先生")
    await guest_with(bot, "王女士")
    [choices] = await bot.send(waiter, "/arrive 王 12号桌")
    await bot.press(waiter, choices, "王女士")
    [visit] = await bot.core.visits.for_guest(
        (await bot.core.search.resolve("王女士", branch="la"))[0].id)
    assert visit.table_no == "12"


async def test_leave_frees_the_table_and_raises_checkout(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    guest = await guest_with(bot, "Smith")
    await bot.send(waiter, "/arrive Smith table 7")
    [left] = await bot.send(waiter, "/leave table 7")
    assert left.text.startswith("👋 Left: Smith #") and "table 7" in left.text
    assert [event.kind for event in await bot.core.events.recorded(guest)] == [
        EventKind.GUEST_ARRIVED, EventKind.GUEST_SEATED, EventKind.GUEST_CHECKOUT]
    [again] = await bot.send(waiter, "/leave Smith")
    assert again.text.endswith("has no open visit in this branch.")


async def test_a_note_with_a_new_allergy_prompts_the_shift_lead(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await guest_with(bot, "王先生")
    await bot.send(waiter, "/book 王先生 tomorrow 19:00")
    [saved] = await bot.send(waiter, "/note 王先生: 对虾过敏")
    assert "+ Allergy: shrimp (对虾过敏)" in saved.text
    assert bot.last(lead).text.startswith("📋 Allergy just logged")
    await bot.send(waiter, "/note 王先生: 靠窗")
    assert len([m for m in bot.messages(lead) if m.text.startswith("📋 Allergy")]) == 1


async def test_an_allergy_of_a_guest_neither_in_nor_booked_prompts_nobody(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await guest_with(bot, "王先生")
    await bot.send(waiter, "/arrive 王先生")
    bot.clock.advance(hours=13)  # yesterday's dinner, never closed: not in any more
    await guest_with(bot, "李女士")
    for name in ("王先生", "李女士"):
        [saved] = await bot.send(waiter, f"/note {name}: 对虾过敏")
        assert "+ Allergy: shrimp (对虾过敏)" in saved.text  # kept on the card for their next visit
    assert [m for m in bot.messages(lead) if m.text.startswith("📋 Allergy")] == []
    await bot.send(waiter, "/arrive 李女士")
    await bot.send(waiter, "/note 李女士: 花生过敏")  # in now: the kitchen must hear
    assert bot.last(lead).text.startswith("📋 Allergy just logged")


async def test_an_allergy_noted_while_the_guest_is_in_reaches_the_kitchen_at_once(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    cook = await bot.join("kitchen", name="Chen", language="en")
    await guest_with(bot, "王先生")
    await guest_with(bot, "李女士")
    await bot.send(waiter, "/arrive 王先生 table 12")
    alerts_before = len(bot.messages(cook))
    await bot.send(waiter, "/note 李女士: 芝麻过敏")  # not in: nothing for the kitchen today
    assert len(bot.messages(cook)) == alerts_before
    assert "kitchen" not in bot.last(waiter).text
    await bot.send(waiter, "/note 王先生: 芝麻过敏 很严重")
    # the waiter is told the kitchen has it, as on an arrival
    assert bot.last(waiter).text.splitlines()[-1] == "⚠️ Allergy alert sent to the kitchen (1)"
    alert = bot.last(cook)
    assert alert.text.splitlines()[0] == "⚠️ Allergy just noted for a guest who is in"
    assert "table 12" in alert.text and "芝麻过敏 很严重" in alert.text
    await bot.press(cook, alert, "Seen")
    prompt = titled(bot, lead, "📋 Allergy just logged")  # the kitchen's Seen ticks its step
    assert ("✅ 1. If the guest is in, make sure the kitchen has seen the allergy alert — Chen"
            in prompt.text)


async def test_a_second_allergy_noted_before_the_first_is_handled_adds_no_second_checklist(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    cook = await bot.join("kitchen", name="Chen", language="en")
    await guest_with(bot, "王先生")
    await bot.send(waiter, "/arrive 王先生 table 12")
    await bot.send(waiter, "/note 王先生: peanut allergy, carries an epipen")
    await bot.send(waiter, "/note 王先生: also allergic to sesame")
    assert len([m for m in bot.messages(lead) if m.text.startswith("📋 Allergy")]) == 1
    newest = bot.last(cook)  # the kitchen's newest alert lists both
    assert "peanut" in newest.text and "sesame" in newest.text
    await bot.press(cook, newest, "Seen")  # and its Seen ticks the one checklist
    prompt = titled(bot, lead, "📋 Allergy just logged")
    assert ("✅ 1. If the guest is in, make sure the kitchen has seen the allergy alert — Chen"
            in prompt.text)
    bot.clock.advance(hours=13)  # the next day's visit: a checklist of its own
    await bot.send(waiter, "/arrive 王先生 table 3")
    await bot.send(waiter, "/note 王先生: 芒果过敏")
    assert len([m for m in bot.messages(lead) if m.text.startswith("📋 Allergy")]) == 2


async def test_an_allergy_noted_in_another_branch_reaches_the_kitchen_where_the_guest_is(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", "la", language="en")
    far = await bot.join("waiter", "sh", language="zh")
    cook = await bot.join("kitchen", "la", name="Chen", language="en")
    await guest_with(bot, "王先生")
    await bot.send(waiter, "/arrive 王先生 table 12")
    await bot.send(far, "/note 王先生: 牛奶过敏")  # typed in Shanghai, the guest in Los Angeles
    alert = bot.last(cook)
    assert alert.text.splitlines()[0] == "⚠️ Allergy just noted for a guest who is in"
    assert "table 12" in alert.text and "牛奶过敏" in alert.text


async def test_a_booking_raised_elsewhere_prepares_a_vips_room_before_arrival(
    bot: BotUnderTest,
) -> None:
    housekeeper = await bot.join("housekeeping", name="Lily", language="en")
    guest = await guest_with(bot, "Smith")
    await bot.core.guests.set_tags(guest, segment=Segment.KEY, now=bot.clock())
    expected = bot.clock() + timedelta(days=1)
    booked = Event(kind=EventKind.BOOKING_CREATED, guest_id=guest, branch="la", at=bot.clock(),
                   details={"booking_id": 9, "room": "1203", "expected_at": expected.isoformat()})
    await bot.core.db.write(lambda conn: bot.core.events.publish(conn, [booked], bot.clock()))
    await sweep(bot)
    checklist = bot.last(housekeeper)
    assert checklist.text.splitlines()[:3] == [
        "📋 VIP room preparation", f"Smith #{guest} · room 1203",
        "⬜ 1. Inspect the room: clean, everything working, temperature — by 11-23 02:00"]


async def test_playbooks_lists_what_is_in_force_and_the_week_for_a_lead(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    *_, checklist = await arrive_allergy_guest(bot, waiter)
    await bot.press(waiter, checklist, "1.")
    bot.clock.advance(hours=1)
    [listing] = await bot.send(waiter, "/playbooks")
    assert listing.text.splitlines()[0].startswith("Service playbooks in force (")
    assert ("• Guest with an allergy — guest arrives (allergy) → waiter, shift lead · 4 steps"
            in listing.text.splitlines())
    assert "week of" not in listing.text
    [figures] = await bot.send(lead, "/playbooks")
    lines = figures.text.splitlines()
    assert lines[lines.index("Los Angeles · week of 11-16") + 1:] == [
        "2 runs, 0 complete (0 %) · 1/8 steps done", "Most often missed:",
        "• Mark the allergy on the order ticket — Guest with an allergy: 1×",
        "• Make sure the kitchen has seen the allergy alert — Guest with an allergy: 1×",
        "• Water glasses refilled to 80 % — Service standards spot check: 1×",
        "• Toothpicks in a pentagon, logo up — Service standards spot check: 1×",
        "• Table, cutlery and napkins set to standard — Service standards spot check: 1×"]
    [refused] = await bot.send(lead, "/playbooks sh")
    assert refused.text.startswith("You can see the figures of your own branch only")


async def test_a_reminder_whose_step_was_done_before_it_went_out_is_not_sent(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    *_, checklist = await arrive_allergy_guest(bot, waiter)
    bot.clock.advance(minutes=3)
    await bot.core.playbooks.plan(bot.clock())  # decided: "confirm" is due now
    await bot.press(waiter, checklist, "1.")
    await sweep(bot)
    assert [m for m in bot.messages(waiter) if m.text.startswith("⏰")] == []


async def test_an_admin_sees_any_branchs_figures_and_last_week(bot: BotUnderTest) -> None:
    admin = await bot.join("admin", name="Ada", language="en")
    [shanghai] = await bot.send(admin, "/playbooks sh")
    assert "Shanghai · week of 11-16" in shanghai.text.splitlines()
    assert shanghai.text.splitlines()[-1] == "No playbook ran this week."
    [last] = await bot.send(admin, "/playbooks last")
    assert "Los Angeles · week of 11-09" in last.text.splitlines()


async def test_the_kitchens_seen_redraws_the_recorders_receipt_and_ticks_the_kitchen_step(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    cook = await bot.join("kitchen", name="Chen", language="en")
    _, receipt, checklist = await arrive_allergy_guest(bot, waiter)
    assert "⚠️ Allergy alert sent to the kitchen (1)" in receipt.text
    before = len(bot.messages(waiter))
    bot.clock.advance(minutes=1)
    await bot.press(cook, bot.last(cook), "Seen")
    assert len(bot.messages(waiter)) == before  # edits, not new messages
    receipt_now = next(m for m in bot.messages(waiter) if m.message_id == receipt.message_id)
    assert receipt_now.edited
    assert receipt_now.text.splitlines()[-1] == "👀 The kitchen has the allergy: Chen 04:01"
    checklist_now = next(m for m in bot.messages(waiter)
                         if m.message_id == checklist.message_id)
    assert ("✅ 3. Make sure the kitchen has seen the allergy alert — Chen 04:01"
            in checklist_now.text.splitlines())


async def test_an_allergy_nobody_in_the_branch_can_take_reaches_an_admin(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", name="Ana", language="en")
    admin = await bot.join("admin", "sh", name="Ada", language="en")
    await arrive_allergy_guest(bot, waiter)
    await sweep(bot)
    assert titled(bot, admin, "🚨").text.splitlines()[0] == (
        "🚨 An allergy guest arrived and nobody in the kitchen is on guestcard")


async def test_a_newcomer_booked_twice_starts_the_first_booking_playbook_once(
    bot: BotUnderTest,
) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await guest_with(bot, "Bea Lin")
    for when in ("tomorrow 19:00", "tomorrow 21:00", "Fri 19:30"):
        replies = await bot.send(waiter, f"/book Bea Lin {when}")
        assert any("First visit" in m.text or "first visit" in m.text for m in replies)
    firsts = [m for m in bot.messages(lead) if m.text.startswith("📋 First-time booking")]
    assert len(firsts) == 1
