"""Polling confirms an update (the next getUpdates offset) only once it and every update
fetched before it were handled: a crash or a stop leaves the rest to be delivered again."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update, User
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.app import build_application
from bot.ordering import PerChatProcessor
from bot.polling import Poller, run_polling
from bot.settings import Settings
from tests.bot.conftest import FakeClock
from tests.bot_api import FaultyBotApi


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(
        update_id, datetime(2026, 5, 1, tzinfo=UTC), chat, text=f"#{update_id}",
        from_user=User(chat_id, "Ana", is_bot=False)))


class FakeTelegram:
    """getUpdates as Telegram answers it: every update from `offset` on, until a later
    call's offset confirms it; each offset asked with is recorded."""

    def __init__(self, *updates: Update) -> None:
        self.pending = list(updates)
        self.offsets: list[int] = []
        self.failures: list[Exception] = []

    async def get_updates(self, *, offset: int | None = None, timeout: int | None = None,
                          allowed_updates: Sequence[str] | None = None,
                          limit: int | None = None) -> tuple[Update, ...]:
        self.offsets.append(offset or 0)
        if self.failures:
            raise self.failures.pop(0)
        self.pending = [u for u in self.pending if u.update_id >= (offset or 0)]
        if not self.pending and timeout:
            await asyncio.sleep(0.01)  # a long poll, shortened
        return tuple(self.pending[: limit or 100])


class Handlers:
    """Each update's handler runs until the test lets it finish."""

    def __init__(self, *, held: Sequence[int] = ()) -> None:
        self.gates = {i: asyncio.Event() for i in held}
        self.started: list[int] = []
        self.finished: list[int] = []

    async def __call__(self, update: Update) -> None:
        self.started.append(update.update_id)
        if update.update_id in self.gates:
            await self.gates[update.update_id].wait()
        self.finished.append(update.update_id)

    def release(self, update_id: int) -> None:
        self.gates[update_id].set()


async def until(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


async def settle() -> None:
    """Time for the poller to ask Telegram again several times."""
    await asyncio.sleep(0.1)


class Running:
    def __init__(self, poller: Poller) -> None:
        self.poller = poller
        self.stopping = asyncio.Event()
        self.task = asyncio.create_task(poller.run(self.stopping))

    async def stop(self) -> None:
        self.stopping.set()
        await asyncio.wait_for(self.task, 5)


def poll(telegram: FakeTelegram, handle: Callable[[Update], Awaitable[None]],
         **options: float) -> Running:
    return Running(Poller(telegram, handle, **options))  # type: ignore[arg-type]


async def test_the_offset_moves_only_past_updates_handled_in_order() -> None:
    telegram = FakeTelegram(update(1, 10), update(2, 20), update(3, 30))
    handlers = Handlers(held=(1, 2, 3))
    running = poll(telegram, handlers)
    await until(lambda: len(handlers.started) == 3)
    await settle()
    assert max(telegram.offsets) <= 1

    handlers.release(1)
    await until(lambda: telegram.offsets[-1:] == [2])
    handlers.release(3)  # finished, but behind 2, which still runs
    await until(lambda: handlers.finished == [1, 3])
    await settle()
    assert max(telegram.offsets) == 2

    handlers.release(2)
    await until(lambda: telegram.offsets[-1:] == [4])
    await running.stop()
    assert sorted(handlers.started) == [1, 2, 3]  # each handled once, however often fetched
    assert telegram.pending == []


async def test_an_update_still_running_at_a_stop_stays_unconfirmed_and_comes_again() -> None:
    telegram = FakeTelegram(update(1, 10), update(2, 20))
    handlers = Handlers(held=(1,))
    running = poll(telegram, handlers, drain_seconds=0.05)
    await until(lambda: handlers.finished == [2])
    await running.stop()  # 1 never finished: as good as killed mid-handler
    assert handlers.finished == [2]
    assert max(telegram.offsets) <= 1  # an offset of 1 confirms nothing

    again = Handlers()
    running = poll(telegram, again)  # the next process is handed both again
    await until(lambda: again.finished == [1, 2])
    await until(lambda: telegram.offsets[-1:] == [3])
    await running.stop()


async def test_a_chats_updates_keep_their_order_and_other_chats_do_not_confirm_them() -> None:
    telegram = FakeTelegram(update(1, 10), update(2, 10), update(3, 30))
    processor = PerChatProcessor()
    handlers = Handlers(held=(1,))

    async def handle(u: Update) -> None:  # as the Application hands updates to its handlers
        await processor.process_update(u, handlers(u))

    running = poll(telegram, handle)
    await until(lambda: handlers.finished == [3])  # another chat's update is not held up
    await settle()
    assert handlers.started == [1, 3]  # 2 waits for 1, its chat's earlier message
    assert max(telegram.offsets) <= 1

    handlers.release(1)
    await until(lambda: telegram.offsets[-1:] == [4])
    assert handlers.finished == [3, 1, 2]
    await running.stop()


async def test_network_errors_are_retried_after_a_pause_and_flood_control_is_honoured() -> None:
    telegram = FakeTelegram(update(1, 10))
    telegram.failures = [NetworkError("connection reset"), NetworkError("connection reset"),
                         RetryAfter(7)]
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    handlers = Handlers()
    running = Running(Poller(telegram, handlers, sleep=pause))
    await until(lambda: handlers.finished == [1])
    await until(lambda: telegram.offsets[-1:] == [2])
    await running.stop()
    assert pauses == [1.0, 2.0, 7.0]


async def test_an_update_whose_handler_failed_is_confirmed_not_retried_forever(
    caplog: pytest.LogCaptureFixture,
) -> None:
    telegram = FakeTelegram(update(1, 10), update(2, 20))
    seen: list[int] = []

    async def handle(u: Update) -> None:
        seen.append(u.update_id)
        if u.update_id == 1:
            raise RuntimeError("a bug in a handler")

    running = poll(telegram, handle)
    await until(lambda: telegram.offsets[-1:] == [3])
    await running.stop()
    assert sorted(seen) == [1, 2]
    assert "update 1 failed" in caplog.text


async def test_a_long_poll_that_timed_out_is_asked_again_at_once_then_with_pauses() -> None:
    telegram = FakeTelegram(update(1, 10))
    telegram.failures = [TimedOut(), TimedOut(), TimedOut()]
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    handlers = Handlers()
    running = Running(Poller(telegram, handlers, sleep=pause))
    await until(lambda: telegram.offsets[-1:] == [2])
    await running.stop()
    assert pauses == [2.0, 4.0]


async def test_the_bot_polls_with_the_applications_lifecycle_until_sigterm(
    settings: Settings, clock: FakeClock
) -> None:
    api = FaultyBotApi(clock=clock)
    app = build_application(settings, request=api, clock=clock, rate_limit=False)
    assert app.updater is None
    closing = app.post_shutdown
    assert closing is not None
    shut: list[bool] = []

    async def post_shutdown(a: object) -> None:
        shut.append(app.running)
        await closing(app)

    app.post_shutdown = post_shutdown
    polling = asyncio.create_task(run_polling(app))
    await until(lambda: any(call.method == "getUpdates" for call in api.calls))
    assert app.bot_data.core is not None  # post_init opened the core
    assert app.running and app.job_queue is not None and app.job_queue.scheduler.running
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(polling, 10)
    assert shut == [False]  # post_shutdown came after the Application stopped
    assert app.bot_data.core is None
