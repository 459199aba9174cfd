"""Feedback, the report with its chart, and erasure, end to end: the real `guestcard` process."""

import pytest

from tests.e2e.client import TelegramTestClient
from tests.e2e.process import BotProcess
from tests.e2e.staff import has, join

pytestmark = pytest.mark.e2e


async def test_a_complaint_a_report_with_chart_and_an_erasure(
    tg: TelegramTestClient, guestcard: BotProcess
) -> None:
    waiter = await join(tg, guestcard, "Ana", "waiter", "la")
    manager = await join(tg, guestcard, "Max", "manager", "la")
    await tg.command(waiter, "/new Quixabel Zorander +1 213 555 9876", has("#"))

    recorded = await tg.command(waiter, "/feedback zorander 2 soup was cold", has("Recorded"))
    assert "request R" in recorded.text

    await tg.command(manager, "/report", has("Service audit"))
    chart = await tg.wait_for_reply(manager, lambda m: m.kind == "photo")
    assert chart.kind == "photo"

    confirm = await tg.command(manager, "/forget zorander", has("Erase"))
    await tg.press(manager, confirm, "🗑 Erase #1 for good", has("Erased"))
    gone = await tg.text(manager, "zorander", has("No guest"))
    assert "Quixabel" not in gone.text
