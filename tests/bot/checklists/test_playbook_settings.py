"""Playbook configuration: branch kitchens, the chain's own playbooks, `guestcard playbooks`."""

from pathlib import Path

import pytest

from bot.checklists.handlers import library_line
from bot.checklists.setup import playbook_library
from bot.cli import main
from bot.settings import ConfigError, load_settings
from playbooks.checklists.playbook import PlaybookError

ROOT = Path(__file__).resolve().parents[3]
BRANCH = '[chain]\nname = "X"\n[[branches]]\nid = "la"\nname = "LA"\ntimezone = "UTC"\n'
OWN = """
id = "standards_check"
title = { zh = "我们的标准", en = "Our standards" }
trigger = "guest.seated"
roles = ["lead"]
[[steps]]
id = "water"
text = { zh = "加水", en = "Water" }
"""


def config(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    return {"GUESTCARD_CONFIG": str(path)}


def test_the_shipped_config_gives_each_branch_five_minutes_and_no_kitchen_group() -> None:
    settings = load_settings({"GUESTCARD_CONFIG": str(ROOT / "config.toml")})
    assert {(b.kitchen_chat, b.allergy_ack_minutes) for b in settings.branches} == {(None, 5)}
    assert len(playbook_library(settings)) >= 10


def test_the_allergy_just_logged_checklist_is_listed_as_one_open_per_guest() -> None:
    settings = load_settings({"GUESTCARD_CONFIG": str(ROOT / "config.toml")})
    logged = next(p for p in playbook_library(settings) if p.id == "allergy_logged")
    assert "(one open at a time per guest)" in library_line(logged, "en")


@pytest.mark.parametrize(("extra", "key"), [
    ('kitchen_chat = "kitchen"\n', "branches.0.kitchen_chat"),
    ("allergy_ack_minutes = 0\n", "branches.0.allergy_ack_minutes"),
    ('[playbooks]\nreport_after_minutes = -1\n', "playbooks.report_after_minutes"),
])
def test_a_bad_playbook_setting_names_file_and_key(tmp_path: Path, extra: str, key: str) -> None:
    env = config(tmp_path, BRANCH + extra)
    with pytest.raises(ConfigError, match=rf"config.toml: {key}: "):
        load_settings(env)


def test_the_chains_folder_replaces_a_shipped_playbook_and_disables_another(
    tmp_path: Path,
) -> None:
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "standards.toml").write_text(OWN, "utf-8")
    env = config(tmp_path, BRANCH + '[playbooks]\nfolder = "own"\ndisabled = ["known_guest"]\n')
    library = {p.id: p for p in playbook_library(load_settings(env))}
    assert library["standards_check"].title.en == "Our standards"
    assert "known_guest" not in library


def test_a_bad_file_in_the_chains_folder_stops_start_up_naming_it(tmp_path: Path) -> None:
    (tmp_path / "own").mkdir()
    bad = tmp_path / "own" / "standards.toml"
    bad.write_text(OWN.replace('roles = ["lead"]', 'roles = ["boss"]'), "utf-8")
    settings = load_settings(config(tmp_path, BRANCH + '[playbooks]\nfolder = "own"\n'))
    with pytest.raises(PlaybookError, match=rf"{bad}: roles.0: Input should be"):
        playbook_library(settings)


def test_playbooks_check_lists_good_files_and_names_every_problem_of_bad_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUESTCARD_CONFIG", str(ROOT / "config.toml"))
    assert main(["playbooks", "check"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("ok: ")
    bad = tmp_path / "bad.toml"
    bad.write_text(OWN.replace('trigger = "guest.seated"', 'trigger = "guest.sat"')
                   .replace('en = "Water"', 'en = ""'), "utf-8")
    assert main(["playbooks", "check", str(bad)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "guestcard: 2 problem(s) in playbook files",
        f"{bad}: trigger.0: Input should be 'booking.created', 'booking.first_visit', "
        "'guest.arrived', 'guest.seated', 'trait.allergy_logged', 'occasion.upcoming', "
        "'occasion.today', 'feedback.complaint' or 'guest.checkout'",
        f"{bad}: steps.0.text.en: String should have at least 1 character"]
