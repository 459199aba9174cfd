"""The playbook engine: hears the core's events, starts the playbooks that match, hands
allergies to the kitchen, and plans the reminders and escalations a sweep sends."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playbooks.allergy import AllergyAlert, AllergyAlerts, NewAlert
from playbooks.checklists import Audit, Run, audit
from playbooks.events import Event, EventBus, EventKind
from playbooks.matching import due_times, matching, observe, occurrence
from playbooks.playbook import Playbook
from playbooks.runs import NewRun, RunStore
from profiles.db import Database
from profiles.errors import GuestNotFound
from profiles.models import Role

log = logging.getLogger(__name__)

DEFAULT_ACK_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class BranchPolicy:
    """What the engine needs to know of a branch (from config.toml)."""

    zone: ZoneInfo
    kitchen_chat: int | None = None
    ack_after: timedelta = DEFAULT_ACK_AFTER


@dataclass(frozen=True)
class Outcome:
    """What an event set in motion: for the reply to the person who raised it."""

    runs: list[Run]
    alert: AllergyAlert | None


def place_of(event: Event) -> str | None:
    """"table:12" or "room:1203" when the event names one."""
    for kind in ("table", "room"):
        value = event.details.get(kind)
        if value:
            return f"{kind}:{value}"
    return None


class PlaybookEngine:
    def __init__(
        self, library: list[Playbook], db: Database, *, policies: Mapping[str, BranchPolicy],
        report_after: timedelta, clock: Callable[[], datetime],
    ) -> None:
        self.library = library
        self.runs = RunStore(db)
        self.alerts = AllergyAlerts(db)
        self._policies = dict(policies)
        self._report_after = report_after
        self._clock = clock

    def subscribe(self, events: EventBus) -> None:
        events.subscribe(self.handle)

    async def handle(self, event: Event) -> None:
        """Start every matching playbook; on an arrival with an allergy, alert the kitchen."""
        policy = self.policy(event.branch)
        visit = event.details.get("visit_id")
        try:
            facts = await self.runs.facts(event.guest_id, before=event.at,
                                          visit_id=visit if isinstance(visit, int) else None)
        except GuestNotFound:
            log.info("%s for a guest who is gone: nothing to start", event.kind)
            return
        seen = observe(facts, event, policy.zone)
        for playbook in matching(self.library, event, seen):
            await self._start(playbook, event, policy)
        if event.kind is EventKind.GUEST_ARRIVED and seen.has_allergy:
            await self._alert_kitchen(event, policy)

    async def outcome(self, *events: Event) -> Outcome:
        runs = await self.runs.started_by([event.subject for event in events])
        alerts = [await self.alerts.for_occurrence(event.subject) for event in events]
        return Outcome(runs=runs, alert=next((alert for alert in alerts if alert), None))

    async def plan(self, now: datetime) -> None:
        """The planner a sweep runs: due-step reminders, late reports, unseen alerts."""
        await self.runs.plan_prompts(now, report_after=self._report_after)
        await self.alerts.plan_escalations(now)

    async def audit(self, branch: str, start: datetime, end: datetime, now: datetime) -> Audit:
        """The branch's playbook figures for runs started in [start, end), as of `now`."""
        runs = await self.runs.in_period(branch, start, end)
        return audit(runs, branch=branch, start=start, end=end, now=now)

    def policy(self, branch: str) -> BranchPolicy:
        return self._policies.get(branch) or BranchPolicy(zone=ZoneInfo("UTC"))

    async def _start(self, playbook: Playbook, event: Event, policy: BranchPolicy) -> None:
        recipients = await self.runs.staff_with_roles(
            event.branch, playbook.roles, also=event.staff_id if playbook.actor else None)
        if not recipients:
            # nobody to prompt; a once-a-day playbook stays free for a later occurrence
            log.info("%s: nobody in %s has the roles %s", playbook.id, event.branch,
                     playbook.roles)
            return
        run = NewRun(
            playbook=playbook, occurrence=occurrence(playbook, event, policy.zone),
            started_by=event.subject, guest_id=event.guest_id, branch=event.branch,
            event_kind=event.kind, place=place_of(event), due=due_times(playbook, event),
            recipients=recipients,
        )
        await self.runs.start(run, now=self._clock())

    async def _alert_kitchen(self, event: Event, policy: BranchPolicy) -> None:
        now = self._clock()
        kitchen = [] if policy.kitchen_chat else await self.runs.staff_with_roles(
            event.branch, [Role.KITCHEN])
        await self.alerts.raise_alert(NewAlert(
            occurrence=event.subject, guest_id=event.guest_id, branch=event.branch,
            place=place_of(event), kitchen_chat=policy.kitchen_chat, kitchen=kitchen,
            deadline=now + policy.ack_after,
        ), now)
