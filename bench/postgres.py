"""The same chain on PostgreSQL: copied from the SQLite chain once, kept on the server.

Every generated row (staff, guests, traits, visits) is read from the built SQLite chain and
written with COPY, so both stores hold the same data, byte for byte where the types allow;
the search rows and the typo vocabulary are derived again from the guests, with the function
the PostgreSQL store writes them with. Foreign keys and secondary indexes are dropped for the
load and made again after it, then VACUUM (FREEZE, ANALYZE): the planner has its statistics,
index-only scans a visibility map, and no read of a measured run has to set hint bits.

The loaded database stays on the server under a name keyed like the SQLite file, plus the
PostgreSQL migrations and this loader (`guestcard_bench_1000000_<key>`); a database of an
older key at the same scale is dropped when a new one is built. Each run measures a copy
(`CREATE DATABASE … TEMPLATE`, a file copy), since the bot writes, and drops it afterwards.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.chain import Chain, in_child_process, source_digest
from profiles.search_index import index_row, list_newest, terms_to_list
from store.connect import open_database
from store.postgres import PgConnection

SERVER_VARIABLES = ("GUESTCARD_BENCH_POSTGRES", "GUESTCARD_TEST_POSTGRES")
PREFIX = "guestcard_bench"
LOADER_VERSION = 1
# What decides the loaded database besides the SQLite chain itself.
SOURCES = ("bench/postgres.py", "profiles/search_index.py", "profiles/names.py",
           "store/migrations/postgresql/*.sql")
# Never copied from the SQLite chain: written by the migrations, or derived here from the
# guests (SQLite's full-text shadow tables, guest_search_*, go with their table).
MIGRATED = ("schema_migrations", "search_index_state")
DERIVED = ("guest_search", "search_words")
CHUNK = 20_000
# For the load only, in its own sessions: the server's settings are left as they are.
LOAD_SETTINGS = {"synchronous_commit": "off", "maintenance_work_mem": "512MB",
                 "max_parallel_maintenance_workers": "2"}


def server_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The server the benchmarks may create databases on, if one is named."""
    env = os.environ if environ is None else environ
    return next((env[name] for name in SERVER_VARIABLES if env.get(name)), None)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@dataclass(frozen=True)
class PgChain:
    """A loaded chain on a server: `name` is the database, kept between runs."""

    server: str
    name: str

    @property
    def url(self) -> str:
        return with_database(self.server, self.name)


def cached_pg_chain(chain: Chain, server: str, *, prefix: str = PREFIX,
                    log: bool = True) -> PgChain:
    """The chain of `chain` on `server`, loaded first if no complete copy is there."""
    digest = hashlib.sha256(f"{chain.database.name} {LOADER_VERSION}".encode())
    digest.update(source_digest(SOURCES).encode())
    scale = f"{prefix}_{chain.spec.guests}_"
    loaded = PgChain(server, f"{scale}{digest.hexdigest()[:12]}")
    existing = _databases(server, scale)
    if loaded.name in existing:
        return loaded
    for stale in existing:  # older keys, and a load that did not finish
        _admin(server, f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
    started = time.perf_counter()
    in_child_process(load_chain, (chain.database, server, loaded.name), f"loading {loaded.name}")
    if log:
        print(f"loaded {loaded.name} in {time.perf_counter() - started:.0f} s", flush=True)
    return loaded


@contextmanager
def scratch_copy(chain: PgChain) -> Iterator[str]:
    """The URL of a fresh copy of `chain`, dropped afterwards: the bot writes."""
    name = f"{chain.name[:40]}_run_{os.getpid()}"
    _admin(chain.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(chain.server, f'CREATE DATABASE "{name}" TEMPLATE "{chain.name}" STRATEGY FILE_COPY')
    try:
        yield with_database(chain.server, name)
    finally:
        _admin(chain.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_chains(server: str, prefix: str) -> None:
    """Drop every chain database whose name starts with `prefix`."""
    for name in _databases(server, prefix):
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_version(server: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


def load_chain(source: Path, server: str, name: str) -> None:
    """Load the SQLite chain `source` into a new database `name` on `server`: under a
    temporary name, renamed once complete, so a load cut short is never taken for a chain."""
    partial = f"{name}_partial"
    _admin(server, f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
    _admin(server, f"CREATE DATABASE \"{partial}\" TEMPLATE template0 ENCODING 'UTF8'")
    url = with_database(server, partial)
    asyncio.run(_migrate(url))
    chain = _read_only(source)
    try:
        with _loading(url) as conn:
            _load(chain, conn, _Job(source, url))
    finally:
        chain.close()
    _admin(server, f'ALTER DATABASE "{partial}" RENAME TO "{name}"')


@dataclass(frozen=True)
class _Job:
    """What a worker process needs to load its share: where from, where to."""

    source: Path
    url: str


def _load(chain: sqlite3.Connection, conn: psycopg.Connection[Any], job: _Job) -> None:
    tables = _copied_tables(chain)
    loaded = [*tables, *DERIVED]
    foreign_keys = _drop_foreign_keys(conn, loaded)
    indexes = _drop_indexes(conn, loaded)
    _copy_search_rows(chain, conn, job)
    with ThreadPoolExecutor(1) as background:
        # The search table's GIN index takes minutes on one core: built while the rest
        # is copied and indexed here.
        search_indexed = background.submit(
            _make_indexes, job.url, [sql for table, sql in indexes if table in DERIVED])
        for table in tables:
            _copy_table(chain, conn, table)
        _make_indexes(job.url, [sql for table, sql in indexes if table not in DERIVED])
        search_indexed.result()
    for table, constraint, definition in foreign_keys:
        conn.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {definition}')
    _advance_identities(conn, loaded)
    conn.execute("VACUUM (FREEZE, ANALYZE)")
    # The newest matches of common terms, as the sweep would list them (about a minute at a
    # million guests), now that the statistics say which terms are common.
    listing = PgConnection(conn)
    for term in terms_to_list(listing):
        list_newest(listing, term)


async def _migrate(url: str) -> None:
    db = await open_database(url)
    await db.close()


def _read_only(source: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{source}?mode=ro", uri=True)


@contextmanager
def _loading(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection with the load's session settings."""
    with psycopg.connect(url, autocommit=True) as conn:
        for setting, value in LOAD_SETTINGS.items():
            conn.execute(f"SET {setting} = '{value}'")
        yield conn


def _copied_tables(chain: sqlite3.Connection) -> list[str]:
    """The chain's tables with rows, but for those migrated or derived on PostgreSQL (and
    SQLite's own, full-text shadow tables included)."""
    names = [name for (name,) in chain.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name")]
    return [name for name in names
            if not name.startswith((*MIGRATED, *DERIVED))
            and chain.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() is not None]


def _drop_foreign_keys(conn: psycopg.Connection[Any],
                       tables: Sequence[str]) -> list[tuple[str, str, str]]:
    found = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)", (list(tables),)).fetchall()
    for table, constraint, _ in found:
        conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
    return found


def _drop_indexes(conn: psycopg.Connection[Any], tables: Sequence[str]) -> list[tuple[str, str]]:
    """Drop the indexes that back no constraint; each one's table and definition."""
    found = conn.execute(
        "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,"
        " pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid::regclass::text = ANY(%s) AND NOT EXISTS ("
        "   SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid"
        "   AND c.contype IN ('p', 'u', 'x'))", (list(tables),)).fetchall()
    for _, index, _ in found:
        conn.execute(f'DROP INDEX "{index}"')
    return [(table, definition) for table, _, definition in found]


def _make_indexes(url: str, definitions: Sequence[str]) -> None:
    with _loading(url) as conn:
        for sql in definitions:
            conn.execute(sql)


def _copy_table(chain: sqlite3.Connection, conn: psycopg.Connection[Any], table: str) -> None:
    rows = chain.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
    columns = ", ".join(f'"{column}"' for column, *_ in rows.description)
    with conn.cursor().copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def _copy_search_rows(chain: sqlite3.Connection, conn: psycopg.Connection[Any],
                      job: _Job) -> None:
    """Each guest's search row, and the vocabulary of their name words. The rows are made
    and copied by worker processes, a range of guest ids each (pinyin is the slow part)."""
    (top,) = chain.execute("SELECT COALESCE(MAX(id), 0) FROM guests").fetchone()
    shares = [(job, start) for start in range(1, top + 1, CHUNK)]
    words: Counter[str] = Counter()
    if len(shares) == 1:
        words.update(copy_search_share(shares[0]))
    else:
        with multiprocessing.get_context("spawn").Pool(min(2, os.cpu_count() or 1)) as pool:
            for counted in pool.imap_unordered(copy_search_share, shares):
                words.update(counted)
    with conn.cursor().copy("COPY search_words (word, guests) FROM STDIN") as copy:
        for word, count in sorted(words.items()):
            copy.write_row((word, count))


def copy_search_share(share: tuple[_Job, int]) -> Counter[str]:
    """Copy the search rows of the guests with ids from `start` (CHUNK of them), as
    `search_index.index_guest` writes them on PostgreSQL; their name words, counted."""
    job, start = share
    chain = _read_only(job.source)
    try:
        guests = chain.execute("SELECT id, name, honorific, branch FROM guests"
                               " WHERE id >= ? AND id < ?", (start, start + CHUNK)).fetchall()
    finally:
        chain.close()
    words = Counter[str]()
    with (_loading(job.url) as conn,
          conn.cursor().copy("COPY guest_search (guest_id, tokens, words, prefixes)"
                             " FROM STDIN") as copy):
        for guest_id, name, honorific, branch in guests:
            row = index_row(name, honorific, branch)
            copy.write_row((guest_id, row.tokens, " ".join(row.words), list(row.prefixes)))
            words.update(row.words)
    return words


def _advance_identities(conn: psycopg.Connection[Any], tables: Sequence[str]) -> None:
    """Rows were written with their ids, which leaves identity sequences at their start."""
    columns = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND is_identity = 'YES' AND table_name = ANY(%s)",
        (list(tables),)).fetchall()
    for table, column in columns:
        conn.execute(f'SELECT setval(pg_get_serial_sequence(%s, %s), max("{column}"))'
                     f' FROM "{table}" HAVING max("{column}") IS NOT NULL', (table, column))


def _databases(server: str, prefix: str) -> list[str]:
    with psycopg.connect(server, autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)"
                            " ORDER BY datname", (prefix,)).fetchall()
    return [name for (name,) in rows]


def _admin(server: str, sql: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql)
