"""Webhook mode: the real process behind a (pretend) proxy, checking Telegram's secret header."""

import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.client import TelegramTestClient
from tests.e2e.process import BotProcess

pytestmark = pytest.mark.e2e
SECRET = "s3cret-of-this-chain"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def pending_updates(tg: TelegramTestClient) -> list[dict[str, Any]]:
    """What Telegram would push to the webhook (the test plays Telegram's delivery)."""
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{tg.bot_api_url}{tg.token}/getUpdates", data={"timeout": 5})
    return list(answer.json()["result"])


async def test_updates_with_the_secret_are_answered_and_others_refused(
    tg: TelegramTestClient, bot_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    process = BotProcess({**bot_env, "GUESTCARD_WEBHOOK_SECRET": SECRET}, tmp_path / "hook.log")
    await process.start(tg, "--webhook", f"http://127.0.0.1:{port}/tg",
                        "--listen", f"127.0.0.1:{port}", ready="setWebhook")
    try:
        [registered] = await tg.bot_calls("setWebhook")
        assert registered["secret_token"] == SECRET
        code = process.invite("waiter", "la")
        ana = tg.new_user("Ana")
        await tg.send_command(ana, f"/start {code}")
        [update] = await pending_updates(tg)
        hook = f"http://127.0.0.1:{port}/tg"
        async with httpx.AsyncClient() as client:
            forged = await client.post(hook, json=update)
            wrong = await client.post(hook, json=update,
                                      headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            right = await client.post(hook, json=update,
                                      headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert (forged.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
        welcome = await tg.wait_for_reply(ana)
        assert "Ana" in welcome.text
    finally:
        assert process.stop() == 0, (tmp_path / "hook.log").read_text()
