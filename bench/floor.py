"""The floor at its busiest: the bot as it runs, with staff typing while the sweep does the
morning's work.

    python -m bench.floor --database DB_OR_URL --config CONFIG --chain CHAIN_DB
    python -m bench.floor --guests 20000        # on a copy of the cached SQLite chain

The real Application (its pacing of Telegram's limits, its courier, its sweep on the job
queue) with the in-process Bot API, on a copy of the bench chain made ready for the busiest
moment of a day: every branch in one zone at 10:05 on a Monday (five minutes past every
branch's reminder time, every manager's weekly report due), a guest in four with a birthday, a
cook in every branch. Waiters type at a pace: a card by #id or by name, a note, and now and
then the arrival of a guest with an allergy, whose alert goes to the branch's cook; a manager
asks for /report and /export. First for `--seconds` with the sweep held (the idle baseline),
then as long again with the sweep ticking. It prints one line of JSON: each reply's time per
half, each allergy alert's time to the cook, and each sweep's duration and writes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from telegram import Update

import bot.scheduler
from bench.chain import ROOT, STAFF_PER_BRANCH, ChainSpec, cached_chain
from bench.probe import full_name
from bot.app import build_application
from bot.settings import load_settings
from bot.terminal.api import LocalBotApi, LocalUser, SentMessage, running
from store.connect import open_database
from store.database import stamp
from store.sql import Conn

T = TypeVar("T")
# Monday 7 December 2026, 10:05 in Shanghai
BUSY = datetime(2026, 12, 7, 2, 5, tzinfo=UTC)
ZONE = "Asia/Shanghai"
COOKS = 20_000  # the Telegram ids of the cooks added, one per branch
NO_REPLY_S = 15.0  # a reply not there by then is counted as this long
PACE_S = 3.0  # each waiter's mean time between two commands: a busy service, or busier


def busiest(target: str, config: Path, folder: Path) -> Path:
    """Ready the copy at `target` (a SQLite file or a postgresql:// URL): birthdays for a
    guest in four and a cook in every branch; the config with every branch in one zone, its
    path."""
    branches = re.findall(r'^id = "([^"]+)"', config.read_text("utf-8"), re.MULTILINE)

    def work(conn: Conn) -> None:
        conn.execute(
            "INSERT INTO traits (guest_id, category, text, norm, attrs, branch, staff_id,"
            " created_at) SELECT id, 'occasion', 'birthday', 'birthday',"
            " '{\"kind\": \"birthday\", \"month\": ' || (1 + (id / 4) % 12) || ', \"day\": '"
            " || (1 + (id / 48) % 28) || '}', branch, 1, created_at FROM guests"
            " WHERE id % 4 = 0")
        conn.executemany(
            "INSERT INTO staff (telegram_id, name, role, branch, language, active, joined_at)"
            " VALUES (?, ?, 'kitchen', ?, 'zh', 1, ?)",
            [(COOKS + index, f"cook {branch}", branch, stamp(BUSY - timedelta(days=30)))
             for index, branch in enumerate(branches)])

    async def ready() -> None:
        db = await open_database(target)
        try:
            await db.write(work)
        finally:
            await db.close()

    asyncio.run(ready())
    zoned = folder / "floor.toml"
    zoned.write_text(re.sub(r'timezone = "[^"]*"', f'timezone = "{ZONE}"',
                            config.read_text("utf-8")), "utf-8")
    return zoned


class Watched(list[Any]):
    """The Bot API's outbox, telling the bench of each message as it is sent."""

    def __init__(self, on_message: Callable[[SentMessage], None]) -> None:
        super().__init__()
        self._on_message = on_message

    def append(self, item: Any) -> None:
        super().append(item)
        if isinstance(item, SentMessage):
            self._on_message(item)


class Floor:
    """Who waits for what: a waiter for the reply to a command, a cook for an alert."""

    def __init__(self) -> None:
        self._waiting: dict[int, list[tuple[Callable[[SentMessage], bool],
                                            asyncio.Future[float]]]] = defaultdict(list)

    def expect(self, chat_id: int, wanted: Callable[[SentMessage], bool] = lambda _: True,
               ) -> asyncio.Future[float]:
        """A future for the moment (perf_counter) the next message to `chat_id` that is
        `wanted` is sent."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id].append((wanted, future))
        return future

    def sent(self, message: SentMessage) -> None:
        waiting = self._waiting.get(message.chat_id, [])
        for entry in list(waiting):
            wanted, future = entry
            if not future.done() and wanted(message):
                future.set_result(time.perf_counter())
                waiting.remove(entry)


async def _waited(future: asyncio.Future[float], since: float) -> float:
    try:
        return await asyncio.wait_for(future, NO_REPLY_S) - since
    except TimeoutError:
        return NO_REPLY_S


def name_of(work: Any) -> str:
    """The name of the function a unit of work calls, through any partials."""
    while isinstance(work, partial):
        work = work.func
    return getattr(work, "__qualname__", "?")


_in_sweep: ContextVar[bool] = ContextVar("in_sweep", default=False)


@contextmanager
def sweeps_timed(core: Any) -> Iterator[list[dict[str, Any]]]:
    """Each sweep's duration, and its writes (the time the write lock was held)."""
    ticks: list[dict[str, Any]] = []
    writes: dict[int, list[tuple[float, str]]] = defaultdict(list)
    write, sweep_once = core.db._write, bot.scheduler.sweep_once

    async def timed(work: Callable[[Any], T]) -> T:
        if not _in_sweep.get():
            return await write(work)

        def clocked(conn: Any) -> T:
            started = time.perf_counter()
            try:
                return work(conn)
            finally:
                writes[len(ticks)].append((time.perf_counter() - started,
                                           name_of(work)))
        return await write(clocked)

    async def timed_sweep(*args: Any) -> int:
        token, started = _in_sweep.set(True), time.perf_counter()
        try:
            return await sweep_once(*args)
        finally:
            _in_sweep.reset(token)
            held = writes.pop(len(ticks), [])
            longest = max(held, default=(0.0, ""))
            count: Counter[str] = Counter(name for _, name in held)
            spent: Counter[str] = Counter()
            for seconds, name in held:
                spent[name] += seconds
            ticks.append({"seconds": time.perf_counter() - started, "writes": len(held),
                          "lock_s": sum(s for s, _ in held), "longest_write_s": longest[0],
                          "longest_write": longest[1],
                          # where the lock time went: (work, writes, seconds), the most first
                          "heaviest": [(name, count[name], round(seconds, 3))
                                       for name, seconds in spent.most_common(5)]})

    core.db._write = timed
    bot.scheduler.sweep_once = timed_sweep  # as tick() finds it
    try:
        yield ticks
    finally:
        core.db._write, bot.scheduler.sweep_once = write, sweep_once


class FloorStaff:
    """The people typing, and what they type: drawn from the chain, the same every run."""

    def __init__(self, chain: Path, branches: list[str], waiters: int, seed: int = 7) -> None:
        conn = sqlite3.connect(f"file:{chain}?mode=ro", uri=True)
        try:
            # not the guests in a room or at a table already (one in 500)
            rows = conn.execute("SELECT id, name, honorific FROM guests WHERE id % 89 = 0"
                                " AND id % 500 <> 0 LIMIT 3000").fetchall()
        finally:
            conn.close()
        self.guests = [row[0] for row in rows]
        self.names = [full_name(row[1], row[2]) for row in rows]
        self.waiters = [(LocalUser(10_000 + (n % len(branches)) * STAFF_PER_BRANCH
                                   + n // len(branches) % 2, f"waiter {n}"),
                         n % len(branches)) for n in range(waiters)]
        self.manager = LocalUser(10_000 + STAFF_PER_BRANCH - 1, "manager")
        self.rng = random.Random(seed)
        self._arriving = iter(self.rng.sample(self.guests, len(self.guests)))  # each once
        self._tables = iter(range(100, 10_000_000))

    def command(self) -> tuple[str, str]:
        """What a waiter types next, and its kind."""
        roll, guest = self.rng.random(), self.rng.choice(self.guests)
        if roll < 0.55:
            return "card by id", f"/guest #{guest}"
        if roll < 0.75:
            return "card by name", f"/guest {self.rng.choice(self.names)}"
        return "note", f"/note #{guest}: 靠窗，中杯热奶茶，不吃蒜"

    def allergic_arrival(self) -> tuple[str, str]:
        guest = next(self._arriving)
        return f"/note #{guest}: 花生过敏", f"/arrive #{guest} table {next(self._tables)}"


async def measure(database: str, config: Path, chain: Path, *, waiters: int,
                  seconds: float) -> dict[str, Any]:
    settings = load_settings({"GUESTCARD_CONFIG": str(config), "GUESTCARD_DB": database})
    started = time.monotonic()

    def clock() -> datetime:  # the busiest moment, then time passing as it does
        return BUSY + timedelta(seconds=time.monotonic() - started)

    # update ids as Telegram's, only growing: the probe before served ids from 1, and an
    # update id already served is taken for Telegram's retry and answered by nobody
    api, floor = LocalBotApi(clock=clock, first_update_id=int(time.time() * 1000)), Floor()
    api.outbox = Watched(floor.sent)
    branches = [branch.id for branch in settings.branches]
    staff = FloorStaff(chain, branches, waiters)
    with sqlite3.connect(f"file:{chain}?mode=ro", uri=True) as conn:
        for (telegram_id,) in conn.execute("SELECT telegram_id FROM staff"):
            api.open_chat(LocalUser(telegram_id, "staff"))
    for index in range(len(branches)):
        api.open_chat(LocalUser(COOKS + index, "cook"))
    app = build_application(settings, request=api, clock=clock)  # paced, as in production
    found: dict[str, Any] = {}
    async with running(app):
        core = app.bot_data.core
        (sweep,) = app.job_queue.get_jobs_by_name("sweep")
        # held before the job queue starts (its first tick is due a second after start-up):
        # the idle half has nothing else going on
        sweep.enabled = False
        await app.start()
        try:

            async def send(user: LocalUser, text: str) -> float:
                reply = floor.expect(user.id)
                sent = time.perf_counter()
                await app.update_queue.put(Update.de_json(api.user_message(user, text), app.bot))
                return await _waited(reply, sent)

            async def half() -> dict[str, Any]:
                replies: dict[str, list[float]] = defaultdict(list)
                alerts: list[float] = []
                until = time.perf_counter() + seconds

                async def waiter(user: LocalUser, branch: int) -> None:
                    rng = random.Random(user.id)
                    # the first waiter starts with an allergy, so that even a short run has one
                    allergy = user is staff.waiters[0][0]
                    while True:
                        pause = 0.0 if allergy else rng.expovariate(1 / PACE_S)
                        if time.perf_counter() + pause >= until:
                            return
                        await asyncio.sleep(pause)
                        if allergy or rng.random() < 0.05:
                            allergy = False
                            note, arrive = staff.allergic_arrival()
                            replies["note"].append(await send(user, note))
                            alert = floor.expect(COOKS + branch, lambda m: "花生" in m.text)
                            sent = time.perf_counter()
                            replies["arrival"].append(await send(user, arrive))
                            alerts.append(await _waited(alert, sent))
                        else:
                            kind, text = staff.command()
                            replies[kind].append(await send(user, text))

                async def manager() -> dict[str, float]:
                    await asyncio.sleep(seconds / 6)
                    report = await send(staff.manager, "/report")
                    await asyncio.sleep(seconds / 3)  # its charts are drawn meanwhile
                    export = await send(staff.manager, f"/export #{staff.rng.choice(staff.guests)}")
                    return {"report": report, "export": export}

                asked = await asyncio.gather(manager(), *(waiter(user, branch)
                                                          for user, branch in staff.waiters))
                return {"replies": dict(replies), "alerts": alerts, "manager": asked[0]}

            found["idle"] = await half()
            with sweeps_timed(core) as ticks:
                sweep.enabled = True
                sweep.job.modify(next_run_time=datetime.now(UTC))  # the busiest tick, now
                found["busy"] = await half()
                sweep.enabled = False
                while not ticks:  # a first sweep longer than the half is still measured
                    await asyncio.sleep(0.1)
            found["sweeps"] = ticks
        finally:
            await app.stop()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("--database", help="a ready copy (SQLite file or postgresql:// URL)")
    parser.add_argument("--config")
    parser.add_argument("--chain", help="the SQLite chain the copy was made from")
    parser.add_argument("--guests", type=int, default=20_000,
                        help="without --database: a copy of the cached chain of this size")
    parser.add_argument("--waiters", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    if args.database:
        figures = asyncio.run(measure(args.database, Path(args.config), Path(args.chain),
                                      waiters=args.waiters, seconds=args.seconds))
    else:
        chain = cached_chain(ChainSpec(guests=args.guests), ROOT / "bench" / "data")
        scratch = chain.database.with_name(f"floor-{args.guests}.db")
        shutil.copyfile(chain.database, scratch)
        try:
            config = busiest(str(scratch), chain.config, scratch.parent)
            figures = asyncio.run(measure(str(scratch), config, chain.database,
                                          waiters=args.waiters, seconds=args.seconds))
        finally:
            for path in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm"),
                         scratch.parent / "floor.toml"):
                path.unlink(missing_ok=True)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
