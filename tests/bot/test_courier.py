"""The outbox leaves from a task of its own, and updates of different chats run side by side:
a chat that does not answer holds up no one else's reply."""

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import Chat, Message, Update, User
from telegram.request import RequestData

from bot.app import build_application
from bot.courier import Courier
from bot.delivery import Rendered, deliver_due
from bot.ordering import PerChatProcessor
from bot.settings import Settings, load_settings
from bot.terminal.api import LocalBotApi, running
from playbooks.outbox import Delivery, Outgoing
from profiles.models import Category, TraitDraft
from tests.bot.conftest import CONFIG, BotUnderTest, FakeClock
from tests.factories import NOW

KITCHEN = -100900
PATIENCE = 5  # seconds: a test that would hang forever fails instead


class HeldApi(LocalBotApi):
    """The local Bot API, except that messages to one chat wait until the test lets them go."""

    def __init__(self, *, clock: FakeClock, held: int) -> None:
        super().__init__(clock=clock)
        self.held, self.release = held, asyncio.Event()
        self.waiting, self.others_sent = asyncio.Event(), asyncio.Event()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: object, **kwargs: object) -> tuple[int, bytes]:
        if url.endswith("/sendMessage") and request_data is not None and \
                request_data.parameters.get("chat_id") == self.held:
            self.waiting.set()
            await self.release.wait()
        answer = await super().do_request(url, method, request_data, *args, **kwargs)
        if url.endswith("/sendMessage"):
            self.others_sent.set()
        return answer


async def until(condition: Callable[[], bool]) -> None:
    """Let the courier's tasks run until `condition` holds (bounded by the caller)."""
    while not condition():
        # A millisecond, not a bare turn of the event loop: a loop spinning on sleep(0) keeps
        # the GIL from the database's worker threads, whose reads then take seconds.
        await asyncio.sleep(0.001)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shipped = load_settings({"GUESTCARD_CONFIG": str(CONFIG),
                             "GUESTCARD_DB": str(tmp_path / "test.db")})
    la = shipped.branches[0].model_copy(update={"kitchen_chat": KITCHEN})
    return shipped.model_copy(update={"branches": [la, *shipped.branches[1:]]})


@pytest.fixture
async def held(settings: Settings, clock: FakeClock) -> AsyncIterator[BotUnderTest]:
    api = HeldApi(clock=clock, held=KITCHEN)
    app = build_application(settings, request=api, clock=clock, rate_limit=False)
    async with running(app):
        yield BotUnderTest(app, api, clock)
        api.release.set()


async def test_a_kitchen_that_does_not_answer_holds_up_no_ones_reply(held: BotUnderTest) -> None:
    api = held.api
    assert isinstance(api, HeldApi)
    api.open_group(KITCHEN, "Kitchen")
    ana = await held.join("waiter", name="Ana", language="en")
    ben = await held.join("waiter", name="Ben", language="en")
    guest = await held.core.guests.create("王先生", None, branch="la", staff_id=None,
                                          region="CN", now=held.clock())
    await held.core.traits.log(guest.id, [TraitDraft(category=Category.ALLERGY, text="花生过敏")],
                               staff_id=1, branch="la", now=held.clock())
    arrive = held.app.process_update(held.message_update(ana, "/arrive 王先生 table 12"))
    await asyncio.wait_for(arrive, PATIENCE)  # answered while the alert is still on its way
    await asyncio.wait_for(api.waiting.wait(), PATIENCE)
    await asyncio.wait_for(held.app.process_update(held.message_update(ben, "/guest #1")),
                           PATIENCE)
    assert held.last(ben).text.splitlines()[0].startswith("王先生")
    assert api.sent_to(KITCHEN) == []
    # the same delivery's other chats are not held either: Ana's checklist goes out while the
    # kitchen's alert still waits (her chat's lane sends her receipt and checklist in turn)
    await asyncio.wait_for(until(lambda: "📋 Guest with an allergy" in [
        m.text.splitlines()[0] for m in held.messages(ana)]), PATIENCE)
    assert api.sent_to(KITCHEN) == []
    api.release.set()
    await asyncio.wait_for(held.app.bot_data.drain(), PATIENCE)
    assert api.sent_to(KITCHEN)[0].text.splitlines()[0] == "⚠️ 过敏客人到店"


async def test_a_chat_that_does_not_answer_holds_up_no_other_chats_message(
    held: BotUnderTest,
) -> None:
    api = held.api
    assert isinstance(api, HeldApi)
    api.open_group(KITCHEN, "Kitchen")
    ben = await held.join("waiter", name="Ben", language="en")
    api.others_sent.clear()

    async def render(core: object, delivery: Delivery, lang: str) -> Rendered:
        return Rendered(text=delivery.key)

    await held.core.outbox.put([Outgoing(key=key, kind="test", chat_id=chat, not_before=NOW)
                                for key, chat in (("first", KITCHEN), ("second", ben.id))],
                               held.clock())
    delivering = asyncio.ensure_future(deliver_due(held.app.bot, held.core, held.core.outbox,
                                                   {"test": render}, held.clock()))
    await asyncio.wait_for(api.others_sent.wait(), PATIENCE)
    assert held.last(ben).text == "second" and api.sent_to(KITCHEN) == []
    api.release.set()
    assert await asyncio.wait_for(delivering, PATIENCE) == 2


async def test_the_courier_answers_every_wake_up_and_outlives_a_failed_pass() -> None:
    passes: list[int] = []
    gate, started = asyncio.Event(), asyncio.Event()

    async def deliver() -> None:
        passes.append(len(passes))
        started.set()
        await gate.wait()
        if len(passes) == 1:
            raise RuntimeError("Telegram went away")

    courier = Courier(deliver)
    courier.start()
    courier.wake()
    await asyncio.wait_for(started.wait(), PATIENCE)
    courier.wake()  # during the pass: one more pass follows it
    courier.wake()
    draining = asyncio.ensure_future(courier.drain())
    gate.set()
    await asyncio.wait_for(draining, PATIENCE)
    assert passes == [0, 1]
    await courier.stop()


def update_from(chat_id: int, update_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, datetime.now(UTC), chat,
                                             from_user=User(chat_id, "x", is_bot=False)))


async def test_a_chats_updates_run_in_order_and_other_chats_meanwhile() -> None:
    processor, order = PerChatProcessor(), []
    first_may_end = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        order.append(f"{name} starts")
        if wait is not None:
            await wait.wait()
        order.append(f"{name} ends")

    handled = [asyncio.ensure_future(processor.process_update(update, handler))
               for update, handler in ((update_from(1, 1), handle("ana 1", first_may_end)),
                                       (update_from(1, 2), handle("ana 2")),
                                       (update_from(2, 3), handle("ben 1")))]
    await asyncio.wait_for(asyncio.wait(handled[2:]), PATIENCE)
    assert order == ["ana 1 starts", "ben 1 starts", "ben 1 ends"]
    first_may_end.set()
    await asyncio.wait_for(asyncio.gather(*handled), PATIENCE)
    assert order[3:] == ["ana 1 ends", "ana 2 starts", "ana 2 ends"]


def test_the_application_serialises_updates_per_chat(settings: Settings) -> None:
    app = build_application(settings, request=LocalBotApi(), rate_limit=False)
    assert isinstance(app.update_processor, PerChatProcessor)
