"""The search index, written in the same transaction as the guest it describes.

A guest's row in `guest_search` (rowid = guest id) holds the tokens of its name
(`names.search_tokens`) and its branch as a token no query can spell (`branch_token`); the
unindexed `words` column lists the name words it counted in `search_words`, the typo
vocabulary. So a row can be taken out again knowing only the guest's id, whatever has happened
to the guest row since: call `index_guest` after writing a guest's name or branch, and
`unindex_guest` when the guest goes (merged away or erased).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from profiles.db import Database
from profiles.errors import GuestNotFound
from profiles.names import name_words, search_tokens


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the index holds for one guest."""

    tokens: str
    words: tuple[str, ...]


def branch_token(branch: str) -> str:
    """A branch as an FTS token. Query terms never start with a digit (digits are phone
    searches), so the branch "la" never meets a guest called La."""
    return f"0{branch}"


def index_row(name: str, honorific: str, branch: str) -> IndexRow:
    """The row for a guest: pure, so bulk loaders derive exactly what `index_guest` writes."""
    tokens = [*search_tokens(name, honorific), branch_token(branch)]
    return IndexRow(tokens=" ".join(tokens), words=tuple(name_words(name)))


def index_guest(conn: sqlite3.Connection, guest_id: int) -> None:
    """(Re)write the guest's search row from its stored name and branch, in the caller's
    transaction. Raises GuestNotFound if there is no such guest."""
    guest = conn.execute(
        "SELECT name, honorific, branch FROM guests WHERE id = ?", (guest_id,)
    ).fetchone()
    if guest is None:
        raise GuestNotFound(guest_id)
    unindex_guest(conn, guest_id)
    row = index_row(guest[0], guest[1], guest[2])
    conn.execute("INSERT INTO guest_search (rowid, tokens, words) VALUES (?, ?, ?)",
                 (guest_id, row.tokens, " ".join(row.words)))
    _count_words(conn, row.words)


def unindex_guest(conn: sqlite3.Connection, guest_id: int) -> bool:
    """Take the guest's row out of the index and its words out of the vocabulary (a word
    stays while another guest has it); False, and nothing done, for a guest not indexed."""
    found = conn.execute("SELECT words FROM guest_search WHERE rowid = ?", (guest_id,)).fetchone()
    if found is None:
        return False
    conn.execute("DELETE FROM guest_search WHERE rowid = ?", (guest_id,))
    _uncount_words(conn, found[0].split())
    return True


def indexed_row(conn: sqlite3.Connection, guest_id: int) -> IndexRow | None:
    """The guest's row as stored, or None."""
    found = conn.execute(
        "SELECT tokens, words FROM guest_search WHERE rowid = ?", (guest_id,)
    ).fetchone()
    return None if found is None else IndexRow(found[0], tuple(found[1].split()))


def vocabulary_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Each vocabulary word with the number of guests whose name has it."""
    return dict(conn.execute("SELECT word, guests FROM search_words").fetchall())


async def ensure_search_index(db: Database) -> int:
    """Rebuild the index if a migration asked for it; the number of guests indexed."""
    return await db.write(_rebuild_if_asked)


def rebuild_search_index(conn: sqlite3.Connection) -> int:
    """Write every guest's row and the vocabulary again, from `guests` alone."""
    conn.execute("DELETE FROM guest_search")
    conn.execute("DELETE FROM search_words")
    conn.execute("UPDATE search_index_state SET rebuild = 0, words_removed = words_removed + 1")
    ids = [guest_id for (guest_id,) in conn.execute("SELECT id FROM guests ORDER BY id")]
    for guest_id in ids:
        index_guest(conn, guest_id)
    return len(ids)


def _rebuild_if_asked(conn: sqlite3.Connection) -> int:
    (asked,) = conn.execute("SELECT rebuild FROM search_index_state").fetchone()
    return rebuild_search_index(conn) if asked else 0


def _count_words(conn: sqlite3.Connection, words: Iterable[str]) -> None:
    conn.executemany(
        "INSERT INTO search_words (word, guests) VALUES (?, 1)"
        " ON CONFLICT (word) DO UPDATE SET guests = guests + 1",
        [(word,) for word in words],
    )


def _uncount_words(conn: sqlite3.Connection, words: list[str]) -> None:
    if not words:
        return
    conn.executemany("UPDATE search_words SET guests = guests - 1 WHERE word = ?",
                     [(word,) for word in words])
    marks = ", ".join("?" for _ in words)
    gone = conn.execute(f"DELETE FROM search_words WHERE guests <= 0 AND word IN ({marks})", words)
    if gone.rowcount > 0:
        # readers holding the vocabulary in memory reload it whole
        conn.execute("UPDATE search_index_state SET words_removed = words_removed + 1")
