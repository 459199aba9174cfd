"""Reminders, late reports and the weekly figures: decided from stored runs and `now` alone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playbooks.checklists.model import (
    LATE,
    REMINDER,
    OpenStep,
    Person,
    Run,
    RunStep,
    audit,
    prompts_due,
    week_of,
)
from playbooks.checklists.playbook import Text
from tests.factories import NOW

MIN = timedelta(minutes=1)
WAITER, LEAD = Person(staff_id=1, chat_id=1001), Person(staff_id=2, chat_id=1002)
REPORT_AFTER = 10 * MIN


def open_step(due_in: timedelta, *, step_id: int = 5) -> OpenStep:
    return OpenStep(id=step_id, run_id=3, triggered_at=NOW, due_at=NOW + due_in,
                    recipients=[WAITER], leads=[LEAD])


def due_at(now: datetime, *steps: OpenStep) -> list[tuple[str, int]]:
    return [(message.kind, message.chat_id)
            for message in prompts_due(list(steps), now, report_after=REPORT_AFTER)]


def test_a_due_step_is_reminded_then_reported_to_the_lead() -> None:
    step = open_step(5 * MIN)
    assert due_at(NOW + 4 * MIN, step) == []
    assert due_at(NOW + 5 * MIN, step) == [(REMINDER, 1001)]
    assert due_at(NOW + 15 * MIN, step) == [(REMINDER, 1001), (LATE, 1002)]


def test_each_prompt_has_one_key_so_planning_again_repeats_nothing() -> None:
    step = open_step(5 * MIN)
    first = prompts_due([step], NOW + 15 * MIN, report_after=REPORT_AFTER)
    again = prompts_due([step], NOW + 16 * MIN, report_after=REPORT_AFTER)
    assert [m.key for m in first] == [m.key for m in again] == [
        f"{REMINDER}:5:1", f"{LATE}:5:2"]
    assert [m.not_before for m in first] == [NOW + 5 * MIN, NOW + 15 * MIN]


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
