"""What staff type after /book: `王先生 明天晚上7点 4人 靠窗`, `Mr Smith Fri 8pm party of 2`.

`REF WHEN [N people] [note]`: the guest reference runs up to the date or time (or up to a
colon: `/book 王先生: 明天 7点`); after it come the party (`4 people`, `4人`, `2大1小`,
`party of 6`), children (`2 kids`, `带小孩`), a table or room (`table 12`, `12号桌`,
`room 1203`), and whatever is left is the booking's note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Final

from pydantic import Field

from playbooks.dates import Hours, WhenFound, find_when, fold, read_number
from profiles.bookings import MAX_NOTE_LENGTH, MAX_PARTY, NewBooking
from profiles.models import Frozen

_NUM: Final = r"(?:\d{1,3}|[〇零一二两三四五六七八九十]{1,3})"
_PARTY: Final = (
    re.compile(r"(?:party of|table for|for)\s*(?P<n>[-−]?\d{1,3})(?:\s*(?:people|persons|pax|"
               r"ppl|guests|covers))?(?![\w])"),
    # a sign is read so that "-5 people" is refused, not booked as 5
    re.compile(r"(?P<n>[-−]?\d{1,3})\s*(?:people|persons|person|pax|ppl|guests|guest|covers|"
               r"cover|p)(?![\w])"),
    re.compile(rf"(?P<n>{_NUM})\s*(?:位客人|个人|個人|人|位)"),
    re.compile(r"(?<![\w])x\s*(?P<n>\d{1,3})(?![\w])"),
)
_ADULTS_KIDS: Final = re.compile(rf"(?P<a>{_NUM})\s*大\s*(?P<k>{_NUM})\s*小")
_ADULTS: Final = re.compile(r"(?P<n>\d{1,3})\s*adults?(?![\w])")
_KIDS: Final = (
    re.compile(r"(?P<n>\d{1,2})\s*(?:kids|kid|children|child|babies|baby)(?![\w])"),
    re.compile(rf"(?P<n>{_NUM})\s*(?:个|個)?(?:小孩|儿童|孩子|小朋友|宝宝|寶寶)"),
)
_WITH_KIDS: Final = re.compile(
    r"with (?:kids|children|a child|a baby|baby)|high ?chair|带小孩|带孩子|帶小孩|带宝宝|"
    r"儿童椅|宝宝椅|婴儿椅")
_TABLE: Final = (
    re.compile(r"(?<![\w])(?:table|tbl|桌)\s*(?:no\.?|#|号)?\s*(?P<n>[a-z]?\d{1,4}[a-z]?)"
               r"(?![\w])"),
    re.compile(r"(?P<n>[a-z]?\d{1,4}[a-z]?)\s*(?:号桌|號桌|号台|桌)"),
)
_ROOM: Final = (
    re.compile(r"(?<![\w])(?:room|rm|房间|房間)\s*(?:no\.?|#|号)?\s*(?P<n>[a-z]?\d{1,5}[a-z]?)"
               r"(?![\w])"),
    re.compile(r"(?P<n>[a-z]?\d{1,5}[a-z]?)\s*(?:号房间|號房間|号房|房间|房間)"),
)
# a colon that is not inside a time ("7:30") ends the reference
_REF_COLON: Final = re.compile(r"(?<!\d)[:：]|[:：](?!\d)")
_EDGES: Final = " \t\n,，;；、.。:：-—·"


class BookingTextError(ValueError):
    """The text after /book cannot be a booking; `reason` names why, for the reply."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class BookingText:
    ref: str
    when: WhenFound | None  # None: only a guest was named (list their bookings)
    party: int | None = None
    children: bool = False
    table_no: str | None = None
    room_no: str | None = None
    note: str = ""


def read_booking(
    text: str, *, now: datetime, hours: Hours = (), default_time: time | None = None
) -> BookingText:
    """Split /book's text; raises BookingTextError, or WhenError for an impossible date."""
    tidy = " ".join(text.split())
    if not tidy:
        raise BookingTextError("usage")
    when = _find(tidy, now=now, hours=hours, default_time=default_time)
    if when is None:
        return BookingText(ref=tidy.strip(_EDGES), when=None)
    ref, rest = tidy[: when.start].strip(_EDGES), tidy[when.end :]
    if not ref:
        raise BookingTextError("no_ref")
    ref, party_in_ref = _party_at_end(ref)
    return _extras(ref, when, rest, party_in_ref)


def _find(text: str, *, now: datetime, hours: Hours, default_time: time | None) -> WhenFound | None:
    if colon := _REF_COLON.search(text):
        found = find_when(text, now=now, hours=hours, default_time=default_time,
                          skip=colon.end())
        return _spanning_colon(found, colon.start()) if found else None
    first_word = text.find(" ")
    found = find_when(text, now=now, hours=hours, default_time=default_time,
                      skip=first_word if first_word > 0 else len(text))
    if found is None:  # "王先生明天7点": the date may follow the name without a space
        word = text[: first_word if first_word > 0 else len(text)]
        found = find_when(word, now=now, hours=hours, default_time=default_time)
        if found is not None and found.start == 0:
            raise BookingTextError("no_ref")  # "明天7点 4人": a time, but whose?
    return found


def _spanning_colon(found: WhenFound, colon: int) -> WhenFound:
    # the reference ends at the colon even when the date comes later in the text
    return WhenFound(start=colon, end=found.end, candidates=found.candidates) if \
        found.start > colon else found


def _party_at_end(ref: str) -> tuple[str, int | None]:
    """"王先生 4人 明天7点": a party typed before the date is not part of the name."""
    folded = fold(ref)
    for pattern in _PARTY:
        for found in pattern.finditer(folded):
            if found.end() == len(folded) and found.start() > 0:
                return ref[: found.start()].strip(_EDGES), _count(found["n"])
    return ref, None


def _extras(ref: str, when: WhenFound, rest: str, party: int | None) -> BookingText:
    folded = fold(rest)
    taken: list[tuple[int, int]] = []

    def take(patterns: tuple[re.Pattern[str], ...]) -> re.Match[str] | None:
        for pattern in patterns:
            for found in pattern.finditer(folded):
                if not any(s < found.end() and found.start() < e for s, e in taken):
                    taken.append(found.span())
                    return found
        return None

    adults_kids = take((_ADULTS_KIDS,))
    explicit = take(_PARTY)
    adults, kids = take((_ADULTS,)), take(_KIDS)
    children_count = _count(adults_kids["k"]) if adults_kids else _count(kids["n"]) if kids else 0
    if adults_kids:
        party = _count(adults_kids["a"]) + children_count
    elif explicit:
        party = _count(explicit["n"])
    elif adults:
        party = _count(adults["n"]) + children_count
    table, room = take(_TABLE), take(_ROOM)
    note = _leftover(rest, taken)
    if party is not None and not 1 <= party <= MAX_PARTY:
        raise BookingTextError("party")
    if len(note) > MAX_NOTE_LENGTH:
        raise BookingTextError("note_too_long")
    return BookingText(
        ref=ref, when=when, party=party,
        children=children_count > 0 or bool(_WITH_KIDS.search(folded)),
        table_no=table["n"].upper() if table else None,
        room_no=room["n"].upper() if room else None, note=note,
    )


def _leftover(text: str, taken: list[tuple[int, int]]) -> str:
    kept = "".join(" " if any(s <= i < e for s, e in taken) else ch for i, ch in enumerate(text))
    return " ".join(kept.split()).strip(_EDGES)


def _count(text: str) -> int:
    if text[:1] in "-−" and text[1:].isdigit():
        return -int(text[1:])
    return int(text) if text.isdigit() else read_number(text)


class BookingDraft(Frozen):
    """A /book waiting for a button: everything typed, and what is still to choose."""

    branch: str
    candidates: list[datetime] = Field(min_length=1)
    guest_id: int | None = None
    name: str | None = None  # a guest to create, when no guest matched
    phone: str | None = None  # typed after the name: "/book 李女士 138 0013 8000 明天7点"
    party: int | None = None
    children: bool = False
    table_no: str | None = None
    room_no: str | None = None
    note: str = ""

    @classmethod
    def of(cls, text: BookingText, *, branch: str) -> BookingDraft:
        if text.when is None:
            raise ValueError("a booking needs a date or time")
        return cls(branch=branch, candidates=list(text.when.candidates), party=text.party,
                   children=text.children, table_no=text.table_no, room_no=text.room_no,
                   note=text.note)

    def booking(self, at: datetime) -> NewBooking:
        if self.guest_id is None:
            raise ValueError("a draft is booked only once its guest is known")
        return NewBooking(guest_id=self.guest_id, branch=self.branch, at=at, party=self.party,
                          children=self.children, table_no=self.table_no, room_no=self.room_no,
                          note=self.note)
