"""The benchmark suite, run small so that it never rots: every figure is produced."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.chain import ChainSpec, cached_chain
from bench.report import TARGETS, figures_of, percentile, summary_table, verdict
from profiles.search_index import index_row
from tests import postgres

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_chain_produces_every_figure(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    summary = tmp_path / "BENCHMARKS.md"
    summary.write_text("# Benchmarks\n\nProse kept.\n<!-- figures:start -->\nold\n"
                       "<!-- figures:end -->\nMore prose.\n", "utf-8")
    subprocess.run(
        [sys.executable, "-m", "bench", "--store", "sqlite", "--guests", "10000",
         "--data", str(tmp_path / "data"), "--results", str(results), "--summary", str(summary),
         "--samples", "10", "--like", "2", "--recall", "60", "--notes", "30", "--api", "20",
         "--waiters", "6", "--floor-seconds", "4"],
        cwd=ROOT, check=True, timeout=300, stdout=subprocess.DEVNULL,
    )
    runs = json.loads(results.read_text("utf-8"))
    assert list(runs) == ["sqlite"]
    figures = runs["sqlite"]
    assert set(TARGETS) <= set(figures)
    assert {"search_typo_p99_ms", "like_typo_p99_ms", "recall_name_p99_ms",
            "note_commands_per_s", "note_writes_at_once_per_s", "api_check_in_p99_ms",
            "api_pos_check_p99_ms"} <= set(figures)
    assert {"status_full_pass_s", "list_vs_noop_p99_ratio"} <= set(figures)
    assert figures["status_full_guests"] >= 9900  # the chain's guests, not yet computed
    # how many guests time alone changes in one night may be none on a small chain
    # a short run may have no command of a kind on the floor: those figures are 0
    assert all(isinstance(value, float)
               and (value > 0 or name.endswith("_guests") or name.startswith("floor_"))
               for name, value in figures.items())
    assert figures["floor_idle_p99_ms"] > 0 and figures["floor_busy_alert_max_ms"] > 0
    text = summary.read_text("utf-8")
    assert text.startswith("# Benchmarks\n\nProse kept.\n") and text.endswith("More prose.\n")
    assert "old" not in text and "| `search_p99_ms` | ≤ 20 |" in text
    assert "| PMS check-in (`PUT /stays`) |" in text
    assert "| `/list lapsed`, p50 / p99 |" in text
    assert "| allergy alert to the cook, slowest |" in text
    assert figures["floor_sweeps"] >= 1
    assert not list((tmp_path / "data").glob("run-*"))  # the measured copy is cleaned up


@pytest.mark.postgresql
def test_the_postgresql_half_measures_the_rows_of_the_sqlite_chain(tmp_path: Path) -> None:
    from bench.postgres import cached_pg_chain, drop_chains

    server, prefix = postgres.server_url(), f"guestcard_benchtest_{os.getpid()}"
    chain = cached_chain(ChainSpec(guests=3000, branches=20), tmp_path, log=False)
    try:
        loaded = cached_pg_chain(chain, server, prefix=prefix, log=False)
        assert_same_rows(chain.database, loaded.url)
        results = tmp_path / "results.json"
        subprocess.run(
            [sys.executable, "-m", "bench", "--store", "postgresql", "--guests", "3000",
             "--branches", "20", "--data", str(tmp_path), "--postgres-prefix", prefix,
             "--results", str(results), "--samples", "3", "--like", "1", "--recall", "6",
             "--notes", "3", "--api", "3", "--waiters", "3", "--floor-seconds", "3"],
            cwd=ROOT, check=True, timeout=120, stdout=subprocess.DEVNULL,
            env={**os.environ, "GUESTCARD_BENCH_POSTGRES": server},
        )
        figures = json.loads(results.read_text("utf-8"))["postgresql"]
        assert set(TARGETS) <= set(figures)
        assert all(value > 0 or name.endswith("_guests") or name.startswith("floor_")
                   for name, value in figures.items())
        assert figures["floor_busy_p99_ms"] > 0
        # the loaded chain is kept for the next run; the measured copy is gone
        assert postgres_databases(server, prefix) == [loaded.name]
    finally:
        drop_chains(server, prefix)


def assert_same_rows(sqlite_file: Path, url: str) -> None:
    """The generated rows copied as they are; the search rows and vocabulary derived as the
    PostgreSQL store writes them; new rows get new ids."""
    import psycopg

    source = sqlite3.connect(sqlite_file)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("staff", "guests", "traits", "visits"):
            sql = f"SELECT * FROM {table} ORDER BY id"
            assert conn.execute(sql).fetchall() == source.execute(sql).fetchall(), table
        guests = source.execute("SELECT id, name, honorific, branch FROM guests").fetchall()
        expected = {guest_id: index_row(*guest) for guest_id, *guest in guests}
        stored = conn.execute("SELECT guest_id, tokens, words, prefixes FROM guest_search")
        assert {guest_id: (tokens, words, tuple(prefixes))
                for guest_id, tokens, words, prefixes in stored} == {
            guest_id: (row.tokens, " ".join(row.words), row.prefixes)
            for guest_id, row in expected.items()}
        counted = dict(conn.execute("SELECT word, guests FROM search_words").fetchall())
        assert counted == Counter(word for row in expected.values() for word in row.words)
        assert counted == dict(source.execute("SELECT word, guests FROM search_words"))
        for table in ("guests", "traits", "visits"):
            (next_id,) = conn.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))").fetchone()
            assert next_id == source.execute(f"SELECT MAX(id) + 1 FROM {table}").fetchone()[0]


def postgres_databases(server: str, prefix: str) -> list[str]:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        return [name for (name,) in conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (prefix,))]


def measured(scale: float = 1.0) -> dict[str, float]:
    """The figures of a run whose every timing was `scale` × a few milliseconds."""
    ms = [scale * n / 1000 for n in range(1, 11)]
    kinds = ("pinyin", "id")
    return figures_of({"recall": {"id": ms, "name": ms}, "noop": [t / 2 for t in ms],
                       "search": {kind: ms for kind in kinds},
                       "like": {kind: [t * 100 for t in ms] for kind in kinds},
                       "note_writes_per_s": 1000 / scale, "note_writes_at_once_per_s": 2000 / scale,
                       "note_commands_per_s": 100 / scale,
                       "api": {"check_in": [t * 3 for t in ms], "pos_check": ms},
                       "statuses": {"full_pass_s": 100 * scale, "full_guests": 1_000_000,
                                    "nightly_pass_s": scale, "nightly_guests": 500,
                                    "refresh": ms, "list": [t * 4 for t in ms],
                                    "list_noop": ms},
                       "floor": floor(scale),
                       "rss_mb": 100.0 * scale}, startup_s=scale)


def floor(scale: float) -> dict[str, object]:
    """The floor at its busiest: replies twice as slow with the sweep running."""
    replies = {kind: [scale * n / 1000 for n in range(1, 11)]
               for kind in ("card by id", "card by name", "note", "arrival")}
    swept = {kind: [2 * t for t in samples] for kind, samples in replies.items()}
    return {"idle": {"replies": replies, "alerts": [0.01 * scale],
                     "manager": {"report": 0.2 * scale, "export": 0.01}},
            "busy": {"replies": swept, "alerts": [0.02 * scale],
                     "manager": {"report": 0.3 * scale, "export": 0.01}},
            "sweeps": [{"seconds": 1.5 * scale, "writes": 300, "lock_s": 0.2 * scale,
                        "longest_write_s": 0.03 * scale, "longest_write": "work"}]}


def test_two_stores_are_reported_side_by_side() -> None:
    figures, slower = measured(), measured(2.0)
    table = summary_table({"sqlite": figures, "postgresql": slower}, ChainSpec(guests=10),
                          versions={"SQLite": "3", "PostgreSQL": "15"})
    assert "| figure | target | SQLite |  | PostgreSQL |  | PostgreSQL / SQLite |" in table
    assert "| `rss_mb` | ≤ 200 | 100 | met | 200 | met | 2.00× |" in table
    assert "| pinyin | 5 | 10 | 1000 | 100× | 10 | 20 | 2000 | 100× |" in table
    assert "| search kind | SQLite p50 ms | p99 ms | LIKE p99 ms | speed-up |" \
           " PostgreSQL p50 ms | p99 ms | ILIKE p99 ms | speed-up |" in table
    # each store's API calls over its own /guest p99
    assert "| PMS check-in (`PUT /stays`) | 15 | 30 | 3.0× | 30 | 60 | 3.0× |" in table
    assert "| first pass over every guest | 100 s (10,000 guests/s) | 200 s (5,000 guests/s) |" \
           in table
    assert "| `/list lapsed`, p50 / p99 | 20 / 40 ms | 40 / 80 ms |" in table
    assert "| `/list lapsed` p99 / no-op p99 | 4.0× | 4.0× |" in table
    assert "| `/guest #ID` | 5.0 / 10.0 | 10.0 / 20.0 | 10.0 / 20.0 | 20.0 / 40.0 |" in table
    assert figures["floor_busy_vs_idle_p99_ratio"] == 2.0
    assert "| `floor_alert_max_ms` | ≤ 2000 | 20 | met | 40 | met | 2.00× |" in table


def test_a_store_not_measured_is_said_so() -> None:
    table = summary_table({"sqlite": measured()}, ChainSpec(guests=10), versions={"SQLite": "3"},
                          notes=["PostgreSQL: not measured in this run."])
    assert "PostgreSQL: not measured in this run." in table
    assert "PostgreSQL /" not in table and "ILIKE" not in table


def test_percentiles_are_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert (percentile(samples, 0.5), percentile(samples, 0.99)) == (50.0, 99.0)
    assert percentile([3.0], 0.99) == 3.0


def test_a_verdict_says_by_how_much_a_target_is_missed() -> None:
    assert verdict("search_p99_ms", 10.0) == "met"
    assert verdict("search_p99_ms", 30.0) == "missed by 50%"
    assert verdict("note_writes_per_s", 500.0) == "missed by 50%"


def test_the_status_pass_and_list_bench_produce_every_figure() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "bench.status", "--guests", "300", "--branches", "3",
         "--lists", "3", "--json"],
        cwd=ROOT, check=True, timeout=300, capture_output=True, text=True,
    )
    figures = json.loads(found.stdout)
    assert figures["status_pass_guests"] == 300
    assert all(isinstance(value, float) and value > 0 for value in figures.values())
