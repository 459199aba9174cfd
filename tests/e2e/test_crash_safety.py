"""kill -9 in the middle of a burst of notes: every acknowledged note survives, none twice."""

import random
from pathlib import Path

import pytest

from tests.e2e.client import TelegramTestClient, User
from tests.e2e.process import BotProcess
from tests.e2e.staff import join

pytestmark = pytest.mark.e2e
NOTES_PER_PERSON = 12


def acknowledged(texts: list[str]) -> set[str]:
    """The notes the bot said it saved (each "Saved" reply lists `+ Note: burst-…`)."""
    return {line.split(": ", 1)[1] for text in texts for line in text.splitlines()
            if "burst-" in line and line.startswith("+ ")}


async def until_quiet(tg: TelegramTestClient, user: User) -> None:
    """Read replies until the bot has said nothing to `user` for a while."""
    while True:
        try:
            await tg.wait_for_reply(user, timeout=1.5)
        except AssertionError:
            return


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
        for person in people:
            await until_quiet(tg, person)
    finally:
        bot.stop()

    said = acknowledged([m.text for p in people for m in await tg.messages(p) if m.from_bot])
    texts, confirmations = stored(bot)
    assert said <= set(texts), f"acknowledged but lost: {sorted(said - set(texts))}"
    assert sorted(texts) == sorted(set(texts)) and confirmations == 0
