"""Guest search: every kind of reference finds the right guests, in the right order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles import search as search_module
from profiles.guests import GuestStore
from profiles.models import Guest
from profiles.name_match import MatchKind
from profiles.search import GuestSearch, SearchHit, key_upper_bound
from profiles.visits import VisitStore
from store.database import Database
from store.sql import Conn
from tests import postgres

# The `db` fixture (a fresh migrated in-memory database) comes from tests/conftest.py.
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def add(
    db: Database, name: str, phone: str | None = None, *, branch: str = "sh",
    region: str = "CN", minutes: int = 0,
) -> Guest:
    """A guest created `minutes` after T0 (a later guest is a more recent one)."""
    return await GuestStore(db).create(
        name, phone, branch=branch, staff_id=None, region=region,
        now=T0 + timedelta(minutes=minutes),
    )


async def visit(
    db: Database, guest: Guest, *, branch: str, minutes: int, room: str | None = None,
    table: str | None = None, left: bool = False,
) -> None:
    """A visit `minutes` after T0; one that was `left` ended an hour later."""
    visits, arrived = VisitStore(db), T0 + timedelta(minutes=minutes)
    made = await visits.arrive(guest.id, branch=branch, staff_id=None, now=arrived, table=table,
                               room=room)
    if left:
        await visits.leave(made.id, now=arrived + timedelta(hours=1))


def names(hits: list[SearchHit]) -> list[str]:
    return [hit.guest.honorific + hit.guest.name for hit in hits]


@pytest.fixture
async def chain(db: Database) -> dict[str, Guest]:
    """A few guests across two branches; later entries are more recent."""
    return {
        "wang": await add(db, "王先生", "13800138000", minutes=1),
        "wangwei": await add(db, "王伟", minutes=2),
        "zeng": await add(db, "曾女士", minutes=3),
        "smith": await add(db, "Mr. Smith", "+1 213 555 0142", branch="la", region="US", minutes=4),
        "smithers": await add(db, "Anna Smithers", branch="la", region="US", minutes=5),
        "other_0142": await add(db, "Bob Jones", "(310) 555-0142", branch="la", region="US",
                                minutes=6),
        "tail_9142": await add(db, "Carl Brown", "(213) 555-9142", branch="la", region="US",
                               minutes=7),
    }


async def find(
    db: Database, query: str, branch: str | None = "sh", limit: int = 10
) -> list[SearchHit]:
    return await GuestSearch(db).find(query, branch=branch, limit=limit)


async def resolve(db: Database, ref: str, branch: str | None = "sh") -> list[int]:
    return [g.id for g in await GuestSearch(db).resolve(ref, branch=branch)]


# --- names -----------------------------------------------------------------------------------


async def test_a_surname_finds_the_exact_name_before_longer_ones(
    db: Database, chain: dict[str, Guest]
) -> None:
    hits = await find(db, "王")
    # 王伟 is the more recent guest, but an exact name outranks a prefix.
    assert [(h.guest.id, h.match) for h in hits] == [
        (chain["wang"].id, MatchKind.EXACT), (chain["wangwei"].id, MatchKind.PREFIX)]


async def test_a_full_cjk_name_finds_only_that_guest(db: Database, chain: dict[str, Guest]) -> None:
    hits = await find(db, "王伟")
    assert [(h.guest.id, h.match) for h in hits] == [(chain["wangwei"].id, MatchKind.EXACT)]


async def test_a_later_character_is_a_substring_match(
    db: Database, chain: dict[str, Guest]
) -> None:
    hits = await find(db, "伟")
    assert [(h.guest.id, h.match) for h in hits] == [(chain["wangwei"].id, MatchKind.SUBSTRING)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wang", [("wang", MatchKind.EXACT), ("wangwei", MatchKind.PREFIX)]),
        ("wangw", [("wangwei", MatchKind.PREFIX)]),
        ("wangwei", [("wangwei", MatchKind.EXACT)]),
        ("wang wei", [("wangwei", MatchKind.EXACT)]),
        ("ww", [("wangwei", MatchKind.PREFIX)]),
        ("wxs", [("wang", MatchKind.PREFIX)]),
        ("wangxiansheng", [("wang", MatchKind.EXACT)]),
        ("zeng", [("zeng", MatchKind.EXACT)]),
        ("ZENG", [("zeng", MatchKind.EXACT)]),
        ("ceng", [("zeng", MatchKind.SUBSTRING)]),
    ],
)
async def test_pinyin_full_prefix_and_initials(
    db: Database, chain: dict[str, Guest], query: str, expected: list[tuple[str, MatchKind]]
) -> None:
    hits = await find(db, query)
    assert [(h.guest.id, h.match) for h in hits] == [(chain[k].id, m) for k, m in expected]


async def test_a_latin_prefix_finds_every_name_starting_with_it(
    db: Database, chain: dict[str, Guest]
) -> None:
    hits = await find(db, "smi", branch="la")
    # Both are prefixes in the caller's branch: the more recent first.
    assert [(h.guest.id, h.match) for h in hits] == [
        (chain["smithers"].id, MatchKind.PREFIX), (chain["smith"].id, MatchKind.PREFIX)]


@pytest.mark.parametrize("query", ["Smith", "smith", "Mr. Smith", "mr smith"])
async def test_a_whole_latin_name_comes_first(
    db: Database, chain: dict[str, Guest], query: str
) -> None:
    hits = await find(db, query, branch="la")
    assert [(h.guest.id, h.match) for h in hits] == [
        (chain["smith"].id, MatchKind.EXACT), (chain["smithers"].id, MatchKind.PREFIX)]


async def test_a_typo_finds_the_name_fuzzily(db: Database, chain: dict[str, Guest]) -> None:
    # The corrected word must be a whole word of the name: Smithers is no "smiht".
    hits = await find(db, "smiht")
    assert [(h.guest.id, h.match) for h in hits] == [(chain["smith"].id, MatchKind.FUZZY)]
    assert await find(db, "anna smiht") == []
    assert [h.guest.id for h in await find(db, "anna smithrs")] == [chain["smithers"].id]


async def test_a_pinyin_typo_finds_the_cjk_name(db: Database, chain: dict[str, Guest]) -> None:
    hits = await find(db, "wangwie")
    assert [(h.guest.id, h.match) for h in hits] == [(chain["wangwei"].id, MatchKind.FUZZY)]


async def test_fuzzy_matches_only_fill_up_to_the_limit(
    db: Database, chain: dict[str, Guest]
) -> None:
    # "smit" is a prefix of both Smiths; "smith" (one typo away) must not be searched again.
    assert {h.match for h in await find(db, "smit", limit=2)} == {MatchKind.PREFIX}


# --- ranking ---------------------------------------------------------------------------------


async def test_the_callers_branch_comes_before_a_more_recent_guest(db: Database) -> None:
    here = await add(db, "王女士", branch="la", minutes=1)
    elsewhere = await add(db, "王先生", branch="sh", minutes=2)
    assert [h.guest.id for h in await find(db, "王", branch="la")] == [here.id, elsewhere.id]
    assert [h.guest.id for h in await find(db, "王", branch="sh")] == [elsewhere.id, here.id]
    assert [h.guest.id for h in await find(db, "王", branch=None)] == [elsewhere.id, here.id]


async def test_a_recent_visit_counts_as_recent_and_as_the_visited_branch(db: Database) -> None:
    old = await add(db, "李明", branch="sh", minutes=1)
    new = await add(db, "李华", branch="sh", minutes=2)
    assert [h.guest.id for h in await find(db, "李", branch="sh")] == [new.id, old.id]
    await visit(db, old, branch="sh", minutes=60, left=True)
    assert [h.guest.id for h in await find(db, "李", branch="sh")] == [old.id, new.id]
    # A guest last seen in the caller's branch counts as one of its guests.
    visitor = await add(db, "李强", branch="bj", minutes=3)
    await visit(db, visitor, branch="la", minutes=30, left=True)
    assert [h.guest.id for h in await find(db, "李", branch="la")] == [visitor.id, old.id, new.id]


async def test_exact_names_are_found_past_the_candidate_cap(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = await add(db, "王先生", minutes=0)
    newer = [await add(db, f"王{c}", minutes=i) for i, c in enumerate("一二三四五六", 1)]
    monkeypatch.setattr(search_module, "CANDIDATE_CAP", 3)
    hits = await find(db, "王")
    assert [h.guest.id for h in hits] == [exact.id, newer[-1].id, newer[-2].id, newer[-3].id]
    assert await resolve(db, "王先生") == [exact.id]
    assert await resolve(db, "wang") == [exact.id]


async def test_the_callers_branch_is_found_past_the_candidate_cap(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """王 matches a large share of a chain: the newest few chain-wide would miss the caller's
    own guests, so they are read apart."""
    here = await add(db, "王小明", branch="la", minutes=0)
    newer = [await add(db, f"王{c}明", branch="sh", minutes=i) for i, c in enumerate("一二三四五", 1)]
    monkeypatch.setattr(search_module, "CANDIDATE_CAP", 3)
    hits = await find(db, "王", branch="la", limit=3)
    assert [h.guest.id for h in hits] == [here.id, newer[-1].id, newer[-2].id]


async def test_the_limit_keeps_the_best(db: Database) -> None:
    guests = [await add(db, f"王{c}", minutes=i) for i, c in enumerate("一二三四五六七八")]
    exact = await add(db, "王", minutes=0)
    hits = await find(db, "王", limit=3)
    assert [h.guest.id for h in hits] == [exact.id, guests[-1].id, guests[-2].id]


# --- phones and ids --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["0142", "555-0142", "555 0142"])
async def test_phone_tails(db: Database, chain: dict[str, Guest], query: str) -> None:
    hits = await find(db, query, branch="la")
    assert [(h.guest.id, h.match) for h in hits] == [
        (chain["other_0142"].id, MatchKind.PHONE), (chain["smith"].id, MatchKind.PHONE)]


async def test_a_tail_ending_the_range_in_9(db: Database, chain: dict[str, Guest]) -> None:
    # The reversed key "2419" has the upper bound "241:", past every "2419…".
    assert [h.guest.id for h in await find(db, "9142")] == [chain["tail_9142"].id]
    assert await find(db, "8142") == []


def test_the_key_upper_bound_is_the_next_prefix() -> None:
    assert key_upper_bound("2410") == "2411"
    assert key_upper_bound("2419") == "241:"
    assert "2419" < "24199999" < key_upper_bound("2419") < "242"


async def test_an_id(db: Database, chain: dict[str, Guest]) -> None:
    zeng = chain["zeng"]
    assert [(h.guest, h.match) for h in await find(db, f"#{zeng.id}")] == [(zeng, MatchKind.ID)]
    assert await find(db, "#999") == []


# --- resolve ---------------------------------------------------------------------------------


async def test_resolve_picks_the_one_full_name(db: Database, chain: dict[str, Guest]) -> None:
    assert await resolve(db, "王先生") == [chain["wang"].id]
    assert await resolve(db, "王") == [chain["wang"].id]
    assert await resolve(db, "wang") == [chain["wang"].id]
    assert await resolve(db, "王伟") == [chain["wangwei"].id]
    assert await resolve(db, "Mr. Smith") == [chain["smith"].id]
    assert await resolve(db, "smith") == [chain["smith"].id]


async def test_resolve_lists_the_candidates_when_no_one_is_named_in_full(
    db: Database, chain: dict[str, Guest]
) -> None:
    assert await resolve(db, "smi", branch="la") == [chain["smithers"].id, chain["smith"].id]
    assert await resolve(db, "wangw") == [chain["wangwei"].id]
    assert await resolve(db, "nobody") == []


async def test_resolve_respects_the_honorific_asked_for(db: Database) -> None:
    sir = await add(db, "王先生", minutes=1)
    madam = await add(db, "王女士", minutes=2)
    assert await resolve(db, "王先生") == [sir.id]
    assert await resolve(db, "王女士") == [madam.id]
    assert await resolve(db, "王") == [madam.id, sir.id]


async def test_resolve_a_phone(db: Database, chain: dict[str, Guest]) -> None:
    smith, jones = chain["smith"].id, chain["other_0142"].id
    assert await resolve(db, "0142", branch="la") == [jones, smith]
    assert await resolve(db, "213-555-0142") == [smith]
    assert await resolve(db, "+1 213 555 0142") == [smith]
    assert await resolve(db, "13800138000") == [chain["wang"].id]
    assert await resolve(db, "+86 138 0013 8000") == [chain["wang"].id]


async def test_resolve_a_whole_number_among_longer_ones_ending_in_it(
    db: Database, chain: dict[str, Guest]
) -> None:
    berlin = await add(db, "Hans Weber", "+49 30 12135550142", branch="la", minutes=9)
    smith = chain["smith"].id
    assert await resolve(db, "213 555 0142") == [smith]
    assert await resolve(db, "+1 213 555 0142") == [smith]
    assert await resolve(db, "555 0142", branch="la") == [berlin.id, chain["other_0142"].id, smith]


async def test_resolve_an_id(db: Database, chain: dict[str, Guest]) -> None:
    assert await resolve(db, "#3") == [3]
    assert await resolve(db, "＃３") == [3]
    assert await resolve(db, "#0") == []


async def test_resolve_a_room_or_table_is_who_is_there_now(
    db: Database, chain: dict[str, Guest]
) -> None:
    wang, zeng, smith = chain["wang"], chain["zeng"], chain["smith"]
    await visit(db, wang, branch="sh", minutes=10, room="1203")
    await visit(db, zeng, branch="sh", minutes=20, room="1203", left=True)  # later, but gone
    await visit(db, smith, branch="la", minutes=30, room="1203")
    await visit(db, zeng, branch="sh", minutes=40, table="12")
    assert await resolve(db, "room 1203", branch="sh") == [wang.id]
    assert await resolve(db, "1203房", branch="sh") == [wang.id]
    assert await resolve(db, "room 1203", branch="la") == [smith.id]
    assert await resolve(db, "table 12", branch="sh") == [zeng.id]
    assert await resolve(db, "12号桌", branch="sh") == [zeng.id]
    assert await resolve(db, "room 12", branch="sh") == []
    assert await resolve(db, "table 12", branch="la") == []
    assert await resolve(db, "room 1203", branch=None) == [smith.id, wang.id]
    assert [h.match for h in await find(db, "room 1203")] == [MatchKind.PLACE]


async def test_the_latest_open_visit_wins(db: Database, chain: dict[str, Guest]) -> None:
    await visit(db, chain["wang"], branch="sh", minutes=10, table="5")
    await visit(db, chain["zeng"], branch="sh", minutes=20, table="5")
    assert await resolve(db, "table 5") == [chain["zeng"].id]


# --- bad input -------------------------------------------------------------------------------

BAD_INPUTS = [
    "", " ", "   \t\n", "a", "%", "_", "*", "%%", "__", "'", '"', "''", '""', "\\", ";",
    "NEAR(", 'NEAR("a" "b")', "NEAR(smith wang, 2)", "AND", "OR", "NOT", "smith AND", "OR wang",
    "NOT smith", "smith OR wang", "smi*", "^smith", "tokens:smith", "guest_search:x", "(", ")",
    "-smith", "+", "{a b}", "😀", "👨‍👩‍👧", "王😀", "\x00", "\u200b", "'; DROP TABLE guests; --",
    "x" * 500, "王" * 500, "wang " * 100, "#", "#abc", "#99999999999999999999", "room", "table",
    "room 99999999999999999999",
]


@pytest.mark.parametrize("query", BAD_INPUTS)
async def test_bad_input_is_answered_without_error(
    db: Database, chain: dict[str, Guest], query: str
) -> None:
    search = GuestSearch(db)
    assert isinstance(await search.find(query, branch="sh"), list)
    assert isinstance(await search.resolve(query, branch="sh"), list)


@pytest.mark.parametrize("query", ["%", "_", "*", "%%", "__", "**", "?", "'", '"', "😀", "a"])
async def test_wildcards_and_single_letters_match_nothing(
    db: Database, chain: dict[str, Guest], query: str
) -> None:
    assert await find(db, query) == []


async def test_one_cjk_or_hangul_character_is_a_surname(db: Database) -> None:
    kim = await add(db, "김민수", minutes=1)
    assert [h.guest.id for h in await find(db, "김")] == [kim.id]


async def test_fts_keywords_are_plain_words(db: Database) -> None:
    near = await add(db, "Nearing Andrews", minutes=1)
    assert [h.guest.id for h in await find(db, "NEAR(")] == [near.id]
    assert [h.guest.id for h in await find(db, "AND")] == [near.id]
    assert await find(db, "NOT") == []


async def test_wildcards_inside_a_query_are_literal(db: Database, chain: dict[str, Guest]) -> None:
    # Punctuation separates words: "smi%" is the word "smi", never "smi" then anything.
    assert names(await find(db, "smi%", branch="la")) == names(await find(db, "smi", branch="la"))
    assert await find(db, "s%h") == []


async def test_a_long_query_is_cut_not_refused(db: Database, chain: dict[str, Guest]) -> None:
    assert [h.guest.id for h in await find(db, "王伟" + " " * 70 + "zzz")] == [chain["wangwei"].id]


async def test_limit_below_one_is_empty(db: Database, chain: dict[str, Guest]) -> None:
    assert await find(db, "王", limit=0) == []


# --- vocabulary ------------------------------------------------------------------------------


class Counting:
    """A vocabulary that records being asked, to check when fuzzy search runs."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def corrections(self, conn: Conn, words: Sequence[str]) -> dict[str, list[str]]:
        self.asked.append(list(words))
        return {word: ["smith"] for word in words}


async def test_the_vocabulary_is_asked_only_when_too_few_were_found(
    db: Database, chain: dict[str, Guest]
) -> None:
    vocabulary = Counting()
    search = GuestSearch(db, vocabulary)
    await search.find("smit", branch="la", limit=2)
    assert vocabulary.asked == []
    hits = await search.find("xmith", branch="la", limit=2)
    assert vocabulary.asked == [["xmith"]]
    assert [h.guest.id for h in hits] == [chain["smith"].id]


# --- property: nothing a brute-force scan finds is missed ------------------------------------

CJK = "王伟李明小曾"
LATIN = "abceghkl"  # no m, d or p: "mr x" would be split off as an honorific
cjk_names = st.text(alphabet=CJK, min_size=1, max_size=4)
latin_words = st.text(alphabet=LATIN, min_size=2, max_size=6)
latin_names = st.lists(latin_words, min_size=1, max_size=2).map(" ".join)
guest_names = st.lists(st.one_of(cjk_names, latin_names), min_size=1, max_size=6)


@st.composite
def names_and_query(draw: st.DrawFn) -> tuple[list[str], str]:
    names = draw(guest_names)
    name = draw(st.sampled_from(names))
    if name[0] in CJK:
        start = draw(st.integers(0, len(name) - 1))
        end = draw(st.integers(start + 1, len(name)))
        return names, name[start:end]
    word = draw(st.sampled_from(name.split()))
    return names, word[: draw(st.integers(2, len(word)))]


def brute_force(names: list[str], query: str) -> set[int]:
    """Ids (1-based, in creation order) of names with `query` inside a CJK name or
    starting a latin word."""
    return {
        index for index, name in enumerate(names, 1)
        if (name[0] in CJK and query in name)
        or any(word.startswith(query) for word in name.split())
    }


async def search_fresh_db(url: str, names: list[str], query: str) -> set[int]:
    db = await postgres.open_emptied(url)
    try:
        for minute, name in enumerate(names):
            await add(db, name, minutes=minute)
        return {h.guest.id for h in await GuestSearch(db).find(query, branch="sh", limit=50)}
    finally:
        await db.close()


# Each example empties the test's database (`open_emptied`), so the fixture is not reused.
EXAMPLES_SHARE_A_DATABASE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(max_examples=60, deadline=None, suppress_health_check=EXAMPLES_SHARE_A_DATABASE)
@given(case=names_and_query())
def test_find_misses_nothing_a_scan_finds(database_url: str, case: tuple[list[str], str]) -> None:
    names, query = case
    assert brute_force(names, query) <= asyncio.run(search_fresh_db(database_url, names, query))


async def find_and_resolve_fresh_db(url: str, query: str) -> None:
    db = await postgres.open_emptied(url)
    try:
        await add(db, "王先生", "13800138000")
        await add(db, "Mr. Smith")
        search = GuestSearch(db)
        assert isinstance(await search.find(query, branch="sh"), list)
        assert isinstance(await search.resolve(query, branch=None), list)
    finally:
        await db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=EXAMPLES_SHARE_A_DATABASE)
@given(query=st.text(max_size=80))
def test_any_text_is_answered(database_url: str, query: str) -> None:
    asyncio.run(find_and_resolve_fresh_db(database_url, query))


async def test_a_name_typed_in_traditional_characters_is_found_in_simplified(
        db: Database) -> None:
    await add(db, "陳先生")
    assert names(await GuestSearch(db).find("陈", branch="sh")) == ["先生陳"]


async def test_a_name_stored_in_simplified_is_found_in_traditional(db: Database) -> None:
    await add(db, "陈小龙")
    assert names(await GuestSearch(db).find("陳小龍", branch="sh")) == ["陈小龙"]
