"""Outgoing messages paced: Telegram's limits kept, a person's answer before the bulk."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.pacing import Lane, PacedLimiter, Window, sending

PERIOD = 0.2  # short enough for a test, long enough that every request is queued in time


def test_a_window_holds_its_limit_and_frees_a_slot_as_the_oldest_ages_out() -> None:
    window = Window(2, 1.0)
    assert window.wait(0.0) == 0.0
    window.take(0.0)
    window.take(0.3)
    assert window.wait(0.5) == 0.5  # full until the first one is a second old
    assert window.wait(1.0) == 0.0
    window.take(1.0)
    assert window.wait(1.25) == pytest.approx(0.05)
    assert not window.idle(1.5) and window.idle(2.0)


def call(order: list[str], name: str) -> Callable[[], Coroutine[Any, Any, str]]:
    async def callback() -> str:
        order.append(name)
        return name
    return callback


async def request(limiter: PacedLimiter, callback: Callable[[], Coroutine[Any, Any, str]],
                  chat: int = 7, lane: int | None = None) -> Any:
    return await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": chat},
                                         lane)


async def test_a_persons_answer_goes_before_the_briefs_waiting_for_their_turn() -> None:
    limiter = PacedLimiter(overall=(2, PERIOD))
    order: list[str] = []
    tasks = []
    with sending("brief"):  # the sweep's bulk: the tasks inherit the lane
        tasks += [asyncio.create_task(request(limiter, call(order, f"brief {n}")))
                  for n in range(5)]
    with sending("allergy.alert"):
        tasks.append(asyncio.create_task(request(limiter, call(order, "alert"))))
    tasks.append(asyncio.create_task(request(limiter, call(order, "reply"))))  # no lane: now
    started = time.monotonic()
    await asyncio.gather(*tasks)
    assert order == ["brief 0", "brief 1", "alert", "reply", "brief 2", "brief 3", "brief 4"]
    assert time.monotonic() - started >= 2 * PERIOD  # seven through a window of two


async def test_the_lane_given_by_the_caller_wins_and_a_request_without_a_chat_is_not_paced(
) -> None:
    limiter = PacedLimiter(overall=(1, PERIOD))
    order: list[str] = []
    first = asyncio.create_task(request(limiter, call(order, "first")))
    later = asyncio.create_task(request(limiter, call(order, "routine"), lane=Lane.BULK))
    now = asyncio.create_task(request(limiter, call(order, "now"), lane=Lane.NOW))
    await asyncio.sleep(0)
    await limiter.process_request(call(order, "getMe"), (), {}, "getMe", {}, None)
    await asyncio.gather(first, later, now)
    assert order == ["first", "getMe", "now", "routine"]


async def test_a_group_gets_at_most_its_own_share() -> None:
    limiter = PacedLimiter(overall=(100, PERIOD), per_group=(1, PERIOD))
    order: list[str] = []
    await asyncio.gather(request(limiter, call(order, "group 1"), chat=-100),
                         request(limiter, call(order, "group 2"), chat=-100),
                         request(limiter, call(order, "person"), chat=7))
    assert order == ["group 1", "person", "group 2"]


async def test_flood_control_pauses_and_tries_again_then_gives_up() -> None:
    limiter = PacedLimiter(overall=(10, PERIOD), max_retries=1)
    tries: list[int] = []

    async def flooded() -> str:
        tries.append(1)
        if len(tries) < 2:
            raise RetryAfter(0)
        return "sent"

    assert await request(limiter, flooded) == "sent"
    assert len(tries) == 2

    async def always() -> str:
        raise RetryAfter(0)

    with pytest.raises(RetryAfter):  # still flooded after its retries
        await request(limiter, always)


async def test_a_request_cancelled_while_waiting_leaves_the_queue() -> None:
    limiter = PacedLimiter(overall=(1, PERIOD))
    order: list[str] = []
    await request(limiter, call(order, "first"))
    waiting = asyncio.create_task(request(limiter, call(order, "cancelled")))
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert await asyncio.wait_for(request(limiter, call(order, "next")), 5 * PERIOD) == "next"
    assert order == ["first", "next"]
