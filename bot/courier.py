"""The outbox courier: a task of its own that sends what the outbox holds, so that replies
never wait on a slow chat.

Woken after each update (and free to be woken by anything else that enqueues); one pass
delivers everything due, several wake-ups during a pass make one more pass. The sweep still
delivers on its own tick: leases keep the two from sending a message twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Courier:
    """Runs `deliver` whenever woken, one pass at a time, in a task of its own."""

    def __init__(self, deliver: Callable[[], Awaitable[object]]) -> None:
        self._deliver = deliver
        self._woken = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._died: BaseException | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="outbox courier")

    async def stop(self) -> None:
        """Stop after the pass under way; what is left stays in the outbox for the sweep."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._idle.set()

    def wake(self) -> None:
        """Deliver soon: returns at once."""
        if self._task is None:
            return
        self.start()  # again, if what killed the last pass has been reported by `drain`
        self._idle.clear()
        self._woken.set()

    async def drain(self) -> None:
        """Wait until every wake-up so far has been answered by a finished pass; raise what
        killed the courier, if something did (once)."""
        await self._idle.wait()
        died, self._died = self._died, None
        if died is not None:
            raise died

    async def _run(self) -> None:
        try:
            while True:
                await self._woken.wait()
                self._woken.clear()
                try:
                    await self._deliver()
                except Exception:  # the sweep delivers it; the courier must keep running
                    log.exception("outbox delivery failed")
                if not self._woken.is_set():
                    self._idle.set()
        except asyncio.CancelledError:
            raise
        except BaseException as death:  # not ours to swallow: whoever drains hears of it
            self._died = death
            self._idle.set()
            raise
