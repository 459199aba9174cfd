import csv
import io
from datetime import date, time, timedelta

import pytest

from playbooks.bookings.importer import (
    MappingError,
    RowProblem,
    Target,
    column_mapping,
    day_first,
    import_rows,
    read_row,
)
from playbooks.briefs.shifts import BranchDay
from profiles.bookings import BookingStore
from profiles.guests import GuestStore
from store.database import Database
from tests.factories import NOW

LA = BranchDay(branch="la", timezone="America/Los_Angeles")
TARGET = Target(branch=LA, region="US", source="opentable")

# an export as they come: quoted headers, a phone in brackets, "n/a", stray spaces, a named
# month, and rows that cannot be bookings
MESSY = '''"Guest Name","Phone Number","Reservation Date","Time","Party Size","Special Requests"
王先生,+1 (213) 555-0142,12/24/2026,7:30 PM,4,"window, no garlic"
Smith,n/a,12/24/2026,19:00,2,
  Lee  ,,Dec 26 2026,6pm,3,
Bad Date,,13/45/2026,19:00,2,
No Time,,12/25/2026,,2,
,,12/25/2026,19:00,2,nobody
Many,,12/26/2026,19:00,lots,
Huge,,12/26/2026,19:00,9999,
Garbled Phone,abc,12/27/2026,20:00,2,
王先生,+1 213 555 0142,12/24/2026,19:30,4,the first row again
'''


def rows_of(text: str) -> tuple[list[str], list[tuple[int, dict[str, str | None]]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), list(enumerate(rows, start=2))


async def run(db: Database, text: str = MESSY, **extra: object):
    headers, rows = rows_of(text)
    return await import_rows(rows, column_mapping(headers), target=TARGET, dayfirst=False,
                             bookings=BookingStore(db), guests=GuestStore(db), now=NOW, **extra)


async def test_a_messy_export_imports_the_good_rows_and_names_the_bad_ones(db: Database) -> None:
    guests = GuestStore(db)
    await guests.create("王先生", "+1 213 555 0142", branch="la", staff_id=None, region="US",
                        now=NOW)
    await guests.create("Smith", None, branch="la", staff_id=None, region="US", now=NOW)
    done: list[int] = []
    summary = await run(db, progress=done.append)
    assert (summary.total, summary.imported, summary.matched, summary.created, summary.skipped) == (
        10, 4, 2, 2, 1)
    assert summary.rejected == [
        (5, "no such date '13/45/2026'"), (6, "no time (date '12/25/2026')"), (7, "no name"),
        (8, "party size 'lots' is not a number"), (9, "party size 9999 is not between 1 and 500"),
    ]
    assert summary.warnings == [(10, "phone 'abc' ignored: not a phone number")]
    assert done == list(range(1, 11))
    bookings = await BookingStore(db).in_branch("la", NOW, NOW + timedelta(days=60))
    assert [(b.guest_id, b.party, b.note) for b in bookings[:2]] == [
        (2, 2, ""), (1, 4, "window, no garlic")]


async def test_importing_the_same_file_again_adds_nothing(db: Database) -> None:
    await run(db)
    again = await run(db)
    assert (again.imported, again.created, again.skipped, len(again.rejected)) == (0, 0, 5, 5)
    assert len(await BookingStore(db).in_branch("la", NOW, NOW + timedelta(days=60))) == 4


def test_common_export_headers_are_recognised_in_english_and_chinese() -> None:
    assert column_mapping(["First Name", "Last Name", "Phone", "Date", "Time", "Covers",
                           "Notes"]) == {
        "first_name": "First Name", "last_name": "Last Name", "phone": "Phone", "date": "Date",
        "time": "Time", "party": "Covers", "notes": "Notes"}
    assert column_mapping(["客人姓名", "手机号", "到店日期", "到店时间", "人数", "备注"]) == {
        "name": "客人姓名", "phone": "手机号", "date": "到店日期", "time": "到店时间",
        "party": "人数", "notes": "备注"}


def test_an_unusual_column_is_mapped_by_hand_and_a_missing_one_is_named() -> None:
    assert column_mapping(["Who", "When"], {"name": "Who", "date": "When"}) == {
        "name": "Who", "date": "When"}
    with pytest.raises(MappingError, match="no date column"):
        column_mapping(["Guest", "Covers"])
    with pytest.raises(MappingError, match="no column 'Nope'"):
        column_mapping(["Guest", "Date"], {"notes": "Nope"})


@pytest.mark.parametrize(("cells", "expected"), [
    (["12/24/2026", "01/02/2026"], False),
    (["01/02/2026", "24/12/2026"], True),
    (["24.12.2026"], True),
    (["2026-12-24", "01/02/2026"], None),
])
def test_the_day_order_of_a_file_is_read_from_its_dates(cells: list[str], expected: bool | None) -> None:
    assert day_first(cells) is expected


@pytest.mark.parametrize(("cells", "day", "clock"), [
    ({"Date": "2026-12-24", "Time": "19:30:00"}, date(2026, 12, 24), time(19, 30)),
    ({"Date": "2026年12月24日", "Time": "19:30"}, date(2026, 12, 24), time(19, 30)),
    ({"Date": "12/24/2026 7:30 PM"}, date(2026, 12, 24), time(19, 30)),
    ({"Date": "2026-12-24T19:30"}, date(2026, 12, 24), time(19, 30)),
    ({"Date": "Thursday, December 24, 2026", "Time": "7 pm"}, date(2026, 12, 24), time(19, 0)),
    ({"Date": "24 Dec 2026", "Time": "12:00 PM"}, date(2026, 12, 24), time(12, 0)),
    ({"Date": "12/24/26", "Time": "12:30 AM"}, date(2026, 12, 24), time(0, 30)),
])
def test_the_date_formats_of_common_exports_are_read(cells: dict[str, str], day: date,
                                                     clock: time) -> None:
    mapping = {"name": "Name", "date": "Date", **({"time": "Time"} if "Time" in cells else {})}
    row = read_row(2, {"Name": "Smith", **cells}, mapping, dayfirst=False)
    assert (row.day, row.time) == (day, clock)


def test_a_day_first_file_reads_its_dates_day_first() -> None:
    row = read_row(2, {"Name": "Smith", "Date": "03/04/2026 19:00"},
                   {"name": "Name", "date": "Date"}, dayfirst=True)
    assert row.day == date(2026, 4, 3)


def test_first_and_last_names_are_joined_as_each_script_writes_them() -> None:
    mapping = {"first_name": "F", "last_name": "L", "date": "D"}
    latin = read_row(2, {"F": "John", "L": "Smith", "D": "2026-12-24 19:00"}, mapping,
                     dayfirst=False)
    chinese = read_row(2, {"F": "伟", "L": "王", "D": "2026-12-24 19:00"}, mapping,
                       dayfirst=False)
    assert (latin.name, chinese.name) == ("John Smith", "王伟")


@pytest.mark.parametrize(("time_cell", "reason"), [
    ("25:00", "no such time '25:00'"), ("13 pm", "no such time '13 pm'"),
    ("soon", "unreadable time 'soon'"),
])
def test_an_impossible_time_is_named(time_cell: str, reason: str) -> None:
    with pytest.raises(RowProblem, match=reason):
        read_row(2, {"N": "Smith", "D": "2026-12-24", "T": time_cell},
                 {"name": "N", "date": "D", "time": "T"}, dayfirst=False)
