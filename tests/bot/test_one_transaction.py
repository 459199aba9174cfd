"""A command's effects commit together: a crash or a Telegram error at any await loses none of
them, and the same update delivered again doubles none.

Each await a command makes is a hop to the database or a call to the Bot API. The bot is
killed (a BaseException, as a process dies) before the k-th of them, for every k until the
command runs through; the same update is then delivered again and a sweep runs, lease
expired, as after a restart. Every effect must then be there exactly once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import pytest
from telegram import Update
from telegram.error import TimedOut

from bot.scheduler import sweep_once
from bot.terminal.api import LocalUser, SentMessage
from playbooks.outbox import LEASE
from profiles.models import Category, Guest, TraitDraft
from store.sqlite import SqliteDatabase
from tests.bot.conftest import BotUnderTest

MAX_AWAITS = 60


class Killed(BaseException):
    """The process dies here."""


class Killer:
    """Counts the awaits of a command and kills it before the one numbered `at`."""

    def __init__(self, bot: BotUnderTest) -> None:
        self.at: int | None = None
        self.fired = False
        self.last_call = ""
        # Telegram took this message, and the bot died before it recorded that: the one
        # message a restart may send again (the outbox's documented at-least-once window)
        self.resendable: str | None = None
        db = bot.core.db
        assert isinstance(db, SqliteDatabase)
        hop = db._run

        async def counted(work: Callable[[Any], Any]) -> Any:
            if self.at == 0 and self.last_call == "sendMessage":
                self.resendable = bot.api.outbox[-1].text
            self.tick()
            self.last_call = ""
            return await hop(work)

        db._run = counted  # type: ignore[method-assign]
        bot.api.fault_policy = self.api_call

    def arm(self, at: int) -> None:
        self.at, self.fired, self.resendable = at, False, None

    def disarm(self) -> None:
        self.at = None

    def tick(self) -> None:
        if self.at is None:
            return
        if self.at == 0:
            self.at, self.fired = None, True
            raise Killed
        self.at -= 1

    def api_call(self, method: str) -> None:
        self.tick()
        self.last_call = method


Check = Callable[[int, str | None], Awaitable[None]]


async def staff(bot: BotUnderTest) -> tuple[LocalUser, LocalUser, LocalUser]:
    waiter = await bot.join("waiter", name="Ana", language="en")
    lead = await bot.join("lead", name="Mei", language="en")
    cook = await bot.join("kitchen", name="Cook", language="en")
    return waiter, lead, cook


async def plain_guest(bot: BotUnderTest, k: int) -> Guest:
    return await bot.core.guests.create(f"Guest{k} Test", None, branch="la", staff_id=None,
                                        region="US", now=bot.clock())


async def allergic_guest(bot: BotUnderTest, name: str) -> int:
    guest = await bot.core.guests.create(name, None, branch="la", staff_id=None, region="US",
                                         now=bot.clock())
    [author] = [m for m in await bot.core.staff.in_branch("la") if m.role == "lead"]
    await bot.core.traits.log(guest.id, [TraitDraft(category=Category.ALLERGY, text="花生过敏")],
                              staff_id=author.id, branch="la", now=bot.clock())
    return guest.id


def assert_once(bot: BotUnderTest, user: LocalUser, name: str, start: str,
                resendable: str | None) -> None:
    """The message about `name` reached `user` once (twice only when it is the one message
    a kill between sending and recording may repeat)."""
    found = [m.text for m in bot.messages(user) if m.text.startswith(start) and name in m.text]
    assert len(found) == (2 if resendable in found and len(found) == 2 else 1), found


async def arrivals(bot: BotUnderTest) -> tuple[LocalUser, Callable[[int], str], Check]:
    waiter, lead, cook = await staff(bot)
    names: dict[int, int] = {}

    async def check(k: int, resendable: str | None) -> None:
        guest = names[k]
        assert len(await bot.core.visits.for_guest(guest)) == 1
        alerts = await bot.core.db.read(lambda c: c.execute(
            "SELECT COUNT(*) FROM allergy_alerts WHERE guest_id = ?", (guest,)).fetchone()[0])
        assert alerts == 1
        assert_once(bot, cook, f"Guest{k} ", "⚠️", resendable)  # the kitchen's alert
        assert_once(bot, waiter, f"Guest{k} ", "📋 Guest with an allergy", resendable)
        assert_once(bot, lead, f"Guest{k} ", "📋 Guest with an allergy", resendable)

    async def command(k: int) -> str:
        names[k] = await allergic_guest(bot, f"Guest{k} Test")
        return f"/arrive #{names[k]} table {k + 1}"

    return waiter, command, check  # type: ignore[return-value]


async def complaints(bot: BotUnderTest) -> tuple[LocalUser, Callable[[int], str], Check]:
    waiter, lead, _ = await staff(bot)
    names: dict[int, int] = {}

    async def check(k: int, resendable: str | None) -> None:
        guest = names[k]
        requests = await bot.core.db.read(lambda c: c.execute(
            "SELECT COUNT(*) FROM requests WHERE guest_id = ? AND source = 'complaint'",
            (guest,)).fetchone()[0])
        assert requests == 1
        scores = await bot.core.db.read(lambda c: c.execute(
            "SELECT COUNT(*) FROM feedback WHERE guest_id = ?", (guest,)).fetchone()[0])
        assert scores == 1
        assert_once(bot, lead, f"#{guest}", "🔴", resendable)  # the red request

    async def command(k: int) -> str:
        names[k] = await allergic_guest(bot, f"Guest{k} Test")
        return f"/feedback #{names[k]} 1 soup was cold"

    return waiter, command, check  # type: ignore[return-value]


async def allergy_notes(bot: BotUnderTest) -> tuple[LocalUser, Callable[[int], str], Check]:
    waiter, lead, _ = await staff(bot)
    names: dict[int, int] = {}

    async def check(k: int, resendable: str | None) -> None:
        guest = names[k]
        card = await bot.core.guests.card(guest)
        assert [t.text for t in card.traits if t.category is Category.ALLERGY] == ["对虾过敏"]
        assert_once(bot, lead, f"Guest{k} ", "📋 Allergy just logged", resendable)

    async def command(k: int) -> str:
        guest = await plain_guest(bot, k)
        # seated: the lead must see the kitchen hears of it (of a guest not in, nobody is told)
        await bot.core.visits.arrive(guest.id, branch="la", staff_id=None, now=bot.clock())
        names[k] = guest.id
        return f"/note #{guest.id}: 对虾过敏"

    return waiter, command, check  # type: ignore[return-value]


async def bookings(bot: BotUnderTest) -> tuple[LocalUser, Callable[[int], str], Check]:
    waiter, lead, _ = await staff(bot)
    names: dict[int, int] = {}

    async def check(k: int, resendable: str | None) -> None:
        guest = names[k]
        assert await count(bot, "SELECT COUNT(*) FROM bookings WHERE guest_id = ?", guest) == 1
        assert await count(bot, "SELECT COUNT(*) FROM playbook_runs WHERE guest_id = ?"
                           " AND playbook_id = 'first_booking'", guest) == 1
        assert_once(bot, lead, f"Guest{k} ", "📋 First-time booking", resendable)

    async def command(k: int) -> str:
        guest = await plain_guest(bot, k)
        names[k] = guest.id
        return f"/book #{guest.id} tomorrow 19:00 2 people"

    return waiter, command, check  # type: ignore[return-value]


async def departures(bot: BotUnderTest) -> tuple[LocalUser, Callable[[int], str], Check]:
    waiter, _, _ = await staff(bot)
    names: dict[int, int] = {}

    async def check(k: int, resendable: str | None) -> None:
        guest = names[k]
        [visit] = await bot.core.visits.for_guest(guest)
        assert visit.left_at is not None
        assert await count(bot, "SELECT COUNT(*) FROM events WHERE guest_id = ?"
                           " AND kind = 'guest.checkout'", guest) == 1

    async def command(k: int) -> str:
        guest = await plain_guest(bot, k)
        [ana] = [m for m in await bot.core.staff.in_branch("la") if m.role == "waiter"]
        await bot.core.arrivals.arrive(guest.id, branch="la", staff_id=ana.id, now=bot.clock())
        names[k] = guest.id
        return f"/leave #{guest.id}"

    return waiter, command, check  # type: ignore[return-value]


async def relays(bot: BotUnderTest) -> tuple[LocalUser, Callable[[int], str], Check]:
    _, lead, _ = await staff(bot)
    cleaner = await bot.join("housekeeping", name="Lily", language="en")
    rooms: dict[int, str] = {}

    async def check(k: int, resendable: str | None) -> None:
        room = rooms[k]
        assert await count(bot, "SELECT COUNT(*) FROM requests WHERE ref_text = ?",
                           f"room {room}") == 1
        assert_once(bot, lead, f"room {room}", "🔴", resendable)  # the department's alert
        assert_once(bot, cleaner, f"room {room}", "📨", resendable)  # the relayer's receipt

    async def command(k: int) -> str:
        rooms[k] = str(1201 + k)
        return f"/request room {rooms[k]}: the cashier forgot the discount on the bill"

    return cleaner, command, check  # type: ignore[return-value]


async def count(bot: BotUnderTest, sql: str, *args: object) -> int:
    return int(await bot.core.db.read(lambda c: c.execute(sql, args).fetchone()[0]))


SCENARIOS = {"arrive": arrivals, "feedback": complaints, "note": allergy_notes, "book": bookings,
             "leave": departures, "request": relays}


async def settle(bot: BotUnderTest) -> None:
    """As after a restart: leases of messages being sent when it died have run out."""
    bot.clock.advance(seconds=LEASE.total_seconds() + 1)
    await sweep_once(bot.app.bot, bot.core, bot.clock())


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_a_kill_at_any_await_then_redelivery_gives_every_effect_once(
    bot: BotUnderTest, scenario: str
) -> None:
    user, command, check = await SCENARIOS[scenario](bot)
    killer = Killer(bot)
    for k in range(MAX_AWAITS):
        update = bot.message_update(user, await command(k))  # type: ignore[misc]
        killer.arm(k)
        with contextlib.suppress(Killed):
            await bot.deliver(update)
        killer.disarm()
        await bot.deliver(update)  # Telegram delivers it again after the restart
        await settle(bot)
        await check(k, killer.resendable)
        if not killer.fired:
            break  # the command ran through: every await has had its kill
    else:
        pytest.fail(f"{scenario} made more than {MAX_AWAITS} awaits")
    assert k > 3, "the command was killed at so few points that the test proves little"


STATUS = {"400": HTTPStatus.BAD_REQUEST, "429": HTTPStatus.TOO_MANY_REQUESTS,
          "500": HTTPStatus.INTERNAL_SERVER_ERROR}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("fault", ["400", "429", "500", "timeout"])
async def test_a_telegram_error_on_any_call_loses_no_effect(
    bot: BotUnderTest, scenario: str, fault: str
) -> None:
    user, command, check = await SCENARIOS[scenario](bot)
    calls = {"left": -1}

    def policy(method: str) -> tuple[HTTPStatus, int | None] | None:
        """Fail the call numbered `left` (from 0) of the command, and no other."""
        calls["left"] -= 1
        if calls["left"] != -1:
            return None
        if fault == "timeout":
            raise TimedOut("Timed out")
        return STATUS[fault], 30 if fault == "429" else None

    bot.api.fault_policy = policy
    for k in range(MAX_AWAITS):
        update = bot.message_update(user, await command(k))  # type: ignore[misc]
        calls["left"] = k
        await bot.deliver(update)
        failed = calls["left"] <= -1  # the command made a k-th call, and it failed
        calls["left"] = -2  # no fault while things settle
        bot.errors.clear()  # the failed reply reached the error handler, as it should
        bot.clock.advance(minutes=16)  # past any backoff
        await settle(bot)
        await check(k, None)
        if not failed:
            break
    else:
        pytest.fail(f"{scenario} made more than {MAX_AWAITS} calls")
    assert k > 1, "the command made so few calls that the test proves little"


async def press_killed_then_again(bot: BotUnderTest, killer: Killer, k: int, user: LocalUser,
                                  offer: SentMessage, label: str) -> None:
    """Press `label`, killed at the k-th await; then the same press again, as Telegram
    delivers it after the restart, and a sweep."""
    data = offer.button(label).callback_data
    assert data is not None
    # as Telegram sends it, each time afresh: the gate rewrites the data it checked
    raw = bot.callback_update(user, offer, data).to_dict()
    killer.arm(k)
    with contextlib.suppress(Killed):
        await bot.deliver(Update.de_json(raw, bot.app.bot))
    killer.disarm()
    await bot.deliver(Update.de_json(raw, bot.app.bot))
    await settle(bot)


async def test_a_kill_at_any_await_of_create_and_note_gives_one_guest_with_the_note(
    bot: BotUnderTest,
) -> None:
    """"Create …" under a note for an unknown name: the guest, the note and the kept note
    used up commit together, so a kill never leaves a guest without their note, nor two."""
    waiter, _, _ = await staff(bot)
    killer = Killer(bot)
    for k, name in enumerate(NEWCOMERS):
        [offer] = await bot.send(waiter, f"/note {name}: 对虾过敏")
        await press_killed_then_again(bot, killer, k, waiter, offer, name)
        found = [g for g in await bot.core.search.resolve(name, branch="la") if g.name == name]
        assert len(found) == 1, found
        card = await bot.core.guests.card(found[0].id)
        assert [t.text for t in card.traits] == ["对虾过敏"]
        # the allergy published once (a guest just created is not in: nobody is prompted)
        assert await count(bot, "SELECT COUNT(*) FROM events WHERE guest_id = ?"
                           " AND kind = 'trait.allergy_logged'", found[0].id) == 1
        if not killer.fired:
            break
    else:
        pytest.fail(f"the press made more than {len(NEWCOMERS)} awaits")
    assert k > 2


async def test_a_kill_at_any_await_of_a_new_guest_after_all_creates_one(
    bot: BotUnderTest,
) -> None:
    """/new for a name already there, "No, a new guest": the offer used up and the guest
    created commit together, so a kill never leaves the press spent and nobody created."""
    waiter, _, _ = await staff(bot)
    killer = Killer(bot)
    for k, name in enumerate(NEWCOMERS):
        await bot.core.guests.create(name, None, branch="la", staff_id=None, region="US",
                                     now=bot.clock())
        [offer] = [m for m in await bot.send(waiter, f"/new {name}") if m.buttons]
        await press_killed_then_again(bot, killer, k, waiter, offer, "➕ No, a new guest")
        found = [g for g in await bot.core.search.resolve(name, branch="la") if g.name == name]
        assert len(found) == 2, found  # the one there before, and the new one
        if not killer.fired:
            break
    else:
        pytest.fail(f"the press made more than {len(NEWCOMERS)} awaits")
    assert k > 1


async def test_a_kill_at_any_await_of_create_and_book_gives_one_guest_booked_once(
    bot: BotUnderTest,
) -> None:
    """"Create … and book" for a name nobody matched: the guest, the booking and its
    first-booking checklist commit together, so a kill never leaves a guest unbooked."""
    waiter, lead, _ = await staff(bot)
    killer = Killer(bot)
    for k, name in enumerate(NEWCOMERS):
        [offer] = [m for m in await bot.send(waiter, f"/book {name} tomorrow 19:00 2 people")
                   if m.buttons]
        await press_killed_then_again(bot, killer, k, waiter, offer,
                                      f"➕ Create {name} and book")
        [guest] = [g for g in await bot.core.search.resolve(name, branch="la") if g.name == name]
        assert await count(bot, "SELECT COUNT(*) FROM bookings WHERE guest_id = ?", guest.id) == 1
        assert_once(bot, lead, name, "📋 First-time booking", killer.resendable)
        if not killer.fired:
            break
    else:
        pytest.fail(f"the press made more than {len(NEWCOMERS)} awaits")
    assert k > 1


NEWCOMERS = ("Abernathy", "Blackwood", "Castellanos", "Dunmore", "Eriksen", "Fairweather",
             "Gallagher", "Hollingsworth", "Iversen", "Jablonski", "Kowalczyk", "Lindqvist",
             "Montgomery", "Nakamura", "Oyelaran", "Pemberton", "Quigley", "Rasmussen",
             "Szymanski", "Thistlewood", "Underhill", "Villanueva", "Whitfield", "Yamamoto")
