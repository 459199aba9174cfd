"""Which guest staff mean: "#12", "room 1203", "12号桌", "0142" or "王先生", parsed.

Full-width forms (＃１２, ：) count as their ASCII twins: the text is NFKC-folded first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from profiles.names import visible_text
from profiles.phones import MIN_TAIL_DIGITS, phone_digits

# A room or table number: digits with at most a letter either side ("1203", "A12", "12b").
_NUMBER = r"(?P<number>[a-z]?\d+[a-z]?)"
_NUMBER_SIGN = r"(?:no\.?|#|号)?\s*"
_ID = re.compile(r"(?:#|id\s*#?)\s*(?P<id>\d{1,18})")  # 18 digits always fit SQLite's int64
_ROOM = (
    re.compile(rf"(?:room|rm|房间|房)\s*{_NUMBER_SIGN}{_NUMBER}"),
    re.compile(rf"{_NUMBER}\s*(?:号房间|号房|房间|房)"),
)
_TABLE = (
    re.compile(rf"(?:table|tbl|t|桌|台)\s*{_NUMBER_SIGN}{_NUMBER}"),
    re.compile(rf"{_NUMBER}\s*(?:号桌|号台|桌|台)"),
)
# Only what people put between a phone number's digits.
_PHONE_LIKE = re.compile(r"[\d\s+\-().]+")
# A colon between two digits is a time ("7:30"), not the end of the reference.
_NOTE_COLON = re.compile(r"(?<!\d)[:：]|[:：](?!\d)")
# Without a colon, a reference is one word, or a keyword or English honorific and one word.
_LEADING_REF = re.compile(
    r"(?P<ref>(?:room|rm|table|tbl|mrs|miss|mr|ms|dr|prof)\.?\s+\S+|\S+)\s+(?P<text>.+)",
    re.IGNORECASE | re.DOTALL,
)


class EmptyRef(ValueError):
    """Nothing to look a guest up by."""


class MissingNoteText(ValueError):
    """A /note with a guest but nothing to note."""


@dataclass(frozen=True, slots=True)
class ById:
    id: int


@dataclass(frozen=True, slots=True)
class ByRoom:
    number: str


@dataclass(frozen=True, slots=True)
class ByTable:
    number: str


@dataclass(frozen=True, slots=True)
class ByPhoneTail:
    """The digits as typed, in order, ASCII (reverse them with `phones.tail_query`)."""

    digits: str


@dataclass(frozen=True, slots=True)
class ByName:
    """Anything else, tidied but not folded; `names.query_terms` reads it."""

    query: str


GuestRef = ById | ByRoom | ByTable | ByPhoneTail | ByName


def parse_guest_ref(text: str) -> GuestRef:
    """What the reference points at; raises EmptyRef only, for blank text."""
    tidy = visible_text(text)
    if not tidy:
        raise EmptyRef("Which guest? Give a name, #id, room, table or phone digits.")
    folded = unicodedata.normalize("NFKC", tidy).casefold()
    if found := _ID.fullmatch(folded):
        return ById(int(found["id"]))
    if number := _number_after(_ROOM, folded):
        return ByRoom(number)
    if number := _number_after(_TABLE, folded):
        return ByTable(number)
    if _PHONE_LIKE.fullmatch(folded) and len(digits := phone_digits(folded)) >= MIN_TAIL_DIGITS:
        return ByPhoneTail(digits)
    return ByName(tidy)


def split_note_command(args: str) -> tuple[str, str]:
    """("王先生", "likes tea") from "王先生: likes tea", "王先生：likes tea" or "王先生 likes tea".

    The reference ends at the first colon (ASCII or full-width) that isn't inside a time;
    without one, it is the first word ("room 1203" and "Mr Smith" count as one word).
    Raises EmptyRef when there is no reference and MissingNoteText when there is no text.
    """
    tidy = args.strip()
    if colon := _NOTE_COLON.search(tidy):
        ref, text = tidy[: colon.start()].strip(), tidy[colon.end() :].strip()
    elif leading := _LEADING_REF.fullmatch(tidy):
        ref, text = leading["ref"], leading["text"].strip()
    else:
        ref, text = tidy, ""
    if not visible_text(ref):
        raise EmptyRef("Start with the guest: /note 王先生: likes the window seat")
    if not visible_text(text):
        raise MissingNoteText(f"What should I note about {ref}? Put it after a colon.")
    return ref, text


def longer_note_refs(args: str, *, max_words: int = 4) -> list[tuple[str, str]]:
    """For a note without a colon, the readings with a longer reference than
    `split_note_command`'s one word, longest first, the whole first when short: "John Smith
    window seat" → [("John Smith window seat", ""), ("John Smith window", "seat"),
    ("John Smith", "window seat")]. A reading with no text is a name and nothing to note.
    Empty with a colon."""
    tidy = args.strip()
    if _NOTE_COLON.search(tidy):
        return []
    words = tidy.split()
    return [(" ".join(words[:count]), " ".join(words[count:]))
            for count in range(min(len(words), max_words), 1, -1)]


def split_ref_pair(args: str) -> tuple[str, str]:
    """Two references: "#12 #34", "王先生, Mr Smith", "room 1203 #34", "Mr Smith 王先生".

    A comma (ASCII or full-width) separates them; without one, the first reference is one
    word, or a keyword or English honorific and one word. Raises EmptyRef unless there are two.
    """
    tidy = visible_text(args)
    if "," in tidy or "，" in tidy:
        first, _, second = tidy.replace("，", ",").partition(",")
    elif leading := _LEADING_REF.fullmatch(tidy):
        first, second = leading["ref"], leading["text"]
    else:
        first, second = tidy, ""
    if not first.strip() or not second.strip():
        raise EmptyRef("Give two guests: /merge #12 #34")
    return first.strip(), second.strip()


def _number_after(patterns: tuple[re.Pattern[str], ...], folded: str) -> str | None:
    for pattern in patterns:
        if found := pattern.fullmatch(folded):
            return found["number"].upper()
    return None
