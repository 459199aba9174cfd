"""`/report [week|month] [BRANCH]`: the service audit with its chart; and Monday's push."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access.gate import not_allowed
from bot.i18n import t
from bot.service_report.jobs import report_of
from bot.state import Context
from playbooks.service_report.audit import PeriodKind, period_so_far
from profiles.access import Action, Reading, can, may_read, reads_chain
from profiles.audit import AuditAction
from profiles.models import Staff

KINDS: dict[str, PeriodKind] = {"week": "week", "周": "week", "本周": "week",
                                "month": "month", "月": "month", "本月": "month"}


async def report(update: Update, context: Context) -> None:
    message, core, me = update.effective_message, context.core, context.member
    assert message is not None
    kind, typed, bad = _arguments(context.args or [], me)
    branch_id = core.settings.branch_id(typed)
    branch = core.settings.branch(branch_id)
    allowed = can(me.role, Action.REPORT)
    if allowed and (bad or branch is None):  # "/report week 9999": a typo, not a trespass
        known = ", ".join(b.id for b in core.settings.branches)
        await message.reply_text(t(me.language, "report.usage", known=known))
        return
    if not allowed or not may_report_on(me, branch_id):
        await refuse(context, "report")
        await message.reply_text(not_allowed(me))
        return
    assert branch is not None
    period = period_so_far(kind, core.clock(), branch.zone)
    text, charts = await report_of(core, branch, period, lang=me.language,
                                   all_branches=reads_chain(me, Reading.SERVICE_REPORT))
    await message.reply_text(text, parse_mode="HTML")  # the figures at once, the charts next
    trend, *causes = await charts.draw(core)
    await message.reply_photo(trend, caption=t(me.language, "report.chart_caption",
                                               period=escape(period.label)))
    for chart in causes:  # the Pareto chart, titled in the image
        await message.reply_photo(chart)


def may_report_on(staff: Staff, branch: str) -> bool:
    return may_read(staff, Reading.SERVICE_REPORT, branch)


async def refuse(context: Context, command: str) -> None:
    """A refused attempt is part of the audit trail."""
    core = context.core
    await core.audit.record(AuditAction.REFUSED, staff_id=context.member.id, guest_id=None,
                            now=core.clock(), details={"command": command})


def _arguments(args: list[str], me: Staff) -> tuple[PeriodKind, str, bool]:
    """(period kind, branch id, whether anything was not understood)."""
    kind: PeriodKind = "week"
    branch, bad = me.branch, False
    for word in args[:3]:
        if word.lower() in KINDS:
            kind = KINDS[word.lower()]
        elif word.lower().isalnum() and len(word) <= 16:
            branch = word.lower()
        else:
            bad = True
    return kind, branch, bad or len(args) > 2


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("report", report),
]
