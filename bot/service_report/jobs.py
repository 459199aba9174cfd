"""The service audit's scheduled messages: the question after a visit, Monday's report, the
notice that a request closed with an erasure, and the daily privacy sweep.

Kept apart from the handlers: bot.scheduler imports this module to register them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from html import escape
from typing import TypeVar

from telegram import InlineKeyboardMarkup

from bot import render
from bot.callbacks import Verb, button
from bot.causes.chart import pareto_png
from bot.causes.report import pareto_lines
from bot.delivery import Rendered, Renderer
from bot.drawing import drawn
from bot.i18n import t
from bot.service_report.chart import chart_png
from bot.service_report.text import report_text
from bot.settings import Branch
from bot.state import Core
from playbooks.causes.store import CauseFigures
from playbooks.feedback import ASK_KIND, MAX_SCORE, MIN_SCORE
from playbooks.outbox import Delivery
from playbooks.requests.erasure import REQUEST_ERASED
from playbooks.service_report.audit import REPORT_KIND, Period, Trend, parse_week
from profiles.errors import GuestNotFound
from profiles.models import Frozen

T = TypeVar("T")


async def render_ask(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """The question after a visit, with one button per score; nothing once answered or when
    the guest was erased meanwhile."""
    visit_id = delivery.payload.get("visit_id")
    if not isinstance(visit_id, int):
        return None
    ask = await core.feedback.ask(visit_id)
    if ask is None or ask.answered:
        return None
    try:
        guest = await core.guests.get(ask.guest_id)
    except GuestNotFound:
        return None
    row = [button(str(score), Verb.RATE, visit_id, score)
           for score in range(MIN_SCORE, MAX_SCORE + 1)]
    return Rendered(text=t(lang, "feedback.ask", name=escape(render.full_name(guest)),
                           ref=guest.ref), markup=InlineKeyboardMarkup([row]))


# closed periods' charts kept per Core; past this many, the oldest goes
KEPT_CHARTS = 8


class ReportCharts(Frozen):
    """What a report's charts show, to be drawn once its text has gone out."""

    trend: Trend
    period: str
    lang: str
    branches: list[Branch]
    causes: CauseFigures
    title: str
    # set for a closed period: its trend chart is kept under this key and drawn once
    kept_as: tuple[str, ...] | None = None

    async def draw(self, core: Core) -> list[bytes]:
        """The weekly trend, and the Pareto chart of complaint causes when any complaint
        closed had one (PNG)."""
        key = None if self.kept_as is None else (*self.kept_as, self.lang)
        trend = core.closed_charts.get(key) if key else None
        if trend is None:
            trend = await drawn(chart_png, self.trend, period=self.period, lang=self.lang,
                                branches=self.branches)
            if key:
                _keep(core.closed_charts, key, trend)
        causes = await drawn(pareto_png, self.causes, title=self.title, lang=self.lang)
        return [trend, *filter(None, [causes])]


async def report_of(core: Core, branch: Branch, period: Period, *, lang: str,
                    all_branches: bool) -> tuple[str, ReportCharts]:
    """The report's text (HTML) for one branch and period, and its charts to draw."""
    found = await core.reports.report(branch.id, period, core.clock())
    shown = core.settings.branches if all_branches else [branch]
    weeks = core.settings.report.chart_weeks
    # a period that has ended reads the same for every manager: its trend is read once
    kept_as = ((period.label, str(weeks), *(b.id for b in shown))
               if period.end <= core.clock() else None)
    trend = core.closed_trends.get(kept_as) if kept_as else None
    if trend is None:
        last_day = (period.end - timedelta(microseconds=1)).date()
        trend = await core.reports.trend({b.id: b.zone for b in shown}, last_day, weeks)
        if kept_as:
            _keep(core.closed_trends, kept_as, trend)
    causes = await core.causes.figures(branch.id, period.start, period.end)
    title = t(lang, "chart.pareto_title", branch=branch.label(lang), period=period.label)
    text = report_text(found, lang=lang, branch_label=branch.label(lang))
    return "\n".join([text, *pareto_lines(causes, lang)]), ReportCharts(
        trend=trend, period=period.label, lang=lang, branches=list(shown), causes=causes,
        title=title, kept_as=kept_as)


def _keep(kept: dict[tuple[str, ...], T], key: tuple[str, ...], value: T) -> None:
    kept[key] = value
    while len(kept) > KEPT_CHARTS:
        del kept[next(iter(kept))]


async def render_report(core: Core, branch: Branch, period: Period, *, lang: str,
                        all_branches: bool) -> tuple[str, list[bytes]]:
    """The report's text (HTML) and its charts (PNG), drawn."""
    text, charts = await report_of(core, branch, period, lang=lang, all_branches=all_branches)
    return text, await charts.draw(core)


async def render_weekly(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """Monday's report for a manager: last week, every branch on the chart."""
    branch = core.settings.branch(str(delivery.payload.get("branch")))
    if branch is None:
        return None  # the branch left the configuration since
    period = parse_week(str(delivery.payload.get("week")), branch.zone)
    joined = [member.joined_at for member in await core.staff.in_branch(None)]
    if not joined or period.end <= min(joined):
        return None  # a week before the chain used the bot: nothing to report on
    text, charts = await render_report(core, branch, period, lang=lang, all_branches=True)
    return Rendered(text=text, photos=charts)


async def plan_weekly(core: Core, now: datetime) -> int:
    return await core.reports.plan_weekly(now, core.settings.zones(),
                                          hour=core.settings.report.monday_hour)


async def render_request_erased(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    return Rendered(text=t(lang, "forget.request_closed",
                           number=f"R{delivery.payload.get('request')}"))


async def sweep_privacy(core: Core, now: datetime) -> object:
    """Once a day: retention (when configured) and stale pending notes."""
    privacy = core.settings.privacy
    return await core.erasure.sweep(now, retention_months=privacy.retention_months,
                                    spare_consented=privacy.spare_consented)


RENDERERS: Mapping[str, Renderer] = {
    ASK_KIND: render_ask,
    REPORT_KIND: render_weekly,
    REQUEST_ERASED: render_request_erased,
}
