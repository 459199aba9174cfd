"""The chain's configuration: config.toml and the environment, validated once at start-up."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from playbooks.requests.routing import Departments, LaneWords
from playbooks.status.rules import PRESETS, StatusRules
from profiles.models import Role

Language = Literal["zh", "en"]
DEFAULT_CONFIG = Path("config.toml")
TELEGRAM_API_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """config.toml cannot be used; the message names the file, the key and what is wrong."""


def _require_unique(what: str, keys: list[str]) -> None:
    if len(keys) != len(set(keys)):
        raise ValueError(f"{what} repeat: {keys}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Chain(Strict):
    name: str = Field(min_length=1)
    language: Language = "zh"


class Shift(Strict):
    """A shift of a branch: its brief goes to `roles` at `start` (an end at or before the
    start is the next day)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,15}$")
    start: time
    end: time
    roles: list[Role] = Field(default_factory=lambda: [Role.LEAD], min_length=1)

    @model_validator(mode="after")
    def _has_length(self) -> Shift:
        if self.start == self.end:
            raise ValueError(f"shift {self.name!r} starts and ends at {self.start:%H:%M}")
        return self


class Branch(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9]{0,15}$")
    name: str = Field(min_length=1)
    name_zh: str | None = None
    timezone: str
    phone_region: str = Field(default="CN", pattern=r"^[A-Z]{2}$")
    # allergy hand-off: the kitchen's Telegram group (else each kitchen member), and how long
    # it may take to press Seen before the shift lead is told
    kitchen_chat: int | None = None
    allergy_ack_minutes: int = Field(default=5, ge=1, le=240)
    # where guests' requests go (the first department takes what no keyword routes)
    departments: Departments = Field(default_factory=list)
    # pre-arrival briefs at each shift's start; occasion reminders this many days ahead
    shifts: list[Shift] = Field(default_factory=list)
    occasion_days_ahead: int = Field(default=3, ge=0, le=60)

    @field_validator("shifts")
    @classmethod
    def _unique_shifts(cls, shifts: list[Shift]) -> list[Shift]:
        _require_unique("shift names", [shift.name for shift in shifts])
        return shifts

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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Storage(Strict):
    # a SQLite file (relative to the working directory), or a postgresql:// URL
    path: str = "guestcard.db"


class Invites(Strict):
    valid_hours: int = Field(default=72, ge=1, le=24 * 30)

    @property
    def valid_for(self) -> timedelta:
        return timedelta(hours=self.valid_hours)


class Vocabulary(Strict):
    extra: list[str] = Field(default_factory=list)


class PlaybookConfig(Strict):
    # the chain's own playbook files (a folder, relative to this file); same id replaces
    folder: str | None = None
    # shipped playbooks the chain does not use, by id
    disabled: list[str] = Field(default_factory=list)
    # a due step still not done this long after its reminder is reported to the shift lead
    report_after_minutes: int = Field(default=10, ge=1, le=24 * 60)


class ReportConfig(Strict):
    # the weekly service report reaches managers on Monday from this hour, their branch's time
    monday_hour: int = Field(default=8, ge=0, le=23)
    # weeks of history the report's chart shows
    chart_weeks: int = Field(default=8, ge=2, le=52)


class PrivacyConfig(Strict):
    # erase guests neither created nor seen for this many months, swept daily (0: never)
    retention_months: int = Field(default=0, ge=0, le=240)
    # guests who consented to be remembered are kept beyond the retention period
    spare_consented: bool = True
    # the chain's own words a note must not use (files in the format of
    # profiles/guardrails.toml, relative to this file)
    guardrails: list[str] = Field(default_factory=list)


class ApiConfig(Strict):
    # where the HTTP API (and the Telegram webhook, health and metrics) listens; `guestcard
    # run --listen` overrides it
    listen: str | None = Field(default=None, pattern=r"^.+:\d{1,5}$")
    # calls each key may make per minute (a burst of as many)
    rate_per_minute: int = Field(default=120, ge=1, le=100_000)
    # /healthz: the oldest due outbox message may be this old before the bot is unhealthy
    outbox_max_age_seconds: int = Field(default=600, ge=10)
    # Telegram's webhook is answered when its update is handled, or with an error after this
    update_timeout_seconds: float = Field(default=50, gt=0, le=600)


OutboundEvent = Literal["request.escalated", "allergy.unacknowledged", "complaint.opened"]


def _every_outbound_event() -> list[OutboundEvent]:
    return ["request.escalated", "allergy.unacknowledged", "complaint.opened"]


class OutboundConfig(Strict):
    # where the chain's own system hears of what needs attention (POSTed, signed with
    # GUESTCARD_OUTBOUND_SECRET); none: nothing is posted
    url: str | None = Field(default=None, pattern=r"^https?://")
    events: list[OutboundEvent] = Field(default_factory=_every_outbound_event)


class StatusConfig(Strict):
    # thresholds start from a restaurant's or a hotel's; each key set here overrides one
    preset: Literal["restaurant", "hotel"] = "restaurant"
    regular_visits: int | None = Field(default=None, ge=2, le=100)
    regular_months: int | None = Field(default=None, ge=1, le=36)
    lapsed_factor: float | None = Field(default=None, gt=1, le=20)
    no_shows: int | None = Field(default=None, ge=1, le=20)
    no_show_months: int | None = Field(default=None, ge=1, le=36)
    key_visits: int | None = Field(default=None, ge=3, le=1000)
    key_spend: float | None = Field(default=None, gt=0)
    key_spend_months: int | None = Field(default=None, ge=1, le=36)
    key_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _coherent(self) -> StatusConfig:
        _ = self.rules  # a combination the rules refuse stops the start, naming the reason
        return self

    @cached_property
    def rules(self) -> StatusRules:
        overrides = self.model_dump(exclude={"preset"}, exclude_none=True)
        return StatusRules.model_validate({**PRESETS[self.preset].model_dump(), **overrides})


class ComplaintsConfig(Strict):
    # how many times a lead closing a red complaint is asked "why?" (five whys; 0: never)
    why_depth: int = Field(default=5, ge=0, le=7)


class Settings(Strict):
    chain: Chain
    branches: list[Branch] = Field(min_length=1)
    storage: Storage = Storage()
    invites: Invites = Invites()
    vocabulary: Vocabulary = Vocabulary()
    report: ReportConfig = ReportConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    playbooks: PlaybookConfig = PlaybookConfig()
    requests: LaneWords = LaneWords()
    api: ApiConfig = ApiConfig()
    webhooks: OutboundConfig = OutboundConfig()
    status: StatusConfig = StatusConfig()
    complaints: ComplaintsConfig = ComplaintsConfig()
    # from the environment, never from the file
    token: SecretStr | None = None
    api_url: str = TELEGRAM_API_URL
    outbound_secret: SecretStr | None = None
    config_path: Path = DEFAULT_CONFIG

    @model_validator(mode="after")
    def _outbound_signed(self) -> Settings:
        if self.webhooks.url and self.outbound_secret is None:
            raise ValueError("webhooks.url is set: set GUESTCARD_OUTBOUND_SECRET too, the key "
                             "that signs each POST")
        return self

    @field_validator("branches")
    @classmethod
    def _unique_ids(cls, branches: list[Branch]) -> list[Branch]:
        _require_unique("branch ids", [b.id for b in branches])
        return branches

    def branch(self, branch_id: str) -> Branch | None:
        return self._branch_index.get(branch_id)

    def branch_id(self, typed: str) -> str:
        """The id of the branch `typed` names by id or by name in either language ("sh",
        "Shanghai", "上海"); else what was typed, lower-cased, for the caller to refuse."""
        wanted = typed.strip().casefold()
        for branch in self.branches:
            names = (branch.id, branch.name, branch.name_zh or "")
            if wanted in (name.casefold() for name in names):
                return branch.id
        return wanted

    def phone_region(self, branch_id: str) -> str:
        """How a phone typed at the branch is read when it has no country code."""
        branch = self.branch(branch_id)
        return branch.phone_region if branch else "CN"

    @cached_property
    def phone_regions(self) -> tuple[str, ...]:
        """Every branch's phone region, once each: where a chain's guests' numbers come from."""
        return tuple(dict.fromkeys(b.phone_region for b in self.branches))

    def branch_labels(self, language: str) -> Mapping[str, str]:
        """Branch id → name in `language`; built once per language (a chain has hundreds)."""
        labels = self._labels.get(language)
        if labels is None:
            labels = self._labels[language] = {b.id: b.label(language) for b in self.branches}
        return labels

    @cached_property
    def _branch_index(self) -> dict[str, Branch]:
        return {b.id: b for b in self.branches}

    @cached_property
    def _labels(self) -> dict[str, dict[str, str]]:
        return {}

    @property
    def database(self) -> str:
        """Where the data is: a SQLite file's path or a PostgreSQL URL (`open_database`)."""
        return self.storage.path

    def vocabulary_files(self) -> list[Path]:
        return [self.config_path.parent / name for name in self.vocabulary.extra]

    def guardrail_files(self) -> list[Path]:
        return [self.config_path.parent / name for name in self.privacy.guardrails]

    def zones(self) -> dict[str, ZoneInfo]:
        """Each branch's time zone, by branch id."""
        return {b.id: b.zone for b in self.branches}

    def playbook_folder(self) -> Path | None:
        folder = self.playbooks.folder
        return None if folder is None else self.config_path.parent / folder


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
    if env.get("GUESTCARD_OUTBOUND_SECRET"):
        overrides["outbound_secret"] = env["GUESTCARD_OUTBOUND_SECRET"]
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
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file in UTF-8 (is it the right file?)") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None


def _describe(path: Path, error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        problems.append(f"{path}: {key}: {item['msg']}")
    return "\n".join(problems)
