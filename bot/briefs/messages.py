"""Briefs, occasion reminders and bookings as chat text (HTML) that fits a phone.

Pure: the data comes in, messages come out. A long brief is split between guests, never
inside one guest's lines, each message under Telegram's 4096 characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.i18n import catalogue, t
from bot.render import MESSAGE_LIMIT, headline, split_message, trait_words, with_severity
from bot.status.text import status_line, usual_line
from playbooks.briefs.brief import Brief, BriefEntry, BriefView
from playbooks.briefs.occasions import GuestOccasions, OccasionDue
from playbooks.status.rules import Status
from profiles.bookings import Booking
from profiles.models import Trait

_TAGS = re.compile(r"</?(?:b|i|code)>")
_OCCASION_ICONS = {"birthday": "🎂", "anniversary": "💍"}


def day_label(day: date, lang: str, *, today: date | None = None) -> str:
    """"Tue 24 Nov" (with the year when it is not this year's, given `today`)."""
    key = "cal.day_year" if today and day.year != today.year else "cal.day"
    return t(lang, key, weekday=t(lang, f"cal.weekday.{day.weekday()}"), day=day.day,
             month=t(lang, f"cal.month.{day.month}"), year=day.year)


def moment_label(moment: datetime, zone: ZoneInfo, lang: str, *, today: date | None = None
                 ) -> str:
    local = moment.astimezone(zone)
    return f"{day_label(local.date(), lang, today=today)} {local:%H:%M}"


def days_label(on: date, today: date, lang: str) -> str:
    days = (on - today).days
    if days == 0:
        return t(lang, "cal.today")
    return t(lang, "cal.tomorrow") if days == 1 else t(lang, "cal.in_days", n=days)


def shift_label(name: str, lang: str) -> str:
    return catalogue(lang).get(f"brief.shift.{name}") or catalogue("en").get(
        f"brief.shift.{name}", name)


def booking_line(booking: Booking, zone: ZoneInfo, lang: str) -> str:
    """"Tue 24 Nov 19:00 · 4 people · table 12 · with children"."""
    return " · ".join([moment_label(booking.at, zone, lang), *_booking_facts(booking, lang)])


def booking_text(booking: Booking, zone: ZoneInfo, lang: str) -> str:
    lines = [booking_line(booking, zone, lang)]
    if booking.note:
        lines.append(t(lang, "brief.note", text=html.escape(booking.note)))
    return "\n".join(lines)


def _booking_facts(booking: Booking, lang: str) -> list[str]:
    facts = []
    if booking.party:
        facts.append(t(lang, "book.people", n=booking.party) if booking.party > 1
                     else t(lang, "book.person"))
    if booking.children:
        facts.append(t(lang, "book.children"))
    if booking.table_no:
        facts.append(t(lang, "book.table", n=html.escape(booking.table_no)))
    if booking.room_no:
        facts.append(t(lang, "book.room", n=html.escape(booking.room_no)))
    return facts


def occasion_what(due: OccasionDue, lang: str) -> str:
    """"birthday (turns 40)" / "结婚纪念日（10周年）"."""
    kind = due.kind if due.kind in _OCCASION_ICONS else "other"
    what = t(lang, f"occasion.kind.{kind}")
    if due.years:
        what += t(lang, f"occasion.years.{kind}", n=due.years)
    return f"{_OCCASION_ICONS.get(kind, '🎉')} {what}"


# --- the brief ------------------------------------------------------------------------------


def brief_messages(
    brief: Brief, *, lang: str, zone: ZoneInfo, branches: Mapping[str, str]
) -> list[str]:
    """The whole brief: a title and summary, then one block per guest in arrival order."""
    title = t(lang, "brief.title", branch=html.escape(branches.get(brief.branch, brief.branch)),
              day=day_label(brief.day, lang))
    if brief.shift:
        title += f" · {html.escape(shift_label(brief.shift, lang))}"
    blocks = [[title, _summary(brief, lang)]]
    if brief.view is BriefView.HOUSEKEEPING:
        blocks += _housekeeping_blocks(brief, lang, zone, branches)
    else:
        blocks += [_entry_lines(entry, brief, lang, zone, branches) for entry in brief.entries]
    if not brief.entries and not brief.in_house:
        blocks.append([t(lang, "brief.empty")])
    return pack(blocks)


def _summary(brief: Brief, lang: str) -> str:
    s = brief.summary
    if brief.view is BriefView.HOUSEKEEPING:
        return t(lang, "brief.summary_rooms", in_house=len(brief.in_house), bookings=s.bookings,
                 allergies=s.allergies + sum(1 for e in brief.in_house if e.allergies))
    return t(lang, "brief.summary", bookings=s.bookings, covers=s.covers, allergies=s.allergies,
             first=s.first_timers, occasions=s.occasions, vips=s.vips)


def _housekeeping_blocks(
    brief: Brief, lang: str, zone: ZoneInfo, branches: Mapping[str, str]
) -> list[list[str]]:
    blocks: list[list[str]] = []
    if brief.entries:
        blocks.append([t(lang, "brief.arrivals")])
        blocks += [_entry_lines(entry, brief, lang, zone, branches) for entry in brief.entries]
    if brief.in_house:
        blocks.append([t(lang, "brief.in_house")])
        blocks += [_entry_lines(entry, brief, lang, zone, branches) for entry in brief.in_house]
    return blocks


def _entry_lines(
    entry: BriefEntry, brief: Brief, lang: str, zone: ZoneInfo, branches: Mapping[str, str]
) -> list[str]:
    lead = brief.view is BriefView.LEAD
    lines = [_entry_head(entry, lang, zone)]
    lines += [f"⚠️ <b>{_trait(trait, lang)}</b>" for trait in entry.allergies]
    if entry.diet:
        lines.append("🥗 " + " · ".join(_trait(trait, lang) for trait in entry.diet))
    if entry.preferences:
        lines.append("👍 " + " · ".join(_trait(trait, lang) for trait in entry.preferences))
    if lead and entry.status is not None:
        lines += _status_lines(entry, entry.status, brief, lang, zone, branches)
    elif lead:
        lines.append(_visits_line(entry, lang, zone, branches))
    if lead and entry.regular_at:
        name, count = entry.regular_at
        lines.append(t(lang, "brief.regular_at", branch=html.escape(branches.get(name, name)),
                       n=count))
    lines += [_occasion_line(due, brief.day, lang) for due in entry.occasions]
    lines += [t(lang, "brief.request", text=html.escape(_short(text))) for text in entry.requests]
    if lead and entry.booking and entry.booking.note:
        lines.append(t(lang, "brief.note", text=html.escape(entry.booking.note)))
    return lines


def _status_lines(entry: BriefEntry, status: Status, brief: Brief, lang: str, zone: ZoneInfo,
                  branches: Mapping[str, str]) -> list[str]:
    """The status with its reason and the guest's habits, as of the brief's day."""
    day_start = datetime.combine(brief.day, time(), zone)
    usual = usual_line(status.rhythm, [*entry.diet, *entry.preferences], lang=lang)
    return [status_line(status, lang=lang, now=day_start, branches=branches),
            *([usual] if usual else [])]


def _entry_head(entry: BriefEntry, lang: str, zone: ZoneInfo) -> str:
    parts = []
    if entry.booking is not None:
        parts.append(f"<b>{entry.booking.at.astimezone(zone):%H:%M}</b>")
        parts += _booking_facts(entry.booking, lang)
    elif entry.room_no:
        parts.append(t(lang, "book.room", n=f"<b>{html.escape(entry.room_no)}</b>"))
    head = " · ".join(parts) + " — " + headline(entry.guest, lang)
    if entry.vip and not (entry.guest.tier or entry.guest.segment):
        head += f" · {t(lang, 'brief.vip')}"
    return head + (f" {t(lang, 'brief.arrived')}" if entry.arrived else "")


def _visits_line(
    entry: BriefEntry, lang: str, zone: ZoneInfo, branches: Mapping[str, str]
) -> str:
    visits = entry.visits
    if entry.first_visit or visits.last_at is None:
        return t(lang, "brief.first_visit")
    where = visits.last_branch or ""
    return t(lang, "brief.visits", n=visits.total, branch=html.escape(branches.get(where, where)),
             age=day_label(visits.last_at.astimezone(zone).date(), lang))


def _occasion_line(due: OccasionDue, today: date, lang: str) -> str:
    what = occasion_what(due, lang)
    if due.on == today:
        return t(lang, "brief.occasion_today", what=what)
    return t(lang, "brief.occasion_soon", what=what, when=days_label(due.on, today, lang))


def _trait(trait: Trait, lang: str) -> str:
    return html.escape(with_severity(trait, lang, _short(trait_words(trait, lang))))


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- occasion reminders -------------------------------------------------------------------


def occasion_messages(
    guests: list[GuestOccasions], today: date, *, lang: str, zone: ZoneInfo,
    branches: Mapping[str, str],
) -> list[str]:
    """One reminder listing every occasion: today's first, then those days ahead."""
    blocks = [[t(lang, "occasions.title", day=day_label(today, lang))]]
    by_day: dict[date, list[tuple[GuestOccasions, OccasionDue]]] = {}
    for entry in guests:
        for due in entry.occasions:
            by_day.setdefault(due.on, []).append((entry, due))
    for on in sorted(by_day):
        heading = t(lang, "occasions.today") if on == today else t(
            lang, "occasions.ahead", days=days_label(on, today, lang), day=day_label(on, lang))
        blocks.append([heading])
        blocks += [_occasion_block(entry, due, lang, zone, branches) for entry, due in by_day[on]]
    return pack(blocks)


def _occasion_block(
    entry: GuestOccasions, due: OccasionDue, lang: str, zone: ZoneInfo,
    branches: Mapping[str, str],
) -> list[str]:
    kind = due.kind if due.kind in _OCCASION_ICONS else "other"
    lines = [f"{occasion_what(due, lang)} — {headline(entry.guest, lang)}"]
    if entry.booking is not None:
        branch = entry.booking.branch
        lines.append(t(lang, "occasions.booked", when=moment_label(entry.booking.at, zone, lang),
                       branch=html.escape(branches.get(branch, branch))))
    lines.append(f"<i>{t(lang, f'occasion.prepare.{kind}')}</i>")
    return lines


# --- shared ---------------------------------------------------------------------------------


def pack(blocks: list[list[str]], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks separated by a blank line, as few messages as fit; a block is never split
    unless it alone is longer than a message."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        text = "\n".join(block)
        if len(text) > limit:
            messages += [current] if current else []
            *whole, current = split_message(block, limit)
            messages += whole
            continue
        if current and len(current) + 2 + len(text) > limit:
            messages.append(current)
            current = ""
        current = f"{current}\n\n{text}" if current else text
    return [*messages, current] if current else messages


def plain(text: str) -> str:
    """A message as printed on paper: no tags, entities decoded."""
    return html.unescape(_TAGS.sub("", text))
