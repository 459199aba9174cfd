"""`guestcard api-key`: created with the secret shown once on the last line, revoked, listed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from playbooks.feeds.keys import ApiKeys
from store.connect import open_database
from tests.bot.conftest import CONFIG


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GUESTCARD_CONFIG", str(CONFIG))
    monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "cli.db"))
    return tmp_path / "cli.db"


def authenticate(database: Path, secret: str) -> str | None:
    async def run() -> str | None:
        db = await open_database(database)
        try:
            key = await ApiKeys(db).authenticate(secret)
            return None if key is None else key.name
        finally:
            await db.close()

    return asyncio.run(run())


def test_a_key_is_printed_once_works_and_stops_when_revoked(
    database: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["api-key", "create", "opera-pms", "--branch", "la", "--scope", "stays"]) == 0
    secret = capsys.readouterr().out.splitlines()[-1]
    assert secret.startswith("gc_") and authenticate(database, secret) == "opera-pms"
    assert secret not in database.read_bytes().decode("latin-1")  # only its hash is kept

    assert main(["api-key", "create", "opera-pms", "--branch", "la"]) == 1
    assert main(["api-key", "create", "pos", "--branch", "nowhere"]) == 2
    assert main(["api-key", "revoke", "opera-pms"]) == 0
    assert authenticate(database, secret) is None
    assert main(["api-key", "revoke", "opera-pms"]) == 1
    capsys.readouterr()
    assert main(["api-key", "list"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("opera-pms\tbranch la\tstays\trole waiter\trevoked ")


def test_listening_without_a_bot_token_is_refused_not_ignored(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run", "--listen", "127.0.0.1:8443"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
