"""Checklists belong to someone: the one who recorded the arrival acts, the lead watches one
line, a tick redraws every copy, reminders and late reports come batched."""

from datetime import timedelta

from bot.terminal.api import LocalUser, SentMessage
from profiles.models import Category
from tests.bot.checklists.test_playbooks import guest_with, sweep
from tests.bot.conftest import BotUnderTest


def checklists(bot: BotUnderTest, user: LocalUser) -> list[SentMessage]:
    """The allergy and known-guest checklists in the user's chat, as they stand now."""
    return [m for m in bot.messages(user)
            if m.text.startswith(("📋 Guest", "📋 Known", "✅ Known", "✅ Guest"))]


def starting(bot: BotUnderTest, user: LocalUser, prefix: str) -> list[SentMessage]:
    return [m for m in bot.messages(user) if m.text.startswith(prefix)]


async def returning_guest(bot: BotUnderTest, name: str) -> None:
    """A guest seen before, so the known-guest playbook matches their arrival."""
    guest = await guest_with(bot, name, (Category.SEATING, "window seat"))
    await bot.core.visits.arrive(guest, branch="la", staff_id=None,
                                 now=bot.clock() - timedelta(days=7))


async def test_an_arrivals_checklist_goes_to_whoever_recorded_it_and_the_lead_watches_one_line(
    bot: BotUnderTest,
) -> None:
    ana = await bot.join("waiter", name="Ana", language="en")
    bo = await bot.join("waiter", name="Bo", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await guest_with(bot, "王先生", (Category.ALLERGY, "花生过敏"))
    *_, checklist = await bot.send(ana, "/arrive 王先生 table 12")
    assert checklist.text.splitlines()[0] == "📋 Guest with an allergy"
    assert len(checklist.buttons) == 4
    assert checklists(bot, bo) == []
    [watched] = checklists(bot, lead)
    assert watched.text.splitlines()[0] == "📋 Guest with an allergy — 0/4 done"
    assert watched.buttons == []


async def test_a_tick_redraws_every_copy_of_the_checklist_in_place(bot: BotUnderTest) -> None:
    ana = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    await guest_with(bot, "王先生", (Category.ALLERGY, "花生过敏"))
    *_, checklist = await bot.send(ana, "/arrive 王先生 table 12")
    await bot.press(ana, checklist, "1.")
    [watched] = checklists(bot, lead)
    assert watched.edited
    assert watched.text.splitlines()[0] == "📋 Guest with an allergy — 1/4 done"
    ticked = bot.last(ana)
    for step in ("2.", "3.", "4."):
        [ticked] = await bot.press(ana, ticked, step)
    assert [m.text.splitlines()[0] for m in checklists(bot, lead)] == [
        "✅ Guest with an allergy — complete"]


async def test_due_steps_come_in_one_reminder_per_person_then_a_quiet_period(
    bot: BotUnderTest,
) -> None:
    ana = await bot.join("waiter", name="Ana", language="en")
    for name in ("Smith", "Jones", "Brown"):
        await returning_guest(bot, name)
    for name in ("Smith", "Jones", "Brown"):
        await bot.send(ana, f"/arrive {name}")
    bot.clock.advance(minutes=2)  # each guest's "seat" falls due
    await sweep(bot)
    [reminder] = starting(bot, ana, "⏰")
    assert reminder.text.splitlines()[0] == "⏰ Due now (3):"
    assert len(reminder.buttons) == 3
    bot.clock.advance(minutes=3)  # the drinks fall due, inside the quiet period
    await sweep(bot)
    assert len(starting(bot, ana, "⏰")) == 1
    bot.clock.advance(minutes=2)
    await sweep(bot)
    later = starting(bot, ana, "⏰")[-1]
    assert (len(starting(bot, ana, "⏰")), later.text.splitlines()[0]) == (2, "⏰ Due now (3):")
    assert "Their usual drink" in later.text and "Greet" not in later.text
    await bot.press(ana, later, later.buttons[0][0])
    assert len(starting(bot, ana, "⏰")[-1].buttons) == 2


async def test_the_lead_gets_one_report_of_late_steps_per_shift(bot: BotUnderTest) -> None:
    ana = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    for name in ("Smith", "Jones"):
        await returning_guest(bot, name)
        await bot.send(ana, f"/arrive {name}")
    for _ in range(6):  # an hour of sweeps, every ten minutes
        bot.clock.advance(minutes=10)
        await sweep(bot)
    [report] = starting(bot, lead, "⚠️")
    assert report.text.splitlines()[0] == "⚠️ Not done in time (4):"
    assert "min late)" in report.text.splitlines()[1]


async def test_a_guest_who_left_is_no_longer_reminded_nor_reported_late(
    bot: BotUnderTest,
) -> None:
    ana = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    for name in ("Smith", "Jones"):
        await returning_guest(bot, name)
        await bot.send(ana, f"/arrive {name}")
    await bot.send(ana, "/leave Smith")  # a short stay: gone before anything fell due
    bot.clock.advance(minutes=2)
    await sweep(bot)
    [reminder] = starting(bot, ana, "⏰")
    assert reminder.text.splitlines()[0] == "⏰ Due now (1):"
    assert "Jones" in reminder.text and "Smith" not in reminder.text
    for _ in range(6):
        bot.clock.advance(minutes=10)
        await sweep(bot)
    [report] = starting(bot, lead, "⚠️")
    assert "Smith" not in report.text and "Jones" in report.text
