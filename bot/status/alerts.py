"""The notice that a guest at risk has arrived, as the lead reads it."""

from __future__ import annotations

from html import escape

from bot.delivery import Rendered
from bot.i18n import t
from bot.render import full_name
from bot.state import Core
from bot.status.text import status_line
from playbooks.outbox import Delivery
from playbooks.status.alerts import KIND
from profiles.errors import GuestNotFound


async def render_at_risk_arrival(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """None (dropped) when the guest was erased or merged away meanwhile."""
    guest_id, visit_id = int(str(delivery.payload["guest_id"])), delivery.payload.get("visit_id")
    try:
        guest = await core.guests.get(guest_id)
        status = await core.statuses.of(guest_id)
        visit = await core.visits.get(visit_id) if isinstance(visit_id, int) else None
    except (GuestNotFound, LookupError):  # erased, or merged away, meanwhile
        return None
    place = ""
    if visit is not None and (visit.table_no or visit.room_no):
        place = t(lang, "status.at_table" if visit.table_no else "status.in_room",
                  n=escape(visit.table_no or visit.room_no or ""))
    why = "" if status is None else status_line(
        status, lang=lang, now=core.clock(), branches=core.settings.branch_labels(lang),
        no_show_months=core.statuses.rules.no_show_months,
        spend_months=core.statuses.rules.key_spend_months)
    return Rendered(text=t(lang, "status.at_risk_arrived", name=escape(full_name(guest)),
                           ref=guest.ref, place=place, why=why))


RENDERERS = {KIND: render_at_risk_arrival}
