"""Briefs and occasion reminders in the sweep: planned from stored data, rendered when sent."""

from __future__ import annotations

from datetime import date, datetime

from bot.briefs.messages import brief_messages, occasion_messages
from bot.delivery import Rendered, Renderer
from bot.settings import Branch, Settings
from bot.state import Core
from playbooks.briefs import brief as briefs
from playbooks.briefs import occasions
from playbooks.briefs.shifts import BranchDay, ShiftSpec
from playbooks.outbox import Delivery
from profiles.errors import StaffNotFound
from profiles.models import Staff


def branch_day(branch: Branch) -> BranchDay:
    """A branch as the planners see it: its zone, its shifts, how far ahead occasions go."""
    return BranchDay(
        branch=branch.id, timezone=branch.timezone,
        shifts=tuple(ShiftSpec(name=s.name, start=s.start, end=s.end, roles=tuple(s.roles))
                     for s in branch.shifts),
        occasion_days_ahead=branch.occasion_days_ahead,
    )


def branch_day_of(settings: Settings, branch_id: str) -> BranchDay:
    """The branch by id; one no longer in config.toml is read in UTC without shifts."""
    branch = settings.branch(branch_id)
    return branch_day(branch) if branch else BranchDay(branch=branch_id, timezone="UTC")


async def plan(core: Core, now: datetime) -> None:
    """Enqueue the briefs and reminders due at `now`, then announce the occasions found."""
    await core.briefs.plan([branch_day(b) for b in core.settings.branches], now)
    await core.briefs.events.publish(core.events, now)


async def render_brief(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    found = await _recipient(core, delivery)
    if found is None:
        return None
    member, branch, day = found
    shift = delivery.payload.get("shift")
    brief = await core.briefs.brief(branch_day(branch), day, viewer=member,
                                    shift=shift if isinstance(shift, str) else None)
    if not brief.entries and not brief.in_house:
        return None  # nobody expected, nobody in: a brief that says nothing is not sent
    return _rendered(brief_messages(brief, lang=lang, zone=branch.zone,
                                    branches=core.settings.branch_labels(lang)))


async def render_occasions(core: Core, delivery: Delivery, lang: str) -> Rendered | None:
    found = await _recipient(core, delivery)
    if found is None:
        return None
    member, branch, day = found
    # the guests planned for this reader (read alone, not the whole chain's occasions again)
    planned = delivery.payload.get("guests")
    ids = [int(i) for i in planned] if isinstance(planned, list) else None
    reminders = await core.briefs.reminders(branch_day(branch), day, ids)
    guests = reminders.by_staff.get(member.id)
    if not guests:
        return None  # the occasions were retracted or the guest erased since
    return _rendered(occasion_messages(guests, day, lang=lang, zone=branch.zone,
                                       branches=core.settings.branch_labels(lang)))


async def _recipient(core: Core, delivery: Delivery) -> tuple[Staff, Branch, date] | None:
    """The active staff member, the branch and the day a delivery is for, or None."""
    branch = core.settings.branch(str(delivery.payload.get("branch")))
    if delivery.staff_id is None or branch is None:
        return None
    try:
        member = await core.staff.get(delivery.staff_id)
    except StaffNotFound:
        return None
    if not member.active or member.branch != branch.id:
        return None  # left, or moved to another branch since it was planned
    return member, branch, date.fromisoformat(str(delivery.payload.get("date")))


def _rendered(messages: list[str]) -> Rendered:
    return Rendered(text=messages[0], more=messages[1:])


RENDERERS: dict[str, Renderer] = {
    briefs.KIND: render_brief,
    occasions.KIND: render_occasions,
}
