"""When a staff member cannot be reached (they blocked the bot), their leads hear of it once."""

from __future__ import annotations

from html import escape

from bot.delivery import Rendered
from bot.i18n import t
from bot.state import Core
from playbooks.outbox import Delivery, Outgoing
from profiles.models import Role, Staff

KIND = "staff.unreachable"
TOLD = (Role.LEAD, Role.MANAGER)


async def notice_unreachable(core: Core, delivery: Delivery) -> int:
    """A group that removed the bot: its requests go to the leads (and the admins are told).
    A person who blocked it: marked unreachable, and each lead and manager of their branch is
    told once."""
    now, staff_id = core.clock(), delivery.staff_id
    if staff_id is None:
        return await core.request_planner.plan(now)
    if not await core.staff.mark_unreachable(staff_id, now=now):
        return 0  # already known: the leads were told the first time
    member = await core.staff.get(staff_id)
    notices = [
        Outgoing(key=f"{KIND}:{member.id}:{lead.id}", kind=KIND, chat_id=lead.telegram_id,
                 staff_id=lead.id, payload={"staff_id": member.id}, not_before=now)
        for lead in await _leads(core, member)
    ]
    return await core.outbox.put(notices, now)


async def _leads(core: Core, member: Staff) -> list[Staff]:
    colleagues = await core.staff.in_branch(member.branch)
    return [c for c in colleagues
            if c.active and c.role in TOLD and c.id != member.id and c.unreachable_since is None]


async def render_unreachable(core: Core, delivery: Delivery, language: str) -> Rendered:
    member = await core.staff.get(int(str(delivery.payload["staff_id"])))
    return Rendered(text=t(language, "unreachable.notice", name=escape(member.name),
                           role=t(language, f"role.{member.role}")))


RENDERERS = {KIND: render_unreachable}
