"""Typo correction: which known name words a mistyped word may mean, and the vocabulary
that keeps in step with the guests."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from profiles.guests import GuestStore
from profiles.search_index import index_guest
from profiles.typos import NameVocabulary, close_words, corrections_of
from store.connect import open_database
from store.database import Database
from store.sql import Conn, inserted_id
from tests import postgres
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


@pytest.mark.postgresql
async def test_a_word_written_first_is_seen_before_a_word_written_after_it() -> None:
    """Readers catch up by id. One writer holds its transaction open after drawing an id for
    "anna"; another adds "bo". The reader must not see "bo" (a later id) and then miss "anna":
    on PostgreSQL the second writer waits for the first."""
    with postgres.fresh_database() as url:
        db = await open_database(url)
        try:
            store, vocabulary = GuestStore(db), NameVocabulary()
            indexed, release = threading.Event(), threading.Event()

            def first(conn: Conn) -> None:
                index_guest(conn, inserted_id(conn.execute(
                    "INSERT INTO guests (name, branch, created_at, updated_at)"
                    " VALUES ('Anna', 'la', 'now', 'now') RETURNING id")))
                indexed.set()
                release.wait(timeout=10)

            held = asyncio.create_task(db.write(first))
            await asyncio.to_thread(indexed.wait, 10)
            second = asyncio.create_task(
                store.create("Bo", None, branch="la", staff_id=None, region="US", now=NOW))
            # until the second writer has committed, or is seen waiting for the first
            while not second.done() and not await db.read(_waiting_for_a_lock):
                await asyncio.sleep(0.01)
            await db.read(vocabulary.catch_up)
            release.set()
            await asyncio.gather(held, second)
            assert {"anna", "bo"} <= await db.read(vocabulary.catch_up)
        finally:
            await db.close()


def _waiting_for_a_lock(conn: Conn) -> bool:
    return bool(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database())").fetchone()[0])
