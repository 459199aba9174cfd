"""Monday's reports: a closed week's chain-wide chart is read and drawn once, not once per
manager."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.scheduler import sweep_once
from bot.service_report import jobs
from tests.bot.conftest import BotUnderTest

MONDAY_8_LA = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


async def test_every_manager_gets_the_chart_drawn_once_per_language(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[tuple[str, str]] = []

    async def counted(draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        drawn.append((draw.__name__, kwargs["lang"]))
        return draw(*args, **kwargs)

    monkeypatch.setattr(jobs, "drawn", counted)
    managers = [await bot.join("manager", "la", language="en"),
                await bot.join("manager", "la", language="en"),
                await bot.join("manager", "la", language="zh")]
    bot.clock.now = MONDAY_8_LA
    for minutes in (0, 1, 1):  # the reports go out a few seconds apart
        await sweep_once(bot.app.bot, bot.core, bot.clock.advance(minutes=minutes))
    for manager in managers:
        assert [m.kind for m in bot.messages(manager)][-2:] == ["text", "photo"]
    assert sorted(call for call in drawn if call[0] == "chart_png") == [
        ("chart_png", "en"), ("chart_png", "zh")]
