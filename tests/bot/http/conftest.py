"""The HTTP API on the bot under test: the real Application and core, over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from bot.http.server import http_app
from bot.webhook import Webhook
from playbooks.feeds.keys import ApiKeys, Scope
from profiles.models import Role
from tests.bot.conftest import BotUnderTest

HOOK = Webhook(url="https://bot.example.com/tg", host="127.0.0.1", port=0, secret="s3cret")


@dataclass
class Ticks:
    """A monotonic clock for the rate limiter that moves only when a test moves it."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Api:
    client: httpx.AsyncClient
    bot: BotUnderTest
    ticks: Ticks

    async def key(self, name: str = "pms", *, branch: str = "la",
                  scopes: frozenset[Scope] = frozenset(Scope), role: Role = Role.WAITER) -> str:
        issued = await ApiKeys(self.bot.core.db).create(
            name, branch=branch, scopes=scopes, role=role, now=self.bot.clock())
        return issued.secret


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
async def api(bot: BotUnderTest) -> AsyncIterator[Api]:
    ticks = Ticks()
    app = http_app(bot.app, bot.core, webhook=HOOK, monotonic=ticks)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        yield Api(client=client, bot=bot, ticks=ticks)
