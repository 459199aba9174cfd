from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playbooks.dates import WhenError, find_when, parse_day

LA = ZoneInfo("America/Los_Angeles")
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Sunday 22 November 2026, 10:00 in Los Angeles
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=LA)
RESTAURANT = [(time(10, 30), time(15, 0)), (time(16, 30), time(22, 30))]


def readings(text: str, *, now: datetime = NOW, hours=RESTAURANT, **extra) -> list[str]:
    found = find_when(text, now=now, hours=hours, **extra)
    assert found is not None, text
    return [moment.strftime("%Y-%m-%d %H:%M") for moment in found.candidates]


@pytest.mark.parametrize(("text", "expected"), [
    ("19:00", "2026-11-22 19:00"),
    ("7pm", "2026-11-22 19:00"),
    ("7:30 p.m.", "2026-11-22 19:30"),
    ("noon", "2026-11-22 12:00"),
    ("tomorrow 12:30", "2026-11-23 12:30"),
    ("tmr 8pm", "2026-11-23 20:00"),
    ("tonight 8:15", "2026-11-22 20:15"),
    ("day after tomorrow 18:00", "2026-11-24 18:00"),
    ("Fri 8pm", "2026-11-27 20:00"),
    ("friday 19:30", "2026-11-27 19:30"),
    ("next Fri 19:00", "2026-11-27 19:00"),
    ("Sun 6pm", "2026-11-22 18:00"),
    ("12-24 19:30", "2026-12-24 19:30"),
    ("24/12 19:30", "2026-12-24 19:30"),
    ("12/24/2026 7:30 PM", "2026-12-24 19:30"),
    ("2026-12-24 19:00", "2026-12-24 19:00"),
    ("Dec 24 7:30pm", "2026-12-24 19:30"),
    ("12/24 7.30pm", "2026-12-24 19:30"),  # a dot before the minutes, as phones type it
    ("24 Dec 2026 19:00", "2026-12-24 19:00"),
    ("7pm tomorrow", "2026-11-23 19:00"),
    ("at 8pm Fri", "2026-11-27 20:00"),
    ("01-15 19:00", "2027-01-15 19:00"),  # past this year: next January
    ("2026-11-23 10:00", "2026-11-23 10:00"),  # an ISO date comes with a 24-hour time
    ("明天晚上7点", "2026-11-23 19:00"),
    ("今晚七点半", "2026-11-22 19:30"),
    ("明晚8点", "2026-11-23 20:00"),
    ("聽晚8點半", "2026-11-23 20:30"),  # Cantonese: tomorrow evening
    ("后日 19:00", "2026-11-24 19:00"),
    ("周六夜晚8点", "2026-11-28 20:00"),
    ("后天中午12点", "2026-11-24 12:00"),
    ("中午1点", "2026-11-22 13:00"),
    ("下午3点一刻", "2026-11-22 15:15"),
    ("周五晚上6点", "2026-11-27 18:00"),
    ("星期三 18:00", "2026-11-25 18:00"),
    ("下周五中午12点半", "2026-11-27 12:30"),
    ("12月24日晚上7点", "2026-12-24 19:00"),
    ("十二月二十四日 19:00", "2026-12-24 19:00"),
    ("24号7pm", "2026-11-24 19:00"),
    ("2026年12月24日 19:30", "2026-12-24 19:30"),
    ("晚上19点", "2026-11-22 19:00"),
    ("７点", "2026-11-22 19:00"),  # full-width digits, as Chinese keyboards type them
])
def test_short_forms_in_chinese_and_english_read_as_one_moment(text: str, expected: str) -> None:
    assert readings(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    # an hour below 12 without am/pm: the reading inside the service hours wins
    ("7点", ["2026-11-22 19:00"]),
    ("7:30", ["2026-11-22 19:30"]),
    ("11点", ["2026-11-22 11:00"]),
    ("1点", ["2026-11-22 13:00"]),
    # written as 24-hour time: taken as written, even outside service
    ("07:30", ["2026-11-23 07:30"]),
])
def test_an_hour_without_am_or_pm_is_read_by_the_service_hours(text: str, expected: list[str]) -> None:
    assert readings(text) == expected


def test_an_hour_that_fits_both_or_no_service_period_is_ambiguous() -> None:
    assert readings("7点", hours=[]) == ["2026-11-22 19:00", "2026-11-23 07:00"]
    assert readings("tomorrow 7:30", hours=[]) == ["2026-11-23 07:30", "2026-11-23 19:30"]


def test_a_day_and_month_that_can_be_read_both_ways_gives_both_month_first() -> None:
    assert readings("12-11 19:00") == ["2026-12-11 19:00", "2027-11-12 19:00"]
    assert readings("3/4 19:00") == ["2027-03-04 19:00", "2027-04-03 19:00"]
    assert readings("5-5 19:00") == ["2027-05-05 19:00"]


def test_a_time_that_has_passed_today_is_tomorrow() -> None:
    assert readings("9:00", hours=[(time(8, 0), time(11, 0))]) == ["2026-11-23 09:00"]


def test_a_date_alone_takes_the_default_time_of_a_one_shift_branch() -> None:
    assert readings("明天", default_time=time(13, 0)) == ["2026-11-23 13:00"]


@pytest.mark.parametrize(("text", "reason"), [
    ("明天", "no_time"),
    ("tomorrow", "no_time"),
    ("2-30 19:00", "bad_date"),
    ("2026-02-30 19:00", "bad_date"),
    ("2025-01-01 19:00", "past"),
    ("25:00", "bad_time"),
    ("19:75", "bad_time"),
    ("13am", "bad_time"),
])
def test_an_impossible_date_or_time_is_named(text: str, reason: str) -> None:
    with pytest.raises(WhenError) as raised:
        find_when(text, now=NOW, hours=RESTAURANT)
    assert raised.value.reason == reason


@pytest.mark.parametrize("text", ["window seat", "少放一点盐", "wedding", "married", "4人",
                                  "table 12", "room 1203", ""])
def test_text_without_a_date_or_time_finds_none(text: str) -> None:
    assert find_when(text, now=NOW, hours=RESTAURANT) is None


def test_the_span_found_is_where_the_date_and_time_were_typed() -> None:
    text = "王先生 明天晚上7点 4人"
    found = find_when(text, now=NOW, hours=RESTAURANT, skip=3)
    assert found is not None and text[found.start:found.end] == "明天晚上7点"


def test_a_wall_time_skipped_by_the_spring_change_moves_forward() -> None:
    found = find_when("2027-03-14 02:30", now=NOW, hours=[])
    assert found is not None
    assert found.candidates[0].astimezone(UTC) == datetime(2027, 3, 14, 10, 30, tzinfo=UTC)


def test_the_branch_zone_decides_today() -> None:
    # 02:00 UTC on the 23rd is still the 22nd in Los Angeles, already the 23rd in Shanghai
    moment = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    la = readings("today 20:00", now=moment.astimezone(LA))
    shanghai = readings("today 20:00", now=moment.astimezone(SHANGHAI))
    assert (la, shanghai) == (["2026-11-22 20:00"], ["2026-11-23 20:00"])


@pytest.mark.parametrize(("text", "expected"), [
    ("today", [date(2026, 11, 22)]),
    ("tomorrow", [date(2026, 11, 23)]),
    ("明天", [date(2026, 11, 23)]),
    ("Fri", [date(2026, 11, 27)]),
    ("2026-12-24", [date(2026, 12, 24)]),
    ("12-24", [date(2026, 12, 24)]),
    ("12-11", [date(2026, 12, 11), date(2027, 11, 12)]),
    ("wang", []),
])
def test_a_day_alone_is_read_for_the_brief(text: str, expected: list[date]) -> None:
    assert list(parse_day(text, today=NOW.date())) == expected


@given(st.text(max_size=40))
def test_any_text_is_read_or_refused_with_a_reason_never_crashing(text: str) -> None:
    try:
        find_when(text, now=NOW, hours=RESTAURANT)
    except WhenError as error:
        assert error.reason in {"no_time", "bad_date", "bad_time", "past"}


future = st.datetimes(min_value=datetime(2026, 11, 23), max_value=datetime(2028, 11, 1)).map(
    lambda moment: moment.replace(minute=moment.minute // 5 * 5, second=0, microsecond=0))


@given(future)
def test_an_iso_date_and_time_reads_back_exactly(moment: datetime) -> None:
    text = moment.strftime("%Y-%m-%d %H:%M")
    found = find_when(text, now=NOW, hours=RESTAURANT)
    assert found is not None
    assert [c.replace(tzinfo=None) for c in found.candidates] in (
        [moment], [moment + timedelta(hours=1)])  # a wall time a spring change skips moves on


@given(future.filter(lambda moment: moment.hour >= 13 and moment.date() < date(2027, 11, 22)))
def test_month_day_and_a_24_hour_time_contain_the_meant_moment(moment: datetime) -> None:
    found = find_when(moment.strftime(f"{moment.month}-{moment.day} %H:%M"), now=NOW,
                      hours=RESTAURANT)
    assert found is not None
    local = [c.replace(tzinfo=None) for c in found.candidates]
    assert moment in local or moment + timedelta(hours=1) in local
    assert len(local) == (1 if moment.day > 12 or moment.day == moment.month else 2)


@given(future.filter(lambda moment: 17 <= moment.hour <= 21 and moment.date() < date(2027, 11, 22)))
def test_a_chinese_evening_time_reads_as_the_evening(moment: datetime) -> None:
    text = f"{moment.month}月{moment.day}日晚上{moment.hour - 12}点{moment.minute or ''}"
    found = find_when(text, now=NOW, hours=RESTAURANT)
    assert found is not None
    assert [c.replace(tzinfo=None) for c in found.candidates] in ([moment], [moment + timedelta(hours=1)])
