"""Reminders, late reports and the weekly figures: decided from stored runs and `now` alone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playbooks.checklists.model import (
    LATE,
    REMINDER,
    OpenStep,
    Person,
    Reminded,
    Run,
    RunStep,
    audit,
    reminders_due,
    reports_due,
    week_of,
)
from playbooks.checklists.playbook import Text
from tests.factories import NOW

MIN = timedelta(minutes=1)
WAITER, LEAD = Person(staff_id=1, chat_id=1001), Person(staff_id=2, chat_id=1002)
REPORT_AFTER = 10 * MIN


def open_step(due_in: timedelta, *, step_id: int = 5, run_id: int = 3) -> OpenStep:
    return OpenStep(id=step_id, run_id=run_id, branch="la", triggered_at=NOW,
                    due_at=NOW + due_in, recipients=[WAITER], leads=[LEAD])


def one_shift(branch: str, moment: datetime) -> str:
    return f"{branch}:dinner"


def due_at(now: datetime, *steps: OpenStep,
           reminded: dict[int, Reminded] | None = None) -> list[tuple[str, int]]:
    due = [*reminders_due(list(steps), now, reminded=reminded or {}),
           *reports_due(list(steps), now, report_after=REPORT_AFTER, shift=one_shift)]
    return [(message.kind, message.chat_id) for message in due]


def test_a_due_step_is_reminded_then_reported_to_the_lead() -> None:
    step = open_step(5 * MIN)
    assert due_at(NOW + 4 * MIN, step) == []
    assert due_at(NOW + 5 * MIN, step) == [(REMINDER, 1001)]
    reminded = {1: Reminded(steps=frozenset({5}), last=NOW + 5 * MIN)}
    assert due_at(NOW + 15 * MIN, step, reminded=reminded) == [(LATE, 1002)]


def test_steps_due_together_are_one_reminder_and_a_quiet_period_holds_the_next() -> None:
    steps = [open_step(2 * MIN, step_id=5), open_step(3 * MIN, step_id=6, run_id=4)]
    [both] = reminders_due(steps, NOW + 3 * MIN, reminded={})
    assert (both.chat_id, both.payload) == (1001, {"step_ids": [5, 6]})
    later = open_step(4 * MIN, step_id=7, run_id=5)
    just_told = {1: Reminded(steps=frozenset({5, 6}), last=NOW + 3 * MIN)}
    assert reminders_due([*steps, later], NOW + 7 * MIN, reminded=just_told) == []
    [next_one] = reminders_due([*steps, later], NOW + 8 * MIN, reminded=just_told)
    assert next_one.payload == {"step_ids": [7]}


def test_a_lead_watching_a_checklist_is_not_reminded() -> None:
    watched = open_step(5 * MIN).model_copy(
        update={"recipients": [WAITER, LEAD.model_copy(update={"compact": True})]})
    assert due_at(NOW + 5 * MIN, watched) == [(REMINDER, 1001)]


def test_the_lead_hears_of_late_steps_once_a_shift() -> None:
    steps = [open_step(5 * MIN, step_id=5), open_step(20 * MIN, step_id=6, run_id=4)]
    first = reports_due(steps, NOW + 15 * MIN, report_after=REPORT_AFTER, shift=one_shift)
    again = reports_due(steps, NOW + 30 * MIN, report_after=REPORT_AFTER, shift=one_shift)
    assert [m.key for m in first] == [m.key for m in again] == [f"{LATE}:2:la:dinner"]
    assert first[0].payload == {"branch": "la", "since": (NOW + 5 * MIN).isoformat(),
                                "steps": [5]}
    assert again[0].payload["steps"] == [5, 6]


def test_a_step_overdue_when_its_run_started_is_only_reported() -> None:
    before_the_run = open_step(-30 * MIN)
    assert due_at(NOW, before_the_run) == [(LATE, 1002)]


def test_a_step_open_for_half_a_day_is_no_longer_prompted() -> None:
    assert due_at(NOW + timedelta(hours=13), open_step(5 * MIN)) == []


def run(run_id: int, *done: bool, triggered_at: datetime = NOW, playbook: str = "water",
        due: timedelta | None = 10 * MIN) -> Run:
    steps = [RunStep(id=run_id * 10 + i, run_id=run_id, position=i, key=f"s{i}",
                     text=Text(zh=f"步骤{i}", en=f"step {i}"),
                     due_at=triggered_at + due if due is not None else None,
                     done_at=triggered_at + MIN if is_done else None)
             for i, is_done in enumerate(done)]
    return Run(id=run_id, playbook_id=playbook, guest_id=1, branch="la", event_kind="guest.seated",
               title=Text(zh="加水", en="Water"), triggered_at=triggered_at,
               completed_at=triggered_at + MIN if all(done) else None, steps=steps,
               recipients=[1])


def test_the_week_adds_up_completion_and_the_steps_most_often_missed() -> None:
    runs = [run(1, True, True), run(2, True, False), run(3, False, False),
            run(4, False, True, playbook="greet")]
    figures = audit(runs, branch="la", start=NOW - timedelta(days=1), end=NOW + timedelta(days=1),
                    now=NOW + timedelta(hours=1))
    assert (figures.runs, figures.completed, figures.steps, figures.steps_done) == (4, 1, 8, 4)
    assert figures.completion_rate == 0.25
    assert [(m.playbook_id, m.step_key, m.count) for m in figures.most_missed] == [
        ("water", "s1", 2), ("greet", "s0", 1), ("water", "s0", 1)]


def test_a_step_not_yet_due_is_not_missed() -> None:
    figures = audit([run(1, False, due=timedelta(hours=2))], branch="la", start=NOW,
                    end=NOW + timedelta(days=1), now=NOW + timedelta(hours=1))
    assert figures.most_missed == []


def test_a_step_without_a_due_time_is_missed_hours_after_its_run() -> None:
    untimed = run(1, False, due=None)
    late = audit([untimed], branch="la", start=NOW, end=NOW + timedelta(days=1),
                 now=NOW + timedelta(hours=5))
    assert [m.count for m in late.most_missed] == [1]


def test_a_week_without_runs_has_no_rate() -> None:
    figures = audit([run(1, True)], branch="sh", start=NOW, end=NOW + timedelta(days=7), now=NOW)
    assert (figures.runs, figures.completion_rate) == (0, None)


def test_a_week_runs_from_monday_midnight_in_the_branchs_time_zone() -> None:
    la = ZoneInfo("America/Los_Angeles")
    start, end = week_of(NOW, la)  # Sunday 22 November, 04:00 in LA
    assert (start.isoformat(), end.isoformat()) == (
        "2026-11-16T00:00:00-08:00", "2026-11-23T00:00:00-08:00")
    assert week_of(NOW, la, weeks_back=1)[1] == start
