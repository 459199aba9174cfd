"""Playbook files: every shipped one loads; a bad one is refused naming file, key and reason."""

from pathlib import Path

import pytest

from playbooks.checklists.playbook import (
    SHIPPED_LIBRARY,
    PlaybookError,
    active_playbooks,
    load_file,
    load_playbooks,
    parse_offset,
)
from playbooks.events import EventKind

SHIPPED = sorted(SHIPPED_LIBRARY.glob("*.toml"))

GOOD = """
id = "water"
title = { zh = "加水", en = "Water" }
trigger = "guest.seated"
roles = ["waiter"]
[[steps]]
id = "refill"
text = { zh = "加到八成", en = "Refill to 80 %" }
due = "+10m"
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_playbook_loads_in_both_languages(path: Path) -> None:
    playbook = load_file(path)
    assert playbook.id == path.stem
    texts = [playbook.title, *(step.text for step in playbook.steps)]
    assert all(text.zh.strip() and text.en.strip() for text in texts)


def test_the_library_covers_the_service_stories() -> None:
    ids = {playbook.id for playbook in load_playbooks([SHIPPED_LIBRARY])}
    assert {"first_booking", "known_guest", "allergy_guest", "business_guest",
            "family_children", "occasion_dinner", "complaint_recovery", "standards_check",
            "hotel_early_swim", "hotel_vip_room"} <= ids


@pytest.mark.parametrize(("text", "offset_minutes"), [
    ("+10m", 10), ("-30m", -30), ("+2h", 120), ("-1d", -1440), ("+0m", 0)])
def test_offsets_read_as_minutes_hours_or_days(text: str, offset_minutes: int) -> None:
    assert parse_offset(text).total_seconds() / 60 == offset_minutes


@pytest.mark.parametrize(("change", "key", "reason"), [
    (('due = "+10m"', 'due = "soon"'), "steps.0.due", "not a time offset"),
    (('trigger = "guest.seated"', 'trigger = "guest.sat"'), "trigger.0", "guest.seated"),
    (('roles = ["waiter"]', 'roles = ["chef"]'), "roles.0", "kitchen"),
    (('en = "Refill to 80 %"', 'fr = "Remplir"'), "steps.0.text.en", "Field required"),
    (('id = "water"', 'id = "Water Check"'), "id", "pattern"),
    (('roles = ["waiter"]', ''), "(top level)", "roles"),
    (('[[steps]]', 'colour = "red"\n[[steps]]'), "colour", "Extra inputs"),
])
def test_a_bad_playbook_names_file_key_and_reason(
    tmp_path: Path, change: tuple[str, str], key: str, reason: str
) -> None:
    path = write(tmp_path, "water.toml", GOOD.replace(*change))
    with pytest.raises(PlaybookError) as raised:
        load_file(path)
    assert [problem for problem in raised.value.problems
            if problem.startswith(f"{path}: {key}: ") and reason in problem] != []


def test_a_file_that_is_not_toml_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.toml", 'id = "x"\ntitle = {\n')
    with pytest.raises(PlaybookError, match=rf"{path}: not valid TOML: .*line 2"):
        load_file(path)


def test_every_bad_file_of_a_folder_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD.replace("+10m", "later"))
    write(tmp_path, "b.toml", GOOD.replace('id = "water"', 'id = "b"').replace("guest.seated", "x"))
    with pytest.raises(PlaybookError) as raised:
        load_playbooks([tmp_path])
    assert [problem.split(":")[0] for problem in raised.value.problems] == [
        str(tmp_path / "a.toml"), str(tmp_path / "b.toml")]


def test_two_files_of_one_folder_may_not_share_an_id(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD)
    write(tmp_path, "b.toml", GOOD)
    with pytest.raises(PlaybookError, match=r"'water' is also the id of .*a\.toml"):
        load_playbooks([tmp_path])


def test_a_chains_own_playbook_replaces_the_shipped_one_of_the_same_id(tmp_path: Path) -> None:
    own = GOOD.replace('id = "water"', 'id = "standards_check"').replace("Water", "Our water")
    write(tmp_path / "own", "standards.toml", own)
    loaded = {p.id: p for p in load_playbooks([SHIPPED_LIBRARY, tmp_path / "own"])}
    assert loaded["standards_check"].title.en == "Our water"
    assert loaded["standards_check"].trigger == [EventKind.GUEST_SEATED]


def test_a_chain_switches_off_shipped_playbooks_by_id() -> None:
    active = active_playbooks([SHIPPED_LIBRARY], disabled=["standards_check"])
    assert "standards_check" not in {playbook.id for playbook in active}
    with pytest.raises(PlaybookError, match=r"config\.toml: playbooks\.disabled: no playbook"):
        active_playbooks([SHIPPED_LIBRARY], disabled=["no_such"], source="config.toml")
