"""Free-text /note lines read into trait drafts, by the words in the vocabulary.

Staff type notes on a phone: traditional or simplified script, Cantonese, English or both,
with or without punctuation, with typos and shorthand. How a note is read:

1. The matching form of the text (vocabulary.fold): NFKC, case folded, traditional Chinese
   as simplified, Latin words a typo away from a vocabulary word corrected ("alergic").
   Traits keep the text as typed.
2. Split into pieces on the separators (vocabulary.SEPARATORS, a slash between words, a dash
   between spaces), in English said without punctuation where a clause of another subject
   starts ("…allergic to cats but she likes the booth"), on spaces between two Chinese
   characters ("貝類過敏 嚴重"), and inside unbroken Chinese where the words change subject
   ("角落位|不要香菜|中杯热奶茶": a new cue of another category starts a piece; an allergy cue
   takes the words before it along). A piece still longer than MAX_TRAIT_LENGTH is not a
   trait: it goes to `unparsed`.
3. Split a piece once more on a conjunction ("and", "&", "+", "和", "、", "同") only when both
   sides read as *different*, classified categories, e.g. "window seat and no garlic".
   "allergic to shrimp and crab", "虾、蟹过敏", "不吃香菜和葱" and "和牛" stay whole.
4. A piece that is only a tier/segment hint ("金卡", "VIP guest", "regular") sets the hint
   and is not stored as a trait; a longer piece sets the hint and is kept.
5. A piece that only qualifies a trait before it is read with it: "mocha, large, extra
   hot", "芝麻过敏，很严重的", "almond allergy, not serious", "bee sting allergy, has EpiPen",
   "纪念日 6月". The trait's text runs from the one to the other.
6. Every other piece becomes one trait, NOTE when nothing classifies it; an allergy to a
   list of allergens becomes one allergy trait per allergen, each with the note's severity.

Allergy safety: any allergy cue (过敏, allergic, anaphylaxis, EpiPen, rash, 休克, ...) makes
an allergy trait, never food; a severity stated anywhere in the note applies to it; an
allergy denied ("不是过敏", "fish allergy? nope") is none, and one that turns out to be a
dislike is filed as the dislike.

Nothing typed is lost, with two exceptions: invisible characters (zero-width spaces,
bidi marks, control characters, lone surrogates) are stripped, and steps 3/4 drop the
conjunction and the hint-only piece. Joiners (ZWJ, ZWNJ) are kept as part of emoji and
Persian/Indic text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
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
    Temperature,
    Vocabulary,
    concept_named,
    fold,
)

MAX_TRAIT_LENGTH: Final = 200

# Format characters that are part of visible text: joiners shape emoji and Persian/Indic
# words; tag characters spell subdivision flags (🏴 + tags).
_KEPT_FORMAT: Final = frozenset("\u200c\u200d") | frozenset(map(chr, range(0xE0020, 0xE0080)))
_EDIBLE: Final = frozenset({Category.FOOD, Category.DIET})
# What a guest may dislike or fear that is no food: cold, heat, noise, sun, crowds.
_FEELINGS: Final = re.compile(r"[冷冻热吵嘈晒闷风烦挤]+|吵闹|嘈吵|人多")
# Where a guest is seated or stays: "quiet" said of one is the place's.
_PLACES: Final = frozenset({Category.SEATING, Category.ROOM})
# What may be said of a relative; a seat or a high chair is arranged for the party.
_SAID_OF_A_PERSON: Final = frozenset({Category.DIET, Category.DRINK, Category.FOOD,
                                      Category.WORK, Category.LOOKS, Category.FAMILY})
_CARD_ORDER: Final = tuple(Category)
# Categories whose words each name a thing of their own: a list of them is a trait each.
_LISTED: Final = frozenset({Category.ROOM, Category.LOOKS, Category.SEATING})
_BOTH: Final = re.compile(r"都|\bboth\b")
_ICE_AMOUNTS: Final = frozenset({Temperature.NO_ICE, Temperature.LESS_ICE})
# Words that say a food is liked, where they lead into it: "喜欢吃鱼", "多放醋".
_LIKED_WORDS: Final = r"(?:喜欢|爱|钟意|偏爱|多放|多加|加多|要多)(?:吃|喝|食|饮|啲|点)?"
_LEADS_INTO_LIKED: Final = re.compile(_LIKED_WORDS + r"\s*$")
_LIKES_TO_EAT: Final = re.compile(r"(?:喜欢|爱|钟意|偏爱|最爱)(?:吃|食)")
# A dish's name after it: a few characters, not how they eat ("吃完…", "吃得快", "食嘢")
_DISH_NAME: Final = re.compile(r"(?![完得了着过])[\u4e00-\u9fff]{2,6}")
_OPENS_LIKED: Final = re.compile(r"^\s*" + _LIKED_WORDS)
# A clause that says what the guest likes: "um she loves the creme brulee", "他很喜欢吃鱼".
_OPENS_A_LIKING: Final = re.compile(
    r"^\W*(?:(?:um|uh|so|and|but|also|anyway|oh)\s+)*(?:(?:she|he|they)(?:'s| is| are)?\s+)?"
    r"(?:really\s+|always\s+|usually\s+)?(?:loves?|likes?|enjoys?|orders?|prefers?)\b"
    r"|^\s*(?:他|她|佢)?(?:很|好|最|也|都)?(?:喜欢|爱吃|爱喝|钟意|偏爱|最爱)")
# Where a numeric date such as 12/03 is read month first; everywhere else it is day first.
# Without a region it is month first, as staff were first told.
_MONTH_FIRST_REGIONS: Final = frozenset({"US", "CN", "TW", "JP", "KR", "PH", "CA", "FM", "MH",
                                         "PW", "BZ", "KY", "GU", "AS", "PR", "VI", "MP"})

_MAYBE_SEPARATOR: Final = re.compile(
    "[" + re.escape("".join(sorted(SEPARATORS))) + re.escape("/／-–—.") + "]")
# Words put before a name, short ("Dr. Patel") and whole ("Doctor Patel likes the booth").
_SHORT_TITLES: Final = frozenset({"mr", "mrs", "ms", "dr", "prof"})
_TITLES: Final = _SHORT_TITLES | {"miss", "doctor", "professor", "sir", "madam", "capt",
                                  "captain"}
# Words a full stop shortens rather than ends a sentence after: "Dr. Patel", "Mr. Wang".
_ABBREVIATIONS: Final = _SHORT_TITLES | {"st", "jr", "sr", "vs", "etc", "approx", "no", "tel",
                                         "ext", "mt", "ave", "rd"}
_DIGIT: Final = re.compile(r"[0-9]")
_HAN: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN_WORD: Final = re.compile(r"[a-z][a-z'-]*[a-z]")
_JOINER_BEFORE: Final = re.compile(
    r"[\s,，、.!！]*(?:(?:\+|&|/|\band|\bor|\bn|\balso|和|同|及|与|跟|或|还有|還有|同埋|以及)"
    r"[\s,，]*)?$")
_LIST_JOINER: Final = re.compile(r"\s*(?:、|,|\+|&|/|\band\b|\bor\b|\bn\b|和|同|及|与|跟|或)\s*")
_YEAR_MONTH_DAY: Final = re.compile(
    r"(?<![0-9])([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})(?![0-9])"
)
_CHINESE_MONTH_DAY: Final = re.compile(
    r"(?<![0-9])([0-9]{1,2})\s*月\s*(?:份\s*)?(?:初\s*)?(?:([0-9]{1,2})(?![0-9])\s*[日号]?)?"
)
_MONTH_DAY: Final = re.compile(
    r"(?<![0-9])([0-9]{1,2})[-/.]([0-9]{1,2})(?:[-/.]([0-9]{4}|[0-9]{2}))?(?![0-9])"
)
_DAY_AFTER_MONTH: Final = re.compile(
    r"\s*([0-9]{1,2})(?:st|nd|rd|th)?(?![0-9a-z])(?:,?\s*([0-9]{4})(?![0-9]))?"
)
_DAY_BEFORE_MONTH: Final = re.compile(r"(?<![0-9])([0-9]{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?$")
_YEAR_AFTER_MONTH: Final = re.compile(r",?\s*([0-9]{4})(?![0-9])")
# Chinese numerals in dates: 九月二十号, 农历三月初三, 腊月廿三.
_CHINESE_DIGITS: Final = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                          "六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_TENS: Final = {"十": 10, "廿": 20, "卅": 30}
_CHINESE_NUMBER: Final = re.compile(r"[〇零一二两三四五六七八九十廿卅]+")
_LUNAR_MONTHS: Final = {"正月": "1月", "冬月": "11月", "腊月": "12月"}


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
    day: int | None
    year: int | None
    lunar: bool = False


@dataclass(frozen=True, slots=True)
class _Piece:
    """A stretch of the note, [start, end) in the visible text, with its matching form."""

    start: int
    end: int
    text: str
    folded: str
    origin: list[int]


@dataclass(slots=True)
class _Group:
    """A piece that makes a trait, with the pieces that only qualify it."""

    head: _Piece
    reading: _Reading
    details: list[_Piece] = field(default_factory=list)
    about_allergy: bool = False  # the head has an allergy cue, whatever it was read as
    # where the trait's text begins when words before the head say whose it is ("老婆对")
    lead: int | None = None


def parse_note(text: str, vocabulary: Vocabulary, *, region: str | None = None) -> ParsedNote:
    """Read one staff note into trait drafts; pure, and never raises on any str.

    A note starting with "🔒" or "!private" logs traits only shift leads and up may read.
    `region` (ISO country of the branch) decides how an ambiguous numeric date reads: day
    first in most of the world, month first in the United States and a few others.
    """
    private, text = split_private(text)
    lexicon = vocabulary.lexicon
    day_first = region is not None and region.upper() not in _MONTH_FIRST_REGIONS
    visible = _visible_text(text)
    spans = list(_spans(visible))
    # A segment too long to be a trait stands between the pieces on either side of it.
    sections: list[list[tuple[_Piece, _Hints]]] = [[]]
    unparsed: list[str] = []
    for start, end in spans:
        # a long stretch without punctuation (dictated) is cut where its subjects change
        # first; only a piece still too long to be one trait is left unparsed
        for piece in _pieces(visible, start, end, lexicon):
            if piece.end - piece.start <= MAX_TRAIT_LENGTH:
                sections[-1].append((piece, _hints(piece.folded, lexicon)))
                continue
            # still too long: its stretches that name something are kept (an allergy is
            # never left unparsed), the rest is not a trait
            left_out: list[_Piece] = []
            for part in _stretches(visible, piece, lexicon):
                if _read(part.folded, lexicon).category is Category.NOTE:
                    left_out.append(part)
                    continue
                sections += [[(part, _Hints())], []]  # a trait of its own, alone
                if left_out:
                    unparsed.append(visible[left_out[0].start:left_out[-1].end])
                    left_out = []
            if left_out:
                unparsed.append(visible[left_out[0].start:left_out[-1].end])
            sections.append([])
    hints = [hint for section in sections for _, hint in section]
    groups = _superseded([
        group
        for section in sections
        for group in _grouped([piece for piece, hint in section if not hint.only], visible,
                              lexicon, day_first)
    ], lexicon)
    return ParsedNote(
        traits=_with_note_severity(_severity_statements_applied([
            (group, draft)
            for group in groups
            for draft in _drafts(group, visible, lexicon, day_first, private=private)
        ], lexicon), groups, lexicon),
        unparsed=unparsed,
        tier_hint=next((hint.tier for hint in hints if hint.tier), None),
        segment_hint=next((hint.segment for hint in hints if hint.segment), None),
    )


def read_as(text: str, category: Category, vocabulary: Vocabulary, *,
            region: str | None = None, item: str | None = None) -> TraitDraft:
    """The trait `text` makes when staff say it is of `category` (a tap that files it again):
    the attributes the parser reads of it in that category, else none, and the `item` it was
    about when it had one. An allergy always has a severity, unknown unless the words say."""
    day_first = region is not None and region.upper() not in _MONTH_FIRST_REGIONS
    lexicon = vocabulary.lexicon
    folded = _matching(text, lexicon)[0]
    reading = _read(folded, lexicon, day_first=day_first)
    attrs: Attrs = dict(reading.attrs) if reading.category is category else {}
    if item and category in (Category.ALLERGY, Category.FOOD, Category.DIET, Category.DRINK):
        attrs.setdefault("item", item)
    if category is Category.ALLERGY:
        attrs.setdefault("severity", str(lexicon.severities.first(folded) or Severity.UNKNOWN))
    return TraitDraft(category=category, text=text, attrs=attrs)


def _stretches(text: str, piece: _Piece, lexicon: Lexicon) -> Iterator[_Piece]:
    """A piece too long to be one trait, in stretches of at most MAX_TRAIT_LENGTH, each cut
    at the last space before it when there is one, and never between an allergy word and
    the words around it that name the allergen and its severity."""
    allergy_words = [piece.start + piece.origin[hit.start]
                     for hit in lexicon.cues.find_all(piece.folded)
                     if hit.value.category is Category.ALLERGY]
    start = piece.start
    while start < piece.end:
        end = min(start + MAX_TRAIT_LENGTH, piece.end)
        near = [at for at in allergy_words
                if end - _ALLERGEN_REACH < at < end + _ALLERGEN_REACH and at - start
                > _ALLERGEN_REACH]
        if end < piece.end and near:
            end = near[0] - _ALLERGEN_REACH  # the stretch before; the allergy starts the next
        if end < piece.end and (space := text.rfind(" ", start + 1, end)) > start:
            end = space
        left, right = _trimmed(text, start, end)
        if left < right:
            yield _piece(text, left, right, lexicon)
        start = end


# Characters around an allergy word that may name its allergen or say how severe it is.
_ALLERGEN_REACH: Final = 40


def traits_as_json_lines(parsed: ParsedNote, *, line: int | None = None) -> list[str]:
    """One JSON object per trait, then {"unparsed": [...]} when anything was not parsed;
    each starting with {"line": N} when `line` says which note of many this is."""
    where: dict[str, object] = {} if line is None else {"line": line}
    lines = [
        json.dumps(
            {**where, "category": trait.category.value, "text": trait.text,
             "attrs": trait.attrs},
            ensure_ascii=False,
        )
        for trait in parsed.traits
    ]
    if parsed.unparsed:
        lines.append(json.dumps({**where, "unparsed": parsed.unparsed}, ensure_ascii=False))
    return lines


# --- matching form -----------------------------------------------------------------------


def _matching(text: str, lexicon: Lexicon) -> tuple[str, list[int]]:
    """`fold`, then Latin words a typo away from a vocabulary word spelled as that word."""
    folded, origin = fold(text)
    if not any("a" <= char <= "z" for char in folded):
        return folded, origin
    parts: list[str] = []
    where: list[int] = []
    position = 0
    for found in _LATIN_WORD.finditer(folded):
        word = found[0]
        corrected = lexicon.spelling.correct(word)
        if corrected == word:
            continue
        start, end = found.span()
        parts.append(folded[position:start])
        where.extend(origin[position:start])
        parts.append(corrected)
        where.extend(origin[start + min(i, len(word) - 1)] for i in range(len(corrected)))
        position = end
    if position == 0:
        return folded, origin
    parts.append(folded[position:])
    where.extend(origin[position:])
    return "".join(parts), where


# --- splitting ---------------------------------------------------------------------------


def _visible_text(text: str) -> str:
    # Line breaks and other separators among the control characters still split the note.
    return "".join(char for char in text if char in SEPARATORS or not _is_invisible(char))


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cf":
        return char not in _KEPT_FORMAT
    # Tabs are kept as spaces staff typed; lone surrogates cannot be stored or shown.
    return (category == "Cc" and char != "\t") or category == "Cs"


def _is_visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Cs")


def _spans(text: str) -> Iterator[tuple[int, int]]:
    """The stretches between separators, trimmed, that hold something visible."""
    start = 0
    ends = (found.start() for found in _MAYBE_SEPARATOR.finditer(text))
    for end in [*(end for end in ends if _separates(text, end)), len(text)]:
        left, right = _trimmed(text, start, end)
        if any(_is_visible(char) for char in text[left:right]):
            yield left, right
        start = end + 1


def _separates(text: str, index: int) -> bool:
    char = text[index]
    if char in SEPARATORS:
        return True
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    if char in "/／":  # 24/7, 12/03 and "w/ honey" are not two things
        shorthand = before == "w" and (index < 2 or not text[index - 2].isalpha())
        return not (before.isdigit() and after.isdigit()) and not shorthand
    if char in "-–—":  # "feather allergy - hypoallergenic pillows", not "b-day"
        return (before.isspace() and after.isspace()) or (char != "-" and not before.isdigit())
    if char == ".":  # "allergic to shrimp. window seat", not "3.5", "Dr. Patel", "a.m."
        word = re.search(r"[A-Za-z]+$", text[:index])
        return word is not None and after.isspace() and len(word[0]) > 1 \
            and word[0].lower() not in _ABBREVIATIONS
    return False


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int, lexicon: Lexicon) -> Iterator[_Piece]:
    for left, right in _clauses(text, start, end, lexicon):
        for part_start, part_end in _split_conjunctions(text, left, right, lexicon):
            for chunk_start, chunk_end in _chunks(text, part_start, part_end, lexicon):
                yield _piece(text, chunk_start, chunk_end, lexicon)


def _piece(text: str, start: int, end: int, lexicon: Lexicon) -> _Piece:
    folded, origin = _matching(text[start:end], lexicon)
    return _Piece(start, end, text[start:end], folded, origin)


# Where a clause of English said without punctuation may start: "he's allergic to cats but
# she loves the creme brulee", "likes the booth he always drinks a large iced tea".
_CLAUSE_OPENER: Final = re.compile(
    r"(?<![\w'])(?:(?:and|but|so|also|plus|anyway|um|uh)\s+)*"
    r"(?:(?:he|she|they)(?:'s|s|\s+(?:is|has|likes|loves|drinks|wants|always|usually|never|"
    r"prefers|hates|does|doesn't|doesnt|eats|comes|works|keeps|gets|needs|can't|cant))"
    r"|but|anyway|btw|plus)\b",
    re.IGNORECASE)


def _clauses(text: str, start: int, end: int, lexicon: Lexicon) -> Iterator[tuple[int, int]]:
    """English run on without punctuation, cut where a clause of another subject starts,
    then each part split at spaces between Chinese characters."""
    for left, right in _run_on_clauses(text, start, end, lexicon):
        yield from _han_spaced(text, left, right, lexicon)


def _run_on_clauses(text: str, start: int, end: int,
                    lexicon: Lexicon) -> list[tuple[int, int]]:
    segment = text[start:end]
    if _HAN.search(segment) or len(segment) < 24:
        return [(start, end)]
    openers = [found.start() for found in _CLAUSE_OPENER.finditer(segment) if found.start() > 0]
    if not openers:
        return [(start, end)]
    bounds = [0, *openers, len(segment)]
    parts: list[tuple[int, int]] = []
    left = 0
    for index, opener in enumerate(openers):
        right_end = bounds[index + 2]
        first = _read(_matching(segment[left:opener], lexicon)[0], lexicon)
        second = _read(_matching(segment[opener:right_end], lexicon)[0], lexicon)
        if _other_subject(first.category, second.category):
            parts.append(_trimmed(text, start + left, start + opener))
            left = opener
    parts.append(_trimmed(text, start + left, end))
    return [part for part in parts if part[0] < part[1]]


def _other_subject(before: Category, after: Category) -> bool:
    # A clause of no category ("but that's fine") stays with the one before it, and so does
    # one of the same: "she's allergic to cats she gets hives".
    return Category.NOTE not in (before, after) and before is not after


def _han_spaced(text: str, start: int, end: int, lexicon: Lexicon) -> Iterator[tuple[int, int]]:
    """Split at spaces between two Chinese characters: in Chinese a space separates, but
    not from the allergy word after a list of allergens ("小麥、黃豆、花生 過敏")."""
    gaps = [(start + found.start(), start + found.end())
            for found in re.finditer(r"\s+", text[start:end])]
    gaps = [(gap_start, gap_end) for gap_start, gap_end in gaps
            if _HAN.match(text[gap_start - 1]) and gap_end < end and _HAN.match(text[gap_end])]
    kept = list(gaps)
    for index, (_, gap_end) in enumerate(gaps):
        if not _opens_with_allergy_word(text[gap_end:end], lexicon):
            continue
        # "小麥 黃豆 花生 過敏": the bare foods before it, a space apart, are its list
        kept.remove(gaps[index])

        def word(k: int) -> str:  # the words between gap k - 1 and gap k, folded
            return fold(text[gaps[k - 1][1] if k else start:gaps[k][0]])[0]

        for k in range(index - 1, -1, -1):
            if not (_bare_food(word(k), lexicon) and _bare_food(word(k + 1), lexicon)):
                break
            kept.remove(gaps[k])
    left = start
    for gap_start, gap_end in kept:
        yield left, gap_start
        left = gap_end
    yield left, end


def _bare_food(folded: str, lexicon: Lexicon) -> bool:
    """Whether `folded` only names foods, as a list of allergens does ("小麦", "虾、蟹")."""
    foods = [hit for hit in lexicon.cues.find_all(folded) if hit.value.category is Category.FOOD]
    joiners = lexicon.conjunctions.find_all(folded)
    return bool(foods) and _is_blank(_blank_out(folded, [*foods, *joiners]))


def _opens_with_allergy_word(text: str, lexicon: Lexicon) -> bool:
    folded = fold(text[:12])[0]
    return any(hit.start == 0 and hit.value.category is Category.ALLERGY
               and not lexicon.symptoms.find_all(folded[hit.start:hit.end])
               for hit in lexicon.cues.find_all(folded))


def _split_conjunctions(text: str, start: int, end: int,
                        lexicon: Lexicon) -> list[tuple[int, int]]:
    # Right to left, so "allergic to shrimp and crab and window seat" keeps the list whole.
    segment = text[start:end]
    folded, origin = _matching(segment, lexicon)
    pieces: list[tuple[int, int]] = []
    right_end = len(segment)
    conjunctions = lexicon.conjunctions.find_all(folded)
    thens = [found.span() for found in _THEN.finditer(folded)]
    cues = lexicon.cues.find_all(folded) if conjunctions else []
    joins = sorted([(hit.start, hit.end, False) for hit in conjunctions]
                   + [(left, right, True) for left, right in thens])
    for join_start, join_end, then in reversed(joins):
        if any(cue.start <= join_start and join_end <= cue.end for cue in cues):
            continue  # "gin & tonic" is one drink
        cut_start, cut_end = origin[join_start], origin[join_end - 1] + 1
        left, right = segment[:cut_start].strip(), segment[cut_end:right_end].strip()
        if left and right and (_each_says_something(left, right, lexicon) if then
                               else _separable(left, right, lexicon)):
            pieces.append(_trimmed(text, start + cut_end, start + right_end))
            right_end = cut_start
    pieces.append(_trimmed(text, start, start + right_end))
    return [piece for piece in pieces[::-1] if piece[0] < piece[1]]


def _says_of_relative(text: str, lexicon: Lexicon) -> bool:
    """Whether `text` says something of the relatives it names, not only who they are."""
    folded = _matching(text, lexicon)[0]
    said: list[Hit[Any]] = [*(hit for hit in lexicon.cues.find_all(folded) if hit.value.category
              is Category.FAMILY), *lexicon.fillers.find_all(folded)]
    return not _is_blank(_WHO.sub(" ", _cardinals(_blank_out(folded, said))))


# Words that only say which or how many relatives: "her two kids", "their 3 daughters".
_WHO: Final = re.compile(r"(?<![\w'])(?:[0-9]+|his|her|their|our|my|two|both|little|older|"
                         r"younger|grown|young)(?![\w'])")


def _each_says_something(left: str, right: str, lexicon: Lexicon) -> bool:
    """Whether "then" joins two things ("个子很高然后戴眼镜", "房间要高楼层然后不要每天打扫"),
    not a dish and how it is made ("牛排然后五分熟"): each a trait, not of one order."""
    first, second = (_read(_matching(side, lexicon)[0], lexicon).category
                     for side in (left, right))
    return Category.NOTE not in (first, second) and not (
        first is second and first in (Category.FOOD, Category.DRINK))


# "Then", as dictation joins one thing to the next.
_THEN: Final = re.compile(r"然后|跟住|之后呢")


def _separable(left: str, right: str, lexicon: Lexicon) -> bool:
    first = _read(_matching(left, lexicon)[0], lexicon)
    second = _read(_matching(right, lexicon)[0], lexicon)
    before, after = first.category, second.category
    if before == after:
        # Two of a kind stay one trait ("wife and two kids"), unless each is whole on its own
        # and says something else: "vegan & gluten free", "DF + no nuts", or each names a
        # thing of its own: "高楼层+无烟房", "grey beard and glasses". An allergy's list stays
        # whole, to be one allergy per allergen with the note's severity.
        if before is Category.FAMILY:
            # "wife is vegetarian and the kids are picky eaters", not "wife and two kids"
            return _says_of_relative(left, lexicon) and _says_of_relative(right, lexicon)
        if before in _LISTED:  # but not under one predicate: "文件和电脑都不要动"
            folded = _matching(right, lexicon)[0]
            negations: list[Hit[Any]] = [*lexicon.refusals.find_all(folded),
                                         *lexicon.dislikes.find_all(folded)]
            if negations and min(hit.start for hit in negations) == 0 \
                    and not _BOTH.search(folded):
                return True  # "高楼层+远离电梯": the second opens with its own
            return not (negations or _BOTH.search(folded))
        return before is not Category.ALLERGY and bool(first.attrs) and bool(second.attrs) \
            and first.attrs != second.attrs
    if Category.NOTE in (before, after):
        return False
    if after == Category.ALLERGY and before == Category.FOOD:
        return False  # "shrimp and crab allergy": the list before the cue
    # "no garlic and onion", "allergic to eggs and milk": the food (or milk) after an
    # allergy or a diet continues its list.
    return not (before in (Category.ALLERGY, Category.DIET) and (
        after == Category.FOOD or (after == Category.DRINK and concept_named(
            lexicon, _trim_fillers(_matching(right, lexicon)[0], lexicon), (Category.FOOD,),
            whole=True) is not None)))


# --- pieces in unbroken Chinese --------------------------------------------------------------


@dataclass(slots=True)
class _Run:
    kind: Category
    start: int
    end: int
    first_is_allergy_cue: bool
    negation_only: bool
    food_only: bool
    food_tail: int | None = None  # where the food that ends the run starts
    opens_with_negation: bool = False
    allergy_end: int | None = None  # after its last allergy word (过敏, allergic; no symptom)
    # a diet said whole (a kind, or a refusal with its food): the next diet word is another
    # diet ("唔食蛋唔食奶", "少甜少油", "no pork no shellfish")
    diet_whole: bool = False
    apart: bool = False
    cued: bool = False  # holds a word of its category, not only a qualifier or a negation
    opens_with_cue: bool = False  # its first word is a word of its category, not a qualifier


def _chunks(text: str, start: int, end: int, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Cut unbroken Chinese where a cue of another category starts a new subject:
    "角落位不要香菜中杯热奶茶" → 角落位 | 不要香菜 | 中杯热奶茶."""
    segment = text[start:end]
    latin = not _HAN.search(segment)
    folded, origin = _matching(segment, lexicon)
    symptoms = [(hit.start, hit.end) for hit in lexicon.symptoms.find_all(folded)]
    anchors = _anchors(folded, lexicon)
    if not any((category, role) == (Category.ALLERGY, "cue") for *_, category, role in anchors):
        # without an allergy, "一点" is a little of something, no severity
        anchors = [(start, end, category, role) for start, end, category, role in anchors
                   if (category, role) != (Category.ALLERGY, "qualifier")]
    runs = _runs(anchors, folded, symptoms)
    cuts: list[int] = []
    for before, after in pairwise(runs):
        if after.first_is_allergy_cue and before.end == after.start \
                and _HAN.match(folded[after.start]):
            continue  # "牛奶过敏": the word right before the cue is the allergen
        if lexicon.conjunctions.find_all(folded[before.end:after.start].strip()):
            continue  # "egg 同 milk allergy": a list, which the conjunctions kept whole
        if before.kind is Category.FAMILY and _birthday_at(folded, after.start, lexicon) \
                and folded[before.end:after.start].strip() in ("", "的", "嘅", "个", "'s"):
            continue  # "女儿生日5月20日": the daughter's birthday, never the guest's
        if before.kind is Category.SERVICE and _is_blank(folded[before.end:after.start]) \
                and _NOT_OFFERED.search(folded[max(before.start - 6, 0):after.start]):
            continue  # "唔好推介白酒俾佢": what not to offer goes with it
        if before.kind is Category.SERVICE and _billing(folded[before.start:before.end], lexicon):
            continue  # "发票抬头：上海星河科技有限公司": the title of the invoice, no job
        if {before.kind, after.kind} <= _PLACES | {Category.SERVICE} \
                and (_quiet(folded, before, lexicon) or _quiet(folded, after, lexicon)) \
                and _is_blank(_ADJECTIVE_ENDING.sub(" ", folded[before.end:after.start])):
            continue  # "安静的角落", "角落安靜的位子": a quiet seat, not a quiet service
        # An allergy takes its allergen, the words before it, along ("媽媽|對蝦過敏"); a
        # new subject takes the words that lead into it ("不吃葱|喜欢靠窗").
        cut = before.end if after.kind is Category.ALLERGY else _lead_in(folded, before.end,
                                                                         after.start, lexicon)
        at = origin[cut] if cut < len(origin) else len(segment)
        while at < len(segment) and segment[at].isspace():
            at += 1
        if 0 < at < len(segment) and (
                _latin_cut(before, after, cut, folded, lexicon) if latin
                else _chinese_at(segment, at) or (
                    # "no pork no beef 其他ok": English in a mixed note, one "no" after another
                    after.apart and _latin_cut(before, after, cut, folded, lexicon))):
            cuts.append(at)
    bounds = [0, *cuts, len(segment)]
    return [_trimmed(text, start + a, start + b) for a, b in pairwise(bounds)
            if segment[a:b].strip()]


def _billing(folded: str, lexicon: Lexicon) -> bool:
    return any(hit.value.value == "billing" for hit in lexicon.cues.find_all(folded))


def _quiet(folded: str, run: _Run, lexicon: Lexicon) -> bool:
    return run.kind is Category.SERVICE and _only_quiet(folded[run.start:run.end], lexicon)


def _only_quiet(folded: str, lexicon: Lexicon) -> bool:
    """Whether `folded` only says quiet ("安静点的", "quiet please"), as a place is; "no small
    talk", "privacy" are how to serve."""
    quiet = [hit for hit in lexicon.cues.find_all(folded) if hit.value.category is
             Category.SERVICE and folded[hit.start:hit.end].endswith(_QUIET_PLACE)]
    rest = _blank_out(folded, [*quiet, *lexicon.fillers.find_all(folded)])
    return bool(quiet) and _is_blank(_ADJECTIVE_ENDING.sub(" ", rest))


_QUIET_PLACE: Final = ("安静", "静", "quiet", "quieter")  # how a quiet word ends
_ADJECTIVE_ENDING: Final = re.compile(r"一点|点|啲|嘅|地|的|些")


def _birthday_at(folded: str, at: int, lexicon: Lexicon) -> bool:
    return any(hit.start == at and hit.value.category is Category.OCCASION
               and hit.value.value == "birthday" for hit in lexicon.cues.find_all(folded))


def _latin_cut(before: _Run, after: _Run, cut: int, folded: str, lexicon: Lexicon) -> bool:
    """Whether English said without punctuation changes subject between two runs of cue
    words ("peanut allergy very serious | window seat | no beef", "no pork | no shellfish").
    It does not where the second completes the first: a food ("tea w lemon", "key lime
    pie"), an allergy cue after the allergen or after what is not eaten ("milk allergy", "no
    nuts severe allergy"), words joined by a preposition ("big fan of our pie"), or runs
    side by side of which one is a single word ("Diet Pepsi", "no turndown service", and so
    also "booth drinks a latte", which stays one trait)."""
    between = folded[before.end:cut]  # the words neither run nor leading into the second
    if before.kind is after.kind is Category.LOOKS and before.cued and after.opens_with_cue:
        # "tall guy with glasses", "beard, always wears a cap": each feature its own
        words = folded[before.end:after.start].split()
        return bool(words) and all(word in _FEATURE_LINKS for word in words)
    if after.apart:  # "no pork no shellfish", "gf df"
        return bool(lexicon.refusals.find_all(folded)) or after.diet_whole
    if after.opens_with_negation and not before.opens_with_negation and before.cued \
            and (before.kind is after.kind or after.kind is Category.DIET) \
            and _HATED.match(folded, after.start):
        return True  # "likes the booth in the back hates the bar stools": one liked, one not
    if not (before.cued and after.cued) or before.kind is after.kind \
            or after.kind is Category.FOOD or folded[before.start:before.end] in _TITLES:
        return False
    if after.kind is Category.ALLERGY and (
            before.kind in (Category.DIET, Category.FOOD, Category.DRINK, Category.FAMILY)
            or (after.first_is_allergy_cue and not between.strip())):
        return False  # whose allergy it is, or what it is to, stays with it
    if before.kind is Category.FAMILY and re.fullmatch(r"\s*(?:'s)?\s*", between):
        return False  # "wife's bday 4/19": what is said of a relative
    if before.kind is Category.ALLERGY and before.allergy_end == before.end \
            and after.opens_with_cue and cut == after.start:
        return False  # "allergic to down feathers": its allergen may be any word after it
    if _LINKING.search(between.rstrip()):
        return False
    # a verb that leads into the second opens a clause of its own: "allergic to shellfish
    # prefers booth"
    side_by_side = not between.strip() and after.opens_with_cue \
        and not _WANTING.search(folded[cut:after.start])
    return not side_by_side or (" " in folded[before.start:before.end].strip()
                                and " " in folded[after.start:after.end].strip())


# Words between two features of a face: "tall guy with glasses", "beard and always a cap".
_FEATURE_LINKS: Final = frozenset({"with", "w", "and", "a", "an", "wears", "wearing", "has",
                                   "always", "usually", "plus", "n", "often"})
# Years of a marriage, with whom: "结婚20周年", "同老公結婚十週年".
_WEDDING_YEARS: Final = re.compile(
    r"(?:(?:同|和|跟|与)\s*(?:老公|老婆|太太|先生|丈夫|妻子)\s*)?结婚\s*[\d一二两三四五六七八九十]+\s*周年")
_ARTICLE: Final = re.compile(r"\s*(?:(?:the|a|an|any|his|her|their|those|these|that)\s+)?")
# A verb that says the thing after it is disliked, opening a clause of its own.
_HATED: Final = re.compile(r"(?:hates?|dislikes?|can'?t stand|doesn'?t like|doesnt like|"
                           r"does not like|don'?t like|not a fan of)\b")
_WANTING: Final = re.compile(r"\b(?:prefers?|likes?|loves?|wants?|needs?|asks? for|hates?)\b")
# A word that joins what follows to what came before rather than start a new subject.
_LINKING: Final = re.compile(r"(?<![\w'])(?:with|w/?|of|for|from|in|on|at|to|by|near|and|or|"
                             r"&|\+|n)$")


def _lead_in(folded: str, floor: int, cut: int, lexicon: Lexicon) -> int:
    """Where the words leading into a cue ("喜欢", "要", "也") start, back from `cut`."""
    moved = True
    while moved:
        moved = False
        spaced = len(folded[floor:cut].rstrip()) + floor  # "very tall": English has spaces
        for hit in lexicon.fillers.find_all(folded[floor:spaced]):
            if floor + hit.end == spaced:
                cut, moved = floor + hit.start, True
    return cut


def _chinese_at(segment: str, at: int) -> bool:
    """Whether a cut at `at` has Chinese on one side: a cut inside unbroken Chinese or
    where the script changes ("靠窗allergic to 花生"), never between two English words."""
    before = segment[:at].rstrip()
    return bool(before) and bool(_HAN.match(before[-1]) or _HAN.match(segment[at]))


def _anchors(folded: str, lexicon: Lexicon) -> list[tuple[int, int, Category, str]]:
    """Every cue and qualifier word, leftmost-longest, as (start, end, category, role)."""
    found: list[tuple[int, int, Category, str]] = []
    # a diet kind ("少糖", "vegan") is a diet said whole; other cue words are "cue"
    found += [(h.start, h.end, h.value.category,
               "kind" if h.value.category is Category.DIET and h.value.attr else "cue")
              for h in lexicon.cues.find_all(folded)]
    found += [(h.start, h.end, Category.DIET, "negation")
              for terms in (lexicon.refusals, lexicon.dislikes) for h in terms.find_all(folded)]
    found += [(h.start, h.end, Category.DRINK, "qualifier")
              for terms in (lexicon.sizes, lexicon.temperatures) for h in terms.find_all(folded)]
    found += [(h.start, h.end, Category.ALLERGY, "qualifier")
              for h in lexicon.severities.find_all(folded)]
    found += [(found_at.start(), found_at.end(), Category.OCCASION, "cue")
              for found_at in _WEDDING_YEARS.finditer(folded)]
    found.sort(key=lambda anchor: (anchor[0], anchor[0] - anchor[1]))
    kept: list[tuple[int, int, Category, str]] = []
    for anchor in found:
        if not kept or anchor[0] >= kept[-1][1]:
            kept.append(anchor)
    return kept


def _runs(anchors: list[tuple[int, int, Category, str]], folded: str,
          symptoms: Sequence[tuple[int, int]] = ()) -> list[_Run]:
    runs: list[_Run] = []
    for index, (start, end, category, role) in enumerate(anchors):
        if runs and category is Category.LOOKS is runs[-1].kind \
                and any(char.isspace() for char in folded[runs[-1].end:start]):
            # "tall 戴眼镜": each feature of a face is its own
            runs.append(_Run(category, start, end, False, False, False, cued=role == "cue",
                             opens_with_cue=role == "cue"))
            continue
        negation = role == "negation"
        food = category is Category.FOOD and role == "cue"
        allergy_cue = category is Category.ALLERGY and role == "cue"
        symptom = allergy_cue and bool(symptoms) and any(
            s_start <= start and end <= s_end for s_start, s_end in symptoms)
        first_end = runs[-1].allergy_end if runs else None
        if allergy_cue and not symptom and first_end is not None and start > first_end:
            # "她对虾过敏然后还有对桃子也过敏": a second allergy, with the words since the first
            runs[-1].end, runs[-1].food_tail = first_end, None
            runs.append(_Run(category, first_end, end, False, False, False, allergy_end=end,
                             cued=True, opens_with_cue=True))
            continue
        if runs and runs[-1].kind is Category.DIET and runs[-1].diet_whole and (
                (negation and _food_follows(anchors, index, folded))
                or (category is Category.DIET and role == "kind")):
            runs.append(_Run(Category.DIET, start, end, False, negation, False,
                             opens_with_negation=negation, diet_whole=not negation,
                             apart=True, cued=not negation, opens_with_cue=not negation))
            continue
        if negation and runs and runs[-1].kind in (Category.FOOD, Category.DRINK) \
                and not runs[-1].opens_with_negation and _HATED.match(folded, start) \
                and index + 1 < len(anchors) and anchors[index + 1][2:] == (Category.FOOD, "cue") \
                and _ARTICLE.fullmatch(folded[end:anchors[index + 1][0]]):
            # "loves the steak hates the fries": what is liked, then what is not
            runs.append(_Run(Category.DIET, start, end, False, True, False,
                             opens_with_negation=True))
            continue
        if category is Category.DIET and role == "kind" and runs \
                and runs[-1].kind is Category.FOOD and runs[-1].food_only \
                and _LEADS_INTO_LIKED.search(folded[:runs[-1].start]):
            # "喜欢吃酸菜鱼不要太辣": the dish liked, and how spicy the guest takes food
            runs.append(_Run(category, start, end, False, False, False, diet_whole=True,
                             cued=True, opens_with_cue=True))
            continue
        if food and runs and runs[-1].kind is Category.DIET and runs[-1].diet_whole \
                and _LEADS_INTO_LIKED.search(folded[runs[-1].end:start]):
            # "不吃羊肉喜欢吃鱼", "不吃葱多放醋": after what is not eaten, what is liked
            runs.append(_Run(Category.FOOD, start, end, False, False, True, food_tail=start,
                             cued=True, opens_with_cue=True))
            continue
        if runs and category is Category.WORK and runs[-1].kind is Category.SERVICE \
                and _ADDRESSED_AS.match(folded, runs[-1].start, end):
            runs[-1].end = end  # "叫他陈医生": the title is what to call the guest
            continue
        if runs and _continues(runs[-1], category, negation=negation, food=food):
            run = runs[-1]
            run.diet_whole = run.diet_whole or (
                run.kind is Category.DIET and (food or role == "kind"))
            if (run.food_only and not food) or (run.negation_only and not negation and not food):
                run.kind = category if not negation else Category.DIET
            elif run.negation_only and food:
                run.kind = Category.DIET  # "不要香菜"
            run.food_tail = start if food else None
            run.end, run.negation_only = end, run.negation_only and negation
            run.food_only = run.food_only and food
            run.cued = run.cued or role in ("cue", "kind")
            if allergy_cue and not symptom:
                run.allergy_end = end
            continue
        run = _Run(category, start, end, allergy_cue, negation, food,
                   opens_with_negation=negation,
                   allergy_end=end if allergy_cue and not symptom else None,
                   diet_whole=role == "kind", cued=role in ("cue", "kind"),
                   opens_with_cue=role in ("cue", "kind"))
        before = runs[-1] if runs else None
        severity_first = category is Category.ALLERGY and role == "qualifier" \
            and index + 1 < len(anchors) and anchors[index + 1][2] is Category.ALLERGY \
            and anchors[index + 1][3] == "cue"
        if (allergy_cue or severity_first) and before and before.food_tail is not None \
                and before.end == start and not before.food_only:
            # "不要香菜芒果过敏", "对芒果有点过敏": the food right before is the allergen.
            tail = before.food_tail
            if tail > before.start and folded[tail - 1] == "对":
                tail -= 1  # and the 对 that marks it so
            run.start, run.first_is_allergy_cue = tail, False
            before.end, before.food_tail = tail, None
        runs.append(run)
    # A negation with nothing after it ("电脑不要碰") belongs to what came before, and so
    # does more of the same ("房间别放鲜花").
    merged: list[_Run] = []
    for run in runs:
        same = bool(merged) and run.kind is merged[-1].kind \
            and run.kind not in (Category.ALLERGY, Category.LOOKS)
        # "喜欢包间不要大厅": a seat avoided after one wanted is a seat of its own
        avoided = same and run.opens_with_negation and (run.kind is Category.DIET or (
            run.kind is Category.SEATING and not merged[-1].opens_with_negation))
        if merged and not run.apart and (run.negation_only or (same and not avoided)):
            merged[-1].end = run.end
            merged[-1].cued = merged[-1].cued or run.cued
        else:
            merged.append(run)
    return merged


def _food_follows(anchors: list[tuple[int, int, Category, str]], index: int,
                  folded: str) -> bool:
    """Whether the negation at `index` is followed by its food ("唔食奶", "no honey"), not
    said after the food it refuses ("鸡蛋也不吃")."""
    if index + 1 >= len(anchors):
        return False
    start, _, category, role = anchors[index + 1]
    return category is Category.FOOD and role == "cue" \
        and len(folded[anchors[index][1]:start].strip()) <= 2


def _continues(run: _Run, category: Category, *, negation: bool, food: bool) -> bool:
    if run.negation_only or (category is run.kind and not negation):
        return True  # "不要香菜", "不坐大厅": a negation goes with what follows
    if run.kind is Category.FAMILY and (negation or food or category in _SAID_OF_A_PERSON):
        return True  # "老婆是国小老师", "妈妈不吃辣": what is said of a relative
    if food:  # "不要香菜", "生日蛋糕", "厨师做菜"
        return run.kind in (Category.DIET, Category.ALLERGY, Category.OCCASION, Category.FOOD,
                            Category.WORK)
    if run.food_only:  # "花生过敏", "海鲜忌口", "开火锅店的老板"
        return category in (Category.ALLERGY, Category.DIET, Category.WORK)
    return False


# --- pieces that qualify a trait -----------------------------------------------------------


def _grouped(pieces: list[_Piece], text: str, lexicon: Lexicon,
             day_first: bool) -> list[_Group]:
    groups: list[_Group] = []
    for piece in pieces:
        reading = _read(piece.folded, lexicon, day_first=day_first)
        if reading.category is Category.ALLERGY and groups and groups[-1].details \
                and _only_additions(groups[-1].details[-1].folded, lexicon):
            # "latte, almond - severe allergy": the almond is the allergen, not the latte's
            food = groups[-1].details.pop()
            groups.append(_group(food, _read(food.folded, lexicon, day_first=day_first),
                                 lexicon))
        if _relative_allergic(groups, piece, reading, text):
            relative = groups[-1].head.start
            groups[-1] = _group(piece, reading, lexicon)  # the allergen read from its own words
            groups[-1].lead = relative
            continue
        if reading.category is Category.ALLERGY and _listed_before(groups, piece, lexicon, text):
            # "peanut, sesame allergy": the bare foods just before are the allergy's list
            while _listed_before(groups, piece, lexicon, text):
                piece = _joined(groups.pop().head, piece, text, gap="、")
            reading = _read(piece.folded, lexicon, day_first=day_first)
            groups.append(_group(piece, reading, lexicon))
            continue
        if _takes_allergy_cue(groups, reading, lexicon) or _names_allergen(groups, reading) \
                or _lists_more_allergens(groups, piece, lexicon):
            head = _joined(groups.pop().head, piece, text)
            while _listed_before(groups, head, lexicon, text):  # "egg and milk - allergic"
                head = _joined(groups.pop().head, head, text, gap="、")
            groups.append(_group(head, _read(head.folded, lexicon, day_first=day_first), lexicon))
            continue
        if _liked_most(groups, piece, reading):
            groups[-1].details.append(piece)
            continue
        if _names_its_kind(groups, reading):
            # "hot tea, earl grey": the tea is that one, served hot
            said = groups.pop()
            head = _joined(said.head, piece, text)
            attrs = {**_read(head.folded, lexicon, day_first=day_first).attrs,
                     "item": reading.attrs["item"]}
            groups.append(_Group(head, _Reading(Category.DRINK, attrs)))
            continue
        if _cup_said_first(groups, reading, lexicon):
            # "細杯 凍咖啡 走冰": the size said before the drink is its size
            head = _joined(groups.pop().head, piece, text)
            groups.append(_group(head, _read(head.folded, lexicon, day_first=day_first),
                                 lexicon))
            continue
        if _reacts_to_refused(groups, piece, reading, lexicon):
            # "牛油果不能吃 说吃了嘴巴痒": a food the guest cannot eat for what it does to them
            refused = groups.pop()
            head = _joined(refused.head, piece, text)
            severity = lexicon.severities.first(head.folded) or Severity.UNKNOWN
            groups.append(_Group(head, _Reading(Category.ALLERGY, {
                "severity": str(severity), "item": str(refused.reading.attrs["item"])}),
                about_allergy=True))
        elif groups and (_qualifies(groups[-1], piece, reading, lexicon, day_first)
                         or _says_how_it_disagrees(groups, piece, reading, lexicon)):
            groups[-1].details.append(piece)
        elif drink := _drink_sized_apart(groups, piece, reading, lexicon):
            drink.details.append(piece)
        else:
            groups.append(_group(piece, reading, lexicon))
    return groups


def _cup_said_first(groups: list[_Group], reading: _Reading, lexicon: Lexicon) -> bool:
    """Whether the group just before only said a size or a temperature, and this piece
    names the drink it is of."""
    if not groups or reading.category is not Category.DRINK or "item" not in reading.attrs:
        return False
    cup = groups[-1]
    if cup.details or cup.reading.category not in (Category.DRINK, Category.NOTE) \
            or "item" in cup.reading.attrs:
        return False
    return _only_cup(cup.head.folded, lexicon)


def _only_cup(folded: str, lexicon: Lexicon) -> bool:
    """Whether `folded` says only how a drink is served: a size, a temperature ("细杯", "冰的")."""
    qualifiers: list[Hit[Any]] = [*lexicon.sizes.find_all(folded),
                                  *lexicon.temperatures.find_all(folded)]
    return bool(qualifiers) and _is_blank(_blank_out(folded, [
        *qualifiers, *lexicon.fillers.find_all(folded)]))


def _liked_most(groups: list[_Group], piece: _Piece, reading: _Reading) -> bool:
    """Whether `piece` names the one liked most of what was just liked ("喜欢吃甜品 尤其是杨枝
    甘露"): it goes with it, for on its own a card line "尤其是杨枝甘露" would say nothing."""
    if not groups or groups[-1].about_allergy or "polarity" in reading.attrs:
        return False
    liked = groups[-1].reading
    return liked.category in (Category.FOOD, Category.DRINK) and "polarity" not in liked.attrs \
        and reading.category in (Category.NOTE, liked.category) \
        and _ESPECIALLY.match(piece.folded) is not None


def _names_its_kind(groups: list[_Group], reading: _Reading) -> bool:
    """Whether `reading`, a drink named on its own, says which one the tea or coffee just
    named is ("hot tea, earl grey", "热茶 铁观音"), not a second drink ("hot tea, iced latte")."""
    if not groups or groups[-1].details or reading.category is not Category.DRINK \
            or set(reading.attrs) != {"item"}:
        return False
    before = groups[-1].reading
    return before.category is Category.DRINK and "polarity" not in before.attrs \
        and before.attrs.get("item") in _ANY_KIND and reading.attrs["item"] not in _ANY_KIND


# Drinks named before which one they are ("tea, earl grey").
_ANY_KIND: Final = frozenset({"tea", "coffee", "茶", "咖啡", "wine", "酒"})


def _reacts_to_refused(groups: list[_Group], piece: _Piece, reading: _Reading,
                       lexicon: Lexicon) -> bool:
    """Whether `piece` says only what a food refused just before does to the guest (a rash,
    an itch, swelling): an allergy to it, which the kitchen must hear of."""
    if not groups or groups[-1].details or reading.category is not Category.NOTE:
        return False
    before = groups[-1].reading
    symptoms = [piece.folded[hit.start:hit.end] for hit in lexicon.symptoms.find_all(piece.folded)]
    return (before.category is Category.DIET and before.attrs.get("kind") in tuple(Refusal)
            and "item" in before.attrs and bool(symptoms)
            # an upset stomach is the food not agreeing with the guest (奶类 饮咗会肚痛)
            and not any(_DIGESTIVE.search(symptom) for symptom in symptoms))


def _says_how_it_disagrees(groups: list[_Group], piece: _Piece, reading: _Reading,
                           lexicon: Lexicon) -> bool:
    """Whether `piece` only says what a food not eaten does to the guest, or how badly
    ("wheat intolerance - bloats, not serious"): the diet's, not notes of their own."""
    if reading.category is not Category.NOTE or groups[-1].reading.category is not Category.DIET:
        return False
    said: list[Hit[Any]] = [*lexicon.symptoms.find_all(piece.folded),
                            *lexicon.severities.find_all(piece.folded)]
    return bool(said) and _is_blank(_blank_out(piece.folded, [
        *said, *lexicon.fillers.find_all(piece.folded)]))


# Staff speaking of their own manager: "will check with manager", "问下经理", "ask the boss".
_STAFF_ASIDE: Final = re.compile(
    r"(?:check|ask|tell|told|asked|checking)\s+(?:(?:with|w/?)\s+)?(?:the\s+|my\s+|our\s+)?"
    r"(?:manager|boss|supervisor|gm|duty manager)\b"
    r"|(?:问下?|问一下|请示|跟|同|问吓)(?:我们|我哋)?(?:经理|主管|老板)")
# Not to be offered something: "别推荐酒水", "唔好推介白酒俾佢", "don't push drinks on him".
_NOT_OFFERED: Final = re.compile(
    r"(?:别|不要|唔好|不用|唔使|\bdon'?t|\bdo not|\bnever)\s*(?:再|一直)?\s*"
    r"(?:推荐|推介|推销|recommend|push|upsell|offer)")
_ANY_DRINK: Final = frozenset({"水", "酒水", "酒", "饮料", "饮品", "drinks", "drink", "wine"})
# Staff speaking of the chat or the shift, not of the guest: "sry wrong chat", "pls ignore
# last msg", "new menu starts monday", "发错了", "就正常服务 不用管".
_STAFF_TALK: Final = re.compile(
    r"\bwrong (?:chat|group|guest|person)\b|\bignore (?:my |the |that |this )?"
    r"(?:last|previous|above|prev)\b|\bnew menu\b|\bmenu (?:starts|changes)\b"
    r"|\b(?:thx|thanks|thank you|ok|okay|noted|got it),? boss\b|\bno idea\b"
    r"|\bneeds? (?:clearing|cleaning|to be cleared|resetting)\b"
    r"|发错|打错字|忽略上一条|不用理|正常服务|正常招呼|不用管|唔使理|唔使理佢")
# A temperature a room is kept at, and what keeps it: no drink is served at 22 degrees.
_KEPT_AT_DEGREES: Final = re.compile(
    r"(?<![0-9])(?:1[5-9]|2[0-9])\s*(?:度|°|℃|degrees?|deg|c)(?![a-z])")
_COOLED: Final = re.compile(r"空调|冷气|暖气|温度|房|aircon|air con|a/?c\b|thermostat|heating|"
                            r"\btemp|\broom")
_ESPECIALLY: Final = re.compile(r"(?:尤其是?|特别是|especially|esp\b|particularly|above all)\s*\S")
_DIGESTIVE: Final = re.compile(r"肚|拉|呕|吐|胃|胀|屙|stomach|vomit|threw up|diarrh|bloat|tummy|"
                               r"runs|gassy")


def _drink_sized_apart(groups: list[_Group], piece: _Piece, reading: _Reading,
                    lexicon: Lexicon) -> _Group | None:
    """"凍咖啡 走甜 大杯", "coffee 唔要sugar 细杯 hot": a size or temperature said on its own
    after something else is the note's drink's, the last one named before it."""
    if reading.category not in (Category.NOTE, Category.DRINK, Category.FOOD) \
            or not _only_cup(piece.folded, lexicon):
        return None  # "冰的" is a cold thing liked, or how the drink before it is served
    return next((group for group in reversed(groups) if not group.about_allergy
                 and group.reading.category is Category.DRINK), None)


def _superseded(groups: list[_Group], lexicon: Lexicon) -> list[_Group]:
    """"以前不喝酒 现在喝红酒", "was vegan, now pescatarian": what the guest used to do is
    kept as a note, the trait is what is true now. An allergy is never set aside so: only
    the words that deny it do that."""
    now = [any(lexicon.now.find_all(piece.folded) for piece in (group.head, *group.details))
           for group in groups]
    return [
        _Group(group.head, _Reading(Category.NOTE, {}), group.details)
        if not group.about_allergy and any(now[index + 1:])
        and lexicon.used_to.find_all(group.head.folded) else group
        for index, group in enumerate(groups)
    ]


def _group(head: _Piece, reading: _Reading, lexicon: Lexicon) -> _Group:
    # An allergy cue read as something else is a denied one ("不是过敏"): a note or a dislike.
    allergy = reading.category is Category.ALLERGY or (
        reading.category in (Category.NOTE, Category.FOOD) and any(
            hit.value.category is Category.ALLERGY for hit in lexicon.cues.find_all(head.folded)))
    return _Group(head, reading, about_allergy=allergy)


def _relative_allergic(groups: list[_Group], piece: _Piece, reading: _Reading,
                       text: str) -> bool:
    """"老婆对海鲜过敏", "小孩對花生過敏": a relative named right before an allergy, with
    nothing but a space between, is whose allergy it is: one allergy trait that says so (the
    kitchen reads "老婆对海鲜过敏"), never a stray "老婆对" beside the guest's own allergy."""
    if not groups or groups[-1].details or reading.category is not Category.ALLERGY:
        return False
    before = groups[-1]
    gap = text[before.head.end:piece.start]
    # "他太太 allergic to nuts", but "two kids she is allergic": a subject of its own
    return before.reading.category is Category.FAMILY and not gap.strip() \
        and not (gap and _SUBJECT.match(piece.folded))


_SUBJECT: Final = re.compile(r"(?:she|he|they|guest)\b|[他她佢]|客人")


def _names_allergen(groups: list[_Group], reading: _Reading) -> bool:
    """"有点过敏 菌菇类": the piece after a bare allergy names the allergen."""
    if not groups or groups[-1].details or not _may_name_allergen(reading):
        return False
    before = groups[-1].reading
    return before.category is Category.ALLERGY and "item" not in before.attrs


def _listed_before(groups: list[_Group], piece: _Piece, lexicon: Lexicon, text: str) -> bool:
    """Whether the group before `piece` only names foods, and `piece` opens with its own
    allergen said before the allergy word: a list the separator cut ("peanut, sesame
    allergy"), never "allergic to X". In Chinese a comma makes one only after a food the
    vocabulary knows as a thing of its own ("虾，蟹过敏"), not after a dish ("红烧肉，芒果过敏"
    is a dish and an allergy); a list's own separators (、 or a space) always do."""
    if not groups or groups[-1].details or groups[-1].reading.category is not Category.FOOD \
            or not _bare_food(groups[-1].head.folded, lexicon):
        return False
    between = text[groups[-1].head.end:piece.start]
    known = concept_named(lexicon, groups[-1].head.folded.strip(), (Category.FOOD,),
                          whole=True)
    if _HAN.search(piece.text) and between.strip(" 、") and known is None:
        return False
    first = min([hit.start for hit in lexicon.cues.find_all(piece.folded)
                 if hit.value.category is Category.FOOD]
                + [hit.start for hit in lexicon.concepts.find_all(piece.folded)  # milk, a drink
                   if hit.value.category is Category.FOOD], default=None)
    return first is not None and _is_blank(_blank_out(
        piece.folded[:first], lexicon.fillers.find_all(piece.folded[:first])))


def _lists_more_allergens(groups: list[_Group], piece: _Piece, lexicon: Lexicon) -> bool:
    """"peanuts allergy!! + tree nuts + sesame": foods joined on to an allergy are its list."""
    if not groups or groups[-1].details or groups[-1].reading.category is not Category.ALLERGY:
        return False
    joined = _MORE_ALLERGENS.match(piece.folded)
    return joined is not None and joined.end() > 0 \
        and _bare_food(piece.folded[joined.end():], lexicon)


def _may_name_allergen(reading: _Reading) -> bool:
    # A food, words the vocabulary does not know, or a food refused ("海鲜芒果都不碰").
    return reading.category in (Category.NOTE, Category.FOOD) or (
        reading.category is Category.DIET and reading.attrs.get("kind") in tuple(Refusal))


def _takes_allergy_cue(groups: list[_Group], reading: _Reading, lexicon: Lexicon) -> bool:
    """"sesame - allergic": the bare cue names the piece before it as the allergen; so does
    a drink that is a food too ("牛奶 过敏", "egg 同 milk 都敏感"), never an allergy without
    its allergen."""
    if not groups or groups[-1].details or reading.category is not Category.ALLERGY:
        return False
    before = groups[-1].reading
    food_too = before.category is Category.DRINK and concept_named(
        lexicon, str(before.attrs.get("item", "")), (Category.FOOD,), whole=True) is not None
    return "item" not in reading.attrs and (_may_name_allergen(before) or food_too)


def _joined(first: _Piece, second: _Piece, text: str, *, gap: str = " ") -> _Piece:
    at = [first.origin[-1]] if first.origin else [0]
    return _Piece(first.start, second.end, text[first.start:second.end],
                  f"{first.folded}{gap}{second.folded}",
                  [*first.origin, *at, *(i + second.start - first.start for i in second.origin)])


def _qualifies(group: _Group, piece: _Piece, reading: _Reading, lexicon: Lexicon,
               day_first: bool) -> bool:
    """Whether `piece` only says more about the trait `group` makes."""
    if group.about_allergy:
        if reading.category is not Category.ALLERGY and any(
                hit.value.category is Category.ALLERGY for hit in lexicon.cues.find_all(
                    piece.folded)):
            return False  # "not allergic to shellfish": a statement of its own, denied
        return _tells_of_allergy(group, piece, reading, lexicon)
    if reading.category is Category.FOOD and reading.attrs == {"polarity": "dislike"}:
        return True  # "no upselling she hates it": the dislike is of what was just said
    if group.reading.category is Category.DRINK and (_only_additions(piece.folded, lexicon)
                                                     or _how_sweet(piece.folded, lexicon)):
        return True  # "english breakfast tea, milk", "iced latte, large, oat milk"
    if group.reading.category in _PLACES and _only_quiet(piece.folded, lexicon) \
            and not _OPENS_LIKED.search(piece.folded):
        return True  # "房间要高层，安静点的": a quiet room ("喜欢安静" is how to serve)
    if "item" in reading.attrs:
        return False
    folded = piece.folded
    match group.reading.category:
        case Category.DRINK:
            return reading.category in (Category.NOTE, Category.DRINK) and bool(
                lexicon.sizes.find_all(folded) or lexicon.temperatures.find_all(folded))
        case Category.DIET if "kind" in group.reading.attrs:
            # "coeliac, strictly GF", "veggie, eats eggs": more of the same diet
            same = reading.attrs.get("kind") == group.reading.attrs["kind"]
            refused = reading.category is Category.DIET and reading.attrs.get("kind") in tuple(
                Refusal)  # "不吃辣 一点都不行"
            return same or refused or (reading.category in (Category.FOOD, Category.DIET)
                                       and not reading.attrs  # "清真 饮食"
                                       and not _OPENS_LIKED.search(folded))  # not "爱吃鱼"
        case Category.WORK:
            return reading.category is Category.WORK  # "在阿里上班 程序员": one job
        case Category.ROOM if reading.category in (Category.ROOM, Category.NOTE):
            # "房间 空调调到22度", "room 要 cold 啲, 22 degree": what the room is kept at
            return bool(_KEPT_AT_DEGREES.search(folded)) or (
                not group.details and _only_room(group.head.folded))
        case Category.SEATING if reading.category is Category.SEATING:
            # "booth. always a booth": the same seat said again
            return _seats(folded, lexicon) == _seats(group.head.folded, lexicon)
        case Category.SERVICE if "style" in group.reading.attrs:
            # "speaks Spanish, limited English", "wheelchair, step-free access": one need
            return reading.category is Category.SERVICE \
                and reading.attrs.get("style") == group.reading.attrs["style"]
        case Category.OCCASION:
            if reading.category is Category.OCCASION and "month" not in reading.attrs \
                    and reading.attrs.get("kind") in (None, group.reading.attrs.get("kind")):
                return True  # "🎂 8/9 - she turns 40": more of the same day
            if reading.category is Category.OCCASION and "month" not in group.reading.attrs \
                    and reading.attrs.get("kind") == group.reading.attrs.get("kind"):
                return True  # "bday dinner, DOB 5/30/1982": the day of the one just said
            found = _find_date(folded, lexicon, day_first)
            return reading.category is Category.NOTE and found is not None and _exists(found)
        case _:
            return False


def _only_room(folded: str) -> bool:
    """Whether `folded` only says "the room", which what follows says more of."""
    return _BARE_ROOM.fullmatch(folded.strip(" ,.:：，。")) is not None


_BARE_ROOM: Final = re.compile(r"房间|房|客房|the room|room|rm")


def _only_additions(folded: str, lexicon: Lexicon) -> bool:
    """Whether `folded` only says what goes into a drink: "milk", "splash of oat milk",
    "honey on the side", "2 sugars"; not "no sugar", a diet of its own."""
    additions = lexicon.additions.find_all(folded)
    if not additions or lexicon.refusals.find_all(folded):
        return False
    rest = _blank_out(folded, [*additions, *lexicon.fillers.find_all(folded),
                               *lexicon.conjunctions.find_all(folded)])
    return _is_blank(_AMOUNTS.sub(" ", rest))


def _how_sweet(folded: str, lexicon: Lexicon) -> bool:
    """Whether `folded` says how sweet, with at most what goes in and the cup: "milk no
    sugar", "no sugar medium size", "less sweet": of the drink before it, and its sweetness
    a diet of its own (see `_drafts`)."""
    sweet = [hit for hit in lexicon.cues.find_all(folded)
             if hit.value.category is Category.DIET and hit.value.value in _SWEETNESS]
    rest = _blank_out(folded, [*sweet, *lexicon.additions.find_all(folded),
                               *lexicon.sizes.find_all(folded),
                               *lexicon.temperatures.find_all(folded),
                               *lexicon.fillers.find_all(folded),
                               *lexicon.conjunctions.find_all(folded)])
    return bool(sweet) and _is_blank(_AMOUNTS.sub(" ", rest))


# How much of an addition: "a splash of", "2 sugars", "on the side", "少少".
_AMOUNTS: Final = re.compile(r"(?<![\w'])(?:splash|dash|drop|bit|side|extra|little|some|x?\d+x?|"
                             r"one|two|three|a|of|on|the|w)(?![\w'])|一点|少少|少许|多|加")


def _seats(folded: str, lexicon: Lexicon) -> set[str]:
    return {folded[hit.start:hit.end] for hit in lexicon.cues.find_all(folded)
            if hit.value.category is Category.SEATING}


def _tells_of_allergy(group: _Group, piece: _Piece, reading: _Reading,
                      lexicon: Lexicon) -> bool:
    """After an allergy, what is not about seats, rooms, people or service tells more of it:
    "has an EpiPen", "会休克", "上次成塊面腫晒", "喝了拉肚子", "no marzipan", "酱油也不行",
    "LATEX allergy - no gloves near him", "對蜜糖敏感 唔好落蜜", "nope"."""
    match reading.category:
        case Category.NOTE | Category.FOOD:
            # "so she's allergic to cats … she loves the creme brulee": what is liked is not
            return _OPENS_A_LIKING.search(piece.folded) is None
        case Category.ALLERGY:
            return "item" not in reading.attrs or _only_symptoms(piece.folded, lexicon)
        case Category.DRINK:
            return "item" not in reading.attrs
        case Category.DIET:
            # "蒜蓉都不行", "酱油也不行", "但不要上" say more of it; "不吃辣", "no onion" name a
            # diet of their own
            if reading.attrs.get("kind") not in tuple(Refusal):
                return False
            item = str(reading.attrs.get("item", ""))
            return not item or _ALSO.search(piece.folded) is not None \
                or not any(hit.value.category is Category.FOOD
                           for hit in lexicon.cues.find_all(item)) \
                or _shares_a_word(item, str(group.reading.attrs.get("item", "")))
        case _:
            return False


def _shares_a_word(item: str, allergen: str) -> bool:
    """Whether a refused item is the allergen said again: "蜜" of "蜜糖", "nuts" of "tree nuts"."""
    if not item or not allergen:
        return False
    if _HAN.search(item):
        return any(char in allergen for char in item if _HAN.match(char))
    return bool(set(item.split()) & set(allergen.split()))


# "X也不行", "X都不能碰", "no X either", "但不要上": a refusal that goes on from what came before
_ALSO: Final = re.compile(r"[也都但]|\b(?:either|even|too|also|but)\b")


def _only_symptoms(folded: str, lexicon: Lexicon) -> bool:
    """Whether every allergy word of `folded` says what the allergy does ("面肿", "rash")."""
    cues = [hit for hit in lexicon.cues.find_all(folded) if hit.value.category is Category.ALLERGY]
    said = lexicon.symptoms.find_all(folded)
    return bool(cues) and all(any(s.start <= c.start and c.end <= s.end for s in said)
                              for c in cues)


def _severity_statements_applied(pairs: list[tuple[_Group, TraitDraft]],
                                 lexicon: Lexicon) -> list[TraitDraft]:
    """A clause whose only allergy word says how severe ("随身带肾上腺素笔", "carries an
    EpiPen") is no allergen of its own when the note names allergens: it makes each of them
    of that severity, unless the note says otherwise of one, and is kept as a note."""
    statements = [draft for group, draft in pairs if _states_severity(group, lexicon)]
    allergies = [draft for group, draft in pairs if draft.category is Category.ALLERGY
                 and not _states_severity(group, lexicon)]
    if not statements or not allergies:
        return [draft for _, draft in pairs]
    severity = statements[0].attrs.get("severity", Severity.UNKNOWN)
    return [draft.model_copy(update={"category": Category.NOTE, "attrs": {}})
            if _states_severity(group, lexicon) else
            draft.model_copy(update={"attrs": {**draft.attrs, "severity": severity}})
            if draft.category is Category.ALLERGY
            and draft.attrs.get("severity") == Severity.UNKNOWN else draft
            for group, draft in pairs]


def _states_severity(group: _Group, lexicon: Lexicon) -> bool:
    """An allergy read from words that all say severity (EpiPen, anaphylaxis, 休克)."""
    if group.reading.category is not Category.ALLERGY:
        return False
    folded = group.head.folded
    cues = [hit for hit in lexicon.cues.find_all(folded) if hit.value.category is Category.ALLERGY]
    severities = lexicon.severities.find_all(folded)
    return bool(cues) and all(any(s.start <= c.start and c.end <= s.end for s in severities)
                              for c in cues)


def _with_note_severity(drafts: list[TraitDraft], groups: list[_Group],
                        lexicon: Lexicon) -> list[TraitDraft]:
    """A severity said apart from the allergy, in words of their own right before or after
    it ("很严重！对虾过敏"), applies to it; not words that say something else ("works at the
    hospital"), nor a degree said of another thing ("有点秃，对花生过敏")."""
    if not any(draft.attrs.get("severity") == Severity.UNKNOWN for draft in drafts):
        return drafts
    beside = [group for at, group in enumerate(groups) if group.reading.category is Category.NOTE
              and (any(other.reading.category is Category.ALLERGY
                       for other in groups[max(at - 1, 0):at + 2])
                   or _only_severity(group.head.folded, lexicon))]
    stated = next((hit.value for group in beside
                   for piece in (group.head, *group.details)
                   for hit in lexicon.severities.find_all(piece.folded)), None)
    if stated is None:
        return drafts
    return [draft.model_copy(update={"attrs": {**draft.attrs, "severity": str(stated)}})
            if draft.attrs.get("severity") == Severity.UNKNOWN else draft for draft in drafts]


# Mild words that are only a degree, which on their own say nothing of an allergy ("有点|秃").
_DEGREES: Final = frozenset({"有点", "一点", "一点点", "有一点", "有啲", "少少", "小小", "少许",
                             "a bit", "a little", "bit of", "slightly", "slight"})


def _only_severity(folded: str, lexicon: Lexicon) -> bool:
    """Whether `folded` says nothing but how severe ("不严重" at the note's end)."""
    said = [hit for hit in lexicon.severities.find_all(folded)
            if folded[hit.start:hit.end] not in _DEGREES]
    return bool(said) and _is_blank(_blank_out(folded, [*said, *lexicon.fillers.find_all(folded)]))


def _drafts(group: _Group, text: str, lexicon: Lexicon, day_first: bool, *,
            private: bool) -> list[TraitDraft]:
    details = " ".join(piece.folded for piece in group.details)
    reading = _read(group.head.folded, lexicon, details=details, day_first=day_first) \
        if details else group.reading
    if details and reading.category is group.reading.category is Category.DRINK \
            and "item" in group.reading.attrs:
        # which drink was settled with the head ("hot tea, earl grey"); details add to it
        reading = _Reading(reading.category,
                           {**reading.attrs, "item": group.reading.attrs["item"]})
    whose = "" if group.lead is None else text[group.lead:group.head.start]  # "老婆对"
    if reading.category is Category.ALLERGY:
        group, reading = _with_listed_allergens(group, reading, text, lexicon)
        shown = _shown(group, text)
        return [TraitDraft(category=Category.ALLERGY, text=whose + allergen_text, attrs=attrs,
                           private=private)
                for allergen_text, attrs in _per_item(group.head, shown, reading.attrs, lexicon)]
    listed = _refused_too(group, reading, text, lexicon)
    if listed:
        # "no onion/garlic", "不吃葱/蒜": each food listed after the one refused is refused too
        kept = _Group(group.head, group.reading,
                      [piece for piece in group.details if piece not in listed],
                      group.about_allergy, group.lead)
        return [TraitDraft(category=Category.DIET, text=whose + _shown(kept, text),
                           attrs=reading.attrs, private=private),
                *(TraitDraft(category=Category.DIET, text=piece.text,
                             attrs={**reading.attrs, "item": _item(piece.folded, lexicon)},
                             private=private) for piece in listed)]
    shown = _shown(group, text)
    if reading.category in _EDIBLE and _lists_foods(str(reading.attrs.get("item", "")), lexicon):
        # "讨厌香菜和葱", "no pork or shellfish": a dislike or a refusal per food
        return [TraitDraft(category=reading.category, text=whose + item_text, attrs=attrs,
                           private=private)
                for item_text, attrs in _per_item(group.head, shown, reading.attrs, lexicon)]
    if reading.category is Category.DRINK and (said := _sugar_said(group, text, lexicon)):
        # "iced tea unsweetened, large", "black coffee 唔要糖": how sweet is a diet of its own
        sugar, sweetness = said
        rest = _SPACES.sub(" ", shown.replace(sugar, " ", 1)).strip(_GAP_IN_A_LIST)
        rest = _SPACE_BEFORE_MARK.sub(r"\1", rest)
        again = _read(_matching(rest, lexicon)[0], lexicon)
        attrs = {**(again.attrs if again.category is Category.DRINK else {}),
                 **{name: value for name, value in reading.attrs.items() if name != "polarity"}}
        if again.category is Category.DRINK and "polarity" in again.attrs:
            attrs["polarity"] = again.attrs["polarity"]  # "no sugar in coffee" dislikes none
        return [TraitDraft(category=Category.DRINK, text=whose + rest, attrs=attrs,
                           private=private),
                TraitDraft(category=Category.DIET, text=sugar, attrs={"kind": sweetness},
                           private=private)]
    return [TraitDraft(category=reading.category, text=whose + shown, attrs=reading.attrs,
                       private=private)]


def _refused_too(group: _Group, reading: _Reading, text: str,
                 lexicon: Lexicon) -> list[_Piece]:
    """The details of a refusal that are each a bare food listed right after it."""
    if reading.category is not Category.DIET or "item" not in reading.attrs \
            or reading.attrs.get("kind") not in tuple(Refusal):
        return []
    listed: list[_Piece] = []
    end = group.head.end
    for piece in group.details:
        if text[end:piece.start].strip(_GAP_IN_A_LIST) \
                or not _bare_foods(piece.folded, lexicon, listed=True):
            break
        listed.append(piece)
        end = piece.end
    return listed


_SPACES: Final = re.compile(r"\s+")
_SPACE_BEFORE_MARK: Final = re.compile(r"\s+([,，、/])")


def _sugar_said(group: _Group, text: str, lexicon: Lexicon) -> tuple[str, str] | None:
    """The words, as typed, that say how sweet the guest takes the drink a group is about
    ("unsweetened", "less sweet", "唔要糖"), and the diet they say; None when it says
    nothing of sweetness."""
    for piece in (group.head, *group.details):
        for hit in lexicon.cues.find_all(piece.folded):
            if hit.value.category is Category.DIET and hit.value.value in _SWEETNESS:
                start = piece.start + piece.origin[hit.start]
                end = piece.start + piece.origin[hit.end - 1] + 1
                return text[start:end], str(hit.value.value)
    return None


# The diets that say how sweet: less, or none at all.
_SWEETNESS: Final = frozenset({"low_sugar", "no_sugar"})


def _lists_foods(item: str, lexicon: Lexicon) -> bool:
    """Whether `item` lists foods, each named by the vocabulary: "pork or shellfish", not
    "mac and cheese" nor the one dish "fish and chips"."""
    names = [name for part in _LIST_JOINER.split(item) if (name := _trim_fillers(part, lexicon))]
    whole = [hit for hit in lexicon.cues.find_all(item) if (hit.start, hit.end) == (0, len(item))]
    return len(names) > 1 and not whole and all(
        any(hit.value.category is Category.FOOD for hit in lexicon.cues.find_all(name))
        for name in names)


def _with_listed_allergens(group: _Group, reading: _Reading, text: str,
                           lexicon: Lexicon) -> tuple[_Group, _Reading]:
    """"allergic to almonds, cashews and walnuts", "虾过敏、蟹过敏、贝类也不行": foods listed
    in the pieces right after an allergy are more of its allergens, each an allergy."""
    head, details, item = group.head, list(group.details), str(reading.attrs.get("item", ""))
    # "allergic to almonds, cashews": the allergens follow the allergy and go on; after
    # "peanut allergy", a food is only one more when said so ("beef" may be a dish liked)
    goes_on = bool(item) and head.folded.rstrip(" .!！。").endswith(item.split("、")[-1])
    while item and details and details[0].start >= head.end \
            and not text[head.end:details[0].start].strip(_GAP_IN_A_LIST) \
            and (more := _bare_foods(details[0].folded, lexicon, listed=goes_on)):
        head = _joined(head, details.pop(0), text)
        item = "、".join([item, *more])
    if head is group.head:
        return group, reading
    return (_Group(head, reading, details, group.about_allergy, group.lead),
            _Reading(reading.category, {**reading.attrs, "item": item}))


# What may stand between the items of a list: separators, list marks, spaces.
_GAP_IN_A_LIST: Final = "".join(sorted(SEPARATORS)) + "、,，/+&;；:： "
# Words that say a food is one more of a list: "贝类也不行", "tree nuts too".
_ONE_MORE: Final = re.compile(r"(?<![\w'])(?:too|also|as well)(?![\w'])|也|都")


def _bare_foods(folded: str, lexicon: Lexicon, *, listed: bool) -> list[str]:
    """The foods `folded` names as more allergens, when it says nothing else: "cashews and
    walnuts" in a list that goes on (`listed`), each a thing the vocabulary knows (not
    "牛排五分熟"); "tree nuts too", "贝类也不行" said to be one more. "葱也不吃" is a food
    not eaten, no allergen."""
    foods = [hit for hit in lexicon.cues.find_all(folded) if hit.value.category is Category.FOOD]
    if not foods:
        return []
    refusals = lexicon.refusals.find_all(folded)
    said: list[Hit[Any]] = [*foods, *lexicon.conjunctions.find_all(folded), *refusals]
    rest = _blank_out(folded, said)
    names = [folded[hit.start:hit.end] for hit in foods]
    if not _is_blank(_ONE_MORE.sub(" ", rest)) \
            or any(refusal.value is not Refusal.CANNOT_EAT for refusal in refusals):
        return []
    if _ONE_MORE.search(rest) or (listed and not refusals and all(
            concept_named(lexicon, name, (Category.FOOD,), whole=True) for name in names)):
        return names
    return []


def _shown(group: _Group, text: str) -> str:
    """The trait's words as typed: from its head through its details, or, when other traits
    stand between ("奶茶三分糖去冰"), the head and each detail apart."""
    shown, end = group.head.text, group.head.end
    for detail in group.details:
        between = text[end:detail.start]
        if all(_is_ignorable(char) or char in SEPARATORS for char in between):
            shown += between + detail.text
        else:
            shown += " " + detail.text
        end = detail.end
    return shown


def _per_item(head: _Piece, shown: str, attrs: Attrs,
               lexicon: Lexicon) -> list[tuple[str, Attrs]]:
    """One (text, attrs) per item of a list (allergens, foods refused), each text a stretch of
    the note: "对虾、蟹过敏" → 对虾 | 蟹过敏; "allergic to shrimp and crab" → allergic to
    shrimp | crab."""
    item = str(attrs.get("item", ""))
    names = [name for part in _LIST_JOINER.split(item) if (name := _trim_fillers(part, lexicon))]
    foods = [hit for hit in lexicon.cues.find_all(item) if hit.value.category is Category.FOOD]
    if len(names) == 1 and len(foods) > 1 and (not _LATIN_WORD.search(item) or all(
            concept_named(lexicon, item[hit.start:hit.end], (Category.FOOD,), whole=True)
            for hit in foods)):
        # "虾蟹过敏", "花生虾子过敏": foods run together, each with the ending of its noun
        # (in English only things of their own: "shrimp crab", not "kiwi fruit")
        ends = [_with_noun_ending(item, hit.end) for hit in foods]
        covered = [(hit.start, end) for hit, end in zip(foods, ends, strict=True)]
        if _is_blank(_blank_spans(item, covered)):
            names = [item[start:end] for start, end in covered]
    spans = _located(head, names)
    if len(names) < 2 or spans is None:
        return [(shown, attrs)]
    # Each allergen's text runs to the list joiner before the next one, which is dropped.
    starts = [0, *(start for start, _ in spans[1:])]
    ends = [_before_joiner(shown, start) for start in starts[1:]] + [len(shown)]
    return [(shown[start:end].strip(), {**attrs, "item": name})
            for start, end, name in zip(starts, ends, names, strict=True)]


def _with_noun_ending(text: str, end: int) -> int:
    while end < len(text) and text[end] in _NOUN_ENDINGS:
        end += 1
    return end


_NOUN_ENDINGS: Final = "子类仔肉酱粉"


def _blank_spans(folded: str, spans: Sequence[tuple[int, int]]) -> str:
    # Removed spans become spaces so the words on either side stay apart.
    chars = list(folded)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _before_joiner(text: str, end: int) -> int:
    joiner = _JOINER_BEFORE.search(text[:end])
    return joiner.start() if joiner else end


def _located(head: _Piece, names: list[str]) -> list[tuple[int, int]] | None:
    """Where each name is in the head's text, in order; None if one cannot be found."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for name in names:
        at = head.folded.find(name, cursor)
        if at < 0:
            return None
        cursor = at + len(name)
        spans.append((head.origin[at], head.origin[cursor - 1] + 1))
    return spans


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
    return _blank_spans(folded, [(hit.start, hit.end) for hit in hits])


def _is_blank(text: str) -> bool:
    return all(_is_ignorable(char) for char in text)


def _is_ignorable(char: str) -> bool:
    return not _is_visible(char) or unicodedata.category(char).startswith("P")


# --- classification ----------------------------------------------------------------------


def _read(folded: str, lexicon: Lexicon, *, details: str = "",
          day_first: bool = False) -> _Reading:
    """The category and attributes of a piece; `details` are the folded pieces that only
    qualify it (severity, size, a date): read for attributes, never for the item."""
    cues = lexicon.cues.find_all(folded)
    if any(hit.value.category is Category.ROOM for hit in cues) and not _DIGIT.search(folded):
        # "room temp" is how a drink is served, but "room temperature 22" how a room is kept
        temperatures = lexicon.temperatures.find_all(folded)
        cues = [hit for hit in cues if not (hit.value.category is Category.ROOM and any(
            t.start <= hit.start and hit.end <= t.end for t in temperatures))]
    if any(hit.value.category is Category.ALLERGY for hit in cues):
        return _allergy(folded, details, cues, lexicon)
    if (upsetting := [hit for hit in cues if hit.value.category is Category.FOOD or (
            hit.value.category is Category.DRINK and hit.value.attr == "item")]) and any(
            _DIGESTIVE.search(folded[hit.start:hit.end])
            for hit in lexicon.symptoms.find_all(folded)):
        # "喝牛奶会拉肚子": what does not agree with the guest, not a drink they like
        return _Reading(Category.DIET, {"kind": str(Refusal.CANNOT_EAT),
                                        "item": folded[upsetting[0].start:upsetting[0].end]})
    if _STAFF_TALK.search(folded):
        return _Reading(Category.NOTE, {})  # "sry wrong chat", "ignore last msg": ours
    if (offered := _NOT_OFFERED.search(folded)) and not any(
            hit.value.category in _EDIBLE for hit in cues):  # "别推荐海鲜给她" is a food
        named = [hit for hit in cues if hit.start >= offered.end() and hit.value.attr == "item"
                 and hit.value.category is Category.DRINK
                 and folded[hit.start:hit.end] not in _ANY_DRINK]
        if not named:
            return _Reading(Category.SERVICE, {})  # "别推荐酒水", "don't push the specials"
        return _Reading(Category.DRINK, {"item": str(named[0].value.value),
                                         "polarity": "dislike"})  # "唔好推介白酒俾佢"
    if _KEPT_AT_DEGREES.search(folded) and _COOLED.search(folded):
        return _Reading(Category.ROOM, {})  # "空调调到22度", "aircon 19 degrees": the room's
    if lexicon.no_diet.find_all(folded):
        return _Reading(Category.NOTE, {})  # "啥都吃", "eats anything": no diet to keep
    if _WEDDING_YEARS.search(folded):  # "同老公結婚十週年": the guest's, with the spouse
        return _by_cue(Category.OCCASION, folded, details, cues, lexicon, day_first)
    if cues and cues[0].value.category is Category.FAMILY:
        return _Reading(Category.FAMILY, {})  # "wife is vegetarian": the family, not the guest
    best = _strongest(cues)
    if best and best.value.category is Category.FAMILY and cues[0].value.category is \
            Category.OCCASION:
        best = cues[0]  # "anniv 10/12 w/ husband": the guest's, shared with the husband
    if best and folded[best.start:best.end].endswith(_QUIET_PLACE) and (places := [
            hit for hit in cues if hit.value.category in _PLACES]):
        best = places[0]  # "喜欢安静的角落": a quiet seat
    drinks = [hit for hit in cues if hit.value.category is Category.DRINK and hit.value.attr]
    if best and best.value.category is Category.FOOD and drinks:
        best = drinks[0]  # "hot tea w lemon": a drink, with something in it
    elif best and best.value.category is Category.FOOD:
        # "生日蛋糕", "开火锅店的老板": food named in another subject belongs to it
        best = _strongest([hit for hit in cues if hit.value.category in (
            Category.WORK, Category.OCCASION)]) or best
    if best and best.value.category is Category.DIET and best.value.attr:
        if drinks and best.value.value in _SWEETNESS and not _HAN.search(folded):
            # "a large iced oolong tea with no sugar": the drink, as the guest takes it
            return _with_polarity(_by_cue(Category.DRINK, folded, details, cues, lexicon,
                                          day_first), folded, drinks[0], lexicon)
        if drinks and best.value.value == "no_alcohol" and drinks[0].start >= best.end:
            # "doesn't drink coffee": that drink, not alcohol
            return _Reading(Category.DRINK, {"item": str(drinks[0].value.value),
                                             "polarity": "dislike"})
        return _Reading(Category.DIET, {"kind": str(best.value.value)})
    if best and best.value.category is Category.SERVICE and _UNDISTURBED_UNTIL.search(folded):
        return _Reading(Category.ROOM, {})  # "DND till 10am": the room kept shut, not the meal
    if best and best.value.category is Category.WORK and _STAFF_ASIDE.search(folded):
        return _Reading(Category.NOTE, {})  # "will check with manager": ours, not the guest's
    if best and best.value.category is Category.WORK and _ADDRESSED_AS.search(folded):
        return _Reading(Category.SERVICE, {})  # "叫佢陳醫生": what to call the guest
    if best and best.value.category is Category.SEATING and _any_seat(folded, cues, lexicon):
        return _Reading(Category.NOTE, {})  # "table 5 left a big tip", "今天坐了三号桌"
    if best and best.value.category not in _EDIBLE:
        reading = _by_cue(best.value.category, folded, details, cues, lexicon, day_first)
        return _with_polarity(reading, folded, best, lexicon)
    if dislike := lexicon.dislikes.find_all(folded):
        if not cues and _FEELINGS.fullmatch(_item(folded[dislike[0].end:], lexicon)):
            return _Reading(Category.NOTE, {})  # "怕冷", "佢怕凍", "唔鍾意嘈": not a food
        return _dislike(folded, dislike[0], lexicon)
    refusal = lexicon.refusals.find_all(folded)
    if refusal:
        return _refusal(folded, refusal[0], lexicon)
    if best is None and (eaten := _LIKES_TO_EAT.search(folded)) \
            and _DISH_NAME.fullmatch(item := _item(folded[eaten.end():], lexicon)):
        return _Reading(Category.FOOD, {"item": item})  # "鍾意食乳鴿": what they eat
    return _Reading(best.value.category if best else Category.NOTE, {})


def _any_seat(folded: str, cues: list[Hit[Cue]], lexicon: Lexicon) -> bool:
    """Whether the only seats named are any table, with nothing that says the guest wants
    or avoids it: a remark of the shift, not a preference."""
    generic = lexicon.any_seat.find_all(folded)
    seats = [hit for hit in cues if hit.value.category is Category.SEATING]
    return all(any(g.start <= hit.start and hit.end <= g.end for g in generic) for hit in seats) \
        and not (lexicon.seat_wanted.find_all(folded) or lexicon.dislikes.find_all(folded)
                 or lexicon.refusals.find_all(folded))


def _strongest(cues: list[Hit[Cue]]) -> Hit[Cue] | None:
    # Longest word wins; on a tie, the category earlier in card order.
    return max(
        cues,
        key=lambda hit: (hit.end - hit.start, -_CARD_ORDER.index(hit.value.category)),
        default=None,
    )


def _by_cue(category: Category, folded: str, details: str, cues: list[Hit[Cue]],
            lexicon: Lexicon, day_first: bool) -> _Reading:
    match category:
        case Category.DRINK:
            return _Reading(category, _drink(folded, details, cues, lexicon))
        case Category.OCCASION:
            return _occasion(f"{folded} {details}", cues, lexicon, day_first)
        case Category.SERVICE:
            return _Reading(category, _tag(cues, category))
        case _:
            return _Reading(category, {})


def _with_polarity(reading: _Reading, folded: str, cue: Hit[Cue], lexicon: Lexicon) -> _Reading:
    # "不坐大厅", "别安排在洗手间旁边", "dislikes booths": a seat or drink the guest avoids.
    if reading.category not in (Category.SEATING, Category.DRINK):
        return reading
    before = folded[: cue.start]
    if lexicon.dislikes.find_all(before) or lexicon.refusals.find_all(before):
        return _Reading(reading.category, {**reading.attrs, "polarity": "dislike"})
    after = folded[cue.end:]
    said: list[Hit[Any]] = [*lexicon.dislikes.find_all(after), *lexicon.refusals.find_all(after)]
    if reading.category is Category.SEATING and said \
            and _is_blank(_blank_out(after, [*said, *lexicon.fillers.find_all(after)])):
        return _Reading(reading.category, {**reading.attrs, "polarity": "dislike"})  # "门口不要"
    return reading


def _tag(cues: list[Hit[Cue]], category: Category) -> Attrs:
    for hit in cues:
        if hit.value.category is category and hit.value.attr and hit.value.value:
            return {hit.value.attr: hit.value.value}
    return {}


# --- attributes --------------------------------------------------------------------------


# "没有花生过敏", "冇蝦敏感", "no nut allergy": a "no" before the allergen says there is none.
# Not 无 nor 没 alone: 无花果 (fig) and 没药 are allergens of their own.
# "asked abt allergies - none", "allergies? nil": asked, and there are none
_ALLERGIES_NONE: Final = re.compile(
    r"\W*(?:(?:asked|checked)\s+(?:about|abt|re|for)?\s*)?(?:any\s+)?allerg\w*\s*[-:=?]*\s*"
    r"(?:none|nil|nope|no)\b\W*$")
_NO_ALLERGEN = re.compile(
    r"^(?:没有|冇|no\b|never\b)\s*(?:[^\s,，。;；!?！？]{1,8}?|(?:[a-z-]+\s+){1,3})"
    r"(?:过敏|敏感|allerg)")


_NOT_EVEN_A_TRACE: Final = re.compile(
    r"(?:一点点?|一丁点|一啲|少少|半点)[^\s,，。;；!！]{0,5}?[都也]"
    r"(?:不能|不可以|不行|不得|唔得|唔可以|唔食得|唔掂得)")


# "不是花生过敏", "唔係對蝦敏感": the allergen said between the no and the allergy word
_NOT_ALLERGIC_TO: Final = re.compile(
    r"(不是|唔系|并不是|其实不是|没有说是)\s*(?:对)?\s*[^\s,，。;；]{1,8}?(?:过敏|敏感)")


def _allergy(folded: str, details: str, cues: list[Hit[Cue]], lexicon: Lexicon) -> _Reading:
    if _NO_ALLERGEN.match(folded) or _ALLERGIES_NONE.match(f"{folded} {details}"):
        return _Reading(Category.NOTE, {})  # kept as typed: what the guest is not allergic to
    whole = f"{folded} {details}"
    severities = lexicon.severities.find_all(folded)
    # "不过敏" / "no allergies" is no allergy; "not allergic to shrimp, just doesn't like it"
    # is a dislike, as is "榴莲不是过敏".
    denials = [*lexicon.denied_allergy.find_all(folded), *lexicon.negated_allergy.find_all(folded),
               *(Hit(found.start(1), found.end(1), True)
                 for found in _NOT_ALLERGIC_TO.finditer(folded))]
    allergy_cues = [hit for hit in cues if hit.value.category is Category.ALLERGY]
    others: list[Hit[Any]] = [*severities, *denials, *lexicon.refusals.find_all(folded),
                              *lexicon.dislikes.find_all(folded)]
    item = _allergen(folded, allergy_cues, others, lexicon)
    if denials or lexicon.denied_allergy.find_all(details) \
            or lexicon.negated_allergy.find_all(details):
        # "榴莲不是过敏，就是不爱吃": a dislike; "芒果过敏?? 问了说不是": nothing at all
        item = item or str(_read(details, lexicon).attrs.get("item", ""))
        # What the guest does not eat, said apart from "no allergies" (whose "no" is no
        # refusal); a denial may say it itself ("just dislikes").
        rest = _blank_out(whole, lexicon.negated_allergy.find_all(whole))
        if item and lexicon.dislikes.find_all(rest):
            return _Reading(Category.FOOD, {"polarity": "dislike", "item": item})
        if lexicon.no_diet.find_all(rest):
            return _Reading(Category.NOTE, {})  # "no allergies no restrictions": nothing
        if kind := _tag(cues, Category.DIET):
            return _Reading(Category.DIET, kind)  # "lactose intolerant (not allergic)"
        if item and (refusal := lexicon.refusals.find_all(rest)):
            # "唔係敏感 佢唔食羊": not an allergy, but a food the guest does not eat
            return _Reading(Category.DIET, {"kind": str(refusal[0].value), "item": item})
        return _Reading(Category.NOTE, {})
    # "一点面粉都不能碰": not even a trace of it, which no severity word says
    trace = _NOT_EVEN_A_TRACE.search(whole)
    stated = [hit for hit in lexicon.severities.find_all(whole)
              if trace is None or not trace.start() <= hit.start < trace.end()]
    if now := lexicon.now.find_all(whole):
        # "小时候挺严重 现在好多了 只是轻微": how severe it is now, not as a child
        stated = [hit for hit in stated if hit.start >= now[-1].end] or stated
    severity = stated[0].value if stated else Severity.SEVERE if trace else Severity.UNKNOWN
    attrs: Attrs = {"severity": str(severity)}
    return _Reading(Category.ALLERGY, {**attrs, "item": item} if item else attrs)


def _allergen(folded: str, cues: list[Hit[Cue]], others: Sequence[Hit[Any]],
              lexicon: Lexicon) -> str:
    """The words nearest before the first allergy cue ("花生严重过敏", "severe nut allergy"),
    else those after it ("allergic to peanuts (severe)"), cue and qualifier words left out."""
    marked = _marked(folded, [*cues, *others])
    said_before = marked[: cues[0].start]
    object_of = _after_last_object_marker(said_before)
    before = re.split("\0+", object_of if _item(object_of, lexicon) else said_before)
    after = re.split("\0+", _clause(marked[cues[0].end :]))
    # "allergic to X": the allergen follows; otherwise it is said first ("X过敏", "X allergy").
    said_after = re.match(r"\s*(?:to|from)\b", folded[cues[0].end :]) is not None
    for stretch in [*after, *reversed(before)] if said_after else [*reversed(before), *after]:
        if (item := _item(stretch, lexicon)) and not _names_something_else(item, lexicon):
            if said_after:
                return item
            if not _HAN.search(item) and (not _LIST_JOINER.search(item)
                                          or len(item.split()) > _LIST_WORDS):
                # "…blah blah peanut allergy": an allergen is a few words, a list a few more
                item = " ".join(item.split()[-_ALLERGEN_WORDS:])
            return "、".join([item, *_more_allergens(marked[cues[0].end :], lexicon)])
    return ""


_ALLERGEN_WORDS: Final = 3  # "peanut", "tree nut", "dust mite", "pine nut butter"
_LIST_WORDS: Final = 6  # "peanuts, tree nuts and shellfish"
# What the allergen is the object of: "她对那个虾过敏" is an allergy to 那个虾, "kid has nut
# allergy" one to nut.
_OBJECT_MARKER: Final = re.compile(r".*(?:对|(?<![\w'])(?:has|have|had|got|gets|with)\s)"
                                   r"(?=.*[^\s\0])", re.DOTALL)
# Where a clause after "allergic to X" ends: "allergic to shrimp it's not too serious".
_CLAUSE_END: Final = re.compile(
    r"\s(?:it'?s|its|it|she|he|they|but|so|which|that|who|when|if|because|since|and then|"
    r"then|though|although|not)\b")
# "peanut allergy and also tree nuts", "sesame 过敏 + 花生 both severe": more allergens after it
_MORE_ALLERGENS: Final = re.compile(
    r"^[\s!！.]*(?:\+|&|,|、|和|还有|同埋|同|以及|and(?:\s+also)?|also|n)\s*")


def _after_last_object_marker(stretch: str) -> str:
    found = _OBJECT_MARKER.match(stretch)
    return stretch[found.end():] if found else stretch


def _clause(stretch: str) -> str:
    found = _CLAUSE_END.search(stretch)
    return stretch[: found.start()] if found else stretch


def _more_allergens(after: str, lexicon: Lexicon) -> list[str]:
    """Foods listed right after the allergy word, joined to it ("and also tree nuts")."""
    joined = _MORE_ALLERGENS.match(after)
    if not joined:
        return []
    rest = after[joined.end():]
    names: list[str] = []
    position = 0
    for hit in lexicon.cues.find_all(rest):
        gap = rest[position:hit.start]
        if hit.value.category is not Category.FOOD or (
                names and not _LIST_JOINER.fullmatch(gap) and gap.strip()) or (
                not names and gap.strip()):
            break
        names.append(rest[hit.start:hit.end])
        position = hit.end
    return names


def _names_something_else(words: str, lexicon: Lexicon) -> bool:
    """Whether `words` are only a seat, a room, a person, ...: never an allergen; but an
    allergen of the vocabulary is one wherever else it is a word ("allergic to feathers")."""
    if concept_named(lexicon, words, (Category.FOOD,), whole=True) is not None:
        return False
    hits: list[Hit[Any]] = [hit for hit in lexicon.cues.find_all(words) if hit.value.category
                            not in (Category.FOOD, Category.DRINK, Category.DIET)]
    hits += [*lexicon.hints.find_all(words), *lexicon.hint_fillers.find_all(words)]
    return bool(hits) and not _item(_blank_out(words, hits), lexicon)


def _marked(folded: str, hits: Sequence[Hit[Any]]) -> str:
    # Words taken out become NULs, so the stretches between them can be told apart.
    chars = list(folded)
    for hit in hits:
        chars[hit.start : hit.end] = "\0" * (hit.end - hit.start)
    return "".join(chars)


def _dislike(folded: str, dislike: Hit[bool], lexicon: Lexicon) -> _Reading:
    # "不爱吃苦瓜" / "doesn't like coriander": a food (or drink) the guest dislikes.
    item = _item(folded[dislike.end :], lexicon) or _item(folded[: dislike.start], lexicon)
    drinks = [hit for hit in lexicon.cues.find_all(folded) if hit.value.category is Category.DRINK]
    category = Category.DRINK if drinks else Category.FOOD
    attrs: Attrs = {"polarity": "dislike"}
    return _Reading(category, {**attrs, "item": item} if item else attrs)


def _refusal(folded: str, refusal: Hit[Refusal], lexicon: Lexicon) -> _Reading:
    # "不吃蒜" / "no garlic": the item follows; "海鲜忌口": it comes first.
    item = _item(folded[refusal.end :], lexicon) or _item(folded[: refusal.start], lexicon)
    said = _strip_punctuation(folded[refusal.end :])
    if item and said.startswith(item) and any(
            hit.start == 0 and hit.end == len(said) for hit in lexicon.cues.find_all(said)):
        item = said  # "不吃主食": a food word ending as a filler does (食) is whole
    if _ADDRESSED.match(item) or _SERVER.fullmatch(item):
        return _Reading(Category.SERVICE, {})  # "不要叫王太", "男的不行": how to serve
    if _A_LITTLE.fullmatch(item):
        return _Reading(Category.NOTE, {})  # "一點點都不行": how much, of what was said before
    attrs: Attrs = {"kind": str(refusal.value)}
    return _Reading(Category.DIET, {**attrs, "item": item} if item else attrs)


_ADDRESSED: Final = re.compile(r"(?:叫|称呼)(?!醒)")
_A_LITTLE: Final = re.compile(r"一?点点?|一啲|少少|一丁点|半点|a bit|a little|any")
# who serves: "要女服务员 男的不行", "唔要男仔"
_SERVER: Final = re.compile(
    r"[男女](?:的|仔|生|人|士|侍应生?|服务员|waiter)?|male|female|men|women")
# not to be disturbed until an hour of the morning: a hotel room's do-not-disturb
_HOUR: Final = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNDISTURBED_UNTIL: Final = re.compile(
    r"(?:dnd|disturb|打扰|勿扰).*?(?:\d\s*(?:am|pm|点|:\d\d)|noon|midday|中午|[一二三四五六七八九十]点"
    rf"|\b(?:before|till?|until|to)\s+{_HOUR}\b|{_HOUR}\s*(?:o'?clock|in the morning)\b)"
    r"|(?:\d\s*(?:am|pm|点)|noon|中午|[一二三四五六七八九十]点)[^,，。]{0,6}?(?:前|之前)?[^,，。]{0,4}?"
    r"(?:dnd|disturb|打扰|勿扰)")
# a title said as the name to use ("请称呼林医师", "call him Dr Lee"), not the guest's work
_ADDRESSED_AS: Final = re.compile(
    r"(?:叫|称呼|称)(?:他|她|佢|我)?(?:做|为|作)?\s*[^\s，,。]{0,3}?"
    r"(?:医生|医师|大夫|老师|教授|律师|博士|主任|校长|院长|总|经理|董|法官|sir)"
    r"|\b(?:call|address)(?:ed)?\s+(?:him|her|them)?\s*(?:as\s+)?(?:dr|doctor|prof|professor)\b")


def _drink(folded: str, details: str, cues: list[Hit[Cue]], lexicon: Lexicon) -> Attrs:
    attrs = _tag(cues, Category.DRINK)
    added = lexicon.additions.find_all(folded)  # "coffee with oat milk" is coffee
    kinds = [str(hit.value.value) for hit in cues if hit.value.category is Category.DRINK
             and hit.value.attr == "item" and str(hit.value.value) not in _ANY_KIND
             and not any(a.start <= hit.start and hit.end <= a.end for a in added)]
    if attrs.get("item") in _ANY_KIND and kinds:
        attrs["item"] = kinds[0]  # "hot tea earl gray": the tea is earl grey
    whole = f"{folded} {details}"
    if size := lexicon.sizes.first(whole):
        attrs["size"] = str(size)
    refused = {hit.end for hit in lexicon.refusals.find_all(whole)
               if not any(cue.start <= hit.start < cue.end for cue in cues)}  # "威士忌加冰"
    temperatures = [hit.value for hit in lexicon.temperatures.find_all(whole)
                    if len(whole[:hit.start].rstrip()) not in refused]  # "不要温的"
    if temperatures:
        attrs["temperature"] = str(_most_said(temperatures))
    return attrs


def _most_said(temperatures: list[Temperature]) -> Temperature:
    """Of the temperatures said of one drink, the one that says most: "熱可可 溫的就好",
    "hot chocolate, warm": warm, not the hot of its name; "温水 不要冰", "常溫 不要冰": warm or
    room, which have no ice anyway; "凍檸茶 少冰": less ice, not only iced."""
    for said in (Temperature.WARM, Temperature.HOT, Temperature.ROOM):
        if said in temperatures:
            return said
    return next((value for value in temperatures if value in _ICE_AMOUNTS), temperatures[0])


def _occasion(folded: str, cues: list[Hit[Cue]], lexicon: Lexicon, day_first: bool) -> _Reading:
    attrs = _tag(cues, Category.OCCASION)
    if not attrs and _WEDDING_YEARS.search(folded):
        attrs = {"kind": "anniversary"}  # "结婚20周年"
    found = _find_date(folded, lexicon, day_first)
    if found is None:
        return _Reading(Category.OCCASION, attrs)
    if not _exists(found):
        return _Reading(Category.NOTE, {})  # "birthday 02-30": keep the words, invent nothing
    attrs["month"] = found.month
    if found.day is not None:
        attrs["day"] = found.day
    if found.year is not None:
        attrs["year"] = found.year
    if found.lunar:
        attrs["calendar"] = "lunar"
    return _Reading(Category.OCCASION, attrs)


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


def _find_date(folded: str, lexicon: Lexicon, day_first: bool = False) -> _Date | None:
    # Most specific form first; an impossible date is not retried as a looser form.
    lunar = bool(lexicon.lunar.find_all(folded))
    arabic = _arabic_numerals(folded)
    found = (
        _year_month_day(arabic),
        _chinese_month_day(arabic),
        # "1/4 - april fools": the date written whole, before a month named near it
        _month_day(arabic, day_first),
        _named_month(arabic, lexicon),
        _spoken_month_day(_cardinals(arabic), day_first),
    )
    date_found = next((candidate for candidate in found if candidate is not None), None)
    if date_found is None or not lunar:
        return date_found
    return _Date(date_found.month, date_found.day, date_found.year, lunar=True)


def _arabic_numerals(folded: str) -> str:
    """Chinese numerals and English ordinals as digits, for dates: 九月二十号 → 9月20号,
    腊月廿三 → 12月23, "the fifth of september" → "the 5 of september"."""
    folded = _ENGLISH_ORDINAL.sub(_ordinal, folded)
    for month, digits in _LUNAR_MONTHS.items():
        folded = folded.replace(month, digits)
    if not _CHINESE_NUMBER.search(folded):
        return folded
    return _CHINESE_NUMBER.sub(lambda found: _number(found[0]), folded)


_ORDINALS: Final = {word: index + 1 for index, word in enumerate([
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth"])}
_TENS: Final = {"twenty": 20, "thirty": 30}
_ENGLISH_ORDINAL: Final = re.compile(
    r"\b(?:(twenty|thirty)[\s-]?)?(" + "|".join(_ORDINALS) + r")\b|\b(twentieth|thirtieth)\b")


def _ordinal(found: re.Match[str]) -> str:
    if found[3]:
        return "20" if found[3] == "twentieth" else "30"
    return str(_TENS.get(found[1] or "", 0) + _ORDINALS[found[2]])


def _number(numeral: str) -> str:
    value = current = 0
    for char in numeral:
        if char in _CHINESE_TENS:
            value += (current or 1) * 10 if char == "十" else _CHINESE_TENS[char]
            current = 0
        else:
            current = current * 10 + _CHINESE_DIGITS[char]  # 二〇一六 → 2016
    return str(value + current)


def _year_month_day(folded: str) -> _Date | None:
    found = _YEAR_MONTH_DAY.search(folded)
    return _Date(int(found[2]), int(found[3]), int(found[1])) if found else None


def _chinese_month_day(folded: str) -> _Date | None:
    found = _CHINESE_MONTH_DAY.search(folded)
    if not found:
        return None
    return _Date(int(found[1]), int(found[2]) if found[2] else None, None)


def _month_day(folded: str, day_first: bool) -> _Date | None:
    found = _MONTH_DAY.search(folded)
    if not found:
        return None
    month, day = _in_order(int(found[1]), int(found[2]), day_first)
    return _Date(month, day, _year(found[3]))


def _in_order(first: int, second: int, day_first: bool) -> tuple[int, int]:
    """The month and the day of two numbers, as the branch writes them."""
    return (second, first) if day_first else (first, second)


def _spoken_month_day(folded: str, day_first: bool) -> _Date | None:
    """A date said aloud and dictated: "birthday is 7 4", "is six fourteen", "是6 18"."""
    found = _SPOKEN_MONTH_DAY.search(folded)
    if not found:
        return None
    month, day = _in_order(int(found[1]), int(found[2]), day_first)
    # a guess from two numbers: only a day that can be, never an impossible date to refuse
    return _Date(month, day, None) if 1 <= month <= 12 and 1 <= day <= 31 else None


_SPOKEN_MONTH_DAY: Final = re.compile(
    r"(?:(?<![\w'])(?:is|on|was)|是|系|on the)\s*([0-9]{1,2})\s+([0-9]{1,2})(?![0-9])"
    r"(?!\s*(?:pax|ppl|people|persons|guests|of us|years|yrs|year|min|mins|minutes|hours|"
    r"位|人|个人|岁|年|分钟|点))")
_CARDINALS: Final = {word: index + 1 for index, word in enumerate([
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"])}
_ENGLISH_CARDINAL: Final = re.compile(
    r"(?<![\w'])(?:(twenty|thirty)[\s-]?)?(" + "|".join(_CARDINALS) + r")(?![\w'])"
    r"|(?<![\w'])(twenty|thirty)(?![\w'])")


def _cardinals(folded: str) -> str:
    """English numbers as digits, for dates said aloud: "six fourteen" → "6 14"."""
    def digits(found: re.Match[str]) -> str:
        if found[3]:
            return str(_TENS[found[3]])
        return str(_TENS.get(found[1] or "", 0) + _CARDINALS[found[2]])
    return _ENGLISH_CARDINAL.sub(digits, folded)


def _named_month(folded: str, lexicon: Lexicon) -> _Date | None:
    for month in lexicon.months.find_all(folded):
        if after := _DAY_AFTER_MONTH.match(folded, month.end):
            return _Date(month.value, int(after[1]), _year(after[2]))
        if before := _DAY_BEFORE_MONTH.search(folded, 0, month.start):
            year = _YEAR_AFTER_MONTH.match(folded, month.end)
            return _Date(month.value, int(before[1]), _year(year[1] if year else None))
    for month in lexicon.months.find_all(folded):
        if _IN_MONTH.search(folded, 0, month.start) or (
                folded[month.start:month.end] != "may"
                and _OCCASION_THEN_MONTH.search(folded, 0, month.start)):
            return _Date(month.value, None, None)  # "birthday in Oct": the month alone
    return None


_IN_MONTH: Final = re.compile(r"(?<![\w'])(?:in|during|month is|month)\s*:?\s+$")
# "bday august": the month alone right after the occasion ("birthday may …" is not May)
_OCCASION_THEN_MONTH: Final = re.compile(
    r"(?<![\w'])(?:bday|b-day|birthday|anniv|anniversary)\s*:?\s+$")


def _year(digits: str | None) -> int | None:
    if not digits:
        return None
    return int(digits) + (2000 if len(digits) == 2 else 0)


def _exists(found: _Date) -> bool:
    try:
        # Without a year, 2000 stands in: a leap year, so 02-29 exists.
        date(2000 if found.year is None else found.year, found.month, found.day or 1)
    except ValueError:
        return False
    return True
