"""Updates handled side by side across chats, one at a time within a chat.

A waiter's `/guest` must not wait for another chat's `/report`, but two messages of one person
must be applied in the order they were sent (a note, then its undo), and the per-person state
(what the next plain message means) is read and written by one update at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# updates in flight at once; beyond it they wait, in PTB's own queue
CONCURRENT_UPDATES = 64


def chat_key(update: object) -> int | None:
    """Whose order an update keeps: its chat's, or its sender's (an inline query has no
    chat); None for an update of neither, handled in no particular order."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class PerChatProcessor(BaseUpdateProcessor):
    """Serialises each chat's updates, in arrival order; different chats run concurrently."""

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:  # asyncio.Lock wakes its waiters first come, first served
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else of this chat: the lock is not kept
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
