"""The nightly status pass and `/list lapsed` on a generated chain.

    python -m bench.status                        # 100,000 guests in 50 branches
    python -m bench.status --guests 2000 --json   # a quick run, figures as JSON

Guests get 0 to 20 visits at a rhythm of their own (weekly to quarterly, some stopped coming),
a share of them a low score or a no-show; loaded with plain sqlite3 into a migrated database.
Then the daily pass runs as the sweep runs it, batch after batch, and each branch's lead asks
for `/list lapsed` through the core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playbooks.status.lists import GuestLists, ListKind, ListQuery
from playbooks.status.rules import PRESETS
from playbooks.status.store import DAILY_BATCH, StatusBook
from profiles.models import Role, Staff
from store.connect import open_database
from store.database import stamp

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def load(path: Path, guests: int, branches: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO staff (id, telegram_id, name, role, branch, language, joined_at)"
            " VALUES (?, ?, ?, 'lead', ?, 'en', ?)",
            [(b + 1, 1000 + b, f"lead {b}", f"b{b}", stamp(NOW)) for b in range(branches)])
        conn.executemany(
            "INSERT INTO guests (id, name, branch, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [(g, f"guest {g}", f"b{g % branches}", stamp(NOW), stamp(NOW))
             for g in range(1, guests + 1)])
        visits, feedback, bookings = [], [], []
        for guest in range(1, guests + 1):
            branch = f"b{guest % branches}"
            every = rng.choice((7, 10, 14, 30, 90))
            last = NOW - timedelta(days=rng.choice((1, 5, 20, 60, 200)))
            for n in range(rng.randint(0, 20)):
                at = last - timedelta(days=every * n + rng.random())
                visits.append((guest, branch, stamp(at)))
            if rng.random() < 0.05:
                feedback.append((guest, branch, rng.randint(1, 5), stamp(last)))
            if rng.random() < 0.03:
                bookings += [(guest, branch, stamp(last - timedelta(days=d)), "no_show")
                             for d in (3, 40)]
        conn.executemany("INSERT INTO visits (guest_id, branch, arrived_at) VALUES (?, ?, ?)",
                         visits)
        conn.executemany("INSERT INTO feedback (guest_id, branch, score, created_at)"
                         " VALUES (?, ?, ?, ?)", feedback)
        conn.executemany("INSERT INTO bookings (guest_id, branch, at, status, created_at,"
                         " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                         [(*b, stamp(NOW), stamp(NOW)) for b in bookings])
    conn.close()


async def measure(path: Path, branches: int, lists: int) -> dict[str, float]:
    db = await open_database(path)
    book = StatusBook(db, PRESETS["restaurant"])
    started, done = time.perf_counter(), 0
    while batch := await book.refresh_daily(NOW, batches=1):
        done += batch
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    await book.refresh_daily(NOW)  # nothing left today: the cost of a tick with nothing due
    idle_ms = 1000 * (time.perf_counter() - again)
    guest_lists = GuestLists(db, PRESETS["restaurant"].key_visits)
    timings = []
    for n in range(lists):
        lead = Staff(id=n % branches + 1, telegram_id=1000 + n % branches, name="lead",
                     role=Role.LEAD, branch=f"b{n % branches}", language="en", joined_at=NOW)
        tick = time.perf_counter()
        await guest_lists.guests(ListQuery(kind=ListKind.LAPSED), viewer=lead, now=NOW,
                                 today=NOW.date())
        timings.append(1000 * (time.perf_counter() - tick))
    await db.close()
    timings.sort()
    return {
        "status_pass_guests": float(done),
        "status_pass_s": seconds,
        "status_pass_guests_per_s": done / seconds if seconds else 0.0,
        "status_batch_ms": 1000 * seconds / max(1, -(-done // DAILY_BATCH)),
        "status_idle_tick_ms": idle_ms,
        "list_lapsed_p50_ms": statistics.median(timings),
        "list_lapsed_p99_ms": timings[min(len(timings) - 1, int(0.99 * len(timings)))],
    }


async def prepare(path: Path) -> None:
    db = await open_database(path)  # migrated by the project's own migrations
    await db.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--lists", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chain.db"
        asyncio.run(prepare(path))
        load(path, args.guests, args.branches)
        figures = asyncio.run(measure(path, args.branches, args.lists))
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:28} {value:12.1f}")


if __name__ == "__main__":
    main()
