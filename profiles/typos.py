"""Typo correction for name searches: which known name words a mistyped word may mean.

The known words are the table `search_words` (every latin word of a guest's name, every
Chinese surname and given name in pinyin), written by `search_index` in the transaction that
writes the guest. A million guests share a few tens of thousands of such words, so rapidfuzz
over them answers in about a millisecond, where the same over a million names takes 400 ms.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Sequence
from typing import Final, Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA

from profiles.names import honorific_words
from store.sql import Conn

FUZZY_WORDS_PER_TERM: Final = 5
# A word typed run together ("wangxiaomign") is corrected as two known words, one of them
# typed right. The mistyped part must be this long: a letter or two is a typo away from
# nearly every short word.
MIN_CORRECTED_PART: Final = 3


class Vocabulary(Protocol):
    """The words guests' names are made of, for typo correction."""

    def corrections(self, conn: Conn, words: Sequence[str]) -> dict[str, list[str]]:
        """For each word, the known words (or pairs run together) a typo or two away."""
        ...


def allowed_typos(word: str) -> int:
    """One typo in a short word, two from seven letters on."""
    return 1 if len(word) < 7 else 2


def close_words(word: str, known: Sequence[str]) -> list[str]:
    """Known words within `allowed_typos` of `word`, closest first.

    OSA distance counts a swap of neighbours ("smiht") as one typo.
    """
    found = process.extract(word, known, scorer=OSA.distance, score_cutoff=allowed_typos(word),
                            limit=FUZZY_WORDS_PER_TERM + 1)
    return [match for match, _, _ in found if match != word][:FUZZY_WORDS_PER_TERM]


def corrections_of(word: str, known: Sequence[str], known_set: Collection[str]) -> list[str]:
    """What `word` may have meant, closest first: a known word, or two run together.

    "smiht" → "smith"; "wangwie" → "wang" + "wei", when "wang" is known and "wie" is a typo
    away from the known "wei" (or the other way round).
    """
    candidates = set(close_words(word, known))
    for cut in range(2, len(word) - 1):
        head, tail = word[:cut], word[cut:]
        if head in known_set and len(tail) >= MIN_CORRECTED_PART:
            candidates.update(head + fixed for fixed in close_words(tail, known))
        if tail in known_set and len(head) >= MIN_CORRECTED_PART:
            candidates.update(fixed + tail for fixed in close_words(head, known))
    typos = {candidate: OSA.distance(word, candidate) for candidate in candidates - {word}}
    ranked = sorted((n, candidate) for candidate, n in typos.items() if n <= allowed_typos(word))
    return [candidate for _, candidate in ranked[:FUZZY_WORDS_PER_TERM]]


class NameVocabulary:
    """`search_words` held in memory, caught up inside each caller's read transaction.

    New words are read incrementally (ids only grow); when a word has left the table (its
    last guest was renamed, merged or erased) the whole list is read again. On PostgreSQL
    readers run in several threads at once, so one at a time reads and uses the list.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._words: list[str] = []
        self._known: set[str] = set()
        self._seen_id = 0
        self._removals: int | None = None

    def corrections(self, conn: Conn, words: Sequence[str]) -> dict[str, list[str]]:
        """For each word, the known words (or pairs run together) a typo or two away."""
        with self._lock:
            self._catch_up(conn)
            return {word: corrections_of(word, self._words, self._known) for word in words}

    def catch_up(self, conn: Conn) -> set[str]:
        """Read what changed since the last call; the words known now."""
        with self._lock:
            return set(self._catch_up(conn))

    def _catch_up(self, conn: Conn) -> set[str]:
        (removals,) = conn.execute("SELECT words_removed FROM search_index_state").fetchone()
        if removals != self._removals:
            self._words, self._known, self._seen_id = [], set(), 0
            self._removals = removals
            self._add(honorific_words())
        rows = conn.execute("SELECT id, word FROM search_words WHERE id > ? ORDER BY id",
                            (self._seen_id,)).fetchall()
        if rows:
            self._seen_id = rows[-1][0]
            self._add(word for _, word in rows)
        return self._known

    def _add(self, words: Iterable[str]) -> None:
        for word in words:
            if word not in self._known:
                self._known.add(word)
                self._words.append(word)
