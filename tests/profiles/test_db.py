import sqlite3
from pathlib import Path

import pytest

from profiles.db import Database, Migration, MigrationError, shipped_migrations, split_statements


async def test_fresh_database_records_every_shipped_migration(db: Database) -> None:
    versions = await db.read(lambda c: [r[0] for r in c.execute("SELECT version FROM schema_migrations")])
    assert versions == [m.version for m in shipped_migrations()]


async def test_pragmas_are_wal_normal_with_foreign_keys(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "g.db")
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
        await Database.open(tmp_path / "m.db", [good, bad])
    conn = sqlite3.connect(tmp_path / "m.db")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    conn.close()
    assert ("a" in tables, "b" in tables, versions) == (True, False, [1])


async def test_reopening_applies_only_new_migrations(tmp_path: Path) -> None:
    first = Migration(1, "one", "CREATE TABLE a (x INTEGER);")
    second = Migration(2, "two", "CREATE TABLE b (x INTEGER);")
    database = await Database.open(tmp_path / "r.db", [first])
    await database.close()
    database = await Database.open(tmp_path / "r.db", [first, second])
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


def test_statements_split_keeps_trigger_bodies_whole() -> None:
    script = "CREATE TABLE a (x);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n-- tail\n"
    statements = [s for s in split_statements(script) if not s.startswith("--")]
    assert len(statements) == 2 and statements[1].endswith("END;")
