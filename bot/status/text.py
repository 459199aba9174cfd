"""A status and a rhythm as one line each, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape

from bot.i18n import t
from bot.render import trait_words
from playbooks.status.rules import Rhythm, Status, StatusKind
from profiles.models import Category, Trait

USUAL_TRAITS = 3


def status_line(status: Status, *, lang: str, now: datetime, branches: Mapping[str, str],
                no_show_months: int = 6, spend_months: int = 12) -> str:
    """"regular · usually every 12 days · last seen 41 days ago (Shanghai)"."""
    label = t(lang, f"status.{status.kind}")
    parts = [t(lang, "status.tagged", status=label) if status.tagged else f"<b>{label}</b>"]
    if status.kind is StatusKind.AT_RISK and status.complaint_at is not None:
        days = _days(status.complaint_at, now)
        today = "_today" if days == 0 else ""  # "scored 1 today", not "0 days ago"
        parts.append(t(lang, f"status.complaint{today}", days=days)
                     if status.complaint_score is None
                     else t(lang, f"status.low_score{today}", score=status.complaint_score,
                            days=days))
    if status.kind is StatusKind.KEY and status.spend is not None:
        parts.append(t(lang, "status.spent", amount=f"{status.spend:,.0f}",
                       currency=status.spend_currency or "", months=spend_months))
    if status.no_shows and status.kind is StatusKind.NO_SHOW_PRONE:
        parts.append(t(lang, "status.no_shows", n=status.no_shows, months=no_show_months))
    parts += _rhythm_parts(status.rhythm, lang, now, branches)
    return " · ".join(parts)


def usual_line(rhythm: Rhythm | None, traits: Sequence[Trait], *, lang: str) -> str | None:
    """"usual: 2 people · around 19:00 · window seat, iced sour-plum drink": the party and hour
    seen most, and the traits confirmed most often; None when nothing is habitual yet."""
    parts = []
    if rhythm is not None and rhythm.usual_party:
        parts.append(t(lang, "status.party", n=rhythm.usual_party))
    if rhythm is not None and rhythm.usual_hour is not None:
        parts.append(t(lang, "status.hour", hour=f"{rhythm.usual_hour:02d}:00"))
    # habits: an allergy has a line of its own, first, whatever its confirmations
    confirmed = sorted((tr for tr in traits if tr.confirmed_count > 0
                        and tr.category is not Category.ALLERGY),
                       key=lambda tr: (-tr.confirmed_count, tr.id))[:USUAL_TRAITS]
    if confirmed:
        parts.append(", ".join(escape(trait_words(tr, lang)) for tr in confirmed))
    return t(lang, "status.usual", what=" · ".join(parts)) if parts else None


def _rhythm_parts(rhythm: Rhythm, lang: str, now: datetime,
                  branches: Mapping[str, str]) -> list[str]:
    if rhythm.last_at is None:
        return [t(lang, "status.never_seen")]
    parts = []
    if rhythm.usual_days is not None and rhythm.visits > 2:
        parts.append(t(lang, "status.every", days=_number(rhythm.usual_days)))
    elif rhythm.visits > 1:
        parts.append(t(lang, "status.visits", n=rhythm.visits))
    where, days = rhythm.last_branch or "", _days(rhythm.last_at, now)
    parts.append(t(lang, "status.last_seen" if days else "status.seen_today", days=days,
                   branch=escape(branches.get(where, where))))
    return parts


def _days(then: datetime, now: datetime) -> int:
    return max(0, (now - then).days)


def _number(days: float) -> str:
    return f"{days:.0f}" if days >= 2 else f"{days:.1f}"
