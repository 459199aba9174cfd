"""Playbook runs as the core sees them, and the pure decisions about them: which reminders and
reports are due at `now`, and how a branch's week of runs adds up."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from playbooks.checklists.playbook import Text
from playbooks.outbox import Outgoing
from playbooks.service_report import audit as service_audit
from profiles.models import Frozen

# a checklist, reminder or report this stale is about a guest long gone: dropped, not sent
STALE_AFTER = timedelta(hours=12)
# a step without a due time counts as missed once its run is this old
UNTIMED_GRACE = timedelta(hours=4)

CHECKLIST = "playbook.run"
REMINDER = "playbook.remind"
LATE = "playbook.late"


class RunStep(Frozen):
    id: int
    run_id: int
    position: int
    key: str
    text: Text
    due_at: datetime | None = None
    done_at: datetime | None = None
    done_by: int | None = None
    done_by_name: str | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None


class Run(Frozen):
    id: int
    playbook_id: str
    guest_id: int
    branch: str
    event_kind: str
    title: Text
    place: str | None = None
    triggered_at: datetime
    completed_at: datetime | None = None
    steps: list[RunStep]
    recipients: list[int]

    @property
    def complete(self) -> bool:
        return self.completed_at is not None

    def step(self, step_id: int) -> RunStep | None:
        return next((step for step in self.steps if step.id == step_id), None)


class Marked(StrEnum):
    DONE = "done"  # this press did it
    ALREADY = "already"  # someone had done it before
    CLOSED = "closed"  # the whole run was complete already


class Person(Frozen):
    staff_id: int
    chat_id: int


class OpenStep(Frozen):
    """A step past its due time and not done, with who should hear about it."""

    id: int
    run_id: int
    triggered_at: datetime
    due_at: datetime
    recipients: list[Person]
    leads: list[Person]


def prompts_due(steps: list[OpenStep], now: datetime, *, report_after: timedelta) -> list[Outgoing]:
    """Reminders (once, to the checklist's recipients, at the due time) and reports (to the
    shift leads, `report_after` later) for steps still open at `now`.

    A step that was already due when its run started gets no reminder (the checklist itself
    was the prompt), only the report. Keys make each message happen once.
    """
    due: list[Outgoing] = []
    for step in steps:
        if step.due_at > now or now - step.due_at >= STALE_AFTER:
            continue
        if step.due_at > step.triggered_at:
            due += [_prompt(REMINDER, step, person, step.due_at) for person in step.recipients]
        if step.due_at + report_after <= now:
            due += [_prompt(LATE, step, person, step.due_at + report_after)
                    for person in step.leads]
    return due


def _prompt(kind: str, step: OpenStep, person: Person, at: datetime) -> Outgoing:
    return Outgoing(key=f"{kind}:{step.id}:{person.staff_id}", kind=kind,
                    payload={"step_id": step.id, "run_id": step.run_id}, chat_id=person.chat_id,
                    staff_id=person.staff_id, not_before=at, expires_at=at + STALE_AFTER)


def checklist_message(run_id: int, person: Person, now: datetime) -> Outgoing:
    return Outgoing(key=f"{CHECKLIST}:{run_id}:{person.staff_id}", kind=CHECKLIST,
                    payload={"run_id": run_id}, chat_id=person.chat_id, staff_id=person.staff_id,
                    not_before=now, expires_at=now + STALE_AFTER)


def missed(step: RunStep, run: Run, now: datetime) -> bool:
    """Not done, and past its due time (or, without one, its run is hours old)."""
    deadline = step.due_at or run.triggered_at + UNTIMED_GRACE
    return not step.done and deadline <= now


class MissedStep(Frozen):
    playbook_id: str
    title: Text
    step_key: str
    text: Text
    count: int


class Audit(Frozen):
    """A branch's playbook figures over a period: the service-audit report reads these."""

    branch: str
    start: datetime
    end: datetime
    runs: int
    completed: int
    steps: int
    steps_done: int
    most_missed: list[MissedStep]

    @property
    def completion_rate(self) -> float | None:
        """Completed runs over runs started; None for a period without runs."""
        return self.completed / self.runs if self.runs else None


def audit(
    runs: list[Run], *, branch: str, start: datetime, end: datetime, now: datetime, top: int = 5
) -> Audit:
    """How the runs started in [start, end) went, as of `now`."""
    counted = [run for run in runs if run.branch == branch and start <= run.triggered_at < end]
    misses: Counter[tuple[str, int, str]] = Counter()
    labels: dict[tuple[str, int, str], tuple[Text, Text]] = {}
    for run in counted:
        for step in run.steps:
            if missed(step, run, now):
                key = (run.playbook_id, step.position, step.key)
                misses[key] += 1
                labels[key] = (run.title, step.text)
    # most missed first; ties in playbook and step order
    ranked = sorted(misses.items(), key=lambda item: (-item[1], item[0]))[:top]
    return Audit(
        branch=branch, start=start, end=end, runs=len(counted),
        completed=sum(run.complete for run in counted),
        steps=sum(len(run.steps) for run in counted),
        steps_done=sum(step.done for run in counted for step in run.steps),
        most_missed=[MissedStep(playbook_id=key[0], step_key=key[2], title=labels[key][0],
                                text=labels[key][1], count=count) for key, count in ranked],
    )


def week_of(moment: datetime, zone: ZoneInfo, *, weeks_back: int = 0) -> tuple[datetime, datetime]:
    """The local Monday-to-Monday week holding `moment` (or one `weeks_back` before it)."""
    week = service_audit.week_of(moment.astimezone(zone).date() - timedelta(weeks=weeks_back),
                                 zone)
    return week.start, week.end
