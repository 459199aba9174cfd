"""Outbound webhooks against a local receiver: signed, retried through the outbox, once."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.scheduler import sweep_once
from bot.settings import OutboundConfig, Settings, load_settings
from tests.bot.conftest import CONFIG, BotUnderTest

SECRET = "shared-with-the-receiver"


@dataclass
class Receiver:
    """The chain's system: answers `failures` errors first, then records what it accepts."""

    failures: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        if self.failures:
            return Response(status_code=self.failures.pop(0))
        self.received.append((dict(request.headers), body))
        return Response(status_code=204)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    chain = Receiver()
    server = uvicorn.Server(uvicorn.Config(
        Starlette(routes=[Route("/hook", chain.hook, methods=["POST"])]), host="127.0.0.1",
        port=port, log_config=None, lifespan="off"))
    serving = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.01)
    yield chain, f"http://127.0.0.1:{port}/hook"
    server.should_exit = True
    await serving


@pytest.fixture
def settings(tmp_path: Path, receiver: tuple[Receiver, str]) -> Settings:
    base = load_settings({"GUESTCARD_CONFIG": str(CONFIG),
                          "GUESTCARD_DB": str(tmp_path / "test.db")})
    return base.model_copy(update={"webhooks": OutboundConfig(url=receiver[1]),
                                   "outbound_secret": SecretStr(SECRET)})


async def sweep(bot: BotUnderTest) -> None:
    await sweep_once(bot.app.bot, bot.core, bot.clock())


async def test_an_escalation_is_posted_signed_after_failures_and_only_once(
    bot: BotUnderTest, receiver: tuple[Receiver, str],
) -> None:
    chain, _ = receiver
    chain.failures = [503, 500]
    waiter = await bot.join("waiter", language="en")
    await bot.join("housekeeping", language="en")
    await bot.join("lead", language="en")
    guest = await bot.core.guests.create("王先生", None, branch="la", staff_id=None,
                                         region="CN", now=bot.clock())
    await bot.core.visits.arrive(guest.id, branch="la", staff_id=None, now=bot.clock(),
                                 room="1203")
    await bot.send(waiter, "/request room 1203: two more towels please")  # 15 min to accept

    bot.clock.advance(minutes=15)
    await sweep(bot)  # escalates; the POST meets 503
    bot.clock.advance(seconds=20)
    await sweep(bot)  # 500
    bot.clock.advance(seconds=40)
    await sweep(bot)  # accepted
    bot.clock.advance(minutes=30)
    await sweep(bot)

    [(headers, body)] = chain.received
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-guestcard-signature"] == expected
    assert headers["x-guestcard-event"] == "request.escalated"
    posted = json.loads(body)
    assert (posted["event"], posted["request_id"], posted["step"], posted["guest_id"]) == (
        "request.escalated", 1, "accept", guest.id)
    assert "王" not in body.decode()  # ids only, never the guest's name
    state = await bot.core.outbox.state(posted["delivery"])
    assert state is not None and state.attempts == 2 and state.sent_at is not None  # 2 failed


async def test_a_receiver_that_refuses_is_given_up_not_retried(
    bot: BotUnderTest, receiver: tuple[Receiver, str],
) -> None:
    chain, _ = receiver
    chain.failures = [400]
    waiter = await bot.join("waiter", language="en")
    await bot.join("lead", language="en")
    guest = await bot.core.guests.create("Anna Lee", None, branch="la", staff_id=None,
                                         region="US", now=bot.clock())
    await bot.send(waiter, f"/feedback #{guest.id} 1 cold soup")  # a complaint opens

    await sweep(bot)
    bot.clock.advance(minutes=1)  # well before any retry would be due, and any escalation
    await sweep(bot)

    assert chain.received == []
    state = await bot.core.outbox.state("webhook:complaint.opened:1")
    assert state is not None and state.gave_up_at is not None and state.attempts == 1
