import sqlite3
from pathlib import Path
from typing import Any, Literal

import pytest
from psycopg import ClientCursor

from store.connect import open_database
from store.database import (
    Database,
    Migration,
    MigrationChanged,
    MigrationError,
    shipped_migrations,
)
from store.sql import INTEGRITY_ERRORS, Conn, write_later
from store.sqlite import split_statements
from tests import postgres


async def test_fresh_database_records_every_shipped_migration(db: Database) -> None:
    versions = await db.read(lambda c: [r[0] for r in c.execute("SELECT version FROM schema_migrations")])
    assert versions == [m.version for m in shipped_migrations()]


async def test_pragmas_are_wal_normal_with_foreign_keys(tmp_path: Path) -> None:
    database = await open_database(tmp_path / "g.db")
    pragmas = await database.read(lambda c: [
        c.execute("PRAGMA journal_mode").fetchone()[0],
        c.execute("PRAGMA synchronous").fetchone()[0],
        c.execute("PRAGMA foreign_keys").fetchone()[0],
        c.execute("PRAGMA busy_timeout").fetchone()[0],
    ])
    await database.close()
    assert pragmas == ["wal", 1, 1, 5000]


async def test_a_failing_migration_rolls_back_and_keeps_earlier_ones(tmp_path: Path) -> None:
    good = Migration(1, "good", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "bad", "CREATE TABLE b (x INTEGER);\nINSERT INTO missing VALUES (1);")
    with pytest.raises(MigrationError, match="2 bad"):
        await open_database(tmp_path / "m.db", [good, bad])
    conn = sqlite3.connect(tmp_path / "m.db")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    conn.close()
    assert ("a" in tables, "b" in tables, versions) == (True, False, [1])


async def test_reopening_applies_only_new_migrations(tmp_path: Path) -> None:
    first = Migration(1, "one", "CREATE TABLE a (x INTEGER);")
    second = Migration(2, "two", "CREATE TABLE b (x INTEGER);")
    database = await open_database(tmp_path / "r.db", [first])
    await database.close()
    database = await open_database(tmp_path / "r.db", [first, second])
    versions = await database.read(lambda c: [r[0] for r in c.execute("SELECT version FROM schema_migrations")])
    await database.close()
    assert versions == [1, 2]


async def test_write_rolls_back_everything_when_the_work_fails(db: Database) -> None:
    def half_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO staff (telegram_id, name, role, branch, language, joined_at)"
                     " VALUES (1, 'a', 'waiter', 'la', 'en', 'now')")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await db.write(half_then_fail)
    assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM staff").fetchone()[0]) == 0


_STAFF = ("INSERT INTO staff (telegram_id, name, role, branch, language, joined_at)"
          " VALUES (?, ?, 'waiter', 'la', 'en', 'now')")


async def test_a_write_sent_later_is_seen_by_the_next_statement(db: Database) -> None:
    def write_then_read(conn: Conn) -> list[str]:
        write_later(conn, _STAFF, (1, "50% Ana's"))  # a % and a quote, bound on the client
        return [r[0] for r in conn.execute("SELECT name FROM staff")]

    assert await db.write(write_then_read) == ["50% Ana's"]


async def test_a_write_sent_later_that_fails_rolls_back_the_whole_work(db: Database) -> None:
    def first_then_duplicate(conn: Conn) -> None:
        conn.execute(_STAFF, (1, "a"))
        write_later(conn, _STAFF, (1, "b"))  # the same Telegram id: refused at the COMMIT

    with pytest.raises(INTEGRITY_ERRORS):
        await db.write(first_then_duplicate)
    assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM staff").fetchone()[0]) == 0
    await db.write(lambda c: c.execute(_STAFF, (1, "a")))  # the connection is usable again
    assert await db.read(lambda c: [r[0] for r in c.execute("SELECT name FROM staff")]) == ["a"]


@pytest.mark.postgresql
async def test_the_begin_and_the_later_writes_travel_with_other_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[str] = []
    execute = ClientCursor.execute

    def counted(cursor: ClientCursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    def work(conn: Conn) -> int:
        conn.execute(_STAFF, (1, "a"))
        write_later(conn, _STAFF, (2, "b"))
        write_later(conn, _STAFF, (3, "c"))
        return int(conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0])

    with postgres.fresh_database() as url:
        database = await open_database(url)
        try:
            monkeypatch.setattr(ClientCursor, "execute", counted)
            assert await database.write(work) == 3
            writes, sent[:] = sent[:], []
            assert await database.read(lambda c: None) is None
            nothing, sent[:] = sent[:], []
            assert await database.read(lambda c: c.execute("SELECT 1").fetchone()[0]) == 1
        finally:
            monkeypatch.undo()
            await database.close()
    # three round trips, not six: the BEGIN goes with the first statement, the later
    # writes with the count
    assert len(writes) == 3
    assert writes[0].startswith("BEGIN ISOLATION LEVEL SERIALIZABLE; INSERT INTO staff")
    assert writes[1].count("INSERT INTO staff") == 2
    assert writes[1].endswith("SELECT COUNT(*) FROM staff")
    assert writes[2] == "COMMIT"
    assert (nothing, len(sent)) == ([], 2)  # a read of nothing sends nothing; BEGIN rides along


def test_statements_split_keeps_trigger_bodies_whole() -> None:
    script = "CREATE TABLE a (x);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n-- tail\n"
    statements = [s for s in split_statements(script) if not s.startswith("--")]
    assert len(statements) == 2 and statements[1].endswith("END;")


def test_both_databases_ship_the_same_migrations() -> None:
    def named(dialect: Literal["sqlite", "postgresql"]) -> list[tuple[int, str]]:
        return [(m.version, m.name) for m in shipped_migrations(dialect)]

    assert named("postgresql") == named("sqlite")


@pytest.mark.postgresql
async def test_one_version_means_the_same_tables_and_columns_on_both() -> None:
    sqlite_db = await open_database(":memory:")
    sqlite_columns = await sqlite_db.read(_sqlite_columns)
    await sqlite_db.close()
    with postgres.fresh_database() as url:
        pg_db = await open_database(url)
        pg_columns = await pg_db.read(_pg_columns)
        await pg_db.close()
    # The search index is FTS5's rowid on SQLite, a column and a prefix array on PostgreSQL.
    sqlite_columns["guest_search"] = ["guest_id", *sqlite_columns["guest_search"], "prefixes"]
    # PostgreSQL's lists of the newest guests of common terms, which FTS5 needs not: its
    # doclists are in rowid order.
    assert pg_columns.pop("newest_matches") == ["term", "ids"]
    assert pg_columns == sqlite_columns


@pytest.mark.postgresql
async def test_a_failing_migration_rolls_back_and_keeps_earlier_ones_on_postgresql() -> None:
    good = Migration(1, "good", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "bad", "CREATE TABLE b (x INTEGER);\nINSERT INTO missing VALUES (1);")
    with postgres.fresh_database(migrated=False) as url:
        with pytest.raises(MigrationError, match="2 bad"):
            await open_database(url, [good, bad])
        database = await open_database(url, [good])
        tables, versions = await database.read(lambda c: (
            {r[0] for r in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")},
            [r[0] for r in c.execute("SELECT version FROM schema_migrations")]))
        await database.close()
    assert ("a" in tables, "b" in tables, versions) == (True, False, [1])


@pytest.mark.postgresql
async def test_reopening_applies_only_new_migrations_on_postgresql() -> None:
    first = Migration(1, "one", "CREATE TABLE a (x INTEGER);")
    second = Migration(2, "two", "CREATE TABLE b (x INTEGER);")
    with postgres.fresh_database(migrated=False) as url:
        database = await open_database(url, [first])
        await database.close()
        database = await open_database(url, [first, second])
        versions = await database.read(lambda c: [
            r[0] for r in c.execute("SELECT version FROM schema_migrations ORDER BY version")])
        await database.close()
    assert versions == [1, 2]


async def _refuses_a_changed_migration_and_records_missing_checksums(target: str) -> None:
    first = Migration(1, "one", "CREATE TABLE a (x INTEGER);")
    second = Migration(2, "two", "CREATE TABLE b (x INTEGER);")
    database = await open_database(target, [first, second])
    # as a database migrated before checksums were kept
    await database.write(lambda c: c.execute(
        "UPDATE schema_migrations SET checksum = NULL WHERE version = 2"))
    await database.close()
    database = await open_database(target, [first, second])
    recorded = await database.read(lambda c: c.execute(
        "SELECT version, checksum FROM schema_migrations ORDER BY version").fetchall())
    await database.close()
    assert [tuple(row) for row in recorded] == [(1, first.checksum), (2, second.checksum)]

    edited = Migration(2, "two", "CREATE TABLE b (x INTEGER, y TEXT);")
    with pytest.raises(MigrationChanged, match="migration 2 two was changed"):
        await open_database(target, [first, edited])
    # a checkout's line endings are not a change
    assert Migration(2, "two", "a;\r\nb;").checksum == Migration(2, "two", "a;\nb;").checksum


async def test_a_migration_changed_after_it_ran_is_refused(tmp_path: Path) -> None:
    await _refuses_a_changed_migration_and_records_missing_checksums(str(tmp_path / "c.db"))


@pytest.mark.postgresql
async def test_a_migration_changed_after_it_ran_is_refused_on_postgresql() -> None:
    with postgres.fresh_database(migrated=False) as url:
        await _refuses_a_changed_migration_and_records_missing_checksums(url)


def _sqlite_columns(conn: Conn) -> dict[str, list[str]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'guest_search_%'")]  # FTS5's own shadow tables
    return {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in sorted(tables)}


def _pg_columns(conn: Conn) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"):
        columns.setdefault(table, []).append(column)
    return columns


@pytest.mark.postgresql
async def test_postgresql_is_set_to_take_the_name_index_for_rare_terms() -> None:
    """Without these the planner walks a million guests for a rare name (BENCHMARKS.md)."""
    with postgres.fresh_database() as url:
        db = await open_database(url)
        try:
            cost, sample = await db.read(lambda c: c.execute(
                "SELECT current_setting('random_page_cost'), attstattarget FROM pg_attribute"
                " WHERE attrelid = 'guest_search'::regclass AND attname = 'prefixes'").fetchone())
        finally:
            await db.close()
    assert (float(cost), sample) == (1.1, 1000)


async def test_a_secret_is_made_once_and_the_same_for_every_connection(
    database_url: str, tmp_path: Path,
) -> None:
    target = str(tmp_path / "shared.db") if database_url == ":memory:" else database_url
    first, second = await open_database(target), await open_database(target)
    try:
        made = await first.secret("buttons")
        assert len(made) >= 32
        assert await second.secret("buttons") == made
        assert await first.secret("other") != made
    finally:
        await first.close()
        await second.close()
