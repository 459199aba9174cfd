"""The bot under test: the real Application, the in-process Bot API, a clock tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from telegram.ext import CallbackContext

from bot.app import GuestcardApp, build_application
from bot.settings import Settings, load_settings
from bot.state import Core
from bot.terminal.api import CallbackAnswer, LocalChat, LocalUser, running
from profiles.models import Guest, Role
from tests.bot_api import FaultyBotApi
from tests.factories import NOW

CONFIG = Path(__file__).resolve().parents[2] / "config.toml"


class FakeClock:
    """Time that moves only when a test moves it; the app, its stores and the API share it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class BotUnderTest(LocalChat):
    """Users talking to the real guestcard Application. Inherited: `send`, `press`,
    `inline`, `last`, `messages`. Handler failures collect in `errors` (clear it in a test
    that expects one); the fixture fails a test that leaves any."""

    def __init__(self, app: GuestcardApp, api: FaultyBotApi, clock: FakeClock) -> None:
        super().__init__(app, api)
        self.api: FaultyBotApi = api
        self.clock = clock
        self.errors: list[BaseException] = []

    @property
    def core(self) -> Core:
        core: Core = self.app.bot_data.core
        return core

    @property
    def answers(self) -> list[CallbackAnswer]:
        return self.api.answers

    async def join(self, role: Role | str, branch: str = "la", *, name: str | None = None,
                   language: str | None = None) -> LocalUser:
        """A new Telegram user who joined as staff through an invite and /start CODE."""
        user = self.api.new_user(name or Role(role).value.title())
        await self.enrol(user, Role(role), branch)
        if language is not None:
            await self.send(user, f"/lang {language}")
        return user

    async def guest(self, name: str, branch: str = "la", *, region: str = "US") -> Guest:
        """A guest of `branch`, created as the desk would, by no one in the chat."""
        return await self.core.guests.create(name, None, branch=branch, staff_id=None,
                                             region=region, now=self.clock())

    def stranger(self, name: str = "Stranger", *, language_code: str | None = None) -> LocalUser:
        return self.api.new_user(name, language_code=language_code)

    async def collect_error(self, update: object, context: CallbackContext) -> None:  # type: ignore[type-arg]
        if context.error is not None:
            self.errors.append(context.error)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The repository's config.toml with a database of the test's own."""
    return load_settings({"GUESTCARD_CONFIG": str(CONFIG),
                          "GUESTCARD_DB": str(tmp_path / "test.db")})


@pytest.fixture
async def bot(settings: Settings, clock: FakeClock) -> AsyncIterator[BotUnderTest]:
    api = FaultyBotApi(clock=clock)
    app = build_application(settings, request=api, clock=clock, rate_limit=False)
    harness = BotUnderTest(app, api, clock)
    app.add_error_handler(harness.collect_error)  # after the app's own, which logs and tells
    async with running(app):
        yield harness
    assert harness.errors == [], f"handlers failed: {harness.errors!r}"
