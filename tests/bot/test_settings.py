from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def env(config: Path, **extra: str) -> dict[str, str]:
    return {"GUESTCARD_CONFIG": str(config), **extra}


def test_the_shipped_config_describes_la_and_shanghai() -> None:
    settings = load_settings(env(ROOT / "config.toml"))
    assert [(b.id, b.timezone) for b in settings.branches] == [
        ("la", "America/Los_Angeles"), ("sh", "Asia/Shanghai")]
    assert settings.token is None


def test_environment_overrides_token_database_and_api_url() -> None:
    settings = load_settings(env(ROOT / "config.toml", TELEGRAM_BOT_TOKEN="1:abc",
                                 GUESTCARD_DB="/tmp/x.db",
                                 GUESTCARD_TELEGRAM_API_URL="http://127.0.0.1:9/bot"))
    assert settings.token is not None and settings.token.get_secret_value() == "1:abc"
    assert (settings.database, settings.api_url) == ("/tmp/x.db", "http://127.0.0.1:9/bot")
    assert "1:abc" not in repr(settings)


@pytest.mark.parametrize(("text", "expected"), [
    ('[chain]\nname = "X"\nlanguage = "fr"\n[[branches]]\nid = "la"\nname = "LA"\ntimezone = "UTC"\n',
     "chain.language"),
    ('[chain]\nname = "X"\n[[branches]]\nid = "la"\nname = "LA"\ntimezone = "Mars/Olympus"\n',
     "branches.0.timezone"),
    ('[chain]\nname = "X"\n', "branches"),
    ('[chain]\nname = "X"\ncolour = "red"\n[[branches]]\nid = "la"\nname = "LA"\ntimezone = "UTC"\n',
     "chain.colour"),
    ('[chain\nname = "X"\n', "line 1"),
])
def test_a_bad_config_names_file_key_and_reason(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(env(config))
    assert str(config) in str(raised.value) and expected in str(raised.value)


def test_a_missing_config_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(env(tmp_path / "nope.toml"))


def test_a_phone_is_read_in_its_branch_region_and_a_gone_branch_in_china() -> None:
    settings = load_settings(env(ROOT / "config.toml"))
    regions = [settings.phone_region(branch) for branch in ("la", "sh", "closed")]
    assert regions == ["US", "CN", "CN"]


def test_two_branches_with_one_id_are_refused(tmp_path: Path) -> None:
    branch = '[[branches]]\nid = "la"\nname = "LA"\ntimezone = "UTC"\n'
    config = tmp_path / "config.toml"
    config.write_text('[chain]\nname = "X"\n' + branch * 2, "utf-8")
    with pytest.raises(ConfigError, match=r"branches: .*branch ids repeat: \['la', 'la'\]"):
        load_settings(env(config))
