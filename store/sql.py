"""What a store's one-hop function may use of a connection, on SQLite and on PostgreSQL.

Stores write their SQL once, in the subset both databases share (`?` placeholders or
`:name` ones, `ON CONFLICT … DO NOTHING`, `RETURNING id`), and ask `dialect(conn)` only where
the two truly differ: full-text search, case-folded comparison, JSON, the catalog, the
outbox's claim, erasure's housekeeping. On SQLite the connection is sqlite3's own, with
nothing in between; on PostgreSQL it is `store.postgres.PgConnection`, which translates
the placeholders.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence, Sized
from typing import Any, Literal, Protocol, cast

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any] | Mapping[str, Any]


class Row(Protocol):
    """A result row, read by position or by column name (sqlite3.Row's interface)."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Conn(Protocol):
    """The connection a store's function runs on, inside the transaction `Database` opened."""

    def execute(self, sql: str, parameters: Params = ..., /) -> Cursor: ...
    def executemany(self, sql: str, parameters: Any, /) -> Cursor: ...


class ConstraintViolation(Exception):
    """A unique or foreign-key constraint refused a write (PostgreSQL's IntegrityError)."""


# What a store catches for "the database refused this row", whichever database it is.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, ConstraintViolation)


def dialect(conn: Conn) -> Dialect:
    return "sqlite" if isinstance(conn, sqlite3.Connection) else "postgresql"


def write_later(conn: Conn, sql: str, parameters: Params = ()) -> None:
    """A write whose result nobody reads and whose failure nobody catches (an audit entry):
    on PostgreSQL it travels with the transaction's next statement or its COMMIT, one round
    trip fewer, and a failure of it is raised there; on SQLite, with no round trips, it runs
    now."""
    if isinstance(conn, sqlite3.Connection):
        conn.execute(sql, parameters)
    else:
        cast(_Deferring, conn).later(sql, parameters)


class _Deferring(Protocol):
    def later(self, sql: str, parameters: Params = ..., /) -> None: ...


def question_marks(values: Sized) -> str:
    """`?, ?, …`, one placeholder per value: the list of an `IN (…)` or a `VALUES (…)`."""
    return ", ".join("?" * len(values))


def values_of(rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """`VALUES (?, …), (?, …)` for `rows` (at least one, all of one width) and their values in
    order: many rows in one statement, which PostgreSQL parses and plans once, not a
    statement a row."""
    marks = f"({question_marks(rows[0])})"
    return "VALUES " + ", ".join(marks for _ in rows), [value for row in rows for value in row]


def inserted_id(cursor: Cursor) -> int:
    """The id an `INSERT … RETURNING id` produced (0 when a conflict skipped the row)."""
    row = cursor.fetchone()
    return 0 if row is None else int(row[0])


def is_database_error(error: BaseException) -> bool:
    """Whether the database itself failed (a conflict to retry, a broken statement), as
    opposed to the caller's own logic: a transaction must not carry on past the former."""
    return (isinstance(error, (sqlite3.Error, ConstraintViolation))
            or type(error).__module__.startswith("psycopg"))
