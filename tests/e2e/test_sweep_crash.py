"""kill -9 while the sweep delivers: every due reminder and escalation arrives, none twice.

The data is what a bot finds after being down for a while: requests relayed twenty minutes
ago (past their accept deadline), a birthday today and an anniversary in three days, at a
branch where it is noon now (its shift under way). So the sweep a second after start has
everything due at once: per lead a brief, an occasion reminder, a checklist, each request
and each request's escalation.

The outbox delivers at least once: a kill after Telegram took a message but before the outbox
marked it sent leaves it to be sent again once its lease runs out. The test tells that message
apart (it reached Telegram, yet no outbox row records its id) and expects exactly one resend of
it; every other due message must arrive exactly once.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest

from bot.settings import load_settings
from bot.state import Core
from playbooks.briefs.occasions import read_occasions
from playbooks.requests.routing import Lane
from profiles.bookings import NewBooking
from profiles.models import Role, Staff
from store.connect import open_database
from store.database import Database
from store.sql import Conn
from tests.e2e.client import TelegramTestClient, User
from tests.e2e.process import BotProcess

pytestmark = pytest.mark.e2e
REQUESTS = 3
KILLS = 2
SEED = 1  # where the kills fall: fixed, so a failure can be replayed
# a brief, an occasion reminder, a checklist, and each request with its escalation
EXPECTED_KINDS = Counter({"brief": 1, "occasions": 1, "playbook.run": 1,
                          "request.new": REQUESTS, "request.escalate": REQUESTS})
DELIVERY_TIMEOUT = 20.0


class Row(NamedTuple):
    """One outbox message as the test reads it."""

    key: str
    kind: str
    chat_id: int
    sent: bool
    gave_up: bool
    message_id: int | None


class Sent(NamedTuple):
    """A message Telegram (the emulator) holds, in the chat it went to."""

    chat_id: int
    message_id: int
    text: str


def noon_zone(now: datetime) -> str:
    """A fixed-offset zone where it is between 12:00 and 13:00 at `now`: occasion reminders
    are due (after the shift's start) and the day ends hours after the test does."""
    offset = 12 - now.hour  # -11 … +12, all of which exist as Etc/GMT zones
    return f"Etc/GMT{-offset:+d}"  # the POSIX sign: Etc/GMT-8 is eight hours ahead of UTC


def write_config(path: Path, zone: str) -> Path:
    path.write_text(f"""
[chain]
name = "Sweep Crash Inn"
language = "en"

[[branches]]
id = "noon"
name = "Noon Branch"
timezone = "{zone}"
shifts = [{{ name = "day", start = "06:00", end = "18:00" }}]
occasion_days_ahead = 3

[[branches.departments]]
id = "guest"
name = "Guest services"
roles = ["lead"]
""", encoding="utf-8")
    return path


async def hire(core: Core, user: User, role: Role, now: datetime) -> Staff:
    invite = await core.staff.create_invite(role, "noon", created_by=None, now=now,
                                            valid_for=timedelta(hours=1))
    return await core.staff.join(invite.code, telegram_id=user.id, name=user.first_name,
                                 language="en", now=now)


async def overdue_bot(tg: TelegramTestClient, bot_env: dict[str, str], folder: Path,
                      leads: list[User]) -> dict[str, str]:
    """The bot's environment with a branch at noon and work for `leads` overdue in it."""
    now = datetime.now(UTC)
    env = {**bot_env, "GUESTCARD_CONFIG": str(write_config(folder / "config.toml",
                                                           noon_zone(now)))}
    await set_up_due_work(env, leads, tg.new_user("Wei"), now)
    return env


async def set_up_due_work(env: dict[str, str], leads: list[User], relayer: User, now: datetime) -> None:
    """Staff, two guests with occasions, and requests relayed before their deadline passed."""
    core = await Core.open(load_settings(env))
    try:
        for lead in leads:
            await hire(core, lead, Role.LEAD, now)
        waiter = await hire(core, relayer, Role.WAITER, now)
        today = now.astimezone(core.settings.branches[0].zone).date()
        notes = {"王先生": f"birthday {today:%m-%d}",
                 "李女士": f"anniversary {today + timedelta(days=3):%m-%d}"}
        guests = [await core.guests.create(name, None, branch="noon", staff_id=waiter.id,
                                           region="US", now=now) for name in notes]
        for guest, note in zip(guests, notes.values(), strict=True):
            await core.traits.log(guest.id, read_occasions(note, core.vocabulary),
                                  staff_id=waiter.id, branch="noon", now=now)
        # someone expected, so the shift's brief has something to say (an empty one is not
        # sent); booked as an import would, starting no playbook
        await core.bookings.book(NewBooking(guest_id=guests[1].id, branch="noon",
                                            at=now + timedelta(hours=2)),
                                 staff_id=None, now=now)
        relayed = now - timedelta(minutes=20)  # yellow: accept within 15 minutes
        for number in range(REQUESTS):
            await core.requests.relay(branch="noon", staff_id=waiter.id, ref_text="王先生",
                                      text=f"extra pillows, please ({number})", now=relayed,
                                      guest_id=guests[0].id, department="guest",
                                      lane=Lane.YELLOW)
    finally:
        await core.close()


async def outbox(db: Database) -> list[Row]:
    def work(conn: Conn) -> list[Row]:
        rows = conn.execute("SELECT dedupe_key, kind, chat_id, sent_at, gave_up_at, message_id"
                            " FROM outbox ORDER BY id").fetchall()
        return [Row(key=row[0], kind=row[1], chat_id=row[2], sent=row[3] is not None,
                    gave_up=row[4] is not None, message_id=row[5]) for row in rows]

    return await db.read(work)


async def received(tg: TelegramTestClient, people: list[User]) -> list[Sent]:
    return [Sent(chat_id=person.id, message_id=message.message_id, text=message.text)
            for person in people for message in await tg.messages(person) if message.from_bot]


async def until_sent(tg: TelegramTestClient, count: int) -> None:
    """Wait until the bot has made `count` sendMessage calls in all."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while len(await tg.bot_calls("sendMessage")) < count:  # each poll is a round trip
        assert time.monotonic() < deadline, f"the sweep did not send {count} messages in time"


async def until_delivered(db: Database) -> None:
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while not all(row.sent or row.gave_up for row in await outbox(db)):
        assert time.monotonic() < deadline, "the sweep left messages undelivered"
        await asyncio.sleep(0.05)  # waiting for another process; nothing to await on


def copies_of_sent(messages: list[Sent], rows: list[Row]) -> list[Sent]:
    """Messages Telegram holds that no outbox row records: what a dead process sent but did
    not live to mark, sent again since."""
    recorded = {(row.chat_id, row.message_id) for row in rows}
    return [m for m in messages if (m.chat_id, m.message_id) not in recorded]


async def deliver_with_kills(tg: TelegramTestClient, bot: BotProcess, db: Database, due: int,
                             chance: random.Random) -> int:
    """Start the bot and kill it mid-delivery, KILLS times; then let it finish. The kills."""
    kills = 0
    for _ in range(KILLS):
        calls = len(await tg.bot_calls("sendMessage"))
        left = due - sum(row.sent for row in await outbox(db))
        if left < 2:
            break  # too little left to kill it in the middle of
        await bot.start(tg)
        await until_sent(tg, calls + chance.randrange(1, left))
        await asyncio.sleep(chance.uniform(0, 0.02))  # a random moment of that delivery
        bot.kill()
        kills += 1  # the restarted bot frees at once what the killed one had claimed
    await bot.start(tg)
    await until_delivered(db)
    return kills


async def test_due_messages_arrive_once_though_the_bot_is_killed_while_delivering(
    tg: TelegramTestClient, bot_env: dict[str, str], tmp_path: Path
) -> None:
    leads = [tg.new_user("Mei"), tg.new_user("Jun")]
    env = await overdue_bot(tg, bot_env, tmp_path, leads)
    due = len(leads) * EXPECTED_KINDS.total()  # 18: one claim (at most 20) takes them all
    bot = BotProcess(env, tmp_path / "bot.log")
    db = await open_database(env["GUESTCARD_DB"])
    try:
        try:
            kills = await deliver_with_kills(tg, bot, db, due, random.Random(SEED))
        finally:
            bot.stop()
        rows = await outbox(db)
    finally:
        await db.close()

    assert [row.key for row in rows if not row.sent or row.message_id is None] == []
    for lead in leads:
        assert Counter(row.kind for row in rows if row.chat_id == lead.id) == EXPECTED_KINDS
    # the relayer also hears their requests are overdue: the leads' chats are what is counted
    rows = [row for row in rows if row.chat_id in {lead.id for lead in leads}]
    messages = await received(tg, leads)
    copies = copies_of_sent(messages, rows)
    recorded = [m for m in messages if m not in copies]
    assert len(recorded) == len(rows) == due
    assert len({(m.chat_id, m.text) for m in recorded}) == due, "a due message was sent twice"
    # the known window: one message per chat per kill may have reached Telegram unmarked (the
    # chats are sent to side by side); it is sent again after its lease, so it arrives twice;
    # nothing else may
    for lead in leads:
        again = [m.text.splitlines()[0] for m in copies if m.chat_id == lead.id]
        assert len(again) <= kills, f"sent again: {again}"
    assert {(m.chat_id, m.text) for m in copies} <= {(m.chat_id, m.text) for m in recorded}
