"""The report's Pareto of complaint causes, and the share closed with a cause."""

from __future__ import annotations

from bot.causes.chart import HEIGHT, WIDTH, pareto_png
from bot.causes.report import pareto_lines
from bot.service_report.chart import png_size
from playbooks.causes.categories import Cause
from playbooks.causes.store import CauseCount, CauseFigures
from tests.bot.conftest import BotUnderTest


def test_causes_read_most_first_with_bars_and_the_cumulative_share() -> None:
    figures = CauseFigures(closed=12, with_cause=10, by_cause=[
        CauseCount(cause=Cause.WAITING, count=5), CauseCount(cause=Cause.FOOD, count=3),
        CauseCount(cause=Cause.NOISE, count=2)])
    assert pareto_lines(figures, "en") == [
        "<b>Causes of complaints closed</b>, most first (cumulative share):",
        "Waiting ██████████ 5 · 50%",
        "Food ██████ 3 · 80%",
        "Noise ████ 2 · 100%",
        "Closed with a cause: 83% (10 of 12)",
    ]


def test_the_causes_are_drawn_as_a_pareto_chart_only_when_some_were_found() -> None:
    figures = CauseFigures(closed=4, with_cause=3, by_cause=[
        CauseCount(cause=Cause.WAITING, count=2), CauseCount(cause=Cause.FOOD, count=1)])
    for lang in ("en", "zh"):
        png = pareto_png(figures, title="Causes", lang=lang)
        assert png is not None and png_size(png) == (WIDTH, HEIGHT) == (1200, 600)
    assert pareto_png(CauseFigures(closed=2, with_cause=0, by_cause=[]), title="Causes",
                      lang="en") is None


def test_complaints_closed_without_a_cause_show_only_the_share() -> None:
    assert pareto_lines(CauseFigures(closed=2, with_cause=0, by_cause=[]), "zh") == [
        "有原因的关闭率：0%（2 条中 0 条）"]


async def test_the_weekly_report_shows_the_branchs_causes(bot: BotUnderTest) -> None:
    lead = await bot.join("lead", name="Mei", language="en")
    waiter = await bot.join("waiter", language="en")
    await bot.send(waiter, "/new Smith")
    await bot.send(waiter, "/arrive Smith")
    await bot.send(waiter, "/feedback Smith 1 the soup was cold")
    alert = next(m for m in reversed(bot.messages(lead)) if "R1 · Guest services" in m.text)
    await bot.press(lead, alert, "Done")
    question = next(m for m in reversed(bot.messages(lead)) if "What caused" in m.text)
    await bot.press(lead, question, "✓ Food")
    bot.clock.advance(minutes=5)

    replies = await bot.send(lead, "/report week")

    text = replies[0].text
    assert "Food ██████████ 1 · 100%" in text
    assert "Closed with a cause: 100% (1 of 1)" in text
    # the week's trend, then the causes' Pareto chart
    trend, causes = [call.uploads[0].content for call in bot.api.calls_to("sendPhoto")]
    assert (png_size(trend), png_size(causes)) == ((1200, 800), (1200, 600))
