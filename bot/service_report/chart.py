"""The service report's chart: weekly satisfaction and complaints per branch, as a PNG.

Drawn with matplotlib's object API on the Agg canvas (no pyplot: its global state is not
thread-safe, and the bot draws in a worker thread). The image is always WIDTH × HEIGHT pixels;
weeks without data leave gaps, and a chart with no data at all still renders, saying so.
Chinese labels need a CJK font; without one installed the chart falls back to English.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from bot.i18n import t
from bot.settings import Branch
from playbooks.service_report.audit import Trend

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn: it takes a second to load
    from matplotlib.axes import Axes

WIDTH, HEIGHT, DPI = 1200, 800, 100
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CJK_FONTS = ("Noto Sans CJK", "Noto Sans SC", "Source Han Sans", "WenQuanYi", "SimHei",
              "Microsoft YaHei", "PingFang", "Droid Sans Fallback", "AR PL")


def chart_png(trend: Trend, *, period: str, lang: str, branches: Sequence[Branch]) -> bytes:
    """The chart of `trend` as PNG bytes, titled with the report's `period` label."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font() if lang == "zh" else None
    lang = "en" if lang == "zh" and font is None else lang
    family = font or "DejaVu Sans"
    names = {b.id: b.label(lang) for b in branches}
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True)
    weeks = next(([p.label for p in points] for points in trend.values()), [])
    for branch, points in trend.items():
        top.plot(range(len(points)), [_value(p.satisfaction) for p in points], marker="o",
                 label=names.get(branch, branch))
        bottom.plot(range(len(points)), [_value(p.complaints_per_100) for p in points],
                    marker="s", label=names.get(branch, branch))
    # numbered positions, not the labels: matplotlib drops categories whose values are all gaps
    bottom.set_xticks(range(len(weeks)), weeks)
    bottom.set_xlim(-0.5, max(len(weeks), 1) - 0.5)
    _dress(top, t(lang, "chart.satisfaction"), (0.8, 5.2), family)
    _dress(bottom, t(lang, "chart.complaints"), (0, _ceiling(trend)), family)
    figure.suptitle(t(lang, "chart.title", period=period), fontsize=15, fontfamily=family)
    if not _has_data(trend):
        top.text(0.5, 0.5, t(lang, "chart.no_data"), transform=top.transAxes, ha="center",
                 va="center", fontsize=14, color="grey", fontfamily=family)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header; raises ValueError when it is not a PNG."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@cache
def cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs, if there is one."""
    from matplotlib import font_manager

    names = sorted({entry.name for entry in font_manager.fontManager.ttflist})
    return next((name for name in names if name.startswith(_CJK_FONTS)), None)


def _dress(axes: Axes, label: str, limits: tuple[float, float], family: str) -> None:
    axes.set_ylabel(label, fontfamily=family)
    axes.set_ylim(*limits)
    axes.grid(True, alpha=0.3)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="upper left", prop={"family": family})


def _value(value: float | None) -> float:
    return math.nan if value is None else value


def _ceiling(trend: Trend) -> float:
    values = [p.complaints_per_100 for points in trend.values() for p in points
              if p.complaints_per_100 is not None]
    return max(5.0, max(values, default=0.0) * 1.2)


def _has_data(trend: Trend) -> bool:
    return any(p.satisfaction is not None or p.complaints_per_100 is not None
               for points in trend.values() for p in points)
