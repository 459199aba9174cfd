"""The database commands of `guestcard`: backup and restore on SQLite, migrate to PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from pathlib import Path

import pytest

from bot.cli import main
from profiles.guests import GuestStore
from store.connect import open_database
from store.database import Database, shipped_migrations
from tests import postgres
from tests.factories import NOW

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgresql://bot:secret@db.example:5432/chain"


@pytest.fixture(autouse=True)
def config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUESTCARD_CONFIG", str(ROOT / "config.toml"))


@pytest.mark.parametrize(("command", "tool"), [("backup", "pg_dump"), ("restore", "pg_restore")])
def test_backup_and_restore_on_postgresql_point_to_its_own_tools(
    command: str, tool: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GUESTCARD_DB", PG_URL)
    assert main([command, str(tmp_path / "copy.db")]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and tool in said and "PostgreSQL" in said
    assert not (tmp_path / "copy.db").exists()


def test_migrate_from_a_database_already_on_postgresql_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GUESTCARD_DB", PG_URL)
    assert main(["migrate", "--to", "postgresql://bot@elsewhere/chain"]) == 2
    assert "already PostgreSQL" in capsys.readouterr().err


def test_migrate_to_something_else_than_postgresql_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "chain.db"))
    assert main(["staff", "list"]) == 0  # creates the database
    assert main(["migrate", "--to", str(tmp_path / "other.db")]) == 1
    assert "not a postgresql:// URL; nothing was copied" in capsys.readouterr().err
    assert not (tmp_path / "other.db").exists()


@pytest.mark.postgresql
def test_migrate_copies_the_chain_and_says_where_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(one_guest(tmp_path / "chain.db"))
    monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "chain.db"))
    with postgres.fresh_database(migrated=False) as url:
        assert main(["migrate", "--to", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "guests\t1" in lines
    assert lines[-1].startswith(f"migrated {tmp_path / 'chain.db'} to postgresql://")
    assert lines[-1].endswith("(1 guests); set GUESTCARD_DB to that URL")
    assert ":guestcard@" not in lines[-1]  # the password stays out of the terminal's history


async def one_guest(path: Path) -> None:
    db = await open_database(path)
    try:
        await GuestStore(db).create("Alan Smith", None, branch="la", staff_id=None,
                                    region="US", now=NOW)
    finally:
        await db.close()


def _from_a_newer_guestcard(path: Path) -> int:
    """A database another, newer guestcard migrated: one version beyond ours."""
    asyncio.run(_close(open_database(path)))
    newer = max(m.version for m in shipped_migrations()) + 1
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, 'future')",
                     (newer,))
    return newer


def test_a_database_whose_migration_reads_differently_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "edited.db"
    asyncio.run(_close(open_database(path)))
    with sqlite3.connect(path) as conn:  # as if migration 1 had been edited since it ran
        conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    monkeypatch.setenv("GUESTCARD_DB", str(path))
    assert main(["invite", "waiter", "--branch", "la"]) == 2
    assert "migration 1 " in capsys.readouterr().err
    monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "live.db"))
    assert main(["restore", str(path)]) == 1
    assert "was changed after this database ran it" in capsys.readouterr().err


async def _close(opening: Awaitable[Database]) -> None:
    await (await opening).close()


@pytest.mark.parametrize("command", [["invite", "waiter", "--branch", "la"], ["restore"],
                                     ["migrate", "--to", PG_URL]])
def test_a_database_of_a_newer_guestcard_is_refused_naming_both_versions(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    newer = _from_a_newer_guestcard(tmp_path / "newer.db")
    ours = newer - 1
    if command == ["restore"]:
        monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "live.db"))
        command = ["restore", str(tmp_path / "newer.db")]
    else:
        monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "newer.db"))
    monkeypatch.setattr("profiles.migrate._require_reachable", lambda target: None)

    assert main(command) != 0
    said = capsys.readouterr().err
    assert f"schema version {newer}, newer than this guestcard's {ours}" in said
    assert "Traceback" not in said
    assert not (tmp_path / "live.db").exists()
