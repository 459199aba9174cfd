"""Reservations from a reservation system's CSV export: columns mapped, rows matched to guests.

Exports differ in column names and date formats; `HEADERS` maps the common names (English and
Chinese) to our fields, and `--map field=Header` adds any other. A row is matched to an
existing guest by phone, then by a name only one guest has (and only when the phone does not
say otherwise); other rows create their guest. Each row stands alone: a bad one is reported
with its row number and reason and the rest go on. A row's key (source, branch, phone or
name, time) is stored with its booking, so importing the file again adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Final

from charset_normalizer import from_bytes

from playbooks.briefs.shifts import BranchDay
from playbooks.dates import fold
from profiles.bookings import MAX_NOTE_LENGTH, MAX_PARTY, BookingStore, NewBooking
from profiles.concepts import parse_with_concepts
from profiles.guardrails import Guardrails
from profiles.guests import GuestStore
from profiles.models import TraitDraft
from profiles.names import InvalidName, clean_name, split_honorific
from profiles.phones import normalise_phone
from profiles.vocabulary import Vocabulary
from store.database import stamp

FIELDS: Final = ("name", "first_name", "last_name", "phone", "date", "time", "party", "notes")
# Column names seen in exports, folded (lower case, single spaces); add others with --map.
HEADERS: Final[Mapping[str, tuple[str, ...]]] = {
    "name": ("name", "guest", "guest name", "customer", "customer name", "full name", "client",
             "client name", "booker", "contact name", "姓名", "客人", "客人姓名", "顾客",
             "顾客姓名", "联系人", "预订人", "预定人", "客户"),
    "first_name": ("first name", "firstname", "given name", "名"),
    "last_name": ("last name", "lastname", "surname", "family name", "姓"),
    "phone": ("phone", "phone number", "mobile", "mobile phone", "cell", "cell phone",
              "telephone", "tel", "contact number", "手机", "手机号", "手机号码", "电话",
              "联系电话", "联系方式"),
    "date": ("date", "reservation date", "booking date", "visit date", "arrival",
             "arrival date", "check-in", "check in", "checkin", "date/time", "datetime",
             "date time", "reservation", "start", "日期", "预订日期", "预定日期", "到店日期",
             "就餐日期", "用餐日期", "入住日期"),
    "time": ("time", "reservation time", "booking time", "visit time", "arrival time",
             "start time", "时间", "到店时间", "就餐时间", "用餐时间", "预订时间", "预定时间"),
    "party": ("party size", "party", "size", "covers", "guests", "pax", "people",
              "number of guests", "# of guests", "no. of guests", "guest count", "人数",
              "就餐人数", "用餐人数", "位数", "预订人数"),
    "notes": ("notes", "note", "comments", "comment", "special requests", "requests",
              "visit notes", "guest notes", "reservation notes", "remarks", "备注",
              "特殊要求", "留言", "客人要求"),
}
_EMPTY: Final = frozenset({"", "-", "n/a", "na", "none", "null", "无", "—"})
_YMD: Final = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_NUMERIC: Final = re.compile(r"(?<!\d)(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})")
_NAMED: Final = re.compile(r"(?:[a-z]+,?\s+)?(?P<m>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?"
                           r",?\s+(?P<y>\d{4})|(?:[a-z]+,?\s+)?(?P<d2>\d{1,2})(?:st|nd|rd|th)?"
                           r"\s+(?P<m2>[a-z]{3,9})\.?,?\s+(?P<y2>\d{4})")
# without a year: "12/24" (or "24/12"), "12月24日", "Dec 24", "24 Dec"
_MONTH_DAY: Final = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([-/.])\s*(\d{1,2})(?![\d/.-])"
                               r"|(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_NAMED_NO_YEAR: Final = re.compile(
    r"(?:[a-z]+,?\s+)?(?P<m>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?!\d)(?:st|nd|rd|th)?"
    r"|(?:[a-z]+,?\s+)?(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m2>[a-z]{3,9})(?![a-z])")
# "Lee, Anna": a reservation system's "Last, First"
_LAST_FIRST: Final = re.compile(r"(?P<last>[^\W\d_][\w'’.-]*(?:\s+[\w'’.-]+)*)\s*,\s*"
                                r"(?P<first>[^\W\d_][\w'’.-]*(?:\s+[\w'’.-]+)*)")
_TIME: Final = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(?::\d{2})?\s*(am|pm|a\.m\.|p\.m\.)?")
_MONTHS: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                  "dec")


# What reservation systems and spreadsheets export: UTF-8 (Excel adds a BOM), Chinese Excel's
# GB18030, Taiwan's and Hong Kong's Big5, Japan's Shift-JIS, "Unicode text" (UTF-16) and
# Western Windows. Guessing among more makes a wrong but plausible reading likelier.
ENCODINGS: Final = ("utf_8", "utf_8_sig", "gb18030", "big5", "shift_jis", "utf_16", "cp1252")
_BOMS: Final = ((b"\xef\xbb\xbf", "utf_8_sig"), (b"\xff\xfe", "utf_16"), (b"\xfe\xff", "utf_16"))
# a reading with more mess than this (charset-normalizer's chaos, 0 to 1) is not trusted
MAX_CHAOS: Final = 0.1


class UnknownEncoding(ValueError):
    """The export's bytes read as none of the plausible encodings with confidence."""


def decode_export(raw: bytes) -> tuple[str, str]:
    """The export's text and the encoding it was read in. A BOM decides; text that is valid
    UTF-8 is UTF-8; otherwise charset-normalizer chooses among ENCODINGS. Raises
    UnknownEncoding rather than return a garbled reading."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding), encoding
    try:
        return raw.decode("utf_8"), "utf_8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw, cp_isolation=list(ENCODINGS[2:])).best()
    if best is None or best.chaos > MAX_CHAOS:
        raise UnknownEncoding("cannot tell which encoding the file is in (tried UTF-8, "
                              "GB18030, Big5, Shift-JIS, UTF-16, Windows-1252): save it "
                              "from the spreadsheet as 'CSV UTF-8' and import that")
    return str(best), best.encoding


class MappingError(ValueError):
    """The file's columns cannot be mapped: the message says which field is missing."""


class RowProblem(ValueError):
    """Why one row cannot be imported."""


@dataclass(frozen=True, slots=True)
class Row:
    """One reservation read from a CSV row, before any guest is looked up."""

    number: int
    name: str
    phone: str | None
    day: date
    time: time
    party: int | None
    notes: str


@dataclass
class Summary:
    total: int = 0
    imported: int = 0
    matched: int = 0
    created: int = 0
    skipped: int = 0  # imported before (same key), or the same booking already there
    traits: int = 0  # read from the notes column and logged on the guests
    rejected: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    planned: list[tuple[int, str]] = field(default_factory=list)  # a dry run's would-be rows


# --- mapping --------------------------------------------------------------------------------


def column_mapping(headers: Iterable[str], overrides: Mapping[str, str] | None = None
                   ) -> dict[str, str]:
    """Which column holds each field; raises MappingError naming what is missing."""
    columns = list(headers)
    by_folded = {_header(column): column for column in columns}
    mapping: dict[str, str] = {}
    for name, column in (overrides or {}).items():
        if name not in FIELDS:
            raise MappingError(f"unknown field {name!r} (fields: {', '.join(FIELDS)})")
        if column not in columns and _header(column) not in by_folded:
            raise MappingError(f"no column {column!r} in the file (columns: {columns})")
        mapping[name] = by_folded.get(_header(column), column)
    for name in FIELDS:
        if name not in mapping:
            found = next((by_folded[h] for h in HEADERS[name] if h in by_folded), None)
            if found is not None and found not in mapping.values():
                mapping[name] = found
    if "name" not in mapping and "last_name" not in mapping and "first_name" not in mapping:
        raise MappingError(f"no name column (columns: {columns}); use --map name=COLUMN")
    if "date" not in mapping:
        raise MappingError(f"no date column (columns: {columns}); use --map date=COLUMN")
    return mapping


def day_first(cells: Iterable[str]) -> bool | None:
    """Whether the file writes 24/12/2026 (True) or 12/24/2026 (False); None if it never says.

    Decided once for the whole file: one row with a first number above 12 settles it.
    """
    for cell in cells:
        found = _NUMERIC.search(fold(cell))
        if found and found[2] == ".":
            return True  # 24.12.2026 is written day first everywhere it is used
        if found and int(found[1]) > 12:
            return True
        if found and int(found[3]) > 12:
            return False
    return None


def _header(text: str) -> str:
    return " ".join(fold(text).strip(" *:：\ufeff").split())


# --- rows -----------------------------------------------------------------------------------


def read_row(number: int, row: Mapping[str, str | None], mapping: Mapping[str, str], *,
             dayfirst: bool, today: date | None = None) -> Row:
    """One CSV row as a reservation; raises RowProblem with the reason. A date without a
    year is the next such date from `today` (the branch's) on."""

    def cell(name: str) -> str:
        column = mapping.get(name)
        value = (row.get(column) or "") if column else ""
        return "" if fold(value).strip() in _EMPTY else value.strip()

    name = _name(cell("name"), cell("first_name"), cell("last_name"))
    when = cell("date")
    if not when:
        raise RowProblem("no date")
    day, time_in_date = _date(when, dayfirst=dayfirst, today=today)
    clock = _time(cell("time")) if cell("time") else time_in_date
    if clock is None:
        raise RowProblem(f"no time (date {when!r})")
    notes = cell("notes")
    return Row(number=number, name=name, phone=cell("phone") or None, day=day, time=clock,
               party=_party(cell("party")), notes=notes[:MAX_NOTE_LENGTH])


def is_blank(row: Mapping[str, str | None]) -> bool:
    """A row with nothing in it: what spreadsheets leave after the last reservation."""
    return all(not (value or "").strip(" \t,;") for value in row.values())


def _name(full: str, first: str, last: str) -> str:
    if (turned := _LAST_FIRST.fullmatch(full)) and not any(ord(ch) > 0x2E80 for ch in full):
        full = f"{turned['first']} {turned['last']}"
    if not full:
        cjk = any(ord(ch) > 0x2E80 for ch in first + last)
        full = (last + first) if cjk else " ".join(part for part in (first, last) if part)
    if not full:
        raise RowProblem("no name")
    return full


def _date(text: str, *, dayfirst: bool,
          today: date | None = None) -> tuple[date, time | None]:
    folded = fold(text)
    if today is not None and (without_year := _date_without_year(folded, dayfirst, today)):
        return without_year
    if found := _YMD.search(folded):
        parts = (int(found[1]), int(found[2]), int(found[3]))
    elif found := _NUMERIC.search(folded):
        a, b, year = int(found[1]), int(found[3]), int(found[4])
        year += 2000 if year < 100 else 0
        parts = (year, b, a) if dayfirst or found[2] == "." else (year, a, b)
    elif found := _NAMED.search(folded):
        month = _month(found["m"] or found["m2"])
        parts = (int(found["y"] or found["y2"]), month, int(found["d"] or found["d2"]))
    else:
        raise RowProblem(f"unreadable date {text!r}")
    try:
        day = date(*parts)
    except ValueError:
        raise RowProblem(f"no such date {text!r}") from None
    rest = folded[found.end():].strip(" t,")
    return day, (_time(rest) if rest else None)


def _date_without_year(folded: str, dayfirst: bool,
                       today: date) -> tuple[date, time | None] | None:
    """A month and day with no year (when no year is written): the next one from `today`."""
    if _YMD.search(folded) or _NUMERIC.search(folded) or _NAMED.search(folded):
        return None
    if found := _MONTH_DAY.search(folded):
        if found[1]:
            a, b = int(found[1]), int(found[3])
            month, day = (b, a) if dayfirst or found[2] == "." else (a, b)
        else:
            month, day = int(found[4]), int(found[5])
    elif (named := _NAMED_NO_YEAR.search(folded)) and (named["m"] or named["m2"])[:3] in _MONTHS:
        found = named
        month, day = _month(named["m"] or named["m2"]), int(named["d"] or named["d2"])
    else:
        return None
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February: the next year that has one may be later still
        if candidate >= today:
            rest = folded[found.end():].strip(" t,")
            return candidate, (_time(rest) if rest else None)
    raise RowProblem(f"no such date {folded!r}")


def _month(word: str) -> int:
    if word[:3] not in _MONTHS:
        raise RowProblem(f"unknown month {word!r}")
    return _MONTHS.index(word[:3]) + 1


def _time(text: str) -> time:
    found = _TIME.fullmatch(fold(text).strip())
    if found is None:
        raise RowProblem(f"unreadable time {text!r}")
    hour, minute, period = int(found[1]), int(found[2] or 0), found[3]
    if period and not 1 <= hour <= 12:
        raise RowProblem(f"no such time {text!r}")
    if period:
        hour = hour % 12 + (12 if period.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise RowProblem(f"no such time {text!r}")
    return time(hour, minute)


def _party(text: str) -> int | None:
    if not text:
        return None
    digits = re.fullmatch(r"(\d{1,4})\s*(?:people|persons|pax|guests|人|位)?", fold(text))
    if digits is None:
        raise RowProblem(f"party size {text!r} is not a number")
    party = int(digits[1])
    if not 1 <= party <= MAX_PARTY:
        raise RowProblem(f"party size {party} is not between 1 and {MAX_PARTY}")
    return party


# --- importing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where the rows go."""

    branch: BranchDay
    region: str  # for phones written without a country code
    source: str  # part of each row's key: the reservation system's name
    also: tuple[str, ...] = ()  # the chain's other regions, for a number no real one in `region`
    notes: NoteReading | None = None  # how the notes column becomes traits; None: it does not


@dataclass(frozen=True)
class NoteReading:
    """A row's notes read as a /note is ("Peanut allergy, window" → an allergy and a seat),
    words the guardrails refuse left out, logged in the name of `author` (a staff id)."""

    vocabulary: Vocabulary
    guardrails: Guardrails
    author: int

    def traits(self, notes: str, region: str) -> tuple[list[TraitDraft], list[str]]:
        """The traits to log, and the texts left out with the reason."""
        kept, left = [], []
        for draft in parse_with_concepts(notes, self.vocabulary, region=region).traits:
            refusal = self.guardrails.review([draft])
            if refusal is None:
                kept.append(draft)
            else:
                left.append(f"{draft.text!r} ({refusal.concern.value}: {refusal.word!r})")
        return kept, left


async def import_rows(
    rows: Iterable[tuple[int, Mapping[str, str | None]]], mapping: Mapping[str, str], *,
    target: Target, dayfirst: bool, bookings: BookingStore, guests: GuestStore,
    now: datetime, progress: Callable[[int], None] = lambda done: None, dry_run: bool = False,
) -> Summary:
    """Import every row it can; `progress` is told how many rows are done after each one.
    A `dry_run` writes nothing: the summary counts, and `planned` lists, what would be."""
    summary = Summary()
    today = target.branch.today(now)
    for number, raw in rows:
        if is_blank(raw):
            continue
        summary.total += 1
        try:
            row = read_row(number, raw, mapping, dayfirst=dayfirst, today=today)
            await _import(row, target, bookings, guests, now, summary, dry_run=dry_run)
        except (RowProblem, InvalidName) as problem:
            summary.rejected.append((number, str(problem)))
        progress(summary.total)
    return summary


async def _import(row: Row, target: Target, bookings: BookingStore, guests: GuestStore,
                  now: datetime, summary: Summary, *, dry_run: bool = False) -> None:
    phone = normalise_phone(row.phone, target.region, target.also) if row.phone else None
    if row.phone and phone is None:
        summary.warnings.append((row.number, f"phone {row.phone!r} ignored: not a phone number"))
    name, honorific = split_honorific(clean_name(row.name))
    at = target.branch.at(row.day, row.time)
    key = "|".join((target.source, target.branch.branch, phone or fold(name + honorific),
                    stamp(at)))
    if await bookings.imported(key):
        summary.skipped += 1
        return
    traits: list[TraitDraft] = []
    if target.notes is not None and row.notes:
        traits, left = target.notes.traits(row.notes, target.region)
        summary.warnings += [(row.number, f"note {text} left out") for text in left]
    guest_id = await bookings.match_guest(phone=phone, name=name, honorific=honorific)
    matched = guest_id is not None
    if dry_run:
        who = f"match #{guest_id}" if matched else "create"
        party = f" · {row.party}" if row.party else ""
        learned = "".join(f" + {d.category.value}: {d.text}" for d in traits)
        summary.planned.append((row.number, f"{who} {row.name} · {row.day} {row.time:%H:%M}"
                                            f"{party}{learned}"))
        summary.traits += len(traits)
        summary.imported += 1
        summary.matched += matched
        summary.created += not matched
        return
    if guest_id is None:
        guest_id = (await guests.create(row.name, phone, branch=target.branch.branch,
                                        staff_id=None, region=target.region, now=now)).id
    made = await bookings.book(NewBooking(
        guest_id=guest_id, branch=target.branch.branch, at=at, party=row.party,
        note=row.notes, source=target.source, import_key=key), staff_id=None, now=now,
        traits=traits, traits_by=target.notes.author if target.notes else None)
    if made.already:  # typed in by hand before the export was taken
        summary.skipped += 1
        return
    summary.imported += 1
    summary.traits += len(traits)
    if matched:
        summary.matched += 1
    else:
        summary.created += 1
