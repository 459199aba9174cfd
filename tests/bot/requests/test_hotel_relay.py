"""A hotel: a cleaner relays for a room nobody checked in through the bot; the front desk
takes it, names the guest, closes it; the cleaner reads one receipt, redrawn to done."""

from bot.terminal.api import LocalUser, SentMessage
from tests.bot.conftest import BotUnderTest


async def test_a_cleaner_relays_for_an_unknown_room_and_reads_one_receipt_to_the_end(
    bot: BotUnderTest,
) -> None:
    cleaner = await bot.join("housekeeping", name="Lily", language="en")
    desk = await bot.join("lead", name="Mei", language="en")
    guest = await bot.core.guests.create("王先生", None, branch="la", staff_id=None,
                                         region="US", now=bot.clock())
    before = len(bot.messages(cleaner))
    [receipt] = await bot.send(cleaner, "/request room 1507: the guest wants the pool at 7")
    assert receipt.text.startswith("📨 R1 for room 1507 went to Guest services (Mei)")
    copy = bot.last(desk)
    assert copy.text.splitlines()[:2] == ["🟡 R1 · Guest services",
                                          "room 1507 (guest not known)"]
    await bot.press(desk, copy, "Accept")
    attached, redrawn = await bot.send(desk, f"/attach R1 #{guest.id}")  # and its copy
    assert attached.text == f"👤 R1 is for 王先生 #{guest.id} now."
    assert redrawn.message_id == copy.message_id
    assert redrawn.text.splitlines()[1] == f"room 1507 · 王先生 #{guest.id}"
    await bot.press(desk, current(bot, desk, copy), "Done")
    [now] = bot.messages(cleaner)[before:]
    assert now.message_id == receipt.message_id and now.edited
    assert now.text.startswith("✅ Guest services (Mei) finished R1 for room 1507")


def current(bot: BotUnderTest, user: LocalUser, message: SentMessage) -> SentMessage:
    return next(m for m in bot.api.sent_to(message.chat_id) if m.message_id == message.message_id)
