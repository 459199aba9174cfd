"""The floor end to end, the real process and the emulator: a dinner rush, where each person
gets only the messages that are theirs, and a hotel relay for a room nobody checked in."""

from __future__ import annotations

import re

import pytest

from tests.e2e.client import Message, TelegramTestClient, User
from tests.e2e.process import BotProcess
from tests.e2e.staff import has, join, starts, until_quiet

pytestmark = pytest.mark.e2e
NAMES = ("Adams", "Baker", "Clark", "Davis", "Evans", "Foster", "Green", "Hughes", "Irwin",
         "Jones", "King", "Lewis")
ALLERGIC = {2, 5, 8, 11}
RECORDED_BY = ("Ana", "Bo")  # alternately; Cai records nothing
# new messages each may get during the rush (a message redrawn in place is not a new one)
BUDGET = {
    "Ana": 6 * 2 + 2,  # per arrival the card and the receipt; a checklist per allergy guest
    "Bo": 6 * 2 + 2,
    "Cai": 0,  # served none of these guests
    "Mei": 4 + 1,  # a line per allergy checklist; the day's spot check, if its time comes
    "Chen": 4,  # an alert per allergy
}


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


async def from_bot(tg: TelegramTestClient, user: User) -> list[Message]:
    return [m for m in await tg.messages(user) if m.from_bot]


async def test_a_dinner_rush_gives_each_person_their_own_messages_and_closes_every_loop(
    tg: TelegramTestClient, guestcard: BotProcess
) -> None:
    staff = {name: await join(tg, guestcard, name, role) for name, role in (
        ("Ana", "waiter"), ("Bo", "waiter"), ("Cai", "waiter"), ("Mei", "lead"),
        ("Chen", "kitchen"))}
    mei = staff["Mei"]
    for number, name in enumerate(NAMES):
        await tg.command(mei, f"/new {name}", has("#"))
        note = "window seat, peanut allergy" if number in ALLERGIC else "window seat"
        await tg.command(mei, f"/note {name}: {note}", starts("Saved"))
    await until_quiet(tg, *staff.values())
    before = {name: len(await from_bot(tg, user)) for name, user in staff.items()}

    receipts: dict[str, tuple[User, int]] = {}
    for number, name in enumerate(NAMES):
        waiter = staff[RECORDED_BY[number % 2]]
        receipt = await tg.command(waiter, f"/arrive {name} table {number + 1}",
                                   starts("✅ Arrival recorded"))
        receipts[name] = (waiter, receipt.message_id)
    chen = staff["Chen"]
    await until_quiet(tg, chen)
    alerts = [m for m in await from_bot(tg, chen) if m.text.startswith("⚠️")]
    assert len(alerts) == len(ALLERGIC)
    for alert in alerts:
        await tg.press(chen, alert, "👀 Seen", lambda m: m.edited)
    await until_quiet(tg, *staff.values())

    received = {name: len(await from_bot(tg, user)) - before[name]
                for name, user in staff.items()}
    assert all(received[name] <= BUDGET[name] for name in staff), received
    assert received["Chen"] == len(ALLERGIC) and received["Cai"] == 0
    for number in ALLERGIC:  # the kitchen's Seen reached whoever recorded the arrival
        waiter, message_id = receipts[NAMES[number]]
        [receipt] = [m for m in await tg.messages(waiter) if m.message_id == message_id]
        assert plain(receipt.text).splitlines()[-1].startswith(
            "👀 The kitchen has the allergy: Chen"), receipt.text


async def test_a_cleaner_relays_for_a_room_nobody_checked_in_and_reads_one_receipt(
    tg: TelegramTestClient, guestcard: BotProcess
) -> None:
    lily = await join(tg, guestcard, "Lily", "housekeeping")
    mei = await join(tg, guestcard, "Mei", "lead")
    await tg.command(mei, "/new 王先生", has("#1"))
    before = len(await from_bot(tg, lily))

    receipt = await tg.command(lily, "/request room 1507: the guest wants the pool at 7",
                               has("R1"))
    assert plain(receipt.text).startswith("📨 R1 for room 1507 went to Guest services (Mei)")
    copy = await tg.wait_for_reply(mei, has("R1 · Guest services"))
    assert plain(copy.text).splitlines()[1] == "room 1507 (guest not known)"
    accepted = await tg.press(mei, copy, "✋ Accept", has("Accepted by Mei"))
    attached = await tg.command(mei, "/attach R1 #1", has("R1 is for"))
    assert plain(attached.text) == "👤 R1 is for 王先生 #1 now."
    await tg.press(mei, accepted, "✅ Done", has("Done by Mei"))
    await until_quiet(tg, lily)

    after = await from_bot(tg, lily)
    assert len(after) == before + 1  # one receipt, redrawn as it was taken and done
    assert after[-1].message_id == receipt.message_id and after[-1].edited
    assert plain(after[-1].text).startswith("✅ Guest services (Mei) finished R1 for room 1507")
