"""Escalation timers live in the database: a restart neither loses nor repeats one."""

from bot.app import build_application
from bot.scheduler import sweep_once
from bot.settings import Settings
from bot.terminal.api import LocalBotApi, LocalUser, running
from tests.bot.conftest import BotUnderTest, FakeClock


def escalations(api: LocalBotApi, user: LocalUser) -> list[str]:
    return [m.text.splitlines()[0] for m in api.sent_to(user.id) if m.text.startswith("⏰")]


async def test_an_escalation_due_while_the_bot_was_down_is_sent_once_after_restarts(
    settings: Settings, clock: FakeClock
) -> None:
    api = LocalBotApi(clock=clock)

    def app() -> BotUnderTest:
        return BotUnderTest(build_application(settings, request=api, clock=clock,
                                              rate_limit=False), api, clock)

    first = app()
    async with running(first.app):
        waiter = await first.join("waiter", language="en")
        lead = await first.join("lead", name="Mei", language="en")
        guest = await first.core.guests.create("王先生", None, branch="la", staff_id=None,
                                               region="CN", now=clock())
        await first.core.visits.arrive(guest.id, branch="la", staff_id=None, now=clock(),
                                       room="1203")
        await first.send(waiter, "/request room 1203: the bill is wrong")

    clock.advance(minutes=7)  # the accept deadline (5 min) passed while nothing ran
    for _ in range(2):  # two restarts, a sweep each
        again = app()
        async with running(again.app):
            await sweep_once(again.app.bot, again.core, clock())
            await sweep_once(again.app.bot, again.core, clock())
        assert again.errors == [] and first.errors == []

    assert escalations(api, lead) == [
        "⏰ R1 was not accepted within 5 min. Please see that someone takes it."]
