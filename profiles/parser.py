"""Free-text /note lines read into trait drafts, by the words in the vocabulary.

How a note is read:

1. Split on the separators ，,、;；。 and line breaks (vocabulary.SEPARATORS).
   A segment longer than MAX_TRAIT_LENGTH is not a trait: it goes to `unparsed`.
2. Split a segment once more on a conjunction ("and", "&", "和", "还有", "以及") only when
   both sides read as *different*, classified categories, e.g. "window seat and no garlic".
   "allergic to shrimp and crab", "不吃香菜和葱", "和牛" and "wife and two kids" stay whole:
   a list of foods after an allergy/diet is one trait, and the same category twice gains
   nothing from splitting. The conjunction itself is dropped.
3. A clause that is only a tier/segment hint ("金卡", "VIP guest", "regular") sets the hint
   and is not stored as a trait; a longer clause sets the hint and is kept.
4. Every other clause becomes exactly one trait, NOTE when nothing classifies it.

Nothing typed is lost, with two exceptions: invisible characters (zero-width spaces,
bidi marks, control characters, lone surrogates) are stripped, and step 2/3 drop the
conjunction and the hint-only clause. Joiners (ZWJ, ZWNJ) are kept as part of emoji and
Persian/Indic text. Matching uses the folded text (vocabulary.fold); trait text keeps
what staff typed, trimmed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from profiles.models import Attrs, Category, ParsedNote, Segment, TraitDraft
from profiles.visibility import split_private
from profiles.vocabulary import (
    SEPARATORS,
    Cue,
    Hit,
    Lexicon,
    Refusal,
    Severity,
    Vocabulary,
    fold,
)

MAX_TRAIT_LENGTH: Final = 200

# Format characters that are part of visible text: joiners shape emoji and Persian/Indic
# words; tag characters spell subdivision flags (🏴 + tags).
_KEPT_FORMAT: Final = frozenset("\u200c\u200d") | frozenset(map(chr, range(0xE0020, 0xE0080)))
_EDIBLE: Final = frozenset({Category.FOOD, Category.DIET})
_CARD_ORDER: Final = tuple(Category)

_YEAR_MONTH_DAY: Final = re.compile(
    r"(?<![0-9])([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})(?![0-9])"
)
_CHINESE_MONTH_DAY: Final = re.compile(r"(?<![0-9])([0-9]{1,2})\s*月\s*([0-9]{1,2})(?![0-9])")
# a/b and a-b are month first, as staff were told; an optional year may follow.
_MONTH_DAY: Final = re.compile(
    r"(?<![0-9])([0-9]{1,2})[-/.]([0-9]{1,2})(?:[-/.]([0-9]{4}))?(?![0-9])"
)
_DAY_AFTER_MONTH: Final = re.compile(
    r"\s*([0-9]{1,2})(?:st|nd|rd|th)?(?![0-9a-z])(?:,?\s*([0-9]{4})(?![0-9]))?"
)
_DAY_BEFORE_MONTH: Final = re.compile(r"(?<![0-9])([0-9]{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?$")
_YEAR_AFTER_MONTH: Final = re.compile(r",?\s*([0-9]{4})(?![0-9])")


@dataclass(frozen=True, slots=True)
class _Reading:
    category: Category
    attrs: Attrs


@dataclass(frozen=True, slots=True)
class _Hints:
    tier: str | None = None
    segment: Segment | None = None
    only: bool = False


@dataclass(frozen=True, slots=True)
class _Date:
    month: int
    day: int
    year: int | None


def parse_note(text: str, vocabulary: Vocabulary) -> ParsedNote:
    """Read one staff note into trait drafts; pure, and never raises on any str.

    A note starting with "🔒" or "!private" logs traits only shift leads and up may read.
    """
    private, text = split_private(text)
    lexicon = vocabulary.lexicon
    segments = list(_segments(text))
    clauses = [
        clause
        for segment in segments
        if len(segment) <= MAX_TRAIT_LENGTH
        for clause in _split_conjunctions(segment, lexicon)
    ]
    hints = [_hints(fold(clause)[0], lexicon) for clause in clauses]
    return ParsedNote(
        traits=[
            _draft(clause, lexicon, private=private)
            for clause, hint in zip(clauses, hints, strict=True)
            if not hint.only
        ],
        unparsed=[segment for segment in segments if len(segment) > MAX_TRAIT_LENGTH],
        tier_hint=next((hint.tier for hint in hints if hint.tier), None),
        segment_hint=next((hint.segment for hint in hints if hint.segment), None),
    )


def traits_as_json_lines(parsed: ParsedNote) -> list[str]:
    """One JSON object per trait, then {"unparsed": [...]} when anything was not parsed."""
    lines = [
        json.dumps(
            {"category": trait.category.value, "text": trait.text, "attrs": trait.attrs},
            ensure_ascii=False,
        )
        for trait in parsed.traits
    ]
    if parsed.unparsed:
        lines.append(json.dumps({"unparsed": parsed.unparsed}, ensure_ascii=False))
    return lines


# --- splitting ---------------------------------------------------------------------------


def _segments(text: str) -> Iterator[str]:
    start = 0
    for end, char in enumerate([*text, "\n"]):
        if char in SEPARATORS:
            segment = _visible_text(text[start:end]).strip()
            if any(_is_visible(kept) for kept in segment):
                yield segment
            start = end + 1


def _visible_text(text: str) -> str:
    return "".join(char for char in text if not _is_invisible(char))


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cf":
        return char not in _KEPT_FORMAT
    # Tabs are kept as spaces staff typed; lone surrogates cannot be stored or shown.
    return (category == "Cc" and char != "\t") or category == "Cs"


def _is_visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Cs")


def _split_conjunctions(segment: str, lexicon: Lexicon) -> list[str]:
    # Right to left, so "allergic to shrimp and crab and window seat" keeps the list whole.
    folded, origin = fold(segment)
    pieces: list[str] = []
    right_end = len(segment)
    for hit in reversed(lexicon.conjunctions.find_all(folded)):
        start, end = origin[hit.start], origin[hit.end - 1] + 1
        left, right = segment[:start].strip(), segment[end:right_end].strip()
        if left and right and _separable(left, right, lexicon):
            pieces.append(right)
            right_end = start
    pieces.append(segment[:right_end].strip())
    return pieces[::-1]


def _separable(left: str, right: str, lexicon: Lexicon) -> bool:
    before = _read(fold(left)[0], lexicon).category
    after = _read(fold(right)[0], lexicon).category
    if Category.NOTE in (before, after) or before == after:
        return False
    # "no garlic and onion": the food after an allergy/diet continues its list.
    return not (before in (Category.ALLERGY, Category.DIET) and after == Category.FOOD)


# --- hints -------------------------------------------------------------------------------


def _hints(folded: str, lexicon: Lexicon) -> _Hints:
    hits = lexicon.hints.find_all(folded)
    if not hits:
        return _Hints()
    only = _is_blank(_blank_out(folded, [*hits, *lexicon.hint_fillers.find_all(folded)]))
    chosen = [hit.value for hit in hits if only or not hit.value.alone]
    tier = next((hint.value for hint in chosen if hint.field == "tier"), None)
    segment = next((hint.value for hint in chosen if hint.field == "segment"), None)
    return _Hints(tier, Segment(segment) if segment else None, only)


def _blank_out(folded: str, hits: Sequence[Hit[Any]]) -> str:
    # Removed spans become spaces so the words on either side stay apart.
    chars = list(folded)
    for hit in hits:
        chars[hit.start : hit.end] = " " * (hit.end - hit.start)
    return "".join(chars)


def _is_blank(text: str) -> bool:
    return all(_is_ignorable(char) for char in text)


def _is_ignorable(char: str) -> bool:
    return not _is_visible(char) or unicodedata.category(char).startswith("P")


# --- classification ----------------------------------------------------------------------


def _draft(clause: str, lexicon: Lexicon, *, private: bool) -> TraitDraft:
    reading = _read(fold(clause)[0], lexicon)
    return TraitDraft(category=reading.category, text=clause, attrs=reading.attrs,
                      private=private)


def _read(folded: str, lexicon: Lexicon) -> _Reading:
    cues = lexicon.cues.find_all(folded)
    if any(hit.value.category is Category.ALLERGY for hit in cues):
        return _allergy(folded, cues, lexicon)
    best = _strongest(cues)
    if best and best.value.category is Category.DIET and best.value.attr:
        return _Reading(Category.DIET, {"kind": str(best.value.value)})
    if best and best.value.category not in _EDIBLE:
        return _by_cue(best.value.category, folded, cues, lexicon)
    refusal = lexicon.refusals.find_all(folded)
    if refusal:
        return _refusal(folded, refusal[0], lexicon)
    return _Reading(best.value.category if best else Category.NOTE, {})


def _strongest(cues: list[Hit[Cue]]) -> Hit[Cue] | None:
    # Longest word wins; on a tie, the category earlier in card order.
    return max(
        cues,
        key=lambda hit: (hit.end - hit.start, -_CARD_ORDER.index(hit.value.category)),
        default=None,
    )


def _by_cue(category: Category, folded: str, cues: list[Hit[Cue]], lexicon: Lexicon) -> _Reading:
    match category:
        case Category.DRINK:
            return _Reading(category, _drink(folded, cues, lexicon))
        case Category.OCCASION:
            return _occasion(folded, cues, lexicon)
        case Category.SERVICE:
            return _Reading(category, _tag(cues, category))
        case _:
            return _Reading(category, {})


def _tag(cues: list[Hit[Cue]], category: Category) -> Attrs:
    for hit in cues:
        if hit.value.category is category and hit.value.attr and hit.value.value:
            return {hit.value.attr: hit.value.value}
    return {}


# --- attributes --------------------------------------------------------------------------


def _allergy(folded: str, cues: list[Hit[Cue]], lexicon: Lexicon) -> _Reading:
    if lexicon.negated_allergy.find_all(folded):
        return _Reading(Category.NOTE, {})  # "不过敏" / "no allergies" is not an allergy
    severities = lexicon.severities.find_all(folded)
    severity = severities[0].value if severities else Severity.UNKNOWN
    attrs: Attrs = {"severity": str(severity)}
    allergy_cues = [hit for hit in cues if hit.value.category is Category.ALLERGY]
    item = _item(_blank_out(folded, [*allergy_cues, *severities]), lexicon)
    return _Reading(Category.ALLERGY, {**attrs, "item": item} if item else attrs)


def _refusal(folded: str, refusal: Hit[Refusal], lexicon: Lexicon) -> _Reading:
    # "不吃蒜" / "no garlic": the item follows; "海鲜忌口": it comes first.
    item = _item(folded[refusal.end :], lexicon) or _item(folded[: refusal.start], lexicon)
    attrs: Attrs = {"kind": str(refusal.value)}
    return _Reading(Category.DIET, {**attrs, "item": item} if item else attrs)


def _drink(folded: str, cues: list[Hit[Cue]], lexicon: Lexicon) -> Attrs:
    attrs = _tag(cues, Category.DRINK)
    if size := lexicon.sizes.first(folded):
        attrs["size"] = str(size)
    if temperature := lexicon.temperatures.first(folded):
        attrs["temperature"] = str(temperature)
    return attrs


def _occasion(folded: str, cues: list[Hit[Cue]], lexicon: Lexicon) -> _Reading:
    attrs = _tag(cues, Category.OCCASION)
    found = _find_date(folded, lexicon)
    if found is None:
        return _Reading(Category.OCCASION, attrs)
    if not _exists(found):
        return _Reading(Category.NOTE, {})  # "birthday 02-30": keep the words, invent nothing
    attrs |= {"month": found.month, "day": found.day}
    return _Reading(Category.OCCASION, attrs | ({} if found.year is None else {"year": found.year}))


def _item(text: str, lexicon: Lexicon) -> str:
    # The words left once the cue words are gone, minus filler at either edge.
    runs = (_trim_fillers(" ".join(run.split()), lexicon) for run in re.split(r"[()\[\]]", text))
    return " ".join(run for run in runs if run)


def _trim_fillers(text: str, lexicon: Lexicon) -> str:
    while text := _strip_punctuation(text):
        hits = lexicon.fillers.find_all(text)
        if hits and hits[0].start == 0:
            text = text[hits[0].end :]
        elif hits and hits[-1].end == len(text):
            text = text[: hits[-1].start]
        else:
            break
    return text


def _strip_punctuation(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_ignorable(text[start]):
        start += 1
    while end > start and _is_ignorable(text[end - 1]):
        end -= 1
    return text[start:end]


# --- dates -------------------------------------------------------------------------------


def _find_date(folded: str, lexicon: Lexicon) -> _Date | None:
    # Most specific form first; an impossible date is not retried as a looser form.
    found = (
        _year_month_day(folded),
        _chinese_month_day(folded),
        _named_month(folded, lexicon),
        _month_day(folded),
    )
    return next((candidate for candidate in found if candidate is not None), None)


def _year_month_day(folded: str) -> _Date | None:
    found = _YEAR_MONTH_DAY.search(folded)
    return _Date(int(found[2]), int(found[3]), int(found[1])) if found else None


def _chinese_month_day(folded: str) -> _Date | None:
    found = _CHINESE_MONTH_DAY.search(folded)
    return _Date(int(found[1]), int(found[2]), None) if found else None


def _month_day(folded: str) -> _Date | None:
    found = _MONTH_DAY.search(folded)
    return _Date(int(found[1]), int(found[2]), _year(found[3])) if found else None


def _named_month(folded: str, lexicon: Lexicon) -> _Date | None:
    for month in lexicon.months.find_all(folded):
        if after := _DAY_AFTER_MONTH.match(folded, month.end):
            return _Date(month.value, int(after[1]), _year(after[2]))
        if before := _DAY_BEFORE_MONTH.search(folded, 0, month.start):
            year = _YEAR_AFTER_MONTH.match(folded, month.end)
            return _Date(month.value, int(before[1]), _year(year[1] if year else None))
    return None


def _year(digits: str | None) -> int | None:
    return int(digits) if digits else None


def _exists(found: _Date) -> bool:
    try:
        # Without a year, 2000 stands in: a leap year, so 02-29 exists.
        date(2000 if found.year is None else found.year, found.month, found.day)
    except ValueError:
        return False
    return True
