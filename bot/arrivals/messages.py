"""An arrival's receipt to whoever recorded it: what it started, and whether the kitchen has
the allergy; redrawn in place when the kitchen presses Seen."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from bot.checklists.messages import clock_time, guest_line, kitchen_told
from bot.delivery import Rendered, Renderer, in_place
from bot.i18n import t
from bot.state import Core
from playbooks import receipts
from playbooks.arrivals import Arrived
from playbooks.checklists.engine import Outcome
from playbooks.outbox import Delivery
from profiles.errors import GuestNotFound


def arrival_text(arrived: Arrived, core: Core, lang: str) -> str:
    visit = arrived.visit
    zone = core.playbooks.policy(visit.branch).zone
    at = clock_time(visit.arrived_at, zone)
    if arrived.repeated:
        return t(lang, "arrive.repeated", at=at)
    head = t(lang, "arrive.recorded", guest=guest_line(arrived.guest, visit.place, lang),
             at=at)
    return "\n".join([head, *_told(arrived.outcome, lang, core, visit.branch)])


def _told(outcome: Outcome, lang: str, core: Core, branch: str) -> list[str]:
    """Who the arrival reached: a line per checklist, one for the kitchen."""
    lines = [t(lang, "arrive.checklist", title=escape(run.title(lang)),
               count=len(run.recipients)) for run in outcome.runs]
    if outcome.alert is not None:
        lines.append(kitchen_told(outcome.alert, lang, core.playbooks.policy(branch).zone))
    return lines


async def render_receipt(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    arrived = await _arrived(core, delivery)
    return None if arrived is None else Rendered(text=arrival_text(arrived, core, lang))


async def _arrived(core: Core, delivery: Delivery) -> Arrived | None:
    visit_id = delivery.payload.get("visit_id")
    if not isinstance(visit_id, int):
        return None
    try:
        return await core.arrivals.receipt(visit_id)
    except (GuestNotFound, LookupError):
        return None


RENDERERS: Mapping[str, Renderer] = {receipts.ARRIVAL: render_receipt,
                                     # the receipt redrawn when the kitchen has seen it
                                     receipts.ARRIVAL_REDRAW: in_place(render_receipt)}
