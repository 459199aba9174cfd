"""A branch's complaint causes in the service report: a Pareto chart in text, most first."""

from __future__ import annotations

from bot.i18n import t
from playbooks.causes.store import CauseFigures, pareto

BAR = 10  # blocks for the most frequent cause


def pareto_lines(figures: CauseFigures, lang: str) -> list[str]:
    """"Waiting ██████████ 5 · 50%" per cause, then the share closed with a cause."""
    if not figures.closed:
        return [t(lang, "report.causes_none")]
    lines = []
    top = max((item.count for item in figures.by_cause), default=0)
    if top:
        lines.append(t(lang, "report.causes"))
        for cause, count, running in pareto(figures):
            blocks = "█" * max(1, round(BAR * count / top))
            lines.append(f"{t(lang, f'cause.{cause}')} {blocks} {count} · {running:.0f}%")
    share = figures.share_with_cause or 0.0
    lines.append(t(lang, "report.causes_share", share=f"{share:.0f}%",
                   with_cause=figures.with_cause, closed=figures.closed))
    return lines
