"""The HTTP API's own figures: p50 and p99 of a check-in and of a POS check.

    python -m bench.api [--calls 2000] [--database PATH_OR_URL]

Through the real Application, core and Starlette app (httpx over ASGI, no socket), on a fresh
database: each check-in creates its guest and a visit with its room and publishes the
arrival's events (the playbooks they start included); each POS check finds the guest by phone
and joins or makes a visit. Every call is one write transaction plus the audit row.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bot.app import build_application
from bot.http.server import http_app
from bot.settings import load_settings
from bot.terminal.api import LocalBotApi, running
from playbooks.feeds.keys import ApiKeys, Scope
from profiles.models import Role

ROOT = Path(__file__).resolve().parents[1]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(database: str, calls: int) -> dict[str, dict[str, float]]:
    settings = load_settings({"GUESTCARD_CONFIG": str(ROOT / "config.toml"),
                              "GUESTCARD_DB": database})
    settings = settings.model_copy(update={"api": settings.api.model_copy(
        update={"rate_per_minute": 100_000})})
    app = build_application(settings, request=LocalBotApi(), rate_limit=False)
    async with running(app):
        core = app.bot_data.core
        assert core is not None
        secret = (await ApiKeys(core.db).create("bench", branch="la", scopes=frozenset(Scope),
                                                role=Role.WAITER, now=core.clock())).secret
        transport = httpx.ASGITransport(app=http_app(app, core))
        headers = {"Authorization": f"Bearer {secret}"}
        timed: dict[str, list[float]] = {"check_in": [], "pos_check": []}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for n in range(calls):
                phone = f"+1213555{n:04d}"
                started = time.perf_counter()
                stay = await client.put(f"/api/v1/stays/S-{n}", headers=headers, json={
                    "guest": {"source_id": f"G-{n}", "name": f"Guest {n}", "phone": phone},
                    "room": str(1000 + n % 900), "arrival": "2026-12-24",
                    "departure": "2026-12-26"})
                timed["check_in"].append(time.perf_counter() - started)
                started = time.perf_counter()
                check = await client.put(f"/api/v1/checks/T-{n}", headers=headers, json={
                    "guest": {"phone": phone}, "table": "12", "covers": 2,
                    "spend": "88.50", "currency": "USD", "at": core.clock().isoformat()})
                timed["pos_check"].append(time.perf_counter() - started)
                if stay.status_code != 201 or check.status_code != 201:
                    raise RuntimeError(f"call {n}: {stay.text} {check.text}")
    return {name: {"p50_ms": round(statistics.median(values) * 1000, 2),
                   "p99_ms": round(percentile(values, 0.99) * 1000, 2), "calls": len(values)}
            for name, values in timed.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--database", help="default: a fresh SQLite file in a temp folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = args.database or str(Path(folder) / "bench.db")
        print(json.dumps(asyncio.run(measure(database, args.calls)), indent=2))


if __name__ == "__main__":
    main()
