"""The database: one-hop transactions and recorded migrations, on SQLite or PostgreSQL.

Every aiosqlite await is a hop to its worker thread (60–130 µs here, against 7 µs for a plain
sqlite3 read), so a store hands the whole operation to `read` or `write` as one plain function
and it runs in the worker in a single hop. PostgreSQL (`profiles.postgres`) runs the same
functions the same way, on a pooled connection in a worker thread.
"""

from __future__ import annotations

import secrets
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TypeVar, cast

import aiosqlite

from profiles.sql import Conn, Dialect

T = TypeVar("T")
Work = Callable[[Conn], T]

BUSY_TIMEOUT_MS = 5000

# The outside request (a chat update) being served by this task. Its first write transaction
# records the key atomically with its effect, so a request delivered again after a crash is
# recognised by `already_served` and not applied twice.
serving: ContextVar[str | None] = ContextVar("serving", default=None)
# Whether the request being served has committed a write: what its error message may promise.
saved_while_serving: ContextVar[bool] = ContextVar("saved_while_serving", default=False)


def serve(key: str) -> None:
    """Start serving the outside request `key` (see `serving`)."""
    serving.set(key)
    saved_while_serving.set(False)


class MigrationError(Exception):
    """A migration failed; the database is left as it was before that migration."""


class SchemaTooNew(MigrationError):
    """The database was brought to a schema newer than this guestcard knows."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"the database is at schema version {found}, newer than this "
                         f"guestcard's {known}: run the newer guestcard that made it (or "
                         "restore an older backup)")
        self.found, self.known = found, known


def require_known_schema(done: Collection[int], migrations: list[Migration]) -> None:
    """Refuse, before touching anything, a database a newer guestcard has migrated."""
    known = max((m.version for m in migrations), default=0)
    if done and max(done) > known:
        raise SchemaTooNew(max(done), known)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


class Database(ABC):
    """The store every part of the process shares; `open` picks SQLite or PostgreSQL."""

    dialect: Dialect

    @staticmethod
    async def open(target: str | Path, migrations: list[Migration] | None = None) -> Database:
        """Open and migrate the database at `target`: a postgresql:// URL, or a SQLite file
        path (created if needed; ":memory:" for tests)."""
        if is_postgres_url(str(target)):
            from profiles.postgres import PostgresDatabase  # psycopg loads only when used

            return await PostgresDatabase.connect(str(target), migrations)
        return await SqliteDatabase.connect(target, migrations)

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def read(self, work: Work[T]) -> T:
        """Run `work` in one snapshot-consistent read transaction, in one thread hop."""

    async def write(self, work: Work[T]) -> T:
        """Run `work` as one write transaction, committed before this returns; writes are
        serialised, as if one at a time, on either database."""
        key = serving.get()
        recorded = work if key is None else _recording(key, work)
        result = await self._write(recorded)
        if key is not None:
            serving.set(None)  # recorded with this commit; the request's later writes need not
            saved_while_serving.set(True)
        return result

    @abstractmethod
    async def _write(self, work: Work[T]) -> T: ...

    async def claim(self, work: Work[T]) -> T:
        """A write that takes rows for this process alone (`FOR UPDATE SKIP LOCKED` on
        PostgreSQL), so that processes claiming at once share the rows rather than queue."""
        return await self._write(work)

    async def forget_served(self, before: datetime) -> int:
        """Drop records of requests served before `before` (Telegram redelivers for a day)."""
        cursor = await self.write(lambda conn: conn.execute(
            "DELETE FROM served_requests WHERE served_at < ?", (stamp(before),)))
        return int(cursor.rowcount)

    async def already_served(self, key: str) -> bool:
        """Whether a write was committed while serving the request `key` (see `serving`)."""
        return await self.read(lambda conn: conn.execute(
            "SELECT 1 FROM served_requests WHERE key = ?", (key,)).fetchone() is not None)

    async def secret(self, name: str) -> str:
        """The random key stored under `name`, made on first use; every process on this
        database gets the same one, before and after restarts."""

        def work(conn: Conn) -> str:
            conn.execute("INSERT INTO secrets (name, value) VALUES (?, ?)"
                         " ON CONFLICT (name) DO NOTHING", (name, secrets.token_urlsafe(32)))
            row = conn.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
            return str(row[0])

        return await self._write(work)  # not the update's write: it must not mark it served

    @abstractmethod
    async def checkpoint(self, tables: Collection[str] = ()) -> bool:
        """Make what an erasure deleted or rewrote in `tables` (every table when empty) gone
        from the database's files too; False when it could not finish now and the next call
        will."""


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


class SqliteDatabase(Database):
    """One aiosqlite connection, used by every store of the process."""

    dialect: Dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @classmethod
    async def connect(
        cls, path: str | Path, migrations: list[Migration] | None = None
    ) -> SqliteDatabase:
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        db = cls(conn)
        try:
            await db._run(_configure)
            await db._run(lambda c: apply_migrations(c, migrations or shipped_migrations()))
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        await self._conn.close()

    async def read(self, work: Work[T]) -> T:
        return await self._run(lambda c: _in_transaction(c, "BEGIN", work))

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
        # aiosqlite has no public "run this function in the worker": _execute is what its
        # own methods use. The pinned version range in pyproject keeps it there.
        conn = self._conn
        return cast(T, await conn._execute(lambda: work(conn._conn)))  # type: ignore[no-untyped-call]


def stamp(moment: datetime) -> str:
    """A time as stored: UTC, fixed width, so text order is time order in SQL comparisons."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the core works in aware UTC times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL may lose the last commits on power loss, never on a process crash, and is
    # 10-15x faster than FULL for small commits.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _recording(key: str, work: Work[T]) -> Work[T]:
    def recorded(conn: Conn) -> T:
        conn.execute("INSERT INTO served_requests (key, served_at) VALUES (?, ?)"
                     " ON CONFLICT DO NOTHING", (key, stamp(datetime.now(UTC))))
        return work(conn)

    return recorded


def _in_transaction(conn: sqlite3.Connection, begin: str, work: Work[T]) -> T:
    conn.execute(begin)
    try:
        result = work(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def shipped_migrations(dialect: Dialect = "sqlite") -> list[Migration]:
    """The migrations for a database: SQLite's in migrations/, PostgreSQL's in a folder of
    its own there, numbered alike so that one version means one schema on both."""
    folder = resources.files("profiles") / "migrations"
    if dialect == "postgresql":
        folder = folder / "postgresql"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            name = rest.removesuffix(".sql")
            found.append(Migration(int(number), name, entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def apply_migrations(conn: sqlite3.Connection, migrations: list[Migration]) -> list[int]:
    """Apply, in order, each migration not yet recorded; each in its own transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL"
        " DEFAULT CURRENT_TIMESTAMP)"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    require_known_schema(done, migrations)
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
        "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
        (migration.version, migration.name),
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
