"""A complaint's cause and its whys, kept with the request; the figures the report reads.

A complaint is a red request (a low score opens one). Its cause is confirmed by whoever
closed it, and only by them; "why did it happen?" is answered by a shift lead (or above) of
its branch who closed it, up to the chain's depth.
"""

from __future__ import annotations

from datetime import datetime

from playbooks.causes.categories import Cause, suggest_cause
from playbooks.requests.models import CLOSED_STATES, Request
from playbooks.requests.routing import Lane
from playbooks.requests.rows import load_request
from profiles.access import leads
from profiles.models import Frozen, Staff
from store.database import Database, stamp
from store.sql import Conn

MAX_ANSWER = 500


class NotAComplaint(Exception):
    """The request is not a closed red one: it has no cause to confirm."""


class NotTheCloser(Exception):
    """Only whoever closed the complaint confirms its cause or answers its whys."""


class WhysDone(Exception):
    """The chain's depth of whys is reached (or the closer is not a lead)."""


class CauseConfirmed(Frozen):
    request: Request
    cause: Cause
    suggested: Cause
    ask_why: bool  # the closer leads the branch and the chain asks why at all


class WhyAnswered(Frozen):
    request_id: int
    depth: int
    ask_next: bool


class CauseCount(Frozen):
    cause: Cause
    count: int


class CauseFigures(Frozen):
    """A branch's complaints closed in a period: by cause, most first (a Pareto order)."""

    closed: int
    with_cause: int
    by_cause: list[CauseCount]

    @property
    def share_with_cause(self) -> float | None:
        return 100 * self.with_cause / self.closed if self.closed else None


def is_complaint(request: Request) -> bool:
    return request.lane is Lane.RED


class Causes:
    def __init__(self, db: Database, *, why_depth: int) -> None:
        self._db = db
        self.why_depth = why_depth

    async def suggestion(self, request_id: int) -> Cause:
        return await self._db.read(lambda conn: suggest_cause(load_request(conn, request_id).text))

    async def confirm(self, request_id: int, cause: Cause, *, by: Staff,
                      now: datetime) -> CauseConfirmed:
        """Record (or correct) the cause; raises NotAComplaint, NotTheCloser,
        RequestNotFound."""

        def work(conn: Conn) -> CauseConfirmed:
            request = _closed_by(conn, request_id, by)
            suggested = suggest_cause(request.text)
            conn.execute(
                "INSERT INTO complaint_causes (request_id, cause, suggested, staff_id, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id) DO UPDATE SET"
                " cause = excluded.cause, staff_id = excluded.staff_id",
                (request_id, cause.value, suggested.value, by.id, stamp(now)))
            answered = _answered(conn, request_id)
            return CauseConfirmed(request=request, cause=cause, suggested=suggested,
                                  ask_why=self._may_ask(request, by, answered))

        return await self._db.write(work)

    async def answer_why(self, request_id: int, answer: str, *, by: Staff,
                         now: datetime) -> WhyAnswered:
        """Keep the next level's answer; raises NotTheCloser, WhysDone, NotAComplaint."""

        def work(conn: Conn) -> WhyAnswered:
            request = _closed_by(conn, request_id, by)
            depth = _answered(conn, request_id) + 1
            if not self._may_ask(request, by, depth - 1):
                raise WhysDone(request_id)
            conn.execute(
                "INSERT INTO complaint_whys (request_id, depth, answer, staff_id, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (request_id, depth, answer.strip()[:MAX_ANSWER], by.id, stamp(now)))
            return WhyAnswered(request_id=request_id, depth=depth,
                               ask_next=self._may_ask(request, by, depth))

        return await self._db.write(work)

    async def whys(self, request_id: int) -> list[str]:
        return await self._db.read(lambda conn: [answer for (answer,) in conn.execute(
            "SELECT answer FROM complaint_whys WHERE request_id = ? ORDER BY depth",
            (request_id,))])

    async def figures(self, branch: str, start: datetime, end: datetime) -> CauseFigures:
        return await self._db.read(lambda conn: cause_figures(conn, branch, start, end))

    def _may_ask(self, request: Request, by: Staff, answered: int) -> bool:
        return leads(by, request.branch) and answered < self.why_depth


def _closed_by(conn: Conn, request_id: int, by: Staff) -> Request:
    request = load_request(conn, request_id)
    if not is_complaint(request) or request.state not in CLOSED_STATES:
        raise NotAComplaint(request_id)
    if request.closed_by != by.id:
        raise NotTheCloser(request_id)
    return request


def _answered(conn: Conn, request_id: int) -> int:
    row = conn.execute("SELECT COUNT(*) FROM complaint_whys WHERE request_id = ?",
                       (request_id,)).fetchone()
    return int(row[0])


def cause_figures(conn: Conn, branch: str, start: datetime, end: datetime) -> CauseFigures:
    """Red requests of `branch` closed in [start, end), and the causes confirmed for them."""
    rows = conn.execute(
        "SELECT c.cause FROM requests r LEFT JOIN complaint_causes c ON c.request_id = r.id"
        " WHERE r.branch = ? AND r.lane = 'red' AND r.closed_at >= ? AND r.closed_at < ?",
        (branch, stamp(start), stamp(end))).fetchall()
    counts: dict[Cause, int] = {}
    for (cause,) in rows:
        if cause is not None:
            counts[Cause(cause)] = counts.get(Cause(cause), 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], list(Cause).index(item[0])))
    return CauseFigures(closed=len(rows), with_cause=sum(counts.values()),
                        by_cause=[CauseCount(cause=cause, count=n) for cause, n in ordered])


def pareto(figures: CauseFigures) -> list[tuple[Cause, int, float]]:
    """Each cause, most first, with the cumulative share of the causes found so far (%)."""
    total, running, found = figures.with_cause, 0, []
    for item in figures.by_cause:
        running += item.count
        found.append((item.cause, item.count, 100 * running / total))
    return found
