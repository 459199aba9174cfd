"""`guestcard run --listen`: the real process polls Telegram and serves the API beside it,
and a SIGTERM stops both and releases its lease on the database."""

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.client import TelegramTestClient
from tests.e2e.process import BotProcess
from tests.e2e.test_webhook import free_port

pytestmark = pytest.mark.e2e


async def until_healthy(client: httpx.AsyncClient) -> httpx.Response:
    deadline = time.monotonic() + 20
    while (health := await client.get("/healthz")).status_code != 200:
        assert time.monotonic() < deadline, health.text
        await asyncio.sleep(0.1)  # the first sweep runs a second after the start
    return health


async def test_the_api_beside_polling_and_a_clean_stop(
    tg: TelegramTestClient, bot_env: dict[str, str], tmp_path: Path,
) -> None:
    port = free_port()
    process = BotProcess(bot_env, tmp_path / "api.log")
    key = process.cli("api-key", "create", "pms", "--branch", "la").strip().splitlines()[-1]
    await process.start(tg, "--listen", f"127.0.0.1:{port}", "--log-format", "json")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await until_healthy(client)
            stay = await client.put(
                "/api/v1/stays/S-1", headers={"Authorization": f"Bearer {key}"},
                json={"guest": {"name": "Anna Lee"}, "room": "1203",
                      "arrival": "2026-12-24", "departure": "2026-12-26"})
            metrics = await client.get("/metrics")
        assert stay.status_code == 201, stay.text
        assert 'guestcard_api_calls_total{route="/api/v1/stays/{source_id}",status="201"} 1.0' \
            in metrics.text
        assert process.query("SELECT room_no FROM visits") == [("1203",)]
        assert len(process.query("SELECT holder FROM leases")) == 1
    finally:
        assert process.stop() == 0, (tmp_path / "api.log").read_text()
    assert process.query("SELECT holder FROM leases") == []
    assert '"level": "INFO"' in (tmp_path / "api.log").read_text()
