"""The report's chart: a real PNG of the stated size, with data or without."""

from __future__ import annotations

import pytest

from bot.service_report.chart import HEIGHT, WIDTH, chart_png, png_size
from bot.settings import Branch
from playbooks.service_report.audit import WeekPoint

BRANCHES = [Branch(id="la", name="Los Angeles", name_zh="洛杉矶", timezone="America/Los_Angeles"),
            Branch(id="sh", name="Shanghai", name_zh="上海", timezone="Asia/Shanghai")]


def week(n: int, satisfaction: float | None, complaints: float | None) -> WeekPoint:
    return WeekPoint(label=f"W{n}", satisfaction=satisfaction, complaints_per_100=complaints)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_chart_is_a_png_of_the_stated_size(lang: str) -> None:
    trend = {"la": [week(46, 4.5, 2.0), week(47, None, None), week(48, 3.8, 12.5)],
             "sh": [week(46, None, 0.0), week(47, 5.0, 0.0), week(48, 4.0, 3.0)]}
    png = chart_png(trend, period="2026-W48", lang=lang, branches=BRANCHES)
    assert png_size(png) == (WIDTH, HEIGHT) == (1200, 800)


def test_a_chart_without_any_data_still_renders() -> None:
    trend = {"la": [week(n, None, None) for n in range(40, 48)]}
    assert png_size(chart_png(trend, period="2026-W47", lang="en", branches=BRANCHES)) == (
        1200, 800)


def test_something_else_is_not_taken_for_a_png() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a" + bytes(30))
