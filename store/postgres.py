"""The PostgreSQL store: the stores' one-hop functions, run on pooled psycopg connections.

The stores are plain functions over a connection, each a whole transaction in one thread hop
(see `store.database`); psycopg's synchronous connection in a worker thread runs them unchanged,
as aiosqlite runs them on sqlite3. `PgConnection` is what they see: it turns SQLite's `?` and
`:name` placeholders into psycopg's and binds values on the client, so a query meets the
planner with its real values (no generic plans) and untyped NULLs read as they do on SQLite.

Writes run SERIALIZABLE and are retried when PostgreSQL reports a conflict, so several bot
processes sharing one database see the same one-writer-at-a-time outcomes as SQLite gives one
process; reads run in a read-only snapshot.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any, ClassVar, TypeVar

import psycopg
from psycopg import ClientCursor, errors
from psycopg.adapt import Loader
from psycopg_pool import ConnectionPool

from store.database import (
    Database,
    Migration,
    MigrationError,
    Work,
    require_known_schema,
    shipped_migrations,
    unrecorded_checksums,
)
from store.sql import Conn, ConstraintViolation, Cursor, Dialect, Params

T = TypeVar("T")

POOL_SIZE = 4
CONFLICT_RETRIES = 20
LOCK_TIMEOUT = "5s"  # as SQLite's busy timeout: a stuck writer is an error, not a hang
RANDOM_PAGE_COST = 1.1
# the advisory lock processes starting on one database take in turn to migrate it
MIGRATION_LOCK = 7340


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database."""

    dialect: Dialect = "postgresql"
    write_refused = (psycopg.OperationalError, errors.ReadOnlySqlTransaction)

    def __init__(self, pool: ConnectionPool[psycopg.Connection[Any]]) -> None:
        self._pool = pool

    @classmethod
    async def connect(
        cls, url: str, migrations: list[Migration] | None = None
    ) -> PostgresDatabase:
        pool = await asyncio.to_thread(_open_pool, url)
        db = cls(pool)
        try:
            chosen = migrations or shipped_migrations("postgresql")
            await asyncio.to_thread(db._with_connection, lambda c: apply_migrations(c, chosen))
        except BaseException:
            await asyncio.to_thread(pool.close)
            raise
        return db

    async def close(self) -> None:
        await asyncio.to_thread(self._pool.close)

    async def read(self, work: Work[T]) -> T:
        return await asyncio.to_thread(
            self._with_connection,
            lambda c: _in_transaction(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work))

    async def _write(self, work: Work[T]) -> T:
        return await asyncio.to_thread(self._with_connection, lambda c: _retried(c, work))

    async def claim(self, work: Work[T]) -> T:
        # READ COMMITTED, where FOR UPDATE SKIP LOCKED is meant to run: each claimer passes
        # over the rows another holds. Under SERIALIZABLE their overlapping reads conflict
        # and all but one start over.
        return await asyncio.to_thread(self._with_connection, lambda c: _retried(
            c, work, begin="BEGIN ISOLATION LEVEL READ COMMITTED"))

    async def checkpoint(self, tables: Collection[str] = ()) -> bool:
        """VACUUM `tables` (all the schema's when empty): PostgreSQL has no secure_delete, and
        a row an erasure deleted (or an old version of one it changed) stays in its page, and
        its words in the indexes, until VACUUM removes them; VACUUM cannot run inside a
        transaction, so it runs here, after the erasure committed. Only the tables the
        erasure touched: vacuuming a chain's every index would keep the reply waiting for
        minutes. False when another transaction's snapshot, older than this call, may still
        see those rows (VACUUM keeps them for it) or a lock held VACUUM back; the next call
        finishes."""
        return await asyncio.to_thread(self._with_connection, partial(_vacuum, only=tables))

    def _with_connection(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        with self._pool.connection() as conn:
            return work(conn)


class PgConnection:
    """A psycopg connection as a store sees it: sqlite3's `execute` and placeholders.

    Each statement is a round trip to the server, and on two cores shared with it a round
    trip costs both sides CPU, not only a wait. So the `BEGIN` that opens the transaction
    travels with its first statement, and writes nobody reads (`later`) with the next
    statement or the `COMMIT`: one query string of several statements, which the values
    bound on the client make possible."""

    def __init__(self, conn: psycopg.Connection[Any], begin: str | None = None) -> None:
        self._conn = conn
        # what is still to be sent ahead of the next statement
        self._unsent: list[str] = [] if begin is None else [begin]
        self.began = begin is None

    def execute(self, sql: str, parameters: Params = (), /) -> Cursor:
        cursor = self._conn.cursor()
        try:
            if self._unsent:
                ahead = len(self._unsent)
                self._send(cursor, [*self._unsent, self._bound(sql, parameters)])
                for _ in range(ahead):
                    cursor.nextset()
            elif parameters:
                cursor.execute(placeholders(sql), _values(parameters))
            else:
                cursor.execute(sql)
        except psycopg.IntegrityError as error:
            raise ConstraintViolation(str(error)) from error
        return cursor

    def executemany(self, sql: str, parameters: Any, /) -> Cursor:
        cursor = self._conn.cursor()
        rows = [_values(row) for row in parameters]
        if rows:
            try:
                if self._unsent:
                    self._send(cursor, self._unsent)
                cursor.executemany(placeholders(sql), rows)
            except psycopg.IntegrityError as error:
                raise ConstraintViolation(str(error)) from error
        return cursor

    def later(self, sql: str, parameters: Params = (), /) -> None:
        """Send a write whose result nobody reads ahead of the next statement, or with the
        `COMMIT`; a failure of it is raised there."""
        self._unsent.append(self._bound(sql, parameters))

    def commit(self) -> None:
        """Send what is left with the `COMMIT`; nothing at all when nothing was asked."""
        if self.began or len(self._unsent) > 1:
            self.execute("COMMIT")
        self._unsent.clear()

    def rollback(self) -> None:
        self._unsent.clear()
        if self.began:
            self._conn.execute("ROLLBACK")

    def _bound(self, sql: str, parameters: Params) -> str:
        if not parameters:
            return sql
        return ClientCursor(self._conn).mogrify(placeholders(sql), _values(parameters))

    def _send(self, cursor: Any, statements: list[str]) -> None:
        self.began = True
        self._unsent = []
        cursor.execute("; ".join(statements))


# A quoted string or identifier (copied, `%` doubled), a `::` cast, `?`, `:name`, or `%`.
_SQL_TOKENS = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")|(::)|(\?)|:([A-Za-z_]\w*)|(%)""")


@lru_cache(maxsize=2048)
def placeholders(sql: str) -> str:
    """SQLite's `?` and `:name` as psycopg's `%s` and `%(name)s`, and a literal `%` doubled."""

    def swap(match: re.Match[str]) -> str:
        quoted, cast, mark, name, _ = match.groups()
        if quoted is not None:
            return quoted.replace("%", "%%")
        if cast is not None:
            return cast
        if mark is not None:
            return "%s"
        return f"%({name})s" if name is not None else "%%"

    return _SQL_TOKENS.sub(swap, sql)


def _values(parameters: Params) -> Sequence[Any] | Mapping[str, Any]:
    # SQLite stores Python's booleans as 0 and 1; the schema keeps them INTEGER on both.
    if isinstance(parameters, Mapping):
        return {key: _value(value) for key, value in parameters.items()}
    return [_value(value) for value in parameters]


def _value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


class PgRow(tuple[Any, ...]):
    """A row readable by position and by column name, as sqlite3.Row is."""

    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[PgRow]:
    return type("PgRow", (PgRow,), {"_index": {name: i for i, name in enumerate(names)}})


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], PgRow]:
    description = cursor.description
    row_class = _row_class(tuple(c.name for c in description) if description else ())
    return row_class


class _IntegralNumeric(Loader):
    """SUM over BIGINT is NUMERIC in PostgreSQL: an int when whole, as SQLite gives."""

    def load(self, data: Any) -> int | float:
        number = Decimal(bytes(data).decode())
        return int(number) if number == number.to_integral_value() else float(number)


class _BoolAsInt(Loader):
    """EXISTS (…) and comparisons come back as SQLite's 0 and 1."""

    def load(self, data: Any) -> int:
        return 1 if bytes(data) == b"t" else 0


def _open_pool(url: str) -> ConnectionPool[psycopg.Connection[Any]]:
    def configure(conn: psycopg.Connection[Any]) -> None:
        conn.adapters.register_loader("numeric", _IntegralNumeric)
        conn.adapters.register_loader("bool", _BoolAsInt)
        conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        # A name search reads a few thousand rows of the index table at random: from the
        # server's cache, not a spinning disk, which the default cost (4) assumes. Priced so,
        # a moderately common term ("smith") is looked up in the GIN index (3 ms) instead of
        # found by walking the newest guests (25 ms).
        conn.execute(f"SET random_page_cost = {RANDOM_PAGE_COST}")

    pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
        url, min_size=1, max_size=POOL_SIZE, open=False, configure=configure,
        kwargs={"autocommit": True, "cursor_factory": ClientCursor, "row_factory": _row_factory},
    )
    pool.open(wait=True, timeout=10)
    return pool


def _in_transaction(conn: psycopg.Connection[Any], begin: str, work: Work[T]) -> T:
    transaction = PgConnection(conn, begin)
    try:
        result = work(transaction)
        transaction.commit()
    except BaseException:
        transaction.rollback()
        raise
    return result


def _retried(conn: psycopg.Connection[Any], work: Work[T],
                begin: str = "BEGIN ISOLATION LEVEL SERIALIZABLE") -> T:
    """Run `work` (SERIALIZABLE, unless `begin` says otherwise), again from the start when
    another writer's commit conflicts.

    A store's function touches nothing but the database, so running it again is safe.
    """
    for attempt in range(CONFLICT_RETRIES):
        try:
            return _in_transaction(conn, begin, work)
        except (errors.SerializationFailure, errors.DeadlockDetected):
            time.sleep(random.uniform(0, 0.002 * 2**min(attempt, 6)))
        except ConstraintViolation as violation:
            # Two writers inserting the same key: the loser sees a unique violation, which
            # under serialisation would have been a conflict; retry once the winner is in.
            if not isinstance(violation.__cause__, errors.UniqueViolation) or attempt > 2:
                raise
    return _in_transaction(conn, begin, work)


def _vacuum(conn: psycopg.Connection[Any], only: Collection[str]) -> bool:
    # Only snapshots of this database hold rows back (PostgreSQL 14+); other roles' sessions
    # are visible here only to a role granted pg_read_all_stats.
    held = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
        " AND xact_start < statement_timestamp())").fetchone()
    tables = [quoted for name, quoted in conn.execute(
        "SELECT relname, quote_ident(relname) FROM pg_class WHERE relkind = 'r' AND relnamespace"
        " = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())")
        if not only or name in only]
    if not tables:
        return held is not None and not held[0]
    try:
        # INDEX_CLEANUP ON: with few rows deleted VACUUM would skip the indexes, which still
        # hold the deleted names and phones. Freed space is reused, not zeroed, and the WAL
        # keeps its copy until the server recycles it.
        conn.execute(f"VACUUM (INDEX_CLEANUP ON) {', '.join(tables)}")
    except errors.LockNotAvailable:
        return False
    return held is not None and not held[0]


def apply_migrations(conn: psycopg.Connection[Any], migrations: list[Migration]) -> list[int]:
    """Apply, in order, each migration not yet recorded; each in its own transaction. Those
    recorded must read as they did when they ran (their checksums). An advisory lock lets
    several processes start against one database at once."""
    conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL"
            " DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))"
        )
        # checked first: ALTER TABLE locks the table and needs its owner, even when a no-op
        if conn.execute("SELECT 1 FROM information_schema.columns WHERE table_schema ="
                        " current_schema() AND table_name = 'schema_migrations'"
                        " AND column_name = 'checksum'").fetchone() is None:
            conn.execute("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")
        done = {row[0]: row[1] for row in conn.execute(
            "SELECT version, checksum FROM schema_migrations")}
        require_known_schema(done, migrations)
        if missing := unrecorded_checksums(done, migrations):
            _in_transaction(conn, "BEGIN", lambda c: c.executemany(
                "UPDATE schema_migrations SET checksum = ? WHERE version = ?", missing))
        applied = []
        for migration in migrations:
            if migration.version not in done:
                _in_transaction(conn, "BEGIN", partial(_apply, migration=migration))
                applied.append(migration.version)
        return applied
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))


def _apply(conn: Conn, migration: Migration) -> None:
    try:
        conn.execute(migration.sql)
    except (psycopg.Error, ConstraintViolation) as error:
        raise MigrationError(f"migration {migration.version} {migration.name}: {error}") from error
    conn.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                 (migration.version, migration.name, migration.checksum))
