"""`make bench`: build (or reuse) a synthetic chain, measure the bot on it, write the figures.

    python -m bench                      # 1,000,000 guests; bench/results.json, BENCHMARKS.md
    python -m bench --guests 10000 --results /tmp/r.json --samples 20   # a quick run

Each figure is measured against a baseline taken in the same run, on the same machine:
recall against a no-op command of the same Application, search against a naive LIKE scan.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.chain import ROOT, ChainSpec, cached_chain
from bench.report import figures_of, summary_table, write_summary


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    spec = ChainSpec(guests=args.guests, traits_per_guest=args.traits_per_guest,
                     branches=args.branches)
    chain = cached_chain(spec, Path(args.data))
    # The bot writes (notes, the updates it has served): it gets a copy, the cache stays as
    # generated.
    scratch = chain.database.with_name(f"run-{os.getpid()}.db")
    shutil.copyfile(chain.database, scratch)
    try:
        measured, startup_s = run_probe(scratch, chain.config, args)
    finally:
        for path in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            path.unlink(missing_ok=True)
    figures = figures_of(measured, startup_s=startup_s)
    results = Path(args.results)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    print(summary_table(figures, spec))
    if args.summary:
        write_summary(Path(args.summary), figures, spec)
    return 0


def run_probe(database: Path, config: Path,
              args: argparse.Namespace) -> tuple[dict[str, object], float]:
    """Run the measured process; its figures, and its start-up time to the first reply."""
    command = [sys.executable, "-m", "bench.probe", "--database", str(database),
               "--config", str(config), "--samples", str(args.samples),
               "--like", str(args.like), "--recall", str(args.recall),
               "--notes", str(args.notes)]
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
    return json.loads(output), startup_s


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guests", type=int, default=1_000_000)
    parser.add_argument("--traits-per-guest", type=int, default=5)
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--data", default=str(ROOT / "bench" / "data"),
                        help="where built chains are cached")
    parser.add_argument("--results", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--summary", default=None,
                        help="a Markdown file whose figures table is rewritten")
    parser.add_argument("--samples", type=int, default=300, help="search queries per kind")
    parser.add_argument("--like", type=int, default=15, help="LIKE scans per kind")
    parser.add_argument("--recall", type=int, default=2000, help="/guest and /noop each")
    parser.add_argument("--notes", type=int, default=2000, help="/note commands")
    return parser


if __name__ == "__main__":
    sys.exit(main())
