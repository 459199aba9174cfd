"""Typo correction: which known name words a mistyped word may mean, and the vocabulary
that keeps in step with the guests."""

from __future__ import annotations

from datetime import timedelta

from profiles.db import Database
from profiles.guests import GuestStore
from profiles.typos import NameVocabulary, close_words, corrections_of
from tests.factories import NOW


def test_close_words_allow_one_typo_in_short_words_and_two_in_long() -> None:
    known = ["smith", "smythe", "wangwei", "johnson", "jhonson"]
    assert close_words("smiht", known) == ["smith"]
    assert close_words("smith", known) == []
    assert close_words("smyht", known) == []  # two typos in a short word
    assert close_words("johnsonn", known) == ["johnson", "jhonson"]  # closest first


def test_a_word_run_together_is_corrected_as_two_known_words() -> None:
    known = ["wang", "wei", "xiaoming", "xiansheng", "li"]
    assert corrections_of("wangwie", known, set(known)) == ["wangwei"]  # the typo after
    assert corrections_of("wnagwei", known, set(known)) == ["wangwei"]  # the typo before
    assert corrections_of("wangxiaomign", known, set(known)) == ["wangxiaoming"]


def test_a_part_too_short_to_tell_is_not_corrected() -> None:
    # "li" + "e": one letter is a typo away from nearly everything.
    known = ["li", "a", "e", "wei"]
    assert corrections_of("liex", known, set(known)) == []


def test_corrections_come_closest_first_and_never_repeat_the_word() -> None:
    known = ["smith", "smiths", "smyth"]
    assert corrections_of("smiht", known, set(known)) == ["smith"]  # "smiths": two typos
    assert corrections_of("smith", known, set(known)) == ["smiths", "smyth"]


async def test_the_vocabulary_follows_new_renamed_and_gone_words(db: Database) -> None:
    store, vocabulary = GuestStore(db), NameVocabulary()
    smith = await store.create("John Smith", None, branch="la", staff_id=None, region="US",
                               now=NOW)
    await store.create("王小明", None, branch="sh", staff_id=None, region="CN", now=NOW)
    known = await db.read(vocabulary.catch_up)
    assert {"john", "smith", "wang", "xiaoming", "xiansheng"} <= known
    assert not any("王" in word for word in known)

    await store.rename(smith.id, "John Smyth", now=NOW + timedelta(minutes=1))
    known = await db.read(vocabulary.catch_up)
    assert "smyth" in known and "smith" not in known
    assert await db.read(lambda conn: vocabulary.corrections(conn, ["smyht"])) == {
        "smyht": ["smyth"]}
