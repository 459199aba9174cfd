"""Monday's "regulars to call" as a manager reads it: the list, with its one-tap buttons."""

from __future__ import annotations

from datetime import datetime

from bot.delivery import Rendered
from bot.i18n import t
from bot.state import Core
from bot.status.handlers import list_buttons, list_lines
from playbooks.outbox import Delivery
from playbooks.status.lists import ListKind, ListQuery
from playbooks.status.weekly import KIND, TO_CALL
from profiles.errors import NotAllowed, StaffNotFound


async def plan_regulars_to_call(core: Core, now: datetime) -> int:
    return await core.regulars_to_call.plan(now, core.settings.zones(),
                                            hour=core.settings.report.monday_hour)


async def render_regulars_to_call(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    """None (nothing sent) when no regular has lapsed, or the manager is no longer one."""
    if delivery.staff_id is None:
        return None
    try:
        manager = await core.staff.get(delivery.staff_id)
        now = core.clock()
        query = ListQuery(kind=ListKind.LAPSED)
        found = await core.lists.page(query, viewer=manager, now=now, today=now.date(),
                                      limit=TO_CALL)
    except (NotAllowed, StaffNotFound):
        return None
    if not found.items:
        return None
    lines = list_lines(found, query, core, lang)
    lines[0] = t(lang, "list.title.weekly", n=len(found.items))
    return Rendered(text="\n".join(lines), markup=list_buttons(found, query, lang))


RENDERERS = {KIND: render_regulars_to_call}
