"""The [api] and [webhooks] sections: validated at start-up, naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings
from tests.bot.conftest import CONFIG


def config_with(tmp_path: Path, extra: str) -> dict[str, str]:
    text = CONFIG.read_text("utf-8").replace("[api]\n", f"[api]\n{extra}\n", 1) \
        if extra.startswith("listen") else CONFIG.read_text("utf-8").replace(
            "[webhooks]\n", f"[webhooks]\n{extra}\n", 1)
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    return {"GUESTCARD_CONFIG": str(path)}


def test_a_webhook_url_without_its_signing_secret_stops_the_bot(tmp_path: Path) -> None:
    env = config_with(tmp_path, 'url = "https://pms.example.com/hook"')
    with pytest.raises(ConfigError, match="GUESTCARD_OUTBOUND_SECRET"):
        load_settings(env)
    settings = load_settings({**env, "GUESTCARD_OUTBOUND_SECRET": "k"})
    assert settings.webhooks.url == "https://pms.example.com/hook"


def test_a_listen_address_without_a_port_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"api\.listen"):
        load_settings(config_with(tmp_path, 'listen = "localhost"'))
