"""The search index, written in the same transaction as the guest it describes.

A guest's row in `guest_search` (keyed by the guest id) holds the tokens of its name
(`names.search_tokens`) and its branch as a token no query can spell (`branch_token`); the
`words` column lists the name words it counted in `search_words`, the typo vocabulary. So a
row can be taken out again knowing only the guest's id, whatever has happened to the guest row
since: call `index_guest` after writing a guest's name or branch, and `unindex_guest` when the
guest goes (merged away or erased).

On SQLite the table is FTS5 (key: rowid). On PostgreSQL it is a plain table (key: guest_id)
whose `prefixes` array, under a GIN index, holds what FTS5 would answer a query from
(`index_terms`): the tokens read and folded exactly as FTS5's tokenizer reads them, so both
stores find the same guests (`index_lookup`); a term many guests share also keeps its newest
guests in `newest_matches`, written by the same calls.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Final

from profiles.errors import GuestNotFound
from profiles.names import MatchGroups, Spelled, name_words, search_tokens
from store.database import Database
from store.sql import Conn, Dialect, dialect, question_marks


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the index holds for one guest."""

    tokens: str
    words: tuple[str, ...]

    @property
    def prefixes(self) -> tuple[str, ...]:
        """PostgreSQL's index terms for the row (`index_terms`)."""
        return index_terms(self.tokens)


def branch_token(branch: str) -> str:
    """A branch as an FTS token. Query terms never start with a digit (digits are phone
    searches), so the branch "la" never meets a guest called La."""
    return f"0{branch}"


def index_row(name: str, honorific: str, branch: str) -> IndexRow:
    """The row for a guest: pure, so bulk loaders derive exactly what `index_guest` writes."""
    tokens = [*search_tokens(name, honorific), branch_token(branch)]
    return IndexRow(tokens=" ".join(tokens), words=tuple(name_words(name)))


def _statements(key: str, insert_columns: str) -> dict[str, str]:
    marks = question_marks(insert_columns.split(", "))
    return {
        "insert": f"INSERT INTO guest_search ({insert_columns}) VALUES ({marks})",
        "words": f"SELECT words FROM guest_search WHERE {key} = ?",
        "delete": f"DELETE FROM guest_search WHERE {key} = ?",
        "row": f"SELECT tokens, words FROM guest_search WHERE {key} = ?",
        "ids": f"SELECT {key} FROM guest_search",
    }


# The same statements on both stores but for the key: FTS5's rowid, or a column.
_SQL: dict[Dialect, dict[str, str]] = {
    "sqlite": _statements("rowid", "rowid, tokens, words"),
    "postgresql": _statements("guest_id", "guest_id, tokens, words, prefixes"),
}


def index_guest(conn: Conn, guest_id: int) -> None:
    """(Re)write the guest's search row from its stored name and branch, in the caller's
    transaction. Raises GuestNotFound if there is no such guest."""
    guest = conn.execute(
        "SELECT name, honorific, branch FROM guests WHERE id = ?", (guest_id,)
    ).fetchone()
    if guest is None:
        raise GuestNotFound(guest_id)
    unindex_guest(conn, guest_id)
    row = index_row(guest[0], guest[1], guest[2])
    values = (guest_id, row.tokens, " ".join(row.words))
    if dialect(conn) == "sqlite":
        conn.execute(_SQL["sqlite"]["insert"], values)
    else:
        conn.execute(_SQL["postgresql"]["insert"], (*values, list(row.prefixes)))
        conn.execute(_JOIN_NEWEST, {"id": guest_id, "terms": list(row.prefixes),
                                    "kept": NEWEST_KEPT})
    _count_words(conn, row.words)


def unindex_guest(conn: Conn, guest_id: int) -> bool:
    """Take the guest's row out of the index and its words out of the vocabulary (a word
    stays while another guest has it); False, and nothing done, for a guest not indexed."""
    sql = _SQL[dialect(conn)]
    found = conn.execute(sql["words"], (guest_id,)).fetchone()
    if found is None:
        return False
    if dialect(conn) == "postgresql":
        conn.execute(_LEAVE_NEWEST, {"id": guest_id})
    conn.execute(sql["delete"], (guest_id,))
    _uncount_words(conn, found[0].split())
    return True


def indexed_row(conn: Conn, guest_id: int) -> IndexRow | None:
    """The guest's row as stored, or None."""
    found = conn.execute(_SQL[dialect(conn)]["row"], (guest_id,)).fetchone()
    return None if found is None else IndexRow(found[0], tuple(found[1].split()))


def indexed_ids(conn: Conn) -> set[int]:
    """The ids of the guests that have a row."""
    return {guest_id for (guest_id,) in conn.execute(_SQL[dialect(conn)]["ids"])}


def vocabulary_counts(conn: Conn) -> dict[str, int]:
    """Each vocabulary word with the number of guests whose name has it."""
    return dict(conn.execute("SELECT word, guests FROM search_words").fetchall())


async def ensure_search_index(db: Database) -> int:
    """Rebuild the index if a migration asked for it; the number of guests indexed."""
    return await db.write(_rebuild_if_asked)


def rebuild_search_index(conn: Conn) -> int:
    """Write every guest's row and the vocabulary again, from `guests` alone (on PostgreSQL,
    the newest matches of common terms are made again by the sweep)."""
    conn.execute("DELETE FROM guest_search")
    if dialect(conn) == "postgresql":
        conn.execute("DELETE FROM newest_matches")
    conn.execute("DELETE FROM search_words")
    conn.execute("UPDATE search_index_state SET rebuild = 0, words_removed = words_removed + 1")
    ids = [guest_id for (guest_id,) in conn.execute("SELECT id FROM guests ORDER BY id")]
    for guest_id in ids:
        index_guest(conn, guest_id)
    return len(ids)


def _rebuild_if_asked(conn: Conn) -> int:
    (asked,) = conn.execute("SELECT rebuild FROM search_index_state").fetchone()
    return rebuild_search_index(conn) if asked else 0


def _count_words(conn: Conn, words: Iterable[str]) -> None:
    _lock_vocabulary(conn)
    conn.executemany(
        "INSERT INTO search_words (word, guests) VALUES (?, 1)"
        " ON CONFLICT (word) DO UPDATE SET guests = search_words.guests + 1",
        [(word,) for word in words],
    )


def _uncount_words(conn: Conn, words: list[str]) -> None:
    if not words:
        return
    _lock_vocabulary(conn)
    conn.executemany("UPDATE search_words SET guests = guests - 1 WHERE word = ?",
                     [(word,) for word in words])
    marks = question_marks(words)
    gone = conn.execute(f"DELETE FROM search_words WHERE guests <= 0 AND word IN ({marks})", words)
    if gone.rowcount > 0:
        # readers holding the vocabulary in memory reload it whole
        conn.execute("UPDATE search_index_state SET words_removed = words_removed + 1")


def _lock_vocabulary(conn: Conn) -> None:
    """One vocabulary writer at a time on PostgreSQL, as SQLite has one writer at all.

    Readers catch up with `id > last seen` (profiles.typos): that needs new words to become
    visible in id order, which concurrent transactions, each drawing ids, would not ensure.
    """
    if dialect(conn) == "postgresql":
        conn.execute("SELECT 1 FROM search_index_state FOR UPDATE")


# --- PostgreSQL: FTS5's reading of the rows, in a GIN index -------------------------------
#
# Index terms, all distinct by where they have spaces: every start of every token ("w",
# "wa", "wan", "wang": prefix queries), each whole token followed by a space ("wang ": whole
# tokens), and each token followed by the next ("王 小": phrases of two).


def index_terms(tokens: str) -> tuple[str, ...]:
    """What PostgreSQL's GIN index holds for a row with these (space-separated) tokens."""
    read = fts_tokens(tokens)
    terms = {token[:end] for token in read for end in range(1, len(token) + 1)}
    terms.update(f"{token} " for token in read)
    terms.update(f"{first} {second}" for first, second in pairwise(read))
    return tuple(sorted(terms))


@dataclass(frozen=True, slots=True)
class _Alternative:
    tokens: tuple[str, ...]
    prefix: bool

    @property
    def terms(self) -> tuple[str, ...]:
        """Index terms every row spelling this holds (and, but for `needs_order`, only
        those rows)."""
        *whole, last = self.tokens
        paired = self.tokens if not self.prefix else tuple(whole)
        if len(paired) < 2:
            return (*(f"{t} " for t in whole), last if self.prefix else f"{last} ")
        # A row holding a pair ("王 斌") holds both its tokens whole ("王 ", "斌 "): those go
        # unsaid, or the GIN index would read the matches of 王, a tenth of a Chinese chain,
        # for nothing, and a phrase of two could not be one term with a list of its own.
        pairs = tuple(f"{a} {b}" for a, b in pairwise(paired))
        return (last, *pairs) if self.prefix else pairs

    @property
    def needs_order(self) -> bool:
        """Whether the index terms may also be found out of order: three tokens or more, or
        two of which the last is begun only."""
        return len(self.tokens) > 2 or (self.prefix and len(self.tokens) == 2)

    def spelled_by(self, read: Sequence[str]) -> bool:
        n = len(self.tokens)
        *whole, last = self.tokens
        return any(
            list(read[start:start + n - 1]) == whole
            and (read[start + n - 1].startswith(last) if self.prefix
                 else read[start + n - 1] == last)
            for start in range(len(read) - n + 1)
        )


@dataclass(frozen=True, slots=True)
class IndexLookup:
    """A name query as PostgreSQL answers it: index terms every row found holds, groups of
    which each row holds one alternative's terms, and the alternatives to check on the rows
    found, whose terms alone do not ensure their tokens come in order."""

    all_of: tuple[str, ...]
    any_of: tuple[tuple[tuple[str, ...], ...], ...]
    in_order: tuple[tuple[_Alternative, ...], ...]

    def condition(self) -> tuple[str, list[object]]:
        """The WHERE condition on guest_search and its parameters."""
        parts: list[str] = []
        params: list[object] = []
        if self.all_of:
            parts.append("prefixes @> ?")
            params.append(list(self.all_of))
        for group in self.any_of:
            if all(len(terms) == 1 for terms in group):
                # One clause for the group: the planner prices each clause from the column's
                # statistics, about 0.3 ms a clause at a million guests; the plan is the same.
                parts.append("prefixes && ?")
                params.append([terms[0] for terms in group])
            else:
                parts.append("(" + " OR ".join("prefixes @> ?" for _ in group) + ")")
                params += [list(terms) for terms in group]
        return " AND ".join(parts), params

    def single_terms(self) -> tuple[str, ...] | None:
        """The terms of which a row must hold any one, when that is the whole condition
        ("wang", or "michael" or its joined form); None for anything more."""
        if self.in_order:
            return None
        if len(self.all_of) == 1 and not self.any_of:
            return self.all_of
        if not self.all_of and len(self.any_of) == 1 and all(
                len(terms) == 1 for terms in self.any_of[0]):
            return tuple(terms[0] for terms in self.any_of[0])
        return None

    def spelled_by(self, tokens: str) -> bool:
        """Whether a row with these tokens spells every group's phrase in order."""
        if not self.in_order:
            return True
        read = fts_tokens(tokens)
        return all(any(a.spelled_by(read) for a in group) for group in self.in_order)


def index_lookup(groups: MatchGroups) -> IndexLookup | None:
    """The PostgreSQL lookup of `match_groups`; None when no row can match (a group whose
    every alternative reads as no token, which FTS5 matches with nothing)."""
    all_of: list[str] = []
    any_of: list[tuple[tuple[str, ...], ...]] = []
    in_order: list[tuple[_Alternative, ...]] = []
    for group in groups:
        alternatives = [a for a in map(_alternative, group) if a is not None]
        if not alternatives:
            return None
        if len(alternatives) == 1:
            all_of += alternatives[0].terms
        else:
            any_of.append(tuple(a.terms for a in alternatives))
        if any(a.needs_order for a in alternatives):
            in_order.append(tuple(alternatives))
    return IndexLookup(tuple(dict.fromkeys(all_of)), tuple(any_of), tuple(in_order))


def index_lookup_of(terms: Sequence[str]) -> IndexLookup:
    """The lookup of the rows holding any of these index terms."""
    if len(terms) == 1:
        return IndexLookup(tuple(terms), (), ())
    return IndexLookup((), (tuple((term,) for term in terms),), ())


def _alternative(spelled: Spelled) -> _Alternative | None:
    tokens = fts_tokens(spelled.text)
    return _Alternative(tuple(tokens), spelled.prefix) if tokens else None


# --- how FTS5 reads text ---------------------------------------------------------------------

_ASCII_TOKEN = re.compile(r"[a-z0-9]+")


def fts_tokens(text: str) -> list[str]:
    """The tokens SQLite's FTS5 reads in `text` with guest_search's tokenizer (unicode61,
    remove_diacritics 2), folded as it folds them: "José O'Neil" → ["jose", "o", "neil"]."""
    if text.isascii():
        return _ASCII_TOKEN.findall(text.lower())
    tokens, current = [], ""
    for char in text:
        folded = _folded_char(char)
        if folded is None:
            tokens.append(current)
            current = ""
        else:
            current += folded
    tokens.append(current)
    # a run of marks alone folds to nothing: FTS5 makes no token of it
    return [token for token in tokens if token]


@lru_cache(maxsize=1 << 16)
def _folded_char(char: str) -> str | None:
    """A character as FTS5's tokenizer reads it: folded (maybe to nothing, as a combining
    accent is), or None for a separator. Asked of FTS5 itself, once per character: its
    folding tables are its own (Greek accents stay, a final sigma folds, many Indic vowel
    signs separate), and its reading is what the two stores must share."""
    if char.isascii():
        return char.lower() if char.isalnum() else None
    with _probe_lock:
        probe = _probe()
        # between two letters: a separator splits them, a token character joins them
        probe.execute("INSERT INTO probe (rowid, text) VALUES (1, ?)", (f"x{char}x",))
        terms = [term for (term,) in probe.execute("SELECT term FROM probe_terms")]
        probe.execute("DELETE FROM probe")
    return None if len(terms) != 1 else terms[0][1:-1]


_probe_lock = threading.Lock()


@lru_cache(maxsize=1)
def _probe() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    conn.execute("CREATE VIRTUAL TABLE probe USING fts5 (text, tokenize = 'unicode61"
                 " remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE probe_terms USING fts5vocab (probe, 'instance')")
    return conn


# --- PostgreSQL: the newest guests of common terms -----------------------------------------
#
# "The newest 50 guests with this term" is what a name search asks. A GIN index answers it
# for a rare term (sort its few matches) and the primary key for a very common one (walk the
# newest guests, most match), but a term of a few thousand guests costs 20-90 ms either way
# at a million guests. For such terms `newest_matches` holds the answer: each row's ids are
# the term's newest len(ids) matches, newest first, at most NEWEST_KEPT. Every write keeps
# that true: a guest indexed joins the lists of its terms when newer than a list's oldest
# (so never a list it could not be sure of), and leaves them when taken out, which only
# shortens a list. A reader trusts a list as long as it holds as many ids as it asks for.

NEWEST_KEPT: Final = 50
# A term this many guests share gets a list: below it the GIN index answers in a few ms.
COMMON_MATCHES: Final = 1000

_JOIN_NEWEST = """
    UPDATE newest_matches SET ids = ARRAY(
        SELECT i FROM unnest(array_append(ids, :id::bigint)) AS i ORDER BY i DESC LIMIT :kept)
    WHERE term = ANY(:terms) AND ids[cardinality(ids)] < :id AND NOT :id = ANY(ids)
"""
_LEAVE_NEWEST = """
    UPDATE newest_matches SET ids = array_remove(ids, :id::bigint)
    WHERE :id = ANY(ids)
      AND term = ANY(ARRAY(SELECT unnest(prefixes) FROM guest_search WHERE guest_id = :id))
"""
_NEWEST_OF_TERM = """
    INSERT INTO newest_matches (term, ids)
    SELECT :term, ARRAY(SELECT guest_id FROM guest_search WHERE prefixes @> ARRAY[:term]::text[]
                        ORDER BY guest_id DESC LIMIT :kept)
    ON CONFLICT (term) DO UPDATE SET ids = excluded.ids
"""
# The terms PostgreSQL's statistics count as shared by `:at_least` guests or more (its
# sample of `prefixes` keeps ten thousand elements; see postgresql/0003_search_at_scale.sql)
# without a full list of their newest matches.
_COMMON_TERMS = """
    SELECT e.term FROM pg_stats s,
        unnest(s.most_common_elems::text::text[]) WITH ORDINALITY AS e(term, n)
    WHERE s.schemaname = current_schema() AND s.tablename = 'guest_search'
      AND s.attname = 'prefixes'
      AND s.most_common_elem_freqs[e.n] * (SELECT GREATEST(reltuples, 0) FROM pg_class
                                           WHERE oid = 'guest_search'::regclass) >= :at_least
      AND NOT EXISTS (SELECT 1 FROM newest_matches m
                      WHERE m.term = e.term AND cardinality(m.ids) = :kept)
    ORDER BY s.most_common_elem_freqs[e.n] DESC
"""


def newest_matches(conn: Conn, terms: Sequence[str], wanted: int) -> dict[str, list[int]]:
    """The newest `wanted` guests of each term that has a list long enough."""
    rows = conn.execute("SELECT term, ids FROM newest_matches WHERE term = ANY(?)"
                        " AND cardinality(ids) >= ?", (list(terms), wanted))
    return {term: list(ids[:wanted]) for term, ids in rows}


def terms_to_list(conn: Conn, at_least: int | None = None) -> list[str]:
    """Common terms whose list is missing or shorter than NEWEST_KEPT (a list that lost
    guests, as merges and erasures take them out), most common first."""
    rows = conn.execute(_COMMON_TERMS, {
        "at_least": COMMON_MATCHES if at_least is None else at_least, "kept": NEWEST_KEPT})
    return [term for (term,) in rows]


def list_newest(conn: Conn, term: str) -> None:
    """Make the term's list from the index, in the caller's transaction."""
    conn.execute(_NEWEST_OF_TERM, {"term": term, "kept": NEWEST_KEPT})
