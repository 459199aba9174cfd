"""Guest search: whatever staff type for a guest, the right guests first, in one read.

A query is parsed by `refs.parse_guest_ref`: "#12", "room 1203", "table 12", phone digits
("0142", "555-0142") or a name in any script, in pinyin, as initials, as a prefix, or with a
typo. Hits are ranked by how they matched (`MatchKind`, best first), then guests of the
caller's branch, then the most recently seen or created.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from functools import partial
from types import MappingProxyType
from typing import Final, Protocol

import phonenumbers
from rapidfuzz import process
from rapidfuzz.distance import OSA

from profiles.db import Database
from profiles.guests import GUEST_COLUMNS
from profiles.models import Frozen, Guest
from profiles.names import (
    MAX_NAME_LENGTH,
    Phrase,
    Prefix,
    QueryPlan,
    fts_match_expression,
    pinyin_of,
    query_terms,
    split_honorific,
    visible_text,
)
from profiles.phones import phone_digits, tail_query
from profiles.refs import (
    ById,
    ByName,
    ByPhoneTail,
    ByRoom,
    ByTable,
    EmptyRef,
    GuestRef,
    parse_guest_ref,
)

# No stored name is longer, so nothing past this can make a query match any better.
MAX_QUERY_LENGTH: Final = MAX_NAME_LENGTH
# Rows read per lookup before ranking: 王 alone matches a large share of a Chinese chain's
# guests, and only the top few are ever shown.
CANDIDATE_CAP: Final = 200
RESOLVE_LIMIT: Final = 10
# Below this many letters a typo cannot be told from a prefix ("smt" could be anything).
FUZZY_MIN_LENGTH: Final = 4
FUZZY_WORDS_PER_TERM: Final = 5
# Latin letters (basic, Latin-1 and Extended-A/B), after folding: the typo vocabulary.
_LATIN_WORD = re.compile(r"[a-z\u00df-\u00f6\u00f8-\u024f]+")
# Two scans of covering indexes: three times faster than DISTINCT over (name, pinyin).
_VOCABULARY_SQL = """
    SELECT DISTINCT name COLLATE NOCASE, '' FROM guests
    UNION ALL SELECT DISTINCT '', pinyin FROM guests
"""


class MatchKind(StrEnum):
    """How a guest matched; the declaration order is the ranking, best first."""

    ID = "id"
    PLACE = "place"  # in the room or at the table right now
    PHONE = "phone"
    EXACT = "exact"
    PREFIX = "prefix"
    SUBSTRING = "substring"
    FUZZY = "fuzzy"


_KIND_RANK: Mapping[MatchKind, int] = MappingProxyType(
    {kind: rank for rank, kind in enumerate(MatchKind)}
)


class SearchHit(Frozen):
    guest: Guest
    match: MatchKind


class Vocabulary(Protocol):
    """The words guests' names are made of, for typo correction.

    The default scans the guests table on every call; at scale, put a cached set, an
    fts5vocab table or a trigram index behind the same method.
    """

    def corrections(self, conn: sqlite3.Connection, words: Sequence[str]) -> dict[str, list[str]]:
        """For each word, the known words a typo or two away, closest first."""
        ...


class ScannedVocabulary:
    """Latin name words and joined pinyin, read from `guests` each time: fine for thousands."""

    def corrections(self, conn: sqlite3.Connection, words: Sequence[str]) -> dict[str, list[str]]:
        """For each word, the known words a typo or two away, closest first."""
        known = self.words(conn)
        return {word: close_words(word, known) for word in words}

    @staticmethod
    def words(conn: sqlite3.Connection) -> set[str]:
        """Every latin word of a guest's name, folded, and every joined pinyin."""
        known: set[str] = set()
        for name, pinyin in conn.execute(_VOCABULARY_SQL):
            known.update(_LATIN_WORD.findall(unicodedata.normalize("NFKC", name).casefold()))
            known.add(pinyin)
        return known


def close_words(word: str, known: Collection[str]) -> list[str]:
    """Known words within one typo (two for long words) of `word`, closest first.

    OSA distance counts a swap of neighbours ("smiht") as one typo.
    """
    typos = 1 if len(word) < 7 else 2
    found = process.extract(
        word, known, scorer=OSA.distance, score_cutoff=typos, limit=FUZZY_WORDS_PER_TERM + 1
    )
    return [match for match, _, _ in found if match != word][:FUZZY_WORDS_PER_TERM]


@dataclass(frozen=True, slots=True)
class _Candidate:
    row: sqlite3.Row
    match: MatchKind


_Candidates = dict[int, _Candidate]


class GuestSearch:
    """Finds guests by whatever staff type; each call is one read in the database's thread."""

    def __init__(self, db: Database, vocabulary: Vocabulary | None = None) -> None:
        self._db = db
        self._vocabulary = vocabulary or ScannedVocabulary()

    async def find(self, query: str, *, branch: str | None, limit: int = 10) -> list[SearchHit]:
        """The guests matching `query`, best first, at most `limit`.

        Any text is answered: a query with nothing searchable in it (blank, punctuation,
        emoji, a single latin letter) gives an empty list, never an error.
        """
        ref = _parse(query)
        if ref is None or limit < 1:
            return []
        return await self._db.read(lambda conn: self._find(conn, ref, branch, limit))

    async def resolve(self, ref_text: str, *, branch: str | None) -> list[Guest]:
        """The guest staff mean by `ref_text`: one guest, several to choose from, or none.

        `#id` is that guest; a room or table is the guest there now (latest open visit in
        `branch`); digits and names are searched like `find`, narrowed to the one hit that
        is the whole phone number or the full name, when there is exactly one such hit.
        """
        ref = _parse(ref_text)
        if ref is None:
            return []
        hits = await self._db.read(lambda conn: self._find(conn, ref, branch, RESOLVE_LIMIT))
        whole = [hit.guest for hit in hits if _names_whole(ref, hit.guest)]
        return whole if len(whole) == 1 else [hit.guest for hit in hits]

    def _find(
        self, conn: sqlite3.Connection, ref: GuestRef, branch: str | None, limit: int
    ) -> list[SearchHit]:
        found = self._candidates(conn, ref, branch, limit)
        best = heapq.nsmallest(limit, found.values(), key=partial(_rank_key, branch=branch))
        return [SearchHit(guest=Guest.model_validate(dict(c.row)), match=c.match) for c in best]

    def _candidates(
        self, conn: sqlite3.Connection, ref: GuestRef, branch: str | None, limit: int
    ) -> _Candidates:
        match ref:
            case ById(id=guest_id):
                return _collect(_rows_by_id(conn, guest_id), MatchKind.ID)
            case ByRoom(number=number):
                rows = _occupant_rows(conn, _ROOM_SQL, number, branch, limit)
                return _collect(rows, MatchKind.PLACE)
            case ByTable(number=number):
                rows = _occupant_rows(conn, _TABLE_SQL, number, branch, limit)
                return _collect(rows, MatchKind.PLACE)
            case ByPhoneTail(digits=digits):
                return _collect(_phone_rows(conn, digits), MatchKind.PHONE)
            case ByName(query=text):
                return self._by_name(conn, text, limit)

    def _by_name(self, conn: sqlite3.Connection, text: str, limit: int) -> _Candidates:
        plan = query_terms(text)
        typed, expression = TypedName.of(plan), fts_match_expression(plan)
        if expression is None or not _specific_enough(typed):
            return {}
        found: _Candidates = {}
        forms = _FormsMemo()
        for row in [*_exact_rows(conn, text, typed), *_fts_rows(conn, expression)]:
            if row["id"] not in found:
                _keep(found, row, classify(typed, forms.of(row)))
        if len(found) < limit:
            self._keep_fuzzy(conn, found, plan, forms)
        return found

    def _keep_fuzzy(
        self, conn: sqlite3.Connection, found: _Candidates, plan: QueryPlan, forms: _FormsMemo
    ) -> None:
        """Add guests with a name word one typo away from a word of the query.

        The corrected word must be a whole word of the name (or its whole pinyin): "smiht"
        means Smith, not Smithers.
        """
        prefixes = (term.text for term in plan.terms if isinstance(term, Prefix))
        typed = [text for text in prefixes if len(text) >= FUZZY_MIN_LENGTH]
        if not typed:
            return
        corrections = self._vocabulary.corrections(conn, typed)
        for word, corrected in _corrected_plans(plan, corrections):
            expression = fts_match_expression(corrected)
            for row in _fts_rows(conn, expression) if expression is not None else []:
                name = forms.of(row)
                if word in name.words or word in name.spoken:
                    _keep(found, row, MatchKind.FUZZY)


def _corrected_plans(
    plan: QueryPlan, corrections: Mapping[str, list[str]]
) -> Iterator[tuple[str, QueryPlan]]:
    """Each correction, with the plan that has it in place of the word typed.

    A word that only extends or cuts the typed one is skipped: the prefix search already
    found the first ("smit" → "smith"), and the second means staff are still typing a
    longer word ("wangw" → "wang").
    """
    for index, term in enumerate(plan.terms):
        if isinstance(term, Prefix):
            for word in corrections.get(term.text, []):
                if word.startswith(term.text) or term.text.startswith(word):
                    continue
                terms = (*plan.terms[:index], Prefix(word, term.kinds), *plan.terms[index + 1 :])
                yield word, replace(plan, terms=terms)


def _parse(text: str) -> GuestRef | None:
    try:
        return parse_guest_ref(text[:MAX_QUERY_LENGTH])
    except EmptyRef:
        return None


def _specific_enough(typed: TypedName) -> bool:
    """Not a lone ASCII letter, which would match a large share of all guests.

    One CJK character is a surname (王), and so is one Hangul syllable (김).
    """
    return len(typed.compact) >= 2 or not typed.compact.isascii()


# --- reading candidates --------------------------------------------------------------------

_BY_ID_SQL = f"SELECT {GUEST_COLUMNS} FROM guests g WHERE g.id = ?"

# The phone key is the digits reversed, so a tail is a key prefix: a b-tree range, not LIKE.
_PHONE_SQL = f"""
    SELECT {GUEST_COLUMNS} FROM guests g
    WHERE g.phone_rev >= ? AND g.phone_rev < ? ORDER BY g.id DESC LIMIT ?
"""

# Exact names and pinyin are read by index, uncapped by the full-text cap below: the one
# 王先生 meant must not be lost among thousands of guests called 王something.
_EXACT_SQL = f"""
    SELECT {GUEST_COLUMNS} FROM guests g WHERE g.id IN (
        SELECT id FROM guests WHERE name = ? COLLATE NOCASE OR pinyin = ?
        ORDER BY id DESC LIMIT ?)
"""

# FTS5 walks its doclists in rowid order natively: the cap keeps the newest guests.
_FTS_SQL = f"""
    SELECT {GUEST_COLUMNS} FROM guests g WHERE g.id IN (
        SELECT rowid FROM guest_search WHERE guest_search MATCH ? ORDER BY rowid DESC LIMIT ?)
"""

# In a branch, the room's latest open visit; with no branch, each open visit at that number.
_OCCUPANT_SQL = """
    SELECT {columns} FROM guests g WHERE g.id IN (
        SELECT v.guest_id FROM visits v
        WHERE v.{place} = ? AND v.left_at IS NULL AND (v.branch = ? OR ? IS NULL)
        ORDER BY v.arrived_at DESC, v.id DESC LIMIT ?)
"""
_ROOM_SQL = _OCCUPANT_SQL.format(columns=GUEST_COLUMNS, place="room_no")
_TABLE_SQL = _OCCUPANT_SQL.format(columns=GUEST_COLUMNS, place="table_no")


def _rows_by_id(conn: sqlite3.Connection, guest_id: int) -> list[sqlite3.Row]:
    return conn.execute(_BY_ID_SQL, (guest_id,)).fetchall()


def _occupant_rows(
    conn: sqlite3.Connection, sql: str, number: str, branch: str | None, limit: int
) -> list[sqlite3.Row]:
    occupants = 1 if branch is not None else limit
    return conn.execute(sql, (number, branch, branch, occupants)).fetchall()


def _phone_rows(conn: sqlite3.Connection, digits: str) -> list[sqlite3.Row]:
    key = tail_query(digits)
    if key is None:
        return []
    return conn.execute(_PHONE_SQL, (key, key_upper_bound(key), CANDIDATE_CAP)).fetchall()


def key_upper_bound(prefix: str) -> str:
    """The least string above every string starting with `prefix` ("2410" → "2411")."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _exact_rows(conn: sqlite3.Connection, text: str, typed: TypedName) -> list[sqlite3.Row]:
    # Names are stored cleaned (visible_text) and without their honorific: query the same.
    name, _ = split_honorific(visible_text(text))
    return conn.execute(_EXACT_SQL, (name, typed.compact, CANDIDATE_CAP)).fetchall()


def _fts_rows(conn: sqlite3.Connection, expression: str) -> list[sqlite3.Row]:
    return conn.execute(_FTS_SQL, (expression, CANDIDATE_CAP)).fetchall()


def _collect(rows: Iterable[sqlite3.Row], kind: MatchKind) -> _Candidates:
    return {row["id"]: _Candidate(row, kind) for row in rows}


def _keep(found: _Candidates, row: sqlite3.Row, kind: MatchKind) -> None:
    """Add the row as `kind`; a guest found twice keeps its better match."""
    seen = found.get(row["id"])
    if seen is None or _KIND_RANK[kind] < _KIND_RANK[seen.match]:
        found[row["id"]] = _Candidate(row, kind)


# --- ranking -------------------------------------------------------------------------------


def _rank_key(candidate: _Candidate, *, branch: str | None) -> tuple[int, bool, float, int]:
    """Smaller is better: match kind, then the caller's branch, then recency, then newest id."""
    row = candidate.row
    elsewhere = branch is None or branch not in (row["branch"], row["last_seen_branch"])
    return (_KIND_RANK[candidate.match], elsewhere, -_recency(row), -row["id"])


def _recency(row: sqlite3.Row) -> float:
    # Stored times are ISO-8601 UTC with their offset, so timestamps compare across rows.
    return datetime.fromisoformat(row["last_seen_at"] or row["created_at"]).timestamp()


# --- how a name matched --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TypedName:
    """A name query, folded once: its words, the words run together, the honorific asked for."""

    words: tuple[str, ...]
    compact: str
    honorific: str

    @classmethod
    def of(cls, plan: QueryPlan) -> TypedName:
        words = _words(plan)
        return cls(words=words, compact="".join(words), honorific=plan.honorific)


@dataclass(frozen=True, slots=True)
class NameForms:
    """A guest's name in the forms a query can meet it, folded the way queries are."""

    words: tuple[str, ...]  # ("john", "smith"), ("王伟",)
    compact: str  # "johnsmith", "王伟"
    spoken: tuple[str, ...]  # joined pinyin, bare and with the honorific: "wang", "wangxiansheng"
    initials: tuple[str, ...]  # "ww", "wxs"
    honorific: str


def name_forms(name: str, honorific: str) -> NameForms:
    """The forms of a stored name (already split from its honorific)."""
    words = _words(query_terms(name))
    bare, title = pinyin_of(name), pinyin_of(honorific)
    spoken, initials = (bare.joined, title.joined), (bare.initials, title.initials)
    return NameForms(
        words=words,
        compact="".join(words),
        spoken=(spoken[0], spoken[0] + spoken[1], spoken[1] + spoken[0]),
        initials=(initials[0], initials[0] + initials[1], initials[1] + initials[0]),
        honorific=honorific,
    )


class _FormsMemo:
    """Name forms computed once per name within one search: common names repeat a lot."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], NameForms] = {}

    def of(self, row: sqlite3.Row) -> NameForms:
        key = (row["name"], row["honorific"])
        if key not in self._known:
            self._known[key] = name_forms(*key)
        return self._known[key]


def classify(typed: TypedName, forms: NameForms) -> MatchKind:
    """How well a name query meets a name the full-text index matched.

    Exact: the full name (in characters or pinyin) or whole words of it, with no other
    honorific than the one asked for. Prefix: the start of the name, its pinyin or its
    initials, or the start of each of its words. Substring: anything else the index found
    (a later character, a later syllable, a second reading such as 曾 "ceng").
    """
    if _honorific_agrees(typed, forms) and (
        is_full_name(typed, forms) or set(typed.words) <= set(forms.words)
    ):
        return MatchKind.EXACT
    starts = (forms.compact, *forms.spoken, *forms.initials)
    if any(form.startswith(typed.compact) for form in starts) or all(
        any(word.startswith(part) for word in forms.words) for part in typed.words
    ):
        return MatchKind.PREFIX
    return MatchKind.SUBSTRING


def is_full_name(typed: TypedName, forms: NameForms) -> bool:
    """The query is the whole name, in characters or pinyin, with or without its honorific."""
    return _honorific_agrees(typed, forms) and (
        typed.compact == forms.compact or typed.compact in forms.spoken
    )


def _honorific_agrees(typed: TypedName, forms: NameForms) -> bool:
    # "王先生" asks for 王先生, not 王女士; a bare "王" asks for either.
    return not typed.honorific or typed.honorific == forms.honorific


def _words(plan: QueryPlan) -> tuple[str, ...]:
    return tuple(t.chars if isinstance(t, Phrase) else t.text for t in plan.terms)


def _names_whole(ref: GuestRef, guest: Guest) -> bool:
    """Whether `guest` is exactly what `ref` spells out: the full name or the whole number."""
    match ref:
        case ByName(query=text):
            typed = TypedName.of(query_terms(text))
            return is_full_name(typed, name_forms(guest.name, guest.honorific))
        case ByPhoneTail(digits=digits):
            return guest.phone is not None and is_whole_number(digits, guest.phone)
        case _:
            return True


def is_whole_number(digits: str, e164: str) -> bool:
    """The digits are the whole number: international ("8613800138000", "0086…") or national."""
    national = str(phonenumbers.parse(e164).national_number)
    return digits.lstrip("0") in (phone_digits(e164), national)
