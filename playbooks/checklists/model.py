"""Playbook runs as the core sees them, and the pure decisions about them: which reminders and
reports are due at `now`, and how a branch's week of runs adds up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
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

# a person hears about due steps at most this often: what falls due meanwhile waits for it
REMIND_QUIET = timedelta(minutes=5)

CHECKLIST = "playbook.run"
SYNC = "playbook.sync"  # a checklist someone holds, redrawn as a step was ticked elsewhere
REMINDER = "playbook.remind"
LATE = "playbook.late"
LATE_REDRAW = "playbook.late.redraw"  # the shift's report, listing a step late since it went


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
    # a shift lead watching a checklist others act on holds one line of it, not its steps
    compact: bool = False


class OpenStep(Frozen):
    """A step past its due time and not done, with who should hear about it."""

    id: int
    run_id: int
    branch: str
    triggered_at: datetime
    due_at: datetime
    recipients: list[Person]
    leads: list[Person]


class Reminded(Frozen):
    """What a person was last reminded of: the steps, and when the last reminder was."""

    steps: frozenset[int] = frozenset()
    last: datetime | None = None


def reminders_due(
    steps: list[OpenStep], now: datetime, *, reminded: Mapping[int, Reminded],
    quiet: timedelta = REMIND_QUIET,
) -> list[Outgoing]:
    """One reminder per person listing every step of theirs that fell due and was not yet
    reminded; nothing to someone reminded less than `quiet` ago (it waits for the next one).

    A step already due when its run started gets no reminder (the checklist itself was the
    prompt); a shift lead watching a checklist in one line is not reminded, only reported to.
    """
    pending: dict[int, tuple[Person, list[int]]] = {}
    for step in steps:
        if step.due_at > now or now - step.due_at >= STALE_AFTER:
            continue
        if step.due_at <= step.triggered_at:
            continue
        for person in step.recipients:
            history = reminded.get(person.staff_id, Reminded())
            if person.compact or step.id in history.steps:
                continue
            if history.last is not None and now - history.last < quiet:
                continue
            pending.setdefault(person.staff_id, (person, []))[1].append(step.id)
    return [Outgoing(key=f"{REMINDER}:{person.staff_id}:{now.isoformat()}", kind=REMINDER,
                     payload={"step_ids": ids}, chat_id=person.chat_id,
                     staff_id=person.staff_id, not_before=now, expires_at=now + STALE_AFTER)
            for person, ids in pending.values()]


def reports_due(
    steps: list[OpenStep], now: datetime, *, report_after: timedelta,
    shift: Callable[[str, datetime], str],
) -> list[Outgoing]:
    """One report per shift lead and shift of the steps not done `report_after` past their
    due time. It is rendered when sent, so it lists every step late by then; `shift` names
    the shift a moment falls in, so each lead hears once per shift, not once per step: a step
    late after the report went out redraws it (its payload's "steps" are those late now)."""
    first: dict[str, tuple[Person, OpenStep]] = {}
    listed: dict[str, list[int]] = {}
    for step in steps:
        late_at = step.due_at + report_after
        if late_at > now or now - step.due_at >= STALE_AFTER:
            continue
        for person in step.leads:
            key = f"{LATE}:{person.staff_id}:{shift(step.branch, late_at)}"
            first.setdefault(key, (person, step))
            listed.setdefault(key, []).append(step.id)
    return [Outgoing(key=key, kind=LATE, chat_id=person.chat_id, staff_id=person.staff_id,
                     payload={"branch": step.branch, "since": step.due_at.isoformat(),
                              "steps": listed[key]},
                     not_before=now, expires_at=now + STALE_AFTER)
            for key, (person, step) in first.items()]


def checklist_key(run_id: int, staff_id: int) -> str:
    return f"{CHECKLIST}:{run_id}:{staff_id}"


def checklist_message(run_id: int, person: Person, now: datetime) -> Outgoing:
    return Outgoing(key=checklist_key(run_id, person.staff_id), kind=CHECKLIST,
                    payload={"run_id": run_id, "compact": person.compact},
                    chat_id=person.chat_id, staff_id=person.staff_id, not_before=now,
                    expires_at=now + STALE_AFTER)


def sync_message(run_id: int, person: Person, step_id: int, now: datetime) -> Outgoing:
    """The checklist `person` holds, to be redrawn in place now that `step_id` was ticked."""
    return Outgoing(key=f"{SYNC}:{run_id}:{person.staff_id}:{step_id}", kind=SYNC,
                    payload={"run_id": run_id, "compact": person.compact,
                             "message": checklist_key(run_id, person.staff_id)},
                    chat_id=person.chat_id, staff_id=person.staff_id, not_before=now,
                    expires_at=now + STALE_AFTER)


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
