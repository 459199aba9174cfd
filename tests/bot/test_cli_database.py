"""The database commands of `guestcard`: backup and restore on SQLite, migrate to PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from profiles.db import Database
from profiles.guests import GuestStore
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
    db = await Database.open(path)
    try:
        await GuestStore(db).create("Alan Smith", None, branch="la", staff_id=None,
                                    region="US", now=NOW)
    finally:
        await db.close()
