import random
from datetime import timedelta
from http import HTTPStatus

from bot.delivery import Rendered, deliver_due
from bot.staff import reachability
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
    staff = await bot.core.staff.by_telegram_id(chat_id)
    await bot.core.outbox.put([Outgoing(key=key, kind=kind, chat_id=chat_id, payload={"n": n},
                                        staff_id=staff.id if staff else None,
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


async def test_a_member_who_blocked_the_bot_is_marked_and_their_lead_told_once(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead", name="Lin", language="en")
    waiter = await bot.join("waiter", name="Wu")
    await queue(bot, waiter.id, 1)
    await queue(bot, waiter.id, 2)
    bot.api.block(waiter)
    renderers = {**RENDERERS, **reachability.RENDERERS}
    for _ in range(2):
        await deliver_due(bot.app.bot, bot.core, bot.core.outbox, renderers, NOW,
                          on_blocked=reachability.notice_unreachable)
    staff = await bot.core.staff.by_telegram_id(waiter.id)
    assert staff is not None and staff.unreachable_since == NOW
    notices = [m.text for m in bot.messages(lead) if "blocked the bot" in m.text]
    assert notices == ["⚠️ Wu (waiter) has blocked the bot or left Telegram: reminders and "
                       "alerts to them fail. Ask them to open the bot again, or send them a "
                       "new invite."]


async def test_faults_on_a_fifth_of_calls_lose_nothing_and_repeat_nothing(
    bot: BotUnderTest,
) -> None:
    leads = [await bot.join("lead", name=f"Lead {n}") for n in range(3)]
    for n in range(60):
        await queue(bot, leads[n % 3].id, n)
    chance = random.Random(7)
    faults = [HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.BAD_GATEWAY, HTTPStatus.GATEWAY_TIMEOUT]

    def one_in_five(method: str) -> tuple[HTTPStatus, int | None] | None:
        failing = method == "sendMessage" and chance.random() < 0.2
        return (chance.choice(faults), 1) if failing else None

    bot.api.fault_policy = one_in_five
    for minute in range(60):
        await deliver(bot, timedelta(minutes=minute))
    hellos = [m.text for lead in leads for m in bot.messages(lead) if m.text.startswith("hello")]
    assert sorted(hellos) == sorted(f"hello {n} (zh)" for n in range(60))


async def test_a_renderer_that_fails_holds_up_nothing_and_is_tried_again(
    bot: BotUnderTest,
) -> None:
    lead = await bot.join("lead")
    broken = [True]

    async def render_flaky(core: Core, delivery: Delivery, language: str) -> Rendered:
        if broken[0]:
            raise KeyError("a renderer's bug")
        return Rendered(text="flaky at last")

    renderers = {**RENDERERS, "flaky": render_flaky}
    await queue(bot, lead.id, 1, kind="flaky")
    await queue(bot, lead.id, 2)
    assert await deliver_due(bot.app.bot, bot.core, bot.core.outbox, renderers, NOW) == 1
    assert bot.messages(lead)[-1].text == "hello 2 (zh)"
    broken[0] = False
    later = NOW + timedelta(minutes=1)
    assert await deliver_due(bot.app.bot, bot.core, bot.core.outbox, renderers, later) == 1
    assert bot.messages(lead)[-1].text == "flaky at last"
