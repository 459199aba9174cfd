"""Outgoing messages paced as Telegram asks (about 30 a second in all, 20 a minute to one
group), and in order of who is waiting: a reply to a person, a kitchen alert or a request
goes before any brief, report or reminder still waiting for its turn. Under a burst (the
morning's briefs to 200 branches at once) a waiter's answer waits for no brief.

PTB's own AIORateLimiter keeps the same limits first come, first served: 400 briefs queued
ahead of a reply hold it for 13 seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from playbooks.outbox import BULK_KINDS

log = logging.getLogger(__name__)

MESSAGES_PER_SECOND = 30
GROUP_MESSAGES_PER_MINUTE = 20


class Lane(IntEnum):
    """Who waits: a person now (the default), or nobody in particular (the outbox's
    BULK_KINDS, which the sweep sends to many at once)."""

    NOW = 0
    BULK = 1


_lane: ContextVar[Lane] = ContextVar("lane", default=Lane.NOW)


@contextlib.contextmanager
def sending(kind: str) -> Iterator[None]:
    """The sends made inside go in the lane of an outbox message of this kind."""
    token = _lane.set(Lane.BULK if kind in BULK_KINDS else Lane.NOW)
    try:
        yield
    finally:
        _lane.reset(token)


class Window:
    """At most `limit` events in any `period` seconds; pure, its clock passed in."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._taken: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0: now)."""
        while self._taken and self._taken[0] <= now - self.period:
            self._taken.popleft()
        return 0.0 if len(self._taken) < self.limit else self._taken[0] + self.period - now

    def take(self, now: float) -> None:
        self._taken.append(now)

    def idle(self, now: float) -> bool:
        """Nothing taken within the last period."""
        return not self._taken or self._taken[-1] <= now - self.period


Callback = Callable[..., Coroutine[Any, Any, Any]]


class PacedLimiter(BaseRateLimiter[int]):
    """Every request with a chat takes a turn of the overall window, the lane's order first
    (then first come, first served); a group's also a turn of its own window. A flood-control
    answer halts every send for the time Telegram names, then the request is tried again, up
    to `max_retries` times."""

    def __init__(self, *, overall: tuple[int, float] = (MESSAGES_PER_SECOND, 1.0),
                 per_group: tuple[int, float] = (GROUP_MESSAGES_PER_MINUTE, 60.0),
                 max_retries: int = 3, clock: Callable[[], float] = time.monotonic) -> None:
        """`overall`, `per_group`: at most so many messages in so many seconds."""
        self._overall = Window(*overall)
        self._per_group = per_group
        self._groups: dict[int | str, Window] = {}
        self._max_retries = max_retries
        self._clock = clock
        self._queue: list[tuple[int, int]] = []  # (lane, arrival): the head goes next
        self._arrivals = itertools.count()
        self._turns = asyncio.Condition()
        self._calm = asyncio.Event()
        self._calm.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(self, callback: Callback, args: Any, kwargs: dict[str, Any],
                              endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        chat, retries = data.get("chat_id"), 0
        while True:
            if chat is not None:
                await self._group_turn(chat)
                await self._turn(_lane.get() if rate_limit_args is None else rate_limit_args)
            await self._calm.wait()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if retries == self._max_retries:
                    raise
                retries += 1
                pause = _seconds(error.retry_after) + 0.1
                log.info("flood control on %s: every send waits %.1f s", endpoint, pause)
                self._calm.clear()
                try:
                    await asyncio.sleep(pause)
                finally:
                    self._calm.set()

    async def _turn(self, lane: int) -> None:
        ticket = (lane, next(self._arrivals))
        async with self._turns:
            heapq.heappush(self._queue, ticket)
            self._turns.notify_all()  # a new head may have arrived
            try:
                while True:
                    if self._queue[0] == ticket:
                        delay = self._overall.wait(self._clock())
                        if delay <= 0:
                            heapq.heappop(self._queue)
                            self._overall.take(self._clock())
                            self._turns.notify_all()
                            return
                        # the head sleeps until its slot; a more urgent arrival wakes it
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._turns.wait(), delay)
                    else:
                        await self._turns.wait()
            except BaseException:
                if ticket in self._queue:  # cancelled while waiting: out of the queue
                    self._queue.remove(ticket)
                    heapq.heapify(self._queue)
                    self._turns.notify_all()
                raise

    async def _group_turn(self, chat: object) -> None:
        group = _group(chat)
        if group is None:
            return
        window = self._groups.get(group)
        if window is None:
            if len(self._groups) > 512:  # forget the groups with nothing in their window
                now = self._clock()
                self._groups = {key: kept for key, kept in self._groups.items()
                                if not kept.idle(now)}
            window = self._groups[group] = Window(*self._per_group)
        while (delay := window.wait(self._clock())) > 0:
            await asyncio.sleep(delay)
        window.take(self._clock())


def _group(chat: object) -> int | str | None:
    """A group's or channel's id (negative, or an @name); None for a person's chat."""
    if isinstance(chat, str):
        with contextlib.suppress(ValueError):
            chat = int(chat)
    if isinstance(chat, str) or (isinstance(chat, int) and chat < 0):
        return chat
    return None


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
