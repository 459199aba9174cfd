"""From raw timings to named figures, their targets, and the table in BENCHMARKS.md."""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

from bench.chain import ChainSpec
from bench.probe import WRITERS_AT_ONCE

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
    "status_nightly_pass_ms": ("≤", 60_000.0),
    "status_refresh_p99_ms": ("≤", 1.0),
    "list_p99_ms": ("≤", 50.0),
    "floor_busy_vs_idle_p99_ratio": ("≤", 2.0),
    "floor_slowest_reply_ms": ("≤", 1000.0),
    "floor_alert_max_ms": ("≤", 2000.0),
    "floor_sweep_lock_max_ms": ("≤", 1000.0),
}
# what waiters type on the floor at its busiest (bench.floor), in the order shown
FLOOR_KINDS = ("card by id", "card by name", "note", "arrival")


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
    figures["note_writes_at_once_per_s"] = measured["note_writes_at_once_per_s"]
    figures["note_commands_per_s"] = measured["note_commands_per_s"]
    for series, samples in measured["api"].items():
        figures[f"api_{series}_p50_ms"] = percentile(samples, 0.5) * ms
        figures[f"api_{series}_p99_ms"] = percentile(samples, 0.99) * ms
        figures[f"api_{series}_vs_recall_p99_ratio"] = (figures[f"api_{series}_p99_ms"]
                                                         / figures["recall_p99_ms"])
    statuses = measured["statuses"]
    figures["status_full_guests"] = float(statuses["full_guests"])
    figures["status_full_pass_s"] = statuses["full_pass_s"]
    figures["status_full_guests_per_s"] = statuses["full_guests"] / statuses["full_pass_s"]
    figures["status_nightly_guests"] = float(statuses["nightly_guests"])
    figures["status_nightly_pass_ms"] = statuses["nightly_pass_s"] * ms
    for name in ("refresh", "list", "list_noop"):
        prefix = "status_refresh" if name == "refresh" else name
        figures[f"{prefix}_p50_ms"] = percentile(statuses[name], 0.5) * ms
        figures[f"{prefix}_p99_ms"] = percentile(statuses[name], 0.99) * ms
    figures["list_vs_noop_p99_ratio"] = figures["list_p99_ms"] / figures["list_noop_p99_ms"]
    figures |= floor_figures(measured["floor"])
    figures["rss_mb"] = measured["rss_mb"]
    figures["startup_s"] = startup_s
    return {name: round(value, 3) for name, value in figures.items()}


def floor_figures(floor: Mapping[str, Any]) -> dict[str, float]:
    """The floor at its busiest: each half's replies (all waiters' commands, and by kind), the
    slowest reply of the swept half (the manager's first message included), the allergy
    alerts' time to the cook, and the sweeps."""
    ms, figures = 1000.0, {}
    for half in ("idle", "busy"):
        replies = floor[half]["replies"]
        every = [s for kind in FLOOR_KINDS for s in replies.get(kind, [])]
        figures[f"floor_{half}_commands"] = float(len(every))
        figures[f"floor_{half}_p50_ms"] = percentile(every, 0.5) * ms
        figures[f"floor_{half}_p99_ms"] = percentile(every, 0.99) * ms
        for kind in FLOOR_KINDS:
            key = kind.replace(" ", "_")
            samples = replies.get(kind) or [0.0]
            figures[f"floor_{half}_{key}_p50_ms"] = percentile(samples, 0.5) * ms
            figures[f"floor_{half}_{key}_p99_ms"] = percentile(samples, 0.99) * ms
        for asked, seconds in floor[half]["manager"].items():
            figures[f"floor_{half}_{asked}_ms"] = seconds * ms
        figures[f"floor_{half}_alert_max_ms"] = max(floor[half]["alerts"], default=0.0) * ms
    figures["floor_busy_vs_idle_p99_ratio"] = (figures["floor_busy_p99_ms"]
                                               / figures["floor_idle_p99_ms"])
    busy = floor["busy"]
    figures["floor_slowest_reply_ms"] = max(
        [s for samples in busy["replies"].values() for s in samples]
        + list(busy["manager"].values())) * ms
    figures["floor_alert_max_ms"] = figures["floor_busy_alert_max_ms"]
    sweeps = floor["sweeps"]
    figures["floor_sweeps"] = float(len(sweeps))
    figures["floor_sweep_max_s"] = max(tick["seconds"] for tick in sweeps)
    figures["floor_sweep_lock_max_ms"] = max(tick["lock_s"] for tick in sweeps) * ms
    figures["floor_longest_write_ms"] = max(tick["longest_write_s"] for tick in sweeps) * ms
    return figures


def verdict(name: str, value: float) -> str:
    how, target = TARGETS[name]
    met = value <= target if how == "≤" else value >= target
    return "met" if met else f"missed by {abs(value / target - 1):.0%}"


STORES: Mapping[str, str] = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The naive scan each store is measured against (SQLite's LIKE ignores ASCII case already).
SCANS: Mapping[str, str] = {"sqlite": "LIKE", "postgresql": "ILIKE"}

Runs = Mapping[str, Mapping[str, float]]  # store → its figures


def summary_table(runs: Runs, spec: ChainSpec, *, versions: Mapping[str, str],
                  notes: Sequence[str] = ()) -> str:
    """The figures of every store measured, side by side, each with its in-run baselines;
    with two stores, also the second's figures over the first's. `notes` (a store not
    measured, a series cut short) go under the first line."""
    stores = list(runs)
    lines = [_measured_on(spec, versions), *[f"\n{note}" for note in notes], ""]
    lines += _headline(runs, stores)
    lines += ["", *_search_kinds(runs, stores)]
    lines += ["", *_recalls(runs, stores)]
    notes = ", ".join(f"{STORES[store]} {runs[store]['note_commands_per_s']:.0f} per s"
                      for store in stores)
    lines += ["", f"`/note` through the Application, one after another: {notes}."]
    at_once = ", ".join(f"{STORES[store]} {runs[store]['note_writes_at_once_per_s']:.0f} per s"
                        for store in stores)
    lines += ["", f"Durable note writes with {WRITERS_AT_ONCE} staff writing at once: {at_once}."]
    lines += ["", *_api_calls(runs, stores)]
    lines += ["", *_statuses(runs, stores)]
    lines += ["", *_floor(runs, stores)]
    return "\n".join(lines)


def _measured_on(spec: ChainSpec, versions: Mapping[str, str]) -> str:
    software = ", ".join(f"{name} {version}" for name, version in versions.items())
    return (f"Measured {datetime.now(UTC):%Y-%m-%d} on {spec.guests:,} guests, "
            f"{spec.guests * spec.traits_per_guest:,} traits, {spec.branches} branches; "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, {software}.")


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _headline(runs: Runs, stores: list[str]) -> list[str]:
    ratio = len(stores) == 2
    header = ["figure", "target", *[c for s in stores for c in (STORES[s], "")]]
    header += [f"{STORES[stores[1]]} / {STORES[stores[0]]}"] if ratio else []
    lines = [_row(*header), _row("---", "---:", *["---:", "---"] * len(stores),
                                 *(["---:"] if ratio else []))]
    for name, (how, target) in TARGETS.items():
        cells: list[object] = [f"`{name}`", f"{how} {target:g}"]
        for store in stores:
            cells += [f"{runs[store][name]:g}", verdict(name, runs[store][name])]
        if ratio:
            cells.append(f"{runs[stores[1]][name] / runs[stores[0]][name]:.2f}×")
        lines.append(_row(*cells))
    return lines


def _search_kinds(runs: Runs, stores: list[str]) -> list[str]:
    header = ["search kind"]
    for store in stores:
        header += [f"{STORES[store]} p50 ms", "p99 ms", f"{SCANS[store]} p99 ms", "speed-up"]
    lines = [_row(*header), _row("---", *["---:"] * (len(header) - 1))]
    for kind in _kinds(runs[stores[0]], "search_"):
        cells: list[object] = [kind]
        for store in stores:
            figures = runs[store]
            cells += [f"{figures[f'search_{kind}_p50_ms']:g}",
                      f"{figures[f'search_{kind}_p99_ms']:g}",
                      f"{figures[f'like_{kind}_p99_ms']:g}",
                      f"{figures[f'search_{kind}_vs_like_p99_speedup']:.0f}×"]
        lines.append(_row(*cells))
    return lines


def _recalls(runs: Runs, stores: list[str]) -> list[str]:
    header = ["`/guest` by"]
    for store in stores:
        header += [f"{STORES[store]} p50 ms", "p99 ms", "p99 / no-op p99"]
    lines = [_row(*header), _row("---", *["---:"] * (len(header) - 1))]
    for kind in [*_kinds(runs[stores[0]], "recall_"), None]:
        prefix = f"recall_{kind}" if kind else "recall"
        cells: list[object] = [kind or "all of these"]
        for store in stores:
            figures = runs[store]
            cells += [f"{figures[f'{prefix}_p50_ms']:g}", f"{figures[f'{prefix}_p99_ms']:g}",
                      f"{figures[f'{prefix}_vs_noop_p99_ratio']:.1f}×"]
        lines.append(_row(*cells))
    cells = ["no-op command (baseline)"]
    for store in stores:
        cells += [f"{runs[store]['noop_p50_ms']:g}", f"{runs[store]['noop_p99_ms']:g}", "1×"]
    lines.append(_row(*cells))
    return lines


def _api_calls(runs: Runs, stores: list[str]) -> list[str]:
    header = ["API call"]
    for store in stores:
        header += [f"{STORES[store]} p50 ms", "p99 ms", "p99 / `/guest` p99"]
    lines = [_row(*header), _row("---", *["---:"] * (len(header) - 1))]
    for series, label in (("check_in", "PMS check-in (`PUT /stays`)"),
                          ("pos_check", "POS check (`PUT /checks`)")):
        cells: list[object] = [label]
        for store in stores:
            figures = runs[store]
            cells += [f"{figures[f'api_{series}_p50_ms']:g}",
                      f"{figures[f'api_{series}_p99_ms']:g}",
                      f"{figures[f'api_{series}_vs_recall_p99_ratio']:.1f}×"]
        lines.append(_row(*cells))
    return lines


def _statuses(runs: Runs, stores: list[str]) -> list[str]:
    lines = [_row("statuses and lists", *[STORES[store] for store in stores]),
             _row("---", *["---:"] * len(stores))]
    rows: list[tuple[str, Any]] = [
        ("first pass over every guest", lambda f: (
            f"{f['status_full_pass_s']:.0f} s ({f['status_full_guests_per_s']:,.0f} guests/s)")),
        ("the next night's pass", lambda f: (
            f"{f['status_nightly_pass_ms']:,.0f} ms ({f['status_nightly_guests']:,.0f} guests)")),
        ("one guest recomputed in an arrival's transaction, p50 / p99", lambda f: (
            f"{f['status_refresh_p50_ms']:g} / {f['status_refresh_p99_ms']:g} ms")),
        ("`/list lapsed`, p50 / p99", lambda f: (
            f"{f['list_p50_ms']:g} / {f['list_p99_ms']:g} ms")),
        ("`/list lapsed` p99 / no-op p99", lambda f: f"{f['list_vs_noop_p99_ratio']:.1f}×"),
    ]
    for label, cell in rows:
        lines.append(_row(label, *[cell(runs[store]) for store in stores]))
    return lines


def _floor(runs: Runs, stores: list[str]) -> list[str]:
    header = ["the floor at its busiest"]
    for store in stores:
        header += [f"{STORES[store]} idle p50 / p99 ms", "swept p50 / p99 ms"]
    lines = [_row(*header), _row("---", *["---:"] * (len(header) - 1))]

    def both(name: str) -> list[str]:
        return [f"{runs[store][f'floor_{half}_{name}p50_ms']:.1f} / "
                f"{runs[store][f'floor_{half}_{name}p99_ms']:.1f}"
                for store in stores for half in ("idle", "busy")]

    commands = ", ".join(f"{STORES[store]} {runs[store]['floor_idle_commands']:.0f} + "
                         f"{runs[store]['floor_busy_commands']:.0f}" for store in stores)
    lines.append(_row(f"every waiter's command ({commands})", *both("")))
    for kind in FLOOR_KINDS:
        lines.append(_row(f"`{_typed(kind)}`", *both(kind.replace(" ", "_") + "_")))
    for asked in ("report", "export"):
        lines.append(_row(f"the manager's `/{asked}`, first message", *[
            f"{runs[store][f'floor_{half}_{asked}_ms']:.0f}"
            for store in stores for half in ("idle", "busy")]))
    lines.append(_row("allergy alert to the cook, slowest", *[
        f"{runs[store][f'floor_{half}_alert_max_ms']:.0f}"
        for store in stores for half in ("idle", "busy")]))
    for label, told in (
            ("sweeps in the swept half, the longest", lambda f: (
                f"{f['floor_sweeps']:.0f}, {f['floor_sweep_max_s']:.1f} s")),
            ("a sweep's writes (the lock held), the most / the longest write", lambda f: (
                f"{f['floor_sweep_lock_max_ms']:.0f} / {f['floor_longest_write_ms']:.0f} ms"))):
        lines.append(_row(label, *[cell for store in stores
                                   for cell in ("", told(runs[store]))]))
    return lines


def _typed(kind: str) -> str:
    return {"card by id": "/guest #ID", "card by name": "/guest NAME", "note": "/note",
            "arrival": "/arrive"}[kind]


def _kinds(figures: Mapping[str, float], prefix: str) -> list[str]:
    """The kinds measured (`search_<kind>_p50_ms`), in the order they were."""
    return [name[len(prefix):-len("_p50_ms")] for name in figures
            if name.startswith(prefix) and name.endswith("_p50_ms")
            and name != f"{prefix}p50_ms"]


def write_summary(path: Path, table: str) -> None:
    """Rewrite the figures between the markers of `path`, keeping the prose around them."""
    text = path.read_text("utf-8") if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    path.write_text(f"{before}{START}\n{table}\n{END}{after}", "utf-8")
