"""The database: one-hop transactions and recorded migrations, on SQLite or PostgreSQL.

Every aiosqlite await is a hop to its worker thread (60–130 µs here, against 7 µs for a plain
sqlite3 read), so a store hands the whole operation to `read` or `write` as one plain function
and it runs in the worker in a single hop. PostgreSQL (`store.postgres`) runs the same
functions the same way, on a pooled connection in a worker thread.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import TypeVar

from store.sql import Conn, Dialect

T = TypeVar("T")
Work = Callable[[Conn], T]

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


class DatabaseUnusable(Exception):
    """The database cannot be opened for the bot: not a database, damaged, or not writable.
    The message names the file and what to do."""


class SchemaTooNew(MigrationError):
    """The database was brought to a schema newer than this guestcard knows."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"the database is at schema version {found}, newer than this "
                         f"guestcard's {known}: run the newer guestcard that made it (or "
                         "restore an older backup)")
        self.found, self.known = found, known


class MigrationChanged(MigrationError):
    """A migration this database ran reads differently in this guestcard: the schema it
    expects may not be the schema the database has."""

    def __init__(self, migration: Migration) -> None:
        super().__init__(f"migration {migration.version} {migration.name} was changed after "
                         "this database ran it: run the guestcard that made the database, "
                         "or restore the migration's shipped text")
        self.migration = migration


def require_known_schema(done: Collection[int], migrations: list[Migration]) -> None:
    """Refuse, before touching anything, a database a newer guestcard has migrated."""
    known = max((m.version for m in migrations), default=0)
    if done and max(done) > known:
        raise SchemaTooNew(max(done), known)


def unrecorded_checksums(
    recorded: Mapping[int, str | None], migrations: list[Migration]
) -> list[tuple[str, int]]:
    """Raise MigrationChanged for a migration whose text differs from the one the database
    ran; the (checksum, version) of ran migrations with none recorded yet (run before
    checksums were kept), to record now."""
    missing = []
    for migration in migrations:
        if migration.version not in recorded:
            continue
        if recorded[migration.version] is None:
            missing.append((migration.checksum, migration.version))
        elif recorded[migration.version] != migration.checksum:
            raise MigrationChanged(migration)
    return missing


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        # line endings as checked out (a Windows clone) do not change the schema
        text = self.sql.replace("\r\n", "\n")
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Database(ABC):
    """The store every part of the process shares: `store.connect.open_database` picks
    SQLite (`store.sqlite`) or PostgreSQL (`store.postgres`)."""

    dialect: Dialect
    # what a write raises when the database takes no writes now (read-only, locked past the
    # busy timeout, disk full) while reads still work
    write_refused: tuple[type[Exception], ...] = ()

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


class WriteBudget:
    """How long a sweep's share of work may go on beginning write transactions, so that a
    tick's writes stay within the second the floor can spare: the first always begins, none
    once `seconds` (by `timer`) have passed; the rest waits for the next tick."""

    def __init__(self, seconds: float, timer: Callable[[], float] = time.perf_counter) -> None:
        self._timer = timer
        self._until = timer() + seconds
        self._begun = False

    def another(self) -> bool:
        """Whether to begin another write."""
        if self._begun and self._timer() >= self._until:
            return False
        self._begun = True
        return True


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def stamp(moment: datetime) -> str:
    """A time as stored: UTC, fixed width, so text order is time order in SQL comparisons."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the core works in aware UTC times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _recording(key: str, work: Work[T]) -> Work[T]:
    def recorded(conn: Conn) -> T:
        conn.execute("INSERT INTO served_requests (key, served_at) VALUES (?, ?)"
                     " ON CONFLICT DO NOTHING", (key, stamp(datetime.now(UTC))))
        return work(conn)

    return recorded


def shipped_migrations(dialect: Dialect = "sqlite") -> list[Migration]:
    """The migrations for a database: SQLite's in migrations/, PostgreSQL's in a folder of
    its own there, numbered alike so that one version means one schema on both."""
    folder = resources.files("store") / "migrations"
    if dialect == "postgresql":
        folder = folder / "postgresql"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            name = rest.removesuffix(".sql")
            found.append(Migration(int(number), name, entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)
