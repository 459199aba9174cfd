"""`guestcard report` and `guestcard audit`, and the configuration they read."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.service_report.chart import png_size
from bot.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[3]
BRANCH = '[[branches]]\nid = "la"\nname = "LA"\ntimezone = "America/Los_Angeles"\n'


@pytest.mark.parametrize(("section", "key"), [
    ("[report]\nmonday_hour = 25\n", "report.monday_hour"),
    ("[privacy]\nretention_months = -1\n", "privacy.retention_months"),
    ("[privacy]\nkeep_forever = true\n", "privacy.keep_forever"),
])
def test_a_bad_audit_setting_stops_start_up_naming_the_key(tmp_path: Path, section: str,
                                                           key: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[chain]\nname = "X"\n{section}{BRANCH}', encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"config.toml: {key}"):
        load_settings({"GUESTCARD_CONFIG": str(config)})


def test_the_report_goes_to_stdout_and_the_chart_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUESTCARD_CONFIG", str(ROOT / "config.toml"))
    monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "cli.db"))
    chart = tmp_path / "week.png"
    assert main(["report", "--branch", "la", "--week", "2026-W47", "--lang", "en",
                 "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "Service audit · Los Angeles · week 2026-W47 (11-16 – 11-22)" in out
    assert "No visits this week." in out and "<b>" not in out
    assert png_size(chart.read_bytes()) == (1200, 800)


def test_the_audit_of_an_unknown_reference_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUESTCARD_CONFIG", str(ROOT / "config.toml"))
    monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "cli.db"))
    assert main(["audit", "--guest", "nobody"]) == 1
    assert main(["audit", "--guest", "#5"]) == 0
    assert capsys.readouterr().out == ""
