"""When a booking is: the short forms staff type, in Chinese or English, read in a branch's zone.

`19:00`, `tomorrow 12:30`, `明天晚上7点`, `12-24 19:30`, `Fri 8pm`, `下周五中午12点半`, `24号7pm`,
`Dec 24 7:30pm`. What is typed is never silently guessed when two readings are plausible: the
caller gets every candidate and asks. Two things decide without asking:

- an hour from 1 to 11 without am/pm (`7点`, `7:30`) is read as the one of its two readings
  that falls in the branch's service hours, when exactly one does (19:00 for a dinner place);
- a date without a year is the next one to come (`01-05` typed in December is next January),
  a time without a date is the next one to come (`12:30` typed at 14:00 is tomorrow).

`M-D` and `M/D` with both numbers 12 or less and different (`12-11`) have two readings,
month first and day first: both are offered, month first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

# (start, end) of each service period; an end at or before the start runs past midnight
Hours = Sequence[tuple[time, time]]

_ZH_DIGITS: Final = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                     "六": 6, "七": 7, "八": 8, "九": 9}
_NUM: Final = r"(?:\d{1,2}|[〇零一二两三四五六七八九十]{1,3})"
_MONTHS: Final = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1,
    "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sept": 9, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_MONTH: Final = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS: Final = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
}
_WEEKDAY: Final = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_ZH_WEEKDAYS: Final = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_RELATIVE: Final = {
    "the day after tomorrow": 2, "day after tomorrow": 2, "tomorrow night": 1, "tomorrow": 1,
    "tmrw": 1, "tmr": 1, "tonight": 0, "today": 0, "大后天": 3, "大後天": 3, "后天": 2, "後天": 2,
    "明天": 1, "明日": 1, "明晚": 1, "今天": 0, "今日": 0, "今晚": 0,
    # Cantonese: 聽日 tomorrow, 聽晚 tomorrow evening, 後日 the day after
    "聽日": 1, "听日": 1, "聽晚": 1, "听晚": 1, "聽朝": 1, "听朝": 1, "後日": 2, "后日": 2,
}
# a booking further ahead is a mistyped year (and 9999-12-31 would leave the calendar in UTC)
MAX_DAYS_AHEAD: Final = 2 * 366
_EVENING_WORDS: Final = frozenset({"tonight", "tomorrow night", "明晚", "今晚", "聽晚", "听晚"})
_RELATIVE_RE: Final = "|".join(sorted(map(re.escape, _RELATIVE), key=len, reverse=True))
_AM: Final = frozenset({"am", "a.m.", "早上", "早晨", "上午", "凌晨", "早"})
_PM: Final = frozenset({"pm", "p.m.", "下午", "傍晚", "晚上", "夜晚", "夜里", "夜裡", "晚"})
_ZH_PERIOD: Final = "早上|早晨|上午|凌晨|中午|下午|傍晚|晚上|夜晚|夜里|夜裡|早|晚"

_DATE: Final = re.compile(
    rf"""(?:
      (?P<y>\d{{4}})\s*[-/.年]\s*(?P<ym>\d{{1,2}})\s*[-/.月]\s*(?P<yd>\d{{1,2}})\s*[日号號]?
    | (?P<zm>{_NUM})\s*月\s*(?P<zd>{_NUM})\s*[日号號]?
    | (?P<a>\d{{1,2}})[-/](?P<b>\d{{1,2}})(?:[-/](?P<c>\d{{4}}|\d{{2}}))?(?![\d:])
    | (?P<mn>{_MONTH})\.?\s*(?P<mnd>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<mny>\d{{4}}))?
    | (?P<dmn>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?(?P<mn2>{_MONTH})\.?(?:,?\s+(?P<dmny>\d{{4}}))?
    | (?P<rel>{_RELATIVE_RE})
    | (?:(?P<wq>next|this)\s+)?(?P<wd>{_WEEKDAY})\.?
    | (?P<zwq>下下|下|这|這|本)?(?:周|週|星期|礼拜|禮拜)(?P<zwd>[一二三四五六日天])
    | (?P<zdo>{_NUM})\s*[号號]
    )""",
    re.VERBOSE,
)
_TIME: Final = re.compile(
    rf"""(?:at\s+|@\s*)?(?:
      (?:(?P<p1>{_ZH_PERIOD})\s*)?(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})\s*(?P<ap>am|pm|a\.m\.|p\.m\.)?
    | (?P<h2>\d{{1,2}})(?:\.(?P<mi2>\d{{2}}))?\s*(?P<ap2>am|pm|a\.m\.|p\.m\.)
    | (?P<noon>noon|midday)
    | (?:(?P<p3>{_ZH_PERIOD})\s*)?(?P<zh>{_NUM})\s*(?:点钟|點鐘|点|點|时|時)
      (?:\s*(?P<half>半)|\s*(?P<q1>一刻)|\s*(?P<q3>三刻)|(?P<zmi>{_NUM})(?![人位个個大小\d])\s*分?)?
    )""",
    re.VERBOSE,
)
_SEPARATOR: Final = re.compile(r"\s*(?:,|at\b|@|的)?\s*")


class WhenError(ValueError):
    """A date or time was typed but cannot be used; `reason` names why, for the reply."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.start: int | None = None  # where in the text the date or time begins


@dataclass(frozen=True, slots=True)
class WhenFound:
    """Where the date and time were in the text, and what they can mean (earliest first)."""

    start: int
    end: int
    candidates: tuple[datetime, ...]

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


@dataclass(frozen=True, slots=True)
class _Time:
    hour: int
    minute: int
    period: str | None  # "am", "pm", "noon" (中午) or None
    fixed: bool  # written as a 24-hour time ("19:00", "07:30"): never read the other way


def fold(text: str) -> str:
    """Full-width forms and case folded, one character for one, so positions stay valid."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch).casefold()
        out.append(folded if len(folded) == 1 else ch.lower()[:1] or ch)
    return "".join(out)


def find_when(
    text: str, *, now: datetime, hours: Hours = (), default_time: time | None = None,
    skip: int = 0,
) -> WhenFound | None:
    """The first date and/or time in `text` at or after `skip`, read in `now`'s zone.

    `now` must be aware, in the branch's zone. `default_time` stands in when only a date is
    typed (a hotel's arrival time); without it a date alone raises WhenError("no_time").
    Raises WhenError when a date or time is there but impossible, or a dated one has passed.
    """
    folded = fold(text)
    for position in range(skip, len(folded)):
        if not _starts_word(folded, position):
            continue
        found = _match_at(folded, position)
        if found is not None:
            date_match, time_match, end = found
            day = _read_date(date_match, now.date()) if date_match else None
            clock = _read_time(time_match) if time_match else None
            if clock and date_match and date_match["y"]:  # ISO dates come with 24-hour times
                clock = _Time(clock.hour, clock.minute, clock.period, fixed=True)
            evening = bool(date_match and date_match["rel"] in _EVENING_WORDS)
            try:
                candidates = _candidates(day, clock, now=now, hours=hours, evening=evening,
                                         default_time=default_time)
            except WhenError as error:
                error.start = position  # what came before is what the person typed it for
                raise
            return WhenFound(position, end, candidates)
    return None


def parse_day(text: str, *, today: date) -> tuple[date, ...]:
    """A day alone (`today`, `tomorrow`, `明天`, `Fri`, `12-24`, `2026-12-24`): its readings.

    Empty when the text is not a day; raises WhenError for an impossible date.
    """
    folded = fold(text).strip()
    found = _DATE.fullmatch(folded)
    return _read_date(found, today) if found else ()


def _starts_word(folded: str, position: int) -> bool:
    if folded[position].isspace():
        return False
    return position == 0 or not (folded[position - 1].isascii() and folded[position - 1].isalnum())


def _ends_word(folded: str, end: int) -> bool:
    if end >= len(folded):
        return True
    last, following = folded[end - 1], folded[end]
    return not (last.isascii() and last.isalnum() and following.isascii() and following.isalnum())


def _match_at(
    folded: str, position: int
) -> tuple[re.Match[str] | None, re.Match[str] | None, int] | None:
    """A date then maybe a time, or a time then maybe a date, starting exactly at `position`."""
    if (day := _DATE.match(folded, position)) and _ends_word(folded, day.end()):
        after = _SEPARATOR.match(folded, day.end())
        clock = _TIME.match(folded, after.end()) if after else None
        if clock and _ends_word(folded, clock.end()) and _plausible(clock):
            return day, clock, clock.end()
        return day, None, day.end()
    clock = _TIME.match(folded, position)
    if clock and _ends_word(folded, clock.end()) and _plausible(clock):
        after = _SEPARATOR.match(folded, clock.end())
        day = _DATE.match(folded, after.end()) if after else None
        if day and _ends_word(folded, day.end()):
            return day, clock, day.end()
        return None, clock, clock.end()
    return None


def _plausible(clock: re.Match[str]) -> bool:
    # "一点" alone is "a little" far more often than one o'clock: "少放一点盐"
    return not (clock["zh"] == "一" and clock["p3"] is None)


# --- dates ---------------------------------------------------------------------------------


def _read_date(found: re.Match[str], today: date) -> tuple[date, ...]:
    if found["y"]:
        return (_dated(int(found["y"]), int(found["ym"]), int(found["yd"]), today),)
    if found["zm"]:
        return (_next_yearly(read_number(found["zm"]), read_number(found["zd"]), today),)
    if found["a"]:
        return _numeric(int(found["a"]), int(found["b"]), found["c"], today)
    if found["mn"]:
        return (_month_day(_MONTHS[found["mn"]], int(found["mnd"]), found["mny"], today),)
    if found["mn2"]:
        return (_month_day(_MONTHS[found["mn2"]], int(found["dmn"]), found["dmny"], today),)
    if found["rel"]:
        return (today + timedelta(days=_RELATIVE[found["rel"]]),)
    if found["wd"]:
        return (_weekday(_WEEKDAYS[found["wd"]], found["wq"] == "next", today),)
    if found["zwd"]:
        return (_weekday(_ZH_WEEKDAYS[found["zwd"]], (found["zwq"] or "").startswith("下"),
                         today, weeks=2 if found["zwq"] == "下下" else 1),)
    return (_day_of_month(read_number(found["zdo"]), today),)


def _numeric(a: int, b: int, year: str | None, today: date) -> tuple[date, ...]:
    readings = [(a, b)] if a == b else [(a, b), (b, a)]
    found = []
    for month, day in readings:
        try:
            found.append(_month_day(month, day, year, today))
        except WhenError:
            continue
    if not found:
        raise WhenError("bad_date")
    return tuple(dict.fromkeys(found))


def _month_day(month: int, day: int, year: str | None, today: date) -> date:
    if year is None:
        return _next_yearly(month, day, today)
    full = int(year) + (2000 if len(year) == 2 else 0)
    return _dated(full, month, day, today)


def _dated(year: int, month: int, day: int, today: date) -> date:
    found = _date_or_none(year, month, day)
    if found is None:
        raise WhenError("bad_date")
    if found < today:
        raise WhenError("past")
    return found


def _next_yearly(month: int, day: int, today: date) -> date:
    """The next `month`-`day` from today on (29 February waits for a leap year)."""
    if _date_or_none(2000, month, day) is None:
        raise WhenError("bad_date")
    for year in range(today.year, today.year + 8):
        found = _date_or_none(year, month, day)
        if found is not None and found >= today:
            return found
    raise WhenError("bad_date")  # unreachable: a leap year comes within eight


def _day_of_month(day: int, today: date) -> date:
    """`24号`: the 24th of this month, or of the next month that has one."""
    if not 1 <= day <= 31:
        raise WhenError("bad_date")
    year, month = today.year, today.month
    for _ in range(13):
        found = _date_or_none(year, month, day)
        if found is not None and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise WhenError("bad_date")


def _weekday(weekday: int, next_week: bool, today: date, weeks: int = 1) -> date:
    if next_week:  # the day of the coming calendar week (Monday to Sunday)
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_number(text: str) -> int:
    """Arabic digits or a Chinese numeral up to 99 (七, 十二, 二十四, 两)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_ZH_DIGITS[ch]) for ch in text))
    tens, _, ones = text.partition("十")
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)


# --- times ---------------------------------------------------------------------------------


def _read_time(found: re.Match[str]) -> _Time:
    if found["noon"]:
        return _Time(12, 0, None, fixed=True)
    if found["h"]:
        period = _period(found["ap"] or found["p1"])
        return _Time(int(found["h"]), int(found["mi"]), period,
                     fixed=found["h"].startswith("0") or int(found["h"]) > 12)
    if found["h2"]:  # "7pm", "7.30pm" (a dot before the minutes, as typed on phones)
        return _Time(int(found["h2"]), int(found["mi2"] or 0), _period(found["ap2"]),
                     fixed=False)
    minute = 30 if found["half"] else 15 if found["q1"] else 45 if found["q3"] else (
        read_number(found["zmi"]) if found["zmi"] else 0)
    hour = read_number(found["zh"])
    return _Time(hour, minute, _period(found["p3"]), fixed=hour > 12 or hour == 0)


def _period(word: str | None) -> str | None:
    if word in _AM:
        return "am"
    if word in _PM:
        return "pm"
    return "noon" if word == "中午" else None


def _clock_readings(clock: _Time, hours: Hours, evening: bool) -> tuple[time, ...]:
    hour, period = clock.hour, clock.period or ("pm" if evening else None)
    if hour > 23 or clock.minute > 59 or (period == "am" and hour > 12):
        raise WhenError("bad_time")
    if hour > 12 or hour == 0:  # "晚上19点" says it twice; 24-hour wins
        return (time(hour, clock.minute),)
    if period == "am":
        return (time(hour % 12, clock.minute),)
    if period == "pm" or (period == "noon" and hour < 11):
        return (time(hour % 12 + 12, clock.minute),)
    if clock.fixed or period == "noon" or hour == 12:
        return (time(hour, clock.minute),)
    readings = (time(hour, clock.minute), time(hour + 12, clock.minute))
    in_service = [reading for reading in readings if _in_hours(reading, hours)]
    return (in_service[0],) if len(in_service) == 1 else readings


def _in_hours(moment: time, hours: Hours) -> bool:
    for start, end in hours:
        if (start <= moment <= end) if start < end else (moment >= start or moment <= end):
            return True
    return False


def _candidates(
    days: tuple[date, ...] | None, clock: _Time | None, *, now: datetime, hours: Hours,
    evening: bool, default_time: time | None,
) -> tuple[datetime, ...]:
    if clock is None:
        if default_time is None:
            raise WhenError("no_time")
        times: tuple[time, ...] = (default_time,)
    else:
        times = _clock_readings(clock, hours, evening)
    if days and max(days) > now.date() + timedelta(days=MAX_DAYS_AHEAD):
        raise WhenError("too_far")
    found = {_at(day, moment, now) for day in days for moment in times} if days else {
        _next_at(moment, now) for moment in times}
    return tuple(sorted(found))


def _at(day: date, moment: time, now: datetime) -> datetime:
    # through UTC and back: a wall time skipped by a daylight-saving change moves forward
    local = datetime.combine(day, moment, tzinfo=now.tzinfo)
    return local.astimezone(UTC).astimezone(now.tzinfo)


def _next_at(moment: time, now: datetime) -> datetime:
    today = _at(now.date(), moment, now)
    return today if today >= now else _at(now.date() + timedelta(days=1), moment, now)
