from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from playbooks.briefs.shifts import BranchDay, ShiftSpec, current_shifts, shift_of

LUNCH = ShiftSpec(name="lunch", start=time(10, 30), end=time(15, 0))
DINNER = ShiftSpec(name="dinner", start=time(16, 30), end=time(22, 30))
NIGHT = ShiftSpec(name="night", start=time(22, 0), end=time(6, 0))
LA = BranchDay(branch="la", timezone="America/Los_Angeles", shifts=(LUNCH, DINNER))


def ticks(start: datetime, hours: int, minutes: int = 5) -> list[datetime]:
    return [start + timedelta(minutes=minutes * n) for n in range(hours * 60 // minutes)]


def under_way(branch: BranchDay, moments: list[datetime]) -> Counter[str]:
    """How many ticks saw each shift occurrence under way."""
    return Counter(w.key for moment in moments for w in current_shifts(branch, moment))


def test_a_shift_is_under_way_from_its_start_until_its_end_in_the_branch_zone() -> None:
    # 10:30 in Los Angeles on 23 November is 18:30 UTC (PST, UTC-8)
    start = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    assert current_shifts(LA, start - timedelta(seconds=1)) == []
    [lunch] = current_shifts(LA, start)
    assert (lunch.key, lunch.start, lunch.end) == (
        "la:lunch:2026-11-23", start, datetime(2026, 11, 23, 23, 0, tzinfo=UTC))
    assert current_shifts(LA, lunch.end) == []


@pytest.mark.parametrize("day", [date(2027, 3, 14), date(2026, 11, 1)])
def test_a_daylight_saving_change_neither_doubles_nor_drops_a_shift(day: date) -> None:
    seen = under_way(LA, ticks(datetime.combine(day, time(8, 0), tzinfo=UTC), 24))
    assert sorted(seen) == [f"la:dinner:{day}", f"la:lunch:{day}"]
    # 4½ h of lunch and 6 h of dinner at a tick every 5 minutes, however the clocks moved
    assert (seen[f"la:lunch:{day}"], seen[f"la:dinner:{day}"]) == (54, 72)


def test_a_shift_starting_in_the_skipped_hour_starts_once_after_the_change() -> None:
    early = BranchDay(branch="la", timezone="America/Los_Angeles",
                      shifts=(ShiftSpec(name="bakery", start=time(2, 30), end=time(6, 0)),))
    day = date(2027, 3, 14)  # clocks jump from 02:00 to 03:00
    seen = under_way(early, ticks(datetime.combine(day, time(8, 0), tzinfo=UTC), 8))
    assert list(seen) == ["la:bakery:2027-03-14"]
    [window] = {w.start for m in ticks(datetime.combine(day, time(8, 0), tzinfo=UTC), 8)
                for w in current_shifts(early, m)}
    assert window == datetime(2027, 3, 14, 10, 30, tzinfo=UTC)  # 03:30 PDT


def test_a_night_shift_runs_past_midnight_as_the_day_it_started() -> None:
    hotel = BranchDay(branch="sh", timezone="Asia/Shanghai", shifts=(NIGHT,))
    # 01:00 on the 24th in Shanghai is 17:00 UTC on the 23rd
    [night] = current_shifts(hotel, datetime(2026, 11, 23, 17, 0, tzinfo=UTC))
    assert night.key == "sh:night:2026-11-23"


@pytest.mark.parametrize(("local", "shift"), [
    (time(9, 0), "lunch"), (time(12, 30), "lunch"), (time(16, 0), "lunch"),
    (time(16, 30), "dinner"), (time(19, 0), "dinner"), (time(23, 30), "dinner"),
])
def test_each_booking_belongs_to_the_last_shift_started_by_its_time(local: time, shift: str) -> None:
    moment = datetime.combine(date(2026, 11, 23), local, tzinfo=LA.zone)
    assert shift_of(LA, moment) == shift


def test_the_reminder_time_is_the_first_shift_start_or_ten() -> None:
    assert LA.reminder_time() == time(10, 30)
    assert BranchDay(branch="x", timezone="UTC").reminder_time() == time(10, 0)
