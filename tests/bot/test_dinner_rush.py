"""A dinner rush through the real Application: who hears what, and how often.

Three waiters, a shift lead and a cook; twelve returning guests arrive in twenty minutes,
four of them with an allergy. Two waiters record the arrivals, the third serves none of
them. Nobody ticks a step, the worst case for reminders and reports; the cook presses Seen
on each allergy within a minute. The sweep runs every minute for an hour.
"""

from collections import Counter
from datetime import timedelta

from bot.checklists.messages import LATE_LINES
from bot.scheduler import sweep_once
from bot.terminal.api import LocalUser
from profiles.models import Category, TraitDraft
from tests.bot.conftest import BotUnderTest

ALLERGIC = {2, 5, 8, 11}  # of guests 0…11
RECORDED_BY = ("Ana", "Bo")  # alternately; Cai records nothing

# messages each may receive during the rush (new messages; redrawing one in place is free)
BUDGET = {
    # per arrival: card, receipt, checklist; two allergy checklists; reminders, at most one
    # every five minutes
    "Ana": 6 * 3 + 2 + 5,
    "Bo": 6 * 3 + 2 + 5,
    "Cai": 0,  # served none of these guests
    # a line per allergy checklist; the day's spot check, hers, and two reminders of it; one
    # report of late steps for the shift (redrawn as more fall late)
    "Mei": 4 + 1 + 2 + 1,
    "Chen": 4,  # an alert per allergy
}


NAMES = ("Adams", "Baker", "Clark", "Davis", "Evans", "Foster", "Green", "Hughes", "Irwin",
         "Jones", "King", "Lewis")


async def returning_guest(bot: BotUnderTest, number: int) -> str:
    name = NAMES[number]
    guest = await bot.core.guests.create(name, None, branch="la", staff_id=None, region="US",
                                         now=bot.clock())
    traits = [TraitDraft(category=Category.SEATING, text="window seat")]
    if number in ALLERGIC:
        traits.append(TraitDraft(category=Category.ALLERGY, text="peanut allergy"))
    author = (await bot.core.staff.in_branch("la"))[0]
    await bot.core.traits.log(guest.id, traits, staff_id=author.id, branch="la",
                              now=bot.clock())
    await bot.core.visits.arrive(guest.id, branch="la", staff_id=None,
                                 now=bot.clock() - timedelta(days=7))
    return name


async def test_a_dinner_rush_keeps_each_persons_messages_within_budget(
    bot: BotUnderTest,
) -> None:
    staff = {name: await bot.join(role, name=name, language="en") for name, role in (
        ("Ana", "waiter"), ("Bo", "waiter"), ("Cai", "waiter"), ("Mei", "lead"),
        ("Chen", "kitchen"))}
    guests = [await returning_guest(bot, number) for number in range(12)]
    before = {name: len(bot.messages(user)) for name, user in staff.items()}
    receipts: dict[str, tuple[LocalUser, int]] = {}
    seen: set[int] = set()
    start = bot.clock()
    for minute in range(60):
        for number, name in enumerate(guests):
            if number * 100 // 60 == minute:  # one every 100 seconds: 12 in 20 minutes
                waiter = staff[RECORDED_BY[number % 2]]
                _, receipt, *_ = await bot.send(waiter, f"/arrive {name} table {number + 1}")
                assert receipt.text.startswith("✅ Arrival recorded")
                receipts[name] = (waiter, receipt.message_id)
        for alert in bot.messages(staff["Chen"]):
            if alert.message_id not in seen and alert.buttons:
                seen.add(alert.message_id)
                await bot.press(staff["Chen"], alert, "Seen")
        bot.clock.advance(minutes=1)
        await sweep_once(bot.app.bot, bot.core, bot.clock())
    assert bot.clock() - start == timedelta(hours=1)

    received = Counter({name: len(bot.messages(user)) - before[name]
                        for name, user in staff.items()})
    assert {name: received[name] for name in staff} == {
        name: min(received[name], BUDGET[name]) for name in staff}, received
    alerts = [m for m in bot.messages(staff["Chen"]) if m.text.startswith("⚠️ Allergy")]
    assert sorted(m.text.splitlines()[1].split(" #")[0] for m in alerts) == [
        guests[number] for number in sorted(ALLERGIC)]
    for number in ALLERGIC:
        waiter, message_id = receipts[guests[number]]
        [receipt] = [m for m in bot.messages(waiter) if m.message_id == message_id]
        assert receipt.text.splitlines()[-1].startswith("👀 The kitchen has the allergy: Chen")
    [report] = [m for m in bot.messages(staff["Mei"]) if m.text.startswith("⚠️ Not done")]
    # nobody ticked: each guest's seat and drink, the allergy steps the kitchen's Seen did
    # not tick, the spot check's timed steps; listed in one message, redrawn as they fell late
    lines = report.text.splitlines()
    assert report.edited and lines[0] == "⚠️ Not done in time (36):"
    assert (len(lines), lines[-1]) == (2 + LATE_LINES, "… and 16 more")
