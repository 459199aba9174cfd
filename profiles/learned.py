"""Words a chain's leads teach the note parser by filing a trait again: a phrase read as a
plain note ("碰到猫毛就打喷嚏") that a shift lead or manager files as an allergy is read as
one in every branch from then on.

The words are kept in the database (learned_words), on top of the shipped vocabulary and
the chain's TOML files; `guestcard vocabulary export|import` moves them between chains and
into those files. Two rules keep the kitchen safe and the words clean: nothing is learned
away from an allergy (one guest's "芒果过敏" that turned out a dislike must not make every
mango allergy a dislike), and only a short phrase is learned (a word, not a guest's story).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from profiles.concepts import written_in
from profiles.models import Category, Frozen
from profiles.vocabulary import Vocabulary, extended, is_keyword
from store.database import Database, stamp
from store.sql import Conn, Row

# A word or a phrase of the trade, not a guest's story: so many Chinese characters, or Latin
# characters; and at least so many, so that "猫" does not make every note about cats one.
MAX_PHRASE: Final = {"zh": 12, "en": 32}
MIN_PHRASE: Final = {"zh": 2, "en": 4}


class LearnedWord(Frozen):
    phrase: str
    category: Category
    staff_id: int | None = None
    learned_at: datetime | None = None


def learnable(phrase: str, was: Category, now: Category) -> str | None:
    """The phrase to learn when a trait filed as `was` is filed as `now`, or None."""
    phrase = phrase.strip()
    if was is Category.ALLERGY or now is Category.NOTE or was is now:
        return None
    lang = written_in(phrase)
    if not MIN_PHRASE[lang] <= len(phrase) <= MAX_PHRASE[lang] or not is_keyword(phrase):
        return None
    return phrase


def learn(conn: Conn, phrase: str, category: Category, *, staff_id: int | None,
          now: datetime) -> None:
    """Store (or re-file) a learned phrase, in the caller's transaction."""
    conn.execute(
        "INSERT INTO learned_words (phrase, category, staff_id, learned_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (phrase) DO UPDATE SET category = excluded.category,"
        " staff_id = excluded.staff_id, learned_at = excluded.learned_at",
        (phrase, category.value, staff_id, stamp(now)))


def with_learned(base: Vocabulary, words: Iterable[LearnedWord]) -> Vocabulary:
    """`base` with each learned phrase a cue word of its category."""
    tables = _category_tables(words)
    return extended(base, {"categories": tables}) if tables else base


def _category_tables(words: Iterable[LearnedWord]) -> dict[str, dict[str, list[str]]]:
    """{category: {zh: [...], en: [...]}}: Chinese words under zh, the rest under en, as the
    vocabulary files list them."""
    tables: dict[str, dict[str, list[str]]] = {}
    for word in words:
        lang = written_in(word.phrase)
        tables.setdefault(word.category.value, {}).setdefault(lang, []).append(word.phrase)
    return tables


def as_toml(words: Iterable[LearnedWord]) -> str:
    """The words as a vocabulary file: [categories.<category>] tables of zh and en words,
    ready to add to the chain's files or to import into another chain."""
    tables = _category_tables(words)
    lines = ["# Words taught by the chain's leads (guestcard vocabulary export)."]
    for category in Category:
        if category.value not in tables:
            continue
        lines += ["", f"[categories.{category.value}]"]
        for lang in ("zh", "en"):
            if found := tables[category.value].get(lang):
                listed = ", ".join(json.dumps(word, ensure_ascii=False) for word in found)
                lines.append(f"{lang} = [{listed}]")
    return "\n".join(lines) + "\n"


def categories_words(vocabulary: Vocabulary) -> list[tuple[str, Category]]:
    """Every [categories.*] word of a vocabulary file, to learn as it is."""
    return [(word, category) for category, words in vocabulary.categories.items()
            for word in words.keywords]


def _word(row: Row) -> LearnedWord:
    return LearnedWord(phrase=row["phrase"], category=Category(row["category"]),
                       staff_id=row["staff_id"], learned_at=row["learned_at"])


def load_learned(conn: Conn) -> list[LearnedWord]:
    return [_word(row) for row in conn.execute(
        "SELECT phrase, category, staff_id, learned_at FROM learned_words ORDER BY phrase")]


class LearnedWords:
    """The vocabulary the parser reads with: the shipped and the chain's, and what its leads
    taught. `refresh` after learning (and on each sweep, for what other processes learned)."""

    def __init__(self, db: Database, base: Vocabulary) -> None:
        self._db = db
        self._base = base
        self._words: list[LearnedWord] = []
        self._current = base

    @property
    def current(self) -> Vocabulary:
        return self._current

    async def refresh(self) -> None:
        words = await self._db.read(load_learned)
        if words != self._words:  # compiled again only when the words changed
            self._words, self._current = words, with_learned(self._base, words)

    async def all(self) -> list[LearnedWord]:
        return await self._db.read(load_learned)

    async def add(self, words: list[tuple[str, Category]], *, now: datetime) -> int:
        """Words from another chain or a TOML file, learned as they are; how many."""

        def work(conn: Conn) -> int:
            for phrase, category in words:
                learn(conn, phrase, category, staff_id=None, now=now)
            return len(words)

        added = await self._db.write(work)
        await self.refresh()
        return added
