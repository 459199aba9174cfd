"""Names: cleaning, honorifics, surname-aware pinyin, search tokens and safe FTS5 queries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from profiles.names import (
    MAX_NAME_LENGTH,
    SURNAME_READINGS,
    InvalidName,
    Phrase,
    Prefix,
    clean_name,
    fts_match_expression,
    pinyin_of,
    query_terms,
    search_tokens,
    split_honorific,
    visible_text,
)

# The schema's tokenizer, and the plain one the search could fall back to.
TOKENIZERS = ("unicode61 remove_diacritics 2", "unicode61")
GUESTS = {1: ("王", "先生"), 2: ("曾", "女士"), 3: ("Smith", "Mr"), 4: ("李", "总")}
FTS_SYNTAX = '"*^:-+()_%.,;NEARANDORNOT{}[]王曾wxs1 \u200b'


def make_index(tokenizer: str) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE guest_search USING fts5 (tokens, tokenize = '{tokenizer}')")
    for rowid, (name, honorific) in GUESTS.items():
        tokens = " ".join(search_tokens(name, honorific))
        db.execute("INSERT INTO guest_search (rowid, tokens) VALUES (?, ?)", (rowid, tokens))
    return db


def found(db: sqlite3.Connection, query: str) -> set[int]:
    expression = fts_match_expression(query_terms(query))
    assert expression is not None
    rows = db.execute("SELECT rowid FROM guest_search WHERE guest_search MATCH ?", (expression,))
    return {rowid for (rowid,) in rows}


@pytest.fixture(scope="module", params=TOKENIZERS)
def index(request: pytest.FixtureRequest) -> Iterator[sqlite3.Connection]:
    db = make_index(request.param)
    yield db
    db.close()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("王先生", ("王", "先生")),
        ("王 先生", ("王", "先生")),
        ("李总", ("李", "总")),
        ("张经理", ("张", "经理")),
        ("Mr. Smith", ("Smith", "Mr")),
        ("mrs smith", ("smith", "Mrs")),
        ("Dr.Li", ("Li", "Dr")),
        ("Smith先生", ("Smith", "先生")),
        ("王", ("王", "")),
        ("先生", ("先生", "")),
        ("Mr.", ("Mr.", "")),
        ("Drake", ("Drake", "")),
        ("Missy", ("Missy", "")),
    ],
)
def test_split_honorific(raw: str, expected: tuple[str, str]) -> None:
    assert split_honorific(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  王\u200b先生 ", "王先生"),
        ("Anna\u202e Smith", "Anna Smith"),
        ("Anna\t\n  Smith\x07", "Anna Smith"),
        ("王\u3000小明", "王 小明"),
        ("Ｓｍｉｔｈ", "Ｓｍｉｔｈ"),
        ("x" * MAX_NAME_LENGTH, "x" * MAX_NAME_LENGTH),
    ],
)
def test_clean_name_keeps_the_name_as_typed_but_visible(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\u200b\u200e", "x" * (MAX_NAME_LENGTH + 1)])
def test_clean_name_refuses_empty_or_long_names(raw: str) -> None:
    with pytest.raises(InvalidName):
        clean_name(raw)


@pytest.mark.parametrize(
    ("name", "surname"),
    [
        ("曾国藩", "zeng"), ("单田芳", "shan"), ("解缙", "xie"), ("仇英", "qiu"),
        ("朴槿惠", "piao"), ("乐嘉", "yue"), ("区志明", "ou"), ("查良镛", "zha"),
        ("盖聂", "ge"), ("繁漪", "po"), ("翟志刚", "zhai"), ("曾", "zeng"),
    ],
)
def test_first_character_is_read_as_a_surname(name: str, surname: str) -> None:
    assert pinyin_of(name).syllables[0][0] == surname


@pytest.mark.parametrize(
    ("name", "joined"),
    [("长孙无忌", "zhangsunwuji"), ("尉迟恭", "yuchigong"), ("万俟先生", "moqixiansheng"),
     ("单于明", "chanyuming"), ("欧阳修", "ouyangxiu")],
)
def test_compound_surnames(name: str, joined: str) -> None:
    assert pinyin_of(name).joined == joined


@pytest.mark.parametrize(
    ("name", "joined"), [("张乐", "zhangle"), ("王 乐", "wangle"), ("Anna 乐", "annayue")]
)
def test_only_the_first_chinese_character_is_a_surname(name: str, joined: str) -> None:
    assert pinyin_of(name).joined == joined


@pytest.mark.parametrize("surname", sorted(SURNAME_READINGS))
def test_the_ordinary_reading_of_a_surname_stays_searchable(surname: str) -> None:
    assert lazy_pinyin(surname)[0] in search_tokens(surname + "明")


def test_pinyin_reading() -> None:
    reading = pinyin_of("王先生")
    assert (reading.joined, reading.initials) == ("wangxiansheng", "wxs")
    assert pinyin_of("David 王").syllables == (("david",), ("wang",))


def test_tokens_of_wang_xiansheng() -> None:
    assert search_tokens("王", "先生") == [
        "王", "先", "生", "wang", "xian", "sheng", "1wangxiansheng", "1xiansheng", "wxs",
    ]


@pytest.mark.parametrize(("name", "readings"), [("女", {"nv", "nu"}), ("吕", {"lv", "lu"})])
def test_u_umlaut_is_indexed_as_v_and_u(name: str, readings: set[str]) -> None:
    assert readings <= set(search_tokens(name))


def test_tokens_of_a_latin_name_with_a_latin_honorific() -> None:
    assert search_tokens("O'Brien", "Mr") == ["o", "brien", "mr", "1obrien", "1mrobrien", "ob", "mob"]


def test_tokens_of_every_reading_combination() -> None:
    tokens = search_tokens("曾", "女士")
    assert {"1zengnvshi", "1zengnushi", "1cengnvshi", "1nushi", "zns", "cns"} <= set(tokens)


@pytest.mark.parametrize(
    ("query", "terms", "honorific"),
    [
        ("王先", (Phrase("王先"),), ""),
        ("王先生", (Phrase("王"),), "先生"),
        ("Mr. Smith", (Prefix("smith", frozenset({"word"})),), "Mr"),
        ("wxs", (Prefix("wxs", frozenset({"word", "initials"})),), ""),
        ("wangx", (Prefix("wangx", frozenset({"word", "pinyin"})),), ""),
        ("Wáng", (Prefix("wáng", frozenset({"word", "pinyin"})),), ""),
        ("smi", (Prefix("smi", frozenset({"word"})),), ""),
        ("wangxiansheng", (Prefix("wangxiansheng", frozenset({"word", "pinyin"})),), ""),
        ("smith", (Prefix("smith", frozenset({"word"})),), ""),
        ("zh", (Prefix("zh", frozenset({"word", "pinyin", "initials"})),), ""),
        ("王wang", (Phrase("王"), Prefix("wang", frozenset({"word", "pinyin"}))), ""),
    ],
)
def test_query_terms(query: str, terms: tuple[Phrase | Prefix, ...], honorific: str) -> None:
    plan = query_terms(query)
    assert (plan.terms, plan.honorific) == (terms, honorific)


def test_digits_are_left_for_the_phone_search() -> None:
    plan = query_terms("wang 1234")
    assert plan.terms == (Prefix("wang", frozenset({"word", "pinyin"})),)
    assert plan.digits == ("1234",)


@pytest.mark.parametrize(
    ("query", "expression"),
    [
        ("王先", '"王 先"'),
        ("smi", '("smi"* OR "1smi"*)'),
        ("wa", '"wa"*'),  # the start of a syllable: single tokens answer it
        ("wang", '"wang"*'),
        ('"NEAR(a* b)" -x:y ^z', '("near"* OR "1near"*) AND "a"* AND "b"* AND "x"* AND "y"* AND "z"*'),
        ("wang 1234", '"wang"*'),
        ("", None),
        ('"*^:-', None),
        ("1234", None),
    ],
)
def test_fts_match_expression(query: str, expression: str | None) -> None:
    assert fts_match_expression(query_terms(query)) == expression


@pytest.mark.parametrize(
    ("query", "rowids"),
    [
        ("王", {1}), ("王先", {1}), ("王先生", {1}), ("wang", {1}), ("wangx", {1}),
        ("wangxiansheng", {1}), ("wxs", {1}), ("xiansheng", {1}),
        ("zeng", {2}), ("ceng", {2}), ("曾女", {2}), ("nv", {2}), ("nu", {2}), ("nü", {2}),
        ("zengnvs", {2}), ("zns", {2}),
        ("smi", {3}), ("smith", {3}), ("Mr Smith", {3}), ("SMITH", {3}),
        ("李", {4}), ("李总", {4}), ("lz", {4}), ("li", {4}),
        ("王曾", set()), ("jones", set()), ("sheng", {1}), ("s", {1, 2, 3}),
    ],
)
def test_fts_round_trip(index: sqlite3.Connection, query: str, rowids: set[int]) -> None:
    assert found(index, query) == rowids


@given(st.text(max_size=200) | st.text(alphabet=FTS_SYNTAX, max_size=60))
def test_any_query_is_a_valid_fts5_expression(query: str) -> None:
    expression = fts_match_expression(query_terms(query))
    for tokenizer in TOKENIZERS:
        db = make_index(tokenizer)
        if expression is not None:
            db.execute("SELECT rowid FROM guest_search WHERE guest_search MATCH ?", (expression,))
        db.close()


@given(st.text(min_size=1, max_size=MAX_NAME_LENGTH), st.sampled_from(["", "先生", "Mr"]))
def test_any_name_indexes_and_finds_itself(raw: str, honorific: str) -> None:
    assume(visible_text(raw))
    name = clean_name(raw)
    tokens = search_tokens(name, honorific)
    assert all(token and not any(c.isspace() for c in token) for token in tokens)
    expression = fts_match_expression(query_terms(name))
    if expression is not None:
        db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE t USING fts5 (tokens, tokenize = 'unicode61')")
        db.execute("INSERT INTO t (rowid, tokens) VALUES (1, ?)", (" ".join(tokens),))
        assert db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall() == [(1,)]
        db.close()
