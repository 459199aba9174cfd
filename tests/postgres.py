"""Throwaway PostgreSQL databases for the store and end-to-end suites.

GUESTCARD_TEST_POSTGRES names a server the tests may create databases on (a role with
CREATEDB). Each test gets a database of its own, copied from a template migrated once per run,
and dropped afterwards. Without the variable the PostgreSQL cases are skipped, unless
GUESTCARD_REQUIRE_POSTGRES is set (as `make test` and CI do), when they fail.
"""

from __future__ import annotations

import asyncio
import graphlib
import itertools
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import pytest

from store.connect import open_database

if TYPE_CHECKING:
    from store.database import Database
    from store.sql import Conn

SERVER_VARIABLE = "GUESTCARD_TEST_POSTGRES"
REQUIRED_VARIABLE = "GUESTCARD_REQUIRE_POSTGRES"

_numbers = itertools.count()
_template: str | None = None


def server_url() -> str:
    """The server's URL, or the test is skipped (failed, where PostgreSQL is required)."""
    url = os.environ.get(SERVER_VARIABLE)
    if url:
        return url
    if os.environ.get(REQUIRED_VARIABLE):
        pytest.fail(f"{SERVER_VARIABLE} is not set, and {REQUIRED_VARIABLE} asks for PostgreSQL")
    pytest.skip(f"set {SERVER_VARIABLE}=postgresql://… to run the PostgreSQL cases")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(sql)


def _ensure_template() -> str:
    """The migrated template, made once per run of the tests."""
    global _template
    if _template is None:

        _drop_abandoned()
        name = f"guestcard_template_{os.getpid()}"
        _admin(f'DROP DATABASE IF EXISTS "{name}"')
        _admin(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")

        async def migrate() -> None:
            db = await open_database(with_database(server_url(), name))
            await db.close()

        # in a thread of its own: an async test that calls this has its event loop running
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, migrate()).result()
        _template = name
    return _template


@contextmanager
def fresh_database(*, migrated: bool = True) -> Iterator[str]:
    """The URL of a new database of its own: a copy of the migrated template, or empty."""
    server_url()
    template = _ensure_template() if migrated else "template0"
    name = f"guestcard_test_{os.getpid()}_{next(_numbers)}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield with_database(server_url(), name)
    finally:
        _drop(name)


def _drop(name: str) -> None:
    """Drop a test database. An autovacuum worker may be in it for a moment, which the
    test role may not terminate: wait for it rather than leave the database behind."""
    import psycopg

    for _ in range(100):
        try:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            time.sleep(0.05)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_abandoned() -> None:
    """Drop the databases of test runs that were killed before they could clean up (their
    process is gone; the name carries its id)."""
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as conn:
        names = [name for (name,) in conn.execute(
            "SELECT datname FROM pg_database WHERE datname ~ '^guestcard_(template|test)_[0-9]+'")]
    for name in names:
        pid = int(name.split("_")[2])
        if not _running(pid):
            _drop(name)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_template() -> None:
    if _template is not None:
        _drop(_template)


async def open_emptied(url: str) -> Database:
    """The migrated database at `url`, every row a previous example wrote gone and ids
    starting at 1 again: a property test's examples share the one database of the test."""

    db = await open_database(url)
    if db.dialect == "postgresql":
        await db.write(_empty)
    return db


def _empty(conn: Conn) -> None:
    # DELETE, referring rows first, then the identities back to 1: on a few rows, ten times
    # faster than TRUNCATE, which makes every table's files anew.
    tables = {name for (name,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename NOT IN ('schema_migrations', 'search_index_state')")}
    referring: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in conn.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = 'public'::regnamespace"):
        if child != parent:
            referring[parent].add(child)
    for table in graphlib.TopologicalSorter(referring).static_order():
        conn.execute(f'DELETE FROM "{table}"')
    for (sequence,) in conn.execute(
            "SELECT pg_get_serial_sequence(quote_ident(c.relname), a.attname)"
            " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE a.attidentity <> '' AND c.relnamespace = 'public'::regnamespace").fetchall():
        conn.execute("SELECT setval(?, 1, false)", (sequence,))
    conn.execute("UPDATE search_index_state SET words_removed = 0, rebuild = 0")
