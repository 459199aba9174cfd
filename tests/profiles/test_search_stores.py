"""SQLite (FTS5) and PostgreSQL (a GIN index of the same tokens) find the same guests."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles import search as search_module
from profiles import search_index as search_index_module
from profiles.guests import GuestStore
from profiles.name_match import MatchKind
from profiles.names import match_groups, query_terms
from profiles.search import GuestSearch
from profiles.search_index import (
    fts_tokens,
    index_lookup,
    index_terms,
    list_newest,
    terms_to_list,
)
from store.connect import open_database
from store.sql import Conn
from tests import postgres

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# Scripts FTS5 folds in its own way: accents, Greek, Devanagari vowel signs (separators
# there), Hangul, a combining accent, and the punctuation a name may hold.
LETTERS = "王伟李明小曾abcehlnosé\u0301ÉüßςάΣनमस्तेकि김민-'. "
BRANCHES = ["la", "sh", "SH-1"]
# Each example writes a database: slow, and on the one database of the test.
DATABASE_EXAMPLES = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

guest_names = st.text(alphabet=LETTERS, min_size=1, max_size=8).filter(str.strip)
honorifics = st.sampled_from(["", "Mr ", "Dr. "])
guests = st.lists(st.tuples(honorifics, guest_names, st.sampled_from(BRANCHES)),
                  min_size=1, max_size=8)


@st.composite
def guests_and_query(draw: st.DrawFn) -> tuple[list[tuple[str, str]], str, str | None]:
    chosen = draw(guests)
    named = [(honorific + name, branch) for honorific, name, branch in chosen]
    name = draw(st.sampled_from(named))[0]
    start = draw(st.integers(0, len(name) - 1))
    part = name[start:draw(st.integers(start + 1, len(name)))]
    query = draw(st.one_of(st.just(part), st.just(name), st.text(alphabet=LETTERS, max_size=6),
                           st.just(part + draw(st.sampled_from(["x", "e", "h"])))))
    return named, query, draw(st.sampled_from([None, *BRANCHES]))


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres.fresh_database() as url:
        yield url


Found = list[tuple[int, MatchKind]]


async def create_all(store: GuestStore, named: list[tuple[str, str]]) -> None:
    """Each (name, branch) a guest, a minute after the one before."""
    for minute, (name, guest_branch) in enumerate(named):
        await store.create(name, None, branch=guest_branch, staff_id=None, region="CN",
                           now=T0 + timedelta(minutes=minute))


async def found_in(url: str, named: list[tuple[str, str]], query: str,
                   branch: str | None) -> Found:
    db = await postgres.open_emptied(url)
    try:
        await create_all(GuestStore(db), named)
        hits = await GuestSearch(db).find(query, branch=branch, limit=20)
        return [(hit.guest.id, hit.match) for hit in hits]
    finally:
        await db.close()


async def found_in_both(pg_url: str, case: tuple[list[tuple[str, str]], str, str | None],
                        ) -> tuple[Found, Found]:
    named, query, branch = case
    return (await found_in(":memory:", named, query, branch),
            await found_in(pg_url, named, query, branch))


@pytest.mark.postgresql
@settings(DATABASE_EXAMPLES, max_examples=80)
@given(case=guests_and_query())
def test_both_stores_find_the_same_guests_in_the_same_order(
    pg_url: str, monkeypatch: pytest.MonkeyPatch,
    case: tuple[list[tuple[str, str]], str, str | None],
) -> None:
    """With a cap of two candidates per lookup, so that capped reads, the caller's branch
    read apart and PostgreSQL's paging through phrase matches are all exercised."""
    monkeypatch.setattr(search_module, "CANDIDATE_CAP", 2)
    on_sqlite, on_postgresql = asyncio.run(found_in_both(pg_url, case))
    assert on_postgresql == on_sqlite


@pytest.mark.postgresql
async def test_a_phrase_in_order_is_found_past_a_page_of_rows_out_of_order(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """王小明 in order, behind newer guests with the same characters in another order."""
    named = [("王小明", "sh"), *[(f"明小王{c}", "sh") for c in "一二三四五"], ("王小明明", "la")]
    monkeypatch.setattr(search_module, "CANDIDATE_CAP", 2)
    on_sqlite, on_postgresql = await found_in_both(pg_url, (named, "王小明", None))
    assert on_postgresql == on_sqlite == [(1, MatchKind.EXACT), (7, MatchKind.PREFIX)]


async def found_with_and_without_lists(
    url: str, named: list[tuple[str, str]], query: str, branch: str | None,
) -> tuple[Found, Found, int]:
    """What PostgreSQL finds when every term has its list of newest matches, made before
    the last guest came and the first was renamed (so the lists were kept by those writes,
    not made from their result), and what it finds from the index alone; and how many
    lists the search could trust."""
    db = await postgres.open_emptied(url)
    try:
        store = GuestStore(db)
        *earlier, (last, last_branch) = named
        await create_all(store, earlier)

        def list_every_term(conn: Conn) -> None:
            for (term,) in conn.execute(
                    "SELECT DISTINCT unnest(prefixes) FROM guest_search").fetchall():
                list_newest(conn, term)

        await db.write(list_every_term)
        await store.create(last, None, branch=last_branch, staff_id=None, region="CN",
                           now=T0 + timedelta(hours=1))
        if earlier:
            await store.rename(1, last, now=T0 + timedelta(hours=2))
        search = GuestSearch(db)
        with_lists = [(hit.guest.id, hit.match)
                      for hit in await search.find(query, branch=branch, limit=20)]
        trusted = await db.read(lambda conn: conn.execute(
            "SELECT COUNT(*) FROM newest_matches WHERE cardinality(ids) >= ?",
            (search_module.CANDIDATE_CAP,)).fetchone()[0])
        await db.write(lambda conn: conn.execute("DELETE FROM newest_matches"))
        alone = [(hit.guest.id, hit.match)
                 for hit in await search.find(query, branch=branch, limit=20)]
        return with_lists, alone, int(trusted)
    finally:
        await db.close()


@pytest.mark.postgresql
@settings(DATABASE_EXAMPLES, max_examples=60)
@given(case=guests_and_query())
def test_the_newest_matches_of_a_term_are_what_the_index_would_find(
    pg_url: str, monkeypatch: pytest.MonkeyPatch,
    case: tuple[list[tuple[str, str]], str, str | None],
) -> None:
    """With a cap of two candidates per lookup, most lists are long enough to be trusted."""
    monkeypatch.setattr(search_module, "CANDIDATE_CAP", 2)
    with_lists, alone, _ = asyncio.run(found_with_and_without_lists(pg_url, *case))
    assert with_lists == alone


@pytest.mark.postgresql
async def test_a_common_term_is_answered_from_its_list(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "CANDIDATE_CAP", 2)
    named = [(f"Wang {word}", "la") for word in ("Ann", "Bo", "Cy", "Di")] + [("Wang Ed", "sh")]
    with_lists, alone, trusted = await found_with_and_without_lists(pg_url, named, "wang", "la")
    assert trusted > 0
    # the caller's newest two, then the chain's newest (who came last, in another branch)
    assert with_lists == alone and [guest_id for guest_id, _ in with_lists] == [4, 3, 5]


@pytest.mark.postgresql
async def test_the_sweep_lists_the_terms_its_statistics_call_common(pg_url: str) -> None:
    db = await postgres.open_emptied(url=pg_url)
    try:
        store = GuestStore(db)
        for n in range(60):
            await store.create(f"Zhou {n}", None, branch="la", staff_id=None, region="CN",
                               now=T0 + timedelta(minutes=n))
        await db.write(lambda conn: conn.execute("ANALYZE guest_search"))
        assert "zhou " in await db.read(partial(terms_to_list, at_least=50))
        search = GuestSearch(db)
        assert await search.list_common_terms(T0) == 0  # none shared by 1,000 guests
        monkeypatch = pytest.MonkeyPatch()
        monkeypatch.setattr(search_index_module, "COMMON_MATCHES", 50)
        try:
            listed = await GuestSearch(db).list_common_terms(T0)
        finally:
            monkeypatch.undo()
        ids = await db.read(lambda conn: conn.execute(
            "SELECT ids FROM newest_matches WHERE term = 'zhou '").fetchone()[0])
        assert listed > 0 and ids == list(range(60, 10, -1))
        assert "zhou " not in await db.read(partial(terms_to_list, at_least=50))  # listed
    finally:
        await db.close()


@pytest.mark.postgresql
async def test_a_name_lookup_on_postgresql_can_use_the_gin_index(pg_url: str) -> None:
    lookup = index_lookup(match_groups(query_terms("王小 wang")))
    assert lookup is not None
    condition, params = lookup.condition()

    def plan(conn: Conn) -> list[str]:
        # a test database is too small for the planner to prefer an index by itself
        conn.execute("SET LOCAL enable_seqscan = off")
        conn.execute("SET LOCAL enable_indexscan = off")
        return [row[0] for row in conn.execute(
            f"EXPLAIN SELECT guest_id FROM guest_search WHERE {condition}"
            " ORDER BY guest_id DESC LIMIT 50", params)]

    db = await open_database(pg_url)
    try:
        lines = await db.read(plan)
    finally:
        await db.close()
    assert any("Bitmap Index Scan on guest_search_prefixes" in line for line in lines)


@given(st.text(max_size=40) | st.text(alphabet=LETTERS + "0123456789_", max_size=40))
def test_tokens_are_read_as_fts5_reads_them(text: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE terms USING fts5vocab (t, 'instance')")
    db.execute("INSERT INTO t (rowid, x) VALUES (1, ?)", (text,))
    read = [term for (term,) in db.execute("SELECT term FROM terms ORDER BY offset")]
    db.close()
    assert fts_tokens(text) == read


def test_index_terms_are_prefixes_whole_tokens_and_neighbours() -> None:
    assert index_terms("王 小 Wáng 0la") == (
        "0", "0l", "0la", "0la ", "w", "wa", "wan", "wang", "wang ", "wang 0la",
        "小", "小 ", "小 wang", "王", "王 ", "王 小",
    )
