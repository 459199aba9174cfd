"""Bookings end to end: the real `guestcard` process, /book, then /brief shows the guest."""

import pytest

from tests.e2e.client import TelegramTestClient
from tests.e2e.process import BotProcess
from tests.e2e.staff import join, starts

pytestmark = pytest.mark.e2e


async def test_a_booking_is_in_the_brief_with_allergies_and_preferences(
    tg: TelegramTestClient, guestcard: BotProcess
) -> None:
    lead = await join(tg, guestcard, "Lia", "lead")
    await tg.command(lead, "/new 王先生 +1 213 555 0142", lambda m: "#" in m.text)
    await tg.command(lead, "/note 王先生: 花生过敏，靠窗，冰酸梅汤大杯", starts("Saved"))
    booked = await tg.command(lead, "/book 王先生 tomorrow 19:00 4 people", starts("📅"))
    assert "⚠️ <b>peanut (花生过敏)</b>" in booked.text  # read in the lead's language
    brief = await tg.command(lead, "/brief tomorrow", starts("📋 <b>Brief</b>"))
    assert "<b>19:00</b> · 4 people — <b>王先生</b> #1" in brief.text
    assert "⚠️ <b>peanut (花生过敏)</b>" in brief.text
    assert "👍 window seat (靠窗) · large iced sour plum juice (冰酸梅汤大杯)" in brief.text
    assert "0142" not in brief.text
