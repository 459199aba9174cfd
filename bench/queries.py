"""What staff type, drawn from a built chain: queries of each kind, each with a caller's branch.

Every query is made from a real guest of the chain (its surname, pinyin, phone, …), so each
kind is measured where it matches something, as staff would use it; `unknown` is the one kind
that matches nothing, the worst case of a scan.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

from profiles.names import pinyin_of
from store.sql import Dialect

Query = tuple[str, str]  # (text typed, branch of the staff member typing it)
KINDS = ("cjk_surname", "cjk_name", "pinyin", "initials", "latin_prefix", "typo",
         "phone_tail", "id", "room", "table", "unknown")


def queries(database: Path, per_kind: int, *, seed: int = 11) -> dict[str, list[Query]]:
    """`per_kind` queries of every kind in KINDS (fewer only if the chain is too small)."""
    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        guests = _sample(conn, rng, per_kind * 20)
        branches = [branch for (branch,) in conn.execute("SELECT DISTINCT branch FROM staff")]
        places = conn.execute("SELECT room_no, table_no, branch FROM visits"
                              " WHERE left_at IS NULL ORDER BY id").fetchall()
    finally:
        conn.close()
    chinese = [g for g in guests if not g[1].isascii()]
    latin = [g for g in guests if g[1].isascii()]
    makers: dict[str, tuple[list[tuple[int, str, str | None]], Callable[..., str | None]]] = {
        "cjk_surname": (chinese, lambda g: g[1][0]),
        "cjk_name": (chinese, lambda g: g[1][:2] if len(g[1]) > 1 else None),
        "pinyin": (chinese, lambda g: pinyin_of(g[1]).joined),
        "initials": (chinese, lambda g: _initials(g[1])),
        "latin_prefix": (latin, lambda g: g[1].split()[-1][:3]),
        "typo": (guests, lambda g: _typo(g[1], rng)),
        "phone_tail": ([g for g in guests if g[2]], lambda g: (g[2] or "")[-4:]),
        "id": (guests, lambda g: f"#{g[0]}"),
        "unknown": (guests, lambda g: "".join(rng.choice("qxzj") for _ in range(6))),
    }
    made = {kind: _made(rng, pool, make, per_kind, branches)
            for kind, (pool, make) in makers.items()}
    rooms = [(f"room {room}", branch) for room, _, branch in places if room]
    tables = [(f"table {table}", branch) for _, table, branch in places if table]
    made["room"] = rng.sample(rooms, min(per_kind, len(rooms)))
    made["table"] = rng.sample(tables, min(per_kind, len(tables)))
    return made


def like_pattern(text: str) -> str:
    """The naive search's pattern: the text anywhere, its wildcards made literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like_sql(dialect: Dialect) -> str:
    """What a first version would write: the text anywhere in the name, pinyin or phone, the
    most recent guests first. SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's
    ILIKE is the same search there."""
    like = "LIKE" if dialect == "sqlite" else "ILIKE"
    return f"""
        SELECT id, name, honorific, phone FROM guests
        WHERE name {like} :q ESCAPE '\\' OR pinyin {like} :q ESCAPE '\\'
              OR phone {like} :q ESCAPE '\\'
        ORDER BY created_at DESC LIMIT 10
    """


def _sample(conn: sqlite3.Connection, rng: random.Random,
            count: int) -> list[tuple[int, str, str | None]]:
    (top,) = conn.execute("SELECT MAX(id) FROM guests").fetchone()
    ids = rng.sample(range(1, top + 1), min(count, top))
    rows = []
    for guest_id in ids:
        row = conn.execute("SELECT id, name, phone FROM guests WHERE id = ?",
                           (guest_id,)).fetchone()
        if row is not None:
            rows.append(row)
    return rows


def _made(rng: random.Random, pool: list[tuple[int, str, str | None]],
          make: Callable[..., str | None], count: int, branches: list[str]) -> list[Query]:
    made: list[Query] = []
    for guest in pool:
        if len(made) == count:
            break
        if text := make(guest):
            made.append((text, rng.choice(branches)))
    return made


def _initials(name: str) -> str | None:
    initials = pinyin_of(name).initials
    return initials if len(initials) >= 2 else None


def _typo(name: str, rng: random.Random) -> str | None:
    """Two neighbouring letters swapped inside the longest word (or the pinyin)."""
    word = max(name.split(), key=len) if name.isascii() else pinyin_of(name).joined
    word = word.lower()
    if len(word) < 5:
        return None
    at = rng.randrange(1, len(word) - 2)
    swapped = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return swapped if swapped != word else None

