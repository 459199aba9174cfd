"""The causes of a branch's complaints as a Pareto chart: a bar per cause, most first, and the
cumulative share as a line on a second axis; drawn as the service report's chart is (object
API on the Agg canvas, in a worker thread)."""

from __future__ import annotations

import io

from bot.i18n import t
from bot.service_report.chart import DPI, cjk_font
from playbooks.causes.store import CauseFigures, pareto

WIDTH, HEIGHT = 1200, 600


def pareto_png(figures: CauseFigures, *, title: str, lang: str) -> bytes | None:
    """The chart, or None when no complaint closed in the period had a cause."""
    found = pareto(figures)
    if not found:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font() if lang == "zh" else None
    lang = "en" if lang == "zh" and font is None else lang
    family = font or "DejaVu Sans"
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    bars = figure.subplots()
    positions = range(len(found))
    bars.bar(positions, [count for _, count, _ in found], color="#c0504d")
    bars.set_xticks(positions, [t(lang, f"cause.{cause}") for cause, _, _ in found],
                    fontfamily=family)
    bars.set_ylabel(t(lang, "chart.complaints_count"), fontfamily=family)
    share = bars.twinx()
    share.plot(positions, [running for _, _, running in found], marker="o", color="#1f4e79")
    share.set_ylim(0, 105)
    share.set_ylabel(t(lang, "chart.cumulative_share"), fontfamily=family)
    figure.suptitle(title, fontsize=15, fontfamily=family)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
