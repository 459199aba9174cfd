"""Long polling that confirms an update to Telegram only once it was handled.

PTB's Updater confirms what it fetched (the next getUpdates `offset`) before the Application
has handled it, so an update being handled when the process dies is not delivered again. Here
the offset moves past an update only when it and every update fetched before it have been
handled and their transactions committed: updates of different chats still run side by side
(the Application's update processor), but one that finishes early does not confirm a slower
one fetched before it. A crash leaves the unfinished ones unconfirmed, Telegram delivers them
again, and the served-update mark keeps a redelivered update from acting twice.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Protocol, TypeVar

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.app import GuestcardApp

log = logging.getLogger(__name__)

POLL_SECONDS = 10  # Telegram's long poll; PTB's Updater waits as long
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)  # after failed polls in a row
STUCK_SECONDS = 1.0  # nothing new while an earlier update still runs: poll again after this
DRAIN_SECONDS = 10.0  # on stop, how long updates in flight may take to finish

T = TypeVar("T")
Handle = Callable[[Update], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class UpdateSource(Protocol):
    async def get_updates(self, *, offset: int | None = None, timeout: int | None = None,
                          allowed_updates: Sequence[str] | None = None,
                          limit: int | None = None) -> tuple[Update, ...]: ...


class Confirmations:
    """Which fetched updates have finished, and the offset that confirms exactly those:
    every update below it has finished; the one at it has not (or was not fetched yet)."""

    def __init__(self) -> None:
        self.offset = 0
        self._running: set[int] = set()
        self._finished: set[int] = set()  # finished, but behind one still running

    def fetched(self, update_id: int) -> bool:
        """Whether this update is new to us; one confirmed, running or finished is not."""
        if update_id < self.offset or update_id in self._running or update_id in self._finished:
            return False
        self._running.add(update_id)
        return True

    def finished(self, update_id: int) -> None:
        self._running.discard(update_id)
        self._finished.add(update_id)
        # Telegram hands updates out in order of id: below the lowest running one, all are done
        done_below = min(self._running) if self._running else max(self._finished) + 1
        self._finished = {i for i in self._finished if i >= done_below}
        self.offset = max(self.offset, done_below)

    def abandoned(self, update_id: int) -> None:
        """Not finished and no longer running (stopped midway): it stays unconfirmed."""
        self._running.discard(update_id)

    @property
    def in_flight(self) -> int:
        return len(self._running)


class Poller:
    """Fetches updates, hands each to `handle` as a task of its own, and confirms them as
    they finish in order."""

    def __init__(self, source: UpdateSource, handle: Handle, *,
                 allowed_updates: Sequence[str] | None = None, timeout: int = POLL_SECONDS,
                 drain_seconds: float = DRAIN_SECONDS, sleep: Sleep = asyncio.sleep) -> None:
        self.source = source
        self.handle = handle
        self.allowed_updates = allowed_updates
        self.timeout = timeout
        self.drain_seconds = drain_seconds
        self.sleep = sleep
        self.confirmations = Confirmations()
        self._tasks: set[asyncio.Task[None]] = set()
        self._progress = asyncio.Event()  # set whenever an update finishes
        self._confirmed = 0  # the offset Telegram was last told

    @property
    def offset(self) -> int:
        return self.confirmations.offset

    async def run(self, stopping: asyncio.Event) -> None:
        """Poll until `stopping` is set; then let what runs finish (for a while) and tell
        Telegram what finished."""
        failures = 0
        try:
            while not stopping.is_set():
                self._progress.clear()
                try:
                    updates = await _unless(stopping, self._poll(self.timeout))
                except InvalidToken:
                    raise
                except RetryAfter as error:
                    delay = _seconds(error.retry_after)
                    log.warning("getUpdates: flood control, polling again in %.0f s", delay)
                    await _unless(stopping, self.sleep(delay))
                    continue
                except (TelegramError, OSError) as error:
                    failures += 1
                    if isinstance(error, TimedOut) and failures == 1:
                        continue  # a long poll that outlived its read timeout: ask again now
                    delay = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS)) - 1]
                    log.warning("getUpdates failed (%s); polling again in %.0f s", error, delay)
                    await _unless(stopping, self.sleep(delay))
                    continue
                failures = 0
                if updates is None:  # stopping
                    break
                fresh = [u for u in updates if self.confirmations.fetched(u.update_id)]
                for update in fresh:
                    self._start(update)
                if updates and not fresh:
                    # Telegram answers at once while updates are unconfirmed: when none is new
                    # (each still runs, or finished behind one that does), wait for one to
                    # finish rather than ask again and again
                    await _unless(stopping, self._progress.wait(), timeout=STUCK_SECONDS)
        finally:
            await self._drain()
            await self._confirm()

    def _start(self, update: Update) -> None:
        task = asyncio.create_task(self._handle(update), name=f"update-{update.update_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, update: Update) -> None:
        try:
            await self.handle(update)
        except asyncio.CancelledError:
            self.confirmations.abandoned(update.update_id)
            raise
        except Exception:  # the error handlers had their turn; a retry would fail the same way
            log.exception("update %s failed", update.update_id)
        self.confirmations.finished(update.update_id)
        self._progress.set()

    async def _poll(self, timeout: int) -> tuple[Update, ...]:
        offset = self.offset
        updates = await self.source.get_updates(
            offset=offset, timeout=timeout, allowed_updates=self.allowed_updates)
        self._confirmed = offset
        return updates

    async def _drain(self) -> None:
        if self._tasks:
            log.info("waiting for %d update(s) in flight", len(self._tasks))
            _, unfinished = await asyncio.wait(set(self._tasks), timeout=self.drain_seconds)
            for task in unfinished:  # left unconfirmed: Telegram delivers them again
                task.cancel()
            if unfinished:
                await asyncio.wait(unfinished)

    async def _confirm(self) -> None:
        """Tell Telegram what finished since the last poll, as PTB's Updater does on stop."""
        if self.offset <= self._confirmed:
            return
        offset = self.offset
        try:
            await self.source.get_updates(offset=offset, timeout=0, limit=1,
                                          allowed_updates=self.allowed_updates)
            self._confirmed = offset
        except (TelegramError, OSError) as error:  # they come again, and act once
            log.warning("could not confirm updates below %d (%s)", self.offset, error)


async def _unless(stopping: asyncio.Event, work: Awaitable[T],
                  timeout: float | None = None) -> T | None:
    """`work`'s result; None once `stopping` is set or `timeout` passed first (then `work`
    is cancelled)."""
    job = asyncio.ensure_future(work)
    stop = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({job, stop}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not job.done():
            job.cancel()
            await asyncio.wait({job})
    return None if job.cancelled() else job.result()


def _seconds(delay: float | timedelta) -> float:
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


def application_handler(app: GuestcardApp) -> Handle:
    """An update handled as the Application's own fetcher would: through its update
    processor (each chat's updates in order, chats side by side), then its handlers."""

    async def handle(update: Update) -> None:
        handling = app.process_update(update)
        try:
            await app.update_processor.process_update(update, handling)
        finally:
            handling.close()  # stopped before its turn came: never started, nothing to warn of

    return handle


def poller_for(app: GuestcardApp) -> Poller:
    return Poller(app.bot, application_handler(app), allowed_updates=Update.ALL_TYPES)


async def run_polling(app: GuestcardApp) -> None:
    """The bot polling Telegram until SIGINT or SIGTERM, with the Application's lifecycle as
    run_polling gives it: initialize, post_init, start (the job queue), then stop, post_stop,
    shutdown, post_shutdown."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await app.initialize()
        try:
            if app.post_init is not None:
                await app.post_init(app)
            await app.bot.delete_webhook(drop_pending_updates=False)
            await app.start()
            try:
                await poller_for(app).run(stopping)
            finally:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
        finally:
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
