"""The chain's configuration: config.toml and the environment, validated once at start-up."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

Language = Literal["zh", "en"]
DEFAULT_CONFIG = Path("config.toml")
TELEGRAM_API_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """config.toml cannot be used; the message names the file, the key and what is wrong."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Chain(Strict):
    name: str = Field(min_length=1)
    language: Language = "zh"


class Branch(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9]{0,15}$")
    name: str = Field(min_length=1)
    name_zh: str | None = None
    timezone: str
    phone_region: str = Field(default="CN", pattern=r"^[A-Z]{2}$")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    def label(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name


class Storage(Strict):
    path: str = "guestcard.db"


class Invites(Strict):
    valid_hours: int = Field(default=72, ge=1, le=24 * 30)

    @property
    def valid_for(self) -> timedelta:
        return timedelta(hours=self.valid_hours)


class Vocabulary(Strict):
    extra: list[str] = Field(default_factory=list)


class Settings(Strict):
    chain: Chain
    branches: list[Branch] = Field(min_length=1)
    storage: Storage = Storage()
    invites: Invites = Invites()
    vocabulary: Vocabulary = Vocabulary()
    # from the environment, never from the file
    token: SecretStr | None = None
    api_url: str = TELEGRAM_API_URL
    config_path: Path = DEFAULT_CONFIG

    @field_validator("branches")
    @classmethod
    def _unique_ids(cls, branches: list[Branch]) -> list[Branch]:
        ids = [b.id for b in branches]
        if len(ids) != len(set(ids)):
            raise ValueError(f"branch ids repeat: {ids}")
        return branches

    def branch(self, branch_id: str) -> Branch | None:
        return next((b for b in self.branches if b.id == branch_id), None)

    @property
    def database(self) -> str:
        return self.storage.path

    def vocabulary_files(self) -> list[Path]:
        return [self.config_path.parent / name for name in self.vocabulary.extra]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read config.toml (or GUESTCARD_CONFIG) and the environment's overrides."""
    env = os.environ if environ is None else environ
    path = Path(env.get("GUESTCARD_CONFIG") or DEFAULT_CONFIG)
    data = _read_toml(path)
    overrides: dict[str, object] = {"config_path": path}
    if env.get("TELEGRAM_BOT_TOKEN"):
        overrides["token"] = env["TELEGRAM_BOT_TOKEN"]
    if env.get("GUESTCARD_TELEGRAM_API_URL"):
        overrides["api_url"] = env["GUESTCARD_TELEGRAM_API_URL"]
    if env.get("GUESTCARD_DB"):
        storage = data.get("storage")
        data["storage"] = {**(storage if isinstance(storage, dict) else {}),
                           "path": env["GUESTCARD_DB"]}
    try:
        return Settings.model_validate({**data, **overrides})
    except ValidationError as error:
        raise ConfigError(_describe(path, error)) from None


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (set GUESTCARD_CONFIG to its path)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def _describe(path: Path, error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        problems.append(f"{path}: {key}: {item['msg']}")
    return "\n".join(problems)
