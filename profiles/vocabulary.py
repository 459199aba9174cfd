"""The words the note parser knows: shipped as TOML data, extendable by a chain's own files."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Final, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import process
from rapidfuzz.distance import OSA

from profiles.models import Category, Segment
from profiles.script import simplified

SHIPPED_VOCABULARY: Final = Path(__file__).with_name("vocabulary.toml")

# The characters a note is split on: commas, semicolons, full stops, question and exclamation
# marks (full-width and small forms included) and every line break str.splitlines knows. They
# live here rather than in the parser because a keyword containing one could never match.
# The enumeration comma 、 is not one: it joins a list ("虾、蟹过敏"), see [conjunctions].
SEPARATORS: Final = frozenset(
    ",，﹐;；﹔。｡?？!！|\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")

# Curly quotes come from phone keyboards ("doesn’t"); NFKC leaves them alone.
_APOSTROPHES: Final = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'"})
# Letters and digits that glue onto a Latin keyword and make it a different word.
_WORD_CHAR: Final = "[0-9a-z\u00c0-\u024f]"
_ENDINGS: Final = "(?:s|es|ed|ing)?"

T = TypeVar("T")


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used, with every problem found in it."""

    def __init__(self, path: Path, problems: Iterable[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{path}: {problem}" for problem in self.problems))


class Severity(StrEnum):
    SEVERE = "severe"
    MILD = "mild"
    UNKNOWN = "unknown"


class Size(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Temperature(StrEnum):
    ICED = "iced"
    HOT = "hot"
    WARM = "warm"
    ROOM = "room"
    NO_ICE = "no_ice"
    LESS_ICE = "less_ice"


class Refusal(StrEnum):
    DISLIKES = "dislikes"
    CANNOT_EAT = "cannot_eat"


def fold(text: str) -> tuple[str, list[int]]:
    """The matching form of `text` (NFKC, casefold, straight apostrophes, simplified
    Chinese), char by char, with the index in `text` each folded char came from."""
    if unicodedata.is_normalized("NFKC", text):
        # Casefolding and the apostrophes go char by char: one pass when no char grows.
        whole = text.casefold().translate(_APOSTROPHES)
        if len(whole) == len(text):
            return simplified(whole), list(range(len(text)))
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).casefold().translate(_APOSTROPHES)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return simplified("".join(folded)), origin


def _fold_keyword(word: str) -> str:
    return " ".join(fold(word)[0].split())


def _check_keyword(word: str) -> str:
    if not _fold_keyword(word):
        raise ValueError("a keyword must not be empty")
    if word != word.strip():
        raise ValueError(f"keyword {word!r} has leading or trailing spaces")
    if found := SEPARATORS.intersection(word):
        raise ValueError(f"keyword {word!r} contains {''.join(found)!r}, which splits notes")
    return word


def is_keyword(word: str) -> bool:
    """Whether `word` may be listed in a vocabulary as it is."""
    try:
        _check_keyword(word)
    except ValueError:
        return False
    return True


Keyword = Annotated[str, AfterValidator(_check_keyword)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Month = Annotated[int, Field(ge=1, le=12)]


class _Table(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Words(_Table):
    zh: list[Keyword] = Field(default_factory=list)
    en: list[Keyword] = Field(default_factory=list)

    @property
    def keywords(self) -> list[str]:
        return [*self.zh, *self.en]


class ConceptWords(Words):
    # The category whose items these words name; the first zh and en words are its labels.
    category: Category


class HintWords(Words):
    # Words that are a hint only when they are the whole segment ("regular", not "regular coffee").
    alone: list[Keyword] = Field(default_factory=list)


class AllergyWords(_Table):
    severity: dict[Severity, Words] = Field(default_factory=dict)
    negated: Words = Field(default_factory=Words)
    denied: Words = Field(default_factory=Words)
    symptoms: Words = Field(default_factory=Words)
    # "不知道多严重", "not sure how bad": no severity stated, whatever severity word it holds
    unsure: Words = Field(default_factory=Words)

    @field_validator("severity")
    @classmethod
    def _unknown_has_no_words(cls, severity: dict[Severity, Words]) -> dict[Severity, Words]:
        if Severity.UNKNOWN in severity:
            raise ValueError("'unknown' means no severity word was found; it takes no words")
        return severity


class DietWords(_Table):
    kinds: dict[Name, Words] = Field(default_factory=dict)
    refusals: dict[Refusal, Words] = Field(default_factory=dict)
    none: Words = Field(default_factory=Words)


class DrinkWords(_Table):
    items: Words = Field(default_factory=Words)
    size: dict[Size, Words] = Field(default_factory=dict)
    temperature: dict[Temperature, Words] = Field(default_factory=dict)
    additions: Words = Field(default_factory=Words)


class SeatingWords(_Table):
    generic: Words = Field(default_factory=Words)
    wanted: Words = Field(default_factory=Words)


class ServiceWords(_Table):
    styles: dict[Name, Words] = Field(default_factory=dict)


class OccasionWords(_Table):
    kinds: dict[Name, Words] = Field(default_factory=dict)
    months: dict[Month, Words] = Field(default_factory=dict)
    lunar: Words = Field(default_factory=Words)


class ChangeWords(_Table):
    before: Words = Field(default_factory=Words)
    now: Words = Field(default_factory=Words)


class HintTables(_Table):
    tier: dict[Name, HintWords] = Field(default_factory=dict)
    segment: dict[Segment, HintWords] = Field(default_factory=dict)
    fillers: Words = Field(default_factory=Words)


class Vocabulary(_Table):
    """Everything in vocabulary.toml; see the comment at the top of that file."""

    categories: dict[Category, Words] = Field(default_factory=dict)
    allergy: AllergyWords = Field(default_factory=AllergyWords)
    diet: DietWords = Field(default_factory=DietWords)
    drink: DrinkWords = Field(default_factory=DrinkWords)
    seating: SeatingWords = Field(default_factory=SeatingWords)
    service: ServiceWords = Field(default_factory=ServiceWords)
    occasion: OccasionWords = Field(default_factory=OccasionWords)
    hints: HintTables = Field(default_factory=HintTables)
    dislikes: Words = Field(default_factory=Words)
    changes: ChangeWords = Field(default_factory=ChangeWords)
    conjunctions: Words = Field(default_factory=Words)
    fillers: Words = Field(default_factory=Words)
    concepts: dict[Name, ConceptWords] = Field(default_factory=dict)
    # everyday words a letter from a vocabulary word, meant as typed ("polite", not "police")
    as_typed: Words = Field(default_factory=Words)

    @cached_property
    def lexicon(self) -> Lexicon:
        """The words compiled for matching; built on first use, once per vocabulary."""
        return _compile(self)


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing whatever language names it: "peanut", in zh 花生 and in en peanut."""

    id: str
    category: Category
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """A keyword found in folded text: where, and what it means."""

    start: int
    end: int
    value: T


class Terms(Generic[T]):
    """Keywords with their meanings, matched leftmost-longest and without overlaps."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        meanings: dict[str, T] = {}
        for word, value in entries:
            meanings.setdefault(_fold_keyword(word), value)  # first listed meaning wins
        by_first: dict[str, list[str]] = {}
        for word in sorted(meanings, key=len, reverse=True):
            by_first.setdefault(word[0], []).append(word)
        self._meanings = {
            first: [meanings[word] for word in words] for first, words in by_first.items()
        }
        self._patterns = {first: _alternation(words) for first, words in by_first.items()}
        self._starts = _starts(by_first)

    def find_all(self, folded: str) -> list[Hit[T]]:
        hits: list[Hit[T]] = []
        position = 0
        while self._starts and (start := self._starts.search(folded, position)):
            hit = self._match_at(folded, start.start())
            if hit is None:
                position = start.start() + 1
                continue
            hits.append(hit)
            position = hit.end
        return hits

    def first(self, folded: str) -> T | None:
        hits = self.find_all(folded)
        return hits[0].value if hits else None

    def _match_at(self, folded: str, position: int) -> Hit[T] | None:
        pattern = self._patterns.get(folded[position])
        found = pattern.match(folded, position) if pattern else None
        if found is None or found.lastindex is None:
            return None
        value = self._meanings[folded[position]][found.lastindex - 1]
        return Hit(found.start(), found.end(), value)


def _starts(by_first: dict[str, list[str]]) -> re.Pattern[str] | None:
    # Where a keyword may start, found in one pass: any first character of a keyword, and for
    # a Latin one only at the start of a word. Notes are read keyword list by keyword list,
    # so skipping the other positions is most of the parser's speed.
    latin = sorted(first for first in by_first if re.fullmatch(_WORD_CHAR, first))
    other = sorted(first for first in by_first if first not in latin)
    parts = [f"(?<!{_WORD_CHAR})[{''.join(map(re.escape, latin))}]"] if latin else []
    parts += [f"[{''.join(map(re.escape, other))}]"] if other else []
    return re.compile("|".join(parts)) if parts else None


def _alternation(words: list[str]) -> re.Pattern[str]:
    # One group per word, longest first, so `lastindex` says which word matched.
    return re.compile("|".join(f"({_word_pattern(word)})" for word in words))


def _word_pattern(word: str) -> str:
    body = r"\s+".join(re.escape(part) for part in word.split())
    if re.fullmatch(_WORD_CHAR, word[0]):
        body = f"(?<!{_WORD_CHAR}){body}"
    if re.fullmatch(_WORD_CHAR, word[-1]):
        body = f"{body}{_ENDINGS}(?!{_WORD_CHAR})"
    return body


@dataclass(frozen=True, slots=True)
class Cue:
    """What a cue word says: its category and, for tagged words, one attribute."""

    category: Category
    attr: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Hint:
    """What a hint word says: which ParsedNote field it sets, to what."""

    field: Literal["tier", "segment"]
    value: str
    alone: bool


@dataclass(frozen=True)
class Lexicon:
    """The vocabulary as matchers, one per job the parser has."""

    cues: Terms[Cue]
    negated_allergy: Terms[bool]
    denied_allergy: Terms[bool]
    severities: Terms[Severity]
    symptoms: Terms[bool]
    any_seat: Terms[bool]
    seat_wanted: Terms[bool]
    refusals: Terms[Refusal]
    no_diet: Terms[bool]
    dislikes: Terms[bool]
    sizes: Terms[Size]
    temperatures: Terms[Temperature]
    additions: Terms[bool]
    months: Terms[int]
    lunar: Terms[bool]
    used_to: Terms[bool]
    now: Terms[bool]
    hints: Terms[Hint]
    hint_fillers: Terms[bool]
    conjunctions: Terms[bool]
    fillers: Terms[bool]
    concepts: Terms[Concept]
    spelling: Spelling


def _compile(vocabulary: Vocabulary) -> Lexicon:
    return Lexicon(
        cues=Terms(_cue_entries(vocabulary)),
        negated_allergy=_flags(vocabulary.allergy.negated),
        denied_allergy=_flags(vocabulary.allergy.denied),
        severities=Terms([*_tagged(vocabulary.allergy.severity), *(
            (word, Severity.UNKNOWN) for word in vocabulary.allergy.unsure.keywords)]),
        symptoms=_flags(vocabulary.allergy.symptoms),
        any_seat=_flags(vocabulary.seating.generic),
        seat_wanted=_flags(vocabulary.seating.wanted),
        refusals=Terms(_tagged(vocabulary.diet.refusals)),
        no_diet=_flags(vocabulary.diet.none),
        dislikes=_flags(vocabulary.dislikes),
        sizes=Terms(_tagged(vocabulary.drink.size)),
        temperatures=Terms(_tagged(vocabulary.drink.temperature)),
        additions=_flags(vocabulary.drink.additions),
        months=Terms(_tagged(vocabulary.occasion.months)),
        lunar=_flags(vocabulary.occasion.lunar),
        used_to=_flags(vocabulary.changes.before),
        now=_flags(vocabulary.changes.now),
        hints=Terms(_hint_entries(vocabulary.hints)),
        hint_fillers=_flags(vocabulary.hints.fillers),
        conjunctions=_flags(vocabulary.conjunctions),
        fillers=_flags(vocabulary.fillers),
        concepts=Terms(_concept_entries(vocabulary.concepts)),
        spelling=Spelling(_latin_words(vocabulary),
                          kept=[_fold_keyword(word) for word in vocabulary.as_typed.keywords]),
    )


def _latin_words(vocabulary: Vocabulary) -> list[str]:
    # Every Latin word of every keyword: what a mistyped word of a note may be corrected to
    # (not the words kept as typed, which are no word of the vocabulary's).
    words: set[str] = set()
    _collect_keywords(vocabulary.model_dump(mode="json", exclude={"as_typed"}), words)
    return sorted({part for word in words for part in _fold_keyword(word).split()
                   if re.fullmatch(r"[a-z][a-z'-]*", part)})


def _collect_keywords(data: Any, into: set[str]) -> None:
    if isinstance(data, dict):
        for value in data.values():
            _collect_keywords(value, into)
    elif isinstance(data, list):
        into.update(word for word in data if isinstance(word, str))


class Spelling:
    """Latin words of a note corrected to the vocabulary's words a typo away: "alergic" →
    "allergic", "seafod" → "seafood". Short words and words the vocabulary knows are left
    alone, and the first letter must be right: "later" is not "water"."""

    MIN_LENGTH: Final = 6

    def __init__(self, known: Iterable[str], *, kept: Iterable[str] = ()) -> None:
        self._known = sorted(set(known))
        # everyday words meant as typed ("polite", "smells"): left alone, never a correction
        self._known_set = frozenset(self._known) | frozenset(kept)
        self._corrected: dict[str, str] = {}

    def correct(self, word: str) -> str:
        if len(word) < self.MIN_LENGTH or word in self._known_set or any(
            word.endswith(ending) and word[: -len(ending)] in self._known_set
            for ending in ("s", "es", "ed", "ing")
        ):
            return word
        if word not in self._corrected:
            if len(self._corrected) > 50_000:  # bounded: notes are endless, words are not
                self._corrected.clear()
            self._corrected[word] = self._closest(word)
        return self._corrected[word]

    def _closest(self, word: str) -> str:
        allowed = 1 if len(word) < 9 else 2
        candidates = [known for known in self._known if known[0] == word[0]
                      and abs(len(known) - len(word)) <= allowed]
        found = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=allowed)
        if not found or str(found[0]).removeprefix(word) in ("s", "es", "ed", "ing"):
            return word  # "special" is not a typo of "specials"
        return str(found[0])


def _flags(words: Words) -> Terms[bool]:
    return Terms((word, True) for word in words.keywords)


def _tagged(tables: dict[T, Words]) -> list[tuple[str, T]]:
    return [(word, value) for value, words in tables.items() for word in words.keywords]


def _cue_entries(vocabulary: Vocabulary) -> list[tuple[str, Cue]]:
    # Card order decides which category a word listed twice belongs to; within a
    # category a tagged word (diet kind, drink item, ...) beats the same plain cue.
    entries: list[tuple[str, Cue]] = []
    for category in Category:
        entries += _tagged_cues(vocabulary, category)
        entries += [(word, Cue(category)) for word in _plain(vocabulary, category)]
    return entries


def _tagged_cues(vocabulary: Vocabulary, category: Category) -> list[tuple[str, Cue]]:
    tables: dict[str, Words]
    match category:
        case Category.DIET:
            attr, tables = "kind", vocabulary.diet.kinds
        case Category.SERVICE:
            attr, tables = "style", vocabulary.service.styles
        case Category.OCCASION:
            attr, tables = "kind", vocabulary.occasion.kinds
        case Category.DRINK:
            items = vocabulary.drink.items.keywords
            return [(word, Cue(category, "item", _fold_keyword(word))) for word in items]
        case _:
            return []
    return [(word, Cue(category, attr, value)) for word, value in _tagged(tables)]


def _plain(vocabulary: Vocabulary, category: Category) -> list[str]:
    words = vocabulary.categories.get(category)
    return words.keywords if words else []


def _concept_entries(concepts: dict[str, ConceptWords]) -> list[tuple[str, Concept]]:
    entries = []
    for name, words in concepts.items():
        first = words.zh[0] if words.zh else (words.en[0] if words.en else name)
        concept = Concept(name, words.category, first,
                          words.en[0] if words.en else first)
        entries += [(word, concept) for word in words.keywords]
    return entries


def _hint_entries(hints: HintTables) -> list[tuple[str, Hint]]:
    tables: list[tuple[Literal["tier", "segment"], str, HintWords]] = [
        *(("tier", name, words) for name, words in hints.tier.items()),
        *(("segment", segment.value, words) for segment, words in hints.segment.items()),
    ]
    return [
        entry
        for field, value, words in tables
        for entry in [
            *((word, Hint(field, value, alone=False)) for word in words.keywords),
            *((word, Hint(field, value, alone=True)) for word in words.alone),
        ]
    ]


def load_vocabulary(*extra: Path) -> Vocabulary:
    """The shipped vocabulary with each `extra` file's words added, in order.

    Raises VocabularyError naming the file, the dotted key and the reason when a file
    cannot be read, is not TOML, or does not fit the vocabulary's shape.
    """
    vocabulary = _validated(SHIPPED_VOCABULARY, _read(SHIPPED_VOCABULARY))
    for path in extra:
        extension = _validated(path, _read(path))
        merged = _merge(vocabulary.model_dump(mode="json"), extension.model_dump(mode="json"))
        vocabulary = _validated(path, merged)
    return vocabulary


def concept_named(lexicon: Lexicon, folded: str, categories: Collection[Category], *,
                  whole: bool) -> Concept | None:
    """The one concept of `categories` that `folded` names (all of it when `whole`: "鲍鱼"
    is no fish, "牛油果" no beef); None for none, or for several ("虾蟹")."""
    hits = [hit for hit in lexicon.concepts.find_all(folded) if hit.value.category in categories]
    if len({hit.value.id for hit in hits}) != 1:
        return None
    if whole and (hits[0].start, hits[0].end) != (0, len(folded)):
        return None
    return hits[0].value


def extended(base: Vocabulary, extra: dict[str, Any]) -> Vocabulary:
    """`base` with the words of `extra` (a table of the vocabulary's shape) added, as an
    extension file adds them."""
    return Vocabulary.model_validate(_merge(base.model_dump(mode="json"), extra))


def read_extension(path: Path) -> Vocabulary:
    """A vocabulary file of the chain's (or an export), read alone and checked; raises
    VocabularyError naming the file, the key and the reason."""
    return _validated(path, _read(path))


@cache
def default_vocabulary() -> Vocabulary:
    """The shipped vocabulary alone, loaded once per process."""
    return load_vocabulary()


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except OSError as error:
        raise VocabularyError(path, [f"cannot read the file: {error.strerror}"]) from error
    except UnicodeDecodeError as error:
        raise VocabularyError(path, [f"not UTF-8 text: {error.reason}"]) from error
    except tomllib.TOMLDecodeError as error:
        raise VocabularyError(path, [f"not valid TOML: {error}"]) from error


def _validated(path: Path, data: dict[str, Any]) -> Vocabulary:
    try:
        return Vocabulary.model_validate(data)
    except ValidationError as error:
        problems = (f"{_dotted(problem['loc'])}: {problem['msg']}" for problem in error.errors())
        raise VocabularyError(path, problems) from error


def _dotted(location: tuple[int | str, ...]) -> str:
    # Pydantic appends "[key]" when a table *name* is wrong; the name is already the last part.
    parts = [part for part in location if part != "[key]"]
    dotted = ""
    for part in parts:
        dotted += f"[{part}]" if isinstance(part, int) else f".{part}"
    return dotted.lstrip(".") or "(top level)"


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        return [*base, *(item for item in extra if item not in base)]
    return extra
