"""The sweep at its busiest: every branch past its reminder time on a chain where a guest in
four has a birthday, measured through the real Application and its local Bot API.

`python -m bench.sweep --guests 100000` prints one JSON object: each tick's duration, the
longest write transaction and all writes' time in each tick, and how many messages went out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bench.chain import ROOT, ChainSpec, cached_chain
from bench.floor import name_of
from bot.app import build_application
from bot.delivery import deliver_due
from bot.scheduler import planners, renderers
from bot.settings import load_settings
from bot.terminal.api import LocalBotApi, LocalUser, running

T = TypeVar("T")
# Monday 7 December 2026, 10:05 in Shanghai: every branch is five minutes past its reminder
# time (10:00, the default without shifts)
NOW = datetime(2026, 12, 7, 2, 5, tzinfo=UTC)
ZONE = "Asia/Shanghai"


def prepare(spec: ChainSpec, data: Path, scratch: Path) -> Path:
    """A copy of the cached chain with birthdays, and a config with every branch in one
    zone; the config's path."""
    chain = cached_chain(spec, data)
    for stale in (Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):  # of a run cut short
        stale.unlink(missing_ok=True)
    shutil.copyfile(chain.database, scratch)
    with sqlite3.connect(scratch, isolation_level=None) as conn:
        conn.execute(
            "INSERT INTO traits (guest_id, category, text, norm, attrs, branch, staff_id,"
            " created_at) SELECT id, 'occasion', 'birthday', 'birthday', json_object('kind',"
            " 'birthday', 'month', 1 + (id / 4) % 12, 'day', 1 + (id / 48) % 28), branch, 1,"
            " created_at FROM guests WHERE id % 4 = 0")
    config = scratch.with_suffix(".toml")
    config.write_text(re.sub(r'timezone = "[^"]*"', f'timezone = "{ZONE}"',
                             chain.config.read_text("utf-8")), "utf-8")
    return config


async def measure(database: Path, config: Path, ticks: int) -> dict[str, Any]:
    settings = load_settings({"GUESTCARD_CONFIG": str(config), "GUESTCARD_DB": str(database)})
    api = LocalBotApi()
    with sqlite3.connect(database) as conn:
        for (telegram_id,) in conn.execute("SELECT telegram_id FROM staff"):
            api.open_chat(LocalUser(telegram_id, "staff"))
    app = build_application(settings, request=api, rate_limit=False)
    figures: dict[str, Any] = {"ticks": []}
    async with running(app):
        core = app.bot_data.core
        assert core is not None
        writes: list[float] = []
        write = core.db._write

        async def timed(work: Callable[[Any], T]) -> T:
            def clocked(conn: Any) -> T:  # inside the transaction: the lock held
                started = time.perf_counter()
                try:
                    return work(conn)
                finally:
                    writes.append(time.perf_counter() - started)
            return await write(clocked)

        core.db._write = timed  # type: ignore[method-assign]
        for tick in range(ticks):
            writes.clear()
            sent, now = len(api.outbox), NOW + timedelta(seconds=30 * tick)
            started = time.perf_counter()
            steps: dict[str, float] = {}
            # sweep_once's steps, each timed
            for plan in planners(core):
                begun = time.perf_counter()
                await plan(now)
                name = name_of(plan)
                steps[name] = round(time.perf_counter() - begun, 3)
                print(name, steps[name], file=sys.stderr, flush=True)
            begun = time.perf_counter()
            await deliver_due(app.bot, core, core.outbox, renderers(), now)
            steps["deliver"] = round(time.perf_counter() - begun, 3)
            figures["ticks"].append({
                "sweep_s": round(time.perf_counter() - started, 3),
                "longest_write_ms": round(max(writes, default=0) * 1000, 2),
                "writes_ms": round(sum(writes) * 1000, 1), "writes": len(writes),
                "sent": len(api.outbox) - sent, "steps_s": steps})
            print(json.dumps(figures["ticks"][-1]), flush=True)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sweep")
    parser.add_argument("--guests", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--ticks", type=int, default=4)
    parser.add_argument("--data", default=str(ROOT / "bench" / "data"))
    args = parser.parse_args(argv)
    spec = ChainSpec(guests=args.guests, branches=args.branches)
    scratch = Path(args.data) / f"sweep-{args.guests}.db"
    config = prepare(spec, Path(args.data), scratch)
    try:
        run: Awaitable[dict[str, Any]] = measure(scratch, config, args.ticks)
        print(json.dumps({"guests": args.guests, "branches": args.branches,
                          **asyncio.run(run)}))
    finally:
        for path in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm"), config):
            path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
