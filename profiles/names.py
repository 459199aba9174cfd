"""Guest names: cleaning what staff typed, reading it in pinyin, and what the search index stores.

Pure functions only; the search index turns `search_tokens` into a guest's row, and a query
becomes `query_terms`, then `match_groups`: what every row found must hold, which SQLite's
FTS5 reads as `fts_match_expression` and PostgreSQL as a GIN lookup (`profiles.search_index`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby, islice, product
from types import MappingProxyType
from typing import Literal, NamedTuple

from pypinyin import Style, lazy_pinyin

from profiles.script import simplified

MAX_NAME_LENGTH = 64
# A search box, not a document: longer queries are cut rather than sent to FTS5 whole.
MAX_QUERY_LENGTH = 100

CJK_HONORIFICS = ("先生", "女士", "小姐", "太太", "老师", "经理", "博士", "阿姨", "叔叔", "总")
LATIN_HONORIFICS = ("Mrs", "Miss", "Mr", "Ms", "Dr", "Prof")

# Suffixes after a CJK (or any) name; prefixes, with an optional dot, before a latin one.
_CJK_SUFFIX = re.compile(rf"(?P<name>.+?)\s*(?P<honorific>{'|'.join(CJK_HONORIFICS)})")
_LATIN_PREFIX = re.compile(
    rf"(?P<honorific>{'|'.join(LATIN_HONORIFICS)})(?:\.\s*|\s+)(?P<name>\S.*)", re.IGNORECASE
)
_LATIN_SPELLING = MappingProxyType({h.casefold(): h for h in LATIN_HONORIFICS})

# pypinyin 0.55 has no surname mode: it reads these characters as ordinary words
# (曾 ceng, 单 dan, 解 jie, ...). As the first character of a name they are surnames;
# the preferred reading comes first, the others stay searchable.
SURNAME_READINGS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "曾": ("zeng", "ceng"), "单": ("shan", "dan", "chan"), "解": ("xie", "jie"),
    "仇": ("qiu", "chou"), "朴": ("piao", "pu"), "乐": ("yue", "le"), "区": ("ou", "qu"),
    "查": ("zha", "cha"), "盖": ("ge", "gai"), "繁": ("po", "fan"), "覃": ("qin", "tan"),
    "翟": ("zhai", "di"), "缪": ("miao", "mou"), "秘": ("bi", "mi"), "种": ("chong", "zhong"),
    "召": ("shao", "zhao"), "薄": ("bo", "bao"),
})
# pypinyin reads these right, but 单于 must win over the single surname 单.
COMPOUND_SURNAMES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "单于": ("chan", "yu"), "长孙": ("zhang", "sun"), "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"),
})

_HAN = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})  # controls, zero-width and bidi marks, surrogates
# Alternative readings multiply per character; past this many, the rest add only noise.
_MAX_SPELLINGS = 8

# Tokens that no query term can spell start with a digit (query digits go to the phone
# search): spellings run together carry this mark; `search_index` marks the branch with "0".
JOINED_MARK = "1"

RunKind = Literal["han", "word", "digits", "gap"]
TermKind = Literal["pinyin", "initials", "word"]


class InvalidName(ValueError):
    """A name that is empty or too long once cleaned; the message can be shown to staff."""


@dataclass(frozen=True, slots=True)
class PinyinReading:
    """How a name is said: per character (or latin word) its readings, preferred first."""

    syllables: tuple[tuple[str, ...], ...]

    @property
    def joined(self) -> str:
        """The preferred readings run together: 王先生 → "wangxiansheng"."""
        return "".join(alternatives[0] for alternatives in self.syllables)

    @property
    def initials(self) -> str:
        """First letter of each preferred reading: 王先生 → "wxs"."""
        return "".join(alternatives[0][0] for alternatives in self.syllables)

    def spellings(self) -> Iterator[tuple[str, ...]]:
        """Every combination of readings, preferred first, capped at a few."""
        return islice(product(*self.syllables), _MAX_SPELLINGS)


@dataclass(frozen=True, slots=True)
class Phrase:
    """CJK characters that must appear consecutively (each is its own indexed token)."""

    chars: str


@dataclass(frozen=True, slots=True)
class Prefix:
    """A latin (or other script) word matched as a token prefix, and what it might be."""

    text: str
    kinds: frozenset[TermKind]


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """What a name query looks for: every term must match; digits go to the phone search."""

    terms: tuple[Phrase | Prefix, ...]
    digits: tuple[str, ...] = ()
    honorific: str = ""


class Spelled(NamedTuple):
    """Text a row's tokens must spell, in FTS5's phrase terms: its tokens one after the other,
    the last one only begun when `prefix` ("wa" for "wang")."""

    text: str
    prefix: bool


# Every group must match, by any one of its alternatives.
MatchGroups = tuple[tuple[Spelled, ...], ...]


def visible_text(raw: str) -> str:
    """The text less controls and zero-width or bidi marks, whitespace collapsed to one space."""
    words = raw.split()  # any Unicode whitespace, the ideographic space too
    visible = ("".join(c for c in w if unicodedata.category(c) not in _INVISIBLE) for w in words)
    return " ".join(word for word in visible if word)


def clean_name(raw: str) -> str:
    """The name as typed, made visible (`visible_text`); InvalidName if empty or too long."""
    name = visible_text(raw)
    if not name:
        raise InvalidName("A guest needs a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidName(f"A name can be at most {MAX_NAME_LENGTH} characters long.")
    return name


def split_honorific(name: str) -> tuple[str, str]:
    """("王", "先生") from "王先生", ("Smith", "Mr") from "Mr. Smith"; the name is never empty."""
    if latin := _LATIN_PREFIX.fullmatch(name):
        return latin["name"].strip(), _LATIN_SPELLING[latin["honorific"].casefold()]
    if cjk := _CJK_SUFFIX.fullmatch(name):
        return cjk["name"], cjk["honorific"]
    return name, ""


def pinyin_of(name: str) -> PinyinReading:
    """The name's reading; its first Chinese character(s) are read as a surname."""
    return _reading(name, surname=True)


def search_tokens(name: str, honorific: str = "") -> list[str]:
    """The tokens stored (space-separated) in a guest's search-index row.

    How queries meet them (see `query_terms`):
    - CJK: every character is a token, in order, so 王 / 王先 are phrase queries ("王 先").
    - Latin words, lowercased: "smi" is the prefix query "smi"* and finds "smith".
    - Pinyin: each syllable ("wang"); each full spelling with and without the honorific
      and from each later syllable on, run together and marked ("1wangxiansheng",
      "1xiaoming" for 王小明), so "wangx" and "xiaoming" are prefix queries too.
    - Alternatives: every combination of readings (女 → nv and nu, 曾 → zeng and ceng).
    - Initials of each spelling, with and without the honorific ("wxs"), when 2+ letters.

    Spellings run together are many (a chain has a few hundred thousand) and share their
    starts ("1wangwei", "1wangfang", …): under their own mark they stay out of a prefix query
    such as "wang"* (one syllable's worth, which the syllable tokens answer), which would
    otherwise merge thousands of lists. `match_groups` asks for them only for a word longer
    than a syllable.
    """
    bare, title = pinyin_of(name), _reading(honorific, surname=False)
    # "Mr" is said before the name, 先生 after it.
    in_order = (title, bare) if honorific in LATIN_HONORIFICS else (bare, title)
    full = PinyinReading(in_order[0].syllables + in_order[1].syllables)
    derived = (
        *(alternative for alternatives in full.syllables for alternative in alternatives),
        *_joined_spellings(bare), *_joined_spellings(full), *_initials(bare), *_initials(full),
    )
    text = [*_text_tokens(name), *_text_tokens(honorific)]
    return text + [token for token in dict.fromkeys(derived) if token and token not in text]


def name_words(name: str) -> list[str]:
    """The words of a name that a mistyped search can be corrected to (see `profiles.typos`).

    Latin (and other alphabetic) words, folded: "smith". A Chinese name gives its surname and
    its given name, each read in pinyin and run together, in every spelling: 王小明 → "wang",
    "xiaoming"; 曾 → "zeng", "ceng". A whole name typed run together with a typo
    ("wangxiaomign") is corrected as two of these words.
    """
    words: list[str] = []
    surname = True  # as in `pinyin_of`: only the first Chinese run starts with a surname
    for kind, run in _runs(name):
        if kind == "word":
            words.append(run)
        elif kind == "han":
            readings = _han_readings(run, surname)
            cut = (2 if run[:2] in COMPOUND_SURNAMES else 1) if surname else 0
            surname = False
            for part in (readings[:cut], readings[cut:]):
                if part:
                    words += ("".join(s) for s in islice(product(*part), _MAX_SPELLINGS))
    return list(dict.fromkeys(words))


def name_parts(name: str) -> tuple[str, ...]:
    """A stored name's runs of characters and words, folded as `query_terms` folds what is
    typed: ("王伟",), ("john", "smith"). What a query's words are compared with."""
    return tuple(run for kind, run in _runs(name) if kind in ("han", "word"))


def honorific_words() -> frozenset[str]:
    """The honorifics as a search may spell them: "xiansheng", "mr"; for typo correction."""
    return _HONORIFIC_WORDS


def query_terms(query: str) -> QueryPlan:
    """What staff typed, as terms: CJK runs are phrases, other words are prefixes.

    A latin word is tagged with what it could be (pinyin, initials, a plain word) so the
    caller can rank; all three are stored as tokens, so each is matched as a prefix.
    """
    text = visible_text(query[:MAX_QUERY_LENGTH])
    name, honorific = split_honorific(text) if text else ("", "")
    terms: list[Phrase | Prefix] = []
    digits: list[str] = []
    for kind, run in _runs(name):
        if kind == "han":
            terms.append(Phrase(run))
        elif kind == "word":
            terms.append(Prefix(run, _term_kinds(run)))
        elif kind == "digits":
            digits.append(run)
    return QueryPlan(tuple(terms), tuple(digits), honorific)


def match_groups(plan: QueryPlan) -> MatchGroups:
    """What a row must hold to match `plan`: per term, the alternatives that satisfy it.

    A word that could be the start of one syllable ("wa", "wang") is matched against single
    tokens only; a longer one ("wangw", "smith") also against spellings run together. The
    price: "xian" does not find 西安 ("xi", "an"); its characters and "xian"+more letters do.
    """
    return tuple(_term_alternatives(term) for term in plan.terms)


def fts_match_expression(plan: QueryPlan) -> str | None:
    """A safe FTS5 MATCH argument for `match_groups`: every term quoted; None when there is
    nothing to match."""
    return " AND ".join(_group_expression(group) for group in match_groups(plan)) or None


def _term_alternatives(term: Phrase | Prefix) -> tuple[Spelled, ...]:
    if isinstance(term, Phrase):
        return (Spelled(" ".join(term.chars), False),)
    if term.text in _SYLLABLE_PREFIXES:
        return (Spelled(term.text, True),)
    return Spelled(term.text, True), Spelled(JOINED_MARK + term.text, True)


def _group_expression(group: tuple[Spelled, ...]) -> str:
    if len(group) == 1:
        return _spelled_expression(group[0])
    return f"({' OR '.join(map(_spelled_expression, group))})"


def _spelled_expression(spelled: Spelled) -> str:
    return _quoted(spelled.text) + "*" if spelled.prefix else _quoted(spelled.text)


def _quoted(text: str) -> str:
    # FTS5 string syntax: inside double quotes only a doubled quote is special.
    return '"' + text.replace('"', '""') + '"'


def _char_kind(char: str) -> RunKind:
    if _HAN.match(char):
        return "han"
    category = unicodedata.category(char)
    if category == "Nd":
        return "digits"
    # Marks belong to the letter before them (Hindi, Thai); underscores and dots split words.
    return "word" if category[0] in "LM" else "gap"


def _runs(text: str) -> Iterator[tuple[RunKind, str]]:
    """Folded (NFKC, casefold, simplified Chinese) text cut into han, word and digit runs;
    gaps are dropped."""
    folded = simplified(unicodedata.normalize("NFKC", text).casefold())
    for kind, chars in groupby(folded, key=_char_kind):
        run = "".join(chars)
        if kind != "gap" and (kind != "word" or any(c.isalpha() for c in run)):
            yield kind, run


def _text_tokens(text: str) -> Iterator[str]:
    for kind, run in _runs(text):
        if kind == "han":
            yield from run
        elif kind == "word":
            yield run


@lru_cache(maxsize=4096)
def _reading(text: str, surname: bool) -> PinyinReading:
    syllables: list[tuple[str, ...]] = []
    for kind, run in _runs(text):
        if kind == "han":
            syllables += _han_readings(run, surname)
            surname = False  # only the first Chinese run starts with a surname
        elif kind == "word":
            syllables.append((run,))
    return PinyinReading(tuple(syllables))


def _han_readings(run: str, surname: bool) -> list[tuple[str, ...]]:
    head: list[tuple[str, ...]] = []
    if surname and run[:2] in COMPOUND_SURNAMES:
        head, run = [(syllable,) for syllable in COMPOUND_SURNAMES[run[:2]]], run[2:]
    elif surname and run[:1] in SURNAME_READINGS:
        head, run = [SURNAME_READINGS[run[0]]], run[1:]
    tail = [(syllable,) for syllable in lazy_pinyin(run, style=Style.NORMAL, errors="ignore")]
    return [_with_plain_u(alternatives) for alternatives in head + tail]


def _with_plain_u(alternatives: tuple[str, ...]) -> tuple[str, ...]:
    # pypinyin writes ü as v (nv, lve); staff type either v or u.
    return tuple(dict.fromkeys(s for a in alternatives for s in (a, a.replace("v", "u"))))


def _joined_spellings(reading: PinyinReading) -> Iterator[str]:
    for spelling in reading.spellings():
        for start in range(len(spelling) - 1):  # a last syllable alone is a syllable token
            yield JOINED_MARK + "".join(spelling[start:])


def _initials(reading: PinyinReading) -> Iterable[str]:
    every = ("".join(syllable[0] for syllable in spelling) for spelling in reading.spellings())
    return (initials for initials in every if len(initials) >= 2)


_HONORIFIC_WORDS = frozenset(
    [_reading(h, surname=False).joined for h in CJK_HONORIFICS]
    + [h.casefold() for h in LATIN_HONORIFICS]
)

_PINYIN_INITIALS = ("", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
                    "zh", "ch", "sh", "r", "z", "c", "s", "y", "w")
_PINYIN_FINALS = ("a", "o", "e", "i", "u", "v", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng",
                  "ong", "er", "ia", "ie", "iao", "iu", "ian", "in", "iang", "ing", "iong", "ua",
                  "uo", "uai", "ui", "uan", "un", "uang", "ue", "ve", "van", "vn")
# Every initial + final pairing: a few more than real syllables, enough to say "could be".
_SYLLABLES = frozenset(i + f for i in _PINYIN_INITIALS for f in _PINYIN_FINALS)
_SYLLABLE_PREFIXES = frozenset(s[:end] for s in _SYLLABLES for end in range(1, len(s) + 1))
_INITIAL_LETTERS = frozenset("bcdfghjklmnpqrstwxyz")


def _term_kinds(word: str) -> frozenset[TermKind]:
    kinds: set[TermKind] = {"word"}
    if _could_be_pinyin(_strip_tone_marks(word)):
        kinds.add("pinyin")
    if 2 <= len(word) <= 4 and set(word) <= _INITIAL_LETTERS:
        kinds.add("initials")
    return frozenset(kinds)


def _strip_tone_marks(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("ü", "v"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _could_be_pinyin(word: str) -> bool:
    """Whole syllables then at most a partial one: "wangx" yes, "smith" no (linear time)."""
    reachable = [0]
    for end in range(1, len(word) + 1):
        if any(word[start:end] in _SYLLABLES for start in reachable if end - start <= 6):
            reachable.append(end)
    return any(word[start:] in _SYLLABLE_PREFIXES for start in reachable)
