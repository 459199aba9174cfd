"""A branch's working day: its time zone and shifts, turned into moments and due briefs.

Pure: every function takes `now` or a local date. A shift is named once per local date, so a
daylight-saving change can move it on the clock but never double or drop it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import Field

from profiles.models import Frozen, Role

# occasion reminders go out at the first shift's start, or at this time without shifts
DEFAULT_REMINDER_TIME = time(10, 0)


class ShiftSpec(Frozen):
    name: str
    start: time
    end: time  # at or before `start`: the shift ends the next day
    roles: tuple[Role, ...] = (Role.LEAD,)


class BranchDay(Frozen):
    """What the planners need to know about one branch."""

    branch: str
    timezone: str
    shifts: tuple[ShiftSpec, ...] = ()
    occasion_days_ahead: int = Field(default=3, ge=0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches its instances

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def today(self, now: datetime) -> date:
        return self.local(now).date()

    def at(self, day: date, moment: time) -> datetime:
        """The wall time `moment` on `day` in the branch, as an aware UTC time.

        A wall time the clocks skip (02:30 on a spring-forward night) moves forward by the
        gap; one that happens twice (01:30 on a fall-back night) is its first occurrence.
        """
        return datetime.combine(day, moment, tzinfo=self.zone).astimezone(UTC)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        return self.at(day, time(0)), self.at(day + timedelta(days=1), time(0))

    def hours(self) -> list[tuple[time, time]]:
        return [(shift.start, shift.end) for shift in self.shifts]

    def reminder_time(self) -> time:
        return min((shift.start for shift in self.shifts), default=DEFAULT_REMINDER_TIME)

    def single_shift_start(self) -> time | None:
        """A branch with one shift (a hotel's arrivals) books a date alone at its start."""
        return self.shifts[0].start if len(self.shifts) == 1 else None


class ShiftWindow(Frozen):
    """One shift on one local date."""

    branch: str
    shift: ShiftSpec
    day: date
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        return f"{self.branch}:{self.shift.name}:{self.day.isoformat()}"


def window(branch: BranchDay, shift: ShiftSpec, day: date) -> ShiftWindow:
    start = branch.at(day, shift.start)
    end_day = day + timedelta(days=1) if shift.end <= shift.start else day
    return ShiftWindow(branch=branch.branch, shift=shift, day=day, start=start,
                       end=branch.at(end_day, shift.end))


def current_shifts(branch: BranchDay, now: datetime) -> list[ShiftWindow]:
    """The shifts under way at `now`: started, not yet ended (yesterday's night shift too)."""
    today = branch.today(now)
    windows = [window(branch, shift, day) for day in (today - timedelta(days=1), today)
               for shift in branch.shifts]
    return [w for w in windows if w.start <= now < w.end]


def shift_of(branch: BranchDay, moment: datetime) -> str | None:
    """Which shift's brief a booking belongs to: the last shift started by its local time.

    A booking before the first start belongs to the first shift, so each booking of a day
    is in exactly one shift's brief.
    """
    if not branch.shifts:
        return None
    local = branch.local(moment).time()
    ordered = sorted(branch.shifts, key=lambda shift: shift.start)
    started = [shift for shift in ordered if shift.start <= local]
    return (started[-1] if started else ordered[0]).name


def shift_named(branch: BranchDay, name: str) -> ShiftSpec | None:
    return next((shift for shift in branch.shifts if shift.name == name), None)
