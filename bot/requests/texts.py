"""Relayed requests as chat text (HTML) and their buttons, in the reader's language.

Who reads what: the department sees the request text, the room or table, and the guest's name;
the colleague who relayed it sees the guest only as they named them ("room 1203"), so a
housekeeper relays for a guest without reading their card.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import render
from bot.callbacks import Verb, button
from bot.i18n import t
from bot.settings import Settings
from playbooks.requests.models import (
    Place,
    Relayed,
    Request,
    RequestDetails,
    RequestSummary,
    Source,
    State,
)
from playbooks.requests.routing import Lane, Routing

LANE_MARK = {Lane.RED: "🔴", Lane.YELLOW: "🟡", Lane.GREEN: "🟢"}
QUOTE_LIMIT = 300


def lane_label(lane: Lane, lang: str) -> str:
    return t(lang, f"request.lane.{lane}")


def desk_label(routing: Routing, branch: str, desk_id: str, lang: str) -> str:
    desk = routing.department(branch, desk_id)
    return desk.label(lang) if desk else desk_id


def place_label(place: Place | None, lang: str) -> str | None:
    if place is None:
        return None
    return t(lang, f"request.place.{place.kind}", number=escape(place.number))


def clock_time(moment: datetime, settings: Settings, branch: str, now: datetime,
               reader_branch: str | None = None) -> str:
    """14:22 in the branch's time zone; with the date when it is not today there, and the
    zone's name for a reader whose own branch keeps another time ("14:22 CST")."""
    zone = _zone(settings, branch)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    shown = local.strftime("%H:%M") if local.date() == today else local.strftime("%m-%d %H:%M")
    if reader_branch is not None and _zone(settings, reader_branch).utcoffset(now) \
            != zone.utcoffset(now):
        shown += f" {local:%Z}"
    return shown


def _zone(settings: Settings, branch: str) -> ZoneInfo:
    found = settings.branch(branch)
    return ZoneInfo(found.timezone if found else "UTC")


def quoted(text: str) -> str:
    short = text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"
    return f"“{escape(short)}”"


def for_originator(details: RequestDetails) -> str:
    """The guest as the originator named them (a complaint: by the guest's name)."""
    request, guest = details.request, details.guest
    if request.source is Source.COMPLAINT and guest is not None:
        return escape(render.full_name(guest))
    return escape(request.ref_text)


def about_guest(details: RequestDetails, lang: str) -> str:
    """For the department: where the guest is, and who."""
    parts = [place_label(details.request.where, lang)]
    if details.guest is not None:
        parts.append(f"<b>{escape(render.full_name(details.guest))}</b> {details.guest.ref}")
    elif details.request.where is None:
        parts.append(escape(details.request.ref_text))
    else:
        return f"{parts[0]} {t(lang, 'request.guest_unknown')}"
    return " · ".join(part for part in parts if part)


def body(details: RequestDetails, *, lang: str, routing: Routing, settings: Settings,
         now: datetime, reader_branch: str | None = None) -> str:
    """The request as the department reads it, with where it stands; its times name their
    zone for a reader of a branch in another (an admin far away)."""
    request = details.request
    at = _at(settings, request.branch, now, reader_branch)
    lines = [
        f"{LANE_MARK[request.lane]} <b>{request.number} · "
        f"{escape(desk_label(routing, request.branch, request.department, lang))}</b>",
        about_guest(details, lang),
        quoted(request.text),
        "<i>" + t(lang, "request.from", name=escape(details.originator.name),
                  role=t(lang, f"role.{details.originator.role}"), time=at(request.created_at),
                  accept=at(request.accept_due), resolve=at(request.resolve_due)) + "</i>",
    ]
    if request.source is Source.COMPLAINT:
        lines.insert(1, t(lang, "request.complaint"))
    return "\n".join([*lines, *status_lines(details, lang=lang, settings=settings, now=now,
                                            reader_branch=reader_branch)])


def status_lines(details: RequestDetails, *, lang: str, settings: Settings,
                 now: datetime, reader_branch: str | None = None) -> list[str]:
    request, at = details.request, _at(settings, details.request.branch, now, reader_branch)
    lines = []
    if details.acceptor and request.accepted_at and request.state is State.ACCEPTED:
        lines.append(t(lang, "request.accepted_line", name=escape(details.acceptor.name),
                       time=at(request.accepted_at)))
    if details.closer and request.closed_at:
        key = "request.done_line" if request.state is State.DONE else "request.declined_line"
        lines.append(t(lang, key, name=escape(details.closer.name), time=at(request.closed_at)))
    if request.note:
        lines.append(t(lang, "request.note_line", note=escape(request.note)))
    return lines


def actions(request: Request, lang: str) -> InlineKeyboardMarkup | None:
    """Accept, Done, Can't do: what is left to press on this request."""
    row = [button(t(lang, "request.button.done"), Verb.REQUEST_DONE, request.id),
           button(t(lang, "request.button.decline"), Verb.REQUEST_DECLINE, request.id)]
    if request.state is State.OPEN:
        row.insert(0, button(t(lang, "request.button.accept"), Verb.REQUEST_ACCEPT, request.id))
    return InlineKeyboardMarkup([row]) if request.is_open else None


def sent(relayed: Relayed, *, lang: str, routing: Routing, ref: str) -> str:
    """The originator's receipt: the number, who got it, the deadlines."""
    request = relayed.request
    desk = routing.department(request.branch, request.department)
    deadline = desk.deadlines.of(request.lane) if desk else None
    who = ", ".join(escape(name) for name in relayed.recipients)
    if relayed.group:
        who = ", ".join(filter(None, [t(lang, "request.who_group"), who]))
    values = {"number": request.number, "ref": escape(ref), "lane": lane_label(request.lane, lang),
              "desk": escape(desk_label(routing, request.branch, request.department, lang)),
              "who": who, "accept": deadline.accept_minutes if deadline else "?",
              "resolve": deadline.resolve_minutes if deadline else "?"}
    if not who:
        return t(lang, "request.sent_nobody", **values)
    key = "request.sent_fallback" if relayed.fallback else "request.sent"
    return t(lang, key, **values)


def change_keyboard(request: Request, *, lang: str, routing: Routing) -> InlineKeyboardMarkup:
    """Other departments on one row, other lanes on the next: one press moves the request."""
    desks = [button(desk.label(lang)[:30], Verb.REQUEST_DESK, request.id, desk.id)
             for desk in routing.departments(request.branch) if desk.id != request.department]
    lanes = [button(lane_label(lane, lang), Verb.REQUEST_LANE, request.id, lane.value)
             for lane in Lane if lane is not request.lane]
    return InlineKeyboardMarkup([row for row in (desks[:4], desks[4:8], lanes) if row])


def summary_line(summary: RequestSummary, *, lang: str, routing: Routing) -> str:
    """One open request on a guest card or in a brief."""
    state = (t(lang, "request.state.accepted", name=escape(summary.accepted_by_name))
             if summary.accepted_by_name else t(lang, "request.state.open"))
    return t(lang, "request.card_line", mark=LANE_MARK[summary.lane], number=summary.number,
             desk=escape(desk_label(routing, summary.branch, summary.department, lang)),
             text=quoted(summary.text), state=state)


def listing_line(request: Request, *, lang: str, routing: Routing, holder: str | None,
                 now: datetime) -> str:
    state = (t(lang, "request.state.accepted", name=escape(holder)) if holder
             else t(lang, "request.state.open"))
    overdue = request.resolve_due <= now or (request.state is State.OPEN
                                            and request.accept_due <= now)
    return t(lang, "requests.line", mark=LANE_MARK[request.lane], number=request.number,
             desk=escape(desk_label(routing, request.branch, request.department, lang)),
             ref=escape(request.ref_text), age=render.age(request.created_at, now, lang),
             text=quoted(request.text), state=state) + (" ⏰" if overdue else "")


def listing_buttons(requests: list[Request], staff_id: int,
                    lang: str) -> list[list[InlineKeyboardButton]]:
    """A button per request waiting for this colleague: Accept, or Done once it is theirs."""
    rows = []
    for request in requests[:10]:
        if request.state is State.OPEN:
            rows.append([button(t(lang, "request.button.accept_number", number=request.number),
                                Verb.REQUEST_ACCEPT, request.id)])
        elif request.accepted_by == staff_id:
            rows.append([button(t(lang, "request.button.done_number", number=request.number),
                                Verb.REQUEST_DONE, request.id)])
    return rows


def _at(settings: Settings, branch: str, now: datetime,
        reader_branch: str | None) -> Callable[[datetime], str]:
    return partial(clock_time, settings=settings, branch=branch, now=now,
                   reader_branch=reader_branch)
