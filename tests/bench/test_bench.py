"""The benchmark suite, run small so that it never rots: every figure is produced."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.report import TARGETS, percentile, verdict

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_chain_produces_every_figure(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    summary = tmp_path / "BENCHMARKS.md"
    summary.write_text("# Benchmarks\n\nProse kept.\n<!-- figures:start -->\nold\n"
                       "<!-- figures:end -->\nMore prose.\n", "utf-8")
    subprocess.run(
        [sys.executable, "-m", "bench", "--guests", "10000", "--data", str(tmp_path / "data"),
         "--results", str(results), "--summary", str(summary), "--samples", "10",
         "--like", "2", "--recall", "60", "--notes", "30"],
        cwd=ROOT, check=True, timeout=300, stdout=subprocess.DEVNULL,
    )
    figures = json.loads(results.read_text("utf-8"))
    assert set(TARGETS) <= set(figures)
    assert {"search_typo_p99_ms", "like_typo_p99_ms", "recall_name_p99_ms",
            "note_commands_per_s"} <= set(figures)
    assert all(isinstance(value, float) and value > 0 for value in figures.values())
    text = summary.read_text("utf-8")
    assert text.startswith("# Benchmarks\n\nProse kept.\n") and text.endswith("More prose.\n")
    assert "old" not in text and "| `search_p99_ms` |" in text
    assert not list((tmp_path / "data").glob("run-*"))  # the measured copy is cleaned up


def test_percentiles_are_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert (percentile(samples, 0.5), percentile(samples, 0.99)) == (50.0, 99.0)
    assert percentile([3.0], 0.99) == 3.0


def test_a_verdict_says_by_how_much_a_target_is_missed() -> None:
    assert verdict("search_p99_ms", 10.0) == "met"
    assert verdict("search_p99_ms", 30.0) == "missed by 50%"
    assert verdict("note_writes_per_s", 500.0) == "missed by 50%"
