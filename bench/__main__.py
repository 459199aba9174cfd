"""`make bench`: build (or reuse) a synthetic chain, measure the bot on it, on SQLite and on
PostgreSQL, and write the figures side by side.

    python -m bench                      # 1,000,000 guests; bench/results.json, BENCHMARKS.md
    python -m bench --guests 10000 --results /tmp/r.json --samples 20   # a quick run
    python -m bench --store sqlite       # one store only

Each figure is measured against a baseline taken in the same run, on the same machine and
store: recall against a no-op command of the same Application, the API's check-ins and POS
checks against that recall, search against a naive LIKE
(PostgreSQL: ILIKE) scan; the two stores' figures are also compared with each other. The
PostgreSQL half runs on the server named by GUESTCARD_BENCH_POSTGRES (or
GUESTCARD_TEST_POSTGRES), and is skipped, saying so, when neither is set.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.chain import ROOT, Chain, ChainSpec, cached_chain
from bench.corpus import notes_table
from bench.floor import busiest
from bench.postgres import PREFIX, cached_pg_chain, scratch_copy, server_url, server_version
from bench.report import STORES, figures_of, summary_table, write_summary

Measured = dict[str, Any]  # what the probe reports: raw timings, and the series cut short
SKIPPED = ("PostgreSQL: not measured in this run (set GUESTCARD_BENCH_POSTGRES or "
           "GUESTCARD_TEST_POSTGRES to a server's postgresql:// URL).")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    spec = ChainSpec(guests=args.guests, traits_per_guest=args.traits_per_guest,
                     branches=args.branches)
    chain = cached_chain(spec, Path(args.data))
    runs: dict[str, dict[str, float]] = {}
    versions = {"SQLite": sqlite3.sqlite_version}
    notes: list[str] = []
    if args.store in ("sqlite", "both"):
        runs["sqlite"] = _half("sqlite", lambda: measure_sqlite(chain, args), notes)
    if args.store in ("postgresql", "both"):
        server = server_url()
        if server is None:
            notes.append(SKIPPED)
            print(SKIPPED, flush=True)
        else:
            versions["PostgreSQL"] = server_version(server)
            runs["postgresql"] = _half(
                "postgresql", lambda: measure_postgresql(chain, server, args), notes)
    if not runs:
        return 1
    results = Path(args.results)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(runs, indent=2) + "\n", "utf-8")
    table = summary_table(runs, spec, versions=versions, notes=notes)
    table += "\n\n" + notes_table()
    print(table)
    if args.summary:
        write_summary(Path(args.summary), table)
    return 0


def measure_sqlite(chain: Chain, args: argparse.Namespace) -> Measured:
    # The bot writes (notes, the updates it has served): it gets a copy, the cache stays as
    # generated.
    scratch = chain.database.with_name(f"run-{os.getpid()}.db")
    shutil.copyfile(chain.database, scratch)
    try:
        measured = run_probe(str(scratch), chain, args)
        measured["floor"] = run_floor(str(scratch), chain, args)
    finally:
        for path in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            path.unlink(missing_ok=True)
    return measured


def measure_postgresql(chain: Chain, server: str, args: argparse.Namespace) -> Measured:
    loaded = cached_pg_chain(chain, server, prefix=args.postgres_prefix)
    with scratch_copy(loaded) as url:
        measured = run_probe(url, chain, args)
        measured["floor"] = run_floor(url, chain, args)
        return measured


def _half(store: str, measure: Callable[[], Measured], notes: list[str]) -> dict[str, float]:
    """One store's figures; a note for the series its probe cut short."""
    started = time.perf_counter()
    measured = measure()
    name = STORES[store]
    print(f"{name}: measured in {time.perf_counter() - started:.0f} s", flush=True)
    if measured["cut_short"]:
        notes.append(f"{name}: cut short at the time allowed to a series "
                     f"({measured['budget_s']:g} s): {'; '.join(measured['cut_short'])}.")
    return figures_of(measured, startup_s=measured["startup_s"])


def run_probe(database: str, chain: Chain, args: argparse.Namespace) -> Measured:
    """Run the measured process: what it measured, with its start-up time to the first reply."""
    command = [sys.executable, "-m", "bench.probe", "--database", database,
               "--chain", str(chain.database), "--config", str(chain.config),
               "--samples", str(args.samples), "--like", str(args.like),
               "--recall", str(args.recall), "--notes", str(args.notes),
               "--api", str(args.api), "--budget", str(args.budget)]
    started = time.perf_counter()
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as probe:
        assert probe.stdout is not None
        first = probe.stdout.readline()
        startup_s = time.perf_counter() - started
        if first.strip() != "first-reply":
            raise RuntimeError(f"the probe did not reply (it said {first!r})")
        output = probe.stdout.read()
    if probe.returncode != 0:
        raise RuntimeError(f"the probe failed with exit status {probe.returncode}")
    measured: Measured = json.loads(output)
    return {**measured, "startup_s": startup_s, "budget_s": args.budget}


def run_floor(database: str, chain: Chain, args: argparse.Namespace) -> dict[str, Any]:
    """The floor at its busiest (bench.floor), on the copy the probe measured: its own
    process, what it measured."""
    with tempfile.TemporaryDirectory() as folder:
        config = busiest(database, chain.config, Path(folder))
        found = subprocess.run(
            [sys.executable, "-m", "bench.floor", "--database", database, "--config",
             str(config), "--chain", str(chain.database), "--waiters", str(args.waiters),
             "--seconds", str(args.floor_seconds)],
            cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    result: dict[str, Any] = json.loads(found.stdout.splitlines()[-1])
    return result


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guests", type=int, default=1_000_000)
    parser.add_argument("--traits-per-guest", type=int, default=5)
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--data", default=str(ROOT / "bench" / "data"),
                        help="where built SQLite chains are cached")
    parser.add_argument("--postgres-prefix", default=PREFIX,
                        help="the names of the chain databases kept on the server start so")
    parser.add_argument("--results", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--summary", default=None,
                        help="a Markdown file whose figures table is rewritten")
    parser.add_argument("--samples", type=int, default=300, help="search queries per kind")
    parser.add_argument("--like", type=int, default=15, help="LIKE scans per kind")
    parser.add_argument("--recall", type=int, default=2000, help="/guest and /noop each")
    parser.add_argument("--notes", type=int, default=2000, help="/note commands")
    parser.add_argument("--api", type=_positive, default=1000,
                        help="API check-ins and POS checks each (at least 1)")
    parser.add_argument("--waiters", type=_positive, default=50,
                        help="waiters typing on the floor at its busiest")
    parser.add_argument("--floor-seconds", type=float, default=60.0,
                        help="each half of the floor at its busiest: idle, then swept")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds a measured series may take before it is cut short")
    return parser


if __name__ == "__main__":
    sys.exit(main())
