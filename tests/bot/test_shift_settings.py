from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
BRANCH = '[chain]\nname = "X"\n[[branches]]\nid = "la"\nname = "LA"\ntimezone = "UTC"\n'


def load(tmp_path: Path, extra: str):
    config = tmp_path / "config.toml"
    config.write_text(BRANCH + extra, "utf-8")
    return load_settings({"GUESTCARD_CONFIG": str(config)})


def test_the_shipped_branches_brief_lunch_and_dinner_to_their_leads() -> None:
    settings = load_settings({"GUESTCARD_CONFIG": str(ROOT / "config.toml")})
    for branch in settings.branches:
        assert [(s.name, f"{s.start:%H:%M}", f"{s.end:%H:%M}", s.roles) for s in branch.shifts] == [
            ("lunch", "10:30", "15:00", ["lead"]), ("dinner", "16:30", "22:30", ["lead"])]
        assert branch.occasion_days_ahead == 3


def test_a_hotel_shift_may_brief_housekeeping_and_run_past_midnight(tmp_path: Path) -> None:
    settings = load(tmp_path, 'shifts = [{ name = "arrivals", start = "13:00", end = "01:00",'
                              ' roles = ["lead", "housekeeping"] }]\n')
    [shift] = settings.branches[0].shifts
    assert (shift.name, shift.roles) == ("arrivals", ["lead", "housekeeping"])


@pytest.mark.parametrize(("extra", "key", "reason"), [
    ('shifts = [{ name = "lunch", start = "25:00", end = "15:00" }]\n',
     "branches.0.shifts.0.start", "time"),
    ('shifts = [{ name = "lunch", start = "10:00", end = "10:00" }]\n',
     "branches.0.shifts.0", "starts and ends at 10:00"),
    ('shifts = [{ name = "a", start = "10:00", end = "11:00" },'
     ' { name = "a", start = "12:00", end = "13:00" }]\n', "branches.0.shifts", "repeat"),
    ('shifts = [{ name = "a", start = "10:00", end = "11:00", roles = ["chef"] }]\n',
     "branches.0.shifts.0.roles.0", "lead"),
    ("occasion_days_ahead = -1\n", "branches.0.occasion_days_ahead", "greater than or equal"),
])
def test_a_bad_shift_stops_the_bot_naming_file_key_and_reason(
    tmp_path: Path, extra: str, key: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, extra)
    message = str(raised.value)
    assert str(tmp_path / "config.toml") in message and key in message and reason in message
