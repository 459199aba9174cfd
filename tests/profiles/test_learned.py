"""Words the chain's leads teach the note parser: learned only toward a category, never away
from an allergy, short phrases only; read in every branch, exported and imported as a
vocabulary file."""

from __future__ import annotations

from pathlib import Path

import pytest

from profiles.learned import (
    LearnedWord,
    LearnedWords,
    as_toml,
    categories_words,
    learn,
    learnable,
    load_learned,
    with_learned,
)
from profiles.models import Category
from profiles.parser import parse_note
from profiles.vocabulary import default_vocabulary, read_extension
from store.database import Database
from tests.factories import NOW

ALLERGY, FOOD, NOTE, SERVICE = Category.ALLERGY, Category.FOOD, Category.NOTE, Category.SERVICE


@pytest.mark.parametrize(("phrase", "was", "now", "learned"), [
    ("碰到猫毛就打喷嚏", NOTE, ALLERGY, "碰到猫毛就打喷嚏"),
    ("always brings his own book", NOTE, SERVICE, "always brings his own book"),
    # one guest's "not an allergy" must not make the chain's mango allergies dislikes
    ("芒果过敏", ALLERGY, FOOD, None),
    ("碰到猫毛就打喷嚏", NOTE, NOTE, None),
    ("a whole story about the guest's week in town", NOTE, SERVICE, None),  # no guest's story
    ("猫毛，打喷嚏", NOTE, ALLERGY, None),  # a separator would split the note it is learned for
    ("猫", NOTE, ALLERGY, None),  # one character would make every note about cats an allergy
    ("这位客人每次来都要我们帮他叫车去机场", NOTE, SERVICE, None),  # a story, not a word
])
def test_only_a_short_phrase_is_learned_and_never_away_from_an_allergy(
    phrase: str, was: Category, now: Category, learned: str | None,
) -> None:
    assert learnable(phrase, was, now) == learned


def test_a_learned_phrase_is_read_as_its_category_in_any_note() -> None:
    taught = with_learned(default_vocabulary(),
                          [LearnedWord(phrase="碰到猫毛就打喷嚏", category=ALLERGY)])
    note = "靠窗 碰到猫毛就打喷嚏"
    assert [t.category for t in parse_note(note, default_vocabulary()).traits] == [
        Category.SEATING, NOTE]
    assert [t.category for t in parse_note(note, taught).traits] == [Category.SEATING, ALLERGY]


def test_an_export_reads_back_as_the_same_words(tmp_path: Path) -> None:
    words = [LearnedWord(phrase="碰到猫毛就打喷嚏", category=ALLERGY),
             LearnedWord(phrase='brings his "own" book', category=SERVICE)]
    exported = tmp_path / "learned.toml"
    exported.write_text(as_toml(words), encoding="utf-8")
    assert categories_words(read_extension(exported)) == [
        ("碰到猫毛就打喷嚏", ALLERGY), ('brings his "own" book', SERVICE)]


async def test_words_are_learned_once_refiled_and_seen_after_a_refresh(db: Database) -> None:
    words = LearnedWords(db, default_vocabulary())
    await words.refresh()
    assert words.current is default_vocabulary()  # nothing learned: nothing compiled again
    await db.write(lambda conn: learn(conn, "猫毛喷嚏", NOTE, staff_id=None, now=NOW))
    await db.write(lambda conn: learn(conn, "猫毛喷嚏", ALLERGY, staff_id=None, now=NOW))
    assert [(w.phrase, w.category) for w in await db.read(load_learned)] == [
        ("猫毛喷嚏", ALLERGY)]
    await words.refresh()
    assert parse_note("猫毛喷嚏", words.current).traits[0].category is ALLERGY
    assert await words.add([("hates small talk", SERVICE)], now=NOW) == 1
    assert parse_note("hates small talk", words.current).traits[0].category is SERVICE
