"""The measured process: the real bot on a built chain, timed from its own start.

    python -m bench.probe --database DB --config CONFIG [--samples N ...]

It prints `first-reply` as soon as the bot has answered its first `/guest` (the parent times
the start-up from spawning this process to that line), then one line of JSON with every
other figure. Everything runs through the real Application and the in-process Bot API
(`bot.local`), so a figure includes PTB's update handling, the access gate, the database
hop and the rendering, but no network. Peak RSS is this process's own, after all of it.
It writes (notes, and the record of each update served): give it a copy of a chain.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler

from bench.chain import BENCH_USER
from bench.queries import KINDS, LIKE_SQL, like_pattern, queries
from bot.app import build_application
from bot.local import LocalBotApi, LocalChat, LocalUser, running
from bot.settings import load_settings
from bot.state import Context, Core
from profiles.parser import parse_note

NOTE = "靠窗，冰酸梅汤大杯，不吃蒜"


async def noop(update: Update, context: Context) -> None:
    """The baseline: the same Application, gate and reply path, and no work at all."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("ok")


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_settings({"GUESTCARD_CONFIG": args.config, "GUESTCARD_DB": args.database})
    api = LocalBotApi()
    app = build_application(settings, request=api, rate_limit=False)
    # first in group 0, before the catch-all for unknown commands
    app.handlers[0].insert(0, CommandHandler("noop", noop))
    chat = LocalChat(app, api)
    user = LocalUser(BENCH_USER, "Bench")
    asked = queries(Path(args.database), args.samples)
    figures: dict[str, Any] = {}
    async with running(app):
        await chat.send(user, f"/guest {asked['id'][0][0]}")
        print("first-reply", flush=True)
        refs = recall_refs(args.database, args.samples)
        figures["recall"], figures["noop"] = await _recall(chat, user, refs, args.recall)
        core: Core = app.bot_data.core
        figures["search"] = {
            kind: await _timed([lambda q=q, b=b: core.search.find(q, branch=b, limit=10)
                                for q, b in asked[kind]])
            for kind in KINDS
        }
        figures["like"] = {
            kind: await _timed([lambda q=q: core.db.read(lambda c, q=q: c.execute(
                LIKE_SQL, {"q": like_pattern(q)}).fetchall()) for q, _ in asked[kind][:args.like]])
            for kind in KINDS
        }
        guest_ids = [int(ref[1:]) for ref in refs["id"]]
        figures["note_commands_per_s"], figures["note_writes_per_s"] = await _notes(
            chat, user, core, guest_ids, args.notes)
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


async def _recall(chat: LocalChat, user: LocalUser, refs: dict[str, list[str]],
                  count: int) -> tuple[dict[str, list[float]], list[float]]:
    """`/guest REF` for each kind of reference, against `/noop`, interleaved so both see the
    same conditions; the first tenth warms caches up, unmeasured."""
    kinds = list(refs)
    recall: dict[str, list[float]] = {kind: [] for kind in kinds}
    baseline = []
    for index in range(count + count // 10):
        kind = kinds[index % len(kinds)]
        ref = refs[kind][index // len(kinds) % len(refs[kind])]
        noop_s = await _once(lambda: chat.send(user, "/noop"))
        recall_s = await _once(lambda ref=ref: chat.send(user, f"/guest {ref}"))
        if index >= count // 10:
            baseline.append(noop_s)
            recall[kind].append(recall_s)
    return recall, baseline


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
                 count: int) -> tuple[float, float]:
    """`/note` per second through the Application, and the durable write it makes per second
    (`TraitStore.log`, each its own committed transaction), one after another."""
    started = time.perf_counter()
    for index in range(count):
        await chat.send(user, f"/note #{guest_ids[index % len(guest_ids)]}: {NOTE}")
    commands = count / (time.perf_counter() - started)
    drafts = parse_note(NOTE, core.vocabulary).traits
    started = time.perf_counter()
    for index in range(count):
        await core.traits.log(guest_ids[-1 - index % len(guest_ids)], drafts, staff_id=1,
                              branch="b001", now=core.clock())
    return commands, count / (time.perf_counter() - started)


async def _timed(calls: list[Callable[[], Awaitable[object]]]) -> list[float]:
    for call in calls[: max(1, len(calls) // 10)]:  # warm up, unmeasured
        await call()
    return [await _once(call) for call in calls]


async def _once(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("--database", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--samples", type=int, default=200, help="search queries per kind")
    parser.add_argument("--like", type=int, default=20, help="LIKE scans per kind")
    parser.add_argument("--recall", type=int, default=1000, help="/guest and /noop each")
    parser.add_argument("--notes", type=int, default=1000, help="/note commands")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    figures = asyncio.run(measure(parser.parse_args()))
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    sys.exit(main())
