"""restore and migrate refuse a database a running bot holds; --force passes only a stale lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.scheduler import tick
from bot.settings import Settings
from store.backup import backup
from store.lease import last_renewed, renew
from tests.bot.conftest import CONFIG, BotUnderTest


@pytest.fixture
def copy(bot: BotUnderTest, settings: Settings, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GUESTCARD_CONFIG", str(CONFIG))
    monkeypatch.setenv("GUESTCARD_DB", settings.database)
    return tmp_path / "copy.db"


async def test_restore_and_migrate_refuse_while_the_bot_renews_its_lease(
    bot: BotUnderTest, copy: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    backup(Path(bot.core.settings.database), copy)
    await renew(bot.core.db, datetime.now(UTC))  # as every sweep does

    assert main(["restore", str(copy)]) == 1
    assert "is using this database" in capsys.readouterr().err
    assert main(["restore", str(copy), "--force"]) == 1  # never over a fresh lease
    assert main(["migrate", "--to", "postgresql://u:p@127.0.0.1:1/x"]) == 1
    said = capsys.readouterr().err
    assert "stop it first; nothing was copied" in said


async def test_a_stale_lease_is_passed_only_with_force(
    bot: BotUnderTest, copy: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    backup(Path(bot.core.settings.database), copy)
    await renew(bot.core.db, datetime.now(UTC) - timedelta(minutes=5))

    assert main(["restore", str(copy)]) == 1
    assert "did not stop cleanly" in capsys.readouterr().err
    assert main(["restore", str(copy), "--force"]) == 0


async def test_the_sweep_renews_the_lease(bot: BotUnderTest) -> None:
    await tick(bot.app.bot, bot.core, bot.app.bot_data.metrics)
    lease = await last_renewed(bot.core.db)
    assert lease is not None and lease[1] == bot.clock()
