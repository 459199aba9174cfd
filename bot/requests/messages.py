"""What the outbox sends about requests, rendered at send time from where the request stands.

A message that no longer needs sending renders to None: the department's copy of a request
someone already took, an escalation after the clock was stopped, anything about a request
erased with its guest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape

from bot.delivery import Rendered, Renderer, in_place
from bot.i18n import t
from bot.requests import texts
from bot.state import Core
from playbooks.outbox import Delivery
from playbooks.requests.models import MessageKind, Relayed, RequestDetails, State, Step
from profiles.errors import StaffNotFound


async def render_new(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    details = await _details(core, delivery)
    if details is None or details.request.state is not State.OPEN:
        return None
    if details.request.route != delivery.payload.get("route"):
        return None  # the request was sent to another department (or lane) since
    text = _body(core, details, lang, await _reader(core, delivery))
    if delivery.payload.get("fallback"):
        desk = texts.desk_label(core.requests.routing, details.request.branch,
                                details.request.department, lang)
        text += "\n" + t(lang, "request.fallback", desk=escape(desk))
    return Rendered(text=text, markup=texts.actions(details.request, lang))


async def render_escalation(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    details = await _details(core, delivery)
    step = Step(str(delivery.payload.get("step")))
    if details is None or not details.request.is_open:
        return None
    if step is Step.ACCEPT and details.request.state is not State.OPEN:
        return None  # accepted meanwhile: the clock has stopped
    request = details.request
    due = request.accept_due if step is Step.ACCEPT else request.resolve_due
    minutes = int((due - request.created_at).total_seconds() // 60)
    head = t(lang, f"request.escalate.{step}", number=request.number, minutes=minutes)
    body = _body(core, details, lang, await _reader(core, delivery))
    return Rendered(text=f"{head}\n\n{body}",
                    markup=texts.actions(request, lang))


async def render_accepted(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    details = await _details(core, delivery)
    if details is None or details.acceptor is None or details.request.accepted_at is None:
        return None
    return Rendered(text=t(lang, "request.told_accepted", **_told(
        core, details, lang, details.acceptor.name, details.request.accepted_at,
        await _reader(core, delivery))))


async def render_closed(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    details = await _details(core, delivery)
    request = details.request if details else None
    if details is None or request is None or details.closer is None or request.closed_at is None:
        return None
    key = "request.told_done" if request.state is State.DONE else "request.told_declined"
    text = t(lang, key, **_told(core, details, lang, details.closer.name, request.closed_at,
                                    await _reader(core, delivery)))
    if request.note:  # the note came before this was sent: one message says it all
        text += "\n" + t(lang, "request.note_line", note=escape(request.note))
    return Rendered(text=text)


async def render_note(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    details = await _details(core, delivery)
    if details is None or details.closer is None or not details.request.note:
        return None
    return Rendered(text=t(lang, "request.told_note", number=details.request.number,
                           who=escape(details.closer.name), ref=texts.for_originator(details),
                           note=escape(details.request.note)))


async def render_group_refused(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    details = await _details(core, delivery)
    if details is None:
        return None
    request = details.request
    branch = core.settings.branch(request.branch)
    return Rendered(text=t(
        lang, "request.group_refused", number=request.number,
        desk=escape(texts.desk_label(core.requests.routing, request.branch, request.department,
                                     lang)),
        branch=escape(branch.label(lang) if branch else request.branch),
        chat_id=delivery.payload.get("chat_id"), error=escape(str(delivery.payload.get("error"))),
    ))


async def render_receipt(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """The relayer's receipt as the request stands: sent (with buttons to move it while
    nobody has it), taken, done or declined with the closer's note."""
    details = await _details(core, delivery)
    if details is None:
        return None
    request = details.request
    if request.state is State.OPEN:
        names = delivery.payload.get("recipients")
        relayed = Relayed(request=request, group=delivery.payload.get("group") is True,
                          recipients=[str(n) for n in names] if isinstance(names, list) else [],
                          fallback=delivery.payload.get("fallback") is True)
        routing = core.requests.routing
        return Rendered(text=texts.sent(relayed, lang=lang, routing=routing,
                                        ref=request.ref_text),
                        markup=texts.change_keyboard(request, lang=lang, routing=routing))
    closed = await render_closed(core, delivery, lang)
    return closed or await render_accepted(core, delivery, lang)


async def _copy(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """A department's or an escalation's copy as the request now stands (to redraw it)."""
    details = await _details(core, delivery)
    if details is None:
        return None
    return Rendered(text=_body(core, details, lang, await _reader(core, delivery)),
                    markup=texts.actions(details.request, lang))


async def render_overdue(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """To whoever relayed it: overdue, by how much, and who has it now."""
    details = await _details(core, delivery)
    if details is None or not details.request.is_open:
        return None  # done meanwhile: the receipt says so
    request = details.request
    step = Step(str(delivery.payload.get("step")))
    due = request.accept_due if step is Step.ACCEPT else request.resolve_due
    late = max(0, int((core.clock() - due).total_seconds() // 60))
    names = delivery.payload.get("names")
    who = ", ".join(escape(str(name)) for name in names) if isinstance(names, list) else ""
    key = f"request.overdue.{step}" if who else f"request.overdue_nobody.{step}"
    return Rendered(text=t(lang, key, number=request.number, ref=texts.for_originator(details),
                           late=late, who=who))


def request_renderers() -> Mapping[str, Renderer]:
    return {
        MessageKind.OVERDUE: render_overdue,
        MessageKind.COPY_REDRAW: in_place(_copy),
        MessageKind.RECEIPT: render_receipt,
        MessageKind.RECEIPT_REDRAW: in_place(render_receipt),
        MessageKind.NEW: render_new,
        MessageKind.ESCALATE: render_escalation,
        MessageKind.ACCEPTED: render_accepted,
        MessageKind.CLOSED: render_closed,
        MessageKind.NOTE: render_note,
        MessageKind.GROUP_REFUSED: render_group_refused,
    }


async def _details(core: Core, delivery: Delivery) -> RequestDetails | None:
    request_id = delivery.payload.get("request_id")
    return await core.requests.details(request_id) if isinstance(request_id, int) else None


def _body(core: Core, details: RequestDetails, lang: str, reader: str | None) -> str:
    return texts.body(details, lang=lang, routing=core.requests.routing, settings=core.settings,
                      now=core.clock(), reader_branch=reader)


async def _reader(core: Core, delivery: Delivery) -> str | None:
    """The branch of whom the message is for: its times are told in theirs."""
    if delivery.staff_id is None:
        return None
    try:
        return (await core.staff.get(delivery.staff_id)).branch
    except StaffNotFound:
        return None


def _told(core: Core, details: RequestDetails, lang: str, who: str,
          when: datetime, reader: str | None) -> dict[str, str]:
    request = details.request
    return {
        "number": request.number, "ref": texts.for_originator(details), "who": escape(who),
        "desk": escape(texts.desk_label(core.requests.routing, request.branch,
                                        request.department, lang)),
        "time": texts.clock_time(when, core.settings, request.branch, core.clock(), reader),
    }
