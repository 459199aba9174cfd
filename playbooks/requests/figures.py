"""Service-audit figures for relayed requests: how many, how fast, how often in time.

Per branch, department and lane: the count; the median time from relay to acceptance and to
completion; the share accepted and done within their deadlines; how many were declined. A
request still open whose deadline has not passed yet is not counted as late or in time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from playbooks.requests.models import Request, State
from playbooks.requests.routing import Lane
from profiles.models import Frozen

Period = Literal["week", "month"]
PERIOD_DAYS: dict[str, int] = {"week": 7, "month": 30}
_LANE_ORDER = {lane: index for index, lane in enumerate(Lane)}


class Figures(Frozen):
    """One row of the audit: a branch's department in one lane."""

    branch: str
    department: str
    lane: Lane
    count: int
    median_accept: timedelta | None
    median_resolve: timedelta | None
    accepted_in_time: float | None  # percent
    resolved_in_time: float | None  # percent, declined requests aside
    declined: int


def request_figures(requests: Iterable[Request], now: datetime) -> list[Figures]:
    """The audit rows, by branch, then department, then lane (red first)."""
    groups: dict[tuple[str, str, Lane], list[Request]] = {}
    for request in requests:
        if request.state is not State.DRAFT:
            groups.setdefault((request.branch, request.department, request.lane),
                              []).append(request)
    keys = sorted(groups, key=lambda k: (k[0], k[1], _LANE_ORDER[k[2]]))
    return [_figures(*key, groups[key], now) for key in keys]


def _figures(branch: str, department: str, lane: Lane, requests: list[Request],
             now: datetime) -> Figures:
    done = [r.closed_at - r.created_at for r in requests if r.state is State.DONE and r.closed_at]
    return Figures(
        branch=branch, department=department, lane=lane, count=len(requests),
        median_accept=_median(r.accepted_at - r.created_at for r in requests if r.accepted_at),
        median_resolve=_median(done),
        accepted_in_time=_share([_accepted_in_time(r, now) for r in requests]),
        resolved_in_time=_share([_resolved_in_time(r, now) for r in requests
                                 if r.state is not State.DECLINED]),
        declined=sum(r.state is State.DECLINED for r in requests),
    )


def period_start(period: Period, now: datetime) -> datetime:
    """The last 7 or 30 days up to now."""
    return now - timedelta(days=PERIOD_DAYS[period])


def _accepted_in_time(request: Request, now: datetime) -> bool | None:
    if request.accepted_at is not None:
        return request.accepted_at <= request.accept_due
    return False if request.accept_due <= now else None


def _resolved_in_time(request: Request, now: datetime) -> bool | None:
    if request.state is State.DONE and request.closed_at is not None:
        return request.closed_at <= request.resolve_due
    return False if request.resolve_due <= now else None


def _share(outcomes: list[bool | None]) -> float | None:
    """Percent of the decided outcomes that were in time; None when none is decided yet."""
    decided = [outcome for outcome in outcomes if outcome is not None]
    return 100 * sum(decided) / len(decided) if decided else None


def _median(durations: Iterable[timedelta]) -> timedelta | None:
    found = sorted(durations)
    if not found:
        return None
    middle = len(found) // 2
    return found[middle] if len(found) % 2 else (found[middle - 1] + found[middle]) / 2
