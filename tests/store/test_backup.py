import sqlite3
from pathlib import Path

import pytest

from profiles.guests import GuestStore
from profiles.models import Category, Role, TraitDraft
from profiles.traits import TraitStore
from store.backup import BackupError, backup, check_backup, restore
from store.connect import open_database
from store.database import Database
from tests.conftest import join
from tests.factories import NOW


async def populate(path: Path, names: list[str]) -> Database:
    db = await open_database(path)
    staff = await join(db, Role.WAITER, "la", telegram_id=1)
    for name in names:
        guest = await GuestStore(db).create(name, None, branch="la", staff_id=staff.id,
                                            region="CN", now=NOW)
        await TraitStore(db).log(guest.id, [TraitDraft(category=Category.DIET, text="不吃蒜")],
                                 staff_id=staff.id, branch="la", now=NOW)
    return db


async def test_a_backup_taken_while_the_bot_runs_restores_every_guest(tmp_path: Path) -> None:
    live = await populate(tmp_path / "live.db", ["王先生", "Smith", "李女士"])
    try:  # the bot's connection stays open, with the last commits still in the WAL
        assert backup(tmp_path / "live.db", tmp_path / "nightly.db") == 3
    finally:
        await live.close()
    assert restore(tmp_path / "nightly.db", tmp_path / "new.db") == 3
    restored = await open_database(tmp_path / "new.db")
    try:
        found = await restored.read(lambda c: c.execute(
            "SELECT g.name, t.text FROM guests g JOIN traits t ON t.guest_id = g.id ORDER BY g.id"
        ).fetchall())
        assert [tuple(row) for row in found] == [("王", "不吃蒜"), ("Smith", "不吃蒜"), ("李", "不吃蒜")]
    finally:
        await restored.close()


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    target = tmp_path / "keep.db"
    target.write_bytes(b"precious")
    with pytest.raises(BackupError):
        restore(junk, target)
    assert target.read_bytes() == b"precious"


def test_a_missing_database_or_backup_is_named_and_nothing_is_created(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no such database"):
        backup(tmp_path / "none.db", tmp_path / "b.db")
    with pytest.raises(BackupError, match="no such file"):
        restore(tmp_path / "none.db", tmp_path / "b.db")
    assert list(tmp_path.iterdir()) == []


async def test_an_empty_sqlite_file_is_not_a_guestcard_backup(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "other.db").close()
    with pytest.raises(BackupError, match="not a guestcard database"):
        check_backup(tmp_path / "other.db")
