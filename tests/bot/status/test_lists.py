"""/list through the real Application: who may list, what is listed, the buttons that act."""

from __future__ import annotations

from bot.terminal.api import LocalUser
from tests.bot.conftest import BotUnderTest


async def regular_who_stopped_coming(bot: BotUnderTest, who: LocalUser, name: str,
                                     visits: int, branch_days: int = 7) -> None:
    await bot.send(who, f"/new {name}")
    for _ in range(visits):
        await bot.send(who, f"/arrive {name}")
        bot.clock.advance(days=branch_days)


async def test_a_lead_lists_lapsed_regulars_most_visits_first_and_records_a_call(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead", "la", language="en")
    await regular_who_stopped_coming(bot, lead, "Smith", 4)
    await regular_who_stopped_coming(bot, lead, "Jones", 6)
    bot.clock.advance(days=60)
    await bot.core.statuses.refresh_daily(bot.clock.now)

    [listed] = await bot.send(lead, "/list lapsed")

    lines = listed.text.splitlines()
    assert lines[0] == "Lapsed regulars (2), most visits first"
    assert lines[2].startswith("1. Jones #2 — lapsed regular · usually every 7 days")
    assert lines[3].startswith("2. Smith #1 — lapsed regular")
    await bot.press(lead, listed, "2 ☎️")
    assert bot.answers[-1].text == "Recorded: Smith called."

    [again] = await bot.send(lead, "/list lapsed")
    assert again.text.splitlines()[4] == "   ☎️ called by Lead just now"


async def test_not_interested_takes_a_guest_off_the_lists_until_they_come_again(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead", "la", language="en")
    await regular_who_stopped_coming(bot, lead, "Smith", 4)
    bot.clock.advance(days=60)
    await bot.core.statuses.refresh_daily(bot.clock.now)
    [listed] = await bot.send(lead, "/list lapsed")
    await bot.press(lead, listed, "1 ✖")

    [after] = await bot.send(lead, "/list lapsed")

    assert after.text == "No lapsed regulars: everyone is coming back."


async def test_a_waiter_may_not_list_and_another_branch_sees_its_own_guests(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead", "la", language="en")
    waiter = await bot.join("waiter", "la", language="en")
    other = await bot.join("lead", "sh", language="en")
    await bot.send(waiter, "/new Smith")
    await bot.send(waiter, "/arrive Smith")
    await bot.send(waiter, "/feedback Smith 1 rude")

    [refused] = await bot.send(waiter, "/list at-risk")
    [mine] = await bot.send(lead, "/list at-risk")
    [theirs] = await bot.send(other, "/list at-risk")

    assert refused.text == "Your role can't do that. Ask your shift lead or manager."
    assert mine.text.splitlines()[2].startswith("1. Smith #1 — at risk · scored 1")
    assert theirs.text == "No guest is at risk."


async def test_birthdays_this_week_and_key_guests_unseen(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    await bot.send(lead, "/new Smith")
    await bot.send(lead, "/occasion Smith: birthday 11-25")
    await bot.send(lead, "/new Jones")
    await bot.send(lead, "/tag Jones key")
    await bot.send(lead, "/arrive Jones")
    bot.clock.advance(days=2)

    [birthdays] = await bot.send(lead, "/list birthdays week")
    [unseen] = await bot.send(lead, "/list key unseen 1")
    [recent] = await bot.send(lead, "/list key unseen 60")

    assert birthdays.text.splitlines()[2] == "1. Smith #1 — birthday 11-25"
    assert unseen.text.splitlines()[2].startswith("1. Jones #2 — key (tagged by a lead)")
    assert recent.text == "Every key guest has been in lately."


async def test_an_unknown_list_is_explained(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    [usage] = await bot.send(lead, "/list everyone")
    assert usage.text.startswith("Which list?")


async def test_a_long_list_comes_a_page_at_a_time(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", "la", language="en")
    names = ("Abernathy", "Blackwood", "Castellanos", "Dunmore", "Eriksen", "Fairweather",
             "Gallagher", "Hollingsworth", "Iversen", "Jablonski", "Kowalczyk", "Lindqvist",
             "Montgomery", "Nakamura", "Oyelaran", "Pemberton", "Quigley", "Rasmussen",
             "Szymanski", "Thistlewood", "Underhill", "Villanueva", "Whitfield")
    for name in names:
        await bot.send(lead, f"/new {name}")
        await bot.send(lead, f"/occasion {name}: birthday 11-25")

    [first] = await bot.send(lead, "/list birthdays week")

    lines = first.text.splitlines()
    assert lines[:2] == ["Birthdays in the next 7 days (23)", "1–20 of 23:"]
    assert lines[-1].startswith("20. ")
    assert [b.text for b in first.buttons[-1]] == ["Next 3 ▸"]
    [second] = await bot.press(lead, first, "Next 3 ▸")
    assert second.text.splitlines()[1] == "21–23 of 23:"
    assert second.text.splitlines()[-1].startswith("23. ")
    assert [b.text for b in second.buttons[-1]] == ["23 ☎️", "23 📅", "23 ✖"]  # no more
    await bot.press(lead, second, "22 ☎️")
    assert bot.answers[-1].text == f"Recorded: {sorted(names)[21]} called."


async def test_a_guest_taken_off_the_first_page_moves_nobody_past_the_next(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead", "la", language="en")
    names = [f"Guest{chr(65 + n)}{chr(65 + n)} Risk{chr(65 + n)}" for n in range(22)]
    for name in names:
        await bot.send(lead, f"/new {name}")
        await bot.send(lead, f"/feedback {name} 1 too slow")
    [first] = await bot.send(lead, "/list at-risk")
    shown = [line.split(" — ")[0].split(". ", 1)[1] for line in first.text.splitlines()[3:]]
    await bot.press(lead, first, "3 ✖")  # not interested: off the list
    [second] = await bot.press(lead, first, "Next 2 ▸")
    after = [line.split(" — ")[0].split(". ", 1)[1] for line in second.text.splitlines()[3:]
             if not line.startswith("   ")]
    every = [*shown, *after]
    assert len(every) == len(set(every)) == 22  # the two after the first page, none skipped
