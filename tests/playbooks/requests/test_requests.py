from datetime import timedelta

import pytest

from playbooks.requests.figures import Figures, period_start, request_figures
from playbooks.requests.models import Place, State, Step, due_steps
from playbooks.requests.routing import Lane
from tests.factories import NOW, make_request

MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(("minutes", "expected"), [
    (0, []),
    (4.99, []),
    (5, [Step.ACCEPT]),
    (29, [Step.ACCEPT]),
    (30, [Step.ACCEPT, Step.RESOLVE]),
])
def test_an_unaccepted_request_escalates_at_its_deadlines(minutes: float,
                                                          expected: list[Step]) -> None:
    assert due_steps(make_request(), NOW + minutes * MINUTE) == expected


def test_acceptance_stops_the_accept_clock_but_not_the_resolve_clock() -> None:
    accepted = make_request(state=State.ACCEPTED, accepted_by=2, accepted_at=NOW + MINUTE)
    assert due_steps(accepted, NOW + 10 * MINUTE) == []
    assert due_steps(accepted, NOW + 30 * MINUTE) == [Step.RESOLVE]


@pytest.mark.parametrize("state", [State.DONE, State.DECLINED, State.DRAFT])
def test_a_closed_request_never_escalates(state: State) -> None:
    assert due_steps(make_request(state=state), NOW + timedelta(days=1)) == []


def test_each_step_is_taken_once() -> None:
    escalated = make_request(accept_escalated_at=NOW + 5 * MINUTE)
    assert due_steps(escalated, NOW + 10 * MINUTE) == []
    both = make_request(accept_escalated_at=NOW, resolve_escalated_at=NOW)
    assert due_steps(both, NOW + timedelta(days=1)) == []


def test_a_place_reads_back_as_stored() -> None:
    assert Place.parse("room:1203") == Place(kind="room", number="1203")
    assert Place.parse(None) is None
    assert Place(kind="table", number="12").stored == "table:12"


def test_figures_count_medians_and_shares_in_time_per_department_and_lane() -> None:
    requests = [
        # accepted after 2 min, done after 20: both in time
        make_request(id=1, state=State.DONE, accepted_at=NOW + 2 * MINUTE,
                     closed_at=NOW + 20 * MINUTE),
        # accepted after 10 min (late), done after 40 (late)
        make_request(id=2, state=State.DONE, accepted_at=NOW + 10 * MINUTE,
                     closed_at=NOW + 40 * MINUTE),
        # declined after 4 min: accepted in time, not part of the resolve share
        make_request(id=3, state=State.DECLINED, accepted_at=NOW + 4 * MINUTE,
                     closed_at=NOW + 4 * MINUTE),
        # still open an hour on: late on both counts
        make_request(id=4),
        make_request(id=5, lane=Lane.YELLOW, department="housekeeping"),
    ]
    assert request_figures(requests, NOW + timedelta(hours=1)) == [
        Figures(branch="la", department="guest", lane=Lane.RED, count=4,
                median_accept=4 * MINUTE, median_resolve=30 * MINUTE,
                accepted_in_time=50.0, resolved_in_time=100 / 3, declined=1),
        Figures(branch="la", department="housekeeping", lane=Lane.YELLOW, count=1,
                median_accept=None, median_resolve=None, accepted_in_time=0.0,
                resolved_in_time=0.0, declined=0),
    ]


def test_an_open_request_not_yet_due_is_neither_late_nor_in_time() -> None:
    [row] = request_figures([make_request()], NOW + MINUTE)
    assert (row.count, row.accepted_in_time, row.resolved_in_time) == (1, None, None)


def test_rows_are_ordered_by_branch_department_then_red_first() -> None:
    rows = request_figures([make_request(id=1, lane=Lane.GREEN), make_request(id=2, branch="sh"),
                            make_request(id=3, lane=Lane.RED)], NOW)
    assert [(r.branch, r.lane) for r in rows] == [("la", Lane.RED), ("la", Lane.GREEN),
                                                 ("sh", Lane.RED)]


def test_a_week_is_the_last_seven_days_and_a_month_the_last_thirty() -> None:
    assert (period_start("week", NOW), period_start("month", NOW)) == (
        NOW - timedelta(days=7), NOW - timedelta(days=30))
