"""From raw timings to named figures, their targets, and the table in BENCHMARKS.md."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

from bench.chain import ChainSpec

START, END = "<!-- figures:start -->", "<!-- figures:end -->"
# figure → (at most / at least, target)
TARGETS: Mapping[str, tuple[str, float]] = {
    "recall_p99_ms": ("≤", 5.0),
    "recall_vs_noop_p99_ratio": ("≤", 3.0),
    "search_p99_ms": ("≤", 20.0),
    "search_vs_like_p99_speedup": ("≥", 20.0),
    "note_writes_per_s": ("≥", 1000.0),
    "rss_mb": ("≤", 200.0),
    "startup_s": ("≤", 1.5),
}


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest rank: the smallest sample with at least `fraction` of samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def figures_of(measured: Mapping[str, Any], *, startup_s: float) -> dict[str, float]:
    """Every figure, flat, its unit in its name; ratios against the in-run baselines."""
    ms = 1000.0
    figures: dict[str, float] = {}
    recall = measured["recall"]
    timings = {"recall": [s for samples in recall.values() for s in samples],
               "noop": measured["noop"],
               **{f"recall_{kind}": samples for kind, samples in recall.items()}}
    for name, samples in timings.items():
        figures[f"{name}_p50_ms"] = percentile(samples, 0.5) * ms
        figures[f"{name}_p99_ms"] = percentile(samples, 0.99) * ms
    figures["recall_vs_noop_p99_ratio"] = figures["recall_p99_ms"] / figures["noop_p99_ms"]
    for kind in recall:
        figures[f"recall_{kind}_vs_noop_p99_ratio"] = (figures[f"recall_{kind}_p99_ms"]
                                                       / figures["noop_p99_ms"])
    speedups, worst = [], []
    for kind, samples in measured["search"].items():
        like = measured["like"][kind]
        figures[f"search_{kind}_p50_ms"] = percentile(samples, 0.5) * ms
        figures[f"search_{kind}_p99_ms"] = percentile(samples, 0.99) * ms
        figures[f"like_{kind}_p99_ms"] = percentile(like, 0.99) * ms
        speedup = figures[f"like_{kind}_p99_ms"] / figures[f"search_{kind}_p99_ms"]
        figures[f"search_{kind}_vs_like_p99_speedup"] = speedup
        speedups.append(speedup)
        worst.append(figures[f"search_{kind}_p99_ms"])
    every = [s for samples in measured["search"].values() for s in samples]
    figures["search_p50_ms"] = median(every) * ms
    figures["search_p99_ms"] = max(worst)
    figures["search_vs_like_p99_speedup"] = min(speedups)
    figures["note_writes_per_s"] = measured["note_writes_per_s"]
    figures["note_commands_per_s"] = measured["note_commands_per_s"]
    figures["rss_mb"] = measured["rss_mb"]
    figures["startup_s"] = startup_s
    return {name: round(value, 3) for name, value in figures.items()}


def verdict(name: str, value: float) -> str:
    how, target = TARGETS[name]
    met = value <= target if how == "≤" else value >= target
    return "met" if met else f"missed by {abs(value / target - 1):.0%}"


def summary_table(figures: Mapping[str, float], spec: ChainSpec) -> str:
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {spec.guests:,} guests, "
        f"{spec.guests * spec.traits_per_guest:,} traits, {spec.branches} branches; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}.",
        "",
        "| figure | value | target | |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, (how, target) in TARGETS.items():
        lines.append(f"| `{name}` | {figures[name]:g} | {how} {target:g} | "
                     f"{verdict(name, figures[name])} |")
    lines += ["", "| search kind | p50 ms | p99 ms | LIKE p99 ms | speed-up |",
              "| --- | ---: | ---: | ---: | ---: |"]
    kinds = [name[len("search_"):-len("_p50_ms")] for name in figures
             if name.startswith("search_") and name.endswith("_p50_ms") and name != "search_p50_ms"]
    for kind in kinds:
        lines.append(f"| {kind} | {figures[f'search_{kind}_p50_ms']:g} | "
                     f"{figures[f'search_{kind}_p99_ms']:g} | {figures[f'like_{kind}_p99_ms']:g} | "
                     f"{figures[f'search_{kind}_vs_like_p99_speedup']:.0f}× |")
    lines += ["", "| `/guest` by | p50 ms | p99 ms | p99 / no-op p99 |",
              "| --- | ---: | ---: | ---: |"]
    kinds = [name[len("recall_"):-len("_p50_ms")] for name in figures
             if name.startswith("recall_") and name.endswith("_p50_ms") and name != "recall_p50_ms"]
    for kind in [*kinds, None]:
        prefix = f"recall_{kind}" if kind else "recall"
        lines.append(f"| {kind or 'all of these'} | {figures[f'{prefix}_p50_ms']:g} | "
                     f"{figures[f'{prefix}_p99_ms']:g} | "
                     f"{figures[f'{prefix}_vs_noop_p99_ratio']:.1f}× |")
    lines.append(f"| no-op command (baseline) | {figures['noop_p50_ms']:g} | "
                 f"{figures['noop_p99_ms']:g} | 1× |")
    lines += ["", f"`/note` through the Application: {figures['note_commands_per_s']:.0f} per s."]
    return "\n".join(lines)


def write_summary(path: Path, figures: Mapping[str, float], spec: ChainSpec) -> None:
    """Rewrite the figures between the markers of `path`, keeping the prose around them."""
    text = path.read_text("utf-8") if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    path.write_text(f"{before}{START}\n{summary_table(figures, spec)}\n{END}{after}", "utf-8")
