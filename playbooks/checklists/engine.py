"""The playbook engine: reacts to the core's events, starts the playbooks that match, hands
allergies to the kitchen, and plans the reminders and escalations a sweep sends."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playbooks.briefs.shifts import BranchDay, ShiftSpec, current_shifts
from playbooks.checklists.allergy import (
    AllergyAlert,
    AllergyAlerts,
    NewAlert,
    alert_for,
    raise_alert,
)
from playbooks.checklists.matching import due_times, matching, observe, occurrence
from playbooks.checklists.model import Audit, Run, audit
from playbooks.checklists.playbook import Playbook
from playbooks.checklists.store import (
    NewRun,
    RunStore,
    checklist_holders,
    close_runs_of_visit,
    in_now,
    join_open_run,
    load_facts,
    recipients,
    runs_started_by,
    start_run,
)
from playbooks.events import Event, EventKind
from profiles.errors import GuestNotFound
from profiles.models import Role
from profiles.visits import place_code
from store.database import Database
from store.sql import Conn

log = logging.getLogger(__name__)

DEFAULT_ACK_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class BranchPolicy:
    """What the engine needs to know of a branch (from config.toml)."""

    zone: ZoneInfo
    kitchen_chat: int | None = None
    ack_after: timedelta = DEFAULT_ACK_AFTER
    shifts: tuple[ShiftSpec, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What an event set in motion: for the reply to the person who raised it."""

    runs: list[Run]
    alert: AllergyAlert | None


def place_of(event: Event) -> str | None:
    """"table:12" or "room:1203" when the event names one."""
    return place_code(event.details.get("table"), event.details.get("room"))


class PlaybookEngine:
    def __init__(
        self, library: list[Playbook], db: Database, *, policies: Mapping[str, BranchPolicy],
        report_after: timedelta,
    ) -> None:
        self.library = library
        self.runs = RunStore(db)
        self.alerts = AllergyAlerts(db)
        self._policies = dict(policies)
        self._report_after = report_after

    def react(self, conn: Conn, event: Event, now: datetime) -> None:
        """Start every matching playbook; on an arrival with an allergy, alert the kitchen.
        Runs in the transaction that recorded the event (`EventLog.publish`)."""
        policy = self.policy(event.branch)
        visit = event.details.get("visit_id")
        try:
            # whether the branch expects the guest costs two reads: only when a playbook asks
            asks = any(event.kind in p.trigger and p.conditions.expected is not None
                       for p in self.library)
            facts = load_facts(conn, event.guest_id, before=event.at,
                               visit_id=visit if isinstance(visit, int) else None,
                               branch=event.branch if asks else None)
        except GuestNotFound:
            log.info("%s for a guest who is gone: nothing to start", event.kind)
            return
        seen = observe(facts, event, policy.zone)
        for playbook in matching(self.library, event, seen):
            self._start(conn, playbook, event, policy, now)
        if event.kind is EventKind.GUEST_ARRIVED and seen.has_allergy:
            self._alert_kitchen(conn, event, event.branch, place_of(event), now)
        elif event.kind is EventKind.TRAIT_ALLERGY_LOGGED and (
                where := in_now(conn, event.guest_id, event.at)) is not None:
            # learned while the guest is in, wherever a colleague typed it: the kitchen where
            # the guest is hears now, as on an arrival
            self._alert_kitchen(conn, event, *where, now)
        if event.kind is EventKind.GUEST_CHECKOUT and isinstance(visit, int):
            close_runs_of_visit(conn, visit, now)

    def outcome(self, conn: Conn, events: list[Event]) -> Outcome:
        """What these events set in motion, read in the same transaction."""
        alerts = [alert_for(conn, event.subject) for event in events]
        return Outcome(runs=runs_started_by(conn, [event.subject for event in events]),
                       alert=next((alert for alert in alerts if alert), None))

    async def plan(self, now: datetime) -> None:
        """The planner a sweep runs: due-step reminders, late reports, unseen alerts."""
        await self.runs.plan_prompts(now, report_after=self._report_after, shift=self.shift)
        await self.alerts.plan_escalations(now)

    async def audit(self, branch: str, start: datetime, end: datetime, now: datetime) -> Audit:
        """The branch's playbook figures for runs started in [start, end), as of `now`."""
        runs = await self.runs.in_period(branch, start, end)
        return audit(runs, branch=branch, start=start, end=end, now=now)

    def policy(self, branch: str) -> BranchPolicy:
        return self._policies.get(branch) or BranchPolicy(zone=ZoneInfo("UTC"))

    @property
    def report_after(self) -> timedelta:
        return self._report_after

    def shift(self, branch: str, moment: datetime) -> str:
        """The shift `moment` falls in ("la:dinner:2026-12-07"), else its local date."""
        policy = self.policy(branch)
        day = BranchDay(branch=branch, timezone=policy.zone.key, shifts=policy.shifts)
        under_way = current_shifts(day, moment)
        return under_way[0].key if under_way else f"{branch}:{day.today(moment).isoformat()}"

    def _start(
        self, conn: Conn, playbook: Playbook, event: Event, policy: BranchPolicy, now: datetime
    ) -> None:
        people = checklist_holders(conn, event.branch, playbook, actor=event.staff_id)
        if not people:
            # nobody to prompt; a once-a-day playbook stays free for a later occurrence
            log.info("%s: nobody in %s has the roles %s", playbook.id, event.branch,
                     playbook.roles)
            return
        if playbook.one_open_per_guest and event.guest_id is not None and join_open_run(
                conn, playbook.id, event.guest_id, event.branch, started_by=event.subject,
                now=now):
            return
        start_run(conn, NewRun(
            playbook=playbook, occurrence=occurrence(playbook, event, policy.zone),
            started_by=event.subject, guest_id=event.guest_id, branch=event.branch,
            event_kind=event.kind, place=place_of(event), due=due_times(playbook, event),
            recipients=people,
        ), now)

    def _alert_kitchen(
        self, conn: Conn, event: Event, branch: str, place: str | None, now: datetime
    ) -> None:
        policy = self.policy(branch)
        kitchen = [] if policy.kitchen_chat else recipients(conn, branch, [Role.KITCHEN])
        raise_alert(conn, NewAlert(
            occurrence=event.subject, guest_id=event.guest_id, branch=branch,
            place=place, kitchen_chat=policy.kitchen_chat, kitchen=kitchen,
            deadline=now + policy.ack_after,
        ), now)
