"""Guest search: whatever staff type for a guest, the right guests first, in one read.

A query is parsed by `refs.parse_guest_ref`: "#12", "room 1203", "table 12", phone digits
("0142", "555-0142") or a name in any script, in pinyin, as initials, as a prefix, or with a
typo. Hits are ranked by how they matched (`MatchKind`, best first), then guests of the
caller's branch, then the most recently seen or created.

At chain scale (a million guests) every kind of query is an index lookup, never a scan:
- a name: the rows of `search_index` (CJK characters as phrase tokens, words, pinyin,
  initials; FTS5 on SQLite, a GIN index of the same tokens on PostgreSQL, where a common
  term's newest guests are kept in a list of their own), and b-tree lookups of exact names
  and pinyin;
- a typo: rapidfuzz over the few thousand name words of `typos`, then the index again;
- phone digits: a b-tree range on the reversed number; `#id`: the primary key; a room or
  table: the partial indexes of open visits.
王 alone matches a large share of a Chinese chain, so each lookup reads a bounded number of
candidates, newest first, chain-wide and, when those are capped, within the caller's branch
(its branch token); the best `limit` of them are picked with a bounded heap, never a full sort.
Beyond the cap an older guest recently seen ranks by age, not by the visit: visits do not reach
the index. BENCHMARKS.md has the figures at a million guests.
"""

from __future__ import annotations

import heapq
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Final

import phonenumbers

from profiles.guests import GUEST_COLUMNS
from profiles.merges import merged_into
from profiles.models import Frozen, Guest, GuestCard, Staff
from profiles.name_match import (
    KIND_RANK,
    MatchKind,
    NameForms,
    TypedName,
    classify,
    is_full_name,
    name_forms,
)
from profiles.names import (
    MAX_NAME_LENGTH,
    MatchGroups,
    Phrase,
    Prefix,
    QueryPlan,
    Spelled,
    fts_match_expression,
    match_groups,
    pinyin_of,
    query_terms,
    split_honorific,
    visible_text,
)
from profiles.nicknames import nicknames
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
from profiles.search_index import (
    IndexLookup,
    branch_token,
    index_lookup,
    index_lookup_of,
    list_newest,
    newest_matches,
    terms_to_list,
)
from profiles.traits import load_traits
from profiles.typos import NameVocabulary, Vocabulary
from profiles.visibility import visible_card
from store.database import Database, WriteBudget
from store.sql import Conn, Dialect, Row, dialect, question_marks

# No stored name is longer, so nothing past this can make a query match any better.
MAX_QUERY_LENGTH: Final = MAX_NAME_LENGTH
# Candidates read per lookup (and again within the caller's branch) before ranking: only
# the top few are ever shown, and every candidate costs a row read and a classification.
CANDIDATE_CAP: Final = 50
RESOLVE_LIMIT: Final = 10
# How often the sweep asks which search terms are common, and its time for listing them.
TERMS_CHECKED_EVERY: Final = timedelta(hours=1)
LISTING_SECONDS: Final = 0.2
# Below this many letters a typo cannot be told from a prefix ("smt" could be anything).
FUZZY_MIN_LENGTH: Final = 4


class SearchHit(Frozen):
    guest: Guest
    match: MatchKind


@dataclass(frozen=True, slots=True)
class _Candidate:
    row: Row
    match: MatchKind


_Candidates = dict[int, _Candidate]


class GuestSearch:
    """Finds guests by whatever staff type; each call is one read in the database's thread."""

    def __init__(self, db: Database, vocabulary: Vocabulary | None = None) -> None:
        self._db = db
        self._vocabulary = vocabulary or NameVocabulary()
        self._to_list: deque[str] = deque()  # common terms still without their newest matches
        self._terms_checked: datetime | None = None

    async def list_common_terms(self, now: datetime) -> int:
        """The sweep's share (PostgreSQL only): terms that have become common get their list
        of newest matches (see `search_index.newest_matches`), a few a sweep, each in a
        write of its own; which terms are common is checked hourly. The number listed."""
        if self._db.dialect != "postgresql":
            return 0
        if self._terms_checked is None or now - self._terms_checked >= TERMS_CHECKED_EVERY:
            self._to_list = deque(await self._db.read(terms_to_list))
            self._terms_checked = now
        listed, budget = 0, WriteBudget(LISTING_SECONDS)
        while self._to_list and budget.another():
            await self._db.write(partial(list_newest, term=self._to_list.popleft()))
            listed += 1
        return listed

    async def find(self, query: str, *, branch: str | None, limit: int = 10) -> list[SearchHit]:
        """The guests matching `query`, best first, at most `limit`.

        Any text is answered: a query with nothing searchable in it (blank, punctuation,
        emoji, a single latin letter) gives an empty list, never an error.
        """
        ref = _parse(query)
        if ref is None or limit < 1:
            return []
        return await self._db.read(lambda conn: self._find(conn, ref, branch, limit))

    async def find_cards(self, query: str, *, branch: str | None, limit: int,
                         viewer: Staff | None = None) -> list[GuestCard]:
        """`find`, each guest with its standing traits, in the same one read; as `viewer`'s
        role may see them (profiles.visibility; the bot always names one)."""
        ref = _parse(query)
        if ref is None or limit < 1:
            return []

        def work(conn: Conn) -> list[GuestCard]:
            hits = self._find(conn, ref, branch, limit)
            cards = [GuestCard(guest=hit.guest, traits=load_traits(conn, hit.guest.id))
                     for hit in hits]
            return cards if viewer is None else [visible_card(card, viewer) for card in cards]

        return await self._db.read(work)

    async def resolve(self, ref_text: str, *, branch: str | None) -> list[Guest]:
        """The guest staff mean by `ref_text`: one guest, several to choose from, or none.

        `#id` is that guest (or, if it was merged into another, the guest kept); a room or
        table is the guest there now (latest open visit in `branch`); digits and names are
        searched like `find`, narrowed to the one hit that is the whole phone number or the
        full name, when there is exactly one such hit.
        """
        ref = _parse(ref_text)
        if ref is None:
            return []
        hits = await self._db.read(lambda conn: self._find(conn, ref, branch, RESOLVE_LIMIT))
        guests = [hit.guest for hit in hits]
        whole = _named_whole(ref, guests)
        return whole if len(whole) == 1 else guests

    async def resolve_to_write(
        self, ref_text: str, *, branch: str | None
    ) -> tuple[Guest | None, list[Guest]]:
        """For a command that changes a guest: the one guest `ref_text` names exactly, and
        the guests it may mean. Exactly is `#id`, a room or table with one occupant, the
        whole phone number, or the name, or whole words of it ("Smith", "王先生"), that one
        guest has; a look-alike (`Anne Lee` for Anna Lee, a prefix, the last digits of a
        phone) is only ever a candidate, for a person to choose with a button."""
        ref = _parse(ref_text)
        if ref is None:
            return None, []
        hits = await self._db.read(lambda conn: self._find(conn, ref, branch, RESOLVE_LIMIT))
        guests = [hit.guest for hit in hits]
        exact = [hit.guest for hit in hits if _names_exactly(ref, hit)]
        return (exact[0] if len(exact) == 1 else None), (exact if len(exact) == 1 else guests)

    def _find(
        self, conn: Conn, ref: GuestRef, branch: str | None, limit: int
    ) -> list[SearchHit]:
        found = self._candidates(conn, ref, branch, limit)
        best = heapq.nsmallest(limit, found.values(), key=partial(_rank_key, branch=branch))
        return [SearchHit(guest=Guest.model_validate(dict(c.row)), match=c.match) for c in best]

    def _candidates(
        self, conn: Conn, ref: GuestRef, branch: str | None, limit: int
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
                return self._by_name(conn, text, branch, limit)

    def _by_name(
        self, conn: Conn, text: str, branch: str | None, limit: int
    ) -> _Candidates:
        plan = query_terms(text)
        typed = TypedName.of(plan)
        if not plan.terms or not _specific_enough(typed):
            return {}
        ids = list(dict.fromkeys(
            [*_exact_ids(conn, text, typed, branch), *_index_ids(conn, plan, branch)]))
        # Too few: the corrections of a typo are looked up before any guest is read, and the
        # guests of both read together (each read is a round trip on PostgreSQL).
        corrected = self._corrections(conn, plan) if len(ids) < limit else []
        found_by = _index_ids_of_each(conn, [fixed for _, fixed in corrected], branch)
        rows = _rows_by_key(conn, [*ids, *(i for each in found_by for i in each)])
        found: _Candidates = {}
        forms = _FormsMemo()
        for guest_id in ids:
            if (row := rows.get(guest_id)) is not None:
                found[guest_id] = _Candidate(row, classify(typed, forms.of(row)))
        _keep_corrected(found, corrected, found_by, rows, forms,
                        lambda name, word: word in name.words or word in name.spoken)
        if len(found) < limit:
            _keep_nicknames(conn, found, plan, branch, forms)
        if len(found) < limit:
            _keep_homophones(conn, found, plan, branch, forms)
        return found

    def _corrections(self, conn: Conn, plan: QueryPlan) -> list[tuple[str, QueryPlan]]:
        """The plan with a word of the query a typo away in place of the word typed, for
        each such word: a guest found by one is kept when the word is a whole word of the
        name (or its whole pinyin): "smiht" means Smith, not Smithers."""
        prefixes = (term.text for term in plan.terms if isinstance(term, Prefix))
        typed = [text for text in prefixes if len(text) >= FUZZY_MIN_LENGTH]
        if not typed:
            return []
        return list(_corrected_plans(plan, self._vocabulary.corrections(conn, typed)))


def _keep_nicknames(
    conn: Conn, found: _Candidates, plan: QueryPlan, branch: str | None, forms: _FormsMemo,
) -> None:
    """Add guests whose name has the formal name of a nickname typed ("bill" → William), as
    whole words, ranked with typos."""
    short = {term.text: list(nicknames()[term.text]) for term in plan.terms
             if isinstance(term, Prefix) and term.text in nicknames()}
    formal = list(_corrected_plans(plan, short))
    found_by = _index_ids_of_each(conn, [fixed for _, fixed in formal], branch)
    rows = _rows_by_key(conn, (i for each in found_by for i in each if i not in found))
    _keep_corrected(found, formal, found_by, rows, forms, lambda name, word: word in name.words)


def _keep_corrected(
    found: _Candidates, corrected: Sequence[tuple[str, QueryPlan]],
    found_by: Sequence[list[int]], rows: Mapping[int, Row], forms: _FormsMemo,
    has_word: Callable[[NameForms, str], bool],
) -> None:
    """Add, ranked with typos, the guests each corrected plan found (`found_by`, in order)
    whose name has the word it put in."""
    for (word, _), ids in zip(corrected, found_by, strict=True):
        for guest_id in ids:
            row = rows.get(guest_id)
            if row is not None and guest_id not in found and has_word(forms.of(row), word):
                found[guest_id] = _Candidate(row, MatchKind.FUZZY)


def _keep_homophones(
    conn: Conn, found: _Candidates, plan: QueryPlan, branch: str | None, forms: _FormsMemo,
) -> None:
    """Add guests whose name sounds as the Chinese typed, tones aside (汪先生 → 王先生,
    章伟 → 张伟), ranked with typos: below every match in the characters typed."""
    if not plan.terms or not all(isinstance(term, Phrase) for term in plan.terms):
        return
    sound = "".join(pinyin_of(term.chars).joined for term in plan.terms
                    if isinstance(term, Phrase))
    if not sound:
        return
    spoken = query_terms(sound + plan.honorific)
    for row in _rows(conn, (i for i in _index_ids(conn, spoken, branch) if i not in found)):
        name = forms.of(row)
        if (not plan.honorific or plan.honorific == name.honorific) and any(
                form.startswith(sound) for form in name.spoken):
            found[row["id"]] = _Candidate(row, MatchKind.FUZZY)


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

# The phone key is the digits reversed, so a tail is a key prefix: a b-tree range, not LIKE.
_PHONE_SQL = f"""
    SELECT {GUEST_COLUMNS} FROM guests g
    WHERE g.phone_rev >= ? AND g.phone_rev < ? ORDER BY g.id DESC LIMIT ?
"""

# Exact names and pinyin are read by index, apart from the name index's cap: the one 王先生
# meant must not be lost among thousands of guests called 王something. Two capped index walks,
# newest first: `name = ? OR pinyin = ?` sorts every match (thousands for 王: 2.7 ms, not 0.02).
# Latin names in any case: SQLite's NOCASE index; PostgreSQL's on (lower(name), id), whose id
# makes the walk newest first there too.
_EXACT_SQL = """
    SELECT id FROM (SELECT id FROM guests WHERE {name} {branch}
                    ORDER BY id DESC LIMIT :cap) AS by_name
    UNION SELECT id FROM (SELECT id FROM guests WHERE pinyin = :pinyin {branch}
                          ORDER BY id DESC LIMIT :cap) AS by_pinyin
"""
_NAME_EQUALS: dict[Dialect, str] = {"sqlite": "name = :name COLLATE NOCASE",
                                    "postgresql": "lower(name) = lower(:name)"}
_EXACT_ANYWHERE_SQL = {kind: _EXACT_SQL.format(name=equals, branch="")
                       for kind, equals in _NAME_EQUALS.items()}
# and the caller's branch apart, in the same statement (one round trip on PostgreSQL)
_EXACT_IN_BRANCH_SQL = {
    kind: _EXACT_SQL.format(name=equals, branch="AND branch = :branch")
    + " UNION " + _EXACT_SQL.format(name=equals, branch="")
    for kind, equals in _NAME_EQUALS.items()}

# FTS5 walks its doclists in rowid order natively: the cap keeps the newest guests.
_FTS_SQL = """
    SELECT rowid FROM guest_search WHERE guest_search MATCH ? ORDER BY rowid DESC LIMIT ?
"""

# PostgreSQL: the GIN index's matches, newest first, of lookup number {number}. Rows whose
# phrases need an order check are read a page at a time, until the cap is met or the matches
# run out.
_GIN_SQL = """
    (SELECT {number}, guest_id, tokens FROM guest_search WHERE {condition} {below}
     ORDER BY guest_id DESC LIMIT ?)
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


_ROWS_SQL = f"SELECT {GUEST_COLUMNS} FROM guests g WHERE g.id "


def _rows(conn: Conn, ids: Iterable[int]) -> list[Row]:
    """The guests with these ids, each read once."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    if dialect(conn) == "postgresql":
        # one array, not a parameter per id: a typo's few hundred candidates are quoted
        # into the statement on the client, and parsed by the server, a value at a time
        return conn.execute(_ROWS_SQL + "= ANY(?)", (unique,)).fetchall()
    marks = question_marks(unique)
    return conn.execute(_ROWS_SQL + f"IN ({marks})", unique).fetchall()


def _rows_by_key(conn: Conn, ids: Iterable[int]) -> dict[int, Row]:
    return {row["id"]: row for row in _rows(conn, ids)}


def _rows_by_id(conn: Conn, guest_id: int) -> list[Row]:
    rows = _rows(conn, [guest_id])
    if not rows and (kept := merged_into(conn, guest_id)) is not None:
        rows = _rows(conn, [kept])
    return rows


def _occupant_rows(
    conn: Conn, sql: str, number: str, branch: str | None, limit: int
) -> list[Row]:
    occupants = 1 if branch is not None else limit
    return conn.execute(sql, (number, branch, branch, occupants)).fetchall()


def _phone_rows(conn: Conn, digits: str) -> list[Row]:
    key = tail_query(digits)
    if key is None:
        return []
    return conn.execute(_PHONE_SQL, (key, key_upper_bound(key), CANDIDATE_CAP)).fetchall()


def key_upper_bound(prefix: str) -> str:
    """The least string above every string starting with `prefix` ("2410" → "2411")."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _exact_ids(
    conn: Conn, text: str, typed: TypedName, branch: str | None
) -> list[int]:
    # Names are stored cleaned (visible_text) and without their honorific: query the same.
    name, _ = split_honorific(visible_text(text))
    keys = {"name": name, "pinyin": typed.compact, "branch": branch, "cap": CANDIDATE_CAP}
    sql = _EXACT_ANYWHERE_SQL if branch is None else _EXACT_IN_BRANCH_SQL
    return [i for (i,) in conn.execute(sql[dialect(conn)], keys)]


def _index_ids(conn: Conn, plan: QueryPlan, branch: str | None) -> list[int]:
    """The newest guests whose index row matches `plan`, capped; and when capped, the
    newest of the caller's branch too."""
    return _index_ids_of_each(conn, [plan], branch)[0]


def _index_ids_of_each(
    conn: Conn, plans: Sequence[QueryPlan], branch: str | None
) -> list[list[int]]:
    """`_index_ids` of each plan. On PostgreSQL in a few statements for all the plans
    together (a typo's corrections): each statement is a round trip to the server."""
    if dialect(conn) == "sqlite":
        found = []
        for plan in plans:
            expression = fts_match_expression(plan)
            found.append(_fts_ids(conn, expression, branch) if expression is not None else [])
        return found
    return _gin_ids(conn, [match_groups(plan) for plan in plans], branch)


def _fts_ids(conn: Conn, expression: str, branch: str | None) -> list[int]:
    ids = [i for (i,) in conn.execute(_FTS_SQL, (expression, CANDIDATE_CAP))]
    if branch is not None and len(ids) == CANDIDATE_CAP:
        # Capped: the caller's own guests may be among the older matches. Under the cap,
        # every match is there already.
        scoped = f'({expression}) AND "{branch_token(branch)}"'
        ids += [i for (i,) in conn.execute(_FTS_SQL, (scoped, CANDIDATE_CAP))]
    return ids


def _gin_ids(
    conn: Conn, groups: Sequence[MatchGroups], branch: str | None
) -> list[list[int]]:
    ids = _gin_matches(conn, groups)
    capped = [n for n, found in enumerate(ids) if len(found) == CANDIDATE_CAP]
    if branch is not None and capped:
        in_branch = (Spelled(branch_token(branch), False),)
        scoped = _gin_matches(conn, [(*groups[n], in_branch) for n in capped])
        for n, more in zip(capped, scoped, strict=True):
            ids[n] += more
    return ids


def _gin_matches(conn: Conn, groups: Sequence[MatchGroups]) -> list[list[int]]:
    """The newest matches of each lookup: a common term's from its list of newest matches
    (see `search_index.newest_matches`), the rest from the GIN index, where they are rare
    enough to be quick; one statement for all the lists, one for all the GIN lookups."""
    lookups = [index_lookup(each) for each in groups]
    alternatives = [None if lookup is None else lookup.single_terms() for lookup in lookups]
    asked = {term: None for terms in alternatives if terms is not None for term in terms}
    listed = newest_matches(conn, list(asked), CANDIDATE_CAP) if asked else {}
    unlisted: list[IndexLookup | None] = []
    for lookup, terms in zip(lookups, alternatives, strict=True):
        rare = () if terms is None else tuple(term for term in terms if term not in listed)
        unlisted.append(lookup if terms is None else index_lookup_of(rare) if rare else None)
    matched = _gin_queries(conn, unlisted)
    for n, terms in enumerate(alternatives):
        if terms is not None and any(term in listed for term in terms):
            newest = {*matched[n], *(i for term in terms for i in listed.get(term, ()))}
            matched[n] = sorted(newest, reverse=True)[:CANDIDATE_CAP]
    return matched


def _gin_queries(conn: Conn, lookups: Sequence[IndexLookup | None]) -> list[list[int]]:
    """Each lookup's newest matches from the GIN index (none for None), the first page of
    each in one statement; each subquery is planned with its own terms, as it would be alone."""
    found: list[list[int]] = [[] for _ in lookups]
    asked = [(n, lookup) for n, lookup in enumerate(lookups) if lookup is not None]
    if not asked:
        return found
    parts, params = [], []
    for n, lookup in asked:
        condition, values = lookup.condition()
        parts.append(_GIN_SQL.format(number=n, condition=condition, below=""))
        params += [*values, CANDIDATE_CAP]
    pages: list[list[tuple[int, str]]] = [[] for _ in lookups]
    for n, guest_id, tokens in conn.execute(" UNION ALL ".join(parts), params):
        pages[n].append((guest_id, tokens))
    for n, lookup in asked:
        rows = pages[n]
        found[n] = [guest_id for guest_id, tokens in rows if lookup.spelled_by(tokens)]
        if len(found[n]) < CANDIDATE_CAP and len(rows) == CANDIDATE_CAP:
            found[n] += _gin_pages(conn, lookup, below=rows[-1][0],
                                   wanted=CANDIDATE_CAP - len(found[n]))
    return found


def _gin_pages(conn: Conn, lookup: IndexLookup, *, below: int, wanted: int) -> list[int]:
    """Matches older than `below`, a page at a time, for a lookup whose rows need their
    phrases' order checked, until `wanted` of them or the matches run out."""
    condition, params = lookup.condition()
    sql = _GIN_SQL.format(number=0, condition=condition, below="AND guest_id < ?")
    ids: list[int] = []
    while True:
        rows = conn.execute(sql, [*params, below, CANDIDATE_CAP]).fetchall()
        ids += [guest_id for _, guest_id, tokens in rows if lookup.spelled_by(tokens)]
        if len(ids) >= wanted or len(rows) < CANDIDATE_CAP:
            return ids[:wanted]
        below = rows[-1][1]


def _collect(rows: Iterable[Row], kind: MatchKind) -> _Candidates:
    return {row["id"]: _Candidate(row, kind) for row in rows}


class _FormsMemo:
    """Name forms computed once per name within one search: common names repeat a lot."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], NameForms] = {}

    def of(self, row: Row) -> NameForms:
        key = (row["name"], row["honorific"])
        if key not in self._known:
            self._known[key] = name_forms(*key, pinyin=row["pinyin"])
        return self._known[key]


# --- ranking -------------------------------------------------------------------------------


def _rank_key(candidate: _Candidate, *, branch: str | None) -> tuple[int, bool, float, int]:
    """Smaller is better: match kind, then the caller's branch, then recency, then newest id."""
    row = candidate.row
    elsewhere = branch is None or branch not in (row["branch"], row["last_seen_branch"])
    return (KIND_RANK[candidate.match], elsewhere, -_recency(row), -row["id"])


def _recency(row: Row) -> float:
    # Stored times are ISO-8601 UTC with their offset, so timestamps compare across rows.
    return datetime.fromisoformat(row["last_seen_at"] or row["created_at"]).timestamp()


_DIGITS = re.compile(r"\d+")


def _names_exactly(ref: GuestRef, hit: SearchHit) -> bool:
    match ref:
        case ByName(query=text):
            # the index reads no digits in names: "Guest5" must not be "Guest0" here
            return hit.match is MatchKind.EXACT and (
                _DIGITS.findall(hit.guest.name) == _DIGITS.findall(text))
        case ByPhoneTail(digits=digits):
            return hit.guest.phone is not None and is_whole_number(digits, hit.guest.phone)
        case _:
            return True


def _named_whole(ref: GuestRef, guests: list[Guest]) -> list[Guest]:
    """The guests that are exactly what `ref` spells out: the full name or the whole number."""
    match ref:
        case ByName(query=text):
            typed = TypedName.of(query_terms(text))
            # the index reads no digits in names: "Guest5" must not be "Guest0" here
            digits = _DIGITS.findall(text)
            return [guest for guest in guests if is_full_name(
                typed, name_forms(guest.name, guest.honorific, guest.pinyin))
                and _DIGITS.findall(guest.name) == digits]
        case ByPhoneTail(digits=digits):
            return [guest for guest in guests
                    if guest.phone is not None and is_whole_number(digits, guest.phone)]
        case _:
            return guests


def is_whole_number(digits: str, e164: str) -> bool:
    """The digits are the whole number: international ("8613800138000", "0086…") or national."""
    national = str(phonenumbers.parse(e164).national_number)
    return digits.lstrip("0") in (phone_digits(e164), national)
