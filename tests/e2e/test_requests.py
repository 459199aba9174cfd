"""The relayed-request story, end to end: the real `guestcard` process over HTTP."""

import re

import pytest

from tests.e2e.client import TelegramTestClient
from tests.e2e.process import BotProcess
from tests.e2e.staff import has, join

pytestmark = pytest.mark.e2e


def plain(html: str) -> str:
    """The emulator hands the HTML back as sent: what a reader sees is the text without tags."""
    return re.sub(r"<[^>]+>", "", html)


async def test_housekeeping_relays_guest_services_accepts_and_housekeeping_hears_it_is_done(
    tg: TelegramTestClient, guestcard: BotProcess
) -> None:
    cleaner = await join(tg, guestcard, "Lily", "housekeeping", "la")
    lead = await join(tg, guestcard, "Mei", "lead", "la")
    await tg.command(lead, "/new 王先生", has("#"))

    receipt = await tg.command(cleaner, "/request 王先生: the cashier forgot the discount",
                               has("R1"))
    assert "went to Guest services (Mei)" in plain(receipt.text)

    posted = await tg.wait_for_reply(lead, has("Guest services"))
    assert plain(posted.text).splitlines()[:3] == [
        "🔴 R1 · Guest services", "王先生 #1", "“the cashier forgot the discount”"]
    accepted = await tg.press(lead, posted, "✋ Accept", has("Accepted by Mei"))
    assert "✋ Mei (Guest services) took R1" in (await tg.wait_for_reply(cleaner)).text

    await tg.press(lead, accepted, "✅ Done", has("Done by Mei"))
    told = await tg.wait_for_reply(cleaner, has("finished R1"))
    assert plain(told.text).startswith("✅ Guest services (Mei) finished R1 for 王先生 at")
