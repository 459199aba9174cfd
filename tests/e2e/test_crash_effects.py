"""kill -9 in a burst of arrivals and complaints: what each command set off exists exactly once.

Every /arrive of a guest with an allergy owes the cook one alert; every /feedback of 1 owes one
red request. The bot is killed mid-burst, the emulator hands every update out again (as if the
dead process had confirmed none), and the bot restarts: each recorded visit has one alert row
and one message in the cook's chat, each complaint one request, whatever the kill interrupted.
"""

import random
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.client import TelegramTestClient
from tests.e2e.process import BotProcess
from tests.e2e.staff import has, join, until_quiet

pytestmark = pytest.mark.e2e
NAMES = ("Quinn Adler", "Ravi Banerjee", "Sofia Castellano", "Tomas Duarte", "Uma Fischer",
         "Victor Grieg", "Wen Hartley", "Xavier Ilves")
GUESTS = len(NAMES)


@pytest.mark.parametrize("seed", [1, 2])
async def test_every_arrival_and_complaint_sets_off_its_effects_once_across_a_kill(
    tg: TelegramTestClient, bot_env: dict[str, str], tmp_path: Path, seed: int
) -> None:
    chance = random.Random(seed)
    bot = BotProcess(bot_env, tmp_path / "bot.log")
    await bot.start(tg)
    try:
        ana, bo = [await join(tg, bot, name, "waiter") for name in ("Ana", "Bo")]
        cook = await join(tg, bot, "Cook", "kitchen")
        await join(tg, bot, "Mei", "lead")
        for name in NAMES:
            await tg.command(ana, f"/new {name}", has("#"))
            await tg.command(ana, f"/note {name}: 花生过敏", has("花生过敏"))
        burst = [(ana if n % 2 else bo, f"/arrive {name} table {n + 1}")
                 for n, name in enumerate(NAMES)]
        burst += [(bo if n % 2 else ana, f"/feedback {name} 1 soup was cold")
                  for n, name in enumerate(NAMES)]
        kill_after = chance.randrange(len(burst) // 4, len(burst) - 2)
        for index, (person, command) in enumerate(burst):
            await tg.send_command(person, command)
            if index == kill_after:
                bot.kill()
        await tg.redeliver_all()  # as if the dead process had confirmed none of them
        await bot.start(tg)
        await until_quiet(tg, ana, bo, cook)
    finally:
        bot.stop()

    visits = Counter(guest for (guest,) in bot.query("SELECT guest_id FROM visits"))
    alerts = Counter(guest for (guest,) in bot.query("SELECT guest_id FROM allergy_alerts"))
    assert visits and set(visits.values()) == {1}
    assert alerts == visits  # one alert for each recorded arrival, none without one
    told = [m.text for m in await tg.messages(cook) if m.from_bot and m.text.startswith("⚠️")]
    per_guest = [len([t for t in told if name in t]) for name in NAMES]
    assert sum(1 for count in per_guest if count) == len(visits)  # every alert reached the cook
    # Telegram may have taken the one alert being sent at the kill, before it was marked sent
    assert sorted(per_guest)[-2:] != [2, 2] and max(per_guest) <= 2, per_guest
    complaints = Counter(guest for (guest,) in bot.query(
        "SELECT guest_id FROM requests WHERE source = 'complaint'"))
    scores = Counter(guest for (guest,) in bot.query(
        "SELECT guest_id FROM feedback WHERE score = 1"))
    assert complaints == scores and set(complaints.values()) <= {1}
