"""The service report, the audit trail and refused notes as staff read them (HTML)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import t
from bot.render import age
from playbooks.service_report.audit import Figures, Period, Report, change
from profiles.audit import AuditEntry
from profiles.guardrails import Refusal

_TAG = re.compile(r"<[^>]+>")
# extra figures other features add, in the order shown
EXTRA_ORDER = ("playbook_completion", "request_accept_on_time", "request_resolve_on_time")
TOP_STAFF = 10

Number = Callable[[float], str]


def report_text(report: Report, *, lang: str, branch_label: str) -> str:
    """The report as one message (HTML), each figure with the period before for comparison."""
    now, before = report.current, report.previous
    lines = [t(lang, "report.title", branch=html.escape(branch_label),
               period=period_label(report.period, lang)),
             t(lang, "report.compared", period=period_label(report.previous_period, lang))]
    if now.visits == 0:
        lines.append(t(lang, f"report.no_visits_{report.period.kind}"))
    lines += [
        _figure(lang, "report.visits", now.visits, before.visits, _count),
        t(lang, "report.guests", new=now.new_guests, returning=now.returning_guests,
          new_before=before.new_guests, returning_before=before.returning_guests),
        _figure(lang, "report.satisfaction", now.satisfaction, before.satisfaction, _score),
        _figure(lang, "report.satisfied", now.satisfied, before.satisfied, _percent)
        + " " + t(lang, "report.ratings", n=now.ratings),
        _figure(lang, "report.complaint_rate", now.complaints_per_100,
                before.complaints_per_100, _rate) + " " + t(lang, "report.complaints",
                                                            n=now.complaints),
    ]
    lines += [_figure(lang, f"report.extra.{key}", now.extras.get(key), before.extras.get(key),
                      _percent) for key in _extras(now, before)]
    lines.append(_staff_line(now, lang))
    return "\n".join(lines)


def plain(text: str) -> str:
    """HTML chat text as plain text, for the terminal."""
    return html.unescape(_TAG.sub("", text))


def period_label(period: Period, lang: str) -> str:
    last = period.end if not period.complete else period.end - timedelta(days=1)
    key = f"report.period_{period.kind}" + ("" if period.complete else "_so_far")
    return t(lang, key, label=period.label, first=f"{period.start:%m-%d}", last=f"{last:%m-%d}")


UTC_ZONE = ZoneInfo("UTC")  # the command line's, where no branch is the reader's


def audit_lines(entries: list[AuditEntry], *, lang: str, now: datetime,
                zone: ZoneInfo = UTC_ZONE) -> list[str]:
    """One line per entry: when (in `zone`, which it names), who (role), what, which guest."""
    lines = []
    for entry in entries:
        who = html.escape(entry.staff_name or t(lang, "audit.system"))
        role = f" ({t(lang, f'role.{entry.staff_role}')})" if entry.staff_role else ""
        guest = f" #{entry.guest_id}" if entry.guest_id is not None else ""
        lines.append(t(lang, "audit.line", at=f"{entry.at.astimezone(zone):%Y-%m-%d %H:%M %Z}",
                       ago=age(entry.at, now, lang), who=who + role,
                       action=t(lang, f"audit.action.{entry.action.value}"), guest=guest))
    return lines


def _figure(lang: str, key: str, current: float | None, previous: float | None,
            number: Number) -> str:
    shown = number(current) if current is not None else "—"
    before = number(previous) if previous is not None else "—"
    delta = change(current, previous)
    trend = "" if not delta else f", {'+' if delta > 0 else '−'}{number(abs(delta))}"
    return t(lang, "report.figure", label=t(lang, key), value=shown, before=before, delta=trend)


def _staff_line(figures: Figures, lang: str) -> str:
    if not figures.traits_by_staff:
        return t(lang, "report.traits_none")
    shown = ", ".join(f"{html.escape(s.name)} {s.count}"
                      for s in figures.traits_by_staff[:TOP_STAFF])
    return t(lang, "report.traits", staff=shown)


def _extras(now: Figures, before: Figures) -> list[str]:
    keys = set(now.extras) | set(before.extras)
    return [key for key in EXTRA_ORDER if key in keys] + sorted(keys - set(EXTRA_ORDER))


def _count(value: float) -> str:
    return f"{value:.0f}"


def _score(value: float) -> str:
    return f"{value:.2f}"


def _percent(value: float) -> str:
    return f"{value:.0f}%"


def _rate(value: float) -> str:
    return f"{value:.1f}"



def refusal_text(refusal: Refusal, lang: str) -> str:
    """Why a note was not saved, and how to say it neutrally."""
    return t(lang, f"guard.{refusal.concern.value}", word=html.escape(refusal.word),
             text=html.escape(refusal.text[:80]))
