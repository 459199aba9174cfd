"""Two processes behind one proxy share the database: every due message is sent once, by one.

A chain may run several `guestcard run --webhook` processes behind its TLS proxy, all on the
same database. Each sweeps on its own timer and finds the same due work; the outbox's claim
is what keeps them from both sending it.

The work is the overdue pile of test_sweep_crash (briefs, occasion reminders, checklists,
requests and their escalations), for more leads than one claim takes (20), so both processes
get a share. Each reaches Telegram (the emulator) over a line of its own that holds its
messages until both have claimed: the second claims while the first has claimed its share
but sent none of it, so a claim that took what another had claimed would send it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx
import pytest

from store.connect import open_database
from store.database import Database
from tests.e2e.client import TelegramTestClient
from tests.e2e.process import BotProcess
from tests.e2e.test_sweep_crash import (
    DELIVERY_TIMEOUT,
    EXPECTED_KINDS,
    REQUESTS,
    copies_of_sent,
    outbox,
    overdue_bot,
    received,
)
from tests.e2e.test_webhook import free_port

pytestmark = pytest.mark.e2e
PUBLIC_URL = "https://guestcard.example.com/tg"  # the proxy's: the same for every process
CLAIM_LIMIT = 20  # Outbox.claim's default
# how long the first process's share may wait for the second to claim: under the bot's read
# timeout (5 s), past which a held message would count as failed and be retried later
HOLD_LIMIT = 4.0


class Line:
    """One process's line to Telegram: Bot API calls pass through, except that messages wait
    until `release`. `holding` is set once a message waits: the process has claimed its share
    (the claim commits before anything is sent) and sent none of it."""

    def __init__(self, upstream: str) -> None:
        self.holding = asyncio.Event()
        self._open = asyncio.Event()
        self._http = httpx.AsyncClient(base_url=upstream)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def api_url(self) -> str:
        """GUESTCARD_TELEGRAM_API_URL for the process on this line."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/bot"

    def release(self) -> None:
        """Let the messages go, those waiting and those to come."""
        self._open.set()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        assert self._server is not None
        self.release()  # nothing may be left waiting
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._http.aclose()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while request := await reader.readline():  # HTTP/1.1: one request after another
                method, path, _ = request.decode().split(" ", 2)
                headers = await read_headers(reader)
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if path.endswith("/sendMessage"):
                    self.holding.set()
                    await self._open.wait()
                answer = await self._http.request(method, path, content=body, headers={
                    "content-type": headers.get("content-type", "")})
                writer.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (
                                 answer.status_code, answer.reason_phrase.encode(),
                                 len(answer.content), answer.content))
                await writer.drain()
        self._writers.discard(writer)
        writer.close()


async def read_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers = {}
    while (line := await reader.readline()).strip():
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


async def serve(tg: TelegramTestClient, bot: BotProcess) -> None:
    """`guestcard run` behind the proxy, listening on a port of its own."""
    await bot.start(tg, "--webhook", PUBLIC_URL, "--listen", f"127.0.0.1:{free_port()}",
                    ready="setWebhook")


async def both_claim(tg: TelegramTestClient, bots: list[BotProcess], lines: list[Line]) -> None:
    """Start the processes one after the other, so that the second claims after the first's
    claim committed, and let their messages go once both hold their shares."""
    first, second = bots
    await serve(tg, first)
    await serve(tg, second)
    await until_holding(lines[0], DELIVERY_TIMEOUT, "the first process claimed nothing")
    await until_holding(lines[1], HOLD_LIMIT,
                        "the second process claimed nothing while the first held its share")
    for line in lines:
        line.release()


async def until_holding(line: Line, within: float, failure: str) -> None:
    try:
        await asyncio.wait_for(line.holding.wait(), within)
    except TimeoutError:
        raise AssertionError(failure) from None


async def until_settled(tg: TelegramTestClient, db: Database, due: int) -> None:
    """Until every due message is marked sent, or more were sent than were due (copies; the
    rest may never come, as the claims that sent copies took no others)."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while not all(row.sent for row in await outbox(db)):
        if len(await tg.bot_calls("sendMessage")) > due:
            return
        assert time.monotonic() < deadline, "the processes left due messages unsent"
        await asyncio.sleep(0.05)  # waiting for other processes; nothing to await on


async def test_two_processes_on_one_database_send_each_due_message_once(
    tg: TelegramTestClient, bot_env: dict[str, str], tmp_path: Path
) -> None:
    leads = [tg.new_user(name) for name in ("Mei", "Jun", "Lan")]
    env = await overdue_bot(tg, bot_env, tmp_path, leads)
    to_leads = len(leads) * EXPECTED_KINDS.total()
    due = to_leads + REQUESTS  # and the relayer hears once that each request is overdue
    assert due > CLAIM_LIMIT, "one process could send it all: the sharing would go untested"
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    db = await open_database(env["GUESTCARD_DB"])
    try:
        async with contextlib.AsyncExitStack() as stack:
            lines = [await stack.enter_async_context(Line(tg.emulator_url)) for _ in logs]
            bots = [BotProcess({**env, "GUESTCARD_TELEGRAM_API_URL": line.api_url}, log)
                    for line, log in zip(lines, logs, strict=True)]
            try:
                await both_claim(tg, bots, lines)
                await until_settled(tg, db, due)
            finally:
                for line in lines:
                    line.release()  # a process stops only once nothing it sends is held
                # in threads: the lines must keep serving while the processes stop
                exits = await asyncio.gather(*(asyncio.to_thread(bot.stop) for bot in bots))
        rows = await outbox(db)
    finally:
        await db.close()

    assert exits == [0, 0], "\n".join(log.read_text() for log in logs)
    messages = await received(tg, leads)
    copies = copies_of_sent(messages, rows)
    assert copies == [], f"{len(copies)} sent twice, such as {copies[0].text.splitlines()[0]!r}"
    assert len(await tg.bot_calls("sendMessage")) == due  # nor sent twice anywhere else
    assert [row.key for row in rows if not row.sent or row.message_id is None] == []
    for lead in leads:
        assert Counter(row.kind for row in rows if row.chat_id == lead.id) == EXPECTED_KINDS
    to_lead_rows = [row for row in rows if row.chat_id in {lead.id for lead in leads}]
    assert len(messages) == len(to_lead_rows) == to_leads
    assert len({(m.chat_id, m.text) for m in messages}) == to_leads, "a message was sent twice"
