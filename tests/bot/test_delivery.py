from datetime import timedelta
from http import HTTPStatus

from bot.delivery import Rendered, deliver_due
from bot.state import Core
from playbooks.outbox import Delivery, Outgoing
from tests.bot.conftest import BotUnderTest
from tests.factories import NOW


async def render_hello(core: Core, delivery: Delivery, language: str) -> Rendered:
    return Rendered(text=f"hello {delivery.payload['n']} ({language})")


async def render_nothing(core: Core, delivery: Delivery, language: str) -> None:
    return None


RENDERERS = {"hello": render_hello, "nothing": render_nothing}


async def queue(bot: BotUnderTest, chat_id: int, n: int, kind: str = "hello") -> str:
    key = f"{kind}:{chat_id}:{n}"
    await bot.core.outbox.put([Outgoing(key=key, kind=kind, chat_id=chat_id, payload={"n": n},
                                        not_before=NOW)], NOW)
    return key


async def deliver(bot: BotUnderTest, at: timedelta = timedelta()) -> int:
    return await deliver_due(bot.app.bot, bot.core, bot.core.outbox, RENDERERS, NOW + at)


async def test_due_messages_are_sent_once(bot: BotUnderTest) -> None:
    lead = await bot.join("lead")
    await queue(bot, lead.id, 1)
    assert (await deliver(bot), await deliver(bot, timedelta(hours=1))) == (1, 0)
    assert [m.text for m in bot.messages(lead)][-1] == "hello 1 (zh)"


async def test_a_flood_wait_is_honoured_then_the_message_goes(bot: BotUnderTest) -> None:
    lead = await bot.join("lead")
    key = await queue(bot, lead.id, 1)
    bot.api.fail_next("sendMessage", status=HTTPStatus.TOO_MANY_REQUESTS, retry_after=30)
    assert await deliver(bot) == 0
    assert await deliver(bot, timedelta(seconds=29)) == 0
    assert await deliver(bot, timedelta(seconds=30)) == 1
    state = await bot.core.outbox.state(key)
    assert state is not None and state.attempts == 1 and state.sent_at is not None


async def test_server_errors_are_retried_with_backoff(bot: BotUnderTest) -> None:
    lead = await bot.join("lead")
    await queue(bot, lead.id, 1)
    bot.api.fail_next("sendMessage", status=HTTPStatus.BAD_GATEWAY, times=2)
    sent = [await deliver(bot, timedelta(seconds=s)) for s in (0, 10, 30)]
    assert sent == [0, 0, 1]


async def test_a_recipient_who_blocked_the_bot_is_given_up_on(bot: BotUnderTest) -> None:
    lead = await bot.join("lead")
    key = await queue(bot, lead.id, 1)
    bot.api.block(lead)
    assert await deliver(bot) == 0
    state = await bot.core.outbox.state(key)
    assert state is not None and state.gave_up_at is not None
    assert await deliver(bot, timedelta(days=1)) == 0


async def test_a_message_with_nothing_left_to_say_is_closed_unsent(bot: BotUnderTest) -> None:
    lead = await bot.join("lead")
    before = len(bot.messages(lead))
    key = await queue(bot, lead.id, 1, kind="nothing")
    await deliver(bot)
    state = await bot.core.outbox.state(key)
    assert state is not None and state.sent_at is not None
    assert len(bot.messages(lead)) == before
