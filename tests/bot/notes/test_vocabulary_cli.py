"""`guestcard vocabulary export|import`: what one chain's leads taught, carried to another."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUESTCARD_CONFIG", str(ROOT / "config.toml"))


def test_words_exported_by_one_chain_are_learned_by_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    taught = tmp_path / "taught.toml"
    taught.write_text('[categories.allergy]\nzh = ["碰到猫毛就打喷嚏"]\n\n'
                      '[categories.service]\nen = ["always brings his own book"]\n',
                      encoding="utf-8")
    monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "first.db"))
    assert main(["vocabulary", "import", str(taught)]) == 0
    assert capsys.readouterr().out.strip() == f"learned 2 word(s) from {taught}"
    assert main(["vocabulary", "export"]) == 0
    exported = tmp_path / "exported.toml"
    exported.write_text(capsys.readouterr().out, encoding="utf-8")

    monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "second.db"))
    assert main(["vocabulary", "import", str(exported)]) == 0
    capsys.readouterr()
    assert main(["vocabulary", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert '[categories.allergy]' in lines and 'zh = ["碰到猫毛就打喷嚏"]' in lines
    assert 'en = ["always brings his own book"]' in lines


def test_a_broken_file_is_named_and_nothing_is_learned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GUESTCARD_DB", str(tmp_path / "chain.db"))
    broken = tmp_path / "broken.toml"
    broken.write_text('[categories.alergy]\nzh = ["猫毛"]\n[categories.food]\nen = ["x, y"]\n',
                      encoding="utf-8")
    assert main(["vocabulary", "import", str(broken)]) == 1
    error = capsys.readouterr().err
    assert "categories.alergy" in error and "which splits notes" in error
    assert error.rstrip().endswith("nothing was imported")
    assert main(["vocabulary", "export"]) == 0
    assert "[categories" not in capsys.readouterr().out
