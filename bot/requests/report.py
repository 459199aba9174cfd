"""`/report requests [week|month]`: the request figures of the service audit, for leads and up."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import render
from bot.access.gate import not_allowed
from bot.i18n import t
from bot.requests import texts
from bot.state import Context, Core
from playbooks.requests.figures import PERIOD_DAYS, Figures, Period, period_start, request_figures
from profiles.access import Action, Reading, can, reads_chain
from profiles.models import Staff

DASH = "–"
REQUESTS_REPORT = re.compile(r"^/report(@\w+)?\s+requests\b", re.IGNORECASE)


async def report(update: Update, context: Context) -> None:
    """The `requests` sub-report of /report (the rest of /report is the service audit's)."""
    message, me = update.effective_message, context.member
    assert message is not None
    args = [arg.lower() for arg in context.args or []]
    if not can(me.role, Action.REPORT):
        await message.reply_text(not_allowed(me))
        return
    if args[1:] not in ([], ["week"], ["month"]):
        await message.reply_text(t(me.language, "requests.report.usage"))
        return
    period: Period = "month" if args[1:] == ["month"] else "week"
    for chunk in await requests_report(context, period):
        await message.reply_text(chunk, parse_mode="HTML")


async def requests_report(context: Context, period: Period) -> list[str]:
    """The figures for the caller's branch (every branch for an admin), as chat messages."""
    core, me = context.core, context.member
    now = core.clock()
    branch = None if reads_chain(me, Reading.REQUEST_REPORT) else me.branch
    found = await core.requests.since(period_start(period, now), branch=branch)
    return figures_text(request_figures(found, now), core=core, staff=me,
                        days=PERIOD_DAYS[period], now=now)


def figures_text(figures: Sequence[Figures], *, core: Core, staff: Staff, days: int,
                 now: datetime) -> list[str]:
    lang = staff.language
    if not figures:
        return [t(lang, "requests.report.none", days=days)]
    lines: list[str] = []
    for branch_id in dict.fromkeys(row.branch for row in figures):
        branch = core.settings.branch(branch_id)
        lines.append(t(lang, "requests.report.title", days=days,
                       branch=escape(branch.label(lang) if branch else branch_id)))
        lines += [_row(row, core, lang) for row in figures if row.branch == branch_id]
    return render.split_message(lines)


def _row(row: Figures, core: Core, lang: str) -> str:
    return t(lang, "requests.report.row",
             desk=escape(texts.desk_label(core.requests.routing, row.branch, row.department,
                                          lang)),
             lane=texts.lane_label(row.lane, lang), count=row.count,
             accept=_minutes(row.median_accept, lang), accepted=_percent(row.accepted_in_time),
             resolve=_minutes(row.median_resolve, lang), resolved=_percent(row.resolved_in_time),
             declined=row.declined)


def _minutes(duration: timedelta | None, lang: str) -> str:
    if duration is None:
        return DASH
    return t(lang, "requests.report.minutes", n=round(duration.total_seconds() / 60))


def _percent(share: float | None) -> str:
    return DASH if share is None else f"{share:.0f}%"


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    # only `/report requests …`: every other /report is the service audit's
    CommandHandler("report", report, filters=filters.Regex(REQUESTS_REPORT)),
]
