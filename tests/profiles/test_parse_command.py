"""`guestcard parse`: one note from the command line, or many from standard input, as JSON
lines; numeric dates read as the region says."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUESTCARD_CONFIG", str(ROOT / "config.toml"))  # first branch: US


def parsed(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    assert main(["parse", *argv]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_note_given_as_an_argument_prints_one_json_line_per_trait(
        capsys: pytest.CaptureFixture[str]) -> None:
    # with the concept each names, read in either language ("window seat" / 靠窗)
    assert parsed(capsys, "靠窗，對芒果過敏") == [
        {"category": "seating", "text": "靠窗",
         "attrs": {"concept": "window", "label_zh": "靠窗", "label_en": "window seat"}},
        {"category": "allergy", "text": "對芒果過敏",
         "attrs": {"severity": "unknown", "item": "芒果", "concept": "mango",
                   "label_zh": "芒果", "label_en": "mango"}},
    ]


@pytest.mark.parametrize(("region", "month", "day"),
                         [(None, 12, 3), ("US", 12, 3), ("GB", 3, 12), ("hk", 3, 12)])
def test_the_region_says_how_a_numeric_date_reads(
        region: str | None, month: int, day: int, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bday 12/03"] + ([] if region is None else ["--region", region])
    (trait,) = parsed(capsys, *argv)
    assert trait["attrs"] == {"kind": "birthday", "month": month, "day": day}


def test_notes_on_standard_input_are_read_in_one_run_each_line_numbered(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    notes = ["热奶茶", "", "金卡", "芝麻过敏，很严重的"] * 50
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(notes) + "\n"))
    lines = parsed(capsys)
    assert len(lines) == 100
    assert [line["line"] for line in lines[:2]] == [1, 4]
    assert lines[1] == {"line": 4, "category": "allergy", "text": "芝麻过敏，很严重的",
                        "attrs": {"severity": "severe", "item": "芝麻", "concept": "sesame",
                                  "label_zh": "芝麻", "label_en": "sesame"}}


def test_the_words_the_chains_leads_taught_are_read_too(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "chain.db"
    monkeypatch.setenv("GUESTCARD_DB", str(database))
    assert [t["category"] for t in parsed(capsys, "擺盤要靚")] == ["note"]
    assert not database.exists()  # reading notes makes no database
    words = tmp_path / "words.toml"
    words.write_text('[categories.service]\nzh = ["摆盘要靓"]\n', encoding="utf-8")
    assert main(["vocabulary", "import", str(words)]) == 0
    capsys.readouterr()
    assert [t["category"] for t in parsed(capsys, "擺盤要靚")] == ["service"]
