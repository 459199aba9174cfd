"""`[status]` in config.toml: a preset, overrides, and a bad combination stopping the start."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[3]
CHAIN = '[chain]\nname = "X"\n[[branches]]\nid = "la"\nname = "LA"\ntimezone = "UTC"\n'


def load(tmp_path: Path, status: str) -> Settings:
    config = tmp_path / "config.toml"
    config.write_text(CHAIN + "[status]\n" + status, "utf-8")
    return load_settings({"GUESTCARD_CONFIG": str(config)})


def test_the_shipped_chain_is_a_restaurant() -> None:
    rules = load_settings({"GUESTCARD_CONFIG": str(ROOT / "config.toml")}).status.rules
    assert (rules.regular_visits, rules.regular_months, rules.lapsed_factor,
            rules.key_visits) == (4, 3, 3.0, 24)


def test_a_hotel_counts_stays_over_a_year(tmp_path: Path) -> None:
    rules = load(tmp_path, 'preset = "hotel"\n').status.rules
    assert (rules.regular_visits, rules.regular_months, rules.lapsed_factor,
            rules.key_visits) == (3, 12, 2.0, 10)


def test_a_key_set_overrides_the_presets_value_only(tmp_path: Path) -> None:
    rules = load(tmp_path, 'preset = "hotel"\nregular_months = 6\n').status.rules
    assert (rules.regular_visits, rules.regular_months) == (3, 6)


@pytest.mark.parametrize(("status", "key", "reason"), [
    ('preset = "bar"\n', "status.preset", "'restaurant' or 'hotel'"),
    ("lapsed_factor = 1\n", "status.lapsed_factor", "greater than 1"),
    ("regular_visits = 30\n", "status", "key_visits (24) must exceed regular_visits (30)"),
    ("often = 3\n", "status.often", "Extra inputs"),
])
def test_a_bad_status_setting_names_the_key_and_the_reason(
    tmp_path: Path, status: str, key: str, reason: str,
) -> None:
    with pytest.raises(ConfigError) as error:
        load(tmp_path, status)
    assert f"config.toml: {key}: " in str(error.value) and reason in str(error.value)
