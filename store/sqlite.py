"""SQLite through aiosqlite: one connection, each store operation one transaction in one hop.

Every aiosqlite await is a hop to its worker thread (60–130 µs here, against 7 µs for a plain
sqlite3 read), so a store hands the whole operation to `read` or `write` as one plain function
and it runs in the worker in a single hop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

import aiosqlite

from store.database import (
    Database,
    DatabaseUnusable,
    Migration,
    MigrationError,
    Work,
    require_known_schema,
    shipped_migrations,
    unrecorded_checksums,
)
from store.sql import Dialect

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


# Connections that only read, beside the one that writes: WAL lets them read while it writes,
# each in a thread of its own, so a long read (the morning's occasions across the chain, a
# report's trend) holds up neither the writes nor every other reader.
READERS = 2


class SqliteDatabase(Database):
    """The aiosqlite connection every store of the process writes through, and READERS
    connections for reads (none for ":memory:", which is one connection's own database)."""

    dialect: Dialect = "sqlite"
    write_refused = (sqlite3.OperationalError,)

    def __init__(self, conn: aiosqlite.Connection,
                 readers: list[aiosqlite.Connection] | None = None) -> None:
        self._conn = conn
        self._readers = readers or []
        self._reading = [0] * len(self._readers)  # reads under way on each reader

    @classmethod
    async def connect(
        cls, path: str | Path, migrations: list[Migration] | None = None
    ) -> SqliteDatabase:
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except sqlite3.Error as error:
            raise DatabaseUnusable(f"{path}: cannot open the database: {error}") from None
        db = cls(conn)
        try:
            await db._run(_configure)
            await db._run(_check_writable)
            await db._run(lambda c: apply_migrations(c, migrations or shipped_migrations()))
        except sqlite3.DatabaseError as error:
            await conn.close()
            raise DatabaseUnusable(_unusable(path, error)) from None
        except BaseException:
            await conn.close()
            raise
        if str(path) != ":memory:":
            for _ in range(READERS):
                reader = await aiosqlite.connect(str(path), isolation_level=None)
                db._readers.append(reader)
                db._reading.append(0)
                await _on(reader, _configure_reader)
        return db

    async def close(self) -> None:
        for reader in self._readers:
            await reader.close()
        await self._conn.close()

    async def read(self, work: Work[T]) -> T:
        if not self._readers:
            return await self._run(lambda c: _in_transaction(c, "BEGIN", work))
        index = min(range(len(self._readers)), key=self._reading.__getitem__)
        self._reading[index] += 1
        try:
            return await _on(self._readers[index],
                             lambda c: _in_transaction(c, "BEGIN", work))
        finally:
            self._reading[index] -= 1

    async def _write(self, work: Work[T]) -> T:
        # BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and
        # then writes fails at once with "database is locked" when another writer committed in
        # between, whatever the busy timeout.
        return await self._run(lambda c: _in_transaction(c, "BEGIN IMMEDIATE", work))

    async def checkpoint(self, tables: Collection[str] = ()) -> bool:
        """Copy the write-ahead log into the database file and empty the log (outside any
        transaction): what an erasure deleted is then gone from the WAL file too (the file
        is one, whatever `tables`). False when another connection's reader held it back; the
        next call finishes it."""
        row = await self._run(lambda c: c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
        return bool(row[0] == 0)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await _on(self._conn, work)


async def _on(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    # aiosqlite has no public "run this function in the worker": _execute is what its own
    # methods use. The pinned version range in pyproject keeps it there.
    return cast(T, await conn._execute(lambda: work(conn._conn)))  # type: ignore[no-untyped-call]


def _configure_reader(conn: sqlite3.Connection) -> None:
    _configure(conn)  # as the writer's, so a read sees the same settings
    conn.execute("PRAGMA query_only = ON")  # a write slipped into a read fails, loudly


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL may lose the last commits on power loss, never on a process crash, and is
    # 10-15x faster than FULL for small commits.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _check_writable(conn: sqlite3.Connection) -> None:
    """Fail at start-up, not at the first note of a shift, when nothing can be saved: the
    header is written back unchanged and rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {int(version)}")
    finally:
        conn.execute("ROLLBACK")


def _unusable(path: str | Path, error: sqlite3.DatabaseError) -> str:
    if isinstance(error, sqlite3.OperationalError) and "readonly" in str(error):
        return (f"{path}: the database cannot be written ({error}): give the bot's user write "
                "access to the file and its folder")
    return (f"{path}: not a usable guestcard database ({error}): check GUESTCARD_DB or "
            "storage.path, or put a backup back with `guestcard restore FILE`")


def _in_transaction(conn: sqlite3.Connection, begin: str, work: Work[T]) -> T:
    conn.execute(begin)
    try:
        result = work(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def apply_migrations(conn: sqlite3.Connection, migrations: list[Migration]) -> list[int]:
    """Apply, in order, each migration not yet recorded; each in its own transaction. Those
    recorded must read as they did when they ran (their checksums)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL"
        " DEFAULT CURRENT_TIMESTAMP, checksum TEXT)"
    )
    if "checksum" not in {row[1] for row in conn.execute("PRAGMA table_info(schema_migrations)")}:
        conn.execute("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")
    done = dict(conn.execute("SELECT version, checksum FROM schema_migrations").fetchall())
    require_known_schema(done, migrations)
    if missing := unrecorded_checksums(done, migrations):
        _in_transaction(conn, "BEGIN IMMEDIATE", lambda c: c.executemany(
            "UPDATE schema_migrations SET checksum = ? WHERE version = ?", missing))
    applied = []
    for migration in migrations:
        if migration.version not in done:
            _in_transaction(conn, "BEGIN IMMEDIATE", partial(_apply, migration=migration))
            applied.append(migration.version)
    return applied


def _apply(conn: sqlite3.Connection, migration: Migration) -> None:
    try:
        for statement in split_statements(migration.sql):
            conn.execute(statement)
    except sqlite3.Error as error:
        raise MigrationError(f"migration {migration.version} {migration.name}: {error}") from error
    conn.execute(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
        (migration.version, migration.name, migration.checksum),
    )


def split_statements(script: str) -> Iterator[str]:
    """Statements one by one, since executescript() would commit the migration's transaction."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()
