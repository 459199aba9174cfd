"""The status rules as pure functions: a history, the chain's thresholds and a clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from playbooks.status.rules import (
    Booked,
    History,
    Scored,
    Spent,
    StatusKind,
    StatusRules,
    Visited,
    derive_status,
    distinct_visits,
    next_change,
    rhythm,
)
from profiles.models import Segment
from tests.factories import NOW

RULES = StatusRules(regular_visits=4, regular_months=3, lapsed_factor=3.0, key_visits=24)


def every(days: float, count: int, *, last: datetime = NOW, branch: str = "sh") -> list[Visited]:
    """`count` visits `days` apart, the last one at `last`."""
    return [Visited(at=last - timedelta(days=days * n), branch=branch)
            for n in reversed(range(count))]


def status_of(now: datetime = NOW, **history: object) -> StatusKind:
    return derive_status(History.model_validate(history), RULES, now).kind


def test_a_guest_never_seen_is_new() -> None:
    assert status_of() == StatusKind.NEW


def test_one_visit_is_new() -> None:
    assert status_of(visits=every(1, 1)) == StatusKind.NEW


def test_a_second_visit_makes_a_returning_guest() -> None:
    assert status_of(visits=every(30, 2)) == StatusKind.RETURNING


def test_n_visits_within_m_months_make_a_regular() -> None:
    assert status_of(visits=every(12, 4)) == StatusKind.REGULAR


def test_n_visits_spread_beyond_m_months_do_not() -> None:
    assert status_of(visits=every(40, 4)) == StatusKind.RETURNING


def test_a_regular_away_beyond_k_intervals_is_lapsed() -> None:
    visits = every(12, 6, last=NOW - timedelta(days=41))
    assert status_of(visits=visits) == StatusKind.LAPSED


def test_a_regular_away_just_under_k_intervals_is_still_regular() -> None:
    visits = every(12, 6, last=NOW - timedelta(days=35))
    assert status_of(visits=visits) == StatusKind.REGULAR


def test_one_long_absence_does_not_hide_the_usual_interval() -> None:
    irregular = every(7, 5, last=NOW - timedelta(days=60)) + every(7, 3)
    found = derive_status(History(visits=irregular), RULES, NOW)
    assert (found.kind, found.rhythm.usual_days) == (StatusKind.REGULAR, 7.0)


def test_the_same_visit_on_two_merged_records_counts_once() -> None:
    kept = every(10, 3)
    merged = [Visited(at=v.at + timedelta(minutes=20), branch="la") for v in kept]
    found = derive_status(History(visits=kept + merged), RULES, NOW)
    assert (found.kind, found.rhythm.visits, found.rhythm.usual_days) == (
        StatusKind.RETURNING, 3, 10.0)


def test_two_merged_records_together_make_a_regular() -> None:
    one = every(20, 2, last=NOW)
    other = every(20, 2, last=NOW - timedelta(days=10))
    assert status_of(visits=one + other) == StatusKind.REGULAR


def test_a_low_score_puts_the_guest_at_risk_until_a_good_visit() -> None:
    visits = every(12, 6)
    low = [Scored(at=NOW - timedelta(days=24), score=2)]
    assert status_of(visits=visits, scores=low) == StatusKind.AT_RISK
    good = [*low, Scored(at=NOW - timedelta(days=12), score=5)]
    assert status_of(visits=visits, scores=good) == StatusKind.REGULAR


def test_a_middling_score_after_a_complaint_does_not_clear_it() -> None:
    scores = [Scored(at=NOW - timedelta(days=5), score=1), Scored(at=NOW, score=3)]
    found = derive_status(History(visits=every(5, 2), scores=scores), RULES, NOW)
    assert (found.kind, found.complaint_score) == (StatusKind.AT_RISK, 1)


def test_a_red_request_is_a_complaint() -> None:
    found = derive_status(History(visits=every(3, 2), red_requests=[NOW]), RULES, NOW)
    assert (found.kind, found.complaint_at, found.complaint_score) == (
        StatusKind.AT_RISK, NOW, None)


def test_two_no_shows_in_six_months_make_a_guest_no_show_prone() -> None:
    bookings = [Booked(at=NOW - timedelta(days=d), no_show=True) for d in (10, 150)]
    assert status_of(visits=every(30, 2), bookings=bookings) == StatusKind.NO_SHOW_PRONE


def test_a_no_show_older_than_six_months_is_forgiven() -> None:
    bookings = [Booked(at=NOW - timedelta(days=d), no_show=True) for d in (10, 200)]
    assert status_of(visits=every(30, 2), bookings=bookings) == StatusKind.RETURNING


def test_many_visits_make_a_key_guest() -> None:
    assert status_of(visits=every(3, 24)) == StatusKind.KEY


def test_what_a_guest_spent_in_a_year_makes_them_key_where_the_chain_counts_spend() -> None:
    rules = RULES.model_copy(update={"key_spend": 2000.0, "key_currency": "USD"})
    checks = [Spent(at=NOW - timedelta(days=d), amount=450.0, currency="USD")
              for d in (20, 80, 150, 300, 330)]  # 2,250 within twelve months
    found = derive_status(History(visits=every(60, 5), spent=checks), rules, NOW)
    assert (found.kind, found.spend, found.spend_currency) == (StatusKind.KEY, 2250.0, "USD")
    older = [c.model_copy(update={"at": c.at - timedelta(days=300)}) for c in checks[3:]]
    assert derive_status(History(visits=every(60, 5), spent=[*checks[:3], *older]), rules,
                         NOW).kind is StatusKind.RETURNING  # 1,350 within the year
    yen = [c.model_copy(update={"currency": "JPY"}) for c in checks]
    assert derive_status(History(visits=every(60, 5), spent=yen), rules,
                         NOW).kind is StatusKind.RETURNING  # another currency is not counted
    assert derive_status(History(visits=every(60, 5), spent=checks), RULES,
                         NOW).kind is StatusKind.RETURNING  # spend counts only when set


def test_a_leads_tag_wins_and_says_so() -> None:
    found = derive_status(History(visits=every(12, 6, last=NOW - timedelta(days=90)),
                                  segment=Segment.KEY), RULES, NOW)
    assert (found.kind, found.tagged) == (StatusKind.KEY, True)


def test_visits_after_now_are_not_history_yet() -> None:
    assert status_of(now=NOW - timedelta(days=13), visits=every(12, 4)) == StatusKind.RETURNING


def test_rhythm_reads_the_usual_party_and_the_local_hour() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    visits = [Visited(at=datetime(2026, 11, d, 11, 30, tzinfo=shanghai).astimezone(ZoneInfo("UTC")),
                      branch="sh") for d in (1, 8, 15)]
    bookings = [Booked(at=v.at, party=2) for v in visits] + [Booked(at=NOW, party=6)]
    found = rhythm(History(visits=visits, bookings=bookings), {"sh": shanghai})
    assert (found.usual_days, found.usual_party, found.usual_hour) == (7.0, 2, 11)


def test_a_single_visit_has_no_habit() -> None:
    found = rhythm(History(visits=every(1, 1), bookings=[Booked(at=NOW, party=4)]))
    assert (found.usual_days, found.usual_party, found.usual_hour) == (None, None, None)


def test_arrivals_typed_twice_are_one_visit() -> None:
    visits = [Visited(at=NOW, branch="la"), Visited(at=NOW + timedelta(minutes=5), branch="la")]
    assert len(distinct_visits(visits)) == 1


@given(st.lists(st.integers(min_value=0, max_value=400 * 24), max_size=40))
def test_visits_counted_once_are_ordered_and_apart_and_the_interval_lies_between_gaps(
    hours_ago: list[int],
) -> None:
    visits = distinct_visits([Visited(at=NOW - timedelta(hours=h), branch="la")
                              for h in hours_ago])
    gaps = [later.at - earlier.at for earlier, later in pairwise(visits)]
    assert all(gap >= timedelta(hours=6) for gap in gaps)
    found = derive_status(History(visits=visits), RULES, NOW).rhythm
    assert found.visits == len(visits)
    if gaps:
        assert found.usual_days is not None
        assert min(gaps).total_seconds() / 86400 - 0.1 <= found.usual_days
        assert found.usual_days <= max(gaps).total_seconds() / 86400 + 0.1


SPEND_RULES = StatusRules(regular_visits=3, regular_months=3, lapsed_factor=2.0, key_visits=6,
                          no_shows=2, no_show_months=2, key_spend=300, key_spend_months=1)
hours = st.integers(min_value=-60 * 24, max_value=200 * 24)  # hours before NOW; some ahead


@given(st.lists(hours, max_size=12), st.lists(st.tuples(hours, st.booleans()), max_size=5),
       st.lists(st.tuples(hours, st.integers(1, 400)), max_size=4),
       st.lists(st.integers(0, 300 * 24), min_size=1, max_size=8))
def test_nothing_changes_the_status_before_its_next_change(
    visits: list[int], bookings: list[tuple[int, bool]], checks: list[tuple[int, int]],
    later: list[int],
) -> None:
    history = History(
        visits=[Visited(at=NOW - timedelta(hours=h), branch="la") for h in visits],
        bookings=[Booked(at=NOW - timedelta(hours=h), no_show=no_show)
                  for h, no_show in bookings],
        spent=[Spent(at=NOW - timedelta(hours=h), amount=amount, currency="CNY")
               for h, amount in checks])
    now_status = derive_status(history, SPEND_RULES, NOW)
    change = next_change(history, SPEND_RULES, NOW)
    for hours_on in later:
        moment = NOW + timedelta(hours=hours_on)
        if change is None or moment < change - timedelta(seconds=1):
            assert derive_status(history, SPEND_RULES, moment) == now_status


def test_a_regular_is_next_looked_at_the_moment_they_lapse() -> None:
    history = History(visits=every(12, 4))
    change = next_change(history, RULES, NOW)
    assert change == NOW + timedelta(days=36, seconds=1)
    assert derive_status(history, RULES, change).kind == StatusKind.LAPSED
    assert derive_status(history, RULES, change - timedelta(seconds=2)).kind == StatusKind.REGULAR


def test_a_guest_whom_time_alone_cannot_change_is_never_due() -> None:
    assert next_change(History(visits=every(30, 2)), RULES, NOW) is None
    assert next_change(History(), RULES, NOW) is None
    assert next_change(History(visits=every(12, 4)), RULES,
                       NOW + timedelta(days=40)) is None  # lapsed already
