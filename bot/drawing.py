"""Charts drawn in a worker process of their own. matplotlib holds the interpreter's lock for
the whole drawing (a tenth of a second, a second or more for the first chart while it loads):
drawn in a thread, every other chat's reply waited for it; in a process, the bot's loop and
its database go on, and on two cores the drawing runs beside them.

The worker starts with the first chart and stays for the next ones; it goes with the process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None


async def drawn(draw: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`draw(*args, **kwargs)` in the drawing process (a module-level function, its arguments
    picklable)."""
    work = partial(draw, *args, **kwargs)
    try:
        return await asyncio.get_running_loop().run_in_executor(_worker(), work)
    except BrokenProcessPool:  # the worker died (killed, out of memory): a new one, once
        global _pool
        _pool = None
        return await asyncio.get_running_loop().run_in_executor(_worker(), work)


def _worker() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawned, not forked: the bot's threads (the database's, PTB's) are not copied
        _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    return _pool
