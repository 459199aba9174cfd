"""Moving a chain's data from its SQLite file into PostgreSQL, once, when it outgrows one machine.

The target is a new database: `open_database` migrates it to the same schema version as the
SQLite file, then one transaction copies every table, parents before children (foreign
keys), with COPY; sets each id sequence past the ids the table has held, so new rows never
take an old id; and builds the search index again, since PostgreSQL derives it differently
from SQLite. A failure copies no row at all, so the command can simply be run again.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from profiles.search_index import index_row
from store.connect import open_database
from store.database import (
    MigrationError,
    SchemaTooNew,
    is_postgres_url,
    require_known_schema,
    shipped_migrations,
)
from store.sqlite import BUSY_TIMEOUT_MS

BATCH_ROWS = 5000  # read from SQLite this many rows at a time
# Written by the migrations themselves or derived from other tables, never copied: the
# search index (an FTS5 table on SQLite) is built again from `guests` on the target.
NOT_COPIED = frozenset({"schema_migrations", "guest_search", "search_words", "search_index_state"})

PgConnection = psycopg.Connection[tuple[Any, ...]]


class MigrateError(Exception):
    """The data cannot be moved; the message says why, and no row was copied."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the primary key: rows are copied in its order


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


async def migrate_to_postgres(source: Path, target: str) -> list[Copied]:
    """Copy the SQLite database at `source` into the empty PostgreSQL database at `target`
    (a postgresql:// URL); the rows copied, table by table. Stop the bot first: what it
    writes after the copy has begun is not copied."""
    if not is_postgres_url(target):
        raise MigrateError(f"{target}: not a postgresql:// URL")
    with closing(_open_source(source)) as probe:
        versions = _source_versions(probe, source)
    await asyncio.to_thread(_require_reachable, target)
    try:
        schema = await open_database(target)  # the target's schema, migrated as the bot would
    except MigrationError as error:
        raise MigrateError(f"{shown_url(target)}: {error}") from None
    await schema.close()
    return await asyncio.to_thread(_copy_database, source, target, versions)


def shown_url(url: str) -> str:
    """The URL without its password, fit for a message."""
    parts = urlsplit(url)
    user, _, host = parts.netloc.rpartition("@")
    login = user.partition(":")[0]
    return parts._replace(netloc=f"{login}@{host}" if login else host).geturl()


def _require_reachable(target: str) -> None:
    """A clear refusal for a wrong URL or password, before the pool would time out on it."""
    try:
        psycopg.connect(target, connect_timeout=10).close()
    except psycopg.Error as error:
        raise MigrateError(f"{shown_url(target)}: cannot connect ({_one_line(error)})") from None


def _open_source(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise MigrateError(f"{path}: no such database")  # sqlite3 would create an empty one
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute("BEGIN")  # one snapshot for the whole copy
    return conn


def _source_versions(conn: sqlite3.Connection, path: Path) -> list[int]:
    """The SQLite database's migrations, which must be every one this guestcard ships."""
    try:
        done = [v for (v,) in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]
    except sqlite3.DatabaseError as error:
        raise MigrateError(f"{path}: not a guestcard database ({error})") from None
    shipped = [m.version for m in shipped_migrations("sqlite")]
    try:
        require_known_schema(done, shipped_migrations("sqlite"))
    except SchemaTooNew as error:
        raise MigrateError(f"{path}: {error}") from None
    if done != shipped:
        raise MigrateError(
            f"{path}: at schema version {_version(done)}, this guestcard's is"
            f" {_version(shipped)}; run this guestcard on it once (`guestcard run`) to"
            " bring it up to date, then migrate")
    return done


def _version(versions: list[int]) -> str:
    """The last version when `versions` are the first of those shipped (numbers may skip
    one reserved for a change not made), else the whole list."""
    shipped = [m.version for m in shipped_migrations("sqlite")]
    return str(versions[-1]) if versions == shipped[:len(versions)] else str(versions)


def _copy_database(source: Path, target: str, versions: list[int]) -> list[Copied]:
    shown = shown_url(target)
    # one transaction: committed when the block ends, rolled back if anything fails
    with closing(_open_source(source)) as sqlite, psycopg.connect(target) as pg:
        _require_versions(pg, versions, shown)
        tables = copy_order(sqlite)
        _require_tables(pg, tables, shown)
        copied = [Copied(t.name, _copy_table(sqlite, pg, t)) for t in tables]
        for table in tables:
            _advance_sequences(sqlite, pg, table)
        _index_guests(sqlite, pg)
        # the planner's statistics now, not at autovacuum's leisure: a search planned on an
        # empty table's figures would filter every row
        pg.execute("ANALYZE")
    return copied


def _require_versions(pg: PgConnection, versions: list[int], target: str) -> None:
    found = [v for (v,) in pg.execute("SELECT version FROM schema_migrations ORDER BY 1")]
    if found != versions:
        raise MigrateError(f"{target}: at schema version {_version(found)}, the SQLite"
                           f" database at {_version(versions)}; they must match")


def copy_order(sqlite: sqlite3.Connection) -> list[Table]:
    """The tables to copy, each after every table its foreign keys point at."""
    names = [name for (name,) in sqlite.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
    virtual = [name for (name,) in sqlite.execute(
        "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]
    shadows = {name for name in names for v in virtual if name.startswith(f"{v}_")}
    copied = [name for name in names if name not in NOT_COPIED | shadows]
    parents = {name: _parents(sqlite, name) & set(copied) for name in copied}
    return [_table(sqlite, name) for name in _parents_first(parents)]


def _parents(sqlite: sqlite3.Connection, table: str) -> set[str]:
    return {row[2] for row in sqlite.execute(f"PRAGMA foreign_key_list({_quoted(table)})")}


def _parents_first(parents: dict[str, set[str]]) -> Iterator[str]:
    done: set[str] = set()
    while len(done) < len(parents):
        ready = [t for t in parents if t not in done and parents[t] - {t} <= done]
        if not ready:
            raise MigrateError(f"foreign keys form a cycle among {sorted(set(parents) - done)}")
        done.update(ready)
        yield from ready


def _table(sqlite: sqlite3.Connection, name: str) -> Table:
    info = sqlite.execute(f"PRAGMA table_info({_quoted(name)})").fetchall()
    keys = sorted((row[5], row[1]) for row in info if row[5] > 0)
    return Table(name, tuple(row[1] for row in info), tuple(column for _, column in keys))


def _require_tables(pg: PgConnection, tables: list[Table], target: str) -> None:
    """Each table on the target, with every column of SQLite's, and empty."""
    for table in tables:
        columns = {row[0] for row in pg.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s", (table.name,))}
        missing = [c for c in table.columns if c not in columns]
        if not columns or missing:
            what = "the table" if not columns else f"columns {', '.join(missing)}"
            raise MigrateError(f"{target}: {table.name}: {what} missing; the schemas differ")
        if pg.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(
                sql.Identifier(table.name))).fetchone() is not None:
            raise MigrateError(f"{target}: already holds data ({table.name} is not empty);"
                               " migrate into a new, empty database")


def _copy_table(sqlite: sqlite3.Connection, pg: PgConnection, table: Table) -> int:
    order = f" ORDER BY {', '.join(map(_quoted, table.key))}" if table.key else ""
    rows = sqlite.execute(
        f"SELECT {', '.join(map(_quoted, table.columns))} FROM {_quoted(table.name)}{order}")
    try:
        return _copy_rows(pg, table.name, table.columns, _batches(rows))
    except (psycopg.IntegrityError, psycopg.DataError) as error:
        raise MigrateError(f"{table.name}: a row was refused ({_one_line(error)})") from None


def _batches(rows: sqlite3.Cursor) -> Iterator[Sequence[Any]]:
    while batch := rows.fetchmany(BATCH_ROWS):
        yield from batch


def _copy_rows(pg: PgConnection, table: str, columns: Sequence[str],
               rows: Iterable[Sequence[Any]]) -> int:
    """COPY, the fastest way in: row by row over one statement, values as PostgreSQL's text."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    count = 0
    with pg.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _advance_sequences(sqlite: sqlite3.Connection, pg: PgConnection, table: Table) -> None:
    """Every id sequence of the table past the highest id it has held: the copied rows', or
    on SQLite an AUTOINCREMENT table's high-water mark (ids of deleted rows are not reused)."""
    for column in table.key:
        (sequence,) = pg.execute("SELECT pg_get_serial_sequence(%s, %s)",
                                 (_quoted(table.name), column)).fetchone() or (None,)
        if sequence is None:
            continue
        (top,) = pg.execute(sql.SQL("SELECT MAX({}) FROM {}").format(
            sql.Identifier(column), sql.Identifier(table.name))).fetchone() or (None,)
        last = max(int(top or 0), _autoincrement_mark(sqlite, table.name))
        if last > 0:
            pg.execute("SELECT setval(%s, %s)", (sequence, last))
        else:  # not yet called: an empty table's first id is 1
            pg.execute("SELECT setval(%s, 1, false)", (sequence,))


def _autoincrement_mark(sqlite: sqlite3.Connection, table: str) -> int:
    has_marks = sqlite.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone()
    if has_marks is None:
        return 0
    row = sqlite.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return 0 if row is None else int(row[0])


def _index_guests(sqlite: sqlite3.Connection, pg: PgConnection) -> None:
    """The search index and its vocabulary: what `search_index.index_guest` writes one guest
    at a time (`index_row` derives both), copied in for every guest at once."""
    counts: Counter[str] = Counter()

    def rows() -> Iterator[tuple[Any, ...]]:
        guests = sqlite.execute("SELECT id, name, honorific, branch FROM guests ORDER BY id")
        for guest_id, name, honorific, branch in _batches(guests):
            row = index_row(name, honorific, branch)
            counts.update(row.words)
            yield guest_id, row.tokens, " ".join(row.words), list(row.prefixes)

    _copy_rows(pg, "guest_search", ("guest_id", "tokens", "words", "prefixes"), rows())
    # words take ids in the order the guests brought them in, as one guest at a time would
    _copy_rows(pg, "search_words", ("word", "guests"), counts.items())
    pg.execute("UPDATE search_index_state SET rebuild = 0")


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
