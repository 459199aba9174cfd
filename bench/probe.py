"""The measured process: the real bot on a built chain, timed from its own start.

    python -m bench.probe --database DB_OR_URL --chain CHAIN_DB --config CONFIG [--samples N …]

The bot opens `--database` (a SQLite file or a postgresql:// URL) through `Database.open`, as
in production; what staff type is drawn from `--chain`, the SQLite file of the same chain, so
both stores are asked the same questions. It prints `first-reply` as soon as the bot has
answered its first `/guest` (the parent times the start-up from spawning this process to that
line), then one line of JSON with every other figure. Everything runs through the real
Application and the in-process Bot API (`bot.terminal.api`), so a figure includes PTB's update
handling, the access gate, the database hop and the rendering, but no network. Peak RSS is
this process's own (the database server's is not counted), after all of it. It writes
(notes, and the record of each update served): give it a copy of a chain.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from telegram import Update
from telegram.ext import CommandHandler

from bench.chain import BENCH_USER, NOW, STAFF_PER_BRANCH
from bench.queries import KINDS, like_pattern, like_sql, queries
from bot.app import build_application
from bot.http.server import http_app
from bot.settings import load_settings
from bot.state import Context, Core
from bot.terminal.api import LocalBotApi, LocalChat, LocalUser, running
from playbooks.feeds.keys import ApiKeys, Scope
from profiles.models import Role
from profiles.parser import parse_note
from store.sql import Conn

T = TypeVar("T")
Call = Callable[[], Awaitable[object]]
NOTE = "靠窗，冰酸梅汤大杯，不吃蒜"
MIN_SAMPLES = 20  # a series is never cut shorter than this
# staff writing notes at the same moment: chats are handled concurrently, and PostgreSQL's
# pool holds this many connections (store.postgres.POOL_SIZE)
WRITERS_AT_ONCE = 4


async def noop(update: Update, context: Context) -> None:
    """The baseline: the same Application, gate and reply path, and no work at all."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("ok")


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_settings({"GUESTCARD_CONFIG": args.config, "GUESTCARD_DB": args.database})
    # the API's own limit would throttle the series; its cost is measured, not its limit
    settings = settings.model_copy(update={"api": settings.api.model_copy(
        update={"rate_per_minute": 100_000})})
    api = LocalBotApi()
    app = build_application(settings, request=api, rate_limit=False)
    # first in group 0, before the catch-all for unknown commands
    app.handlers[0].insert(0, CommandHandler("noop", noop))
    chat = LocalChat(app, api)
    user = LocalUser(BENCH_USER, "Bench")
    asked = queries(Path(args.chain), args.samples)
    budget = Budget(args.budget)
    figures: dict[str, Any] = {}
    async with running(app):
        await chat.send(user, f"/guest {asked['id'][0][0]}")
        print("first-reply", flush=True)
        refs = recall_refs(args.chain, args.samples)
        figures["recall"], figures["noop"] = await _recall(chat, user, refs, args.recall,
                                                           budget)
        # the in-process Bot API keeps every message sent, which a real server does not:
        # the series drop them as they go, so the peak RSS is the bot's own
        api.forget_sent()
        core = app.bot_data.core
        assert core is not None
        figures["search"] = {
            kind: await _timed(f"search {kind}", budget,
                               [_search(core, text, branch) for text, branch in asked[kind]])
            for kind in KINDS
        }
        scan = like_sql(core.db.dialect)
        figures["like"] = {
            kind: await _timed(f"naive scan {kind}", budget,
                               [_read(core, _scan(scan, text))
                                for text, _ in asked[kind][:args.like]])
            for kind in KINDS
        }
        guest_ids = [int(ref[1:]) for ref in refs["id"]]
        (figures["note_commands_per_s"], figures["note_writes_per_s"],
         figures["note_writes_at_once_per_s"]) = await _notes(
            chat, user, core, guest_ids, args.notes, budget)
        api.forget_sent()
        figures["api"] = await _api(app, core, args.api, budget)
        api.forget_sent()
        figures["statuses"] = await _statuses(chat, core, args.chain, args.recall, budget)
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["cut_short"] = budget.cut_short
    return figures


class Budget:
    """The seconds each measured series may take. A series still running then stops (after
    MIN_SAMPLES at least), so a store that has regressed badly still finishes its run in
    bounded time; which series were cut short, and where, is reported with the figures."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.cut_short: list[str] = []

    def allows(self, started: float, done: int) -> bool:
        return done < MIN_SAMPLES or time.perf_counter() - started < self.seconds

    def warming(self, started: float) -> bool:
        return time.perf_counter() - started < self.seconds / 10

    def account(self, series: str, done: int, asked: int) -> None:
        if done < asked:
            self.cut_short.append(f"{series} after {done} of {asked}")


def _search(core: Core, text: str, branch: str) -> Call:
    return lambda: core.search.find(text, branch=branch, limit=10)


def _read(core: Core, work: Callable[[Conn], T]) -> Call:
    return lambda: core.db.read(work)


def _scan(sql: str, text: str) -> Callable[[Conn], list[Any]]:
    return lambda conn: conn.execute(sql, {"q": like_pattern(text)}).fetchall()


async def _recall(chat: LocalChat, user: LocalUser, refs: dict[str, list[str]], count: int,
                  budget: Budget) -> tuple[dict[str, list[float]], list[float]]:
    """`/guest REF` for each kind of reference, against `/noop`, interleaved so both see the
    same conditions; the first tenth warms caches up, unmeasured."""
    kinds = list(refs)
    recall: dict[str, list[float]] = {kind: [] for kind in kinds}
    baseline: list[float] = []
    warm, started = count // 10, time.perf_counter()
    for index in range(count + warm):
        if index >= warm and not budget.allows(started, len(baseline)):
            break
        if index % 100 == 0:
            chat.api.forget_sent()
        kind = kinds[index % len(kinds)]
        ref = refs[kind][index // len(kinds) % len(refs[kind])]
        noop_s = await _once(_command(chat, user, "/noop"))
        recall_s = await _once(_command(chat, user, f"/guest {ref}"))
        if index >= warm:
            baseline.append(noop_s)
            recall[kind].append(recall_s)
    budget.account("recall", len(baseline), count)
    return recall, baseline


def _command(chat: LocalChat, user: LocalUser, text: str) -> Call:
    return lambda: chat.send(user, text)


def recall_refs(database: str, count: int) -> dict[str, list[str]]:
    """References as staff give them: a guest's #id, whole phone number, or full name (a
    common name answers with a list to choose from, which is a recall too)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT id, name, honorific, phone FROM guests"
                            " WHERE id % 997 = 0 AND phone IS NOT NULL LIMIT ?",
                            (count,)).fetchall()
    finally:
        conn.close()
    return {
        "id": [f"#{guest_id}" for guest_id, *_ in rows],
        "phone": [phone for *_, phone in rows],
        "name": [full_name(name, honorific) for _, name, honorific, _ in rows],
    }


def full_name(name: str, honorific: str) -> str:
    if not honorific:
        return name
    return f"{honorific} {name}" if honorific.isascii() else f"{name}{honorific}"


async def _notes(chat: LocalChat, user: LocalUser, core: Core, guest_ids: list[int],
                 count: int, budget: Budget) -> tuple[float, float, float]:
    """`/note` per second through the Application, and the durable write it makes per second
    (`TraitStore.log`, each its own committed transaction): one after another, then
    WRITERS_AT_ONCE at a time, each on guests of its own, as staff in different chats write."""
    done, started = 0, time.perf_counter()
    while done < count and budget.allows(started, done):
        if done % 100 == 0:
            chat.api.forget_sent()
        await chat.send(user, f"/note #{guest_ids[done % len(guest_ids)]}: {NOTE}")
        done += 1
    commands = done / (time.perf_counter() - started)
    budget.account("note commands", done, count)
    drafts = parse_note(NOTE, core.vocabulary).traits

    async def write(k: int) -> None:
        await core.traits.log(guest_ids[-1 - k % len(guest_ids)], drafts, staff_id=1,
                              branch="b001", now=core.clock())

    done, started = 0, time.perf_counter()
    while done < count and budget.allows(started, done):
        await write(done)
        done += 1
    budget.account("note writes", done, count)
    one_by_one = done / (time.perf_counter() - started)
    per_writer = max(1, count // WRITERS_AT_ONCE)

    async def writer(first: int) -> int:
        written = 0
        while written < per_writer and budget.allows(started, written * WRITERS_AT_ONCE):
            await write(first + written * WRITERS_AT_ONCE)
            written += 1
        return written

    started = time.perf_counter()
    done = sum(await asyncio.gather(*(writer(n) for n in range(WRITERS_AT_ONCE))))
    budget.account("note writes at once", done, per_writer * WRITERS_AT_ONCE)
    return commands, one_by_one, done / (time.perf_counter() - started)


async def _api(app: Any, core: Core, count: int, budget: Budget) -> dict[str, list[float]]:
    """The HTTP API's writes through the real Starlette app (httpx over ASGI, no socket): a
    PMS check-in, which creates its guest and a visit in a room and publishes the arrival;
    then a POS check for that guest, found by phone among the chain's, joining the visit."""
    branch = core.settings.branches[0].id
    key = await ApiKeys(core.db).create("bench", branch=branch, scopes=frozenset(Scope),
                                        role=Role.WAITER, now=core.clock())
    headers = {"Authorization": f"Bearer {key.secret}"}
    timed: dict[str, list[float]] = {"check_in": [], "pos_check": []}
    transport = httpx.ASGITransport(app=http_app(app, core))
    warm = count // 10  # the first tenth warms caches up, unmeasured
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.perf_counter()
        for n in range(count + warm):
            if n >= warm and not budget.allows(started, n - warm):
                break
            phone = f"+1213555{n:04d}"
            stay = {"guest": {"source_id": f"G-{n}", "name": f"Bench Guest{n}", "phone": phone},
                    "room": str(1000 + n % 900), "arrival": f"{core.clock():%Y-%m-%d}",
                    "departure": f"{core.clock() + timedelta(days=2):%Y-%m-%d}"}
            check = {"guest": {"phone": phone}, "table": "12", "covers": 2, "spend": "88.50",
                     "currency": "USD", "at": core.clock().isoformat()}
            for series, path, body in (("check_in", f"/api/v1/stays/S-{n}", stay),
                                       ("pos_check", f"/api/v1/checks/T-{n}", check)):
                call_started = time.perf_counter()
                answer = await client.put(path, headers=headers, json=body)
                if n >= warm:
                    timed[series].append(time.perf_counter() - call_started)
                if answer.status_code != 201:
                    raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
        budget.account("API calls", len(timed["check_in"]), count)
    return timed


async def _statuses(chat: LocalChat, core: Core, chain: str, count: int,
                    budget: Budget) -> dict[str, Any]:
    """The status pass as the sweep runs it (a transaction of DAILY_BATCH guests at a time):
    first over every guest (a chain upgrading, or changing its rules), then the next night's,
    which takes only the guests whose status time alone changes that day; one guest's
    recompute inside an arrival's transaction (the time it adds there); and `/list lapsed`
    through the Application, as the lead of a branch and as the chain's admin, interleaved
    with `/noop`. The pass is never cut short: the rest reads what it stored."""
    book, timed = core.statuses, {}
    for series, moment in (("full", NOW), ("nightly", NOW + timedelta(days=1))):
        started, done = time.perf_counter(), 0
        while found := await book.refresh_daily(moment, batches=1):
            done += found
        timed[f"{series}_pass_s"], timed[f"{series}_guests"] = time.perf_counter() - started, done

    def refresh(guest_id: int) -> Callable[[Conn], float]:
        def work(conn: Conn) -> float:
            started = time.perf_counter()
            book.refresh(conn, guest_id, NOW)
            return time.perf_counter() - started
        return work

    regulars = visited_guests(chain, count)
    timed["refresh"] = []
    started = time.perf_counter()
    for guest_id in regulars:
        if not budget.allows(started, len(timed["refresh"])):
            break
        timed["refresh"].append(await core.db.write(refresh(guest_id)))
    budget.account("status recomputes", len(timed["refresh"]), len(regulars))

    branches = [branch.id for branch in core.settings.branches]
    leads = [LocalUser(10_000 + index * STAFF_PER_BRANCH + 3, f"lead {branch}")
             for index, branch in enumerate(branches)]
    admin = LocalUser(BENCH_USER, "Bench")
    timed["list"], timed["list_noop"] = [], []
    warm, started = count // 10, time.perf_counter()
    for index in range(count + warm):
        if index >= warm and not budget.allows(started, len(timed["list"])):
            break
        if index % 100 == 0:
            chat.api.forget_sent()
        # one list in ten is the admin's, over the whole chain
        user = admin if index % 10 == 9 else leads[index % len(leads)]
        noop_s = await _once(_command(chat, user, "/noop"))
        list_s = await _once(_command(chat, user, "/list lapsed"))
        if index >= warm:
            timed["list_noop"].append(noop_s)
            timed["list"].append(list_s)
    budget.account("/list lapsed", len(timed["list"]), count)
    return timed


def visited_guests(database: str, count: int) -> list[int]:
    """Guests with visits, the regulars among them first (the longer histories)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT DISTINCT guest_id FROM visits ORDER BY guest_id % 100 <> 0,"
                            " guest_id % 997 LIMIT ?", (count,)).fetchall()
    finally:
        conn.close()
    return [guest_id for (guest_id,) in rows]


async def _timed(series: str, budget: Budget, calls: list[Call]) -> list[float]:
    """Each call's time, after the first tenth (unmeasured) has warmed caches up."""
    started = time.perf_counter()
    for call in calls[: max(1, len(calls) // 10)]:
        await call()
        if not budget.warming(started):
            break
    samples: list[float] = []
    for call in calls:
        if not budget.allows(started, len(samples)):
            break
        samples.append(await _once(call))
    budget.account(series, len(samples), len(calls))
    return samples


async def _once(call: Call) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("--database", required=True, help="a SQLite file or a postgresql:// URL")
    parser.add_argument("--chain", required=True, help="the chain's SQLite file, for queries")
    parser.add_argument("--config", required=True)
    parser.add_argument("--samples", type=int, default=200, help="search queries per kind")
    parser.add_argument("--like", type=int, default=20, help="LIKE scans per kind")
    parser.add_argument("--recall", type=int, default=1000, help="/guest and /noop each")
    parser.add_argument("--notes", type=int, default=1000, help="/note commands")
    parser.add_argument("--api", type=int, default=1000,
                        help="API check-ins and POS checks (at least 1)")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds each series may take before it is cut short")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    figures = asyncio.run(measure(parser.parse_args()))
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
