"""kill -9 in the middle of a burst of notes: every acknowledged note survives, none twice.

In polling the bot confirms an update only once handled; in webhook mode it answers 200 only
once handled, and Telegram pushes again what got no 200. Either way each note is applied once.
"""

import asyncio
import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.client import TelegramTestClient, User
from tests.e2e.process import BotProcess
from tests.e2e.staff import join, until_quiet
from tests.e2e.test_webhook import SECRET, free_port, pending_updates

pytestmark = pytest.mark.e2e
NOTES_PER_PERSON = 12


def acknowledged(texts: list[str]) -> set[str]:
    """The notes the bot said it saved (each "Saved" reply lists `+ Note: burst-…`)."""
    return {line.split(": ", 1)[1] for text in texts for line in text.splitlines()
            if "burst-" in line and line.startswith("+ ")}


async def stored_without_loss(tg: TelegramTestClient, bot: BotProcess,
                              people: list[User]) -> list[str]:
    """The burst's notes stored; every one the bot said it saved among them, and none also
    confirmed (a note applied twice confirms the first)."""
    said = acknowledged([m.text for p in people for m in await tg.messages(p) if m.from_bot])
    texts, confirmations = stored(bot)
    assert said <= set(texts), f"acknowledged but lost: {sorted(said - set(texts))}"
    assert confirmations == 0
    return texts


def stored(bot: BotProcess) -> tuple[list[str], int]:
    texts = [text for (text,) in bot.query(
        "SELECT text FROM traits WHERE text LIKE 'burst-%' AND retracted_at IS NULL")]
    [(confirmations,)] = bot.query("SELECT COUNT(*) FROM trait_confirmations")
    return texts, confirmations


@pytest.mark.parametrize(("seed", "redeliver"), [(1, False), (2, False), (3, True)])
async def test_acknowledged_notes_survive_a_kill_and_none_is_applied_twice(
    tg: TelegramTestClient, bot_env: dict[str, str], tmp_path: Path, seed: int, redeliver: bool
) -> None:
    chance = random.Random(seed)
    bot = BotProcess(bot_env, tmp_path / "bot.log")
    await bot.start(tg)
    try:
        people = [await join(tg, bot, name, "waiter") for name in ("Ana", "Bo", "Cy")]
        await tg.command(people[0], "/new Smith")
        burst = [(person, f"burst-{person.first_name}-{n}") for n in range(NOTES_PER_PERSON)
                 for person in people]
        kill_after = chance.randrange(len(burst) // 3, len(burst))
        for index, (person, text) in enumerate(burst):
            await tg.send_command(person, f"/note #1: {text}")
            if index == kill_after:
                if redeliver:  # the dead process has surely acted on this one
                    await tg.wait_for_reply(person, lambda m, t=text: t in m.text)
                bot.kill()
        if redeliver:  # as if the dead process had confirmed none of what it acted on
            await tg.redeliver_all()
        await bot.start(tg)  # the emulator delivers again what the dead one never confirmed
        await until_quiet(tg, *people)
    finally:
        bot.stop()

    texts = await stored_without_loss(tg, bot, people)
    assert sorted(texts) == sorted(set(texts))  # none twice


async def test_in_webhook_mode_every_note_pushed_until_answered_is_applied_once(
    tg: TelegramTestClient, bot_env: dict[str, str], tmp_path: Path
) -> None:
    chance = random.Random(4)
    bot = BotProcess({**bot_env, "GUESTCARD_WEBHOOK_SECRET": SECRET}, tmp_path / "bot.log")
    await bot.start(tg)  # in polling, for staff to join as usual
    try:
        people = [await join(tg, bot, name, "waiter") for name in ("Ana", "Bo", "Cy")]
        await tg.command(people[0], "/new Smith")
    finally:
        assert bot.stop() == 0
    notes = {f"burst-{person.first_name}-{n}" for n in range(NOTES_PER_PERSON)
             for person in people}
    for n, text in enumerate(sorted(notes)):
        await tg.send_command(people[n % len(people)], f"/note #1: {text}")
    updates = [u for u in await pending_updates(tg) if "burst-" in str(u)]
    assert len(updates) == len(notes)

    port = free_port()
    hook = f"http://127.0.0.1:{port}/tg"
    answered: set[int] = set()
    kill_after = chance.randrange(len(updates) // 3, 2 * len(updates) // 3)

    async def push(client: httpx.AsyncClient, update: dict[str, Any], kill: bool) -> None:
        """Telegram's delivery: what gets no 200 (the process died under it) comes again."""
        try:
            answer = await client.post(hook, json=update,
                                       headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        except httpx.TransportError:
            return
        if answer.status_code == 200:
            answered.add(update["update_id"])
            if kill and len(answered) == kill_after:
                bot.kill()

    webhook = ("--webhook", hook, "--listen", f"127.0.0.1:{port}")
    await bot.start(tg, *webhook, ready="setWebhook")
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            # several at once, as Telegram keeps several connections open to a webhook
            await asyncio.gather(*(push(client, update, True) for update in updates))
            assert kill_after <= len(answered) < len(updates)
            await bot.start(tg, *webhook, ready="setWebhook")
            # again every one: those the dead process answered too, as when a 200 was lost
            await asyncio.gather(*(push(client, update, False) for update in updates))
        assert len(answered) == len(updates)
        await until_quiet(tg, *people)
    finally:
        bot.stop()

    assert sorted(await stored_without_loss(tg, bot, people)) == sorted(notes)  # each once
