"""Fixtures for end-to-end tests against the local Telegram Bot API emulator."""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests import postgres
from tests.e2e.client import Emulator, TelegramTestClient
from tests.e2e.process import BotProcess

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def telegram_emulator() -> Iterator[Emulator]:
    """One emulator process for the session: starting Node costs more than a test.

    Tests stay independent because each ``tg`` client has its own bot token and users.
    """
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def tg(telegram_emulator: Emulator) -> AsyncIterator[TelegramTestClient]:
    """Acts as Telegram users; give the bot ``tg.token`` and ``tg.bot_api_url``."""
    async with TelegramTestClient(telegram_emulator.url) as client:
        yield client


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def bot_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """GUESTCARD_DB of the bot under test: a new SQLite file, or a PostgreSQL database of the
    test's own (see tests/postgres.py), so that every end-to-end test runs on both."""
    if request.param == "sqlite":
        yield str(tmp_path / "guestcard.db")
    else:
        with postgres.fresh_database() as url:
            yield url


@pytest.fixture
def bot_env(tg: TelegramTestClient, bot_database: str) -> dict[str, str]:
    """The environment of a real `guestcard` process pointed at the emulator."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": tg.token,
        "GUESTCARD_TELEGRAM_API_URL": tg.bot_api_url,
        "GUESTCARD_CONFIG": str(ROOT / "config.toml"),
        "GUESTCARD_DB": bot_database,
    }


@pytest.fixture
async def guestcard(
    tg: TelegramTestClient, bot_env: dict[str, str], tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """The real bot, `guestcard run`, long-polling the emulator until the test ends."""
    process = BotProcess(bot_env, tmp_path / "guestcard.log")
    await process.start(tg)
    yield process
    process.stop()
