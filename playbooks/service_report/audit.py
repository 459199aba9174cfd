"""The service audit: a branch's week or month as the guest lived it, against the one before.

Satisfaction (mean score, share of 4–5), complaints per 100 visits, visits, new and returning
guests, traits logged per staff member, and whatever other features add (playbook completion,
requests accepted and done in time) through `FigureSource`s. Periods are calendar weeks (ISO,
Monday first) and months in the branch's own time zone. A period still running is compared
with the same stretch of the period before, so Wednesday is not measured against a whole week.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from playbooks.feedback import COMPLAINT_AT_MOST
from playbooks.outbox import Outgoing, enqueue, queued_keys
from playbooks.roster import staff_with_roles
from profiles.models import Frozen, Role
from store.database import Database, stamp
from store.sql import Conn

PeriodKind = Literal["week", "month"]
REPORT_KIND = "service_report"
# between two managers' Monday reports: a chart of every branch takes a fraction of a second
# to gather and draw, and two hundred managers' at once held a sweep for two minutes
REPORT_SPACING = timedelta(seconds=15)
SATISFIED_AT_LEAST = 4

# Extra figures another feature adds to the report: given the branch, the period's start and
# end and the time now, percentages by name (None: nothing to measure in the period).
FigureSource = Callable[[str, datetime, datetime, datetime], Awaitable[Mapping[str, float | None]]]


class Period(Frozen):
    kind: PeriodKind
    label: str  # "2026-W47", "2026-11"
    start: datetime  # aware, in the branch's zone
    end: datetime  # exclusive
    complete: bool

    def previous(self) -> Period:
        """The period before, cut to the same length when this one is still running."""
        zone = self.start.tzinfo
        if self.kind == "week":
            start = self.start - timedelta(days=7)
            whole = week_of(start.date(), zone)
        else:
            whole = month_of((self.start.date().replace(day=1) - timedelta(days=1)), zone)
        if self.complete:
            return whole
        elapsed = self.end - self.start
        end = min(_local(whole.start.date(), zone) + elapsed, whole.end)
        return whole.model_copy(update={"end": end, "complete": end == whole.end})


def week_of(day: date, zone: tzinfo | None) -> Period:
    monday = day - timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    start = _local(monday, zone)
    return Period(kind="week", label=f"{year}-W{week:02d}", start=start,
                  end=_local(monday + timedelta(days=7), zone), complete=True)


def month_of(day: date, zone: tzinfo | None) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(kind="month", label=f"{first:%Y-%m}", start=_local(first, zone),
                  end=_local(following, zone), complete=True)


def period_so_far(kind: PeriodKind, now: datetime, zone: ZoneInfo) -> Period:
    """This week or month, up to `now`."""
    today = now.astimezone(zone).date()
    whole = week_of(today, zone) if kind == "week" else month_of(today, zone)
    return whole.model_copy(update={"end": now.astimezone(zone), "complete": False})


def last_complete(kind: PeriodKind, now: datetime, zone: ZoneInfo) -> Period:
    """The last week or month that has ended."""
    current = period_so_far(kind, now, zone)
    return week_of((current.start - timedelta(days=1)).date(), zone) if kind == "week" \
        else month_of((current.start - timedelta(days=1)).date(), zone)


def parse_week(label: str, zone: ZoneInfo) -> Period:
    """"2026-W47" → that ISO week; raises ValueError."""
    return week_of(date.fromisoformat(f"{label}-1"), zone)


def parse_month(label: str, zone: ZoneInfo) -> Period:
    """"2026-11" → that month; raises ValueError."""
    return month_of(date.fromisoformat(f"{label}-01"), zone)


class StaffCount(Frozen):
    name: str
    count: int


class Figures(Frozen):
    visits: int = 0
    guests: int = 0
    new_guests: int = 0
    returning_guests: int = 0
    ratings: int = 0
    satisfaction: float | None = None  # mean score
    satisfied: float | None = None  # percent of scores 4–5
    complaints: int = 0
    complaints_per_100: float | None = None  # per 100 visits
    traits_by_staff: list[StaffCount] = Field(default_factory=list)
    extras: dict[str, float | None] = Field(default_factory=dict)


class Report(Frozen):
    branch: str
    period: Period
    current: Figures
    previous: Figures
    previous_period: Period


class WeekPoint(Frozen):
    label: str  # "W47"
    satisfaction: float | None
    complaints_per_100: float | None


Trend = dict[str, list[WeekPoint]]  # branch → its weeks, oldest first


class ServiceAudit:
    def __init__(self, db: Database, sources: Sequence[FigureSource] = ()) -> None:
        self._db = db
        self._sources = tuple(sources)

    async def report(self, branch: str, period: Period, now: datetime) -> Report:
        before = period.previous()
        current, previous = await self._db.read(
            lambda conn: (figures(conn, branch, period.start, period.end),
                          figures(conn, branch, before.start, before.end)))
        return Report(
            branch=branch, period=period, previous_period=before,
            current=current.model_copy(update={"extras": await self._extras(branch, period,
                                                                             now)}),
            previous=previous.model_copy(update={"extras": await self._extras(branch, before,
                                                                              now)}),
        )

    async def trend(self, zones: Mapping[str, ZoneInfo], last: date, weeks: int) -> Trend:
        """Each branch's weekly satisfaction and complaints, the `weeks` weeks up to the week
        of `last` (each branch's weeks in its own zone)."""

        def work(conn: Conn) -> Trend:
            return {branch: [_point(conn, branch, week_of(last - timedelta(days=7 * back), zone))
                             for back in range(weeks - 1, -1, -1)]
                    for branch, zone in zones.items()}

        return await self._db.read(work)

    async def plan_weekly(self, now: datetime, zones: Mapping[str, ZoneInfo], *,
                          hour: int) -> int:
        """Queue last week's report for every active manager, from `hour` on Monday in their
        branch's zone (caught up later in the week if the bot was down), each manager's
        `REPORT_SPACING` after the one before, so that no sweep renders every manager's chart
        at once; how many were new."""

        def due(conn: Conn) -> list[Outgoing]:
            managers = [(branch, zone, manager) for branch, zone in zones.items()
                        for manager in staff_with_roles(conn, branch, (Role.MANAGER,))]
            found = [weekly_report_due(manager.id, manager.telegram_id, branch, zone, now,
                                       hour, delay=REPORT_SPACING * place)
                     for place, (branch, zone, manager) in enumerate(managers)]
            messages = [message for message in found if message]
            queued = queued_keys(conn, [message.key for message in messages])
            return [message for message in messages if message.key not in queued]

        # read first: on every tick of the week but one, there is nothing new to write
        new = await self._db.read(due)
        if not new:
            return 0
        return await self._db.write(lambda conn: sum(enqueue(conn, m, now) for m in new))

    async def _extras(self, branch: str, period: Period, now: datetime) -> dict[str, float | None]:
        found: dict[str, float | None] = {}
        for source in self._sources:
            found.update(await source(branch, period.start, period.end, now))
        return found


def weekly_report_due(staff_id: int, chat_id: int, branch: str, zone: ZoneInfo,
                      now: datetime, hour: int, *, delay: timedelta = timedelta(0),
                      ) -> Outgoing | None:
    """Last week's report for one manager, once their Monday has reached `hour`, sent
    `delay` after that (or after `now`, when caught up later)."""
    this_week = period_so_far("week", now, zone)
    send_at = this_week.start + timedelta(hours=hour)
    if now < send_at:
        return None
    week = last_complete("week", now, zone)
    return Outgoing(key=f"report:{branch}:{week.label}:{staff_id}", kind=REPORT_KIND,
                    payload={"branch": branch, "week": week.label}, chat_id=chat_id,
                    staff_id=staff_id, not_before=max(send_at, now) + delay,
                    expires_at=this_week.start + timedelta(days=7))


def figures(conn: Conn, branch: str, start: datetime, end: datetime) -> Figures:
    """The branch's own figures over [start, end)."""
    span = (branch, stamp(start), stamp(end))
    visits, guests, new = conn.execute(_VISITS_SQL, (*span, stamp(start))).fetchone()
    ratings, mean, satisfied, complaints = conn.execute(
        _FEEDBACK_SQL, (SATISFIED_AT_LEAST, COMPLAINT_AT_MOST, *span)).fetchone()
    staff = [StaffCount(name=row[0], count=row[1])
             for row in conn.execute(_TRAITS_SQL, span)]
    return Figures(
        visits=visits, guests=guests, new_guests=new or 0, returning_guests=guests - (new or 0),
        ratings=ratings, satisfaction=mean, complaints=complaints or 0,
        satisfied=100 * satisfied / ratings if ratings else None,
        complaints_per_100=100 * (complaints or 0) / visits if visits else None,
        traits_by_staff=staff,
    )


def change(current: float | None, previous: float | None) -> float | None:
    """current − previous, or None when either is missing."""
    return None if current is None or previous is None else current - previous


# visits, distinct guests, and those of them never seen anywhere in the chain before
_VISITS_SQL = """
    WITH here AS (SELECT guest_id FROM visits WHERE branch = ? AND arrived_at >= ?
                  AND arrived_at < ?)
    SELECT (SELECT COUNT(*) FROM here), (SELECT COUNT(DISTINCT guest_id) FROM here),
           (SELECT COUNT(*) FROM (SELECT DISTINCT guest_id FROM here) g
            WHERE NOT EXISTS (SELECT 1 FROM visits e WHERE e.guest_id = g.guest_id
                              AND e.arrived_at < ?))
"""

# the mean in double precision on both (PostgreSQL's AVG of integers is NUMERIC); a count of
# matches as SUM(CASE …) since PostgreSQL does not add booleans
_FEEDBACK_SQL = """
    SELECT COUNT(*), AVG(CAST(score AS DOUBLE PRECISION)),
           SUM(CASE WHEN score >= ? THEN 1 ELSE 0 END), SUM(CASE WHEN score <= ? THEN 1 ELSE 0 END)
    FROM feedback
    WHERE branch = ? AND created_at >= ? AND created_at < ?
"""

_TRAITS_SQL = """
    SELECT s.name, COUNT(*) FROM traits t JOIN staff s ON s.id = t.staff_id
    WHERE t.branch = ? AND t.created_at >= ? AND t.created_at < ? AND t.retracted_at IS NULL
    GROUP BY s.id, s.name ORDER BY COUNT(*) DESC, s.name, s.id
"""


def _point(conn: Conn, branch: str, week: Period) -> WeekPoint:
    found = figures(conn, branch, week.start, week.end)
    return WeekPoint(label=week.label.split("-")[1], satisfaction=found.satisfaction,
                     complaints_per_100=found.complaints_per_100)


def _local(day: date, zone: tzinfo | None) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)
