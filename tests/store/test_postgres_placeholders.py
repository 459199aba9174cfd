"""SQLite's placeholders as psycopg's: the one piece of SQL the PostgreSQL store rewrites."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from store.postgres import placeholders


def test_marks_and_names_become_psycopg_placeholders() -> None:
    sql = "SELECT id FROM guests WHERE name = ? AND branch = :branch LIMIT :cap"
    assert placeholders(sql) == (
        "SELECT id FROM guests WHERE name = %s AND branch = %(branch)s LIMIT %(cap)s")


def test_quoted_text_keeps_its_marks_and_casts_stay() -> None:
    sql = "SELECT 'it''s ? :not' || x::text FROM t WHERE a LIKE '%x' AND \"odd?\" = ?"
    assert placeholders(sql) == (
        "SELECT 'it''s ? :not' || x::text FROM t WHERE a LIKE '%%x' AND \"odd?\" = %s")


_PLAIN = st.text(alphabet="abc xyz_=(),.*0123456789\n", min_size=1, max_size=8)
_QUOTED = st.text(alphabet="ab ?:%'", max_size=6).map(lambda t: "'" + t.replace("'", "''") + "'")
_NAMED = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True).map(lambda n: ":" + n)
_PIECES = st.lists(st.one_of(_PLAIN, _QUOTED, _NAMED, st.just("?"), st.just("%"),
                             st.just("::int")), max_size=12)


@given(_PIECES)
def test_translation_is_undone_exactly_by_reading_it_back(pieces: list[str]) -> None:
    # A space between pieces, as between SQL tokens: "a" + ":b" would be a cast-free name.
    sql = " ".join(pieces)
    translated = placeholders(sql)
    back = re.sub(r"%\((\w+)\)s|%s|%%", lambda m: f":{m[1]}" if m[1] else
                  ("?" if m[0] == "%s" else "%"), translated)
    assert back == sql
    assert translated.count("%s") == sum(piece == "?" for piece in pieces)
