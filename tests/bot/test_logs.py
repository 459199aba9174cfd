"""JSON log lines name the update and the staff member, and nothing a guest typed."""

from __future__ import annotations

import json
import logging

import pytest
from telegram.ext import TypeHandler

from bot.logs import JsonLines
from tests.bot.conftest import BotUnderTest


async def test_a_handled_update_logs_json_lines_with_update_and_staff_ids(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture,
) -> None:
    waiter = await bot.join("waiter", language="en")
    member = await bot.core.staff.by_telegram_id(waiter.id)
    assert member is not None
    seen: list[str] = []

    async def remember(update: object, context: object) -> None:
        logging.getLogger("guestcard.test").info("handled")
        seen.append(JsonLines().format(caplog.records[-1]))

    bot.app.add_handler(TypeHandler(object, remember), group=99)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="guestcard.test"):
        await bot.send(waiter, "/find 王先生")

    line = json.loads(seen[-1])
    assert line["message"] == "handled" and line["staff_id"] == member.id
    assert isinstance(line["update_id"], int)
    assert "王先生" not in seen[-1]
