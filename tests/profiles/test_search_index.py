"""The search index and the typo vocabulary stay in step with the guests, whatever happens to
them: created, renamed, merged and unmerged, their traits retracted, erased."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles.erasure import Erasure
from profiles.guests import GuestStore
from profiles.merges import GuestMerges, MergeGone
from profiles.models import Category
from profiles.names import name_words
from profiles.search import GuestSearch
from profiles.search_index import (
    branch_token,
    ensure_search_index,
    index_row,
    indexed_ids,
    indexed_row,
    unindex_guest,
    vocabulary_counts,
)
from profiles.traits import TraitStore
from store.connect import open_database
from store.database import Database, is_postgres_url, shipped_migrations
from store.sql import Conn
from tests import postgres
from tests.factories import NOW, draft

CJK = "王伟李明小曾"
LATIN = "abceghkl"  # no m, d or p: "mr x" would be split off as an honorific
names = st.one_of(st.text(alphabet=CJK, min_size=1, max_size=3),
                  st.lists(st.text(alphabet=LATIN, min_size=2, max_size=5), min_size=1,
                           max_size=2).map(" ".join))
branches = st.sampled_from(["la", "sh"])
creates = st.tuples(st.just("create"), names, branches)
steps = st.one_of(
    creates,
    st.tuples(st.just("rename"), st.integers(0, 9), names),
    st.tuples(st.just("merge"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("unmerge"), st.integers(0, 9)),
    st.tuples(st.just("retract"), st.integers(0, 9)),
    st.tuples(st.just("erase"), st.integers(0, 9)),
)


def index_disagreements(conn: Conn) -> list[str]:
    """What the index holds that a scan of `guests` would not derive, and the other way."""
    guests = conn.execute("SELECT id, name, honorific, branch FROM guests").fetchall()
    wrong = [f"row of #{g['id']}" for g in guests
             if indexed_row(conn, g["id"]) != index_row(g["name"], g["honorific"], g["branch"])]
    wrong += [f"row of gone #{guest_id}"
              for guest_id in indexed_ids(conn) - {g["id"] for g in guests}]
    words = Counter(word for g in guests for word in name_words(g["name"]))
    if vocabulary_counts(conn) != dict(words):
        wrong.append(f"vocabulary {vocabulary_counts(conn)} != {dict(words)}")
    return wrong


async def apply(db: Database, step: tuple[object, ...], merges: list[int]) -> None:
    store, at = GuestStore(db), NOW + timedelta(minutes=len(merges))
    ids = [int(i) for (i,) in await db.read(
        lambda c: c.execute("SELECT id FROM guests ORDER BY id").fetchall())]

    def pick(n: object) -> int:
        return ids[int(str(n)) % len(ids)]

    match step:
        case ("create", str(name), str(branch)):
            await store.create(name, None, branch=branch, staff_id=None, region="CN", now=at)
        case ("rename", n, str(name)) if ids:
            await store.rename(pick(n), name, now=at)
        case ("merge", n, m) if ids and pick(n) != pick(m):
            merges.append((await GuestMerges(db).merge(pick(n), pick(m), staff_id=None,
                                                       now=at)).id)
        case ("unmerge", n) if merges:
            with contextlib.suppress(MergeGone):  # undone already
                await GuestMerges(db).undo(merges[int(str(n)) % len(merges)], staff_id=1, now=at)
        case ("retract", n) if ids:
            logged = await TraitStore(db).log(pick(n), [draft(Category.DIET, "no garlic")],
                                              staff_id=1, branch="la", now=at)
            for trait in logged.added:
                await TraitStore(db).retract(trait.id, staff_id=1, now=at)
        case ("erase", n) if ids:
            await Erasure(db).forget(pick(n), staff_id=None, now=at)


async def run_steps(url: str, steps: list[tuple[object, ...]]) -> list[str]:
    db = await postgres.open_emptied(url)
    try:
        await db.write(lambda c: c.execute(
            "INSERT INTO staff (telegram_id, name, role, branch, language, joined_at)"
            " VALUES (1, 'Ana', 'admin', 'la', 'en', ?)", (NOW.isoformat(),)))
        merges: list[int] = []
        for step in steps:
            await apply(db, step, merges)
            if wrong := await db.read(index_disagreements):
                return [f"after {step}: {problem}" for problem in wrong]
        return []
    finally:
        await db.close()


# Each example empties the test's database (`open_emptied`), so the fixture is not reused.
@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(first=st.lists(creates, min_size=2, max_size=4), then=st.lists(steps, min_size=1,
                                                                      max_size=10))
def test_the_index_always_agrees_with_a_scan_of_the_guests(
    database_url: str, first: list[tuple[object, ...]], then: list[tuple[object, ...]]
) -> None:
    assert asyncio.run(run_steps(database_url, first + then)) == []


async def test_a_renamed_guest_is_found_by_the_new_name_only(db: Database) -> None:
    store, search = GuestStore(db), GuestSearch(db)
    guest = await store.create("Smiht", None, branch="la", staff_id=None, region="US", now=NOW)
    await store.rename(guest.id, "王先生", now=NOW)
    assert [h.guest.id for h in await search.find("wang", branch="la")] == [guest.id]
    assert await search.find("smiht", branch="la") == []
    assert "smiht" not in await db.read(vocabulary_counts)


async def test_a_word_stays_in_the_vocabulary_while_a_guest_has_it(db: Database) -> None:
    store = GuestStore(db)
    first = await store.create("Anna Smith", None, branch="la", staff_id=None, region="US",
                               now=NOW)
    await store.create("John Smith", None, branch="la", staff_id=None, region="US", now=NOW)
    assert (await db.read(vocabulary_counts))["smith"] == 2
    assert await db.write(lambda conn: unindex_guest(conn, first.id)) is True
    assert (await db.read(vocabulary_counts))["smith"] == 1
    assert "anna" not in await db.read(vocabulary_counts)
    # again: nothing to take out
    assert await db.write(lambda conn: unindex_guest(conn, first.id)) is False
    assert (await db.read(vocabulary_counts))["smith"] == 1


def test_the_branch_token_is_nothing_a_query_can_spell() -> None:
    row = index_row("La", "", "la")
    assert row.tokens.split() == ["la", branch_token("la")]
    assert branch_token("la")[0].isdigit()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a database with no schema yet is: a new SQLite file, or an empty PostgreSQL one."""
    if request.param == "sqlite":
        yield str(tmp_path / "old.db")
    else:
        with postgres.fresh_database(migrated=False) as url:
            yield url


async def test_a_migrated_database_with_guests_gets_its_index_rebuilt(unmigrated_url: str) -> None:
    """Guests written before migration 0003 are indexed the first time the bot opens the
    database, and only then."""
    kind = "postgresql" if is_postgres_url(unmigrated_url) else "sqlite"
    db = await open_database(unmigrated_url,
                             [m for m in shipped_migrations(kind) if m.version < 3])
    await db.write(lambda conn: conn.execute(
        "INSERT INTO guests (name, honorific, pinyin, branch, created_at, updated_at)"
        " VALUES ('王', '先生', 'wang', 'sh', ?, ?)", (NOW.isoformat(),) * 2))
    await db.close()
    db = await open_database(unmigrated_url)
    try:
        assert await ensure_search_index(db) == 1
        assert await ensure_search_index(db) == 0
        assert await db.read(index_disagreements) == []
        assert [h.guest.name for h in await GuestSearch(db).find("wang", branch="sh")] == ["王"]
    finally:
        await db.close()


async def test_a_new_database_needs_no_rebuild(db: Database) -> None:
    assert await ensure_search_index(db) == 0


def test_the_index_holds_chinese_names_in_simplified_characters() -> None:
    assert index_row("陳", "先生", "sh").tokens == index_row("陈", "先生", "sh").tokens
    assert "陈" in index_row("陳", "先生", "sh").tokens.split()


async def test_rows_indexed_in_traditional_characters_are_indexed_again(
        unmigrated_url: str) -> None:
    """Guests written before migration 0013 are indexed again, in simplified characters."""
    kind = "postgresql" if is_postgres_url(unmigrated_url) else "sqlite"
    db = await open_database(unmigrated_url,
                             [m for m in shipped_migrations(kind) if m.version < 13])
    await db.write(lambda conn: conn.execute(
        "INSERT INTO guests (name, honorific, pinyin, branch, created_at, updated_at)"
        " VALUES ('陳', '先生', 'chen', 'sh', ?, ?)", (NOW.isoformat(),) * 2))
    await db.close()
    db = await open_database(unmigrated_url)
    try:
        assert await ensure_search_index(db) == 1
        assert await db.read(index_disagreements) == []
        assert [h.guest.name for h in await GuestSearch(db).find("陈", branch="sh")] == ["陳"]
    finally:
        await db.close()
